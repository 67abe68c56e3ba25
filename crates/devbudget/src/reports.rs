//! The development budget's reports (issue 25), in the one report catalogue: the list of
//! local budget investment projects (report 8 of the planning module), read from the
//! register, with each project's financing of a year by source.

use crate::analysis;
use crate::projects::{self, Project};
use chrono::Datelike;
use jospar_access::{Reader, Result, Right};
use jospar_core::money::Tenge;
use jospar_i18n::Tr;
use jospar_reports::catalogue::{ParamDef, ReportDef, bad};
use jospar_reports::{Cell, Table, report_fn};
use jospar_store::Db;

pub static REPORTS: &[ReportDef] = &[
    ReportDef {
        name: "investment-projects",
        about: "The list of local budget investment projects from the register: МИЖ, administrator, program, sphere, kind, state, territory, dates, cost and the financing of a year by source (report 8)",
        params: &[
            ParamDef {
                name: "year",
                required: false,
                about: "the year of the financing columns (default: the current year)",
            },
            ParamDef {
                name: "state",
                required: false,
                about: "planned, in_progress, completed or suspended (default: every state)",
            },
            ParamDef {
                name: "sphere",
                required: false,
                about: "education, health, social, housing, utilities, roads, culture_sport, agriculture or other",
            },
        ],
        // Report 8 of the planning module's list; this module's 6–8 are the appendices.
        spec_numbers: &[],
        build: report_fn!(|c| {
            let year = match c.params.number::<i32>("year")? {
                Some(year) if (2000..=2100).contains(&year) => year,
                Some(year) => return Err(bad("year", &year.to_string())),
                None => chrono::Utc::now().year(),
            };
            let state = c.params.text("state").unwrap_or("");
            if !state.is_empty() && !projects::STATES.contains(&state) {
                return Err(bad("state", state));
            }
            let sphere = c.params.text("sphere").unwrap_or("");
            if !sphere.is_empty() && !projects::SPHERES.contains(&sphere) {
                return Err(bad("sphere", sphere));
            }
            project_list(c.db, c.tr, c.reader, year, state, sphere).await
        }),
    },
    ReportDef {
        name: "development-transfers",
        about: "The analytic report on transfers: for each investment project of a year, the targeted transfer and local money planned, contracted (4-09 and linked portal contracts), paid from each, the transfer unspent and, once the year is over, due for return to the giving budget (DB-1, development report 1)",
        params: &[YEAR],
        spec_numbers: &[1],
        build: report_fn!(|c| {
            let year = year_param(c)?;
            transfers(c.db, c.tr, c.reader, year, today()).await
        }),
    },
    ReportDef {
        name: "development-absorption",
        about: "The analytic report on the absorption of budget funds: for each investment project of a year, the financing plan, contracted, paid, the shares contracted and paid, and what is left (DB-4, development reports 2, 3 and 5)",
        params: &[YEAR],
        spec_numbers: &[2, 3, 5],
        build: report_fn!(|c| {
            let year = year_param(c)?;
            absorption(c.db, c.tr, c.reader, year).await
        }),
    },
    ReportDef {
        name: "development-projects-by",
        about: "The investment projects grouped by sphere, state or kind: how many, their cost, the year's financing plan, contracted and paid, with the shares paid (DB-4, monitoring)",
        params: &[
            YEAR,
            ParamDef {
                name: "by",
                required: false,
                about: "sphere (default), state or kind",
            },
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            let year = year_param(c)?;
            let by = c.params.text("by").unwrap_or("sphere");
            if !["sphere", "state", "kind"].contains(&by) {
                return Err(bad("by", by));
            }
            projects_by(c.db, c.tr, c.reader, year, by).await
        }),
    },
    ReportDef {
        name: "procurement-matching",
        about: "An organisation's portal contracts of a year matched to expense identifiers (through their units' plan points) and to projects: each contract with the identifiers found or why none (no units loaded, a unit under no plan point, a plan point not loaded, a plan point not linked), and the shares of contracts and amounts left unmatched (DB-2, P-14)",
        params: &[
            ParamDef {
                name: "org",
                required: true,
                about: "the organisation (its BIN is the customer's)",
            },
            YEAR,
            ParamDef {
                name: "failures",
                required: false,
                about: "1 = only the contracts left unmatched",
            },
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            let year = year_param(c)?;
            procurement_matching(
                c.db,
                c.tr,
                c.reader,
                c.params.required("org")?,
                year,
                c.params.flag("failures"),
            )
            .await
        }),
    },
    ReportDef {
        name: "development-appendix",
        about: "«Сведения о направлении средств местного бюджета развития», appendix 1 (by project: planned, contracted, paid, left), 2 (by source: the transfer and local money, the transfer unspent and due for return) or 3 (the projects' progress), printed from layouts kept as data (data/devbudget/layouts.toml, reconstructed) (DB-4, development reports 6–8)",
        params: &[
            ParamDef {
                name: "n",
                required: true,
                about: "the appendix: 1, 2 or 3",
            },
            YEAR,
        ],
        spec_numbers: &[6, 7, 8],
        build: report_fn!(|c| {
            let year = year_param(c)?;
            let n: u8 = c.params.required("n")?;
            if !crate::appendices::APPENDICES.contains(&n) {
                return Err(bad("n", &n.to_string()));
            }
            let register = Register::read(c.db, c.reader).await?;
            crate::appendices::table(c.tr, n, year, today(), &register.active_in(year))
        }),
    },
    ReportDef {
        name: "expense-trace",
        about: "One expense identifier followed through a year: request line, approved budget, financing plan in force, procurement plan points, contracts (their units under those points) and payments, with the amount at each stage and where it stops (P-14, order 254)",
        params: &[
            ParamDef {
                name: "expense",
                required: true,
                about: "the expense identifier",
            },
            YEAR,
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            let year = year_param(c)?;
            crate::trace::table(c.db, c.tr, c.reader, c.params.required("expense")?, year).await
        }),
    },
    ReportDef {
        name: "development-552",
        about: "The payments of the development budget's contracts (form 4-09) against form 5-52, by code, with the projects paid on each and every difference (DB-3)",
        params: &[
            ParamDef {
                name: "f552",
                required: true,
                about: "id of an imported form 5-52",
            },
            FAILURES,
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            against_552(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("f552")?,
                c.params.flag("failures"),
            )
            .await
        }),
    },
    ReportDef {
        name: "development-127",
        about: "The development programs of form 1-27 against the register: each program's projects' financing of the year against the corrected budget, the payments under their contracts against cash expenses, with every difference (DB-3)",
        params: &[
            ParamDef {
                name: "f127",
                required: true,
                about: "id of an imported form 1-27",
            },
            FAILURES,
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            against_127(
                c.db,
                c.tr,
                c.reader,
                c.params.required("f127")?,
                c.params.flag("failures"),
            )
            .await
        }),
    },
];

