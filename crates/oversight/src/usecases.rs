//! Oversight access for the pages and the API (OV-3, OV-4): the integrator — a system
//! administrator — grants an employee of a representative or audit body read-only access by
//! the competence table for one calendar year, and blocks it when the employer says the
//! employee has left.

use crate::application::{Overdue, Request, Status, check_request, deadline};
use crate::applications::{Application, StepError};
use crate::repo::{self, Access, AccessError};
use crate::training::{self, Session};
use crate::{BodyKind, CompetenceError, OrgFacts, competence_roots, valid_until};
use jospar_access::Principal;
use jospar_access::{Error, Result};
use jospar_org::{BudgetLevel, Right, Role};
use jospar_store::Db;

fn access_error(e: AccessError) -> Error {
    match e {
        AccessError::Store(s) => s.into(),
        AccessError::Blocked => Error::invalid("err-oversight-blocked", "id"),
        AccessError::Requested => Error::invalid("err-oversight-requested", "id"),
        AccessError::Corrupt(id) => Error::Internal(format!("oversight access {id}")),
    }
}

fn competence_error(e: CompetenceError) -> Error {
    let key = match e {
        CompetenceError::NeedsRegion => "err-oversight-needs-region",
        CompetenceError::NotARegion(_) => "err-oversight-not-region",
        CompetenceError::NeedsBody => "err-oversight-needs-body",
        CompetenceError::NotACentralBody(_) => "err-oversight-not-central",
        CompetenceError::NoPoliceAdministrator => "err-oversight-no-police",
    };
    Error::invalid(key, "anchor_org_id")
}

/// An access with the deadline of its blocking once the employer asked for it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AccessView {
    #[serde(flatten)]
    pub access: Access,
    pub block_due: Option<chrono::NaiveDate>,
    /// Asked to block and not blocked by the deadline (OV-3).
    pub block_overdue: bool,
}

/// Every access granted, for the integrator, with the blocking deadlines.
pub async fn list(db: &Db, p: &Principal) -> Result<Vec<AccessView>> {
    p.require_system(Right::Configure)?;
    let calendar = db.working_calendar().await?;
    Ok(repo::accesses(db)
        .await
        .map_err(access_error)?
        .into_iter()
        .map(|access| {
            let block_due = access
                .block_requested_on
                .map(|asked| calendar.add_working_days(asked, crate::BLOCK_DAYS));
            let block_overdue =
                access.blocked_at.is_none() && block_due.is_some_and(|due| p.today > due);
            AccessView {
                access,
                block_due,
                block_overdue,
            }
        })
        .collect())
}

/// The employer asks to block an access (the employee left): the body that filed the
/// application it came from, the authorized body or the integrator; the system must block it
/// within 3 working days.
pub async fn request_block(db: &Db, p: &Principal, id: i64, reason: &str) -> Result<Access> {
    let reason = reason.trim();
    let filed_by_caller = crate::applications::applications(db)
        .await
        .map_err(step_error)?
        .iter()
        .any(|a| a.access_ids.contains(&id) && a.submitted_by == p.user.login);
    if !(filed_by_caller || reviews(p) || integrates(p)) {
        return Err(Error::Forbidden);
    }
    if reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    repo::access(db, id)
        .await
        .map_err(access_error)?
        .ok_or(Error::NotFound)?;
    repo::request_block(db, &p.who(), id, reason, p.today)
        .await
        .map_err(access_error)
}

/// The organisations as the competence table sees them.
async fn org_facts(db: &Db) -> Result<Vec<OrgFacts>> {
    let budgets = jospar_org::repo::budgets(db).await?;
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .map(|o| OrgFacts {
            id: o.id,
            parent_id: o.parent_id,
            republican: budgets
                .iter()
                .any(|b| b.id == o.budget_id && b.level == BudgetLevel::Republican),
            abp_code: o.abp_code,
        })
        .collect())
}

