//! The development budget's reports (issue 25), in the one report catalogue: the list of
//! local budget investment projects (report 8 of the planning module), read from the
//! register, with each project's financing of a year by source.

use crate::projects::{self, Project};
use chrono::Datelike;
use jospar_access::{Reader, Result, Right};
use jospar_core::money::Tenge;
use jospar_i18n::Tr;
use jospar_reports::catalogue::{ParamDef, ReportDef, bad};
use jospar_reports::{Cell, Table, report_fn};
use jospar_store::Db;

pub static REPORTS: &[ReportDef] = &[ReportDef {
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
    spec_numbers: &[8],
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
}];

/// A project's financing of `year` from `source`.
fn financed(project: &Project, year: i32, source: &str) -> Tenge {
    Tenge::from_tiyn(
        project
            .input
            .financing
            .iter()
            .filter(|f| f.year == year && f.source == source)
            .map(|f| f.amount_tiyn)
            .sum(),
    )
}

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
        let (from_republic, from_local) =
            (financed(p, year, "republican"), financed(p, year, "local"));
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
