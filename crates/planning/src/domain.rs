//! Rules of budget requests, free of SQL and HTTP.

use jospar_core::Tenge;
use jospar_limits::LimitKind;
use jospar_org::{Org, OrgKind, OrgTree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Kind of request document (BP-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// The approved request this refinement or correction is a new version of.
    pub based_on: Option<i64>,
    /// The request's number among its organisation's requests of the campaign's first planning
    /// year (shown as БЗ-2027-0042, [`Request::number_label`]).
    pub number: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl Request {
    /// The number people read and type: the prefix (БЗ, БӨ) in the reader's language, the
    /// campaign's first planning year and the number in four digits, e.g. `БЗ-2027-0042`.
    pub fn number_label(&self, prefix: &str, first_year: i32) -> String {
        format!("{prefix}-{first_year}-{:04}", self.number)
    }
}

/// A line of a request; its id is the expense identifier (P-14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Line {
    pub id: i64,
    /// The expense identifier (P-14): the id of the line where the expense first appeared,
    /// carried unchanged into every later version of the request.
    pub expense_id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub limit_kind: LimitKind,
    pub form_code: String,
    pub project: String,
    /// Amount per year.
    #[schema(value_type = BTreeMap<String, i64>)]
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
    #[error("only an approved request gets a refinement or correction")]
    NotApproved,
    #[error("the organisation already has request {number} of this kind in the campaign")]
    Twin { id: i64, number: i64 },
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
            expense_id: 1,
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

/// Slices of the consolidated view (BP-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Org,
    /// The budget of the organisation (oblast, district, rural district…).
    Budget,
    /// The level of that budget.
    Level,
    /// The administrator of budget programs above (or being) the organisation.
    Administrator,
    Program,
    Subprogram,
    Specific,
    LimitKind,
    Project,
}

impl Dimension {
    pub const ALL: [Dimension; 9] = [
        Dimension::Org,
        Dimension::Budget,
        Dimension::Level,
        Dimension::Administrator,
        Dimension::Program,
        Dimension::Subprogram,
        Dimension::Specific,
        Dimension::LimitKind,
        Dimension::Project,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Dimension::Org => "org",
            Dimension::Budget => "budget",
            Dimension::Level => "level",
            Dimension::Administrator => "administrator",
            Dimension::Program => "program",
            Dimension::Subprogram => "subprogram",
            Dimension::Specific => "specific",
            Dimension::LimitKind => "limit_kind",
            Dimension::Project => "project",
        }
    }
    pub fn from_code(code: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Whether the slice is an attribute of the organisation: its key is given with each line
    /// by the caller, who knows the tree and the budgets.
    pub fn of_organisation(self) -> bool {
        matches!(
            self,
            Dimension::Org | Dimension::Budget | Dimension::Level | Dimension::Administrator
        )
    }
}

/// One row of a consolidation: the key of the slice and the amounts by year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Consolidated {
    pub key: String,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub amounts: BTreeMap<i32, Tenge>,
}

/// Sums the lines of many organisations' requests by one dimension and year. Each line comes
/// with the key of its organisation for the chosen organisation slice. The rows add up to the
/// total of all lines to the tiyn (nothing is rounded here).
pub fn consolidate(lines: &[(String, &Line)], by: Dimension) -> Vec<Consolidated> {
    let mut sums: BTreeMap<String, BTreeMap<i32, Tenge>> = BTreeMap::new();
    for (org_key, line) in lines {
        let key = match by {
            _ if by.of_organisation() => org_key.clone(),
            Dimension::Subprogram => format!("{} {}", line.program, line.subprogram)
                .trim()
                .to_string(),
            Dimension::Specific => line.specific.clone(),
            Dimension::LimitKind => line.limit_kind.code().to_string(),
            Dimension::Project => line.project.clone(),
            _ => line.program.clone(),
        };
        let entry = sums.entry(key).or_default();
        for (year, amount) in &line.amounts {
            *entry.entry(*year).or_default() += *amount;
        }
    }
    sums.into_iter()
        .map(|(key, amounts)| Consolidated { key, amounts })
        .collect()
}

#[cfg(test)]
mod consolidation_tests {
    use super::*;
    use proptest::prelude::*;

