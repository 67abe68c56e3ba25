//! The execution module's analytic reports (EX-R; 004 §4): the balance of the approved and
//! refined plans (report 29), of receipts and expenses (28), the analysis by specifics (31),
//! the reconciliation of payments and obligations (36), the register of plans and change
//! certificates (53–54, appendices 21–22 of order No. 540), the reminder of unpaid plans
//! (25, appendix 7 of order No. 629), the analytic documents on execution (26–27, appendices
//! 8–9), the balances of form 5-52 by administrator (6), the dynamics of receipts (2–3) and the
//! register of the forms received from the Treasury (34). The arithmetic is in
//! [`crate::analysis`]; here the data is gathered, access checked and laid out.

use super::naming::{expense_cells, key_cells, named, receipt_cell, receipt_names};
use crate::analysis::{
    self, CashLevel, balance, by_specific, compare_years, group_cash, month_sums, obligation_gaps,
    receipts_by_period, split_by_budget_kind,
};
use crate::layouts::{Shape, layouts};
use crate::payroll::{Share, split_months};
use crate::treasury::{CashRow, ObligationRow, ReceiptRow};
use crate::treasury_store::TreasuryReport;
use crate::usecases::plans::{approved_plans, basis_label, basis_of, refusal};
use crate::usecases::treasury::{FORM_219, FORM_243, FORM_420, cash_form, percent};
use crate::{Basis, PlanLine, outbox, treasury_store};
use chrono::{Datelike, NaiveDate};
use jospar_access::Reader;
use jospar_access::{Error, Result};
use jospar_classification::CodeKind;
use jospar_classification::repo::ExpenseNames;
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_org::OrgTree;
use jospar_reports::{Cell, Table};
use jospar_store::Db;

/// The subtree, year and date a plan-based report covers.
#[derive(Clone, Copy)]
pub struct PlanScope<'a> {
    pub root: i64,
    pub year: i32,
    pub basis: Option<&'a str>,
    pub as_of: Option<NaiveDate>,
}

fn headers(tr: &Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| tr.t(k)).collect()
}

fn blank(n: usize) -> Vec<Cell> {
    vec![Cell::Text(String::new()); n]
}

/// The total row: the label, `pad` empty cells and the amounts.
fn total_row(tr: &Tr, pad: usize, amounts: impl IntoIterator<Item = Tenge>) -> Vec<Cell> {
    let mut row = vec![Cell::Text(tr.t("total"))];
    row.extend(blank(pad));
    row.extend(amounts.into_iter().map(Cell::Money));
    row
}

/// The lines of the subtree's approved plans as of the scope's date, with their institution.
async fn lines_in_force(
    db: &Db,
    tree: &OrgTree,
    scope: &PlanScope<'_>,
) -> Result<Vec<(i64, Vec<PlanLine>, Vec<PlanLine>)>> {
    let date = scope.as_of.unwrap_or(NaiveDate::MAX);
    let mut out = Vec::new();
    for plan in approved_plans(db, tree, scope.root, scope.year).await? {
        let now = plan
            .as_of(date)
            .map_err(|e| refusal(crate::plans::PlanRefusal::Change(e)))?;
        out.push((plan.org_id, plan.lines, now));
    }
    Ok(out)
}

async fn plan_subtitle(
    db: &Db,
    tr: &Tr,
    scope: &PlanScope<'_>,
    basis: Option<Basis>,
    plans: usize,
) -> Result<Vec<String>> {
    let mut subtitle = vec![jospar_org::usecases::org_name(db, tr.0, scope.root).await?];
    subtitle.push(match basis {
        Some(b) => format!("{} · {}", scope.year, basis_label(tr, b)),
        None => scope.year.to_string(),
    });
    subtitle.push(tr.args("plan-consolidated-count", &[("count", plans.to_string())]));
    if let Some(d) = scope.as_of {
        subtitle.push(tr.args("plan-report-as-of", &[("date", d.to_string())]));
    }
    Ok(subtitle)
}

/// Two monthly series side by side: a row per month with both, the difference and the running
/// difference; `columns` names the first three.
pub(crate) fn balance_table(
    tr: &Tr,
    title: &str,
    subtitle: Vec<String>,
    columns: [&str; 3],
    rows: &[analysis::MonthBalance; 12],
) -> Table {
    let mut keys = vec!["exec-col-month"];
    keys.extend(columns);
    keys.push("analytics-col-running");
    Table {
        title: tr.t(title),
        subtitle,
        headers: headers(tr, &keys),
        numbered: true,
        rows: month_rows(tr, rows),
        total: Some(balance_total(tr, rows)),
        ..Table::default()
    }
}

fn month_rows(tr: &Tr, rows: &[analysis::MonthBalance; 12]) -> Vec<Vec<Cell>> {
    rows.iter()
        .enumerate()
        .map(|(m, b)| {
            vec![
                Cell::Text(tr.t(&format!("month-{}", m + 1))),
                Cell::Money(b.left),
                Cell::Money(b.right),
                Cell::Money(b.difference),
                Cell::Money(b.running),
            ]
        })
        .collect()
}

fn balance_total(tr: &Tr, rows: &[analysis::MonthBalance; 12]) -> Vec<Cell> {
    let sum = |f: fn(&analysis::MonthBalance) -> Tenge| rows.iter().map(f).sum::<Tenge>();
    total_row(
        tr,
        0,
        [
            sum(|b| b.left),
            sum(|b| b.right),
            sum(|b| b.difference),
            rows[11].running,
        ],
    )
}

/// Report 29: the balance of the approved and the refined financing plan of a subtree, by
/// month — the plans at approval against the plans with their change documents to the date.
pub async fn plan_balance_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
) -> Result<Table> {
    reader.require_read(scope.root)?;
    let basis = basis_of(scope.basis)?;
    let plans = lines_in_force(db, tree, scope).await?;
    let (mut approved, mut refined) = ([Tenge::ZERO; 12], [Tenge::ZERO; 12]);
    for (_, at_approval, now) in &plans {
        for (a, m) in approved.iter_mut().zip(month_sums(at_approval, basis)) {
            *a += m;
        }
        for (r, m) in refined.iter_mut().zip(month_sums(now, basis)) {
            *r += m;
        }
    }
    let rows = balance(&refined, &approved);
    let subtitle = plan_subtitle(db, tr, scope, Some(basis), plans.len()).await?;
    Ok(balance_table(
        tr,
        "report-plan-balance",
        subtitle,
        [
            "analytics-col-refined-plan",
            "analytics-col-approved-plan",
            "analytics-col-refined-less-approved",
        ],
        &rows,
    ))
}