/// The projects the reader may read, in the order of their МИЖ, with a total row.
pub async fn project_list(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    year: i32,
    state: &str,
    sphere: &str,
) -> Result<Table> {
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let name_of = |org: i64| {
        orgs.iter()
            .find(|o| o.id == org)
            .map(|o| o.name(tr.lang()).to_string())
            .unwrap_or_default()
    };
    let readable = |p: &Project| match reader {
        Reader::User(principal) => principal.can(Right::Read, p.input.admin_org_id),
        Reader::System => true,
    };
    let mut listed: Vec<Project> = projects::every(db)
        .await?
        .into_iter()
        .filter(|p| readable(p))
        .filter(|p| state.is_empty() || p.input.state == state)
        .filter(|p| sphere.is_empty() || p.input.sphere == sphere)
        .collect();
    listed.sort_by(|a, b| a.code.cmp(&b.code));
    let year_text = year.to_string();
    let mut table = Table {
        title: tr.t("report-investment-projects"),
        subtitle: vec![tr.args("projects-report-year", &[("year", year_text.clone())])],
        headers: [
            "project-col-code",
            "col-name",
            "field-admin_org_id",
            "project-col-program",
            "project-col-sphere",
            "field-project_kind",
            "project-col-state",
            "field-kato",
            "project-col-dates",
            "project-col-cost",
        ]
        .iter()
        .map(|key| tr.t(key))
        .chain(["republican", "local"].iter().map(|source| {
            tr.args(
                "projects-report-financing",
                &[
                    ("year", year_text.clone()),
                    ("source", tr.t(&format!("project-source-{source}"))),
                ],
            )
        }))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let (mut cost, mut republican, mut local) = (Tenge::ZERO, Tenge::ZERO, Tenge::ZERO);
    for p in &listed {
        let i = &p.input;
        let (from_republic, from_local) = (
            analysis::financed(p, year, "republican"),
            analysis::financed(p, year, "local"),
        );
        cost += Tenge::from_tiyn(i.total_cost_tiyn);
        republican += from_republic;
        local += from_local;
        table.levels.push(0);
        table.rows.push(vec![
            Cell::Text(p.code.clone()),
            Cell::Text(p.name(tr.lang()).to_string()),
            Cell::Text(name_of(i.admin_org_id)),
            Cell::Text(format!("{} {}", i.program, i.subprogram)),
            Cell::Text(tr.t(&format!("project-sphere-{}", i.sphere))),
            Cell::Text(tr.t(&format!("project-kind-{}", i.kind))),
            Cell::Text(tr.t(&format!("project-state-{}", i.state))),
            Cell::Text(i.kato.clone()),
            Cell::Text(format!(
                "{} – {}",
                i.starts_on.format("%d.%m.%Y"),
                i.ends_on.format("%d.%m.%Y")
            )),
            Cell::Money(Tenge::from_tiyn(i.total_cost_tiyn)),
            Cell::Money(from_republic),
            Cell::Money(from_local),
        ]);
    }
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend((0..8).map(|_| Cell::Text(String::new())));
    total.extend([
        Cell::Money(cost),
        Cell::Money(republican),
        Cell::Money(local),
    ]);
    table.total = Some(total);
    Ok(table)
}

/// The report's year: `year` or the current one.
fn year_param(c: &jospar_reports::catalogue::ReportCall<'_>) -> Result<i32> {
    match c.params.number::<i32>("year")? {
        Some(year) if (2000..=2100).contains(&year) => Ok(year),
        Some(year) => Err(bad("year", &year.to_string())),
        None => Ok(chrono::Utc::now().year()),
    }
}

const FAILURES: ParamDef = ParamDef {
    name: "failures",
    required: false,
    about: "1 = only the differences",
};

const YEAR: ParamDef = ParamDef {
    name: "year",
    required: false,
    about: "the year (default: the current year)",
};

/// Today in Almaty, where the budget year ends.
fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(5)).date_naive()
}

