//! The budget cycle's reports in the catalogue (technical specification, planning module):
//! report 6 (the summary of the working body's conclusions), report 9 (the appendix to a
//! resolution or decision: the budget by administrators and programs for the three years) and
//! reports 10 and 11 (two resolutions, or two decisions, compared line by line).

use crate::domain::*;
use crate::usecases::{self, ActWithLines};
use jospar_access::{Reader, Result};
use jospar_classification::repo::ExpenseNames;
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_reports::catalogue::{ParamDef, ReportDef};
use jospar_reports::{Cell, Table, report_fn};
use jospar_store::Db;
use std::collections::{BTreeMap, BTreeSet};

/// A year of the act's planning period; its first year when not given.
const YEAR: ParamDef = ParamDef {
    name: "year",
    required: false,
    about: "a year of the planning period (default: its first)",
};

const ACT: ParamDef = ParamDef {
    name: "act",
    required: true,
    about: "budget act id (a decision, a resolution, a conclusion)",
};

/// Appendix 59 of the planning module, contributed here because it reads the programs'
/// passports, which this module owns: the planning module lays out the requests' amounts, and
/// each program's purpose comes from its passport.
pub static PLANNING_REPORTS: &[ReportDef] = &[ReportDef {
    name: "appendix-59",
    about: "Appendix 59: consolidated list of budget programs with each program's purpose from its passport",
    params: &[
        jospar_reports::catalogue::params::CAMPAIGN,
        jospar_reports::catalogue::params::ORG,
        jospar_reports::catalogue::params::APPROVED,
    ],
    spec_numbers: &[],
    build: report_fn!(|c| {
        let scope = jospar_planning::reports::scope(&c.params)?;
        let purposes = crate::programs::purposes(c.db, scope.campaign_id).await?;
        jospar_planning::appendices::appendix_59(c.db, c.tr, c.tree, c.reader, &scope, &purposes)
            .await
    }),
}];