/// Report 28: the balance of expenses and receipts of a subtree by month — the approved plans
/// of receipts against the financing plans by payments; a negative balance is a month the
/// budget pays more than it receives.
pub async fn expense_receipt_balance_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
) -> Result<Table> {
    reader.require_read(scope.root)?;
    let plans = lines_in_force(db, tree, scope).await?;
    let mut payments = [Tenge::ZERO; 12];
    for (_, _, now) in &plans {
        for (p, m) in payments.iter_mut().zip(month_sums(now, Basis::Payments)) {
            *p += m;
        }
    }
    let receipt_plans =
        crate::usecases::receipt_plans::approved_receipt_plans(db, tree, scope.root, scope.year)
            .await?;
    let receipt_count = receipt_plans.len();
    let mut receipts = [Tenge::ZERO; 12];
    for line in receipt_plans.iter().flat_map(|p| &p.lines) {
        for (r, m) in receipts.iter_mut().zip(line.months) {
            *r += m;
        }
    }
    let rows = balance(&receipts, &payments);
    let mut subtitle = plan_subtitle(db, tr, scope, Some(Basis::Payments), plans.len()).await?;
    subtitle.push(tr.args(
        "analytics-receipt-plans-count",
        &[("count", receipt_count.to_string())],
    ));
    Ok(balance_table(
        tr,
        "report-expense-receipt-balance",
        subtitle,
        [
            "analytics-col-receipts-plan",
            "analytics-col-payments-plan",
            "analytics-col-balance",
        ],
        &rows,
    ))
}

/// Report 31: the subtree's plans by specific of the economic classification — the annual
/// amount, the quarters and the specific's share of the whole.
pub async fn specifics_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
) -> Result<Table> {
    reader.require_read(scope.root)?;
    let basis = basis_of(scope.basis)?;
    let plans = lines_in_force(db, tree, scope).await?;
    let lines: Vec<PlanLine> = plans.iter().flat_map(|(_, _, now)| now.clone()).collect();
    let totals = by_specific(&lines, basis);
    let names = jospar_planning::codes::expense_names(db, tr, tree, scope.root, scope.year).await?;
    let whole: Tenge = totals.iter().map(|t| t.annual).sum();
    let mut sums = [Tenge::ZERO; 5];
    let rows = totals
        .iter()
        .map(|t| {
            sums[0] += t.annual;
            for (s, q) in sums[1..].iter_mut().zip(t.quarters) {
                *s += q;
            }
            let mut row = vec![
                named(&t.specific, names.specific(&t.specific)),
                Cell::Money(t.annual),
            ];
            row.extend(t.quarters.iter().map(|q| Cell::Money(*q)));
            row.push(percent(t.annual, whole));
            row
        })
        .collect();
    let mut total = total_row(tr, 0, sums);
    total.push(percent(whole, whole));
    Ok(Table {
        title: tr.t("report-specifics-analysis"),
        subtitle: plan_subtitle(db, tr, scope, Some(basis), plans.len()).await?,
        headers: headers(
            tr,
            &[
                "plan-col-specific",
                "plan-col-approved",
                "analytics-col-q1",
                "analytics-col-q2",
                "analytics-col-q3",
                "analytics-col-q4",
                "analytics-col-share",
            ],
        ),
        numbered: true,
        rows,
        total: Some(total),
        ..Table::default()
    })
}

/// Report 36: the reconciliation of payments and obligations — for each line of the
/// subtree's plans and each month, the obligations to date not yet covered by payments to
/// date. A negative figure would be a payment before its obligation: it is shown in bold and
/// counted under the table.
pub async fn payments_obligations_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
) -> Result<Table> {
    reader.require_read(scope.root)?;
    let plans = lines_in_force(db, tree, scope).await?;
    let mut table = Table {
        title: tr.t("report-payments-obligations"),
        subtitle: plan_subtitle(db, tr, scope, None, plans.len()).await?,
        headers: headers(
            tr,
            &[
                "analytics-col-institution",
                "plan-col-program",
                "plan-col-subprogram",
                "plan-col-specific",
                "plan-col-approved",
            ],
        ),
        numbered: true,
        ..Table::default()
    };
    table
        .headers
        .extend((1..=12).map(|m| tr.t(&format!("month-{m}"))));
    table.set_groups(&[
        (String::new(), 5),
        (tr.t("analytics-group-obligations-ahead"), 12),
    ]);
    let names = jospar_planning::codes::expense_names(db, tr, tree, scope.root, scope.year).await?;
    let mut sums = [Tenge::ZERO; 13];
    let mut ahead = 0;
    for (org, _, lines) in &plans {
        let name = jospar_org::usecases::org_name(db, tr.0, *org).await?;
        for line in lines {
            let gaps = obligation_gaps(line);
            sums[0] += line.approved;
            for (s, g) in sums[1..].iter_mut().zip(gaps) {
                *s += g;
            }
            if gaps.iter().any(|g| *g < Tenge::ZERO) {
                ahead += 1;
                table.strong_rows.push(table.rows.len());
            }
            let mut row = vec![Cell::Text(name.clone())];
            row.extend(expense_cells(
                &names,
                &line.program,
                &line.subprogram,
                &line.specific,
            ));
            row.push(Cell::Money(line.approved));
            row.extend(gaps.into_iter().map(Cell::Money));
            table.rows.push(row);
        }
    }
    table.total = Some(total_row(tr, 3, sums));
    table
        .footer
        .push(tr.args("analytics-payments-ahead", &[("count", ahead.to_string())]));
    Ok(table)
}

