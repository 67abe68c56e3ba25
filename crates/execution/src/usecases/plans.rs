//! Individual financing plans (EX-1, EX-2, EX-6) for the API: made from an institution's
//! approved budget request, shaped month by month as a draft, approved by the authorised
//! person of the organisation above, then changed only by dated documents with a reason.

use crate::analysis::{month_sums, months_of};
use crate::plans::{self, Plan, PlanRefusal};
use crate::{Basis, ChangeDoc, ChangeError, PlanError, PlanLine, even_months};
use chrono::NaiveDate;
use jospar_access::Principal;
use jospar_access::Reader;
use jospar_access::Right;
use jospar_access::{Error, Result};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_planning::Status;
use jospar_reports::{Cell, Table};
use jospar_store::Db;
use std::collections::HashMap;

fn invalid(key: &'static str, args: Vec<(&'static str, String)>, field: &str) -> Error {
    Error::Invalid {
        key,
        args,
        field: Some(field.to_string()),
    }
}

fn rules_error(e: PlanError, index: Option<usize>) -> Error {
    let field = |line: &str, month: usize| match index {
        Some(i) => format!("moves[{i}]: {line}, month {month}"),
        None => format!("{line}, month {month}"),
    };
    match e {
        PlanError::AnnualTotal {
            line,
            basis,
            months,
            approved,
        } => invalid(
            "err-plan-annual",
            vec![
                ("line", line.clone()),
                ("basis", format!("{basis:?}").to_lowercase()),
                ("months", months.to_string()),
                ("approved", approved.to_string()),
            ],
            &line,
        ),
        PlanError::PaymentsAhead {
            line,
            month,
            obligations,
            payments,
        } => invalid(
            "err-plan-ahead",
            vec![
                ("line", line.clone()),
                ("month", month.to_string()),
                ("obligations", obligations.to_string()),
                ("payments", payments.to_string()),
            ],
            &field(&line, month),
        ),
        PlanError::Negative {
            line,
            month,
            amount,
        } => invalid(
            "err-plan-negative",
            vec![
                ("line", line.clone()),
                ("month", month.to_string()),
                ("amount", amount.to_string()),
            ],
            &field(&line, month),
        ),
        PlanError::NotEnough {
            line,
            month,
            amount,
        } => invalid(
            "err-plan-not-enough",
            vec![
                ("line", line.clone()),
                ("month", month.to_string()),
                ("amount", amount.to_string()),
            ],
            &field(&line, month),
        ),
    }
}

pub(crate) fn refusal(e: PlanRefusal) -> Error {
    match e {
        PlanRefusal::Repo(r) => match r {
            crate::repo::RepoError::Store(s) => s.into(),
            other => Error::Internal(other.to_string()),
        },
        PlanRefusal::Rules(e) => rules_error(e, None),
        PlanRefusal::Change(ChangeError::Plan { index, error }) => rules_error(error, Some(index)),
        PlanRefusal::Change(ChangeError::NoReason) => Error::invalid("err-required", "reason"),
        PlanRefusal::Change(ChangeError::NoMoves) => Error::invalid("err-required", "moves"),
        PlanRefusal::Change(ChangeError::UnknownLine { index, expense_id }) => invalid(
            "err-plan-unknown-line",
            vec![("expense_id", expense_id.to_string())],
            &format!("moves[{index}]"),
        ),
        PlanRefusal::Change(ChangeError::BadMonth { index, month }) => invalid(
            "err-plan-month",
            vec![("month", month.to_string())],
            &format!("moves[{index}]"),
        ),
        PlanRefusal::Change(ChangeError::NotPositive { index }) => {
            Error::invalid("err-plan-amount", &format!("moves[{index}]"))
        }
        PlanRefusal::Stale => Error::Stale,
        PlanRefusal::WrongStatus(s) => invalid(
            "err-plan-status",
            vec![("status", s.code().to_string())],
            "status",
        ),
        PlanRefusal::Exists => Error::invalid("err-plan-exists", "year"),
    }
}

/// A plan the caller may read.
pub async fn readable(db: &Db, p: &Principal, id: i64) -> Result<Plan> {
    let plan = plans::plan(db, id)
        .await
        .map_err(|e| refusal(e.into()))?
        .ok_or(Error::NotFound)?;
    p.require(Right::Read, plan.org_id)?;
    Ok(plan)
}

/// Filters of the financing plans list (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFilter {
    /// Plans of this organisation and of everything below it.
    pub within: Option<i64>,
    pub year: Option<i64>,
    /// draft or approved.
    pub status: Option<String>,
}

/// A row of the financing plans list: the plan, its number as people read it (ПФ-2027: one
/// plan an organisation a year) and its organisation's name in the reader's language.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PlanListRow {
    #[serde(flatten)]
    pub plan: plans::PlanSummary,
    pub number_label: String,
    pub org_name: String,
}

