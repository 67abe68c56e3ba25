//! Reports on the Treasury's forms that group them the way the finance department reads them
//! (004 §4): report 7, form 4-20 laid out for the economy and finance department ("ЭкоФин");
//! report 17, cash execution by the budgets of the local bodies (form "МО"); report 19, the
//! execution of budget development programs (form 6-БПР). Every subtotal and total is summed
//! from the forms' detail rows ([`crate::analysis::outline`]).

use super::naming::{key_cells, named};
use crate::analysis::{OutlineRow, outline};
use crate::layouts::layouts;
use crate::treasury::{CashRow, ObligationRow};
use crate::treasury_store::{self, TreasuryReport};
use crate::usecases::treasury::{FORM_420, FORM_552, cash_form, form_subtitle, percent};
use chrono::{Datelike, NaiveDate};
use jospar_access::Reader;
use jospar_access::{Error, Result};
use jospar_classification::repo::ExpenseNames;
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_org::{BudgetLevel, OrgTree};
use jospar_reports::{Cell, Table};
use jospar_store::Db;

/// The outline level of a row: an administrator 0 … a specific 3.
fn level<const N: usize>(row: &OutlineRow<N>) -> u8 {
    row.key.len().saturating_sub(1) as u8
}

/// The four code cells of an outline row: a subtotal leaves the deeper codes empty. The row's
/// own code, the deepest, is named (issue 21); the codes above it were named on their
/// subtotal rows.
fn code_cells<const N: usize>(names: &ExpenseNames, row: &OutlineRow<N>) -> Vec<Cell> {
    let mut cells = key_cells(names, &row.key[..row.key.len().min(3)]);
    if row.key.len() == 4 {
        cells.push(named(&row.key[3], names.specific(&row.key[3])));
    }
    let own = row.key.len().saturating_sub(1);
    for (i, cell) in cells.iter_mut().enumerate() {
        if i != own {
            *cell = Cell::Text(row.key[i].clone());
        }
    }
    cells.resize(4, Cell::Text(String::new()));
    cells
}

/// Report 7: form 4-20 for the economy and finance department — each administrator, program
/// and subprogram with its subtotal above its specifics: the plan by obligations, the
/// obligations accepted and their share of the plan, the payments and their share of the
/// accepted obligations, and the accepted obligations not yet paid.
pub async fn obligations_ecofin_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
) -> Result<Table> {
    let (head, rows) = treasury_store::report::<ObligationRow>(db, id, FORM_420)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(head.org_id)?;
    let tree = outline(rows.iter().map(|r| {
        (
            [
                r.abp.as_str(),
                r.program.as_str(),
                r.subprogram.as_str(),
                r.specific.as_str(),
            ],
            [r.plan_obligations, r.accepted, r.executed],
        )
    }));
    let names =
        ExpenseNames::of_administrators(db, head.report_date.year(), Vec::new(), tr.lang()).await?;
    let mut table = layouts().printed_table(tr, "obligations-420-ecofin", head.report_date, &[])?;
    table.subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
        form_subtitle(tr, &head),
    ];
    let mut sums = [Tenge::ZERO; 3];
    for row in &tree {
        if row.is_detail() {
            for (s, v) in sums.iter_mut().zip(row.sums) {
                *s += v;
            }
        } else {
            table.strong_rows.push(table.rows.len());
        }
        table.levels.push(level(row));
        table.rows.push(obligation_cells(&names, row, row.sums));
    }
    let mut total = obligation_cells(&names, &OutlineRow { key: vec![], sums }, sums);
    total[0] = Cell::Text(tr.t("total"));
    table.total = Some(total);
    Ok(table)
}

/// The codes, then plan by obligations, accepted and their share, paid and its share, unpaid.
fn obligation_cells(
    names: &ExpenseNames,
    row: &OutlineRow<3>,
    [plan, accepted, paid]: [Tenge; 3],
) -> Vec<Cell> {
    let mut cells = code_cells(names, row);
    cells.extend([
        Cell::Money(plan),
        Cell::Money(accepted),
        percent(accepted, plan),
        Cell::Money(paid),
        percent(paid, accepted),
        Cell::Money(accepted - paid),
    ]);
    cells
}

/// Report 19 (form 6-БПР): the execution of budget development programs — the rows of a form
/// of cash expenses on the specifics of development (`[development]` in the layouts, capital
/// expenses by default) by administrator, program and subprogram with their subtotals: annual
/// plan, plan of the period, cash expenses, execution of the period's plan and what is unpaid.
pub async fn development_programs_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
) -> Result<Table> {
    let (head, rows) = cash_form(db, reader, id).await?;
    let development = &layouts().development;
    let tree = outline(
        rows.iter()
            .filter(|r| development.covers(&r.specific))
            .map(|r| (cash_codes(r), [r.plan_year, r.plan_period, r.executed])),
    );
    let names =
        ExpenseNames::of_administrators(db, head.report_date.year(), Vec::new(), tr.lang()).await?;
    let mut table = layouts().printed_table(tr, "development-programs", head.report_date, &[])?;
    table.subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
        form_subtitle(tr, &head),
        tr.args(
            "treasury-development-rule",
            &[("specifics", development.specific_prefixes.join(", "))],
        ),
    ];
    let mut sums = [Tenge::ZERO; 3];
    for row in &tree {
        if row.is_detail() {
            for (s, v) in sums.iter_mut().zip(row.sums) {
                *s += v;
            }
        } else {
            table.strong_rows.push(table.rows.len());
        }
        table.levels.push(level(row));
        let mut cells = code_cells(&names, row);
        cells.extend(cash_cells(row.sums));
        table.rows.push(cells);
    }
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(vec![Cell::Text(String::new()); 3]);
    total.extend(cash_cells(sums));
    table.total = Some(total);
    table.footer.push(tr.args(
        "treasury-development-programs",
        &[(
            "count",
            tree.iter().filter(|r| r.key.len() == 2).count().to_string(),
        )],
    ));
    Ok(table)
}