/// Reports 53–54 (appendices 21–22 of order No. 540): the register of the subtree's approved
/// financing plans and the certificates changing them, with what each moved and where the
/// Treasury exchange stands.
pub async fn plan_register_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
) -> Result<Table> {
    reader.require_read(scope.root)?;
    let plans = approved_plans(db, tree, scope.root, scope.year).await?;
    let mut table = Table {
        title: tr.t("report-plan-register"),
        subtitle: plan_subtitle(db, tr, scope, None, plans.len()).await?,
        headers: headers(
            tr,
            &[
                "analytics-col-institution",
                "plan-change-kind",
                "analytics-col-number",
                "plan-change-date",
                "analytics-col-reason",
                "analytics-col-amount",
                "analytics-col-treasury",
            ],
        ),
        numbered: true,
        ..Table::default()
    };
    let mut total = Tenge::ZERO;
    for plan in &plans {
        let name = jospar_org::usecases::org_name(db, tr.0, plan.org_id).await?;
        let exchange = outbox::items_of_plan(db, plan.id)
            .await
            .map_err(Error::from)?;
        let status_of = |number: i64| {
            exchange
                .iter()
                .find(|i| i.change_number == number)
                .map(|i| {
                    let status = tr.t(&format!("exchange-status-{}", i.status.code()));
                    match &i.reference {
                        Some(r) => format!("{status} · {r}"),
                        None => status,
                    }
                })
                .unwrap_or_default()
        };
        let approved_on = crate::plans::signatures(db, plan.id)
            .await
            .map_err(Error::from)?
            .last()
            .map(|s| s.signed_at.date_naive().to_string())
            .unwrap_or_default();
        let annual: Tenge = plan.lines.iter().map(|l| l.approved).sum();
        total += annual;
        table.strong_rows.push(table.rows.len());
        table.rows.push(vec![
            Cell::Text(name.clone()),
            Cell::Text(tr.t("analytics-doc-plan")),
            Cell::Text(plan.id.to_string()),
            Cell::Text(approved_on),
            Cell::Text(String::new()),
            Cell::Money(annual),
            Cell::Text(status_of(0)),
        ]);
        for doc in &plan.changes {
            let moved: Tenge = doc.moves.iter().map(|m| m.change.amount).sum();
            table.rows.push(vec![
                Cell::Text(name.clone()),
                Cell::Text(tr.t(&format!("plan-change-{}", doc.kind.code()))),
                Cell::Text(doc.number.to_string()),
                Cell::Text(doc.dated.to_string()),
                Cell::Text(doc.reason.clone()),
                Cell::Money(moved),
                Cell::Text(status_of(doc.number)),
            ]);
        }
    }
    let mut total_row = total_row(tr, 4, [total]);
    total_row.push(Cell::Text(String::new()));
    table.total = Some(total_row);
    table.footer.push(tr.t("analytics-register-note"));
    Ok(table)
}

/// An imported form of cash expenses the reader may read, with its heading lines and the
/// names of its codes in the classification of its year.
async fn cash_report(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
) -> Result<(Vec<String>, Vec<CashRow>, ExpenseNames)> {
    let (head, rows) = cash_form(db, reader, id).await?;
    let subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
        crate::usecases::treasury::form_subtitle(tr, &head),
    ];
    let year = chrono::Datelike::year(&head.report_date);
    let names = ExpenseNames::of_administrators(db, year, Vec::new(), tr.lang()).await?;
    Ok((subtitle, rows, names))
}

/// The code columns of a level: the administrator, then program and subprogram.
fn level_headers(level: CashLevel) -> &'static [&'static str] {
    match level {
        CashLevel::Abp => &["treasury-col-abp"],
        CashLevel::Program => &["treasury-col-abp", "plan-col-program"],
        CashLevel::Subprogram => &[
            "treasury-col-abp",
            "plan-col-program",
            "plan-col-subprogram",
        ],
    }
}

/// Report 25 (appendix 7 of order No. 629): the reminder of plans by payments not carried
/// out — every subprogram of form 5-52 whose cash expenses fall behind the plan of the period.
pub async fn unpaid_reminder_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
) -> Result<Table> {
    let (subtitle, rows, names) = cash_report(db, tr, reader, id).await?;
    let level = CashLevel::Subprogram;
    let mut keys = level_headers(level).to_vec();
    keys.extend([
        "analytics-col-plan-period",
        "treasury-col-executed",
        "treasury-col-unpaid",
        "exec-col-percent-period",
    ]);
    let mut sums = [Tenge::ZERO; 3];
    let groups: Vec<_> = group_cash(&rows, level)
        .into_iter()
        .filter(|g| g.unpaid() > Tenge::ZERO)
        .collect();
    let rows = groups
        .iter()
        .map(|g| {
            sums[0] += g.plan_period;
            sums[1] += g.executed;
            sums[2] += g.unpaid();
            let mut row: Vec<Cell> = key_cells(&names, &g.key);
            row.extend([
                Cell::Money(g.plan_period),
                Cell::Money(g.executed),
                Cell::Money(g.unpaid()),
                percent(g.executed, g.plan_period),
            ]);
            row
        })
        .collect();
    let mut total = total_row(tr, 2, sums);
    total.push(percent(sums[1], sums[0]));
    Ok(Table {
        title: tr.t("report-unpaid-reminder"),
        subtitle,
        headers: headers(tr, &keys),
        numbered: true,
        rows,
        total: Some(total),
        footer: vec![tr.args(
            "analytics-unpaid-count",
            &[("count", groups.len().to_string())],
        )],
        ..Table::default()
    })
}

/// Reports 26–27 (appendices 8–9 of order No. 629): the analytic document on budget
/// execution — form 5-52 by program of each administrator (`by_abp` = false) or by
/// administrator: annual plan, plan of the period, cash expenses, execution of both plans and
/// what remains unpaid.
pub async fn analytic_execution_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    by_abp: bool,
) -> Result<Table> {
    let (subtitle, rows, names) = cash_report(db, tr, reader, id).await?;
    let level = if by_abp {
        CashLevel::Abp
    } else {
        CashLevel::Program
    };
    let mut keys = level_headers(level).to_vec();
    keys.extend([
        "analytics-col-plan-year",
        "analytics-col-plan-period",
        "treasury-col-executed",
        "exec-col-percent-period",
        "exec-col-percent-year",
        "treasury-col-unpaid",
    ]);
    let mut sums = [Tenge::ZERO; 4];
    let table_rows = group_cash(&rows, level)
        .iter()
        .map(|g| {
            for (s, v) in sums
                .iter_mut()
                .zip([g.plan_year, g.plan_period, g.executed, g.unpaid()])
            {
                *s += v;
            }
            let mut row: Vec<Cell> = key_cells(&names, &g.key);
            row.extend([
                Cell::Money(g.plan_year),
                Cell::Money(g.plan_period),
                Cell::Money(g.executed),
                percent(g.executed, g.plan_period),
                percent(g.executed, g.plan_year),
                Cell::Money(g.unpaid()),
            ]);
            row
        })
        .collect();
    let mut total = total_row(tr, level_headers(level).len() - 1, sums[..3].to_vec());
    total.extend([
        percent(sums[2], sums[1]),
        percent(sums[2], sums[0]),
        Cell::Money(sums[3]),
    ]);
    Ok(Table {
        title: tr.t(if by_abp {
            "report-analytic-budget"
        } else {
            "report-analytic-abp"
        }),
        subtitle,
        headers: headers(tr, &keys),
        numbered: true,
        rows: table_rows,
        total: Some(total),
        ..Table::default()
    })
}