/// What the reports read: the projects the reader may read, with the contracts of form 4-09
/// and the linked portal contracts.
struct Register {
    projects: Vec<Project>,
    treasury: Vec<crate::form409::TreasuryContract>,
    portal: Vec<crate::procurement::ContractRow>,
}

impl Register {
    async fn read(db: &Db, reader: &Reader<'_>) -> Result<Register> {
        Ok(Register {
            projects: projects::every(db)
                .await?
                .into_iter()
                .filter(|p| reader.can_read(p.input.admin_org_id))
                .collect(),
            treasury: crate::form409::every(db).await?,
            portal: crate::procurement::linked(db).await?,
        })
    }

    fn year_of(&self, project: &Project, year: i32) -> analysis::ProjectYear {
        analysis::project_year(
            project,
            year,
            &self.treasury,
            &self.portal,
            &jospar_execution::layouts::layouts()
                .budget_kinds
                .republican_subprograms,
        )
    }

    /// The projects with anything planned, contracted or paid in `year`.
    fn active_in(&self, year: i32) -> Vec<(&Project, analysis::ProjectYear)> {
        self.projects
            .iter()
            .map(|p| (p, self.year_of(p, year)))
            .filter(|(_, f)| {
                f.planned() != Tenge::ZERO || f.contracted != Tenge::ZERO || f.paid() != Tenge::ZERO
            })
            .collect()
    }
}

fn headed(tr: &Tr, title: &str, subtitle: String, headers: &[&str]) -> Table {
    Table {
        title: tr.t(title),
        subtitle: vec![subtitle],
        headers: headers.iter().map(|key| tr.t(key)).collect(),
        numbered: true,
        ..Table::default()
    }
}