pub static REPORTS: &[ReportDef] = &[
    ReportDef {
        name: "budget-act",
        about: "Appendix to a decision or resolution on the budget: amounts by administrator and program for the three years (report 9; of a refinement, report 7)",
        params: &[ACT],
        spec_numbers: &[7, 9],
        build: report_fn!(|c| act_table(c.db, c.tr, c.reader, c.params.required("act")?).await),
    },
    ReportDef {
        name: "budget-compare",
        about: "Two resolutions (report 10) or two decisions (report 11) of one budget compared line by line",
        params: &[
            ParamDef {
                name: "from",
                required: true,
                about: "the earlier act id",
            },
            ParamDef {
                name: "to",
                required: true,
                about: "the later act id (same budget and period)",
            },
            YEAR,
        ],
        spec_numbers: &[10, 11],
        build: report_fn!(|c| {
            compare_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("from")?,
                c.params.required("to")?,
                c.params.number("year")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "budget-draft",
        about: "Draft budget: sections I–VI, receipts from the adopted forecast, expenses from the commission's decision; programs of budget credits and of financial assets in III and IV (report 5)",
        params: &[
            ParamDef {
                name: "campaign",
                required: true,
                about: "planning campaign id",
            },
            YEAR,
        ],
        spec_numbers: &[5],
        build: report_fn!(|c| {
            draft_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("campaign")?,
                c.params.number("year")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "budget-structure",
        about: "Structure of the budget: revenues by category and expenses by administrator with their shares (report 3); extended=1 down to receipts codes and programs (report 4)",
        params: &[
            ParamDef {
                name: "campaign",
                required: true,
                about: "planning campaign id",
            },
            YEAR,
            ParamDef {
                name: "extended",
                required: false,
                about: "1 = the extended structure report (receipts codes, programs)",
            },
        ],
        spec_numbers: &[3, 4],
        build: report_fn!(|c| {
            structure_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("campaign")?,
                c.params.number("year")?,
                c.params.text("extended") == Some("1"),
            )
            .await
        }),
    },
    ReportDef {
        name: "budget-local-taxes",
        about: "Analytic report on local taxes and fees: the adopted forecast's figures of the planning period by code, their growth and share in revenues (report 1)",
        params: &[ParamDef {
            name: "campaign",
            required: true,
            about: "planning campaign id",
        }],
        spec_numbers: &[1],
        build: report_fn!(|c| {
            local_taxes_table(c.db, c.tr, c.reader, c.params.required("campaign")?).await
        }),
    },
    ReportDef {
        name: "budget-transfers",
        about: "Approved targeted transfers from the republican budget: the local budgets' receipts, the republican budget's transfers out (seed 002)",
        params: &[ParamDef {
            name: "year",
            required: false,
            about: "fiscal year (default: every year)",
        }],
        spec_numbers: &[],
        build: report_fn!(
            |c| transfers_table(c.db, c.tr, c.reader, c.params.number("year")?).await
        ),
    },
    ReportDef {
        name: "budget-conclusions",
        about: "Summary of the working body's conclusions on the administrators' requests, with the commission's decision (report 6)",
        params: &[
            ParamDef {
                name: "campaign",
                required: true,
                about: "planning campaign id",
            },
            YEAR,
        ],
        spec_numbers: &[6],
        build: report_fn!(|c| {
            conclusions_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("campaign")?,
                c.params.number("year")?,
            )
            .await
        }),
    },
];

/// "Решение маслихата об утверждении бюджета № 12 от 24.12.2026".
pub fn act_label(tr: &Tr, act: &Act) -> String {
    tr.args(
        "budget-act-label",
        &[
            ("kind", tr.t(&format!("budget-kind-{}", act.kind.code()))),
            ("number", act.number.clone()),
            ("date", act.act_date.format("%d.%m.%Y").to_string()),
        ],
    )
}

/// Names of the administrators and programs of the lines, from the period's classification.
pub async fn names(db: &Db, tr: &Tr, act: &Act, lines: &[ActLine]) -> Result<ExpenseNames> {
    let year = jospar_planning::codes::classification_year(db, act.first_year).await?;
    let abps: BTreeSet<String> = lines.iter().map(|l| l.abp.clone()).collect();
    Ok(ExpenseNames::of_administrators(db, year, abps.into_iter().collect(), tr.lang()).await?)
}

async fn subtitle(db: &Db, tr: &Tr, reader: &Reader<'_>, act: &Act) -> Result<Vec<String>> {
    let campaign = usecases::campaign(db, reader, act.campaign_id).await?;
    let body = jospar_org::usecases::org_name(db, tr.0, campaign.authority_org_id).await?;
    Ok(vec![
        body,
        tr.args(
            "budget-period",
            &[
                ("from", act.first_year.to_string()),
                ("to", (act.first_year + 2).to_string()),
            ],
        ),
    ])
}

/// Rows by administrator: the administrator's subtotal (strong, level 0), then its programs
/// (level 1); and the closing total. `amounts` gives a program's cells.
struct Grouped {
    rows: Vec<Vec<Cell>>,
    levels: Vec<u8>,
    strong: Vec<usize>,
    total: Vec<Tenge>,
}

fn grouped(
    names: &ExpenseNames,
    programs: &BTreeMap<(String, String), Vec<Tenge>>,
    width: usize,
    texts: Option<&BTreeMap<(String, String), String>>,
) -> Grouped {
    let mut out = Grouped {
        rows: Vec::new(),
        levels: Vec::new(),
        strong: Vec::new(),
        total: vec![Tenge::ZERO; width],
    };
    let abps: BTreeSet<&String> = programs.keys().map(|(abp, _)| abp).collect();
    for abp in abps {
        let mine: Vec<(&(String, String), &Vec<Tenge>)> =
            programs.iter().filter(|((a, _), _)| a == abp).collect();
        let mut sums = vec![Tenge::ZERO; width];
        for (_, amounts) in &mine {
            for (sum, amount) in sums.iter_mut().zip(amounts.iter()) {
                *sum += *amount;
            }
        }
        for (total, sum) in out.total.iter_mut().zip(sums.iter()) {
            *total += *sum;
        }
        out.strong.push(out.rows.len());
        out.levels.push(0);
        out.rows.push(row(
            abp,
            "",
            names.administrator(abp),
            &sums,
            texts.map(|_| None),
        ));
        for ((_, program), amounts) in mine {
            out.levels.push(1);
            let text = texts.map(|t| t.get(&(abp.clone(), program.clone())).cloned());
            out.rows.push(row(
                abp,
                program,
                names.program_under(abp, program),
                amounts,
                text,
            ));
        }
    }
    out
}

fn row(
    abp: &str,
    program: &str,
    name: String,
    amounts: &[Tenge],
    text: Option<Option<String>>,
) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Text(abp.to_string()),
        Cell::Text(program.to_string()),
        Cell::Text(name),
    ];
    cells.extend(amounts.iter().map(|a| Cell::Money(*a)));
    // A text column after the amounts (a reason, a remark) on program rows; empty on subtotals.
    if let Some(text) = text {
        cells.push(Cell::Text(text.unwrap_or_default()));
    }
    cells
}

