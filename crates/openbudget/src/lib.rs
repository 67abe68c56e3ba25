//! The open budget (OB, seed 003 — rules of order No. 176-НҚ of 18 April 2025). An
//! administrator of budget programs publishes a budget program passport, or the report on its
//! implementation in the past year, for public discussion; anyone reads it without signing in.
//! People signed in with their electronic signature vote "for" or "against" the document and
//! each published proposal, once each, and send proposals; the operator publishes or refuses
//! each proposal within 2 working days; the administrator answers each published one. When the
//! period ends the final report of appendix 1 (passports) or 2 (reports) is made from all of it.
//!
//! The rules here are free of SQL and HTTP; [`repo`] stores them.

pub mod lists;
pub mod publications;
pub mod repo;
pub mod reports;
pub mod usecases;
pub mod words;

pub use reports::REPORTS;

use chrono::NaiveDate;
use jospar_core::WorkingCalendar;
use serde::{Deserialize, Serialize};

/// A passport stays in discussion at least this many working days (p. 9 of the rules).
pub const DISCUSSION_WORKING_DAYS: u32 = 10;
/// The operator moderates a proposal within this many working days (OB-4).
pub const MODERATION_WORKING_DAYS: u32 = 2;
/// A proposal is at most this many characters (OB-3).
pub const PROPOSAL_MAX_CHARS: usize = 1000;

/// What is discussed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Паспорт бюджетной программы.
    Passport,
    /// Отчёт о реализации паспорта бюджетной программы за прошедший год.
    Report,
}

impl DocKind {
    pub const ALL: [DocKind; 2] = [DocKind::Passport, DocKind::Report];

    pub fn code(self) -> &'static str {
        match self {
            DocKind::Passport => "passport",
            DocKind::Report => "report",
        }
    }

    pub fn from_code(code: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Why a document cannot be published as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    #[error(
        "the discussion must last at least {DISCUSSION_WORKING_DAYS} working days, to {earliest}"
    )]
    PeriodTooShort { earliest: NaiveDate },
    #[error("the report on the implementation of {year} is due by {due}")]
    ReportLate { year: i32, due: NaiveDate },
    #[error("the {0} is empty")]
    Missing(&'static str),
}

/// The last day of the discussion: the day asked for, if it leaves the 10 working days the
/// rules ask, or the tenth working day after publication.
pub fn discussion_end(
    calendar: &WorkingCalendar,
    published_on: NaiveDate,
    asked: Option<NaiveDate>,
) -> Result<NaiveDate, PublishError> {
    let earliest = calendar.add_working_days(published_on, DISCUSSION_WORKING_DAYS);
    match asked {
        Some(day) if day < earliest => Err(PublishError::PeriodTooShort { earliest }),
        Some(day) => Ok(day),
        None => Ok(earliest),
    }
}

/// The report on the implementation of a year's passport is published by 1 April of the next
/// year (p. 10 of the rules).
pub fn report_due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, 4, 1).unwrap_or(NaiveDate::MAX)
}

/// Checks a document before it is published on `today`.
pub fn check_publication(
    kind: DocKind,
    year: i32,
    title: (&str, &str),
    today: NaiveDate,
) -> Result<(), PublishError> {
    if title.0.trim().is_empty() {
        return Err(PublishError::Missing("title_ru"));
    }
    if title.1.trim().is_empty() {
        return Err(PublishError::Missing("title_kk"));
    }
    if kind == DocKind::Report && today > report_due(year) {
        return Err(PublishError::ReportLate {
            year,
            due: report_due(year),
        });
    }
    Ok(())
}

/// The day a proposal submitted on `submitted_on` must be moderated by.
pub fn moderation_due(calendar: &WorkingCalendar, submitted_on: NaiveDate) -> NaiveDate {
    calendar.add_working_days(submitted_on, MODERATION_WORKING_DAYS)
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waits for the operator.
    Pending,
    Published,
    Refused,
}

impl ProposalStatus {
    pub fn code(self) -> &'static str {
        match self {
            ProposalStatus::Pending => "pending",
            ProposalStatus::Published => "published",
            ProposalStatus::Refused => "refused",
        }
    }

    pub fn from_code(code: &str) -> Option<ProposalStatus> {
        [
            ProposalStatus::Pending,
            ProposalStatus::Published,
            ProposalStatus::Refused,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// Why a step of the discussion is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscussionError {
    #[error("the discussion ended on {0}")]
    Ended(NaiveDate),
    #[error("this person has voted on it already")]
    VotedAlready,
    #[error("only a published proposal is voted on or answered")]
    NotPublished,
    #[error("the proposal was moderated already")]
    Moderated,
    #[error("the proposal was answered already")]
    Answered,
    #[error("a reason is needed")]
    NoReason,
}

/// Votes and proposals are taken while the discussion lasts: to its last day inclusive.
pub fn check_open(ends_on: NaiveDate, today: NaiveDate) -> Result<(), DiscussionError> {
    if today > ends_on {
        Err(DiscussionError::Ended(ends_on))
    } else {
        Ok(())
    }
}

/// One row of the table of the final report: a published proposal with its answer and votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FinalRow {
    pub published_on: NaiveDate,
    /// The structural part of the document the proposal concerns (its code).
    pub part: String,
    pub text: String,
    /// The administrator's answer: accepted or rejected, and why; none if not answered.
    pub accepted: Option<bool>,
    pub answer: Option<String>,
    pub votes_for: i64,
    pub votes_against: i64,
}