fn total_row(tr: &Tr, texts: usize, sums: &[Tenge]) -> Vec<Cell> {
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend((1..texts).map(|_| Cell::Text(String::new())));
    total.extend(sums.iter().map(|s| Cell::Money(*s)));
    total
}

/// The analytic report on transfers (development report 1).
pub async fn transfers(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    year: i32,
    today: chrono::NaiveDate,
) -> Result<Table> {
    let register = Register::read(db, reader).await?;
    let mut table = headed(
        tr,
        "report-development-transfers",
        tr.args(
            "development-report-year",
            &[
                ("year", year.to_string()),
                ("date", today.format("%d.%m.%Y").to_string()),
            ],
        ),
        &[
            "project-col-code",
            "col-name",
            "project-col-program",
            "development-col-transfer-planned",
            "development-col-local-planned",
            "development-col-contracted",
            "development-col-paid-transfer",
            "development-col-paid-local",
            "development-col-transfer-unspent",
            "development-col-due-for-return",
        ],
    );
    let mut sums = [Tenge::ZERO; 7];
    for (p, f) in register.active_in(year) {
        let amounts = [
            f.transfer_planned,
            f.local_planned,
            f.contracted,
            f.paid_from_transfer,
            f.paid_locally,
            f.transfer_unspent(),
            f.due_for_return(year, today),
        ];
        for (sum, amount) in sums.iter_mut().zip(amounts) {
            *sum += amount;
        }
        let mut row = vec![
            Cell::Text(p.code.clone()),
            Cell::Text(p.name(tr.lang()).to_string()),
            Cell::Text(format!("{} {}", p.input.program, p.input.subprogram)),
        ];
        row.extend(amounts.into_iter().map(Cell::Money));
        table.rows.push(row);
    }
    table.total = Some(total_row(tr, 3, &sums));
    Ok(table)
}

/// The code of a project's sphere, state or kind.
fn group_of<'a>(project: &'a Project, by: &str) -> &'a str {
    match by {
        "state" => &project.input.state,
        "kind" => &project.input.kind,
        _ => &project.input.sphere,
    }
}

/// The projects by sphere, state or kind (`by`), in the order of the codes' list.
pub async fn projects_by(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    year: i32,
    by: &str,
) -> Result<Table> {
    let register = Register::read(db, reader).await?;
    let codes: &[&str] = match by {
        "state" => &projects::STATES,
        "kind" => &projects::KINDS,
        _ => &projects::SPHERES,
    };
    let by_key = format!("development-by-{by}");
    let mut table = headed(
        tr,
        "report-development-projects-by",
        tr.args(
            "development-by-subtitle",
            &[
                ("year", year.to_string()),
                ("by", tr.t(&format!("development-by-{by}"))),
            ],
        ),
        &[
            by_key.as_str(),
            "development-col-count",
            "project-col-cost",
            "development-col-planned",
            "development-col-contracted",
            "development-col-paid",
            "development-col-paid-share",
        ],
    );
    let mut sums = [Tenge::ZERO; 4];
    let mut count_all = 0;
    for code in codes {
        let members: Vec<&Project> = register
            .projects
            .iter()
            .filter(|p| group_of(p, by) == *code)
            .collect();
        if members.is_empty() {
            continue;
        }
        let mut amounts = [Tenge::ZERO; 4];
        for p in &members {
            let f = register.year_of(p, year);
            amounts[0] += Tenge::from_tiyn(p.input.total_cost_tiyn);
            amounts[1] += f.planned();
            amounts[2] += f.contracted;
            amounts[3] += f.paid();
        }
        for (sum, amount) in sums.iter_mut().zip(amounts) {
            *sum += amount;
        }
        count_all += members.len();
        let prefix = match by {
            "state" => "project-state-",
            "kind" => "project-kind-",
            _ => "project-sphere-",
        };
        let mut row = vec![
            Cell::Text(tr.t(&format!("{prefix}{code}"))),
            Cell::Text(members.len().to_string()),
        ];
        row.extend(amounts.into_iter().map(Cell::Money));
        row.push(Cell::Text(analysis::share(amounts[3], amounts[1])));
        table.rows.push(row);
    }
    let mut total = vec![Cell::Text(tr.t("total")), Cell::Text(count_all.to_string())];
    total.extend(sums.into_iter().map(Cell::Money));
    total.push(Cell::Text(analysis::share(sums[3], sums[1])));
    table.total = Some(total);
    Ok(table)
}

