//! Use cases of the budget cycle (issue 22, P-17) for the pages, the API and the command line:
//! who may read, enter and adopt the acts of a campaign's budget, where each act's amounts
//! start from, and which version of a budget is in force on a day.
//!
//! The acts belong to the authorized body that runs the campaign: its users with the right to
//! enter data draw them up, those with the right to approve adopt them; whoever reads the
//! campaign reads its acts.

use crate::domain::*;
use crate::repo::{self, RepoError};
use chrono::NaiveDate;
use jospar_access::{Error, Principal, Reader, Result};
use jospar_core::{Tenge, ids::new_id};
use jospar_limits::Campaign;
use jospar_org::{OrgKind, Right};
use jospar_store::Db;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// What a user types to draw up an act.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = NewBudgetAct)]
pub struct NewAct {
    pub campaign_id: i64,
    pub kind: ActKind,
    /// The administrator (ABP code) a conclusion is on; empty for other acts.
    #[serde(default)]
    pub administrator: String,
    pub number: String,
    pub act_date: NaiveDate,
    /// For a resolution: the decision it implements (default: the version in force).
    #[serde(default)]
    pub based_on: Option<i64>,
    /// The day by which it is to be adopted (default: the working days its kind is given).
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// An act with its lines.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = BudgetActWithLines)]
pub struct ActWithLines {
    pub act: Act,
    pub lines: Vec<ActLine>,
}

/// The refusal of a use case, translated by the caller: each names its field or line.
pub fn refusal(e: RepoError) -> Error {
    match e {
        RepoError::Store(s) => s.into(),
        RepoError::Budget(e) => budget_error(e),
    }
}

pub fn budget_error(e: BudgetError) -> Error {
    let line = |key: &LineKey| ("line", key.label());
    match e {
        BudgetError::Field(field) => Error::invalid("err-required", field),
        BudgetError::Negative { line: key } => {
            Error::invalid_with("err-budget-negative", &key.field(), vec![line(&key)])
        }
        BudgetError::IncreaseWithoutReason {
            line: key,
            base,
            amount,
        } => Error::invalid_with(
            "err-budget-increase-reason",
            &key.field(),
            vec![
                line(&key),
                ("base", base.to_string()),
                ("amount", amount.to_string()),
            ],
        ),
        BudgetError::BadCode { line: key } => {
            Error::invalid_with("err-budget-code", &key.field(), vec![line(&key)])
        }
        BudgetError::OtherAdministrator { line: key } => Error::invalid_with(
            "err-budget-other-administrator",
            &key.field(),
            vec![line(&key)],
        ),
        BudgetError::ChangeWithoutReason { line: key } => {
            Error::invalid_with("err-budget-change-reason", &key.field(), vec![line(&key)])
        }
        BudgetError::CorrectionTotal { year, base, total } => Error::invalid_with(
            "err-budget-correction-total",
            "lines",
            vec![
                ("year", year.to_string()),
                ("base", base.to_string()),
                ("total", total.to_string()),
            ],
        ),
        BudgetError::Concurrent => Error::Stale,
        BudgetError::YearOutside { line: key } => {
            Error::invalid_with("err-budget-year", &key.field(), vec![line(&key)])
        }
        BudgetError::Frozen => Error::invalid("err-budget-frozen", "status"),
        BudgetError::ResolutionLines => Error::invalid("err-budget-resolution-lines", "lines"),
        BudgetError::Stale => Error::Stale,
        BudgetError::NeedsBase(kind) => Error::invalid_with(
            "err-budget-needs-base",
            "kind",
            vec![("needed", kind.code().to_string())],
        ),
        BudgetError::AlreadyApproved => Error::invalid("err-budget-approved", "kind"),
        BudgetError::DateBeforeBase { base_date, .. } => Error::invalid_with(
            "err-budget-date-before",
            "act_date",
            vec![("date", base_date.format("%d.%m.%Y").to_string())],
        ),
        BudgetError::NumberTaken => Error::invalid("err-budget-number-taken", "number"),
        BudgetError::OtherBudget => Error::invalid("err-budget-compare-other", "to"),
        BudgetError::NoRequests => Error::invalid("err-budget-no-requests", "administrator"),
    }
}

/// The campaign of the acts, when the caller reads it.
pub async fn campaign(db: &Db, reader: &Reader<'_>, campaign_id: i64) -> Result<Campaign> {
    match reader.principal() {
        Some(p) => jospar_limits::usecases::campaign(db, p, campaign_id).await,
        None => jospar_limits::repo::campaign(db, campaign_id)
            .await?
            .ok_or(Error::NotFound),
    }
}

/// The acts of a campaign the caller reads.
pub async fn acts(db: &Db, reader: &Reader<'_>, campaign_id: i64) -> Result<Vec<Act>> {
    campaign(db, reader, campaign_id).await?;
    Ok(repo::acts(db, campaign_id).await?)
}

/// The acts of every campaign the caller reads, the newest campaign's first.
pub async fn visible_acts(db: &Db, p: &Principal) -> Result<Vec<Act>> {
    let mut acts = Vec::new();
    for c in jospar_limits::usecases::visible_campaigns(db, p).await? {
        acts.extend(repo::acts(db, c.id).await?.into_iter().rev());
    }
    Ok(acts)
}

/// One act with its lines, when the caller reads its campaign.
pub async fn act(db: &Db, reader: &Reader<'_>, id: i64) -> Result<ActWithLines> {
    let act = repo::act(db, id).await?.ok_or(Error::NotFound)?;
    campaign(db, reader, act.campaign_id).await?;
    let lines = repo::lines(db, id).await?;
    Ok(ActWithLines { act, lines })
}

/// The ABP code of the administrator each organisation belongs to (its own, or its nearest
/// ancestor's).
pub async fn administrators(db: &Db) -> Result<HashMap<i64, String>> {
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let mut abp = HashMap::new();
    for id in orgs.keys() {
        let mut next = Some(*id);
        while let Some(current) = next.and_then(|i| orgs.get(&i)) {
            if current.kind == OrgKind::Administrator {
                if let Some(code) = current.abp_code.as_ref().filter(|c| !c.trim().is_empty()) {
                    abp.insert(*id, code.trim().to_string());
                }
                break;
            }
            next = current.parent_id;
        }
    }
    Ok(abp)
}

/// What the administrators of the campaign's budget asked for: the latest approved request of
/// each institution, by administrator, program and year of the period.
pub async fn requested(
    db: &Db,
    tree: &jospar_org::OrgTree,
    c: &Campaign,
) -> Result<BTreeMap<LineKey, Tenge>> {
    let mut amounts: BTreeMap<LineKey, Tenge> = BTreeMap::new();
    for (key, _, amount) in requested_by_specific(db, tree, c).await? {
        *amounts.entry(key).or_insert(Tenge::ZERO) += amount;
    }
    Ok(amounts)
}

/// The section of the budget each requested program belongs to, by the economic category of
/// the specifics it asks for (see [`ExpenseSection::of_program`]).
pub async fn program_sections(
    db: &Db,
    tree: &jospar_org::OrgTree,
    c: &Campaign,
) -> Result<HashMap<(String, String), ExpenseSection>> {
    let mut by_specific: HashMap<(String, String), Vec<(String, Tenge)>> = HashMap::new();
    for (key, specific, amount) in requested_by_specific(db, tree, c).await? {
        by_specific
            .entry((key.abp, key.program))
            .or_default()
            .push((specific, amount));
    }
    Ok(by_specific
        .into_iter()
        .map(|(program, lines)| (program, ExpenseSection::of_program(&lines)))
        .collect())
}

/// The approved requests' amounts of the campaign's budget by administrator, program, year
/// and specific.
async fn requested_by_specific(
    db: &Db,
    tree: &jospar_org::OrgTree,
    c: &Campaign,
) -> Result<Vec<(LineKey, String, Tenge)>> {
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let abps = administrators(db).await?;
    let lines = jospar_planning::usecases::campaign_lines(
        db,
        tree,
        c.id,
        c.authority_org_id,
        true,
        &|_| true,
    )
    .await?;
    let years = c.years();
    let mut out = Vec::new();
    for (org, line) in lines.iter() {
        let in_budget = orgs.get(&org).is_some_and(|o| o.budget_id == c.budget_id);
        let Some(abp) = abps.get(&org).filter(|_| in_budget) else {
            continue;
        };
        for (year, amount) in line.amounts.iter().filter(|(y, _)| years.contains(y)) {
            let key = LineKey {
                abp: abp.clone(),
                program: line.program.clone(),
                year: *year,
            };
            out.push((key, line.specific.clone(), *amount));
        }
    }
    Ok(out)
}

/// The latest adopted act of a kind in a campaign's acts (for a conclusion: on `abp`).
fn latest<'a>(acts: &'a [Act], kind: ActKind, abp: Option<&str>) -> Option<&'a Act> {
    acts.iter()
        .filter(|a| a.kind == kind && a.status == ActStatus::Adopted)
        .filter(|a| abp.is_none_or(|abp| a.administrator == abp))
        .max_by_key(|a| (a.act_date, a.adopted_at))
}