fn cash_codes(r: &CashRow) -> [&str; 4] {
    [
        r.abp.as_str(),
        r.program.as_str(),
        r.subprogram.as_str(),
        r.specific.as_str(),
    ]
}

/// Annual plan, plan of the period, cash, execution of the period's plan, unpaid.
fn cash_cells([plan_year, plan_period, executed]: [Tenge; 3]) -> Vec<Cell> {
    vec![
        Cell::Money(plan_year),
        Cell::Money(plan_period),
        Cell::Money(executed),
        percent(executed, plan_period),
        Cell::Money(plan_period - executed),
    ]
}

/// Report 17 (form "МО"): cash execution of the local budgets under an organisation at a
/// report date — for each budget of the subtree (the region's, each district's, each rural
/// district's), its forms 5-52 added up: annual plan, plan of the period, cash expenses,
/// execution and what is unpaid. A form of an organisation under another organisation with a
/// form of the same budget is already in that one and is not counted twice; a budget without
/// a form at the date is listed as such.
pub async fn cash_by_local_budgets_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    root: i64,
    date: NaiveDate,
) -> Result<Table> {
    reader.require_read(root)?;
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let budget_of = |org: i64| orgs.iter().find(|o| o.id == org).map(|o| o.budget_id);
    let forms: Vec<TreasuryReport> = treasury_store::reports(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|r| {
            r.form == FORM_552
                && r.report_date == date
                && tree.is_within(r.org_id, root)
                && reader.can_read(r.org_id)
        })
        .collect();
    // The forms that cover their budget: none of their ancestors of the same budget has one.
    let covering: Vec<&TreasuryReport> = forms
        .iter()
        .filter(|f| {
            !tree.ancestors(f.org_id).iter().any(|a| {
                budget_of(*a) == budget_of(f.org_id) && forms.iter().any(|g| g.org_id == *a)
            })
        })
        .collect();
    let mut budgets: Vec<jospar_org::Budget> = jospar_org::repo::budgets(db)
        .await?
        .into_iter()
        .filter(|b| b.level != BudgetLevel::Republican)
        .filter(|b| {
            orgs.iter()
                .any(|o| o.budget_id == b.id && tree.is_within(o.id, root) && reader.can_read(o.id))
        })
        .collect();
    budgets.sort_by_key(|b| (level_rank(b.level), b.kato.clone()));
    let mut table = layouts().printed_table(tr, "cash-by-local-budgets", date, &[])?;
    table.subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, root).await?,
        tr.args(
            "treasury-local-budgets-subtitle",
            &[("date", date.to_string())],
        ),
    ];
    let lang = tr.lang();
    let mut sums = [Tenge::ZERO; 3];
    let mut missing = 0;
    for budget in &budgets {
        let name = if lang == "kk" {
            budget.name_kk.clone()
        } else {
            budget.name_ru.clone()
        };
        let mut row = vec![
            Cell::Text(name),
            Cell::Text(tr.t(&format!("level-{}", budget.level.code()))),
        ];
        let own: Vec<&&TreasuryReport> = covering
            .iter()
            .filter(|f| budget_of(f.org_id) == Some(budget.id))
            .collect();
        if own.is_empty() {
            missing += 1;
            table.strong_rows.push(table.rows.len());
            table.levels.push(0);
            row.push(Cell::Text(tr.t("analytics-col-missing")));
            row.extend(vec![Cell::Text(String::new()); 5]);
            table.rows.push(row);
            continue;
        }
        let mut values = [Tenge::ZERO; 3];
        for form in &own {
            let (_, rows) = cash_form(db, reader, form.id).await?;
            for r in rows {
                values[0] += r.plan_year;
                values[1] += r.plan_period;
                values[2] += r.executed;
            }
        }
        for (s, v) in sums.iter_mut().zip(values) {
            *s += v;
        }
        row.push(Cell::Text(own.len().to_string()));
        row.extend(cash_cells(values));
        // Every budget is a line of the total; a bold row marks a missing form, not a subtotal.
        table.levels.push(0);
        table.rows.push(row);
    }
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(vec![Cell::Text(String::new()); 2]);
    total.extend(cash_cells(sums));
    table.total = Some(total);
    table.footer.push(tr.args(
        "treasury-local-budgets-missing",
        &[("count", missing.to_string())],
    ));
    Ok(table)
}

fn level_rank(level: BudgetLevel) -> u8 {
    match level {
        BudgetLevel::Republican => 0,
        BudgetLevel::Oblast => 1,
        BudgetLevel::District => 2,
        BudgetLevel::Rural => 3,
    }
}