/// The analytic report on the absorption of budget funds (development reports 2 and 5).
pub async fn absorption(db: &Db, tr: &Tr, reader: &Reader<'_>, year: i32) -> Result<Table> {
    let register = Register::read(db, reader).await?;
    let mut table = headed(
        tr,
        "report-development-absorption",
        tr.args("projects-report-year", &[("year", year.to_string())]),
        &[
            "project-col-code",
            "col-name",
            "project-col-program",
            "project-col-state",
            "development-col-planned",
            "development-col-contracted",
            "development-col-paid",
            "development-col-contracted-share",
            "development-col-paid-share",
            "development-col-left",
        ],
    );
    let (mut planned, mut contracted, mut paid) = (Tenge::ZERO, Tenge::ZERO, Tenge::ZERO);
    for (p, f) in register.active_in(year) {
        planned += f.planned();
        contracted += f.contracted;
        paid += f.paid();
        table.rows.push(vec![
            Cell::Text(p.code.clone()),
            Cell::Text(p.name(tr.lang()).to_string()),
            Cell::Text(format!("{} {}", p.input.program, p.input.subprogram)),
            Cell::Text(tr.t(&format!("project-state-{}", p.input.state))),
            Cell::Money(f.planned()),
            Cell::Money(f.contracted),
            Cell::Money(f.paid()),
            Cell::Text(analysis::share(f.contracted, f.planned())),
            Cell::Text(analysis::share(f.paid(), f.planned())),
            Cell::Money(f.planned() - f.paid()),
        ]);
    }
    let mut total = total_row(tr, 4, &[planned, contracted, paid]);
    total.extend([
        Cell::Text(analysis::share(contracted, planned)),
        Cell::Text(analysis::share(paid, planned)),
        Cell::Money(planned - paid),
    ]);
    table.total = Some(total);
    Ok(table)
}

/// An imported Treasury form the reader may read, with its rows.
async fn treasury_form<T: serde::de::DeserializeOwned>(
    db: &Db,
    reader: &Reader<'_>,
    id: i64,
    form: &str,
) -> Result<(jospar_execution::treasury_store::TreasuryReport, Vec<T>)> {
    let (head, rows) = jospar_execution::treasury_store::report::<T>(db, id, form)
        .await
        .map_err(jospar_access::Error::from)?
        .ok_or(jospar_access::Error::NotFound)?;
    reader.require_read(head.org_id)?;
    Ok((head, rows))
}

/// The 4-09 contracts' payments against form 5-52 (DB-3).
pub async fn against_552(
    db: &Db,
    tr: &Tr,
    tree: &jospar_access::OrgTree,
    reader: &Reader<'_>,
    id: i64,
    failures: bool,
) -> Result<Table> {
    use jospar_execution::treasury::CashRow;
    let (head, rows) = treasury_form::<CashRow>(db, reader, id, "5-52").await?;
    let register = Register::read(db, reader).await?;
    let year = i64::from(head.report_date.year());
    let code_of: std::collections::HashMap<i64, &str> = register
        .projects
        .iter()
        .map(|p| (p.id, p.code.as_str()))
        .collect();
    let contracts: Vec<(&crate::form409::TreasuryContract, &str)> = register
        .treasury
        .iter()
        .filter(|c| c.year == year && tree.is_within(c.org_id, head.org_id))
        .filter_map(|c| code_of.get(&c.project_id).map(|code| (c, *code)))
        .collect();
    let development = &jospar_execution::layouts::layouts().development;
    let checks = analysis::against_552(&contracts, &rows, |s| development.covers(s));
    let mut table = headed(
        tr,
        "report-development-552",
        tr.args(
            "development-552-subtitle",
            &[("date", head.report_date.format("%d.%m.%Y").to_string())],
        ),
        &[
            "treasury-col-abp",
            "field-program",
            "field-subprogram",
            "field-specific",
            "development-col-projects",
            "development-col-paid",
            "development-col-executed-552",
            "development-col-difference",
        ],
    );
    let mut sums = [Tenge::ZERO; 3];
    for check in checks
        .iter()
        .filter(|c| !failures || c.difference() != Tenge::ZERO)
    {
        let amounts = [check.paid_under_contracts, check.in_552, check.difference()];
        for (sum, amount) in sums.iter_mut().zip(amounts) {
            *sum += amount;
        }
        let (abp, program, subprogram, specific) = &check.code;
        let mut row = vec![
            Cell::Text(abp.clone()),
            Cell::Text(program.clone()),
            Cell::Text(subprogram.clone()),
            Cell::Text(specific.clone()),
            Cell::Text(check.projects.join(", ")),
        ];
        row.extend(amounts.into_iter().map(Cell::Money));
        table.rows.push(row);
    }
    table.total = Some(total_row(tr, 5, &sums));
    Ok(table)
}