fn total_row(tr: &Tr, sums: &[Tenge], text_column: bool) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Text(tr.t("total")),
    ];
    cells.extend(sums.iter().map(|a| Cell::Money(*a)));
    if text_column {
        cells.push(Cell::Text(String::new()));
    }
    cells
}

fn code_headers(tr: &Tr) -> Vec<String> {
    vec![
        tr.t("budget-col-abp"),
        tr.t("budget-col-program"),
        tr.t("col-name"),
    ]
}

/// Report 9: an act's amounts by administrator and program for the three years.
pub async fn act_table(db: &Db, tr: &Tr, reader: &Reader<'_>, id: i64) -> Result<Table> {
    let ActWithLines { act, lines } = usecases::act(db, reader, id).await?;
    let names = names(db, tr, &act, &lines).await?;
    let years = act.years();
    let mut programs: BTreeMap<(String, String), Vec<Tenge>> = BTreeMap::new();
    for line in &lines {
        let amounts = programs
            .entry((line.abp.clone(), line.program.clone()))
            .or_insert_with(|| vec![Tenge::ZERO; 3]);
        if let Some(i) = years.iter().position(|y| *y == line.year) {
            amounts[i] += line.amount;
        }
    }
    let g = grouped(&names, &programs, 3, None);
    let mut headers = code_headers(tr);
    headers.extend(
        years
            .iter()
            .map(|y| tr.args("budget-col-year", &[("year", y.to_string())])),
    );
    Ok(Table {
        number: vec![tr.args("budget-appendix-to", &[("act", act_label(tr, &act))])],
        title: tr.t(&format!("budget-appendix-title-{}", act.kind.code())),
        subtitle: subtitle(db, tr, reader, &act).await?,
        headers,
        numbered: true,
        rows: g.rows,
        levels: g.levels,
        strong_rows: g.strong,
        total: Some(total_row(tr, &g.total, false)),
        ..Table::default()
    })
}

/// Reports 10 and 11: the amounts of one year in two acts, the change and its reason.
pub async fn compare_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    from: i64,
    to: i64,
    year: Option<i32>,
) -> Result<Table> {
    let (before, after, rows) = usecases::compare_acts(db, reader, from, to).await?;
    let year = year.unwrap_or(after.act.first_year);
    if !after.act.years().contains(&year) {
        return Err(jospar_access::Error::invalid(
            "err-budget-year-param",
            "year",
        ));
    }
    let names = names(
        db,
        tr,
        &after.act,
        &[before.lines.clone(), after.lines.clone()].concat(),
    )
    .await?;
    let mut programs = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    for r in rows.iter().filter(|r| r.year == year) {
        programs.insert(
            (r.abp.clone(), r.program.clone()),
            vec![r.before, r.after, r.change],
        );
        reasons.insert((r.abp.clone(), r.program.clone()), r.reason.clone());
    }
    let g = grouped(&names, &programs, 3, Some(&reasons));
    let mut headers = code_headers(tr);
    headers.extend([
        act_label(tr, &before.act),
        act_label(tr, &after.act),
        tr.t("budget-col-change"),
        tr.t("budget-col-reason"),
    ]);
    let both_decisions = before.act.kind.is_decision() && after.act.kind.is_decision();
    Ok(Table {
        title: tr.t(if both_decisions {
            "budget-compare-decisions"
        } else {
            "budget-compare-resolutions"
        }),
        subtitle: [
            subtitle(db, tr, reader, &after.act).await?,
            vec![tr.args("budget-compare-year", &[("year", year.to_string())])],
        ]
        .concat(),
        headers,
        numbered: true,
        rows: g.rows,
        levels: g.levels,
        strong_rows: g.strong,
        total: Some(total_row(tr, &g.total, true)),
        ..Table::default()
    })
}

