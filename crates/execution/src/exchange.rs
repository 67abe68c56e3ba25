//! The exchange of plans with the Treasury (EX-4): the life of a queued document. Approved
//! plans and their change documents wait in a queue; each attempt to send one ends with the
//! Treasury's decision or a failure, and the document moves on by the rules below.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting to be sent (again, after a failure, at `next_attempt_at`).
    Queued,
    /// Registered by the Treasury; its decision is asked for at `next_attempt_at`.
    Sent,
    Accepted,
    Rejected,
    /// Every attempt failed; sent again only when someone asks.
    Failed,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 5] = [
        OutboxStatus::Queued,
        OutboxStatus::Sent,
        OutboxStatus::Accepted,
        OutboxStatus::Rejected,
        OutboxStatus::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "queued",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Accepted => "accepted",
            OutboxStatus::Rejected => "rejected",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<OutboxStatus> {
        OutboxStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A document in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OutboxItem {
    pub id: i64,
    pub plan_id: i64,
    pub org_id: i64,
    /// `plan`, `certificate`, `refinement` or `correction`.
    pub kind: String,
    /// The change document's number in its plan; 0 for the plan itself.
    pub change_number: i64,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// The Treasury's registration number.
    pub reference: Option<String>,
    /// The Treasury's reason for a rejection.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accepted {
        reference: String,
    },
    /// Registered, decision pending.
    Registered {
        reference: String,
    },
    Rejected {
        reason: String,
    },
    /// The Treasury was not reached or the bus refused the message.
    Failed {
        error: String,
    },
}

/// Sending attempts before a document is marked failed: with the doubling delays below, about
/// four hours of the bus being down.
pub const MAX_ATTEMPTS: i64 = 8;
/// How often the decision on a registered document is asked for.
pub const POLL_INTERVAL_MINUTES: i64 = 5;

/// The wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes.
pub fn retry_delay(attempts: i64) -> Duration {
    Duration::minutes(1 << attempts.clamp(1, 8).saturating_sub(1))
}

/// Whether the exchange should act on the item now.
pub fn is_due(item: &OutboxItem, now: DateTime<Utc>) -> bool {
    matches!(item.status, OutboxStatus::Queued | OutboxStatus::Sent) && item.next_attempt_at <= now
}

/// The item after an attempt ended with `answer` at `now`.
pub fn after(item: &OutboxItem, answer: &Answer, now: DateTime<Utc>) -> OutboxItem {
    let mut next = OutboxItem {
        updated_at: now,
        ..item.clone()
    };
    match answer {
        Answer::Accepted { reference } => {
            next.status = OutboxStatus::Accepted;
            next.reference = Some(reference.clone());
            next.last_error = None;
        }
        Answer::Registered { reference } => {
            next.status = OutboxStatus::Sent;
            next.reference = Some(reference.clone());
            next.last_error = None;
            next.next_attempt_at = now + Duration::minutes(POLL_INTERVAL_MINUTES);
        }
        Answer::Rejected { reason } => {
            next.status = OutboxStatus::Rejected;
            next.reason = Some(reason.clone());
            next.last_error = None;
        }
        // Asking for a registered document's decision failed: ask again later, it stays sent.
        Answer::Failed { error } if item.status == OutboxStatus::Sent => {
            next.last_error = Some(error.clone());
            next.next_attempt_at = now + Duration::minutes(POLL_INTERVAL_MINUTES);
        }
        Answer::Failed { error } => {
            next.attempts = item.attempts + 1;
            next.last_error = Some(error.clone());
            if next.attempts >= MAX_ATTEMPTS {
                next.status = OutboxStatus::Failed;
            } else {
                next.next_attempt_at = now + retry_delay(next.attempts);
            }
        }
    }
    next
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a document {0:?} is not sent again: only failed or rejected ones are")]
pub struct NotRetryable(pub OutboxStatus);

/// A failed or rejected document queued again, now, with its attempts counted anew.
pub fn requeued(item: &OutboxItem, now: DateTime<Utc>) -> Result<OutboxItem, NotRetryable> {
    if !matches!(item.status, OutboxStatus::Failed | OutboxStatus::Rejected) {
        return Err(NotRetryable(item.status));
    }
    Ok(OutboxItem {
        status: OutboxStatus::Queued,
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        reason: None,
        updated_at: now,
        ..item.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(now: DateTime<Utc>) -> OutboxItem {
        OutboxItem {
            id: 1,
            plan_id: 2,
            org_id: 3,
            kind: "plan".into(),
            change_number: 0,
            status: OutboxStatus::Queued,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            reference: None,
            reason: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn failed() -> Answer {
        Answer::Failed {
            error: "503".into(),
        }
    }

    #[test]
    fn failures_back_off_then_give_up() {
        let now = Utc::now();
        let mut item = queued(now);
        let mut waits = Vec::new();
        for _ in 0..MAX_ATTEMPTS - 1 {
            item = after(&item, &failed(), now);
            assert_eq!(item.status, OutboxStatus::Queued);
            assert!(!is_due(&item, now));
            waits.push((item.next_attempt_at - now).num_minutes());
        }
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64]);
        item = after(&item, &failed(), now);
        assert_eq!(item.status, OutboxStatus::Failed);
        assert_eq!(item.attempts, MAX_ATTEMPTS);
        assert!(!is_due(&item, now + Duration::days(1)));
        let again = requeued(&item, now).unwrap();
        assert_eq!((again.status, again.attempts), (OutboxStatus::Queued, 0));
        assert!(is_due(&again, now));
    }

    #[test]
    fn a_registered_document_is_asked_about_until_decided() {
        let now = Utc::now();
        let registered = Answer::Registered {
            reference: "ФУПФ-1".into(),
        };
        let sent = after(&queued(now), &registered, now);
        assert_eq!(sent.status, OutboxStatus::Sent);
        assert!(!is_due(&sent, now));
        let later = now + Duration::minutes(POLL_INTERVAL_MINUTES);
        assert!(is_due(&sent, later));
        let still = after(&sent, &failed(), later);
        assert_eq!((still.status, still.attempts), (OutboxStatus::Sent, 0));
        let accepted = after(
            &still,
            &Answer::Accepted {
                reference: "ФУПФ-1".into(),
            },
            later,
        );
        assert_eq!(accepted.status, OutboxStatus::Accepted);
        assert_eq!(accepted.last_error, None);
        assert_eq!(
            requeued(&accepted, later),
            Err(NotRetryable(OutboxStatus::Accepted))
        );
    }

    #[test]
    fn a_rejection_keeps_the_reason_until_sent_again() {
        let now = Utc::now();
        let rejected = after(
            &queued(now),
            &Answer::Rejected {
                reason: "БИН".into(),
            },
            now,
        );
        assert_eq!(rejected.status, OutboxStatus::Rejected);
        assert_eq!(rejected.reason.as_deref(), Some("БИН"));
        assert_eq!(requeued(&rejected, now).unwrap().reason, None);
    }
}
