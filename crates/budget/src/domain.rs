//! The acts of the budget cycle and their rules, without storage (issue 22, P-17).
//!
//! Every act holds the amount of each budget program — by administrator (ABP), program and
//! year of the planning period — as that act sets it, beside the amount it started from (its
//! base): the requests for a conclusion, the conclusions for the commission's decision, the
//! commission's decision for the maslikhat's approval, the version in force for a refinement
//! or a correction. An adopted approval, refinement or correction is a version of the budget.

use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::Tenge;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The kinds of act, in the order of the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BudgetActKind)]
pub enum ActKind {
    /// Заключение рабочего органа on one administrator's requests.
    Conclusion,
    /// Решение бюджетной комиссии.
    Commission,
    /// Решение маслихата об утверждении бюджета.
    Approval,
    /// Постановление акимата о реализации решения маслихата.
    Resolution,
    /// Решение маслихата об уточнении бюджета.
    Refinement,
    /// Корректировка бюджета (постановление акимата).
    Correction,
}

impl ActKind {
    pub const ALL: [ActKind; 6] = [
        ActKind::Conclusion,
        ActKind::Commission,
        ActKind::Approval,
        ActKind::Resolution,
        ActKind::Refinement,
        ActKind::Correction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActKind::Conclusion => "conclusion",
            ActKind::Commission => "commission",
            ActKind::Approval => "approval",
            ActKind::Resolution => "resolution",
            ActKind::Refinement => "refinement",
            ActKind::Correction => "correction",
        }
    }

    pub fn from_code(code: &str) -> Option<ActKind> {
        ActKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// An adopted act of this kind is a version of the budget: plans are reconciled with it.
    pub fn is_version(self) -> bool {
        matches!(
            self,
            ActKind::Approval | ActKind::Refinement | ActKind::Correction
        )
    }

    /// Decisions of the maslikhat (compared by report 11); resolutions of the akimat are
    /// compared by report 10.
    pub fn is_decision(self) -> bool {
        matches!(self, ActKind::Approval | ActKind::Refinement)
    }

    /// Working days from drawing up a draft to adopting it, when the authorized body sets no
    /// date of its own. The Budget Code gives the maslikhat two weeks to approve or refine the
    /// budget once the draft is before it, and the akimat a week to implement a decision; the
    /// working body and the commission get the two weeks of a review of requests.
    pub fn working_days_to_adopt(self) -> u32 {
        match self {
            ActKind::Conclusion | ActKind::Commission => 10,
            ActKind::Approval | ActKind::Refinement => 10,
            ActKind::Resolution | ActKind::Correction => 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BudgetActStatus)]
pub enum ActStatus {
    Draft,
    Adopted,
}

impl ActStatus {
    pub fn code(self) -> &'static str {
        match self {
            ActStatus::Draft => "draft",
            ActStatus::Adopted => "adopted",
        }
    }

    pub fn from_code(code: &str) -> Option<ActStatus> {
        match code {
            "draft" => Some(ActStatus::Draft),
            "adopted" => Some(ActStatus::Adopted),
            _ => None,
        }
    }
}

/// A numbered, dated act on the budget of one level for a planning period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = BudgetAct)]
pub struct Act {
    pub id: i64,
    pub campaign_id: i64,
    pub budget_id: i64,
    /// The first year of the planning period (three years).
    pub first_year: i32,
    pub kind: ActKind,
    /// The administrator a conclusion is on; empty for an act on the whole budget.
    pub administrator: String,
    pub number: String,
    pub act_date: NaiveDate,
    /// The act this one follows: the decision a resolution implements, the version a
    /// refinement changes, the commission's decision an approval adopts.
    pub based_on: Option<i64>,
    pub status: ActStatus,
    pub version: i64,
    pub created_by: String,
    pub adopted_by: Option<String>,
    pub adopted_at: Option<DateTime<Utc>>,
    /// The day by which a draft is to be adopted (none for acts kept from before deadlines).
    pub due_on: Option<NaiveDate>,
}

impl Act {
    pub fn years(&self) -> [i32; 3] {
        [self.first_year, self.first_year + 1, self.first_year + 2]
    }
}