impl jospar_core::listing::Listable for PlanListRow {
    fn search_text(&self) -> String {
        format!("{} {}", self.number_label, self.org_name)
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "org" => SortKey::text(&self.org_name),
            "year" => SortKey::Number(self.plan.year),
            "status" => SortKey::Text(self.plan.status.clone()),
            "date" => SortKey::Number(self.plan.updated_at.timestamp_micros()),
            _ => return None,
        })
    }
}

/// The financing plans of the organisations the user enters data for, counted by state (draft,
/// approved) for the start page (issue 20).
pub async fn my_plan_counts(db: &Db, p: &Principal) -> Result<Vec<(String, usize)>> {
    let plans = plans::plan_summaries(db)
        .await
        .map_err(|e| refusal(e.into()))?;
    Ok(["draft", "approved"]
        .into_iter()
        .map(|status| {
            let count = plans
                .iter()
                .filter(|plan| plan.status == status && p.can(Right::Enter, plan.org_id))
                .count();
            (status.to_string(), count)
        })
        .collect())
}

/// The financing plans list (issue 20): the plans the caller reads, newest year first unless
/// sorted, filtered and cut to a page.
pub async fn list_plans(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    filter: &PlanFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<PlanListRow>> {
    let lang = tr.lang();
    let prefix = tr.t("plan-number-prefix");
    let names: HashMap<i64, String> = jospar_org::repo::org_names(db, lang).await?;
    let within: Option<std::collections::HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let rows = plans::plan_summaries(db)
        .await
        .map_err(|e| refusal(e.into()))?
        .into_iter()
        .filter(|plan| p.can(Right::Read, plan.org_id))
        .filter(|plan| within.as_ref().is_none_or(|ids| ids.contains(&plan.org_id)))
        .filter(|plan| filter.year.is_none_or(|y| y == plan.year))
        .filter(|plan| filter.status.as_ref().is_none_or(|s| *s == plan.status))
        .map(|plan| PlanListRow {
            number_label: format!("{prefix}-{}", plan.year),
            org_name: names.get(&plan.org_id).cloned().unwrap_or_default(),
            plan,
        })
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

/// The plans of the organisations the caller may read: (id, organisation, year).
pub async fn list(db: &Db, p: &Principal) -> Result<Vec<(i64, i64, i64)>> {
    Ok(plans::plan_ids(db)
        .await
        .map_err(|e| refusal(e.into()))?
        .into_iter()
        .filter(|(_, org, _)| p.can(Right::Read, *org))
        .collect())
}

/// A draft plan of the year from the institution's approved request: each line's annual
/// amount spread evenly over the months, by obligations and by payments alike.
pub async fn create_from_request(
    db: &Db,
    p: &Principal,
    request_id: i64,
    year: i32,
) -> Result<Plan> {
    let request = jospar_planning::repo::request(db, request_id)
        .await?
        .ok_or_else(|| Error::invalid("err-unknown-value", "request_id"))?;
    p.require(Right::Enter, request.org_id)?;
    if request.status != Status::Approved {
        return Err(Error::invalid("err-plan-request", "request_id"));
    }
    let lines: Vec<PlanLine> = jospar_planning::repo::lines(db, request_id)
        .await?
        .into_iter()
        .filter_map(|l| {
            let approved = *l.amounts.get(&year)?;
            (approved.tiyn() != 0).then(|| PlanLine {
                expense_id: l.expense_id,
                program: l.program,
                subprogram: l.subprogram,
                specific: l.specific,
                approved,
                obligations: even_months(approved),
                payments: even_months(approved),
            })
        })
        .collect();
    if lines.is_empty() {
        return Err(Error::invalid("err-plan-no-lines", "year"));
    }
    within_budget_version(db, p, request.org_id, year, None, &lines).await?;
    plans::create_plan(db, &p.who(), request.org_id, request_id, year, &lines)
        .await
        .map_err(refusal)
}

/// Financing plans are reconciled with the budget version in force (issue 22): for each
/// program of this plan, the annual amounts of the submitted and approved plans of the year
/// under the same administrator and budget, with this one, stay within the program's amount
/// in that version. The refusal names the decision. Before a budget has a version, nothing is
/// checked. Checked on creating, submitting and approving, outside their transaction: two
/// approvals at the same moment could together pass the amount (the consolidated plan shows it).
async fn within_budget_version(
    db: &Db,
    p: &Principal,
    org_id: i64,
    year: i32,
    plan_id: Option<i64>,
    lines: &[PlanLine],
) -> Result<()> {
    let Some(org) = jospar_org::repo::get_org(db, org_id).await? else {
        return Ok(());
    };
    let Some(version) =
        jospar_budget::usecases::version_in_force(db, org.budget_id, year, p.today).await?
    else {
        return Ok(());
    };
    let abps = jospar_budget::usecases::administrators(db).await?;
    let Some(abp) = abps.get(&org_id) else {
        return Ok(());
    };
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let same_budget_and_abp = |other: i64| {
        abps.get(&other) == Some(abp)
            && orgs
                .get(&other)
                .is_some_and(|o| o.budget_id == org.budget_id)
    };
    let mut planned: std::collections::BTreeMap<&str, Tenge> = Default::default();
    for line in lines {
        *planned.entry(line.program.as_str()).or_insert(Tenge::ZERO) += line.approved;
    }
    let others = plans::plans_of_year(db, year)
        .await
        .map_err(|e| refusal(e.into()))?;
    let mut totals = planned.clone();
    for (_, _, lines) in others
        .iter()
        .filter(|(id, other, _)| Some(*id) != plan_id && same_budget_and_abp(*other))
    {
        for line in lines {
            if let Some(total) = totals.get_mut(line.program.as_str()) {
                *total += line.approved;
            }
        }
    }
    for (program, total) in totals {
        let allowed = version
            .amounts
            .get(&(abp.clone(), program.to_string()))
            .copied()
            .unwrap_or(Tenge::ZERO);
        if total > allowed {
            return Err(Error::invalid_with(
                "err-plan-beyond-budget",
                "lines",
                vec![
                    ("abp", abp.clone()),
                    ("program", program.to_string()),
                    ("planned", total.to_string()),
                    ("allowed", allowed.to_string()),
                    ("kind", version.act.kind.code().to_string()),
                    ("number", version.act.number.clone()),
                    ("date", version.act.act_date.format("%d.%m.%Y").to_string()),
                ],
            ));
        }
    }
    Ok(())
}

/// Saves a draft's months; the lines (codes, approved amounts) stay those of the request.
pub async fn save_months(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    months: &[PlanLine],
) -> Result<Plan> {
    let plan = readable(db, p, id).await?;
    p.require(Right::Enter, plan.org_id)?;
    let mut lines = plan.lines.clone();
    for given in months {
        let line = lines
            .iter_mut()
            .find(|l| l.expense_id == given.expense_id)
            .ok_or_else(|| {
                invalid(
                    "err-plan-unknown-line",
                    vec![("expense_id", given.expense_id.to_string())],
                    "lines",
                )
            })?;
        line.obligations = given.obligations;
        line.payments = given.payments;
    }
    plans::save_lines(db, &p.who(), &plan, version, &lines)
        .await
        .map_err(refusal)
}

/// The organisation whose authorised person approves a plan: the one above the institution
/// (its administrator), or the institution itself when it has none.
pub fn approver_of(p: &Principal, plan: &Plan) -> i64 {
    p.tree
        .ancestors(plan.org_id)
        .first()
        .copied()
        .unwrap_or(plan.org_id)
}

/// What the caller may do with a plan: shape a draft's months, approve it (the organisation
/// above), or register a change document once it is approved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanActions {
    pub edit: bool,
    /// Submit the draft to the organisation above (issue 21).
    pub submit: bool,
    /// Approve a submitted plan, or return it to its draft with a reason.
    pub approve: bool,
    pub change: bool,
}

pub fn actions(p: &Principal, plan: &Plan) -> PlanActions {
    let draft = plan.status == plans::PlanStatus::Draft;
    let submitted = plan.status == plans::PlanStatus::Submitted;
    let approved = plan.status == plans::PlanStatus::Approved;
    let enters = p.can(Right::Enter, plan.org_id);
    PlanActions {
        edit: draft && enters,
        submit: draft && enters,
        approve: submitted && p.can(Right::Approve, approver_of(p, plan)),
        change: approved && enters,
    }
}

/// Submits a draft for approval by the organisation above (issue 21).
pub async fn submit(db: &Db, p: &Principal, id: i64, version: i64) -> Result<Plan> {
    let plan = readable(db, p, id).await?;
    p.require(Right::Enter, plan.org_id)?;
    within_budget_version(db, p, plan.org_id, plan.year, Some(plan.id), &plan.lines).await?;
    plans::move_plan(
        db,
        &p.who(),
        &plan,
        version,
        plans::PlanStatus::Submitted,
        None,
    )
    .await
    .map_err(refusal)
}

/// Returns a submitted plan to its draft, with the reason, by the organisation that approves.
pub async fn return_plan(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    reason: &str,
) -> Result<Plan> {
    let plan = readable(db, p, id).await?;
    p.require(Right::Approve, approver_of(p, &plan))?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    plans::move_plan(
        db,
        &p.who(),
        &plan,
        version,
        plans::PlanStatus::Draft,
        Some(reason),
    )
    .await
    .map_err(refusal)
}

/// The approved requests a plan may be made from: those of organisations where the caller
/// enters data.
pub async fn plannable_requests(db: &Db, p: &Principal) -> Result<Vec<jospar_planning::Request>> {
    Ok(jospar_planning::usecases::visible_requests(db, p)
        .await?
        .into_iter()
        .filter(|r| r.status == Status::Approved && p.can(Right::Enter, r.org_id))
        .collect())
}

/// The bytes the approver signs (P-9) for a plan the caller may read.
pub async fn signing_data(db: &Db, p: &Principal, id: i64) -> Result<(Plan, Vec<u8>)> {
    let plan = readable(db, p, id).await?;
    let data = plans::canonical_bytes(&plan);
    Ok((plan, data))
}

/// Approves a draft (EX-6) with the EDS of the authorised person of the organisation above,
/// over the plan's canonical bytes at `version`; signature and approval are written together.
pub async fn approve(
    db: &Db,
    signing: &jospar_eds::Signing,
    p: &Principal,
    id: i64,
    version: i64,
    cms_text: &str,
) -> Result<Plan> {
    let plan = readable(db, p, id).await?;
    let approver = approver_of(p, &plan);
    p.require(Right::Approve, approver)?;
    if plan.status != plans::PlanStatus::Submitted {
        return Err(refusal(PlanRefusal::WrongStatus(plan.status)));
    }
    if plan.version != version {
        return Err(Error::Stale);
    }
    within_budget_version(db, p, plan.org_id, plan.year, Some(plan.id), &plan.lines).await?;
    let data = plans::canonical_bytes(&plan);
    let bin = jospar_org::repo::get_org(db, approver)
        .await?
        .and_then(|o| o.bin);
    let verified =
        jospar_planning::usecases::verify_signature(signing, p, cms_text, &data, bin.as_deref())
            .await?;
    let signature = plans::PlanSignature {
        plan_version: version,
        data_sha256: jospar_eds::sha256_hex(&data),
        data: verified.data,
        cms: verified.cms,
        signer_iin: verified.signer_iin,
        signer_bin: verified.signer_bin,
        signer_name: verified.signer_name,
        cert_serial: verified.cert_serial,
        cert_not_after: verified.cert_not_after,
        signed_by: p.user.login.clone(),
        signed_at: chrono::Utc::now(),
    };
    plans::approve(db, &p.who(), &plan, version, &signature)
        .await
        .map_err(refusal)
}

/// The approval signatures of a plan the caller may read.
pub async fn signatures(db: &Db, p: &Principal, id: i64) -> Result<Vec<plans::PlanSignature>> {
    readable(db, p, id).await?;
    plans::signatures(db, id)
        .await
        .map_err(|e| refusal(e.into()))
}

/// Adds a dated change document to an approved plan.
pub async fn add_change(db: &Db, p: &Principal, id: i64, doc: ChangeDoc) -> Result<Plan> {
    let plan = readable(db, p, id).await?;
    p.require(Right::Enter, plan.org_id)?;
    plans::add_change(db, &p.who(), &plan, doc)
        .await
        .map_err(refusal)
}

/// Which months a plan report shows.
pub(crate) fn basis_of(code: Option<&str>) -> Result<Basis> {
    match code.unwrap_or("payments") {
        "payments" => Ok(Basis::Payments),
        "obligations" => Ok(Basis::Obligations),
        other => Err(Error::Invalid {
            key: "err-report-param",
            args: vec![("field", "basis".into()), ("value", other.into())],
            field: Some("basis".into()),
        }),
    }
}

pub(crate) fn basis_label(tr: &Tr, basis: Basis) -> String {
    tr.t(&format!("plan-basis-{basis:?}").to_lowercase())
}

async fn plan_subtitle(db: &Db, tr: &Tr, plan: &Plan, basis: Basis) -> Result<Vec<String>> {
    let org = jospar_org::usecases::org_name(db, tr.0, plan.org_id).await?;
    Ok(vec![
        org,
        format!(
            "{} · {}",
            tr.t(&format!("plan-status-{}", plan.status.code())),
            basis_label(tr, basis)
        ),
    ])
}

/// The individual financing plan (order No. 540) by obligations or payments as of a date, in
/// the layout finance departments use (CODES.md §4.2): the institution's code, the line's
/// codes and the name of its specific, the plan for the year and the twelve months, "Всего"
/// and the place for the head's signature.
pub async fn plan_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    basis: Option<&str>,
    as_of: Option<NaiveDate>,
) -> Result<Table> {
    let plan = plans::plan(db, id)
        .await
        .map_err(|e| refusal(e.into()))?
        .ok_or(Error::NotFound)?;
    reader.require_read(plan.org_id)?;
    let basis = basis_of(basis)?;
    let date = as_of.unwrap_or(NaiveDate::MAX);
    let lines = plan
        .as_of(date)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let org = jospar_org::repo::get_org(db, plan.org_id).await?;
    let code = org.as_ref().and_then(|o| o.bin.clone()).unwrap_or_default();
    let mut header = plan_header(db, tr, plan.org_id, plan.year).await?;
    header.push(format!(
        "{} · {}",
        tr.t(&format!("plan-status-{}", plan.status.code())),
        basis_label(tr, basis)
    ));
    if let Some(d) = as_of {
        header.push(tr.args("plan-report-as-of", &[("date", d.to_string())]));
    }
    let rows = lines
        .iter()
        .map(|l| PlanRow {
            institution: code.clone(),
            codes: (l.program.clone(), l.subprogram.clone(), l.specific.clone()),
            annual: l.approved,
            months: months_of(l, basis),
        })
        .collect();
    plan_layout(db, tr, plan.year, basis, header, rows).await
}

