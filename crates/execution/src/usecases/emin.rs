//! e-Minfin forms pulled as a service (seed 004 integrations 7-9, issue 24): for each
//! organisation configured (by BIN) and each form, the form at a report date is asked of
//! e-Minfin and goes through the same streaming parser, checks and storage as a file import
//! ([`super::treasury::import_form`]). A form that fails a check is refused whole and the
//! refusal is kept in the exchange journal, where the monitor shows it. A form pulled again
//! unchanged (the same bytes) changes nothing: the digest of what was imported is kept with
//! the form.

use super::exchange::exchange_who;
use super::treasury::{FormTarget, import_form};
use crate::journal;
use chrono::{Datelike as _, NaiveDate, Utc};
use jospar_access::{Error, Principal, Result};
use jospar_adapter::{Direction, ExchangeRecord, Outcome};
use jospar_emin::{EMinfin, FormQuery, PullError};
use jospar_i18n::{Lang, Tr};
use jospar_store::{Db, on_db};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// What to pull: the forms of these organisations at this report date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullPlan {
    pub bins: Vec<String>,
    pub forms: Vec<String>,
    pub report_date: NaiveDate,
}

/// How the pull of one form of one organisation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PullResult {
    /// Stored (new, or replacing a different earlier pull or file).
    Imported,
    /// The same form as the one stored from the last pull: nothing changed.
    Unchanged,
    /// It came, but failed a check: refused whole.
    Refused,
    /// It did not come: e-Minfin unreachable, refused the request, or answered nonsense; or
    /// no organisation has the BIN.
    Failed,
}

/// Why a form was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PullReason {
    /// No answer, or a 5xx.
    Unreachable,
    /// e-Minfin has no such form for the organisation and date (404).
    NotAvailable,
    /// e-Minfin refused the request (another 4xx: the token, the request).
    Refused,
    /// The answer is not the envelope of the form asked for.
    Malformed,
    /// No organisation has the BIN configured.
    UnknownBin,
    /// The form came but failed a check of the import.
    Check,
}