/// The bytes a person signs to adopt an act (P-9): what the act decides — its kind, number,
/// date, period, the act it follows and every amount with its reason — as compact JSON in a
/// fixed order, so the same act always gives the same bytes and a later change breaks the
/// signature.
pub fn canonical_bytes(act: &Act, lines: &[ActLine]) -> Vec<u8> {
    let lines: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| {
            serde_json::json!([
                l.abp,
                l.program,
                l.year,
                l.base.tiyn(),
                l.amount.tiyn(),
                l.reason
            ])
        })
        .collect();
    serde_json::json!({
        "act": act.id,
        "kind": act.kind.code(),
        "number": act.number,
        "date": act.act_date,
        "budget": act.budget_id,
        "first_year": act.first_year,
        "administrator": act.administrator,
        "based_on": act.based_on,
        "version": act.version,
        "lines": lines,
    })
    .to_string()
    .into_bytes()
}

/// The section of the budget (Budget Code, art. 11) a program's amounts go to in the draft
/// budget: expenses (II), budget credits (III, economic category 5 of the specifics) or the
/// acquisition of financial assets (IV, category 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpenseSection {
    Expenses,
    Lending,
    FinancialAssets,
}

impl ExpenseSection {
    fn of_specific(specific: &str) -> ExpenseSection {
        match specific.trim().chars().next() {
            Some('5') => ExpenseSection::Lending,
            Some('6') => ExpenseSection::FinancialAssets,
            _ => ExpenseSection::Expenses,
        }
    }

    /// A program is of the section where most of its requested amount lies: a program of
    /// budget credits asks for specifics of category 5 only, one of financial assets for
    /// category 6; a program asking for nothing is an expense.
    pub fn of_program(lines: &[(String, Tenge)]) -> ExpenseSection {
        let mut sums: Vec<(ExpenseSection, Tenge)> = Vec::new();
        for (specific, amount) in lines {
            let section = ExpenseSection::of_specific(specific);
            match sums.iter_mut().find(|(s, _)| *s == section) {
                Some((_, sum)) => *sum += *amount,
                None => sums.push((section, *amount)),
            }
        }
        sums.into_iter()
            .max_by_key(|(s, sum)| (*sum, *s == ExpenseSection::Expenses))
            .map_or(ExpenseSection::Expenses, |(s, _)| s)
    }
}

/// Which program and year a line is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineKey {
    pub abp: String,
    pub program: String,
    pub year: i32,
}

impl LineKey {
    /// How a refusal and the form name the line: `line-ABP-PROGRAM-YEAR`.
    pub fn field(&self) -> String {
        format!("line-{}-{}-{}", self.abp, self.program, self.year)
    }

    pub fn label(&self) -> String {
        format!("{} {} · {}", self.abp, self.program, self.year)
    }
}

/// One program's amount for one year in an act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = BudgetActLine)]
pub struct ActLine {
    pub abp: String,
    pub program: String,
    pub year: i32,
    /// What the act started from.
    pub base: Tenge,
    pub amount: Tenge,
    /// Why the amount differs from the base (a remark of the working body, the commission's
    /// reason, the ground of a refinement).
    pub reason: String,
}

impl ActLine {
    pub fn key(&self) -> LineKey {
        LineKey {
            abp: self.abp.clone(),
            program: self.program.clone(),
            year: self.year,
        }
    }
}

/// An amount typed for a line: an existing line by its key, or a new program's line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = BudgetLineEdit)]
pub struct LineEdit {
    pub abp: String,
    pub program: String,
    pub year: i32,
    pub amount_tiyn: i64,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("field {0} is missing or wrong")]
    Field(&'static str),
    #[error("{line:?}: an amount cannot be negative")]
    Negative { line: LineKey },
    #[error("{line:?}: {amount} is more than {base} it started from, and no reason is given")]
    IncreaseWithoutReason {
        line: LineKey,
        base: Tenge,
        amount: Tenge,
    },
    #[error("{line:?}: the code is not three digits")]
    BadCode { line: LineKey },
    #[error("{line:?}: a conclusion is on its own administrator's programs only")]
    OtherAdministrator { line: LineKey },
    #[error("{line:?}: a refinement or correction says why each amount changes")]
    ChangeWithoutReason { line: LineKey },
    #[error(
        "year {year}: a correction moves amounts between programs; the year's total {total} must stay {base}"
    )]
    CorrectionTotal {
        year: i32,
        base: Tenge,
        total: Tenge,
    },
    #[error("another act was adopted meanwhile")]
    Concurrent,
    #[error("{line:?}: the year is outside the planning period")]
    YearOutside { line: LineKey },
    #[error("the act is adopted and cannot change")]
    Frozen,
    #[error("a resolution carries the amounts of the decision it implements")]
    ResolutionLines,
    #[error("the act was changed by someone else")]
    Stale,
    #[error("the act needs an adopted {0:?} first")]
    NeedsBase(ActKind),
    #[error("the budget of this period is already approved")]
    AlreadyApproved,
    #[error("the act is dated {date}, before {base_date} of the act it follows")]
    DateBeforeBase {
        date: NaiveDate,
        base_date: NaiveDate,
    },
    #[error("the number is taken by another act of this kind")]
    NumberTaken,
    #[error("the two acts are of different budgets or periods")]
    OtherBudget,
    #[error("no requests of this administrator")]
    NoRequests,
}