/// One row of a financing plan's layout.
struct PlanRow {
    /// The institution's code (its BIN); empty in a consolidated plan.
    institution: String,
    codes: (String, String, String),
    annual: Tenge,
    months: [Tenge; 12],
}

/// The heading lines of a financing plan: the organisation, its budget, the period, the unit
/// and the administrator of budget programs above it.
async fn plan_header(db: &Db, tr: &Tr, org_id: i64, year: i32) -> Result<Vec<String>> {
    let lang = tr.lang();
    // Only the organisation and its ancestors are read: a region has thousands.
    let Some(org) = jospar_org::repo::get_org(db, org_id).await? else {
        return Ok(Vec::new());
    };
    let budget = jospar_org::repo::budgets(db)
        .await?
        .into_iter()
        .find(|b| b.id == org.budget_id)
        .map(|b| if lang == "kk" { b.name_kk } else { b.name_ru })
        .unwrap_or_default();
    let mut administrator = Some(org.clone());
    while let Some(o) = &administrator {
        if o.abp_code.is_some() {
            break;
        }
        administrator = match o.parent_id {
            Some(parent) => jospar_org::repo::get_org(db, parent).await?,
            None => None,
        };
    }
    let mut lines = vec![
        org.name(lang).to_string(),
        tr.args("plan-head-budget", &[("budget", budget)]),
        tr.args("plan-head-period", &[("year", year.to_string())]),
        tr.t("plan-head-unit"),
    ];
    if let Some(a) = administrator {
        lines.push(tr.args(
            "plan-head-abp",
            &[(
                "abp",
                format!(
                    "{} {}",
                    a.abp_code.clone().unwrap_or_default(),
                    a.name(lang)
                ),
            )],
        ));
    }
    Ok(lines)
}

