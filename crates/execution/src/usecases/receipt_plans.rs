//! Plans of receipts (EX-1) for the API, the pages and the reports: made by the budget's
//! authorized body for a year from the approved amounts of its receipts codes (spread evenly
//! over the months), shaped month by month, approved by whoever approves for the body; and
//! their execution set against the Treasury's form 2-19.

use super::naming::{receipt_name, receipt_names};
use crate::even_months;
use crate::receipt_plans::{self, ReceiptPlan, ReceiptRefusal};
use crate::receipts::{ReceiptKind, ReceiptLine, ReceiptPlanError, receipts_execution};
use crate::treasury::ReceiptRow;
use crate::treasury_store;
use crate::usecases::treasury::percent;
use chrono::{Datelike, NaiveDate};
use jospar_access::Principal;
use jospar_access::Reader;
use jospar_access::Right;
use jospar_access::{Error, Result};
use jospar_classification::repo::CodeNames;
use jospar_classification::{CodeKind, repo as ebk};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_reports::{Cell, Table};
use jospar_store::Db;

fn invalid(key: &'static str, args: Vec<(&'static str, String)>, field: String) -> Error {
    Error::Invalid {
        key,
        args,
        field: Some(field),
    }
}

fn rules_error(e: ReceiptPlanError) -> Error {
    match e {
        ReceiptPlanError::Empty => Error::invalid("err-required", "lines"),
        ReceiptPlanError::BadCode { line, code } => invalid(
            "err-receipt-code",
            vec![("line", line.to_string()), ("code", code)],
            format!("lines[{line}]"),
        ),
        ReceiptPlanError::Duplicate { code } => {
            invalid("err-receipt-duplicate", vec![("code", code.clone())], code)
        }
        ReceiptPlanError::AnnualTotal {
            code,
            months,
            annual,
        } => invalid(
            "err-receipt-annual",
            vec![
                ("code", code.clone()),
                ("months", months.to_string()),
                ("annual", annual.to_string()),
            ],
            code,
        ),
        ReceiptPlanError::Negative {
            code,
            month,
            amount,
        } => invalid(
            "err-receipt-negative",
            vec![
                ("code", code.clone()),
                ("month", month.to_string()),
                ("amount", amount.to_string()),
            ],
            format!("{code}, month {month}"),
        ),
    }
}

fn refusal(e: ReceiptRefusal) -> Error {
    match e {
        ReceiptRefusal::Repo(crate::repo::RepoError::Store(s)) => s.into(),
        ReceiptRefusal::Repo(other) => Error::Internal(other.to_string()),
        ReceiptRefusal::Rules(e) => rules_error(e),
        ReceiptRefusal::Stale => Error::Stale,
        ReceiptRefusal::WrongStatus(s) => invalid(
            "err-plan-status",
            vec![("status", s.code().to_string())],
            "status".into(),
        ),
        ReceiptRefusal::Exists => Error::invalid("err-receipt-exists", "year"),
    }
}

/// A plan of receipts the caller may read.
pub async fn readable(db: &Db, reader: &Reader<'_>, id: i64) -> Result<ReceiptPlan> {
    let plan = receipt_plans::receipt_plan(db, id)
        .await
        .map_err(|e| refusal(e.into()))?
        .ok_or(Error::NotFound)?;
    reader.require_read(plan.org_id)?;
    Ok(plan)
}

/// Filters of the list of plans of receipts (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptPlanFilter {
    /// Plans of this organisation and of everything below it.
    pub within: Option<i64>,
    pub year: Option<i32>,
    pub status: Option<crate::plans::PlanStatus>,
    /// Plans holding receipts of this kind.
    pub kind: Option<ReceiptKind>,
    /// The plan's annual receipts from and to (inclusive).
    pub min: Option<Tenge>,
    pub max: Option<Tenge>,
}

impl ReceiptPlanFilter {
    fn keeps(&self, plan: &ReceiptPlan, within: Option<&std::collections::HashSet<i64>>) -> bool {
        let total = plan.annual_total();
        within.is_none_or(|ids| ids.contains(&plan.org_id))
            && self.year.is_none_or(|y| y == plan.year)
            && self.status.is_none_or(|s| s == plan.status)
            && self.kind.is_none_or(|k| {
                plan.lines
                    .iter()
                    .any(|l| ReceiptKind::of(&l.code) == Some(k))
            })
            && self.min.is_none_or(|min| total >= min)
            && self.max.is_none_or(|max| total <= max)
    }
}