/// Why a contract has no expense identifier, or the identifiers it buys for.
fn matched(
    units: &[jospar_goszakup::page::ContractUnit],
    points: &std::collections::HashMap<i64, Option<i64>>,
) -> std::result::Result<Vec<i64>, &'static str> {
    let live: Vec<_> = units.iter().filter(|u| !u.deleted).collect();
    if live.is_empty() {
        return Err("match-no-units");
    }
    let mut expenses = Vec::new();
    for unit in live {
        if unit.plan_point_id == 0 {
            return Err("match-no-point");
        }
        match points.get(&unit.plan_point_id) {
            None => return Err("match-point-unknown"),
            Some(None) => return Err("match-point-unlinked"),
            Some(Some(expense)) if !expenses.contains(expense) => expenses.push(*expense),
            Some(Some(_)) => {}
        }
    }
    Ok(expenses)
}

/// An organisation's portal contracts of a year matched to expense identifiers and projects.
pub async fn procurement_matching(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    org_id: i64,
    year: i32,
    failures: bool,
) -> Result<Table> {
    reader.require_read(org_id)?;
    let org = jospar_org::repo::get_org(db, org_id)
        .await?
        .ok_or(jospar_access::Error::NotFound)?;
    let bin = org.bin.clone().unwrap_or_default();
    let (contracts, points) = crate::procurement::customer_year(db, &bin, i64::from(year)).await?;
    let points: std::collections::HashMap<i64, Option<i64>> =
        points.iter().map(|p| (p.id, p.expense_id)).collect();
    let ids: Vec<i64> = contracts.iter().map(|c| c.id).collect();
    let units = crate::procurement::units_of(db, &ids).await?;
    let projects: std::collections::HashMap<i64, String> = projects::every(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.code))
        .collect();
    let mut table = headed(
        tr,
        "report-procurement-matching",
        tr.args(
            "matching-subtitle",
            &[
                ("org", org.name(tr.lang()).to_string()),
                ("bin", bin.clone()),
                ("year", year.to_string()),
            ],
        ),
        &[
            "contract-col-number",
            "col-name",
            "contract-col-sum",
            "procurement-col-expense",
            "contract-col-project",
            "matching-col-state",
        ],
    );
    let (mut all, mut unmatched, mut sum_all, mut sum_unmatched) = (0, 0, Tenge::ZERO, Tenge::ZERO);
    for c in contracts.iter().filter(|c| !c.deleted) {
        let sum = Tenge::from_tiyn(c.sum_with_vat);
        let found = matched(
            units.get(&c.id).map(Vec::as_slice).unwrap_or_default(),
            &points,
        );
        all += 1;
        sum_all += sum;
        if found.is_err() {
            unmatched += 1;
            sum_unmatched += sum;
        } else if failures {
            continue;
        }
        let (expenses, state) = match &found {
            Ok(expenses) => (
                expenses
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                tr.t("match-ok"),
            ),
            Err(why) => (String::new(), tr.t(why)),
        };
        table.rows.push(vec![
            Cell::Text(c.contract_number_sys.clone()),
            Cell::Text(if tr.lang() == "kk" && !c.name_kz.is_empty() {
                c.name_kz.clone()
            } else {
                c.name_ru.clone()
            }),
            Cell::Money(sum),
            Cell::Text(expenses),
            Cell::Text(
                c.project_id
                    .and_then(|id| projects.get(&id).cloned())
                    .unwrap_or_default(),
            ),
            Cell::Text(state),
        ]);
    }
    table.footer.push(tr.args(
        "matching-shares",
        &[
            ("unmatched", unmatched.to_string()),
            ("all", all.to_string()),
            (
                "share",
                analysis::share(Tenge::from_tiyn(unmatched), Tenge::from_tiyn(all)),
            ),
            ("sum_unmatched", sum_unmatched.to_string()),
            ("sum_all", sum_all.to_string()),
            ("sum_share", analysis::share(sum_unmatched, sum_all)),
        ],
    ));
    Ok(table)
}