    fn line(program: &str, specific: &str, amounts: &[(i32, i64)]) -> Line {
        Line {
            id: 1,
            expense_id: 1,
            program: program.into(),
            subprogram: String::new(),
            specific: specific.into(),
            limit_kind: LimitKind::Base,
            form_code: specific.into(),
            project: String::new(),
            amounts: amounts
                .iter()
                .map(|(y, t)| (*y, Tenge::from_tiyn(*t)))
                .collect(),
        }
    }

    #[test]
    fn sums_by_program_and_year() {
        let (a, b, c) = (
            line("003", "111", &[(2027, 100), (2028, 5)]),
            line("003", "151", &[(2027, 1)]),
            line("001", "111", &[(2027, 7)]),
        );
        let lines = vec![
            ("10".to_string(), &a),
            ("11".to_string(), &b),
            ("10".to_string(), &c),
        ];
        let rows = consolidate(&lines, Dimension::Program);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].key, "003");
        assert_eq!(rows[1].amounts[&2027], Tenge::from_tiyn(101));
        let by_org = consolidate(&lines, Dimension::Org);
        assert_eq!(by_org[0].amounts[&2027], Tenge::from_tiyn(107));
    }

    proptest! {
        /// Consolidated totals equal the sum of their parts to the tiyn, whatever the slice.
        #[test]
        fn totals_reconcile(amounts in proptest::collection::vec((0usize..3, 0usize..3, 2026i32..2030, -1_000_000_000i64..1_000_000_000), 1..80), by in 0usize..9) {
            let lines: Vec<Line> = amounts.iter().map(|(p, s, y, t)| line(["001", "003", "005"][*p], ["111", "151", "431"][*s], &[(*y, *t)])).collect();
            let tagged: Vec<(String, &Line)> = lines.iter().enumerate().map(|(i, l)| ((i % 4).to_string(), l)).collect();
            let rows = consolidate(&tagged, Dimension::ALL[by]);
            for year in 2026..2030 {
                let from_rows: Tenge = rows.iter().filter_map(|r| r.amounts.get(&year)).copied().sum();
                let from_lines: Tenge = lines.iter().filter_map(|l| l.amounts.get(&year)).copied().sum();
                prop_assert_eq!(from_rows, from_lines);
            }
        }
    }
}

/// How one expense changed between an approved request and its new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LineDiff {
    pub expense_id: i64,
    pub program: String,
    pub specific: String,
    /// Year → (approved, new); only years whose amount differs.
    #[schema(value_type = BTreeMap<String, (i64, i64)>)]
    pub years: BTreeMap<i32, (Tenge, Tenge)>,
}

/// The expenses whose amounts differ between two versions, matched by expense identifier
/// (added and removed lines show as a change from or to zero).
pub fn diff_versions(approved: &[Line], new: &[Line]) -> Vec<LineDiff> {
    let mut ids: Vec<i64> = approved.iter().chain(new).map(|l| l.expense_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let old = approved.iter().find(|l| l.expense_id == id);
            let current = new.iter().find(|l| l.expense_id == id);
            let line = current.or(old)?;
            let amount = |l: Option<&Line>, y: &i32| {
                l.and_then(|l| l.amounts.get(y))
                    .copied()
                    .unwrap_or_default()
            };
            let mut all_years: Vec<i32> = old
                .iter()
                .chain(current.iter())
                .flat_map(|l| l.amounts.keys().copied())
                .collect();
            all_years.sort_unstable();
            all_years.dedup();
            let years: BTreeMap<i32, (Tenge, Tenge)> = all_years
                .iter()
                .map(|y| (*y, (amount(old, y), amount(current, y))))
                .filter(|(_, (a, b))| a != b)
                .collect();
            (!years.is_empty()).then(|| LineDiff {
                expense_id: id,
                program: line.program.clone(),
                specific: line.specific.clone(),
                years,
            })
        })
        .collect()
}

#[cfg(test)]
mod diff_tests {
    use super::*;

    fn line(expense_id: i64, amounts: &[(i32, i64)]) -> Line {
        Line {
            id: expense_id + 1000,
            expense_id,
            program: "003".into(),
            subprogram: String::new(),
            specific: "111".into(),
            limit_kind: LimitKind::Base,
            form_code: "111".into(),
            project: String::new(),
            amounts: amounts
                .iter()
                .map(|(y, t)| (*y, Tenge::from_tiyn(*t)))
                .collect(),
        }
    }