/// Report 6: each administrator's latest adopted conclusion — requested, recommended, the
/// difference and the remark — and what the commission decided, for one year.
pub async fn conclusions_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    campaign_id: i64,
    year: Option<i32>,
) -> Result<Table> {
    let acts = usecases::acts(db, reader, campaign_id).await?;
    let campaign = usecases::campaign(db, reader, campaign_id).await?;
    let year = year.unwrap_or(campaign.first_year);
    if !campaign.years().contains(&year) {
        return Err(jospar_access::Error::invalid(
            "err-budget-year-param",
            "year",
        ));
    }
    let adopted = |a: &&Act| a.status == ActStatus::Adopted;
    let commission = acts
        .iter()
        .filter(adopted)
        .filter(|a| a.kind == ActKind::Commission)
        .max_by_key(|a| (a.act_date, a.adopted_at));
    let decided = match commission {
        Some(act) => amounts_of(&crate::repo::lines(db, act.id).await?),
        None => BTreeMap::new(),
    };
    let mut latest: BTreeMap<&str, &Act> = BTreeMap::new();
    for act in acts
        .iter()
        .filter(adopted)
        .filter(|a| a.kind == ActKind::Conclusion)
    {
        let kept = latest.entry(act.administrator.as_str()).or_insert(act);
        if (act.act_date, act.adopted_at) > (kept.act_date, kept.adopted_at) {
            *kept = act;
        }
    }
    let mut programs = BTreeMap::new();
    let mut remarks = BTreeMap::new();
    let mut all_lines = Vec::new();
    for act in latest.values() {
        for line in crate::repo::lines(db, act.id)
            .await?
            .into_iter()
            .filter(|l| l.year == year)
        {
            let key = (line.abp.clone(), line.program.clone());
            let commission = decided.get(&line.key()).copied().unwrap_or(Tenge::ZERO);
            programs.insert(
                key.clone(),
                vec![line.base, line.amount, line.amount - line.base, commission],
            );
            remarks.insert(key, line.reason.clone());
            all_lines.push(line);
        }
    }
    let first = acts.first();
    let names = match first {
        Some(act) => names(db, tr, act, &all_lines).await?,
        None => ExpenseNames::of_administrators(db, year, Vec::new(), tr.lang()).await?,
    };
    let g = grouped(&names, &programs, 4, Some(&remarks));
    let mut headers = code_headers(tr);
    headers.extend([
        tr.t("budget-col-requested"),
        tr.t("budget-col-recommended"),
        tr.t("budget-col-change"),
        match commission {
            Some(act) => act_label(tr, act),
            None => tr.t("budget-kind-commission"),
        },
        tr.t("budget-col-remark"),
    ]);
    let body = jospar_org::usecases::org_name(db, tr.0, campaign.authority_org_id).await?;
    Ok(Table {
        title: tr.t("report-budget-conclusions"),
        subtitle: vec![
            body,
            tr.args("budget-compare-year", &[("year", year.to_string())]),
        ],
        headers,
        numbered: true,
        rows: g.rows,
        levels: g.levels,
        strong_rows: g.strong,
        total: Some(total_row(tr, &g.total, true)),
        ..Table::default()
    })
}