/// Reports 5–6: the balances of a form of cash expenses (5-42, 5-52) by administrator — what
/// remains of the annual plan and of the plan of the period after the cash expenses.
pub async fn cash_balances_table(db: &Db, tr: &Tr, reader: &Reader<'_>, id: i64) -> Result<Table> {
    let (subtitle, rows, names) = cash_report(db, tr, reader, id).await?;
    let mut sums = [Tenge::ZERO; 5];
    let table_rows = group_cash(&rows, CashLevel::Abp)
        .iter()
        .map(|g| {
            let values = [
                g.plan_year,
                g.plan_period,
                g.executed,
                g.remaining(),
                g.unpaid(),
            ];
            for (s, v) in sums.iter_mut().zip(values) {
                *s += v;
            }
            let mut row = key_cells(&names, &g.key[..1]);
            row.extend(values.into_iter().map(Cell::Money));
            row
        })
        .collect();
    Ok(Table {
        title: tr.t("report-cash-balances"),
        subtitle,
        headers: headers(
            tr,
            &[
                "treasury-col-abp",
                "analytics-col-plan-year",
                "analytics-col-plan-period",
                "treasury-col-executed",
                "analytics-col-remaining-year",
                "analytics-col-remaining-period",
            ],
        ),
        numbered: true,
        rows: table_rows,
        total: Some(total_row(tr, 0, sums)),
        ..Table::default()
    })
}

/// Reports 2–3: the dynamics of receipts — every form of receipts (2-19 by default, or 2-11)
/// of an organisation for a year in date order, the receipts of each period between them by
/// code, and the receipts to date.
pub async fn receipts_dynamics_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    org: i64,
    year: i32,
    form: Option<&str>,
) -> Result<Table> {
    reader.require_read(org)?;
    let form = form.unwrap_or(FORM_219);
    if layouts().form(form).map(|l| l.shape) != Some(Shape::Receipts) {
        return Err(Error::Invalid {
            key: "err-report-param",
            args: vec![("field", "form".into()), ("value", form.into())],
            field: Some("form".into()),
        });
    }
    let mut heads: Vec<_> = treasury_store::reports(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|r| r.form == form && r.org_id == org)
        .filter(|r| r.report_date.year() == year)
        .collect();
    heads.sort_by_key(|r| r.report_date);
    let mut forms = Vec::with_capacity(heads.len());
    for head in &heads {
        let (_, rows) = treasury_store::report::<ReceiptRow>(db, head.id, form)
            .await
            .map_err(Error::from)?
            .ok_or(Error::NotFound)?;
        forms.push(rows);
    }
    let series = receipts_by_period(&forms);
    let names = receipt_names(db, year).await?;
    let mut table_headers = vec![tr.t("treasury-col-receipt-code")];
    let mut previous: Option<NaiveDate> = None;
    for head in &heads {
        table_headers.push(match previous {
            None => tr.args(
                "analytics-col-to-date",
                &[("date", head.report_date.to_string())],
            ),
            Some(p) => tr.args(
                "analytics-col-between",
                &[
                    ("from", p.to_string()),
                    ("to", head.report_date.to_string()),
                ],
            ),
        });
        previous = Some(head.report_date);
    }
    table_headers.push(tr.t("analytics-col-received-to-date"));
    let mut sums = vec![Tenge::ZERO; heads.len() + 1];
    let rows = series
        .iter()
        .map(|s| {
            for (sum, v) in sums.iter_mut().zip(s.by_period.iter().chain([&s.to_date])) {
                *sum += *v;
            }
            let mut row = vec![receipt_cell(&names, tr, &s.code)];
            row.extend(s.by_period.iter().map(|v| Cell::Money(*v)));
            row.push(Cell::Money(s.to_date));
            row
        })
        .collect();
    Ok(Table {
        title: tr.t("report-receipts-dynamics"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, org).await?,
            tr.args(
                "analytics-forms-count",
                &[
                    ("year", year.to_string()),
                    ("form", form.to_string()),
                    ("count", heads.len().to_string()),
                ],
            ),
        ],
        headers: table_headers,
        numbered: true,
        rows,
        total: Some(total_row(tr, 0, sums)),
        ..Table::default()
    })
}

/// Report 34: the register of forms received from the Treasury — every imported form of the
/// subtree for a year, with its date, file, rows and who imported it.
pub async fn forms_register_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    root: i64,
    year: i32,
) -> Result<Table> {
    reader.require_read(root)?;
    let mut rows = Vec::new();
    for r in treasury_store::reports(db).await.map_err(Error::from)? {
        if r.report_date.year() != year
            || !tree.is_within(r.org_id, root)
            || !reader.can_read(r.org_id)
        {
            continue;
        }
        rows.push(vec![
            Cell::Text(r.form.clone()),
            Cell::Text(r.report_date.format("%d.%m.%Y").to_string()),
            Cell::Text(jospar_org::usecases::org_name(db, tr.0, r.org_id).await?),
            Cell::Text(r.file_name.clone()),
            Cell::Text(r.row_count.to_string()),
            Cell::Text(r.imported_by.clone()),
            Cell::Text(jospar_i18n::almaty_date_time(r.imported_at)),
        ]);
    }
    let count = rows.len();
    Ok(Table {
        title: tr.t("report-forms-register"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, root).await?,
            year.to_string(),
        ],
        headers: headers(
            tr,
            &[
                "analytics-col-form",
                "analytics-col-report-date",
                "analytics-col-institution",
                "analytics-col-file",
                "analytics-col-rows",
                "analytics-col-imported-by",
                "analytics-col-imported-at",
            ],
        ),
        numbered: true,
        rows,
        footer: vec![tr.args("analytics-forms-total", &[("count", count.to_string())])],
        ..Table::default()
    })
}

/// The same form of the same organisation at the same date a year before (29 February: the
/// 28th), if it was imported.
async fn form_a_year_before(db: &Db, head: &TreasuryReport) -> Result<Option<TreasuryReport>> {
    let year = head.report_date.year() - 1;
    let date = head
        .report_date
        .with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, head.report_date.month(), 28));
    Ok(treasury_store::reports(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .find(|r| r.form == head.form && r.org_id == head.org_id && Some(r.report_date) == date))
}