/// The latest adopted version of the campaign's budget, whatever the day.
fn latest_version(acts: &[Act]) -> Option<&Act> {
    in_force(acts, NaiveDate::MAX)
}

/// The act a new act follows and the amounts it starts from.
async fn starting_point(
    db: &Db,
    p: &Principal,
    c: &Campaign,
    acts: &[Act],
    new: &NewAct,
) -> Result<(Option<Act>, BTreeMap<LineKey, Tenge>)> {
    let amounts_of_act = |act: &Act| {
        let id = act.id;
        async move { Ok::<_, Error>(amounts_of(&repo::lines(db, id).await?)) }
    };
    match new.kind {
        ActKind::Conclusion => {
            let abp = new.administrator.trim();
            let amounts: BTreeMap<LineKey, Tenge> = requested(db, &p.tree, c)
                .await?
                .into_iter()
                .filter(|(key, _)| key.abp == abp)
                .collect();
            if amounts.is_empty() {
                return Err(budget_error(BudgetError::NoRequests));
            }
            Ok((None, amounts))
        }
        ActKind::Commission => {
            // The requests, where the working body concluded otherwise its recommendation.
            let mut amounts = requested(db, &p.tree, c).await?;
            let mut concluded: Vec<&Act> = Vec::new();
            for act in acts.iter().filter(|a| a.kind == ActKind::Conclusion) {
                if latest(acts, ActKind::Conclusion, Some(&act.administrator)) == Some(act) {
                    concluded.push(act);
                }
            }
            for act in concluded {
                amounts.retain(|key, _| key.abp != act.administrator);
                amounts.extend(amounts_of_act(act).await?);
            }
            Ok((None, amounts))
        }
        ActKind::Approval => {
            if latest(acts, ActKind::Approval, None).is_some() {
                return Err(budget_error(BudgetError::AlreadyApproved));
            }
            let commission = latest(acts, ActKind::Commission, None)
                .ok_or_else(|| budget_error(BudgetError::NeedsBase(ActKind::Commission)))?;
            Ok((Some(commission.clone()), amounts_of_act(commission).await?))
        }
        ActKind::Resolution => {
            let decision = match new.based_on {
                Some(id) => acts
                    .iter()
                    .find(|a| a.id == id && a.kind.is_version() && a.status == ActStatus::Adopted)
                    .ok_or_else(|| Error::invalid("err-budget-resolution-base", "based_on"))?,
                None => latest_version(acts)
                    .ok_or_else(|| budget_error(BudgetError::NeedsBase(ActKind::Approval)))?,
            };
            Ok((Some(decision.clone()), amounts_of_act(decision).await?))
        }
        ActKind::Refinement | ActKind::Correction => {
            let version = latest_version(acts)
                .ok_or_else(|| budget_error(BudgetError::NeedsBase(ActKind::Approval)))?;
            Ok((Some(version.clone()), amounts_of_act(version).await?))
        }
    }
}