/// A financing plan laid out: "План финансирования по … на … год", the heading lines, the rows
/// with the names of their specifics from the classification of the year, "Всего" and the head's
/// signature.
async fn plan_layout(
    db: &Db,
    tr: &Tr,
    year: i32,
    basis: Basis,
    header: Vec<String>,
    rows: Vec<PlanRow>,
) -> Result<Table> {
    let classification = crate::usecases::treasury::classification_year(db, year).await?;
    let mut headers: Vec<String> = [
        "plan-col-institution-code",
        "plan-col-program",
        "plan-col-subprogram",
        "plan-col-specific",
        "plan-col-expense-name",
        "plan-col-annual",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    headers.extend((1..=12).map(|m| tr.t(&format!("month-{m}"))));
    let mut total = [Tenge::ZERO; 13];
    let mut table_rows = Vec::with_capacity(rows.len());
    // A plan repeats a handful of specifics over many lines: each name is looked up once.
    let mut names: HashMap<String, String> = HashMap::new();
    for row in rows {
        if !names.contains_key(&row.codes.2) {
            let name = jospar_classification::repo::get(
                db,
                classification,
                jospar_classification::CodeKind::EconSpecific,
                &row.codes.2,
            )
            .await?
            .map(|e| tr.pick(&e.name_ru, e.name_kk.as_deref()).to_string())
            .unwrap_or_default();
            names.insert(row.codes.2.clone(), name);
        }
        let name = names.get(&row.codes.2).cloned().unwrap_or_default();
        total[0] += row.annual;
        for (t, m) in total[1..].iter_mut().zip(row.months) {
            *t += m;
        }
        let mut cells = vec![
            Cell::Text(row.institution),
            Cell::Text(row.codes.0),
            Cell::Text(row.codes.1),
            Cell::Text(row.codes.2),
            Cell::Text(name),
            Cell::Money(row.annual),
        ];
        cells.extend(row.months.into_iter().map(Cell::Money));
        table_rows.push(cells);
    }
    let mut total_row = vec![Cell::Text(tr.t("plan-total"))];
    total_row.extend(std::iter::repeat_n(Cell::Text(String::new()), 4));
    total_row.extend(total.into_iter().map(Cell::Money));
    let mut table = Table {
        title: tr.args(
            match basis {
                Basis::Payments => "plan-title-payments",
                Basis::Obligations => "plan-title-obligations",
            },
            &[("year", year.to_string())],
        ),
        subtitle: header,
        headers,
        numbered: true,
        rows: table_rows,
        total: Some(total_row),
        footer: vec![tr.t("plan-signature-head")],
        ..Table::default()
    };
    table.set_groups(&[(String::new(), 6), (tr.t("plan-col-by-month"), 12)]);
    Ok(table)
}

/// The dynamics of a plan's changes by month: the approved months, each change document's
/// effect on them, and the plan after all documents; every row adds up across.
pub async fn changes_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    basis: Option<&str>,
) -> Result<Table> {
    let plan = plans::plan(db, id)
        .await
        .map_err(|e| refusal(e.into()))?
        .ok_or(Error::NotFound)?;
    reader.require_read(plan.org_id)?;
    let basis = basis_of(basis)?;
    let month_sums = |lines: &[PlanLine]| month_sums(lines, basis);
    let mut columns = vec![month_sums(&plan.lines)];
    let mut docs = plan.changes.clone();
    docs.sort_by_key(|d| (d.dated, d.number));
    let mut lines = plan.lines.clone();
    let mut headers = vec![tr.t("exec-col-month"), tr.t("plan-col-at-approval")];
    for doc in &docs {
        let before = month_sums(&lines);
        lines = crate::apply_change(&lines, doc).map_err(|e| Error::Internal(e.to_string()))?;
        let after = month_sums(&lines);
        let mut delta = [Tenge::ZERO; 12];
        for m in 0..12 {
            delta[m] = after[m] - before[m];
        }
        columns.push(delta);
        headers.push(format!("№{} {}", doc.number, doc.dated));
    }
    columns.push(month_sums(&lines));
    headers.push(tr.t("plan-col-after-changes"));
    let rows = (0..12)
        .map(|m| {
            let mut row = vec![Cell::Text(tr.t(&format!("month-{}", m + 1)))];
            row.extend(columns.iter().map(|c| Cell::Money(c[m])));
            row
        })
        .collect();
    let mut total_row = vec![Cell::Text(tr.t("total"))];
    total_row.extend(columns.iter().map(|c| Cell::Money(c.iter().copied().sum())));
    let mut footer: Vec<String> = docs
        .iter()
        .map(|d| {
            format!(
                "№{} · {} · {} · {}",
                d.number,
                tr.t(&format!("plan-change-{:?}", d.kind).to_lowercase()),
                d.dated,
                d.reason
            )
        })
        .collect();
    if footer.is_empty() {
        footer.push(tr.t("plan-no-changes"));
    }
    Ok(Table {
        title: tr.t("report-plan-changes"),
        subtitle: plan_subtitle(db, tr, &plan, basis).await?,
        headers,
        numbered: true,
        rows,
        total: Some(total_row),
        footer,
        ..Table::default()
    })
}