/// Report 5: the draft budget of a year, by the sections of the Budget Code (art. 11) —
/// I revenues (receipts categories 1–4 of the adopted forecast), II expenses (the commission's
/// decision, by administrator), III net budget lending and IV the balance of operations with
/// financial assets (their receipts, categories 5 and 6), V the deficit (surplus), VI its
/// financing: borrowing (category 7) and the balances of budget funds used (8), and what of
/// the deficit they leave uncovered (or of the surplus unused). A program of budget credits
/// (its requests ask for specifics of category 5) counts in III, one acquiring financial
/// assets (category 6) in IV, each listed by program; every other program in II.
pub async fn draft_table(
    db: &Db,
    tr: &Tr,
    tree: &jospar_org::OrgTree,
    reader: &Reader<'_>,
    campaign_id: i64,
    year: Option<i32>,
) -> Result<Table> {
    let campaign = usecases::campaign(db, reader, campaign_id).await?;
    let year = year.unwrap_or(campaign.first_year);
    if !campaign.years().contains(&year) {
        return Err(jospar_access::Error::invalid(
            "err-budget-year-param",
            "year",
        ));
    }
    let acts = usecases::acts(db, reader, campaign_id).await?;
    let commission = acts
        .iter()
        .filter(|a| a.kind == ActKind::Commission && a.status == ActStatus::Adopted)
        .max_by_key(|a| (a.act_date, a.adopted_at))
        .ok_or_else(|| usecases::budget_error(BudgetError::NeedsBase(ActKind::Commission)))?;
    let (forecast, receipts) = crate::forecast::adopted_amounts(db, reader, campaign_id)
        .await?
        .ok_or_else(|| jospar_access::Error::invalid("err-forecast-none", "campaign"))?;
    let lines = crate::repo::lines(db, commission.id).await?;
    let names = names(db, tr, commission, &lines).await?;
    let class_year = jospar_planning::codes::classification_year(db, campaign.first_year).await?;
    let categories = jospar_classification::repo::code_names(
        db,
        class_year,
        jospar_classification::CodeKind::ReceiptCategory,
    )
    .await?;
    let category = |digit: char| {
        receipts
            .iter()
            .filter(|((code, y), _)| *y == year && code.starts_with(digit))
            .map(|(_, a)| *a)
            .fold(Tenge::ZERO, |sum, a| sum + a)
    };
    let sections = usecases::program_sections(db, tree, &campaign).await?;
    let section_of = |line: &ActLine| {
        sections
            .get(&(line.abp.clone(), line.program.clone()))
            .copied()
            .unwrap_or(ExpenseSection::Expenses)
    };
    let mut by_abp: BTreeMap<&str, Tenge> = BTreeMap::new();
    let mut credits: Vec<&ActLine> = Vec::new();
    let mut acquisitions: Vec<&ActLine> = Vec::new();
    for line in lines.iter().filter(|l| l.year == year) {
        match section_of(line) {
            ExpenseSection::Expenses => {
                *by_abp.entry(line.abp.as_str()).or_insert(Tenge::ZERO) += line.amount;
            }
            ExpenseSection::Lending => credits.push(line),
            ExpenseSection::FinancialAssets => acquisitions.push(line),
        }
    }
    let sum = |lines: &[&ActLine]| lines.iter().fold(Tenge::ZERO, |s, l| s + l.amount);
    let revenues = ['1', '2', '3', '4']
        .into_iter()
        .map(category)
        .fold(Tenge::ZERO, |s, a| s + a);
    let expenses = by_abp.values().fold(Tenge::ZERO, |s, a| s + *a);
    let lending = sum(&credits) - category('5');
    let assets = sum(&acquisitions) - category('6');
    let deficit = revenues - expenses - lending - assets;
    // The sources of financing: borrowing (7) and the balances of budget funds used (8); what
    // they do not cover of the deficit is shown, not hidden.
    let borrowing = category('7');
    let balances = category('8');
    let financing = borrowing + balances;
    let uncovered = Tenge::ZERO - deficit - financing;
    let mut t = Sections::default();
    t.section("I", tr.t("budget-draft-revenues"), revenues);
    for digit in ['1', '2', '3', '4'] {
        let code = digit.to_string();
        t.item(&code, categories.name(&code, tr.lang()), category(digit));
    }
    t.section("II", tr.t("budget-draft-expenses"), expenses);
    for (abp, amount) in &by_abp {
        t.item(abp, names.administrator(abp), *amount);
    }
    let program_item = |t: &mut Sections, line: &ActLine| {
        t.item(
            &format!("{} {}", line.abp, line.program),
            names.program_under(&line.abp, &line.program),
            line.amount,
        );
    };
    t.section("III", tr.t("budget-draft-lending"), lending);
    t.item("", tr.t("budget-draft-credits"), sum(&credits));
    for line in &credits {
        program_item(&mut t, line);
    }
    t.item("5", tr.t("budget-draft-repayments"), category('5'));
    t.section("IV", tr.t("budget-draft-assets"), assets);
    t.item("", tr.t("budget-draft-acquisitions"), sum(&acquisitions));
    for line in &acquisitions {
        program_item(&mut t, line);
    }
    t.item("6", tr.t("budget-draft-asset-sales"), category('6'));
    t.section("V", tr.t("budget-draft-deficit"), deficit);
    t.section("VI", tr.t("budget-draft-financing"), financing);
    t.item("7", tr.t("budget-draft-borrowing"), borrowing);
    t.item("8", tr.t("budget-draft-balances"), balances);
    t.item("", tr.t("budget-draft-uncovered"), uncovered);
    Ok(Table {
        number: vec![tr.args("budget-appendix-to", &[("act", act_label(tr, commission))])],
        title: tr.t("report-budget-draft"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, campaign.authority_org_id).await?,
            tr.args("budget-compare-year", &[("year", year.to_string())]),
            tr.args(
                "budget-draft-forecast",
                &[("number", forecast.number.to_string())],
            ),
        ],
        headers: vec![
            tr.t("budget-col-code"),
            tr.t("col-name"),
            tr.t("budget-col-amount"),
        ],
        numbered: true,
        rows: t.rows,
        strong_rows: t.strong,
        ..Table::default()
    })
}