/// The administrator's code of an organisation: its own, or its nearest ancestor's.
fn abp_of(orgs: &[jospar_org::domain::Org], org_id: i64) -> String {
    let mut current = orgs.iter().find(|o| o.id == org_id);
    while let Some(org) = current {
        if let Some(code) = org.abp_code.as_deref().filter(|c| !c.is_empty()) {
            return code.to_string();
        }
        current = org
            .parent_id
            .and_then(|parent| orgs.iter().find(|o| o.id == parent));
    }
    String::new()
}

/// The development programs of form 1-27 against the register (DB-3).
pub async fn against_127(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    failures: bool,
) -> Result<Table> {
    use jospar_execution::form_127::BudgetRow;
    let (head, rows) = treasury_form::<BudgetRow>(db, reader, id, "1-27").await?;
    let register = Register::read(db, reader).await?;
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let year = head.report_date.year();
    let projects: Vec<(&Project, String, analysis::ProjectYear)> = register
        .projects
        .iter()
        .map(|p| {
            (
                p,
                abp_of(&orgs, p.input.admin_org_id),
                register.year_of(p, year),
            )
        })
        .collect();
    let checks = analysis::against_127(&projects, &rows);
    let mut table = headed(
        tr,
        "report-development-127",
        tr.args(
            "development-127-subtitle",
            &[("date", head.report_date.format("%d.%m.%Y").to_string())],
        ),
        &[
            "treasury-col-abp",
            "field-program",
            "field-subprogram",
            "development-col-projects",
            "development-col-planned",
            "development-col-corrected-127",
            "development-col-paid",
            "development-col-executed-127",
            "development-col-agrees",
        ],
    );
    for check in checks.iter().filter(|c| !failures || !c.agrees()) {
        table.rows.push(vec![
            Cell::Text(check.abp.clone()),
            Cell::Text(check.program.clone()),
            Cell::Text(check.subprogram.clone()),
            Cell::Text(check.projects.join(", ")),
            Cell::Money(check.planned),
            Cell::Money(check.corrected_127),
            Cell::Money(check.paid),
            Cell::Money(check.executed_127),
            Cell::Text(tr.t(if check.agrees() {
                "development-agrees"
            } else {
                "development-differs"
            })),
        ]);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::matched;
    use jospar_core::money::Tenge;
    use jospar_goszakup::page::ContractUnit;
    use std::collections::HashMap;

    fn unit(point: i64, deleted: bool) -> ContractUnit {
        ContractUnit {
            id: point,
            plan_point_id: point,
            quantity: "1".into(),
            total_sum: Tenge::ZERO,
            total_sum_with_vat: Tenge::ZERO,
            fact_sum_with_vat: Tenge::ZERO,
            deleted,
        }
    }

    #[test]
    fn a_contract_is_matched_through_every_live_unit_or_told_why_not() {
        let points = HashMap::from([(1, Some(70)), (2, Some(71)), (3, None)]);
        assert_eq!(
            matched(&[unit(1, false), unit(2, false)], &points),
            Ok(vec![70, 71])
        );
        assert_eq!(
            matched(&[unit(1, false), unit(9, true)], &points),
            Ok(vec![70])
        );
        assert_eq!(matched(&[], &points), Err("match-no-units"));
        assert_eq!(matched(&[unit(5, true)], &points), Err("match-no-units"));
        assert_eq!(matched(&[unit(0, false)], &points), Err("match-no-point"));
        assert_eq!(
            matched(&[unit(4, false)], &points),
            Err("match-point-unknown")
        );
        assert_eq!(
            matched(&[unit(3, false)], &points),
            Err("match-point-unlinked")
        );
    }
}