    #[test]
    fn changes_are_matched_by_expense_identifier() {
        let approved = vec![
            line(1, &[(2027, 100)]),
            line(2, &[(2027, 50)]),
            line(3, &[(2027, 7)]),
        ];
        let refined = vec![
            line(1, &[(2027, 120)]),
            line(3, &[(2027, 7)]),
            line(4, &[(2028, 9)]),
        ];
        let diff = diff_versions(&approved, &refined);
        let summary: Vec<(i64, i32, i64, i64)> = diff
            .iter()
            .flat_map(|d| {
                d.years
                    .iter()
                    .map(move |(y, (a, b))| (d.expense_id, *y, a.tiyn(), b.tiyn()))
            })
            .collect();
        assert_eq!(
            summary,
            vec![(1, 2027, 100, 120), (2, 2027, 50, 0), (4, 2028, 0, 9)]
        );
    }
}

/// What is signed of a request (P-9, BP-6).
#[derive(Serialize)]
struct SignedRequest<'a> {
    document: &'static str,
    id: i64,
    campaign_id: i64,
    org_id: i64,
    kind: RequestKind,
    version: i64,
    based_on: Option<i64>,
    lines: Vec<SignedLine<'a>>,
}

#[derive(Serialize)]
struct SignedLine<'a> {
    expense_id: i64,
    program: &'a str,
    subprogram: &'a str,
    specific: &'a str,
    limit_kind: LimitKind,
    project: &'a str,
    /// Year → amount in tiyn.
    amounts: BTreeMap<i32, i64>,
}

/// The canonical bytes of a request that its responsible person signs: identity, version and
/// every line with its expense identifier and amounts in tiyn, as compact JSON with a fixed
/// field order and lines ordered by expense identifier. Any change of the request raises its
/// version, so a signature can never cover a state other than the one sent.
pub fn canonical_bytes(request: &Request, lines: &[Line]) -> Vec<u8> {
    let mut signed: Vec<SignedLine> = lines
        .iter()
        .map(|l| SignedLine {
            expense_id: l.expense_id,
            program: &l.program,
            subprogram: &l.subprogram,
            specific: &l.specific,
            limit_kind: l.limit_kind,
            project: &l.project,
            amounts: l.amounts.iter().map(|(y, t)| (*y, t.tiyn())).collect(),
        })
        .collect();
    signed.sort_by_key(|l| l.expense_id);
    let document = SignedRequest {
        document: "jospar/budget-request/1",
        id: request.id,
        campaign_id: request.campaign_id,
        org_id: request.org_id,
        kind: request.kind,
        version: request.version,
        based_on: request.based_on,
        lines: signed,
    };
    serde_json::to_vec(&document).unwrap_or_default()
}

#[cfg(test)]
mod signing_tests {
    use super::*;

    #[test]
    fn canonical_bytes_are_stable_and_change_with_the_request() {
        let request = Request {
            id: 7,
            campaign_id: 1,
            org_id: 3,
            kind: RequestKind::Forecast,
            status: Status::InWork,
            stage_org_id: None,
            return_reason: None,
            version: 4,
            updated_at: chrono::DateTime::default(),
            based_on: None,
            number: 1,
            created_at: chrono::DateTime::default(),
        };
        let line = |expense_id: i64, tiyn: i64| Line {
            id: expense_id,
            expense_id,
            program: "003".into(),
            subprogram: "015".into(),
            specific: "151".into(),
            limit_kind: LimitKind::Base,
            form_code: "151".into(),
            project: String::new(),
            amounts: BTreeMap::from([(2027, Tenge::from_tiyn(tiyn))]),
        };
        let bytes = canonical_bytes(&request, &[line(9, 100), line(5, 250)]);
        assert_eq!(
            String::from_utf8(bytes.clone()).expect("utf-8"),
            r#"{"document":"jospar/budget-request/1","id":7,"campaign_id":1,"org_id":3,"kind":"forecast","version":4,"based_on":null,"lines":[{"expense_id":5,"program":"003","subprogram":"015","specific":"151","limit_kind":"base","project":"","amounts":{"2027":250}},{"expense_id":9,"program":"003","subprogram":"015","specific":"151","limit_kind":"base","project":"","amounts":{"2027":100}}]}"#
        );
        // Order of lines does not matter; any amount or version does.
        assert_eq!(
            canonical_bytes(&request, &[line(5, 250), line(9, 100)]),
            bytes
        );
        assert_ne!(
            canonical_bytes(&request, &[line(5, 251), line(9, 100)]),
            bytes
        );
        let newer = Request {
            version: 5,
            ..request
        };
        assert_ne!(
            canonical_bytes(&newer, &[line(5, 250), line(9, 100)]),
            bytes
        );
    }
}