/// The rows of a table of sections (strong) and their items. No outline levels: a section is
/// not always the sum of its items (net lending is minus the repayments shown under it).
#[derive(Default)]
struct Sections {
    rows: Vec<Vec<Cell>>,
    strong: Vec<usize>,
}

impl Sections {
    fn section(&mut self, code: &str, name: String, amount: Tenge) {
        self.strong.push(self.rows.len());
        self.rows.push(vec![
            Cell::Text(code.into()),
            Cell::Text(name),
            Cell::Money(amount),
        ]);
    }

    fn item(&mut self, code: &str, name: String, amount: Tenge) {
        self.rows.push(vec![
            Cell::Text(code.into()),
            Cell::Text(name),
            Cell::Money(amount),
        ]);
    }
}

/// Approved targeted transfers the reader sees, by receiving budget: what the local budgets
/// receive and the republican budget pays out, asked and approved.
pub async fn transfers_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    year: Option<i32>,
) -> Result<Table> {
    use crate::transfers::{Status, applications};
    let budgets = jospar_org::repo::budgets(db).await?;
    let budget_name = |id: i64| {
        budgets
            .iter()
            .find(|b| b.id == id)
            .map(|b| {
                if tr.lang() == "kk" {
                    b.name_kk.clone()
                } else {
                    b.name_ru.clone()
                }
            })
            .unwrap_or_default()
    };
    let mut approved: Vec<_> = applications(db, reader)
        .await?
        .into_iter()
        .filter(|a| a.status == Status::Approved && year.is_none_or(|y| a.year == y))
        .collect();
    approved.sort_by_key(|a| (a.budget_id, a.year, a.id));
    let (mut asked, mut granted) = (Tenge::ZERO, Tenge::ZERO);
    let rows = approved
        .iter()
        .map(|a| {
            let amount = a.approved_amount.unwrap_or(Tenge::ZERO);
            asked += a.amount;
            granted += amount;
            vec![
                Cell::Text(budget_name(a.budget_id)),
                Cell::Text(a.year.to_string()),
                Cell::Text(format!("{} {}", a.abp, a.program)),
                Cell::Text(a.source_program.clone()),
                Cell::Text(a.purpose.clone()),
                Cell::Money(a.amount),
                Cell::Money(amount),
            ]
        })
        .collect();
    let text = |s: &str| Cell::Text(s.to_string());
    Ok(Table {
        title: tr.t("report-budget-transfers"),
        subtitle: year
            .map(|y| vec![tr.args("budget-compare-year", &[("year", y.to_string())])])
            .unwrap_or_default(),
        headers: [
            "transfer-col-budget",
            "transfer-col-year",
            "transfer-col-program",
            "transfer-col-source",
            "transfer-col-purpose",
            "transfer-col-asked",
            "transfer-col-approved",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        rows,
        total: Some(vec![
            text(""),
            text(""),
            text(""),
            text(""),
            Cell::Text(tr.t("total")),
            Cell::Money(asked),
            Cell::Money(granted),
        ]),
        ..Table::default()
    })
}

/// A share of a whole as printed: "12,3 %", to a tenth of a percent, half away from zero.
pub fn share(part: Tenge, whole: Tenge) -> String {
    if whole == Tenge::ZERO {
        return String::new();
    }
    let (part, whole) = (i128::from(part.tiyn()), i128::from(whole.tiyn()));
    let tenths = (part.abs() * 2000 + whole.abs()) / (2 * whole.abs());
    let negative = tenths != 0 && (part < 0) != (whole < 0);
    let sign = if negative { "-" } else { "" };
    format!("{sign}{},{} %", tenths / 10, tenths % 10)
}

/// Reports 3 and 4: the structure of the budget of a year — revenues by receipts category of
/// the adopted forecast, expenses by administrator of the latest adopted version (before the
/// approval: the commission's decision), each with its share of its section; the extended
/// report goes down to receipts codes and programs.
pub async fn structure_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    campaign_id: i64,
    year: Option<i32>,
    extended: bool,
) -> Result<Table> {
    let campaign = usecases::campaign(db, reader, campaign_id).await?;
    let year = year.unwrap_or(campaign.first_year);
    if !campaign.years().contains(&year) {
        return Err(jospar_access::Error::invalid(
            "err-budget-year-param",
            "year",
        ));
    }
    let acts = usecases::acts(db, reader, campaign_id).await?;
    let latest_of = |version: bool| {
        acts.iter()
            .filter(|a| a.status == ActStatus::Adopted)
            .filter(|a| {
                if version {
                    a.kind.is_version()
                } else {
                    a.kind == ActKind::Commission
                }
            })
            .max_by_key(|a| (a.act_date, a.adopted_at))
    };
    let act = latest_of(true)
        .or_else(|| latest_of(false))
        .ok_or_else(|| usecases::budget_error(BudgetError::NeedsBase(ActKind::Commission)))?;
    let (_, receipts) = crate::forecast::adopted_amounts(db, reader, campaign_id)
        .await?
        .ok_or_else(|| jospar_access::Error::invalid("err-forecast-none", "campaign"))?;
    let lines = crate::repo::lines(db, act.id).await?;
    let names = names(db, tr, act, &lines).await?;
    let class_year = jospar_planning::codes::classification_year(db, campaign.first_year).await?;
    let receipt_names = |kind| jospar_classification::repo::code_names(db, class_year, kind);
    let categories = receipt_names(jospar_classification::CodeKind::ReceiptCategory).await?;
    let subclasses = receipt_names(jospar_classification::CodeKind::ReceiptSubclass).await?;
    // Revenues: categories 1–4 of the year, by category and code.
    let mut revenues: BTreeMap<String, BTreeMap<String, Tenge>> = BTreeMap::new();
    for ((code, y), amount) in &receipts {
        if *y == year && code.starts_with(['1', '2', '3', '4']) {
            let category = code[..1].to_string();
            *revenues
                .entry(category)
                .or_default()
                .entry(code.clone())
                .or_insert(Tenge::ZERO) += *amount;
        }
    }
    let mut expenses: BTreeMap<String, BTreeMap<String, Tenge>> = BTreeMap::new();
    for line in lines.iter().filter(|l| l.year == year) {
        *expenses
            .entry(line.abp.clone())
            .or_default()
            .entry(line.program.clone())
            .or_insert(Tenge::ZERO) += line.amount;
    }
    let sum = |m: &BTreeMap<String, Tenge>| m.values().fold(Tenge::ZERO, |s, a| s + *a);
    let total_revenues = revenues.values().map(sum).fold(Tenge::ZERO, |s, a| s + a);
    let total_expenses = expenses.values().map(sum).fold(Tenge::ZERO, |s, a| s + a);
    let mut rows = Vec::new();
    let mut levels = Vec::new();
    let mut strong = Vec::new();
    let mut push = |level: u8, code: &str, name: String, amount: Tenge, whole: Tenge| {
        if level == 0 {
            strong.push(rows.len());
        }
        levels.push(level);
        rows.push(vec![
            Cell::Text(code.to_string()),
            Cell::Text(name),
            Cell::Money(amount),
            Cell::Text(share(amount, whole)),
        ]);
    };
    push(
        0,
        "I",
        tr.t("budget-draft-revenues"),
        total_revenues,
        total_revenues,
    );
    for (category, codes) in &revenues {
        push(
            1,
            category,
            categories.name(category, tr.lang()),
            sum(codes),
            total_revenues,
        );
        if extended {
            for (code, amount) in codes {
                let name = subclasses.name(code.get(..4).unwrap_or(code), tr.lang());
                push(2, code, name, *amount, total_revenues);
            }
        }
    }
    push(
        0,
        "II",
        tr.t("budget-draft-expenses"),
        total_expenses,
        total_expenses,
    );
    for (abp, programs) in &expenses {
        push(
            1,
            abp,
            names.administrator(abp),
            sum(programs),
            total_expenses,
        );
        if extended {
            for (program, amount) in programs {
                let code = format!("{abp} {program}");
                push(
                    2,
                    &code,
                    names.program_under(abp, program),
                    *amount,
                    total_expenses,
                );
            }
        }
    }
    Ok(Table {
        number: vec![tr.args("budget-appendix-to", &[("act", act_label(tr, act))])],
        title: tr.t(if extended {
            "budget-structure-extended"
        } else {
            "report-budget-structure"
        }),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, campaign.authority_org_id).await?,
            tr.args("budget-compare-year", &[("year", year.to_string())]),
        ],
        headers: vec![
            tr.t("budget-col-code"),
            tr.t("col-name"),
            tr.t("budget-col-amount"),
            tr.t("budget-col-share"),
        ],
        numbered: true,
        rows,
        levels,
        strong_rows: strong,
        ..Table::default()
    })
}