/// The approved financing plans of a year of the institutions in an organisation's subtree.
pub async fn approved_plans(
    db: &Db,
    tree: &jospar_org::OrgTree,
    root: i64,
    year: i32,
) -> Result<Vec<Plan>> {
    let mut out = Vec::new();
    for (id, org, plan_year) in plans::plan_ids(db).await.map_err(|e| refusal(e.into()))? {
        if plan_year != i64::from(year) || !tree.is_within(org, root) {
            continue;
        }
        if let Some(plan) = plans::plan(db, id).await.map_err(|e| refusal(e.into()))?
            && plan.status == plans::PlanStatus::Approved
        {
            out.push(plan);
        }
    }
    Ok(out)
}

/// What a consolidated plan covers: the subtree's root, the fiscal year, the basis, the date,
/// and whether its rows are split by the administrator of budget programs above each plan.
#[derive(Clone, Copy)]
pub struct ConsolidatedPlanQuery<'a> {
    pub root: i64,
    pub year: i32,
    pub basis: Option<&'a str>,
    pub as_of: Option<NaiveDate>,
    pub by_administrator: bool,
}

/// Sums of a consolidated plan: administrator (0 when not split by it) and codes → months.
type PlanSums = std::collections::BTreeMap<(i64, (String, String, String)), [Tenge; 12]>;

