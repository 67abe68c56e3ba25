//! «Сведения о направлении средств местного бюджета развития», appendices 1, 2 and 3 (DB-4,
//! technical specification section 9, reports 6–8), printed from layouts kept as data
//! (`data/devbudget/layouts.toml`, or its replacement named by `devbudget_layouts`): each
//! column names a measure of a project and a year, one row per project with anything planned,
//! contracted or paid in the year.

use crate::analysis::{self, ProjectYear};
use crate::projects::Project;
use jospar_access::{Error, Result};
use jospar_core::money::Tenge;
use jospar_i18n::Tr;
use jospar_reports::layout::Layouts;
use jospar_reports::{Cell, Table};
use std::sync::OnceLock;

/// The layouts shipped: reconstructed, to be replaced by the customer's blanks.
const DEFAULT: &str = include_str!("../../../data/devbudget/layouts.toml");

/// The measures a column may name.
pub const MEASURES: [&str; 20] = [
    "code",
    "name",
    "program",
    "sphere",
    "kind",
    "state",
    "kato",
    "cost",
    "planned",
    "transfer_planned",
    "local_planned",
    "contracted",
    "paid",
    "paid_transfer",
    "paid_local",
    "transfer_unspent",
    "due_for_return",
    "left",
    "contracted_share",
    "paid_share",
];

/// The appendices there are.
pub const APPENDICES: [u8; 3] = [1, 2, 3];

fn code_of(n: u8) -> String {
    format!("devbudget-appendix-{n}")
}

/// Reads a layouts file: every appendix present, every column a measure Jospar keeps.
pub fn parse(text: &str) -> std::result::Result<Layouts, String> {
    let layouts = Layouts::parse(text).map_err(|e| e.to_string())?;
    for n in APPENDICES {
        if !layouts.iter().any(|l| l.code == code_of(n)) {
            return Err(format!("no layout {}", code_of(n)));
        }
    }
    for layout in layouts.iter() {
        if let Some(column) = layout
            .columns
            .iter()
            .find(|c| !MEASURES.contains(&c.key.as_str()))
        {
            return Err(format!(
                "{}: the column {} names no measure of a project",
                layout.code, column.key
            ));
        }
    }
    Ok(layouts)
}

static INSTALLED: OnceLock<Layouts> = OnceLock::new();

/// Puts a corrected layouts file in place of the shipped one; once, before the first report.
pub fn install(text: &str) -> std::result::Result<(), String> {
    let layouts = parse(text)?;
    // A second call keeps the first layouts: the process reads one configuration.
    let _ = INSTALLED.set(layouts);
    Ok(())
}

/// The layouts in force.
pub fn layouts() -> &'static Layouts {
    INSTALLED.get_or_init(|| parse(DEFAULT).expect("the shipped layouts are valid"))
}

/// The cell of measure `key` for a project and its figures of `year`.
fn cell(
    tr: &Tr,
    key: &str,
    p: &Project,
    f: &ProjectYear,
    year: i32,
    today: chrono::NaiveDate,
) -> Cell {
    let i = &p.input;
    let text = |t: String| Cell::Text(t);
    match key {
        "code" => text(p.code.clone()),
        "name" => text(p.name(tr.lang()).to_string()),
        "program" => text(format!("{} {}", i.program, i.subprogram)),
        "sphere" => text(tr.t(&format!("project-sphere-{}", i.sphere))),
        "kind" => text(tr.t(&format!("project-kind-{}", i.kind))),
        "state" => text(tr.t(&format!("project-state-{}", i.state))),
        "kato" => text(i.kato.clone()),
        "cost" => Cell::Money(Tenge::from_tiyn(i.total_cost_tiyn)),
        "planned" => Cell::Money(f.planned()),
        "transfer_planned" => Cell::Money(f.transfer_planned),
        "local_planned" => Cell::Money(f.local_planned),
        "contracted" => Cell::Money(f.contracted),
        "paid" => Cell::Money(f.paid()),
        "paid_transfer" => Cell::Money(f.paid_from_transfer),
        "paid_local" => Cell::Money(f.paid_locally),
        "transfer_unspent" => Cell::Money(f.transfer_unspent()),
        "due_for_return" => Cell::Money(f.due_for_return(year, today)),
        "left" => Cell::Money(f.planned() - f.paid()),
        "contracted_share" => text(analysis::share(f.contracted, f.planned())),
        "paid_share" => text(analysis::share(f.paid(), f.planned())),
        // `parse` lets no other key in.
        _ => text(String::new()),
    }
}

/// Appendix `n` of `year` over the projects given with their figures.
pub fn table(
    tr: &Tr,
    n: u8,
    year: i32,
    today: chrono::NaiveDate,
    projects: &[(&Project, ProjectYear)],
) -> Result<Table> {
    let date = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let layout = layouts()
        .in_force(&code_of(n), date)
        .ok_or_else(|| Error::Internal(format!("no layout {}", code_of(n))))?;
    let mut table = layout.table(tr, &[("year", year.to_string())]);
    let keys: Vec<&str> = layout.columns.iter().map(|c| c.key.as_str()).collect();
    let mut sums: Vec<Option<Tenge>> = vec![None; keys.len()];
    for (p, f) in projects {
        let row: Vec<Cell> = keys
            .iter()
            .map(|k| cell(tr, k, p, f, year, today))
            .collect();
        for (sum, c) in sums.iter_mut().zip(&row) {
            if let Cell::Money(m) = c {
                *sum = Some(sum.unwrap_or(Tenge::ZERO) + *m);
            }
        }
        table.rows.push(row);
    }
    let mut total: Vec<Cell> = sums
        .iter()
        .map(|s| s.map_or_else(|| Cell::Text(String::new()), Cell::Money))
        .collect();
    if let Some(first) = total.first_mut() {
        *first = Cell::Text(tr.t("total"));
    }
    table.total = Some(total);
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_layouts_name_only_measures_and_a_stranger_is_refused() {
        assert_eq!(layouts().iter().count(), 3);
        let broken = DEFAULT.replace("key = \"left\"", "key = \"weather\"");
        assert_eq!(
            parse(&broken).err().as_deref(),
            Some("devbudget-appendix-1: the column weather names no measure of a project")
        );
        let without_third = DEFAULT.replace("devbudget-appendix-3", "devbudget-appendix-9");
        assert_eq!(
            parse(&without_third).err().as_deref(),
            Some("no layout devbudget-appendix-3")
        );
    }
}