/// The final report of a discussion (appendix 1 for a passport, 2 for an implementation
/// report), with every field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FinalReport {
    pub unique_number: String,
    pub kind: DocKind,
    pub title_ru: String,
    pub title_kk: String,
    pub published_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub made_on: NaiveDate,
    pub document_for: i64,
    pub document_against: i64,
    pub proposals: i64,
    pub proposals_for: i64,
    pub proposals_against: i64,
    /// "republican" or "local".
    pub budget_kind: String,
    pub administrator: String,
    pub period: String,
    pub head: String,
    pub rows: Vec<FinalRow>,
}

impl FinalReport {
    /// The vote totals of the proposals are the sums of the rows.
    pub fn new(head: FinalReport) -> FinalReport {
        FinalReport {
            proposals_for: head.rows.iter().map(|r| r.votes_for).sum(),
            proposals_against: head.rows.iter().map(|r| r.votes_against).sum(),
            ..head
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn ten_working_days_step_over_weekends_and_holidays() {
        let calendar = WorkingCalendar::new([]);
        // Friday 13 March 2026: Nauryz (21–23 March, with the carry-over) falls inside.
        let end = discussion_end(&calendar, d(2026, 3, 13), None).expect("end");
        assert!(end > d(2026, 3, 27), "{end}");
        assert_eq!(calendar.working_days_between(d(2026, 3, 13), end), 10);
        assert_eq!(
            discussion_end(&calendar, d(2026, 3, 13), Some(d(2026, 3, 20))),
            Err(PublishError::PeriodTooShort { earliest: end })
        );
        let later = d(2026, 4, 30);
        assert_eq!(
            discussion_end(&calendar, d(2026, 3, 13), Some(later)),
            Ok(later)
        );
    }

    #[test]
    fn an_implementation_report_is_due_by_the_first_of_april() {
        assert_eq!(report_due(2026), d(2027, 4, 1));
        let title = ("Отчёт", "Есеп");
        assert_eq!(
            check_publication(DocKind::Report, 2026, title, d(2027, 4, 1)),
            Ok(())
        );
        assert_eq!(
            check_publication(DocKind::Report, 2026, title, d(2027, 4, 2)),
            Err(PublishError::ReportLate {
                year: 2026,
                due: d(2027, 4, 1)
            })
        );
        assert_eq!(
            check_publication(DocKind::Passport, 2026, title, d(2027, 6, 1)),
            Ok(())
        );
        assert_eq!(
            check_publication(DocKind::Passport, 2026, ("", "Есеп"), d(2026, 6, 1)),
            Err(PublishError::Missing("title_ru"))
        );
    }

    #[test]
    fn the_discussion_takes_votes_to_its_last_day() {
        assert_eq!(check_open(d(2026, 5, 15), d(2026, 5, 15)), Ok(()));
        assert_eq!(
            check_open(d(2026, 5, 15), d(2026, 5, 16)),
            Err(DiscussionError::Ended(d(2026, 5, 15)))
        );
    }

    #[test]
    fn the_final_report_adds_up_the_votes_of_its_proposals() {
        let row = |f, a| FinalRow {
            published_on: d(2026, 5, 4),
            part: "purpose".into(),
            text: "x".into(),
            accepted: Some(true),
            answer: Some("y".into()),
            votes_for: f,
            votes_against: a,
        };
        let report = FinalReport::new(FinalReport {
            unique_number: "1".into(),
            kind: DocKind::Passport,
            title_ru: "t".into(),
            title_kk: "t".into(),
            published_on: d(2026, 5, 1),
            ends_on: d(2026, 5, 15),
            made_on: d(2026, 5, 16),
            document_for: 3,
            document_against: 1,
            proposals: 2,
            proposals_for: 0,
            proposals_against: 0,
            budget_kind: "b".into(),
            administrator: "a".into(),
            period: "2027".into(),
            head: "h".into(),
            rows: vec![row(2, 1), row(5, 0)],
        });
        assert_eq!((report.proposals_for, report.proposals_against), (7, 1));
    }
}