/// The consolidated financing plan of an organisation's subtree (EX-6: the administrator's
/// plan, appendices 8/10 of order No. 540, and the consolidated plan of a budget): the
/// approved plans of the year as of a date, summed by program, subprogram and specific, by
/// month; the total reconciles with the plans added up. With every change document (no date)
/// it is read from the totals kept as the plans change; as of a date it is replayed
/// from the plans and their documents.
pub async fn consolidated_table(
    db: &Db,
    tr: &Tr,
    tree: &jospar_org::OrgTree,
    reader: &Reader<'_>,
    query: &ConsolidatedPlanQuery<'_>,
) -> Result<Table> {
    let ConsolidatedPlanQuery {
        root,
        year,
        basis,
        as_of,
        by_administrator,
    } = *query;
    reader.require_read(root)?;
    let basis = basis_of(basis)?;
    let (sums, count) = match as_of {
        None => kept_plan_sums(db, tree, root, year, basis, by_administrator).await?,
        Some(date) => {
            replayed_plan_sums(db, tree, root, year, basis, by_administrator, date).await?
        }
    };
    let abp_codes: HashMap<i64, String> = if by_administrator {
        jospar_org::repo::all_orgs(db)
            .await?
            .into_iter()
            .filter_map(|o| o.abp_code.map(|code| (o.id, code)))
            .collect()
    } else {
        HashMap::new()
    };
    let rows = sums
        .into_iter()
        .map(|((admin, codes), months)| PlanRow {
            institution: abp_codes.get(&admin).cloned().unwrap_or_default(),
            codes,
            annual: months.iter().copied().sum(),
            months,
        })
        .collect();
    let mut header = plan_header(db, tr, root, year).await?;
    header.push(tr.args("plan-consolidated-count", &[("count", count.to_string())]));
    if let Some(d) = as_of {
        header.push(tr.args("plan-report-as-of", &[("date", d.to_string())]));
    }
    let mut table = plan_layout(db, tr, year, basis, header, rows).await?;
    if by_administrator {
        table.headers[0] = tr.t("plan-col-administrator-code");
    }
    table.title = format!("{} — {}", tr.t("report-consolidated-plan"), table.title);
    Ok(table)
}