/// Draws up a draft act, its lines starting from where its kind starts (see the module).
pub async fn create(db: &Db, p: &Principal, new: NewAct) -> Result<ActWithLines> {
    let c = campaign(db, &Reader::User(p), new.campaign_id).await?;
    p.require(Right::Enter, c.authority_org_id)?;
    let number = new.number.trim().to_string();
    if number.is_empty() {
        return Err(Error::invalid("err-required", "number"));
    }
    let administrator = if new.kind == ActKind::Conclusion {
        new.administrator.trim().to_string()
    } else {
        String::new()
    };
    if new.kind == ActKind::Conclusion && administrator.is_empty() {
        return Err(Error::invalid("err-required", "administrator"));
    }
    let acts = repo::acts(db, c.id).await?;
    let (base, amounts) = starting_point(db, p, &c, &acts, &new).await?;
    if let Some(base) = &base
        && new.act_date < base.act_date
    {
        return Err(budget_error(BudgetError::DateBeforeBase {
            date: new.act_date,
            base_date: base.act_date,
        }));
    }
    let due_on = match new.due_on {
        Some(day) if day < p.today => return Err(Error::invalid("err-budget-due-past", "due_on")),
        Some(day) => day,
        None => db
            .working_calendar()
            .await?
            .add_working_days(p.today, new.kind.working_days_to_adopt()),
    };
    let act = Act {
        id: new_id(),
        campaign_id: c.id,
        budget_id: c.budget_id,
        first_year: c.first_year,
        kind: new.kind,
        administrator,
        number,
        act_date: new.act_date,
        based_on: base.map(|b| b.id),
        status: ActStatus::Draft,
        version: 1,
        created_by: p.who().login,
        adopted_by: None,
        adopted_at: None,
        due_on: Some(due_on),
    };
    let lines = lines_from(&amounts);
    repo::create_act(db, &p.who(), c.authority_org_id, &act, &lines)
        .await
        .map_err(refusal)?;
    Ok(ActWithLines { act, lines })
}