/// Reports 8–9 and 12–14: cash execution by a form of cash expenses (2-15, 5-02, 5-42, 5-52)
/// row by row, with the execution of the period's plan; with `growth`, the cash expenses of
/// the same form at the same date a year before and the growth rate.
pub async fn cash_execution_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    growth: bool,
) -> Result<Table> {
    let (head, rows) = cash_form(db, reader, id).await?;
    let names =
        ExpenseNames::of_administrators(db, head.report_date.year(), Vec::new(), tr.lang()).await?;
    let mut subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
        crate::usecases::treasury::form_subtitle(tr, &head),
    ];
    let mut previous_rows = Vec::new();
    if growth {
        match form_a_year_before(db, &head).await? {
            Some(before) => {
                subtitle.push(tr.args(
                    "analytics-compared-with",
                    &[("date", before.report_date.to_string())],
                ));
                previous_rows = treasury_store::report::<CashRow>(db, before.id, &before.form)
                    .await
                    .map_err(Error::from)?
                    .map(|(_, r)| r)
                    .unwrap_or_default();
            }
            None => subtitle.push(tr.t("analytics-no-previous-year")),
        }
    }
    let mut keys = vec![
        "treasury-col-abp",
        "plan-col-program",
        "plan-col-subprogram",
        "plan-col-specific",
        "analytics-col-plan-year",
        "analytics-col-plan-period",
        "treasury-col-executed",
        "exec-col-percent-period",
    ];
    if growth {
        keys.extend(["analytics-col-previous-year", "analytics-col-growth"]);
    }
    let mut sums = [Tenge::ZERO; 4];
    let table_rows = compare_years(&rows, &previous_rows)
        .into_iter()
        .map(|c| {
            for (s, v) in sums
                .iter_mut()
                .zip([c.plan_year, c.plan_period, c.executed, c.previous])
            {
                *s += v;
            }
            let mut row = key_cells(&names, &[c.abp, c.program, c.subprogram]);
            row.push(named(&c.specific, names.specific(&c.specific)));
            row.extend([
                Cell::Money(c.plan_year),
                Cell::Money(c.plan_period),
                Cell::Money(c.executed),
                percent(c.executed, c.plan_period),
            ]);
            if growth {
                row.extend([Cell::Money(c.previous), percent(c.executed, c.previous)]);
            }
            row
        })
        .collect();
    let mut total = total_row(tr, 3, sums[..3].to_vec());
    total.push(percent(sums[2], sums[1]));
    if growth {
        total.extend([Cell::Money(sums[3]), percent(sums[2], sums[3])]);
    }
    let title = layouts()
        .form(&head.form)
        .map(|l| l.name(tr.lang()).to_string())
        .unwrap_or_default();
    Ok(Table {
        title: tr.args(
            if growth {
                "analytics-cash-title-growth"
            } else {
                "analytics-cash-title"
            },
            &[("form", head.form.clone()), ("name", title)],
        ),
        subtitle,
        headers: headers(tr, &keys),
        numbered: true,
        rows: table_rows,
        total: Some(total),
        ..Table::default()
    })
}

/// EX-9: the payroll lines of an institution's financing plan (pay and the employer's
/// contributions) split by structural unit of its staffing table of the same year, in
/// proportion to each unit's payroll under the same program and subprogram, month by month
/// to the tiyn. A payroll line whose program has no positions is shown undivided.
pub async fn payroll_distribution_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    basis: Option<&str>,
) -> Result<Table> {
    let plan = crate::plans::plan(db, id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(plan.org_id)?;
    let basis = basis_of(basis)?;
    let units = jospar_staffing::usecases::unit_payroll(db, plan.org_id, plan.year)
        .await?
        .ok_or_else(|| Error::invalid("err-payroll-no-staffing", "plan"))?;
    let lines = plan
        .as_of(NaiveDate::MAX)
        .map_err(|e| refusal(crate::plans::PlanRefusal::Change(e)))?;
    let mut table = Table {
        title: tr.t("report-payroll-distribution"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, plan.org_id).await?,
            format!("{} · {}", plan.year, basis_label(tr, basis)),
            tr.t("analytics-payroll-basis"),
        ],
        headers: headers(
            tr,
            &[
                "plan-col-program",
                "plan-col-subprogram",
                "plan-col-specific",
                "analytics-col-unit",
                "plan-col-approved",
            ],
        ),
        numbered: true,
        ..Table::default()
    };
    table
        .headers
        .extend((1..=12).map(|m| tr.t(&format!("month-{m}"))));
    let abp = jospar_planning::codes::administrator_code(db, plan.org_id).await?;
    let names = ExpenseNames::load(db, plan.year, abp, tr.lang()).await?;
    let mut sums = [Tenge::ZERO; 13];
    let payroll = lines
        .iter()
        .filter(|l| jospar_staffing::PAYROLL_SPECIFICS.contains(&l.specific.as_str()));
    for line in payroll {
        let months = analysis::months_of(line, basis);
        let weights: Vec<(String, Tenge)> = units
            .iter()
            .filter(|(p, s, _, _)| *p == line.program && *s == line.subprogram)
            .map(|(_, _, unit, fund)| (unit.clone(), *fund))
            .collect();
        let shares = split_months(&months, &weights).unwrap_or_else(|_| {
            vec![Share {
                part: tr.t("analytics-payroll-undivided"),
                months,
            }]
        });
        sums[0] += months.iter().copied().sum::<Tenge>();
        for (s, m) in sums[1..].iter_mut().zip(months) {
            *s += m;
        }
        for share in shares {
            let mut row =
                expense_cells(&names, &line.program, &line.subprogram, &line.specific).to_vec();
            row.push(Cell::Text(share.part.clone()));
            row.push(Cell::Money(share.annual()));
            row.extend(share.months.iter().map(|m| Cell::Money(*m)));
            table.rows.push(row);
        }
    }
    table.total = Some(total_row(tr, 3, sums));
    Ok(table)
}

/// Report 37: the cash forms of receipts compared by day — for each report date of a year on
/// which an organisation has a 2-19 or a 2-43, the receipts to date by each form and the
/// difference; a date with one form only says which is missing.
pub async fn receipts_by_day_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    org: i64,
    year: i32,
) -> Result<Table> {
    reader.require_read(org)?;
    let mut by_date: std::collections::BTreeMap<NaiveDate, [Option<Tenge>; 2]> = Default::default();
    for head in treasury_store::reports(db).await.map_err(Error::from)? {
        let slot = match head.form.as_str() {
            FORM_219 => 0,
            FORM_243 => 1,
            _ => continue,
        };
        if head.org_id != org || head.report_date.year() != year {
            continue;
        }
        let rows = treasury_store::report::<ReceiptRow>(db, head.id, &head.form)
            .await
            .map_err(Error::from)?
            .map(|(_, rows)| rows)
            .unwrap_or_default();
        by_date.entry(head.report_date).or_default()[slot] =
            Some(rows.iter().map(|r| r.received).sum());
    }
    let amount = |v: Option<Tenge>| match v {
        Some(t) => Cell::Money(t),
        None => Cell::Text(tr.t("analytics-col-missing")),
    };
    let mut table = Table {
        title: tr.t("report-receipts-by-day"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, org).await?,
            year.to_string(),
        ],
        headers: headers(
            tr,
            &[
                "analytics-col-report-date",
                "analytics-col-total-219",
                "analytics-col-total-243",
                "exec-col-difference",
            ],
        ),
        numbered: true,
        ..Table::default()
    };
    let mut differing = 0;
    for (date, [f219, f243]) in by_date {
        let difference = match (f219, f243) {
            (Some(a), Some(b)) => Cell::Money(a - b),
            _ => Cell::Text(String::new()),
        };
        if matches!((f219, f243), (Some(a), Some(b)) if a != b) {
            differing += 1;
            table.strong_rows.push(table.rows.len());
        }
        table.rows.push(vec![
            Cell::Text(date.to_string()),
            amount(f219),
            amount(f243),
            difference,
        ]);
    }
    table
        .footer
        .push(tr.args("treasury-differing", &[("count", differing.to_string())]));
    Ok(table)
}

