//! The execution charts (issue 21) of an imported execution report, built as specifications of
//! the one chart stack (`jospar_charts`): expenses planned against executed by month of the
//! latest year, and by functional group in the latest month. The page draws them in the
//! browser; the server draws the same specification to PNG and JPEG for download.

use crate::portal::{Column, Month, MonthTree, Node};
use crate::repo;
use jospar_access::{Error, Reader, Result};
use jospar_charts::{Chart, ChartKind, Series};
use jospar_i18n::Tr;
use jospar_store::Db;

/// Which execution chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionChart {
    ByMonth,
    ByGroup,
}

impl ExecutionChart {
    pub const ALL: [ExecutionChart; 2] = [ExecutionChart::ByMonth, ExecutionChart::ByGroup];

    pub fn code(self) -> &'static str {
        match self {
            ExecutionChart::ByMonth => "months",
            ExecutionChart::ByGroup => "groups",
        }
    }

    pub fn from_code(code: &str) -> Option<ExecutionChart> {
        ExecutionChart::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// The section of expenses ("II. ЗАТРАТЫ", code 2 at the top level) of a month.
fn expenses(tree: &MonthTree) -> Option<&Node> {
    tree.nodes
        .iter()
        .find(|n| n.level == 0 && n.code.trim_end_matches(".0") == "2")
}

/// A chart of an import the reader may read.
pub async fn execution_chart(
    db: &Db,
    reader: &Reader<'_>,
    tr: &Tr,
    import_id: i64,
    which: ExecutionChart,
) -> Result<Chart> {
    let import = repo::import(db, import_id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(import.org_id)?;
    let months = repo::months(db, import.id).await.map_err(Error::from)?;
    let latest = months.iter().max().copied().ok_or(Error::NotFound)?;
    let plan_and_executed =
        |names: Vec<String>, plan: Vec<i64>, done: Vec<i64>, title: String| Chart {
            title,
            kind: ChartKind::Bar,
            unit: tr.t("chart-unit-thousands"),
            categories: names,
            series: vec![
                Series {
                    name: tr.t("chart-plan-payments"),
                    values: plan,
                },
                Series {
                    name: tr.t("chart-executed"),
                    values: done,
                },
            ],
        };
    match which {
        ExecutionChart::ByMonth => {
            let mut names = Vec::new();
            let (mut plan, mut done) = (Vec::new(), Vec::new());
            for month in months.iter().filter(|m| m.year == latest.year) {
                let Some(tree) = month_tree(db, import.id, *month).await? else {
                    continue;
                };
                if let Some(node) = expenses(&tree) {
                    names.push(tr.t(&format!("month-{}", month.month)));
                    plan.push(node.amounts.get(Column::PlanPayments).tiyn());
                    done.push(node.amounts.get(Column::Executed).tiyn());
                }
            }
            let title = tr.args("chart-by-month", &[("year", latest.year.to_string())]);
            Ok(plan_and_executed(names, plan, done, title))
        }
        ExecutionChart::ByGroup => {
            let tree = month_tree(db, import.id, latest)
                .await?
                .ok_or(Error::NotFound)?;
            let groups: Vec<&Node> = match expenses(&tree) {
                Some(section) => tree
                    .nodes
                    .iter()
                    .filter(|n| n.parent == Some(section.id))
                    .collect(),
                None => Vec::new(),
            };
            let title = tr.args(
                "chart-by-group",
                &[
                    ("month", tr.t(&format!("month-{}", latest.month))),
                    ("year", latest.year.to_string()),
                ],
            );
            Ok(plan_and_executed(
                groups
                    .iter()
                    .map(|g| format!("{} {}", g.code.trim_end_matches(".0"), short(&g.name)))
                    .collect(),
                groups
                    .iter()
                    .map(|g| g.amounts.get(Column::PlanPayments).tiyn())
                    .collect(),
                groups
                    .iter()
                    .map(|g| g.amounts.get(Column::Executed).tiyn())
                    .collect(),
                title,
            ))
        }
    }
}

async fn month_tree(db: &Db, import: i64, month: Month) -> Result<Option<MonthTree>> {
    repo::month_tree(db, import, month)
        .await
        .map_err(Error::from)
}

/// A functional group's name cut to fit under its bars ("Сельское, водное, лесное…").
fn short(name: &str) -> String {
    const MOST: usize = 24;
    if name.chars().count() <= MOST {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MOST - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(short("Оборона"), "Оборона");
        let cut = short("Сельское, водное, лесное, рыбное хозяйство");
        assert!(cut.ends_with('…') && cut.chars().count() <= 24, "{cut}");
    }
}