/// Saves typed amounts of a draft act: all or none, each change audited.
pub async fn save_lines(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    edits: &[LineEdit],
) -> Result<ActWithLines> {
    let reader = Reader::User(p);
    let current = act(db, &reader, id).await?;
    let c = campaign(db, &reader, current.act.campaign_id).await?;
    p.require(Right::Enter, c.authority_org_id)?;
    if current.act.version != version {
        return Err(Error::Stale);
    }
    let (lines, changed) =
        apply_edits(&current.act, &current.lines, edits).map_err(budget_error)?;
    let changes: Vec<repo::LineChange> = changed
        .iter()
        .filter_map(|key| {
            let old = current.lines.iter().find(|l| &l.key() == key).cloned();
            let new = lines.iter().find(|l| &l.key() == key).cloned()?;
            Some((old, new))
        })
        .collect();
    if !changes.is_empty() {
        repo::save_lines(
            db,
            &p.who(),
            c.authority_org_id,
            &current.act,
            version,
            &changes,
        )
        .await
        .map_err(refusal)?;
    }
    act(db, &reader, id).await
}

/// The bytes the person adopting an act signs (P-9), for an act the caller reads.
pub async fn signing_data(db: &Db, p: &Principal, id: i64) -> Result<(Act, Vec<u8>)> {
    let current = act(db, &Reader::User(p), id).await?;
    let data = canonical_bytes(&current.act, &current.lines);
    Ok((current.act, data))
}

/// Adopts a draft act with the electronic signature of the person of the authorized body over
/// the act as it is at `version`; signature and adoption are written together. A version must
/// follow the latest version still (nobody adopted another meanwhile) and a period is approved
/// once.
pub async fn adopt(
    db: &Db,
    signing: &jospar_eds::Signing,
    p: &Principal,
    id: i64,
    version: i64,
    cms_text: &str,
) -> Result<ActWithLines> {
    let reader = Reader::User(p);
    let current = act(db, &reader, id).await?;
    let c = campaign(db, &reader, current.act.campaign_id).await?;
    p.require(Right::Approve, c.authority_org_id)?;
    if current.act.status == ActStatus::Adopted {
        return Err(budget_error(BudgetError::Frozen));
    }
    if current.act.version != version {
        return Err(Error::Stale);
    }
    check_lines(current.act.kind, &current.lines).map_err(budget_error)?;
    let acts = repo::acts(db, c.id).await?;
    let kind = current.act.kind;
    if kind == ActKind::Approval && latest(&acts, ActKind::Approval, None).is_some() {
        return Err(budget_error(BudgetError::AlreadyApproved));
    }
    if matches!(kind, ActKind::Refinement | ActKind::Correction)
        && latest_version(&acts).map(|a| a.id) != current.act.based_on
    {
        return Err(Error::invalid("err-budget-base-moved", "based_on"));
    }
    let signature = verify_adoption(db, signing, p, &current, c.authority_org_id, cms_text).await?;
    let passports = if kind.is_version() {
        crate::programs::programs(db, &reader, c.id).await?
    } else {
        Vec::new()
    };
    repo::adopt(
        db,
        &p.who(),
        c.authority_org_id,
        &current.act,
        version,
        &signature,
        &passports,
    )
    .await
    .map_err(refusal)?;
    act(db, &reader, id).await
}