/// A row of the list of plans of receipts: the plan without its lines, its annual receipts and
/// its organisation's name in the reader's language.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ReceiptPlanListRow {
    pub id: i64,
    pub org_id: i64,
    pub year: i32,
    pub status: crate::plans::PlanStatus,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The receipts codes of the plan.
    pub codes: usize,
    /// The plan's receipts for the year, all codes together.
    pub annual: Tenge,
    pub org_name: String,
}

impl jospar_core::listing::Listable for ReceiptPlanListRow {
    fn search_text(&self) -> String {
        format!("{} {}", self.org_name, self.year)
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "org" => SortKey::text(&self.org_name),
            "year" => SortKey::Number(i64::from(self.year)),
            "status" => SortKey::Text(self.status.code().into()),
            "codes" => SortKey::Number(self.codes as i64),
            "amount" => SortKey::Number(self.annual.tiyn()),
            "date" => SortKey::Number(self.updated_at.timestamp_micros()),
            _ => return None,
        })
    }
}

/// The list of plans of receipts (issue 20): the plans the caller reads, newest year first
/// unless sorted, filtered, searched and cut to a page.
pub async fn list_receipt_plans(
    db: &Db,
    p: &Principal,
    lang: &str,
    filter: &ReceiptPlanFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<ReceiptPlanListRow>> {
    let names: std::collections::HashMap<i64, String> =
        jospar_org::repo::org_names(db, lang).await?;
    let within: Option<std::collections::HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let rows = receipt_plans::receipt_plans(db)
        .await
        .map_err(|e| refusal(e.into()))?
        .into_iter()
        .filter(|plan| p.can(Right::Read, plan.org_id) && filter.keeps(plan, within.as_ref()))
        .map(|plan| ReceiptPlanListRow {
            id: plan.id,
            org_id: plan.org_id,
            year: plan.year,
            status: plan.status,
            updated_at: plan.updated_at,
            codes: plan.lines.len(),
            annual: plan.annual_total(),
            org_name: names.get(&plan.org_id).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

/// Every code's subclass must be in the classification of the plan's year.
async fn check_codes(db: &Db, year: i32, lines: &[ReceiptLine]) -> Result<()> {
    crate::receipts::check_receipt_plan(lines).map_err(rules_error)?;
    let year = crate::usecases::treasury::classification_year(db, year).await?;
    for (index, line) in lines.iter().enumerate() {
        if ebk::get(db, year, CodeKind::ReceiptSubclass, &line.subclass())
            .await?
            .is_none()
        {
            return Err(invalid(
                "err-receipt-unknown",
                vec![
                    ("line", (index + 1).to_string()),
                    ("code", line.code.clone()),
                    ("year", year.to_string()),
                ],
                format!("lines[{}]", index + 1),
            ));
        }
    }
    Ok(())
}

/// What the caller may do with a plan of receipts: shape and approve a draft, or explain a
/// shortfall once it is approved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReceiptPlanActions {
    pub edit: bool,
    pub approve: bool,
    pub explain: bool,
}

pub fn actions(p: &Principal, plan: &ReceiptPlan) -> ReceiptPlanActions {
    let draft = plan.status == crate::plans::PlanStatus::Draft;
    ReceiptPlanActions {
        edit: draft && p.can(Right::Enter, plan.org_id),
        approve: draft && p.can(Right::Approve, plan.org_id),
        explain: !draft && p.can(Right::Enter, plan.org_id),
    }
}

/// The organisations that may make a plan of receipts: a budget's authorized bodies (finance
/// departments) where the caller enters data.
pub async fn planning_bodies(db: &Db, p: &Principal) -> Result<Vec<jospar_org::Org>> {
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter(|o| o.kind == jospar_org::OrgKind::AuthorizedBody && p.can(Right::Enter, o.id))
        .collect())
}

/// A draft plan of receipts of an organisation (enter right) for a year: each code with its
/// approved annual amount, spread evenly over the months.
pub async fn create(
    db: &Db,
    p: &Principal,
    org_id: i64,
    year: i32,
    annual: &[(String, Tenge)],
) -> Result<ReceiptPlan> {
    p.require(Right::Enter, org_id)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("err-year", "year"));
    }
    let lines: Vec<ReceiptLine> = annual
        .iter()
        .map(|(code, amount)| ReceiptLine {
            code: code.trim().to_string(),
            annual: *amount,
            months: even_months(*amount),
        })
        .collect();
    check_codes(db, year, &lines).await?;
    receipt_plans::create(db, &p.who(), org_id, year, &lines)
        .await
        .map_err(refusal)
}