/// Grants an employee of a body of `kind` read-only access by the competence table, from today
/// for one calendar year. The employee must hold no right to enter or approve anything: the
/// access is read-only whatever else the account could do.
pub async fn grant(
    db: &Db,
    p: &Principal,
    user_id: i64,
    kind: &str,
    anchor: Option<i64>,
    body_bin: &str,
) -> Result<Access> {
    p.require_system(Right::Configure)?;
    let body_bin = jospar_core::Bin::parse(body_bin)
        .map_err(|_| Error::invalid("err-oversight-body-bin", "body_bin"))?;
    let kind = BodyKind::from_code(kind).ok_or_else(|| Error::Invalid {
        key: "err-unknown-value",
        args: vec![("field", "kind".into()), ("value", kind.into())],
        field: Some("kind".into()),
    })?;
    jospar_org::repo::user_by_id(db, user_id)
        .await?
        .ok_or_else(|| Error::invalid("err-oversight-no-user", "user_id"))?;
    read_only_account(db, p, user_id).await?;
    trained(db, p, user_id).await?;
    let roots = competence_roots(kind, anchor, &org_facts(db).await?).map_err(competence_error)?;
    let new = repo::NewAccess {
        user_id,
        kind,
        anchor,
        roots: &roots,
        valid_until: valid_until(p.today),
        body_bin: body_bin.as_str(),
    };
    repo::grant(db, &p.who(), new).await.map_err(access_error)
}

/// Refuses an account that can enter or approve anything: oversight access is read-only.
async fn read_only_account(db: &Db, p: &Principal, user_id: i64) -> Result<()> {
    let writes = jospar_org::repo::grants_of(db, user_id)
        .await?
        .into_iter()
        .any(|g| g.is_active(p.today) && g.role != Role::Auditor);
    if writes {
        Err(Error::invalid("err-oversight-writer", "user_id"))
    } else {
        Ok(())
    }
}

/// Blocks an access at the employer's request (the employee left), with the reason.
pub async fn block(db: &Db, p: &Principal, id: i64, reason: &str) -> Result<Access> {
    p.require_system(Right::Configure)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    repo::access(db, id)
        .await
        .map_err(access_error)?
        .ok_or(Error::NotFound)?;
    repo::block(db, &p.who(), id, reason)
        .await
        .map_err(access_error)
}

/// An application with the deadline of the step it waits for.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub application: Application,
    pub due: Option<chrono::NaiveDate>,
    pub overdue: Option<Overdue>,
    /// The caller is the authorized body and the application waits for its review.
    pub can_review: bool,
    /// The caller is the integrator and the application was forwarded to it.
    pub can_grant: bool,
}

fn step_error(e: StepError) -> Error {
    match e {
        StepError::Store(e) => access_error(e),
        StepError::NotFound => Error::NotFound,
        StepError::WrongStatus(s) => Error::Invalid {
            key: "err-oversight-status",
            args: vec![("status", s.code().to_string())],
            field: Some("status".into()),
        },
    }
}

/// The authorized body reviews applications: a planner of a root of the tree.
fn reviews(p: &Principal) -> bool {
    p.can_system(Right::Approve)
}

fn integrates(p: &Principal) -> bool {
    p.can_system(Right::Configure)
}

/// The applications the caller may see: all of them for the authorized body and the
/// integrator, the caller's own for anybody else.
pub async fn applications(db: &Db, p: &Principal) -> Result<Vec<ApplicationView>> {
    let calendar = db.working_calendar().await?;
    let all = crate::applications::applications(db)
        .await
        .map_err(step_error)?;
    Ok(all
        .into_iter()
        .filter(|a| reviews(p) || integrates(p) || a.submitted_by == p.user.login)
        .map(|a| {
            let (due, overdue) =
                deadline(&calendar, a.status, a.submitted_on, a.decided_on, p.today)
                    .map_or((None, None), |(due, late)| (Some(due), late));
            ApplicationView {
                can_review: reviews(p) && a.status == Status::Submitted,
                can_grant: integrates(p) && a.status == Status::Forwarded,
                application: a,
                due,
                overdue,
            }
        })
        .collect())
}

/// Filters of the list of applications (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    /// Applications anchored in this organisation's subtree (a region's root or a central body).
    pub within: Option<i64>,
    /// The year filed.
    pub year: Option<i32>,
    pub status: Option<Status>,
    pub kind: Option<BodyKind>,
    /// Only those whose next step is past its deadline.
    pub overdue: bool,
}