/// Report 1: obligations accepted and cash execution by form 4-20 set against the system's
/// approved plans by obligations to the report's month: accepted and not paid, and what of the
/// period's plan by obligations is not yet accepted. Lines planned in the system but absent from
/// the form are listed too, so the system's column is the plans' own total.
pub async fn obligations_420_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    id: i64,
) -> Result<Table> {
    let (head, rows) = treasury_store::report::<ObligationRow>(db, id, FORM_420)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(head.org_id)?;
    let month = crate::periods::period_of(head.report_date);
    let mut planned: std::collections::BTreeMap<(String, String, String), Tenge> =
        Default::default();
    if month.year == head.report_date.year() {
        for plan in approved_plans(db, tree, head.org_id, month.year).await? {
            let lines = plan
                .as_of(head.report_date)
                .map_err(|e| refusal(crate::plans::PlanRefusal::Change(e)))?;
            for line in lines {
                *planned
                    .entry((line.program, line.subprogram, line.specific))
                    .or_default() += line.obligations[..month.month as usize]
                    .iter()
                    .copied()
                    .sum::<Tenge>();
            }
        }
    }
    let names = super::naming::form_names(db, tr, &head).await?;
    let mut sums = [Tenge::ZERO; 6];
    let mut table_rows = Vec::new();
    let mut push = |abp: &str, codes: [&str; 3], values: [Tenge; 6]| {
        for (s, v) in sums.iter_mut().zip(values) {
            *s += v;
        }
        let key: Vec<String> = [abp, codes[0], codes[1]].map(String::from).to_vec();
        let mut row = key_cells(&names, &key);
        row.push(named(codes[2], names.specific(codes[2])));
        row.extend(values.into_iter().map(Cell::Money));
        table_rows.push(row);
    };
    for r in &rows {
        let system = planned
            .remove(&(r.program.clone(), r.subprogram.clone(), r.specific.clone()))
            .unwrap_or_default();
        push(
            &r.abp,
            [&r.program, &r.subprogram, &r.specific],
            [
                r.plan_obligations,
                r.accepted,
                r.executed,
                r.accepted - r.executed,
                system,
                system - r.accepted,
            ],
        );
    }
    // Lines planned in the system that the form does not carry: nothing accepted for them.
    let zero = Tenge::ZERO;
    for ((program, subprogram, specific), system) in std::mem::take(&mut planned) {
        push(
            "",
            [&program, &subprogram, &specific],
            [zero, zero, zero, zero, system, system],
        );
    }
    Ok(Table {
        title: tr.t("report-obligations-420"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
            crate::usecases::treasury::form_subtitle(tr, &head),
        ],
        headers: headers(
            tr,
            &[
                "treasury-col-abp",
                "plan-col-program",
                "plan-col-subprogram",
                "plan-col-specific",
                "treasury-col-plan-obligations",
                "exec-col-accepted",
                "treasury-col-executed",
                "analytics-col-unpaid-obligations",
                "analytics-col-system-obligations",
                "analytics-col-not-accepted",
            ],
        ),
        numbered: true,
        rows: table_rows,
        total: Some(total_row(tr, 3, sums)),
        ..Table::default()
    })
}

/// Reports 62–63 (appendices 23 and 42 of order No. 540): the plan of the reporting year of a
/// subtree by program, subprogram and specific with its quarters — as approved (`refined` =
/// false) or as refined by every change document to the date.
pub async fn annual_plan_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
    refined: bool,
) -> Result<Table> {
    reader.require_read(scope.root)?;
    let basis = basis_of(scope.basis)?;
    let plans = lines_in_force(db, tree, scope).await?;
    let mut by_codes: std::collections::BTreeMap<(String, String, String), [Tenge; 12]> =
        Default::default();
    for (_, at_approval, now) in &plans {
        for line in if refined { now } else { at_approval } {
            let sums = by_codes
                .entry((
                    line.program.clone(),
                    line.subprogram.clone(),
                    line.specific.clone(),
                ))
                .or_insert([Tenge::ZERO; 12]);
            for (s, m) in sums.iter_mut().zip(analysis::months_of(line, basis)) {
                *s += m;
            }
        }
    }
    let names = jospar_planning::codes::expense_names(db, tr, tree, scope.root, scope.year).await?;
    let mut sums = [Tenge::ZERO; 5];
    let rows = by_codes
        .into_iter()
        .map(|((program, subprogram, specific), months)| {
            let quarters = analysis::quarters(&months);
            let annual: Tenge = quarters.iter().copied().sum();
            sums[0] += annual;
            for (s, q) in sums[1..].iter_mut().zip(quarters) {
                *s += q;
            }
            let mut row = expense_cells(&names, &program, &subprogram, &specific).to_vec();
            row.push(Cell::Money(annual));
            row.extend(quarters.into_iter().map(Cell::Money));
            row
        })
        .collect();
    Ok(Table {
        title: tr.t(if refined {
            "report-refined-plan"
        } else {
            "report-approved-plan"
        }),
        subtitle: plan_subtitle(db, tr, scope, Some(basis), plans.len()).await?,
        headers: headers(
            tr,
            &[
                "plan-col-program",
                "plan-col-subprogram",
                "plan-col-specific",
                "plan-col-approved",
                "analytics-col-q1",
                "analytics-col-q2",
                "analytics-col-q3",
                "analytics-col-q4",
            ],
        ),
        numbered: true,
        rows,
        total: Some(total_row(tr, 2, sums)),
        ..Table::default()
    })
}