/// Saves a draft's months (and annual amounts) at the version the user saw.
pub async fn save(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    lines: &[ReceiptLine],
) -> Result<ReceiptPlan> {
    let plan = readable(db, &Reader::User(p), id).await?;
    p.require(Right::Enter, plan.org_id)?;
    check_codes(db, plan.year, lines).await?;
    receipt_plans::save_lines(db, &p.who(), &plan, version, lines)
        .await
        .map_err(refusal)
}

/// Approves a draft: the approve right on the organisation whose plan it is.
pub async fn approve(db: &Db, p: &Principal, id: i64, version: i64) -> Result<ReceiptPlan> {
    let plan = readable(db, &Reader::User(p), id).await?;
    p.require(Right::Approve, plan.org_id)?;
    receipt_plans::approve(db, &p.who(), &plan, version)
        .await
        .map_err(refusal)
}

fn kind_name(tr: &Tr, code: &str) -> String {
    ReceiptKind::of(code)
        .map(|k| tr.t(&format!("receipt-kind-{}", k.code())))
        .unwrap_or_default()
}

/// The plan of receipts by month (EX-1), with a subtotal by kind.
pub async fn receipt_plan_table(db: &Db, tr: &Tr, reader: &Reader<'_>, id: i64) -> Result<Table> {
    let plan = readable(db, reader, id).await?;
    let subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, plan.org_id).await?,
        tr.t(&format!("plan-status-{}", plan.status.code())),
    ];
    let title = tr.args(
        "report-receipt-plan-title",
        &[("year", plan.year.to_string())],
    );
    let names = receipt_names(db, plan.year).await?;
    Ok(receipts_by_month(tr, &names, title, subtitle, &plan.lines))
}

/// Receipts codes by kind (revenues, loan repayments, sales of financial assets, borrowing)
/// with the annual amount and the twelve months, and the total.
fn receipts_by_month(
    tr: &Tr,
    names: &CodeNames,
    title: String,
    subtitle: Vec<String>,
    lines: &[ReceiptLine],
) -> Table {
    let mut headers = vec![
        tr.t("receipt-col-code"),
        tr.t("receipt-col-name"),
        tr.t("receipt-col-kind"),
        tr.t("receipt-col-annual"),
    ];
    headers.extend((1..=12).map(|m| tr.t(&format!("month-{m}"))));
    let mut table = Table {
        title,
        subtitle,
        headers,
        numbered: true,
        ..Table::default()
    };
    let mut total = [Tenge::ZERO; 13];
    for kind in ReceiptKind::ALL {
        for line in lines
            .iter()
            .filter(|l| ReceiptKind::of(&l.code) == Some(kind))
        {
            let mut row = vec![
                Cell::Text(line.code.clone()),
                Cell::Text(receipt_name(names, tr, &line.code)),
                Cell::Text(kind_name(tr, &line.code)),
                Cell::Money(line.annual),
            ];
            row.extend(line.months.iter().map(|m| Cell::Money(*m)));
            total[0] += line.annual;
            for (t, m) in total[1..].iter_mut().zip(line.months) {
                *t += m;
            }
            table.rows.push(row);
        }
    }
    let mut total_row = vec![
        Cell::Text(tr.t("total")),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
    ];
    total_row.extend(total.iter().map(|t| Cell::Money(*t)));
    table.total = Some(total_row);
    table
}

/// The approved plans of receipts of a year of the organisations in a subtree.
pub async fn approved_receipt_plans(
    db: &Db,
    tree: &jospar_org::OrgTree,
    root: i64,
    year: i32,
) -> Result<Vec<ReceiptPlan>> {
    Ok(receipt_plans::receipt_plans(db)
        .await
        .map_err(|e| refusal(e.into()))?
        .into_iter()
        .filter(|plan| {
            plan.year == year
                && plan.status == crate::plans::PlanStatus::Approved
                && tree.is_within(plan.org_id, root)
        })
        .collect())
}