/// The consolidated months read from the kept totals, and how many approved plans they hold.
async fn kept_plan_sums(
    db: &Db,
    tree: &jospar_org::OrgTree,
    root: i64,
    year: i32,
    basis: Basis,
    by_administrator: bool,
) -> Result<(PlanSums, usize)> {
    let mut sums = PlanSums::new();
    for total in jospar_consolidation::repo::plan_totals(db, root, year).await? {
        let admin = if by_administrator { total.admin_id } else { 0 };
        let codes = total.codes;
        let months = sums
            .entry((admin, (codes.program, codes.subprogram, codes.specific)))
            .or_insert([Tenge::ZERO; 12]);
        for (sum, flow) in months.iter_mut().zip(total.months) {
            *sum += Tenge::from_tiyn(match basis {
                Basis::Obligations => flow.obligations,
                Basis::Payments => flow.payments,
            });
        }
    }
    let count = plans::approved_plans_among(db, year, &tree.subtree(root))
        .await
        .map_err(|e| refusal(e.into()))?;
    Ok((sums, count))
}

/// The consolidated months of the plans as they stood on `date`, replayed from each plan and
/// its change documents, and how many approved plans they hold.
async fn replayed_plan_sums(
    db: &Db,
    tree: &jospar_org::OrgTree,
    root: i64,
    year: i32,
    basis: Basis,
    by_administrator: bool,
    date: NaiveDate,
) -> Result<(PlanSums, usize)> {
    let mut sums = PlanSums::new();
    let approved = approved_plans(db, tree, root, year).await?;
    let count = approved.len();
    for plan in approved {
        let admin = if by_administrator {
            jospar_consolidation::repo::chain_read(db, plan.org_id)
                .await?
                .admin_id
        } else {
            0
        };
        for line in plan
            .as_of(date)
            .map_err(|e| Error::Internal(e.to_string()))?
        {
            let key = (
                admin,
                (
                    line.program.clone(),
                    line.subprogram.clone(),
                    line.specific.clone(),
                ),
            );
            let months = sums.entry(key).or_insert([Tenge::ZERO; 12]);
            for (s, m) in months.iter_mut().zip(months_of(&line, basis)) {
                *s += m;
            }
        }
    }
    Ok((sums, count))
}

/// A plan for accounting systems (EX-7): one row per line and basis with the expense
/// identifier, the codes, the annual amount and the twelve months, as of a date — the
/// approved plan with its refinements and corrections.
pub async fn export_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    as_of: Option<NaiveDate>,
) -> Result<Table> {
    let plan = plans::plan(db, id)
        .await
        .map_err(|e| refusal(e.into()))?
        .ok_or(Error::NotFound)?;
    reader.require_read(plan.org_id)?;
    let lines = plan
        .as_of(as_of.unwrap_or(NaiveDate::MAX))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let mut headers = vec![
        tr.t("plan-col-expense-id"),
        tr.t("plan-col-program"),
        tr.t("plan-col-subprogram"),
        tr.t("plan-col-specific"),
        tr.t("plan-col-basis"),
        tr.t("plan-col-approved"),
    ];
    headers.extend((1..=12).map(|m| tr.t(&format!("month-{m}"))));
    let mut rows = Vec::new();
    for line in &lines {
        for basis in [Basis::Obligations, Basis::Payments] {
            let mut row = vec![
                Cell::Text(line.expense_id.to_string()),
                Cell::Text(line.program.clone()),
                Cell::Text(line.subprogram.clone()),
                Cell::Text(line.specific.clone()),
                Cell::Text(basis_label(tr, basis)),
                Cell::Money(line.approved),
            ];
            row.extend(months_of(line, basis).into_iter().map(Cell::Money));
            rows.push(row);
        }
    }
    let mut subtitle = plan_subtitle(db, tr, &plan, Basis::Payments).await?;
    subtitle.pop();
    subtitle.push(tr.args(
        "plan-export-subtitle",
        &[
            ("year", plan.year.to_string()),
            ("changes", plan.changes.len().to_string()),
        ],
    ));
    Ok(Table {
        title: tr.t("report-plan-export"),
        subtitle,
        headers,
        rows,
        ..Table::default()
    })
}