/// Checks the CMS over the act's bytes, signed by the user with the signing key of the
/// authorized body.
async fn verify_adoption(
    db: &Db,
    signing: &jospar_eds::Signing,
    p: &Principal,
    current: &ActWithLines,
    authority_org_id: i64,
    cms_text: &str,
) -> Result<repo::ActSignature> {
    let data = canonical_bytes(&current.act, &current.lines);
    let bin = jospar_org::repo::get_org(db, authority_org_id)
        .await?
        .and_then(|o| o.bin);
    let verified =
        jospar_planning::usecases::verify_signature(signing, p, cms_text, &data, bin.as_deref())
            .await?;
    Ok(repo::ActSignature {
        act_version: current.act.version,
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
    })
}

/// The signature an act was adopted with, for an act the caller reads.
pub async fn signature(db: &Db, p: &Principal, id: i64) -> Result<Option<repo::ActSignature>> {
    act(db, &Reader::User(p), id).await?;
    Ok(repo::signature(db, id).await?)
}

/// Discards a draft act drawn up by mistake; an adopted act stays for good.
pub async fn discard(db: &Db, p: &Principal, id: i64, version: i64) -> Result<()> {
    let reader = Reader::User(p);
    let current = act(db, &reader, id).await?;
    let c = campaign(db, &reader, current.act.campaign_id).await?;
    p.require(Right::Enter, c.authority_org_id)?;
    if current.act.status == ActStatus::Adopted {
        return Err(budget_error(BudgetError::Frozen));
    }
    repo::discard(
        db,
        &p.who(),
        c.authority_org_id,
        &current.act,
        version,
        &current.lines,
    )
    .await
    .map_err(refusal)
}

/// The version of a budget in force on a day for one year: the act and its amounts by
/// administrator and program. Asked by other modules (financing plans are reconciled with
/// it); it answers facts of the budget, so it checks no rights.
pub struct InForce {
    pub act: Act,
    pub amounts: BTreeMap<(String, String), Tenge>,
}

pub async fn version_in_force(
    db: &Db,
    budget_id: i64,
    year: i32,
    day: NaiveDate,
) -> Result<Option<InForce>> {
    let versions = repo::versions(db, budget_id, year).await?;
    let Some(act) = in_force(&versions, day).cloned() else {
        return Ok(None);
    };
    let amounts = repo::lines(db, act.id)
        .await?
        .into_iter()
        .filter(|l| l.year == year)
        .map(|l| ((l.abp, l.program), l.amount))
        .collect();
    Ok(Some(InForce { act, amounts }))
}

/// Two acts compared line by line (reports 10 and 11): refused across budgets or periods.
pub async fn compare_acts(
    db: &Db,
    reader: &Reader<'_>,
    from: i64,
    to: i64,
) -> Result<(ActWithLines, ActWithLines, Vec<CompareRow>)> {
    let before = act(db, reader, from).await?;
    let after = act(db, reader, to).await?;
    let rows =
        compare((&before.act, &before.lines), (&after.act, &after.lines)).map_err(budget_error)?;
    Ok((before, after, rows))
}

/// Something of the budget cycle waiting for the user, for the start page: a draft act or
/// forecast to adopt, a draft application to send, a sent application or a request for a
/// classification code (P-15) to decide by its deadline in working days.
pub struct Pending {
    pub text: String,
    pub link: String,
    /// The deadline (dd.mm.yyyy), what is left of it, and whether it has passed.
    pub deadline: Option<(String, String, bool)>,
}