/// Report 38: the dynamics of the changes made to the year's financing plans of a subtree, by
/// month — the plans at approval, what the change certificates, the refinements and the
/// corrections moved, and the plans after them; each row adds up across.
pub async fn changes_dynamics_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
) -> Result<Table> {
    use crate::ChangeKind;
    reader.require_read(scope.root)?;
    let basis = basis_of(scope.basis)?;
    let date = scope.as_of.unwrap_or(NaiveDate::MAX);
    const KINDS: [ChangeKind; 3] = [
        ChangeKind::Certificate,
        ChangeKind::Refinement,
        ChangeKind::Correction,
    ];
    // Columns: at approval, one per kind of document, after the documents.
    let mut columns = [[Tenge::ZERO; 12]; 5];
    let plans = approved_plans(db, tree, scope.root, scope.year).await?;
    for plan in &plans {
        let mut lines = plan.lines.clone();
        add_months(&mut columns[0], &month_sums(&lines, basis));
        let mut docs: Vec<_> = plan.changes.iter().filter(|d| d.dated <= date).collect();
        docs.sort_by_key(|d| (d.dated, d.number));
        for doc in docs {
            let before = month_sums(&lines, basis);
            lines = crate::apply_change(&lines, doc)
                .map_err(|e| refusal(crate::plans::PlanRefusal::Change(e)))?;
            let after = month_sums(&lines, basis);
            let kind = KINDS.iter().position(|k| *k == doc.kind).unwrap_or(0);
            for m in 0..12 {
                columns[kind + 1][m] += after[m] - before[m];
            }
        }
        add_months(&mut columns[4], &month_sums(&lines, basis));
    }
    let mut keys = vec!["exec-col-month", "plan-col-at-approval"];
    keys.extend(KINDS.iter().map(|k| match k {
        ChangeKind::Certificate => "plan-change-certificate",
        ChangeKind::Refinement => "plan-change-refinement",
        ChangeKind::Correction => "plan-change-correction",
    }));
    keys.push("plan-col-after-changes");
    let rows = (0..12)
        .map(|m| {
            let mut row = vec![Cell::Text(tr.t(&format!("month-{}", m + 1)))];
            row.extend(columns.iter().map(|c| Cell::Money(c[m])));
            row
        })
        .collect();
    Ok(Table {
        title: tr.t("report-changes-dynamics"),
        subtitle: plan_subtitle(db, tr, scope, Some(basis), plans.len()).await?,
        headers: headers(tr, &keys),
        numbered: true,
        rows,
        total: Some(total_row(
            tr,
            0,
            columns.iter().map(|c| c.iter().copied().sum::<Tenge>()),
        )),
        ..Table::default()
    })
}

/// Report 2 of the planning module: the refinements of the expense plans of a subtree's year
/// — every move of a refinement or correction document (or of the kind asked) dated up to the
/// scope's date, by institution and document in date order, with its reason, codes, basis,
/// months and amount. A move takes an amount from one month to another of the same line, so
/// the total is what the documents moved.
pub async fn plan_refinements_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
    kind: Option<&str>,
) -> Result<Table> {
    use crate::ChangeKind;
    reader.require_read(scope.root)?;
    let kinds: Vec<ChangeKind> = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => vec![ChangeKind::Refinement, ChangeKind::Correction],
        Some(code) => vec![
            ChangeKind::from_code(code)
                .ok_or_else(|| Error::invalid("err-plan-change-kind", "kind"))?,
        ],
    };
    let date = scope.as_of.unwrap_or(NaiveDate::MAX);
    let plans = approved_plans(db, tree, scope.root, scope.year).await?;
    let orgs = jospar_org::repo::org_names(db, tr.lang()).await?;
    let names = jospar_planning::codes::expense_names(db, tr, tree, scope.root, scope.year).await?;
    let mut docs: Vec<(&crate::plans::Plan, &crate::ChangeDoc)> = plans
        .iter()
        .flat_map(|plan| plan.changes.iter().map(move |doc| (plan, doc)))
        .filter(|(_, doc)| doc.dated <= date && kinds.contains(&doc.kind))
        .collect();
    docs.sort_by_key(|(plan, doc)| (doc.dated, plan.org_id, doc.number));
    let mut rows = Vec::new();
    let mut moved = Tenge::ZERO;
    for (plan, doc) in docs {
        let institution = orgs.get(&plan.org_id).cloned().unwrap_or_default();
        for m in &doc.moves {
            let Some(line) = plan.lines.iter().find(|l| l.expense_id == m.expense_id) else {
                continue;
            };
            moved += m.change.amount;
            let mut row = vec![
                Cell::Text(institution.clone()),
                Cell::Text(tr.args(
                    "plan-refinements-document",
                    &[
                        ("kind", tr.t(&format!("plan-change-{}", doc.kind.code()))),
                        ("number", doc.number.to_string()),
                        ("date", doc.dated.format("%d.%m.%Y").to_string()),
                    ],
                )),
                Cell::Text(doc.reason.clone()),
            ];
            row.extend(expense_cells(
                &names,
                &line.program,
                &line.subprogram,
                &line.specific,
            ));
            row.extend([
                Cell::Text(basis_label(tr, m.change.basis)),
                Cell::Text(tr.t(&format!("month-{}", m.change.from_month))),
                Cell::Text(tr.t(&format!("month-{}", m.change.to_month))),
                Cell::Money(m.change.amount),
            ]);
            rows.push(row);
        }
    }
    Ok(Table {
        title: tr.t("report-plan-refinements"),
        subtitle: plan_subtitle(db, tr, scope, None, plans.len()).await?,
        headers: headers(
            tr,
            &[
                "col-org",
                "plan-refinements-col-document",
                "analytics-col-reason",
                "plan-col-program",
                "plan-col-subprogram",
                "plan-col-specific",
                "plan-col-basis",
                "plan-change-from",
                "plan-change-to",
                "plan-change-amount",
            ],
        ),
        numbered: true,
        rows,
        total: Some(total_row(tr, 8, [moved])),
        ..Table::default()
    })
}

fn add_months(into: &mut [Tenge; 12], months: &[Tenge; 12]) {
    for (i, m) in into.iter_mut().zip(months) {
        *i += *m;
    }
}

/// Report 16: cash execution by a form of cash expenses split by kind of budget — for each
/// administrator's program, the plan of the period and the cash expenses financed by the
/// republican budget's transfers (the subprograms `layouts.toml` names) and by the local
/// budget's own money.
pub async fn cash_by_budget_kind_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
) -> Result<Table> {
    let (mut subtitle, rows, names) = cash_report(db, tr, reader, id).await?;
    let republican = &layouts().budget_kinds.republican_subprograms;
    subtitle.push(tr.args(
        "analytics-budget-kind-rule",
        &[("subprograms", republican.join(", "))],
    ));
    let mut sums = [Tenge::ZERO; 6];
    let table_rows = split_by_budget_kind(&rows, republican)
        .into_iter()
        .map(|g| {
            let values = [
                g.republican[0],
                g.republican[1],
                g.local[0],
                g.local[1],
                g.republican[0] + g.local[0],
                g.republican[1] + g.local[1],
            ];
            for (s, v) in sums.iter_mut().zip(values) {
                *s += v;
            }
            let mut row = key_cells(&names, &[g.abp, g.program]);
            row.extend(values.into_iter().map(Cell::Money));
            row
        })
        .collect();
    let mut table = Table {
        title: tr.t("report-cash-by-budget-kind"),
        subtitle,
        headers: headers(tr, &["treasury-col-abp", "plan-col-program"]),
        numbered: true,
        rows: table_rows,
        total: Some(total_row(tr, 1, sums)),
        ..Table::default()
    };
    for _ in 0..3 {
        table.headers.push(tr.t("analytics-col-plan-period"));
        table.headers.push(tr.t("treasury-col-executed"));
    }
    table.set_groups(&[
        (String::new(), 2),
        (tr.t("analytics-group-republican"), 2),
        (tr.t("analytics-group-local"), 2),
        (tr.t("total"), 2),
    ]);
    Ok(table)
}