impl ApplicationFilter {
    fn keeps(
        &self,
        view: &ApplicationView,
        within: Option<&std::collections::HashSet<i64>>,
    ) -> bool {
        let a = &view.application;
        within.is_none_or(|ids| a.request.anchor_org_id.is_some_and(|id| ids.contains(&id)))
            && self
                .year
                .is_none_or(|y| chrono::Datelike::year(&a.submitted_on) == y)
            && self.status.is_none_or(|s| s == a.status)
            && self.kind.is_none_or(|k| k == a.request.kind)
            && (!self.overdue || view.overdue.is_some())
    }
}

impl jospar_core::listing::Listable for ApplicationView {
    fn search_text(&self) -> String {
        let r = &self.application.request;
        let employees: Vec<&str> = r.employees.iter().map(|e| e.full_name.as_str()).collect();
        format!(
            "{} {} {} {} {}",
            r.body_name,
            r.body_bin,
            r.purpose,
            self.application.submitted_by,
            employees.join(" ")
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        let a = &self.application;
        let day = |d: Option<chrono::NaiveDate>| {
            SortKey::Number(d.map_or(i64::MAX, |d| {
                i64::from(chrono::Datelike::num_days_from_ce(&d))
            }))
        };
        Some(match column {
            "body" => SortKey::text(&a.request.body_name),
            "kind" => SortKey::Text(a.request.kind.code().into()),
            "employees" => SortKey::Number(a.request.employees.len() as i64),
            "submitted" => day(Some(a.submitted_on)),
            "status" => SortKey::Text(a.status.code().into()),
            "due" => day(self.due),
            _ => return None,
        })
    }
}

/// The list of applications (issue 20): those the caller may see, filtered, searched, sorted
/// and cut to a page; newest first unless sorted.
pub async fn list_applications(
    db: &Db,
    p: &Principal,
    filter: &ApplicationFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<ApplicationView>> {
    let within: Option<std::collections::HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let rows = applications(db, p)
        .await?
        .into_iter()
        .filter(|view| filter.keeps(view, within.as_ref()))
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

/// Pictures decoded at once, server-wide: a decode takes a core for up to a second, and the
/// rest of the server (pages, `/healthz`) must keep one.
const DECODES_AT_ONCE: usize = 2;
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODES_AT_ONCE);

/// The QR code of a picture, decoded on the blocking pool under [`DECODES_AT_ONCE`].
async fn decode_qr_aside(bytes: Vec<u8>) -> Result<String, crate::qr::QrError> {
    let _turn = DECODING
        .acquire()
        .await
        .map_err(|e| crate::qr::QrError::Unreadable(e.to_string()))?;
    tokio::task::spawn_blocking(move || crate::qr::decode_qr(&bytes))
        .await
        .map_err(|e| crate::qr::QrError::Unreadable(e.to_string()))?
}

/// Why an employee's picture gave no code, naming the employee.
fn qr_refusal(number: usize, e: crate::qr::QrError) -> Error {
    let field = Some(format!("employees[{number}].qr_code"));
    match e {
        crate::qr::QrError::TooLarge { width, height } => Error::Invalid {
            key: "err-oversight-qr-too-large",
            args: vec![
                ("employee", number.to_string()),
                ("width", width.to_string()),
                ("height", height.to_string()),
                ("limit", crate::qr::MAX_SIDE.to_string()),
            ],
            field,
        },
        other => Error::Invalid {
            key: "err-oversight-qr",
            args: vec![
                ("employee", number.to_string()),
                ("detail", other.to_string()),
            ],
            field,
        },
    }
}

/// Reads each uploaded E-Qyzmet QR picture (employee number from 1, bytes) into the
/// employee's code (OV-1); a picture without a readable code is refused naming the employee.
pub async fn read_qr_pictures(
    request: &mut Request,
    pictures: Vec<(usize, Vec<u8>)>,
) -> Result<()> {
    for (number, bytes) in pictures {
        let employee = number
            .checked_sub(1)
            .and_then(|i| request.employees.get_mut(i))
            .ok_or_else(|| Error::invalid("err-oversight-qr-employee", "employees"))?;
        employee.qr_code = decode_qr_aside(bytes.clone())
            .await
            .map_err(|e| qr_refusal(number, e))?;
        use base64::Engine as _;
        // The decoder read it as PNG or JPEG; the picture is shown back as it came.
        let mime = if bytes.starts_with(b"\x89PNG") {
            "image/png"
        } else {
            "image/jpeg"
        };
        employee.qr_picture = format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
    }
    Ok(())
}

/// A draft application of the caller's and the bytes its body signs.
pub async fn signing_data(db: &Db, p: &Principal, id: i64) -> Result<(Application, Vec<u8>)> {
    let application = crate::applications::application(db, id)
        .await
        .map_err(step_error)?
        .filter(|a| a.submitted_by == p.user.login)
        .ok_or(Error::NotFound)?;
    let data = application.signing_data();
    Ok((application, data))
}

/// The body signs its application with its legal-entity key (OV-1): the signer is the user,
/// the certificate the body's by BIN; the application then goes to the authorized body.
pub async fn sign(
    db: &Db,
    signing: &jospar_eds::Signing,
    p: &Principal,
    id: i64,
    cms_text: &str,
) -> Result<Application> {
    let (application, data) = signing_data(db, p, id).await?;
    if application.status != Status::Draft {
        return Err(step_error(StepError::WrongStatus(application.status)));
    }
    if cms_text.trim().is_empty() {
        return Err(Error::invalid("err-signature-required", "cms"));
    }
    let cms = jospar_eds::decode_cms_text(cms_text)
        .map_err(jospar_planning::usecases::signature_error)?;
    let signer = signing
        .verifier
        .verify_cms(&cms, &data)
        .await
        .map_err(jospar_planning::usecases::signature_error)?;
    let bin = &application.request.body_bin;
    if signer.bin.is_none() {
        return Err(Error::Invalid {
            key: "err-oversight-sign-legal-entity",
            args: vec![("bin", bin.clone())],
            field: Some("cms".into()),
        });
    }
    jospar_eds::check_document_signer(&signer, &p.user.iin, Some(bin))
        .map_err(jospar_planning::usecases::signature_error)?;
    use base64::Engine as _;
    let signature = crate::applications::BodySignature {
        signer_name: signer.common_name,
        signer_iin: signer.iin.unwrap_or_default(),
        signer_bin: signer.bin.unwrap_or_default(),
        cert_serial: signer.serial,
        signed_on: p.today,
        cms: base64::engine::general_purpose::STANDARD.encode(&cms),
    };
    crate::applications::sign(db, &p.who(), id, &signature, p.today)
        .await
        .map_err(step_error)
}

/// Files a body's application (OV-1): checked field by field, its region or central body checked
/// against the competence table, so what is asked for can be granted as asked.
pub async fn submit(db: &Db, p: &Principal, request: &Request) -> Result<Application> {
    check_request(request).map_err(|e| match e.employee {
        Some(n) => Error::Invalid {
            key: "err-oversight-employee-field",
            args: vec![("field", e.field.to_string()), ("employee", n.to_string())],
            field: Some(format!("employees[{n}].{}", e.field)),
        },
        None => Error::Invalid {
            key: "err-oversight-field",
            args: vec![("field", e.field.to_string())],
            field: Some(e.field.to_string()),
        },
    })?;
    competence_roots(request.kind, request.anchor_org_id, &org_facts(db).await?)
        .map_err(competence_error)?;
    crate::applications::submit(db, &p.who(), request, p.today)
        .await
        .map_err(step_error)
}

/// The authorized body's review (OV-2): forward to the integrator, or refuse with a reason.
pub async fn review(
    db: &Db,
    p: &Principal,
    id: i64,
    forward: bool,
    reason: &str,
) -> Result<Application> {
    if !reviews(p) {
        return Err(Error::Forbidden);
    }
    let reason = reason.trim();
    if !forward && reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    let reason = (!reason.is_empty()).then_some(reason);
    crate::applications::review(db, &p.who(), id, forward, reason, p.today)
        .await
        .map_err(step_error)
}

/// The integrator grants a forwarded application: every employee, found by IIN among the
/// accounts, gets the access the body's competence gives. Every employee is checked before
/// anyone is granted anything.
pub async fn grant_application(db: &Db, p: &Principal, id: i64) -> Result<Application> {
    p.require_system(Right::Configure)?;
    let application = crate::applications::application(db, id)
        .await
        .map_err(step_error)?
        .ok_or(Error::NotFound)?;
    if application.status != Status::Forwarded {
        return Err(step_error(StepError::WrongStatus(application.status)));
    }
    let mut users = Vec::new();
    for e in &application.request.employees {
        let user = jospar_org::repo::users(db, &e.iin, None)
            .await?
            .into_iter()
            .find(|u| u.iin == e.iin)
            .ok_or_else(|| Error::Invalid {
                key: "err-oversight-no-account",
                args: vec![("name", e.full_name.clone()), ("iin", e.iin.clone())],
                field: Some("employees".into()),
            })?;
        read_only_account(db, p, user.id).await?;
        trained(db, p, user.id).await?;
        users.push(user.id);
    }
    let kind = application.request.kind.code();
    let anchor = application.request.anchor_org_id;
    let bin = &application.request.body_bin;
    let mut granted = Vec::new();
    for user in users {
        granted.push(grant(db, p, user, kind, anchor, bin).await?.id);
    }
    crate::applications::mark_granted(db, &p.who(), id, &granted, p.today)
        .await
        .map_err(step_error)
}

/// A training session with the deadline of its report.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    #[serde(flatten)]
    pub session: Session,
    pub report_due: chrono::NaiveDate,
    pub report_overdue: bool,
}

/// The training sessions, for the integrator who holds them.
pub async fn sessions(db: &Db, p: &Principal) -> Result<Vec<SessionView>> {
    p.require_system(Right::Configure)?;
    let calendar = db.working_calendar().await?;
    Ok(training::sessions(db)
        .await
        .map_err(access_error)?
        .into_iter()
        .map(|session| {
            let report_due = session.report_due(&calendar);
            SessionView {
                report_overdue: session.report_issued_on.is_none() && p.today > report_due,
                report_due,
                session,
            }
        })
        .collect())
}

/// The state of a training session's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    Issued,
    /// Not issued yet, within its deadline.
    Awaited,
    /// Not issued past its deadline.
    Overdue,
}