/// Reports 55–56 (appendices 14–15 of order No. 540): the consolidated plan of receipts of a
/// subtree — its approved plans of receipts of the year added up code by code, by month.
pub async fn consolidated_receipt_plan_table(
    db: &Db,
    tr: &Tr,
    tree: &jospar_org::OrgTree,
    reader: &Reader<'_>,
    root: i64,
    year: i32,
) -> Result<Table> {
    reader.require_read(root)?;
    let plans = approved_receipt_plans(db, tree, root, year).await?;
    let mut by_code: std::collections::BTreeMap<String, ReceiptLine> = Default::default();
    for line in plans.iter().flat_map(|p| &p.lines) {
        let sum = by_code
            .entry(line.code.clone())
            .or_insert_with(|| ReceiptLine {
                code: line.code.clone(),
                annual: Tenge::ZERO,
                months: [Tenge::ZERO; 12],
            });
        sum.annual += line.annual;
        for (s, m) in sum.months.iter_mut().zip(line.months) {
            *s += m;
        }
    }
    let lines: Vec<ReceiptLine> = by_code.into_values().collect();
    let subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, root).await?,
        year.to_string(),
        tr.args(
            "analytics-receipt-plans-count",
            &[("count", plans.len().to_string())],
        ),
    ];
    let names = receipt_names(db, year).await?;
    Ok(receipts_by_month(
        tr,
        &names,
        tr.t("report-consolidated-receipt-plan"),
        subtitle,
        &lines,
    ))
}

/// Receipts to the report date of form 2-19 against the plan of receipts (reports 20–21 of
/// the specification): each code's annual plan, its plan from January to the report's month,
/// what was received, the deviation and the percentage; codes received but not planned too.
pub async fn receipts_execution_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    plan_id: i64,
    f219: i64,
) -> Result<Table> {
    execution_against_plan(db, tr, reader, plan_id, f219, false).await
}

/// Report 24 (appendix 2 of order No. 629): the reasons the plan of receipts was not fulfilled
/// in the reporting period — every code received short of its plan to the report's month,
/// with the reason given for it; codes still without a reason are counted under the table.
pub async fn receipts_shortfall_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    plan_id: i64,
    f219: i64,
) -> Result<Table> {
    execution_against_plan(db, tr, reader, plan_id, f219, true).await
}

async fn execution_against_plan(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    plan_id: i64,
    f219: i64,
    shortfall: bool,
) -> Result<Table> {
    let plan = readable(db, reader, plan_id).await?;
    let (head, rows) =
        treasury_store::report::<ReceiptRow>(db, f219, crate::usecases::treasury::FORM_219)
            .await
            .map_err(|e| refusal(e.into()))?
            .ok_or(Error::NotFound)?;
    reader.require_read(head.org_id)?;
    let month = report_month(plan.year, head.report_date)?;
    let names = receipt_names(db, plan.year).await?;
    let received: Vec<(String, Tenge)> =
        rows.iter().map(|r| (r.code.clone(), r.received)).collect();
    let mut compared = receipts_execution(&plan.lines, &received, month);
    let period = format!("{}-{month:02}", plan.year);
    let reasons: std::collections::HashMap<String, String> = if shortfall {
        compared.retain(|c| c.deviation() < Tenge::ZERO);
        receipt_plans::shortfall_reasons(db, plan.id, &period)
            .await
            .map_err(|e| refusal(e.into()))?
            .into_iter()
            .map(|r| (r.code, r.reason))
            .collect()
    } else {
        Default::default()
    };
    let mut table = Table {
        title: tr.t(if shortfall {
            "report-receipts-shortfall"
        } else {
            "report-receipts-execution"
        }),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, plan.org_id).await?,
            tr.args(
                "receipts-execution-subtitle",
                &[
                    ("year", plan.year.to_string()),
                    ("date", head.report_date.to_string()),
                    ("file", head.file_name.clone()),
                ],
            ),
        ],
        headers: [
            "receipt-col-code",
            "receipt-col-name",
            "receipt-col-kind",
            "receipt-col-annual",
            "receipt-col-planned",
            "receipt-col-received",
            "receipt-col-deviation",
            "exec-col-percent-period",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let mut total = [Tenge::ZERO; 4];
    for c in &compared {
        let values = [c.annual, c.planned, c.received, c.deviation()];
        for (t, v) in total.iter_mut().zip(values) {
            *t += v;
        }
        if c.deviation() < Tenge::ZERO && !shortfall {
            table.strong_rows.push(table.rows.len());
        }
        let mut row = vec![
            Cell::Text(c.code.clone()),
            Cell::Text(receipt_name(&names, tr, &c.code)),
            Cell::Text(kind_name(tr, &c.code)),
        ];
        row.extend(values.iter().map(|v| Cell::Money(*v)));
        row.push(percent(c.received, c.planned));
        if shortfall {
            match reasons.get(&c.code) {
                Some(reason) => row.push(Cell::Text(reason.clone())),
                None => {
                    table.strong_rows.push(table.rows.len());
                    row.push(Cell::Text(tr.t("receipts-no-reason")));
                }
            }
        }
        table.rows.push(row);
    }
    let mut total_row = vec![
        Cell::Text(tr.t("total")),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
    ];
    total_row.extend(total.iter().map(|t| Cell::Money(*t)));
    total_row.push(percent(total[2], total[1]));
    if shortfall {
        table.headers.push(tr.t("receipts-col-reason"));
        total_row.push(Cell::Text(String::new()));
        let missing = compared
            .iter()
            .filter(|c| !reasons.contains_key(&c.code))
            .count();
        table.footer.push(tr.args(
            "receipts-reasons-missing",
            &[("count", missing.to_string()), ("month", period)],
        ));
    }
    table.total = Some(total_row);
    Ok(table)
}