/// The receipts that are local taxes and fees (Tax Code, section 17; Budget Code, art. 51–52):
/// taxes on property — on property, land, vehicles, the single land tax (class 04); payments
/// for the use of natural resources and fees for business activity (05 3, 05 4); the state
/// duty (class 08). By the prefix of the six-digit code.
const LOCAL_TAXES: [&str; 4] = ["104", "1053", "1054", "108"];

/// Report 1: local taxes and fees in the adopted forecast — each code's three years, the
/// growth of each year on the one before, and its share in the first year's revenues.
pub async fn local_taxes_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    campaign_id: i64,
) -> Result<Table> {
    let campaign = usecases::campaign(db, reader, campaign_id).await?;
    let (forecast, receipts) = crate::forecast::adopted_amounts(db, reader, campaign_id)
        .await?
        .ok_or_else(|| jospar_access::Error::invalid("err-forecast-none", "campaign"))?;
    let years = campaign.years();
    let class_year = jospar_planning::codes::classification_year(db, campaign.first_year).await?;
    let subclasses = jospar_classification::repo::code_names(
        db,
        class_year,
        jospar_classification::CodeKind::ReceiptSubclass,
    )
    .await?;
    let revenues: Tenge = receipts
        .iter()
        .filter(|((code, y), _)| *y == years[0] && code.starts_with(['1', '2', '3', '4']))
        .fold(Tenge::ZERO, |s, (_, a)| s + *a);
    let mut codes: BTreeMap<&str, [Tenge; 3]> = BTreeMap::new();
    for ((code, year), amount) in &receipts {
        let local = LOCAL_TAXES.iter().any(|p| code.starts_with(p));
        if let (true, Some(i)) = (local, years.iter().position(|y| y == year)) {
            codes.entry(code.as_str()).or_insert([Tenge::ZERO; 3])[i] += *amount;
        }
    }
    let growth = |now: Tenge, before: Tenge| {
        if before == Tenge::ZERO {
            String::new()
        } else {
            share(now, before)
        }
    };
    let mut totals = [Tenge::ZERO; 3];
    let rows = codes
        .iter()
        .map(|(code, amounts)| {
            for (total, amount) in totals.iter_mut().zip(amounts) {
                *total += *amount;
            }
            let mut cells = vec![
                Cell::Text(code.to_string()),
                Cell::Text(subclasses.name(code.get(..4).unwrap_or(code), tr.lang())),
            ];
            cells.extend(amounts.iter().map(|a| Cell::Money(*a)));
            cells.push(Cell::Text(growth(amounts[1], amounts[0])));
            cells.push(Cell::Text(growth(amounts[2], amounts[1])));
            cells.push(Cell::Text(share(amounts[0], revenues)));
            cells
        })
        .collect();
    let mut total = vec![Cell::Text(String::new()), Cell::Text(tr.t("total"))];
    total.extend(totals.iter().map(|a| Cell::Money(*a)));
    total.push(Cell::Text(growth(totals[1], totals[0])));
    total.push(Cell::Text(growth(totals[2], totals[1])));
    total.push(Cell::Text(share(totals[0], revenues)));
    let mut headers = vec![tr.t("forecast-col-code"), tr.t("col-name")];
    headers.extend(
        years
            .iter()
            .map(|y| tr.args("budget-col-year", &[("year", y.to_string())])),
    );
    headers.extend([
        tr.args(
            "budget-col-growth",
            &[
                ("year", years[1].to_string()),
                ("base", years[0].to_string()),
            ],
        ),
        tr.args(
            "budget-col-growth",
            &[
                ("year", years[2].to_string()),
                ("base", years[1].to_string()),
            ],
        ),
        tr.args(
            "budget-col-revenue-share",
            &[("year", years[0].to_string())],
        ),
    ]);
    Ok(Table {
        title: tr.t("report-budget-local-taxes"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, campaign.authority_org_id).await?,
            tr.args(
                "budget-draft-forecast",
                &[("number", forecast.number.to_string())],
            ),
        ],
        headers,
        numbered: true,
        rows,
        total: Some(total),
        ..Table::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_printed_to_a_tenth_of_a_percent_half_away_from_zero() {
        let t = Tenge::from_tiyn;
        assert_eq!(share(t(1), t(3)), "33,3 %");
        assert_eq!(share(t(2), t(3)), "66,7 %");
        assert_eq!(share(t(1), t(2000)), "0,1 %");
        assert_eq!(share(t(3), t(3)), "100,0 %");
        assert_eq!(share(t(-1), t(2000)), "-0,1 %");
        assert_eq!(share(t(1), t(-2000)), "-0,1 %");
        assert_eq!(share(t(5), Tenge::ZERO), "");
    }
}
