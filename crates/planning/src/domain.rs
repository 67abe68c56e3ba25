//! Rules of budget requests, free of SQL and HTTP.

use jospar_core::Tenge;
use jospar_limits::LimitKind;
use jospar_org::{Org, OrgKind, OrgTree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Kind of request document (BP-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Прогноз
    Forecast,
    /// План
    Plan,
    /// Уточнение
    Refinement,
    /// Корректировка
    Correction,
}

impl RequestKind {
    pub const ALL: [RequestKind; 4] = [
        RequestKind::Forecast,
        RequestKind::Plan,
        RequestKind::Refinement,
        RequestKind::Correction,
    ];
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Forecast => "forecast",
            RequestKind::Plan => "plan",
            RequestKind::Refinement => "refinement",
            RequestKind::Correction => "correction",
        }
    }
    pub fn from_code(code: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Status of a request (BP-2): «в работе» → «отправлен на рассмотрение» → «утверждён», or
/// returned with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InWork,
    Sent,
    Approved,
    Returned,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::InWork,
        Status::Sent,
        Status::Approved,
        Status::Returned,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Status::InWork => "in_work",
            Status::Sent => "sent",
            Status::Approved => "approved",
            Status::Returned => "returned",
        }
    }
    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
    /// Only requests in work or returned can be edited; approved ones are frozen.
    pub fn editable(self) -> bool {
        matches!(self, Status::InWork | Status::Returned)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub kind: RequestKind,
    pub status: Status,
    /// The organisation reviewing the request now (while sent).
    pub stage_org_id: Option<i64>,
    pub return_reason: Option<String>,
    pub version: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A line of a request; its id is the expense identifier (P-14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub limit_kind: LimitKind,
    pub form_code: String,
    pub project: String,
    /// Amount per year.
    pub amounts: BTreeMap<i32, Tenge>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanningError {
    #[error("the request is {0:?} and cannot be changed")]
    Frozen(Status),
    #[error("the request was changed by someone else; reload and repeat")]
    Stale,
    #[error("not found")]
    NotFound,
    #[error(
        "program {program}, year {year}: requested {requested} exceeds the limit {limit} by {excess}"
    )]
    OverLimit {
        program: String,
        year: i32,
        kind: LimitKind,
        limit: Tenge,
        requested: Tenge,
        excess: Tenge,
    },
    #[error("the request has no lines")]
    Empty,
    #[error("field {0}: invalid")]
    Field(&'static str),
    #[error("year {0} is not a year of this request")]
    Year(i32),
    #[error("no calculation form serves specific {0}")]
    NoForm(String),
    #[error(transparent)]
    Form(#[from] jospar_forms::FormError),
    #[error("the request is not waiting for this organisation's review")]
    NotAtStage,
    #[error("a reason is required to return a request")]
    ReasonRequired,
}

/// A request is overdue when the deadline has passed and it was neither sent nor approved
/// (a returned request is due again).
pub fn is_overdue(
    status: Option<Status>,
    today: chrono::NaiveDate,
    deadline: chrono::NaiveDate,
) -> bool {
    today > deadline && !matches!(status, Some(Status::Sent | Status::Approved))
}

/// The years of a request: the current (report) year and the three planning years (BP-1).
pub fn request_years(first_planning_year: i32) -> [i32; 4] {
    [
        first_planning_year - 1,
        first_planning_year,
        first_planning_year + 1,
        first_planning_year + 2,
    ]
}

/// Limit control (BP-4, P-5): every program, planning year and kind of limit of the request
/// must fit in the limit distributed to the organisation. The first violation is returned with
/// program, year, limit, requested amount and excess.
pub fn check_limits(
    lines: &[Line],
    planning_years: &[i32],
    limit_of: impl Fn(&str, i32, LimitKind) -> Tenge,
) -> Result<(), PlanningError> {
    let mut requested: BTreeMap<(String, i32, LimitKind), Tenge> = BTreeMap::new();
    for line in lines {
        for (year, amount) in &line.amounts {
            if planning_years.contains(year) {
                *requested
                    .entry((line.program.clone(), *year, line.limit_kind))
                    .or_default() += *amount;
            }
        }
    }
    for ((program, year, kind), amount) in requested {
        let limit = limit_of(&program, year, kind);
        if amount > limit {
            return Err(PlanningError::OverLimit {
                program,
                year,
                kind,
                limit,
                requested: amount,
                excess: amount - limit,
            });
        }
    }
    Ok(())
}

/// The chain of reviewers above an organisation: committees and administrators, then the
/// authorized body that opened the campaign (BP-2: institution → committee → administrator →
/// authorized body).
pub fn review_chain(
    org_id: i64,
    authority_org_id: i64,
    orgs: &HashMap<i64, Org>,
    tree: &OrgTree,
) -> Vec<i64> {
    let mut chain: Vec<i64> = tree
        .ancestors(org_id)
        .into_iter()
        .take_while(|id| *id != authority_org_id)
        .filter(|id| {
            orgs.get(id)
                .is_some_and(|o| matches!(o.kind, OrgKind::Committee | OrgKind::Administrator))
        })
        .collect();
    if org_id != authority_org_id {
        chain.push(authority_org_id);
    }
    chain
}

/// The next reviewer after `current` in the chain, or None when `current` is the last.
pub fn next_stage(chain: &[i64], current: i64) -> Option<i64> {
    chain
        .iter()
        .position(|id| *id == current)
        .and_then(|i| chain.get(i + 1))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(program: &str, year: i32, tenge: i64) -> Line {
        Line {
            id: 1,
            program: program.into(),
            subprogram: String::new(),
            specific: "111".into(),
            limit_kind: LimitKind::Base,
            form_code: "111".into(),
            project: String::new(),
            amounts: [(year, Tenge::from_tiyn(tenge * 100))]
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn limit_control_names_program_year_limit_and_excess() {
        let lines = vec![
            line("003", 2027, 30),
            line("003", 2027, 25),
            line("001", 2027, 5),
            line("003", 2026, 1000),
        ];
        let limit = |program: &str, _year: i32, _kind: LimitKind| {
            Tenge::from_tiyn(if program == "003" { 5000 } else { 500 })
        };
        assert_eq!(
            check_limits(&lines, &[2027, 2028, 2029], limit),
            Err(PlanningError::OverLimit {
                program: "003".into(),
                year: 2027,
                kind: LimitKind::Base,
                limit: Tenge::from_tiyn(5000),
                requested: Tenge::from_tiyn(5500),
                excess: Tenge::from_tiyn(500)
            })
        );
        // The current year (2026) is not limited: only the planning years are.
        let generous = |_: &str, _: i32, _: LimitKind| Tenge::from_tiyn(100_000);
        assert!(check_limits(&lines, &[2027, 2028, 2029], generous).is_ok());
    }

    #[test]
    fn overdue_after_the_deadline_unless_submitted() {
        let d = |day: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, day).expect("date");
        assert!(
            !is_overdue(None, d(10), d(10)),
            "on the deadline day it is not late yet"
        );
        assert!(is_overdue(None, d(11), d(10)));
        assert!(is_overdue(Some(Status::Returned), d(11), d(10)));
        assert!(!is_overdue(Some(Status::Sent), d(11), d(10)));
        assert!(!is_overdue(Some(Status::Approved), d(11), d(10)));
    }

    #[test]
    fn chain_goes_up_to_the_authorized_body() {
        use jospar_org::{Org, Scenario};
        let org = |id: i64, parent: Option<i64>, kind: OrgKind| Org {
            id,
            parent_id: parent,
            kind,
            scenario: Scenario::Institution,
            budget_id: 1,
            abp_code: None,
            bin: None,
            name_ru: String::new(),
            name_kk: String::new(),
            closed_on: None,
            version: 1,
        };
        let all = vec![
            org(1, None, OrgKind::AuthorizedBody),
            org(2, Some(1), OrgKind::Administrator),
            org(3, Some(2), OrgKind::Committee),
            org(4, Some(3), OrgKind::Institution),
            org(5, Some(4), OrgKind::Institution),
        ];
        let tree = OrgTree::new(all.iter().map(|o| (o.id, o.parent_id)));
        let map: HashMap<i64, Org> = all.into_iter().map(|o| (o.id, o)).collect();
        assert_eq!(review_chain(5, 1, &map, &tree), vec![3, 2, 1]);
        assert_eq!(review_chain(2, 1, &map, &tree), vec![1]);
        assert_eq!(next_stage(&[3, 2, 1], 3), Some(2));
        assert_eq!(next_stage(&[3, 2, 1], 1), None);
        assert_eq!(request_years(2027), [2026, 2027, 2028, 2029]);
    }
}