/// The change documents of a plan for accounting systems (EX-7: refinements and corrections):
/// one row per move with the document's number, kind, date and reason, the line's expense
/// identifier and codes, the basis, the months and the amount — what an accounting system
/// needs to apply the same change to its copy of the plan.
pub async fn changes_export_table(db: &Db, tr: &Tr, reader: &Reader<'_>, id: i64) -> Result<Table> {
    let plan = plans::plan(db, id)
        .await
        .map_err(|e| refusal(e.into()))?
        .ok_or(Error::NotFound)?;
    reader.require_read(plan.org_id)?;
    let headers = [
        "analytics-col-number",
        "plan-change-kind",
        "plan-change-date",
        "analytics-col-reason",
        "plan-col-expense-id",
        "plan-col-program",
        "plan-col-subprogram",
        "plan-col-specific",
        "plan-col-basis",
        "plan-change-from",
        "plan-change-to",
        "plan-change-amount",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let mut docs = plan.changes.clone();
    docs.sort_by_key(|d| (d.dated, d.number));
    let mut rows = Vec::new();
    let mut moved = Tenge::ZERO;
    for doc in &docs {
        for m in &doc.moves {
            let line = plan.lines.iter().find(|l| l.expense_id == m.expense_id);
            let code = |f: fn(&PlanLine) -> &String| line.map(f).cloned().unwrap_or_default();
            moved += m.change.amount;
            rows.push(vec![
                Cell::Text(doc.number.to_string()),
                Cell::Text(tr.t(&format!("plan-change-{}", doc.kind.code()))),
                Cell::Text(doc.dated.to_string()),
                Cell::Text(doc.reason.clone()),
                Cell::Text(m.expense_id.to_string()),
                Cell::Text(code(|l| &l.program)),
                Cell::Text(code(|l| &l.subprogram)),
                Cell::Text(code(|l| &l.specific)),
                Cell::Text(basis_label(tr, m.change.basis)),
                Cell::Text(m.change.from_month.to_string()),
                Cell::Text(m.change.to_month.to_string()),
                Cell::Money(m.change.amount),
            ]);
        }
    }
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(std::iter::repeat_n(Cell::Text(String::new()), 10));
    total.push(Cell::Money(moved));
    let mut subtitle = plan_subtitle(db, tr, &plan, Basis::Payments).await?;
    subtitle.pop();
    subtitle.push(plan.year.to_string());
    Ok(Table {
        title: tr.t("report-plan-changes-export"),
        subtitle,
        headers,
        rows,
        total: Some(total),
        ..Table::default()
    })
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    fn plan(status: plans::PlanStatus) -> Plan {
        Plan {
            id: 7,
            org_id: 3,
            request_id: 10,
            year: 2027,
            status,
            lines: Vec::new(),
            changes: Vec::new(),
            version: 1,
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_school_shapes_its_draft_and_the_administrator_above_approves_it() {
        let draft = plan(plans::PlanStatus::Draft);
        let school = principal(3, &[(Role::Economist, 3)], REGION);
        let head = principal(3, &[(Role::Head, 3)], REGION);
        let administrator = principal(2, &[(Role::Abp, 2)], REGION);
        let other = principal(4, &[(Role::Abp, 4)], REGION);
        assert_eq!(
            actions(&school, &draft),
            PlanActions {
                edit: true,
                submit: true,
                approve: false,
                change: false
            }
        );
        // A draft is submitted before it is approved (issue 21).
        assert!(!actions(&administrator, &draft).approve);
        let submitted = plan(plans::PlanStatus::Submitted);
        assert_eq!(actions(&school, &submitted), PlanActions::default());
        // The school's own head approves nothing: the plan is approved above the school.
        assert!(!actions(&head, &submitted).approve);
        assert!(actions(&administrator, &submitted).approve);
        assert_eq!(actions(&other, &submitted), PlanActions::default());
    }

    #[test]
    fn an_approved_plan_takes_change_documents_only() {
        let approved = plan(plans::PlanStatus::Approved);
        let school = principal(3, &[(Role::Economist, 3)], REGION);
        let administrator = principal(2, &[(Role::Abp, 2)], REGION);
        assert_eq!(
            actions(&school, &approved),
            PlanActions {
                edit: false,
                submit: false,
                approve: false,
                change: true
            }
        );
        assert!(!actions(&administrator, &approved).approve);
    }
}