/// Report 4: the execution of the plan of tax receipts (category 1 of the receipts
/// classification) of the fourth-level budgets — the rural districts, villages and towns of
/// district significance — under an organisation, from the forms 2-19 of their akimats' offices
/// at a report date: annual plan, plan of the period, received, deviation and percentage. A
/// rural budget without a form at the date is listed as such.
pub async fn rural_tax_receipts_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    root: i64,
    date: NaiveDate,
) -> Result<Table> {
    reader.require_read(root)?;
    let budgets: std::collections::HashMap<i64, jospar_org::Budget> = jospar_org::repo::budgets(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let forms: Vec<TreasuryReport> = treasury_store::reports(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|r| r.form == FORM_219 && r.report_date == date)
        .collect();
    let mut table = Table {
        title: tr.t("report-rural-tax-receipts"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, root).await?,
            tr.args("analytics-rural-subtitle", &[("date", date.to_string())]),
        ],
        headers: headers(
            tr,
            &[
                "analytics-col-budget",
                "analytics-col-institution",
                "analytics-col-plan-year",
                "analytics-col-plan-period",
                "receipt-col-received",
                "receipt-col-deviation",
                "exec-col-percent-period",
            ],
        ),
        numbered: true,
        ..Table::default()
    };
    let mut sums = [Tenge::ZERO; 4];
    let mut missing = 0;
    let lang = tr.lang();
    for org in jospar_org::repo::all_orgs(db).await? {
        let Some(budget) = budgets.get(&org.budget_id) else {
            continue;
        };
        if budget.level != jospar_org::BudgetLevel::Rural
            || !tree.is_within(org.id, root)
            || !reader.can_read(org.id)
            || !matches!(
                org.kind,
                jospar_org::OrgKind::Administrator | jospar_org::OrgKind::AuthorizedBody
            )
        {
            continue;
        }
        let budget_name = if lang == "kk" {
            budget.name_kk.clone()
        } else {
            budget.name_ru.clone()
        };
        let mut row = vec![
            Cell::Text(budget_name),
            Cell::Text(org.name(lang).to_string()),
        ];
        let Some(form) = forms.iter().find(|f| f.org_id == org.id) else {
            missing += 1;
            table.strong_rows.push(table.rows.len());
            row.push(Cell::Text(tr.t("analytics-col-missing")));
            row.extend(blank(4));
            table.rows.push(row);
            continue;
        };
        let rows = treasury_store::report::<ReceiptRow>(db, form.id, FORM_219)
            .await
            .map_err(Error::from)?
            .map(|(_, rows)| rows)
            .unwrap_or_default();
        let taxes = rows.iter().filter(|r| r.code.starts_with('1'));
        let mut values = [Tenge::ZERO; 3];
        for r in taxes {
            values[0] += r.plan_year;
            values[1] += r.plan_period;
            values[2] += r.received;
        }
        let deviation = values[2] - values[1];
        for (s, v) in sums
            .iter_mut()
            .zip([values[0], values[1], values[2], deviation])
        {
            *s += v;
        }
        row.extend(values.iter().map(|v| Cell::Money(*v)));
        row.push(Cell::Money(deviation));
        row.push(percent(values[2], values[1]));
        table.rows.push(row);
    }
    let mut total = total_row(tr, 1, sums);
    total.push(percent(sums[2], sums[1]));
    table.total = Some(total);
    table
        .footer
        .push(tr.args("analytics-rural-missing", &[("count", missing.to_string())]));
    Ok(table)
}

/// Report 11: cash execution by form 2-19, the additional layout — every code under its
/// category, class and subclass with their names from the classification of the form's year
/// and their subtotals: annual plan, plan of the period, received, deviation, percentage.
pub async fn receipts_by_class_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
) -> Result<Table> {
    let (head, rows) = treasury_store::report::<ReceiptRow>(db, id, FORM_219)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(head.org_id)?;
    let year = crate::usecases::treasury::classification_year(db, head.report_date.year()).await?;
    let mut table = Table {
        title: tr.t("report-receipts-by-class"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
            crate::usecases::treasury::form_subtitle(tr, &head),
        ],
        headers: headers(
            tr,
            &[
                "receipt-col-code",
                "exec-col-name",
                "analytics-col-plan-year",
                "analytics-col-plan-period",
                "receipt-col-received",
                "receipt-col-deviation",
                "exec-col-percent-period",
            ],
        ),
        numbered: true,
        ..Table::default()
    };
    let mut sums = [Tenge::ZERO; 4];
    for node in analysis::receipts_tree(&rows) {
        let kind = match node.level {
            0 => Some(CodeKind::ReceiptCategory),
            1 => Some(CodeKind::ReceiptClass),
            2 => Some(CodeKind::ReceiptSubclass),
            _ => None,
        };
        let name = match kind {
            Some(kind) => jospar_classification::repo::get(db, year, kind, &node.code)
                .await?
                .map(|e| tr.pick(&e.name_ru, e.name_kk.as_deref()).to_string())
                .unwrap_or_default(),
            None => String::new(),
        };
        let deviation = node.received - node.plan_period;
        if node.level == 0 {
            for (s, v) in
                sums.iter_mut()
                    .zip([node.plan_year, node.plan_period, node.received, deviation])
            {
                *s += v;
            }
        }
        if node.level < 2 {
            table.strong_rows.push(table.rows.len());
        }
        table.rows.push(vec![
            Cell::Text(node.code),
            Cell::Text(name),
            Cell::Money(node.plan_year),
            Cell::Money(node.plan_period),
            Cell::Money(node.received),
            Cell::Money(deviation),
            percent(node.received, node.plan_period),
        ]);
    }
    let mut total = total_row(tr, 1, sums);
    total.push(percent(sums[2], sums[1]));
    table.total = Some(total);
    Ok(table)
}