impl PullReason {
    pub fn code(self) -> &'static str {
        match self {
            PullReason::Unreachable => "unreachable",
            PullReason::NotAvailable => "not_available",
            PullReason::Refused => "refused",
            PullReason::Malformed => "malformed",
            PullReason::UnknownBin => "unknown_bin",
            PullReason::Check => "check",
        }
    }

    fn of(e: &PullError) -> PullReason {
        match e {
            PullError::Unreachable(_) => PullReason::Unreachable,
            PullError::Refused { status: 404, .. } => PullReason::NotAvailable,
            PullError::Refused { .. } => PullReason::Refused,
            PullError::Malformed(_) => PullReason::Malformed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PullOutcome {
    pub form: String,
    pub bin: String,
    pub org_id: Option<i64>,
    pub report_date: NaiveDate,
    pub result: PullResult,
    pub report_id: Option<i64>,
    pub rows: Option<i64>,
    /// Why it was refused or failed.
    pub reason: Option<PullReason>,
    /// The detail: the check's message (in Russian, as the journal keeps it), or what the
    /// exchange answered.
    pub message: Option<String>,
}

/// The report date a scheduled pull asks for: the Treasury's monthly forms are "on the 1st".
pub fn current_report_date(today: NaiveDate) -> NaiveDate {
    today.with_day0(0).unwrap_or(today)
}

/// Pulls every form of the plan; one outcome per organisation and form. Nothing here fails
/// the whole pass but the database: each form stands alone.
/// A check's refusal is told in `tr`'s language; the journal keeps it in Russian.
pub async fn pull_forms(
    db: &Db,
    emin: &dyn EMinfin,
    plan: &PullPlan,
    tr: &Tr,
) -> Result<Vec<PullOutcome>> {
    let orgs: HashMap<String, i64> = jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter_map(|o| o.bin.clone().map(|bin| (bin, o.id)))
        .collect();
    let mut outcomes = Vec::new();
    for bin in &plan.bins {
        for form in &plan.forms {
            let query = FormQuery {
                form: form.clone(),
                bin: bin.clone(),
                report_date: plan.report_date,
            };
            let outcome = match orgs.get(bin) {
                Some(org_id) => pull_one(db, emin, &query, *org_id, tr).await?,
                None => failed(&query, None, PullReason::UnknownBin, bin.clone()),
            };
            outcomes.push(outcome);
        }
    }
    Ok(outcomes)
}

/// e-Minfin as configured: where to ask, and for which organisations and forms.
#[derive(Clone)]
pub struct EminService {
    pub gateway: Arc<dyn EMinfin>,
    /// The BINs of the organisations whose forms are pulled (`emin_bins`).
    pub bins: Vec<String>,
    /// The forms pulled (`emin_forms`; every form of the service by default).
    pub forms: Vec<String>,
}

impl EminService {
    /// The pull of every configured form at a report date.
    pub fn plan(&self, report_date: NaiveDate) -> PullPlan {
        PullPlan {
            bins: self.bins.clone(),
            forms: self.forms.clone(),
            report_date,
        }
    }

    /// One scheduled pass (`serve`) or one on request (`jospar exchange --emin`).
    pub async fn run(&self, db: &Db, report_date: NaiveDate, tr: &Tr) -> Result<Vec<PullOutcome>> {
        pull_forms(db, self.gateway.as_ref(), &self.plan(report_date), tr).await
    }
}

/// Pulls now, for the system administrator on the exchange monitor: the forms at
/// `report_date`, or at the first of the current month.
pub async fn pull_now(
    db: &Db,
    service: Option<&EminService>,
    p: &Principal,
    report_date: Option<NaiveDate>,
    tr: &Tr,
) -> Result<Vec<PullOutcome>> {
    super::monitor::require_monitor(p)?;
    let service = service.ok_or_else(|| Error::invalid("err-emin-off", "emin"))?;
    let date = report_date.unwrap_or_else(|| current_report_date(Utc::now().date_naive()));
    service.run(db, date, tr).await
}

fn failed(
    query: &FormQuery,
    org_id: Option<i64>,
    reason: PullReason,
    message: String,
) -> PullOutcome {
    PullOutcome {
        form: query.form.clone(),
        bin: query.bin.clone(),
        org_id,
        report_date: query.report_date,
        result: PullResult::Failed,
        report_id: None,
        rows: None,
        reason: Some(reason),
        message: Some(message),
    }
}

async fn pull_one(
    db: &Db,
    emin: &dyn EMinfin,
    query: &FormQuery,
    org_id: i64,
    tr: &Tr,
) -> Result<PullOutcome> {
    let pulled = match emin.pull(query).await {
        Ok(pulled) => pulled,
        // The call is in the journal already, with its status and message.
        Err(e) => {
            let detail = match &e {
                PullError::Unreachable(m) | PullError::Malformed(m) => m.clone(),
                PullError::Refused { status, message } => format!("HTTP {status}: {message}"),
            };
            return Ok(failed(query, Some(org_id), PullReason::of(&e), detail));
        }
    };
    let csv = pulled.csv();
    let digest = hex(&Sha256::digest(&csv));
    let mut outcome = PullOutcome {
        result: PullResult::Unchanged,
        reason: None,
        message: None,
        ..failed(query, Some(org_id), PullReason::Check, String::new())
    };
    if let Some((id, rows)) = stored_pull(db, query, org_id, &digest).await? {
        outcome.report_id = Some(id);
        outcome.rows = Some(rows);
        check_record(db, query, Outcome::Ok, csv.len()).await;
        return Ok(outcome);
    }
    let file_name = format!(
        "e-Minfin {} {} {}",
        query.form, query.bin, query.report_date
    );
    let target = FormTarget {
        org_id,
        report_date: query.report_date,
        file_name: &file_name,
        pulled: Some(&digest),
    };
    let size = csv.len();
    let cursor = std::io::Cursor::new(csv);
    match import_form(db, &exchange_who(), None, &query.form, target, cursor).await {
        Ok(report) => {
            check_record(db, query, Outcome::Ok, size).await;
            outcome.result = PullResult::Imported;
            outcome.report_id = Some(report.id);
            outcome.rows = Some(report.row_count);
        }
        Err(Error::Internal(detail)) => return Err(Error::Internal(detail)),
        Err(refusal) => {
            let message = refusal_message(&refusal, &Tr(Lang::Ru));
            check_record(db, query, Outcome::Error(message), size).await;
            outcome.result = PullResult::Refused;
            outcome.reason = Some(PullReason::Check);
            outcome.message = Some(refusal_message(&refusal, tr));
        }
    }
    Ok(outcome)
}

/// A check's refusal, translated.
fn refusal_message(e: &Error, tr: &Tr) -> String {
    match e {
        Error::Invalid { key, args, .. } => tr.args(key, args),
        other => other.to_string(),
    }
}

/// The form stored from an earlier pull of exactly these bytes, if it is still the one kept.
async fn stored_pull(
    db: &Db,
    query: &FormQuery,
    org_id: i64,
    digest: &str,
) -> Result<Option<(i64, i64)>> {
    let found: Option<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, row_count FROM treasury_reports \
         WHERE form = $1 AND org_id = $2 AND report_date = $3 AND pulled_digest = $4")
        .bind(&query.form).bind(org_id).bind(query.report_date).bind(digest)
        .fetch_optional(pool).await)
    .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(found)
}

/// The check of a pulled form, in the exchange journal next to the call that brought it.
async fn check_record(db: &Db, query: &FormQuery, outcome: Outcome, bytes: usize) {
    let record = ExchangeRecord {
        system: jospar_emin::SYSTEM.into(),
        operation: format!("CheckForm {}", query.form),
        direction: Direction::Inbound,
        url: format!(
            "form {} of {} at {}",
            query.form, query.bin, query.report_date
        ),
        started_at: Utc::now(),
        duration_ms: 0,
        attempt: 1,
        status: None,
        bytes_sent: 0,
        bytes_received: u64::try_from(bytes).unwrap_or(u64::MAX),
        outcome,
    };
    if let Err(e) = journal::insert(db, &record).await {
        tracing::warn!("exchange journal: {e:?}");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheduled_pull_asks_for_the_first_of_the_month() {
        let day = |d| NaiveDate::from_ymd_opt(2027, 4, d).expect("date");
        assert_eq!(current_report_date(day(17)), day(1));
        assert_eq!(current_report_date(day(1)), day(1));
    }
}