/// Gives the reason a code of an approved plan fell short in a reporting period ("2027-03").
pub async fn set_shortfall_reason(
    db: &Db,
    p: &Principal,
    plan_id: i64,
    month: &str,
    code: &str,
    reason: &str,
) -> Result<receipt_plans::ShortfallReason> {
    let plan = readable(db, &Reader::User(p), plan_id).await?;
    p.require(Right::Enter, plan.org_id)?;
    if plan.status != crate::plans::PlanStatus::Approved {
        return Err(invalid(
            "err-plan-status",
            vec![("status", plan.status.code().to_string())],
            "status".into(),
        ));
    }
    let period = crate::portal::Month::parse(month)
        .filter(|m| m.year == plan.year)
        .ok_or_else(|| {
            invalid(
                "err-receipt-reason-month",
                vec![
                    ("month", month.to_string()),
                    ("year", plan.year.to_string()),
                ],
                "month".into(),
            )
        })?;
    if !plan.lines.iter().any(|l| l.code == code) {
        return Err(invalid(
            "err-receipt-reason-code",
            vec![("code", code.to_string())],
            "code".into(),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    receipt_plans::set_shortfall_reason(db, &p.who(), &plan, &period.to_string(), code, reason)
        .await
        .map_err(|e| refusal(e.into()))
}

/// The month a form's report date closes: a form at 1 April covers January–March, one at
/// 31 March too. The form must be of the plan's year.
fn report_month(year: i32, date: NaiveDate) -> Result<usize> {
    let closed = if date.day() == 1 {
        date.pred_opt().unwrap_or(date)
    } else {
        date
    };
    if closed.year() != year {
        return Err(invalid(
            "err-receipt-year",
            vec![("date", date.to_string()), ("year", year.to_string())],
            "f219".into(),
        ));
    }
    Ok(closed.month() as usize)
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use crate::plans::PlanStatus;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    fn plan(status: PlanStatus) -> ReceiptPlan {
        ReceiptPlan {
            id: 1,
            org_id: 1,
            year: 2027,
            status,
            lines: Vec::new(),
            version: 1,
            updated_at: chrono::Utc::now(),
            approved_by: None,
            approved_at: None,
        }
    }

    #[test]
    fn the_finance_department_shapes_approves_and_explains_its_plan_of_receipts() {
        let planner = principal(1, &[(Role::Planner, 1)], REGION);
        let auditor = principal(1, &[(Role::Auditor, 1)], REGION);
        let administrator = principal(2, &[(Role::Abp, 2)], REGION);
        assert_eq!(
            actions(&planner, &plan(PlanStatus::Draft)),
            ReceiptPlanActions {
                edit: true,
                approve: true,
                explain: false
            }
        );
        assert_eq!(
            actions(&planner, &plan(PlanStatus::Approved)),
            ReceiptPlanActions {
                edit: false,
                approve: false,
                explain: true
            }
        );
        assert_eq!(
            actions(&auditor, &plan(PlanStatus::Draft)),
            ReceiptPlanActions::default()
        );
        assert_eq!(
            actions(&administrator, &plan(PlanStatus::Draft)),
            ReceiptPlanActions::default()
        );
    }
}