fn is_code(text: &str) -> bool {
    text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Applies typed amounts to an act's lines: a known line takes the amount and reason, an
/// unknown program gets a line of its own (base zero, so it needs a reason). Answers the
/// lines as they become and the keys that changed.
pub fn apply_edits(
    act: &Act,
    lines: &[ActLine],
    edits: &[LineEdit],
) -> Result<(Vec<ActLine>, Vec<LineKey>), BudgetError> {
    if act.status == ActStatus::Adopted {
        return Err(BudgetError::Frozen);
    }
    if act.kind == ActKind::Resolution {
        return Err(BudgetError::ResolutionLines);
    }
    let mut by_key: BTreeMap<LineKey, ActLine> =
        lines.iter().map(|l| (l.key(), l.clone())).collect();
    let mut changed = BTreeSet::new();
    for edit in edits {
        let key = LineKey {
            abp: edit.abp.trim().to_string(),
            program: edit.program.trim().to_string(),
            year: edit.year,
        };
        if !is_code(&key.abp) || !is_code(&key.program) {
            return Err(BudgetError::BadCode { line: key });
        }
        if !act.years().contains(&key.year) {
            return Err(BudgetError::YearOutside { line: key });
        }
        if act.kind == ActKind::Conclusion && key.abp != act.administrator {
            return Err(BudgetError::OtherAdministrator { line: key });
        }
        let amount = Tenge::from_tiyn(edit.amount_tiyn);
        let reason = edit.reason.trim().to_string();
        let line = by_key.entry(key.clone()).or_insert_with(|| ActLine {
            abp: key.abp.clone(),
            program: key.program.clone(),
            year: key.year,
            base: Tenge::ZERO,
            amount: Tenge::ZERO,
            reason: String::new(),
        });
        if line.amount != amount || line.reason != reason {
            line.amount = amount;
            line.reason = reason;
            changed.insert(key);
        }
    }
    let lines: Vec<ActLine> = by_key.into_values().collect();
    check_lines(act.kind, &lines)?;
    Ok((lines, changed.into_iter().collect()))
}

/// The rules every act's lines keep: no negative amount, and no amount above what the act
/// started from without a reason (a decision approving more than the draft says why). A
/// refinement or correction says why each amount it changes; a correction moves amounts
/// between programs, each year's total staying that of the version it corrects.
pub fn check_lines(kind: ActKind, lines: &[ActLine]) -> Result<(), BudgetError> {
    let changes_version = matches!(kind, ActKind::Refinement | ActKind::Correction);
    for line in lines {
        if line.amount < Tenge::ZERO {
            return Err(BudgetError::Negative { line: line.key() });
        }
        let unexplained = line.reason.trim().is_empty();
        if line.amount > line.base && unexplained {
            return Err(BudgetError::IncreaseWithoutReason {
                line: line.key(),
                base: line.base,
                amount: line.amount,
            });
        }
        if changes_version && line.amount != line.base && unexplained {
            return Err(BudgetError::ChangeWithoutReason { line: line.key() });
        }
    }
    if kind == ActKind::Correction {
        let mut years: BTreeMap<i32, (Tenge, Tenge)> = BTreeMap::new();
        for line in lines {
            let (base, total) = years.entry(line.year).or_default();
            *base += line.base;
            *total += line.amount;
        }
        if let Some((year, (base, total))) = years.into_iter().find(|(_, (b, t))| b != t) {
            return Err(BudgetError::CorrectionTotal { year, base, total });
        }
    }
    Ok(())
}

/// Lines starting from the given amounts: base and amount alike, no reason yet.
pub fn lines_from(amounts: &BTreeMap<LineKey, Tenge>) -> Vec<ActLine> {
    amounts
        .iter()
        .map(|(key, amount)| ActLine {
            abp: key.abp.clone(),
            program: key.program.clone(),
            year: key.year,
            base: *amount,
            amount: *amount,
            reason: String::new(),
        })
        .collect()
}

/// The amounts an act sets, by line.
pub fn amounts_of(lines: &[ActLine]) -> BTreeMap<LineKey, Tenge> {
    lines.iter().map(|l| (l.key(), l.amount)).collect()
}

/// The version of a budget in force on a day: of the adopted versions dated on or before it,
/// those of the newest planning period (a year is planned again in each of three periods;
/// the budget of the latest period approved is the law), the latest of them by date, then by
/// the moment of adoption.
pub fn in_force(acts: &[Act], day: NaiveDate) -> Option<&Act> {
    acts.iter()
        .filter(|a| a.kind.is_version() && a.status == ActStatus::Adopted && a.act_date <= day)
        .max_by_key(|a| (a.first_year, a.act_date, a.adopted_at))
}

/// One line of the comparison of two acts (reports 10 and 11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = BudgetCompareRow)]
pub struct CompareRow {
    pub abp: String,
    pub program: String,
    pub year: i32,
    pub before: Tenge,
    pub after: Tenge,
    pub change: Tenge,
    /// The later act's reason for the line.
    pub reason: String,
}

/// Compares two acts of one budget and period line by line, every program of either.
pub fn compare(
    before: (&Act, &[ActLine]),
    after: (&Act, &[ActLine]),
) -> Result<Vec<CompareRow>, BudgetError> {
    if before.0.budget_id != after.0.budget_id || before.0.first_year != after.0.first_year {
        return Err(BudgetError::OtherBudget);
    }
    let old = amounts_of(before.1);
    let new: BTreeMap<LineKey, &ActLine> = after.1.iter().map(|l| (l.key(), l)).collect();
    let keys: BTreeSet<&LineKey> = old.keys().chain(new.keys()).collect();
    Ok(keys
        .into_iter()
        .map(|key| {
            let was = old.get(key).copied().unwrap_or(Tenge::ZERO);
            let is = new.get(key).map(|l| l.amount).unwrap_or(Tenge::ZERO);
            CompareRow {
                abp: key.abp.clone(),
                program: key.program.clone(),
                year: key.year,
                before: was,
                after: is,
                change: is - was,
                reason: new.get(key).map(|l| l.reason.clone()).unwrap_or_default(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_goes_to_the_section_of_most_of_its_specifics() {
        let lines = |pairs: &[(&str, i64)]| -> Vec<(String, Tenge)> {
            pairs
                .iter()
                .map(|(s, a)| (s.to_string(), Tenge::from_tiyn(*a)))
                .collect()
        };
        use ExpenseSection::*;
        assert_eq!(
            ExpenseSection::of_program(&lines(&[("511", 900), ("159", 100)])),
            Lending
        );
        assert_eq!(
            ExpenseSection::of_program(&lines(&[("611", 5)])),
            FinancialAssets
        );
        assert_eq!(
            ExpenseSection::of_program(&lines(&[("111", 5), ("511", 4)])),
            Expenses
        );
        assert_eq!(ExpenseSection::of_program(&[]), Expenses);
        // A tie (zero amounts asked) stays with expenses.
        assert_eq!(
            ExpenseSection::of_program(&lines(&[("511", 0), ("111", 0)])),
            Expenses
        );
    }

    fn act(kind: ActKind) -> Act {
        Act {
            id: 1,
            campaign_id: 1,
            budget_id: 1,
            first_year: 2027,
            kind,
            administrator: String::new(),
            number: "1".into(),
            act_date: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            based_on: None,
            status: ActStatus::Draft,
            version: 1,
            created_by: "t".into(),
            adopted_by: None,
            adopted_at: None,
            due_on: None,
        }
    }

    fn line(program: &str, base: i64, amount: i64) -> ActLine {
        ActLine {
            abp: "123".into(),
            program: program.into(),
            year: 2027,
            base: Tenge::from_tiyn(base),
            amount: Tenge::from_tiyn(amount),
            reason: String::new(),
        }
    }

    fn edit(program: &str, amount: i64, reason: &str) -> LineEdit {
        LineEdit {
            abp: "123".into(),
            program: program.into(),
            year: 2027,
            amount_tiyn: amount,
            reason: reason.into(),
        }
    }

    #[test]
    fn more_than_the_draft_needs_a_reason_less_does_not() {
        let a = act(ActKind::Commission);
        let lines = [line("001", 1_000, 1_000)];
        assert!(matches!(
            apply_edits(&a, &lines, &[edit("001", 1_001, "")]),
            Err(BudgetError::IncreaseWithoutReason { .. })
        ));
        let (after, changed) = apply_edits(&a, &lines, &[edit("001", 900, "")]).unwrap();
        assert_eq!(after[0].amount, Tenge::from_tiyn(900));
        assert_eq!(changed.len(), 1);
        let (after, _) = apply_edits(&a, &lines, &[edit("001", 1_500, "new school")]).unwrap();
        assert_eq!(after[0].reason, "new school");
    }

    #[test]
    fn a_new_program_starts_from_zero_and_an_unchanged_line_is_not_changed() {
        let a = act(ActKind::Refinement);
        let lines = [line("001", 1_000, 1_000)];
        assert!(matches!(
            apply_edits(&a, &lines, &[edit("001", 900, "")]),
            Err(BudgetError::ChangeWithoutReason { .. })
        ));
        let (after, changed) =
            apply_edits(&a, &lines, &[edit("001", 1_000, ""), edit("015", 5, "x")]).unwrap();
        assert_eq!(after.len(), 2);
        assert_eq!(changed.len(), 1);
        assert_eq!(after[1].base, Tenge::ZERO);
    }

    #[test]
    fn a_correction_moves_amounts_within_each_year_s_total() {
        let a = act(ActKind::Correction);
        let lines = [line("001", 1_000, 1_000), line("002", 500, 500)];
        assert!(matches!(
            apply_edits(&a, &lines, &[edit("001", 900, "секвестр")]),
            Err(BudgetError::CorrectionTotal { year: 2027, .. })
        ));
        let moved = [edit("001", 900, "секвестр"), edit("002", 600, "перенос")];
        assert!(apply_edits(&a, &lines, &moved).is_ok());
    }

    #[test]
    fn the_newest_period_s_version_is_in_force_for_a_year_it_shares() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let mut new_period = act(ActKind::Approval);
        new_period.status = ActStatus::Adopted;
        new_period.act_date = day(12, 20);
        let mut old_period = act(ActKind::Refinement);
        old_period.id = 2;
        old_period.first_year = 2026;
        old_period.status = ActStatus::Adopted;
        old_period.act_date = day(12, 25);
        let acts = [new_period, old_period];
        assert_eq!(in_force(&acts, day(12, 26)).map(|a| a.id), Some(1));
        assert_eq!(in_force(&acts, day(12, 19)), None);
    }

    #[test]
    fn codes_years_and_status_are_checked() {
        let a = act(ActKind::Commission);
        assert!(matches!(
            apply_edits(&a, &[], &[edit("01", 1, "x")]),
            Err(BudgetError::BadCode { .. })
        ));
        let mut outside = edit("001", 1, "x");
        outside.year = 2030;
        assert!(matches!(
            apply_edits(&a, &[], &[outside]),
            Err(BudgetError::YearOutside { .. })
        ));
        let adopted = Act {
            status: ActStatus::Adopted,
            ..a
        };
        assert_eq!(apply_edits(&adopted, &[], &[]), Err(BudgetError::Frozen));
        assert_eq!(
            apply_edits(&act(ActKind::Resolution), &[], &[]),
            Err(BudgetError::ResolutionLines)
        );
    }

    #[test]
    fn the_version_in_force_is_the_latest_adopted_on_the_day() {
        let day = |d| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
        let mut approval = act(ActKind::Approval);
        approval.status = ActStatus::Adopted;
        approval.act_date = day(1);
        let mut refinement = act(ActKind::Refinement);
        refinement.id = 2;
        refinement.status = ActStatus::Adopted;
        refinement.act_date = day(20);
        let mut draft = act(ActKind::Correction);
        draft.id = 3;
        draft.act_date = day(25);
        let acts = [approval, refinement, draft];
        assert_eq!(in_force(&acts, day(10)).map(|a| a.id), Some(1));
        assert_eq!(in_force(&acts, day(30)).map(|a| a.id), Some(2));
        assert!(in_force(&acts, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).is_none());
    }

    #[test]
    fn a_comparison_covers_the_programs_of_both_and_refuses_another_budget() {
        let a = act(ActKind::Approval);
        let b = Act {
            id: 2,
            ..act(ActKind::Refinement)
        };
        let before = [line("001", 0, 1_000), line("002", 0, 300)];
        let after = [line("001", 1_000, 1_200), line("015", 0, 50)];
        let rows = compare((&a, &before), (&b, &after)).unwrap();
        let changes: Vec<(String, i64)> = rows
            .iter()
            .map(|r| (r.program.clone(), r.change.tiyn()))
            .collect();
        assert_eq!(
            changes,
            vec![
                ("001".into(), 200),
                ("002".into(), -300),
                ("015".into(), 50)
            ]
        );
        let other = Act { budget_id: 9, ..b };
        assert_eq!(
            compare((&a, &before), (&other, &after)),
            Err(BudgetError::OtherBudget)
        );
    }
}