/// The keys of an organisation for the slices that are attributes of the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgKeys {
    pub org: String,
    pub budget: String,
    pub level: String,
    pub administrator: String,
}

/// The key of a line of an organisation in one slice.
pub fn slice_key(by: Dimension, org: &OrgKeys, line: &Line) -> String {
    match by {
        Dimension::Org => org.org.clone(),
        Dimension::Budget => org.budget.clone(),
        Dimension::Level => org.level.clone(),
        Dimension::Administrator => org.administrator.clone(),
        Dimension::Program => line.program.clone(),
        Dimension::Subprogram => format!("{} {}", line.program, line.subprogram)
            .trim()
            .to_string(),
        Dimension::Specific => line.specific.clone(),
        Dimension::LimitKind => line.limit_kind.code().to_string(),
        Dimension::Project => line.project.clone(),
    }
}

/// Requested amounts of one year by two slices (BP-5 pivot): rows × columns. Cells, row
/// totals and column totals all come from the same lines, so they reconcile to the tiyn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pivot {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: BTreeMap<(String, String), Tenge>,
}

impl Pivot {
    pub fn cell(&self, row: &str, column: &str) -> Tenge {
        self.cells
            .get(&(row.to_string(), column.to_string()))
            .copied()
            .unwrap_or_default()
    }
    pub fn row_total(&self, row: &str) -> Tenge {
        self.columns.iter().map(|c| self.cell(row, c)).sum()
    }
    pub fn column_total(&self, column: &str) -> Tenge {
        self.rows.iter().map(|r| self.cell(r, column)).sum()
    }
    pub fn total(&self) -> Tenge {
        self.cells.values().copied().sum()
    }
}

pub fn pivot<K: std::borrow::Borrow<OrgKeys>>(
    lines: &[(K, &Line)],
    rows: Dimension,
    columns: Dimension,
    year: i32,
) -> Pivot {
    let mut result = Pivot::default();
    let mut row_keys = std::collections::BTreeSet::new();
    let mut column_keys = std::collections::BTreeSet::new();
    for (org, line) in lines {
        let Some(amount) = line.amounts.get(&year) else {
            continue;
        };
        let row = slice_key(rows, org.borrow(), line);
        let column = slice_key(columns, org.borrow(), line);
        row_keys.insert(row.clone());
        column_keys.insert(column.clone());
        *result.cells.entry((row, column)).or_default() += *amount;
    }
    result.rows = row_keys.into_iter().collect();
    result.columns = column_keys.into_iter().collect();
    result
}

#[cfg(test)]
mod pivot_tests {
    use super::*;

    #[test]
    fn pivot_cells_and_totals_reconcile() {
        let line = |program: &str, specific: &str, tiyn: i64| Line {
            id: 1,
            expense_id: 1,
            program: program.into(),
            subprogram: String::new(),
            specific: specific.into(),
            limit_kind: LimitKind::Base,
            form_code: specific.into(),
            project: String::new(),
            amounts: BTreeMap::from([(2027, Tenge::from_tiyn(tiyn)), (2028, Tenge::from_tiyn(7))]),
        };
        let school = OrgKeys {
            org: "school".into(),
            ..OrgKeys::default()
        };
        let library = OrgKeys {
            org: "library".into(),
            ..OrgKeys::default()
        };
        let (a, b, c) = (
            line("003", "111", 101),
            line("003", "151", 33),
            line("015", "111", 5),
        );
        let lines = vec![(school.clone(), &a), (school, &b), (library, &c)];
        let p = pivot(&lines, Dimension::Program, Dimension::Specific, 2027);
        assert_eq!(p.rows, vec!["003", "015"]);
        assert_eq!(p.columns, vec!["111", "151"]);
        assert_eq!(p.cell("003", "111"), Tenge::from_tiyn(101));
        assert_eq!(p.row_total("003"), Tenge::from_tiyn(134));
        assert_eq!(p.column_total("111"), Tenge::from_tiyn(106));
        assert_eq!(p.total(), Tenge::from_tiyn(139));
        let by_org = pivot(&lines, Dimension::Org, Dimension::Program, 2028);
        assert_eq!(by_org.cell("school", "003"), Tenge::from_tiyn(14));
        assert_eq!(by_org.total(), Tenge::from_tiyn(21));
    }
}