impl ReportState {
    pub const ALL: [ReportState; 3] = [
        ReportState::Issued,
        ReportState::Awaited,
        ReportState::Overdue,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportState::Issued => "issued",
            ReportState::Awaited => "awaited",
            ReportState::Overdue => "overdue",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportState> {
        ReportState::ALL.into_iter().find(|s| s.code() == code)
    }

    fn of(view: &SessionView) -> ReportState {
        match (view.session.report_issued_on, view.report_overdue) {
            (Some(_), _) => ReportState::Issued,
            (None, true) => ReportState::Overdue,
            (None, false) => ReportState::Awaited,
        }
    }
}

/// Filters of the training records (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Sessions passed by a user of this organisation's subtree.
    pub within: Option<i64>,
    /// The year held.
    pub year: Option<i32>,
    pub report: Option<ReportState>,
}

impl jospar_core::listing::Listable for SessionView {
    fn search_text(&self) -> String {
        format!(
            "{} {} {}",
            self.session.topic, self.session.trainer, self.session.created_by
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        let day = |d: chrono::NaiveDate| {
            SortKey::Number(i64::from(chrono::Datelike::num_days_from_ce(&d)))
        };
        Some(match column {
            "date" => day(self.session.held_on),
            "topic" => SortKey::text(&self.session.topic),
            "trainer" => SortKey::text(&self.session.trainer),
            "passed" => SortKey::Number(self.session.passed.len() as i64),
            "due" => day(self.report_due),
            _ => return None,
        })
    }
}

/// The training records (P-12, issue 20) for the integrator: filtered, searched, sorted and cut
/// to a page, latest first unless sorted.
pub async fn list_sessions(
    db: &Db,
    p: &Principal,
    filter: &SessionFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<SessionView>> {
    let sessions = sessions(db, p).await?;
    let passed_within: Option<std::collections::HashSet<i64>> = match filter.within {
        Some(root) => {
            let orgs: std::collections::HashSet<i64> = p.tree.subtree(root).into_iter().collect();
            Some(
                jospar_org::repo::users(db, "", None)
                    .await?
                    .into_iter()
                    .filter(|u| orgs.contains(&u.org_id))
                    .map(|u| u.id)
                    .collect(),
            )
        }
        None => None,
    };
    let rows = sessions
        .into_iter()
        .filter(|v| {
            passed_within
                .as_ref()
                .is_none_or(|users| v.session.passed.iter().any(|u| users.contains(u)))
        })
        .filter(|v| {
            filter
                .year
                .is_none_or(|y| chrono::Datelike::year(&v.session.held_on) == y)
        })
        .filter(|v| filter.report.is_none_or(|r| r == ReportState::of(v)))
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

/// Records a training session and the users who passed it (P-12).
pub async fn record_session(
    db: &Db,
    p: &Principal,
    held_on: chrono::NaiveDate,
    topic: &str,
    trainer: &str,
    passed: &[i64],
) -> Result<Session> {
    p.require_system(Right::Configure)?;
    for (value, field) in [(topic, "topic"), (trainer, "trainer")] {
        if value.trim().is_empty() {
            return Err(Error::invalid("err-required", field));
        }
    }
    if passed.is_empty() {
        return Err(Error::invalid("err-required", "passed"));
    }
    for user in passed {
        jospar_org::repo::user_by_id(db, *user)
            .await?
            .ok_or_else(|| Error::invalid("err-oversight-no-user", "passed"))?;
    }
    training::record(db, &p.who(), held_on, topic.trim(), trainer.trim(), passed)
        .await
        .map_err(access_error)
}

/// Records that a session's training report was issued today.
pub async fn issue_report(db: &Db, p: &Principal, id: i64) -> Result<Session> {
    p.require_system(Right::Configure)?;
    training::issue_report(db, &p.who(), id, p.today)
        .await
        .map_err(access_error)?
        .ok_or(Error::NotFound)
}

/// Refuses access to an employee who has not passed training (P-12).
async fn trained(db: &Db, p: &Principal, user_id: i64) -> Result<()> {
    let sessions = training::sessions(db).await.map_err(access_error)?;
    if training::has_passed(&sessions, user_id, p.today) {
        Ok(())
    } else {
        Err(Error::invalid("err-oversight-untrained", "user_id"))
    }
}

/// The training report of a session (P-12): who passed it, with IIN, position and organisation.
pub async fn training_report_table(
    db: &Db,
    tr: &jospar_i18n::Tr,
    p: Option<&Principal>,
    id: i64,
) -> Result<jospar_reports::Table> {
    use jospar_reports::{Cell, Table};
    if let Some(p) = p {
        p.require_system(Right::Configure)?;
    }
    let calendar = db.working_calendar().await?;
    let session = training::sessions(db)
        .await
        .map_err(access_error)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(Error::NotFound)?;
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let mut rows = Vec::new();
    for user in &session.passed {
        let Some(u) = jospar_org::repo::user_by_id(db, *user).await? else {
            continue;
        };
        let org = orgs
            .iter()
            .find(|o| o.id == u.org_id)
            .map(|o| o.name(tr.lang()).to_string())
            .unwrap_or_default();
        rows.push(vec![
            Cell::Text(u.full_name),
            Cell::Text(u.iin),
            Cell::Text(u.position),
            Cell::Text(org),
            Cell::Text(tr.t("training-passed")),
        ]);
    }
    Ok(Table {
        title: tr.t("report-training-report"),
        subtitle: vec![tr.args(
            "training-subtitle",
            &[
                ("date", session.held_on.to_string()),
                ("topic", session.topic.clone()),
                ("trainer", session.trainer.clone()),
                ("due", session.report_due(&calendar).to_string()),
            ],
        )],
        headers: [
            "oversight-e-full_name",
            "oversight-e-iin",
            "oversight-e-position",
            "field-org_id",
            "training-result",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        rows,
        footer: vec![tr.t("training-signature")],
        ..Table::default()
    })
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    #[test]
    fn applications_are_reviewed_by_the_authorized_body_and_granted_by_the_integrator() {
        let planner = principal(1, &[(Role::Planner, 1)], REGION);
        let integrator = principal(1, &[(Role::Sysadmin, 1)], REGION);
        let district = principal(2, &[(Role::Abp, 2)], REGION);
        let school = principal(3, &[(Role::Economist, 3)], REGION);
        assert!(reviews(&planner) && !integrates(&planner));
        assert!(integrates(&integrator) && !reviews(&integrator));
        // Approving below the top of the tree does not make one the reviewing authority.
        assert!(!reviews(&district) && !integrates(&district));
        assert!(!reviews(&school) && !integrates(&school));
    }
}