pub async fn pending(db: &Db, tr: &jospar_i18n::Tr, p: &Principal) -> Result<Vec<Pending>> {
    let mut items = Vec::new();
    let calendar = db.working_calendar().await?;
    for c in jospar_limits::usecases::visible_campaigns(db, p).await? {
        if !p.can(Right::Approve, c.authority_org_id) {
            continue;
        }
        for act in repo::acts(db, c.id)
            .await?
            .iter()
            .filter(|a| a.status == ActStatus::Draft)
        {
            items.push(Pending {
                text: tr.args(
                    "budget-pending-act",
                    &[("act", crate::reports::act_label(tr, act))],
                ),
                link: format!("/budget-acts/{}", act.id),
                deadline: act.due_on.map(|due| deadline(tr, &calendar, p.today, due)),
            });
        }
        for f in crate::forecast::forecasts(db, &Reader::User(p), c.id).await? {
            if !f.adopted {
                items.push(Pending {
                    text: tr.args(
                        "budget-pending-forecast",
                        &[("number", f.number.to_string())],
                    ),
                    link: format!("/receipt-forecasts/{}", f.id),
                    deadline: None,
                });
            }
        }
    }
    for a in crate::transfers::applications(db, &Reader::User(p)).await? {
        let link = format!("/transfer-applications/{}", a.id);
        let purpose = [("purpose", a.purpose.clone())];
        let to_send =
            a.status == crate::transfers::Status::Draft && p.can(Right::Enter, a.applicant_org_id);
        let to_decide = a.status == crate::transfers::Status::Sent
            && a.reviewer_org_id.is_some_and(|r| p.can(Right::Approve, r));
        if to_send {
            items.push(Pending {
                text: tr.args("budget-pending-transfer-send", &purpose),
                link,
                deadline: None,
            });
        } else if to_decide {
            let deadline = a
                .decision_due(&calendar)
                .map(|due| deadline(tr, &calendar, p.today, due));
            items.push(Pending {
                text: tr.args("budget-pending-transfer-decide", &purpose),
                link,
                deadline,
            });
        }
    }
    for (r, due) in jospar_planning::code_requests::awaiting(db, p).await? {
        items.push(Pending {
            text: tr.args(
                "code-pending",
                &[("code", r.code.clone()), ("name", r.name(tr))],
            ),
            link: format!("/code-requests/{}", r.id),
            deadline: Some(deadline(tr, &calendar, p.today, due)),
        });
    }
    Ok(items)
}

/// What the user may do with a document of the campaign's authorized body: edit it while a
/// draft (Enter), adopt it (Approve). The pages offer these; the use cases check them again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Actions {
    pub edit: bool,
    pub adopt: bool,
}

/// Whether the user draws up acts and forecasts of the campaign.
pub fn can_draw_up(p: &Principal, campaign: &Campaign) -> bool {
    p.can(Right::Enter, campaign.authority_org_id)
}

/// A draft act's actions; a resolution carries its decision's amounts and is not edited.
pub fn act_actions(p: &Principal, campaign: &Campaign, act: &Act) -> Actions {
    let draft = act.status == ActStatus::Draft;
    Actions {
        edit: draft && act.kind != ActKind::Resolution && can_draw_up(p, campaign),
        adopt: draft && p.can(Right::Approve, campaign.authority_org_id),
    }
}

/// A forecast version's actions while it is a draft.
pub fn forecast_actions(p: &Principal, campaign: &Campaign, adopted: bool) -> Actions {
    Actions {
        edit: !adopted && can_draw_up(p, campaign),
        adopt: !adopted && p.can(Right::Approve, campaign.authority_org_id),
    }
}

/// A deadline as the start page shows it: the date, the working days left (or that it has
/// passed), and whether it has.
pub fn deadline(
    tr: &jospar_i18n::Tr,
    calendar: &jospar_core::WorkingCalendar,
    today: NaiveDate,
    due: NaiveDate,
) -> (String, String, bool) {
    let passed = due < today;
    let left = if passed {
        tr.t("home-deadline-passed")
    } else {
        let count = calendar.working_days_between(today, due);
        tr.args("home-working-days-left", &[("count", count.to_string())])
    };
    (due.format("%d.%m.%Y").to_string(), left, passed)
}
