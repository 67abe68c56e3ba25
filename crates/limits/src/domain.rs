//! Rules of limit distribution, free of SQL and HTTP.

use jospar_core::Tenge;
use jospar_org::{Org, OrgKind, OrgTree};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Kind of limit (вид лимита) of order No. 140.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum LimitKind {
    /// Лимит на базовые расходы / базалық шығыстар лимиті
    #[serde(rename = "base")]
    Base,
    /// Лимит на новые инициативы / жаңа бастамалар лимиті
    #[serde(rename = "new_initiatives")]
    NewInitiatives,
    /// Лимит на бюджетные инвестиции / бюджеттік инвестициялар лимиті
    #[serde(rename = "investment")]
    Investment,
}

impl LimitKind {
    pub const ALL: [LimitKind; 3] = [
        LimitKind::Base,
        LimitKind::NewInitiatives,
        LimitKind::Investment,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LimitKind::Base => "base",
            LimitKind::NewInitiatives => "new_initiatives",
            LimitKind::Investment => "investment",
        }
    }

    pub fn from_code(code: &str) -> Option<LimitKind> {
        LimitKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A planning campaign (бюджетная кампания): one budget, three planning years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub budget_id: i64,
    /// The authorized body that opened the campaign and holds the total limits.
    pub authority_org_id: i64,
    pub first_year: i32,
    pub name_ru: String,
    pub name_kk: String,
    /// Inflation coefficients of the 2nd and 3rd planning year in basis points of the
    /// previous year (10 650 = ×1.065), used to fill later years (BP-11).
    pub inflation_bp: [i64; 2],
    /// The day the campaign was opened; deadlines are counted from it in working days.
    pub opened_on: chrono::NaiveDate,
    /// Working days the organisations have to submit their budget requests.
    pub request_days: i64,
    /// Working days of each review after the submission, one after another: the committees',
    /// the administrators' and the authorized body's (issue 20).
    pub review_days: [i64; 3],
    pub version: i64,
}

/// A stage of the campaign with a deadline of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Institutions submit their requests.
    Institution,
    Committee,
    Administrator,
    AuthorizedBody,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Institution,
        Stage::Committee,
        Stage::Administrator,
        Stage::AuthorizedBody,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Institution => "institution",
            Stage::Committee => "committee",
            Stage::Administrator => "administrator",
            Stage::AuthorizedBody => "authorized_body",
        }
    }

    /// The stage an organisation of this kind works at.
    pub fn of(kind: jospar_org::OrgKind) -> Stage {
        match kind {
            jospar_org::OrgKind::Committee => Stage::Committee,
            jospar_org::OrgKind::Administrator => Stage::Administrator,
            jospar_org::OrgKind::AuthorizedBody => Stage::AuthorizedBody,
            jospar_org::OrgKind::Institution | jospar_org::OrgKind::Enterprise => {
                Stage::Institution
            }
        }
    }
}

impl Campaign {
    /// The deadline of each stage, counted in working days one after another from the opening.
    pub fn stage_deadlines(
        &self,
        calendar: &jospar_core::calendar::WorkingCalendar,
    ) -> Vec<(Stage, chrono::NaiveDate)> {
        let days = [
            self.request_days,
            self.review_days[0],
            self.review_days[1],
            self.review_days[2],
        ];
        let mut at = self.opened_on;
        Stage::ALL
            .into_iter()
            .zip(days)
            .map(|(stage, d)| {
                at = calendar.add_working_days(at, u32::try_from(d).unwrap_or(0));
                (stage, at)
            })
            .collect()
    }

    /// The deadline of one stage.
    pub fn deadline_of(
        &self,
        stage: Stage,
        calendar: &jospar_core::calendar::WorkingCalendar,
    ) -> chrono::NaiveDate {
        self.stage_deadlines(calendar)
            .into_iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, d)| d)
            .unwrap_or(self.opened_on)
    }

    pub fn years(&self) -> [i32; 3] {
        [self.first_year, self.first_year + 1, self.first_year + 2]
    }
}

/// Where an amount sits in the distribution: an organisation, a budget program (empty for an
/// organisation's total), a year and a kind of limit.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Slot {
    pub org_id: i64,
    /// Program code (3 digits) or "" for the total of an authorized body or administrator.
    pub program: String,
    pub year: i32,
    pub kind: LimitKind,
}

/// The node of a distribution: a slot without year and kind.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Node {
    pub org_id: i64,
    pub program: String,
}

impl Slot {
    pub fn node(&self) -> Node {
        Node {
            org_id: self.org_id,
            program: self.program.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error(
        "year {year}, {kind:?}: distributed {distributed} exceeds the {available} received by the distributor"
    )]
    ExceedsSource {
        node: Node,
        year: i32,
        kind: LimitKind,
        available: Tenge,
        distributed: Tenge,
    },
    #[error("year {year}, {kind:?}: {amount} is less than {distributed} already distributed below")]
    BelowDistributed {
        node: Node,
        year: i32,
        kind: LimitKind,
        amount: Tenge,
        distributed: Tenge,
    },
    #[error("a limit cannot be negative")]
    Negative {
        node: Node,
        year: i32,
        kind: LimitKind,
    },
    #[error("year {0} is outside the planning period")]
    YearOutsidePeriod(i32),
    #[error("this organisation does not receive limits of this campaign")]
    NotAReceiver(Node),
    #[error("program code must be 3 digits: {0}")]
    ProgramCode(String),
    #[error(
        "program {program} is not a program of administrator {abp} in the classification of {year}"
    )]
    UnknownProgram {
        abp: String,
        program: String,
        year: i32,
    },
    #[error("the limits were changed by someone else; reload and repeat")]
    Stale,
    #[error("campaign not found")]
    NotFound,
    #[error("field {0}: invalid")]
    Field(&'static str),
}

/// Who distributes to a node: the parent node in the chain authorized body → administrator
/// total → administrator's program → committee → institution. None for the authorized body's
/// own total (the top of the campaign).
pub fn source_of(
    node: &Node,
    campaign: &Campaign,
    orgs: &HashMap<i64, Org>,
    tree: &OrgTree,
) -> Result<Option<Node>, LimitError> {
    let org = orgs
        .get(&node.org_id)
        .ok_or_else(|| LimitError::NotAReceiver(node.clone()))?;
    let not_receiver = || LimitError::NotAReceiver(node.clone());
    if node.program.is_empty() {
        return match org.kind {
            _ if org.id == campaign.authority_org_id => Ok(None),
            OrgKind::Administrator
                if org.budget_id == campaign.budget_id
                    && tree.is_within(org.id, campaign.authority_org_id) =>
            {
                Ok(Some(Node {
                    org_id: campaign.authority_org_id,
                    program: String::new(),
                }))
            }
            _ => Err(not_receiver()),
        };
    }
    if org.kind == OrgKind::Administrator {
        return if org.budget_id == campaign.budget_id
            && tree.is_within(org.id, campaign.authority_org_id)
        {
            Ok(Some(Node {
                org_id: org.id,
                program: String::new(),
            }))
        } else {
            Err(not_receiver())
        };
    }
    // A committee or institution receives a program's amount from the nearest administrator or
    // committee above it.
    if !matches!(
        org.kind,
        OrgKind::Committee | OrgKind::Institution | OrgKind::Enterprise
    ) {
        return Err(not_receiver());
    }
    let distributor = tree
        .ancestors(org.id)
        .into_iter()
        .find(|a| {
            orgs.get(a)
                .is_some_and(|o| matches!(o.kind, OrgKind::Administrator | OrgKind::Committee))
        })
        .ok_or_else(not_receiver)?;
    // The chain must reach an administrator of this campaign's budget.
    let administrator = std::iter::once(org.id)
        .chain(tree.ancestors(org.id))
        .find(|a| {
            orgs.get(a)
                .is_some_and(|o| o.kind == OrgKind::Administrator)
        })
        .and_then(|a| orgs.get(&a))
        .ok_or_else(not_receiver)?;
    if administrator.budget_id != campaign.budget_id
        || !tree.is_within(administrator.id, campaign.authority_org_id)
    {
        return Err(not_receiver());
    }
    Ok(Some(Node {
        org_id: distributor,
        program: node.program.clone(),
    }))
}

pub fn validate_program_code(code: &str) -> Result<String, LimitError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(String::new());
    }
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(LimitError::ProgramCode(code.to_string()))
    }
}

/// The amounts of one campaign in memory, with the parent of every node, to check a set of
/// changes against L-4 before anything is stored.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    amounts: HashMap<Slot, Tenge>,
    parents: HashMap<Node, Option<Node>>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    pub fn insert(&mut self, slot: Slot, amount: Tenge, parent: Option<Node>) {
        self.parents.insert(slot.node(), parent);
        self.amounts.insert(slot, amount);
    }

    pub fn amount(&self, slot: &Slot) -> Tenge {
        self.amounts.get(slot).copied().unwrap_or_default()
    }

    pub fn parent(&self, node: &Node) -> Option<&Node> {
        self.parents.get(node).and_then(Option::as_ref)
    }

    /// Sum of the amounts distributed from `node` for one year and kind.
    pub fn distributed_from(&self, node: &Node, year: i32, kind: LimitKind) -> Tenge {
        self.amounts
            .iter()
            .filter(|(slot, _)| slot.year == year && slot.kind == kind)
            .filter(|(slot, _)| {
                self.parents.get(&slot.node()).and_then(Option::as_ref) == Some(node)
            })
            .map(|(_, amount)| *amount)
            .sum()
    }

    /// What `node` received and has not passed on, for one year and kind.
    pub fn remaining(&self, node: &Node, year: i32, kind: LimitKind) -> Tenge {
        let slot = Slot {
            org_id: node.org_id,
            program: node.program.clone(),
            year,
            kind,
        };
        self.amount(&slot) - self.distributed_from(node, year, kind)
    }

    /// Checks every node touched by `changed` slots: no negative amount, no node distributing
    /// more than it holds, no node holding less than it already passed on.
    pub fn check(&self, changed: &[Slot]) -> Result<(), LimitError> {
        for slot in changed {
            let node = slot.node();
            let amount = self.amount(slot);
            if amount < Tenge::ZERO {
                return Err(LimitError::Negative {
                    node,
                    year: slot.year,
                    kind: slot.kind,
                });
            }
            let below = self.distributed_from(&node, slot.year, slot.kind);
            if amount < below {
                return Err(LimitError::BelowDistributed {
                    node,
                    year: slot.year,
                    kind: slot.kind,
                    amount,
                    distributed: below,
                });
            }
            if let Some(parent) = self.parent(&node) {
                let parent_slot = Slot {
                    org_id: parent.org_id,
                    program: parent.program.clone(),
                    year: slot.year,
                    kind: slot.kind,
                };
                let available = self.amount(&parent_slot);
                let distributed = self.distributed_from(parent, slot.year, slot.kind);
                if distributed > available {
                    return Err(LimitError::ExceedsSource {
                        node: parent.clone(),
                        year: slot.year,
                        kind: slot.kind,
                        available,
                        distributed,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn node(org: i64, program: &str) -> Node {
        Node {
            org_id: org,
            program: program.into(),
        }
    }

    fn slot(org: i64, program: &str) -> Slot {
        Slot {
            org_id: org,
            program: program.into(),
            year: 2027,
            kind: LimitKind::Base,
        }
    }

    fn t(tenge: i64) -> Tenge {
        Tenge::from_tiyn(tenge * 100)
    }

    /// 1 authorized body → 2 administrator (total → program 003) → 3 institution.
    fn ledger() -> Ledger {
        let mut l = Ledger::new();
        l.insert(slot(1, ""), t(1000), None);
        l.insert(slot(2, ""), t(600), Some(node(1, "")));
        l.insert(slot(2, "003"), t(500), Some(node(2, "")));
        l.insert(slot(3, "003"), t(200), Some(node(2, "003")));
        l
    }

    #[test]
    fn remaining_is_received_minus_distributed() {
        let l = ledger();
        assert_eq!(l.remaining(&node(1, ""), 2027, LimitKind::Base), t(400));
        assert_eq!(l.remaining(&node(2, ""), 2027, LimitKind::Base), t(100));
        assert_eq!(l.remaining(&node(2, "003"), 2027, LimitKind::Base), t(300));
        assert_eq!(l.remaining(&node(2, "003"), 2028, LimitKind::Base), t(0));
    }

    #[test]
    fn over_distribution_names_the_source_year_and_amounts() {
        let mut l = ledger();
        l.insert(slot(4, ""), t(401), Some(node(1, "")));
        let err = l.check(&[slot(4, "")]).unwrap_err();
        assert_eq!(
            err,
            LimitError::ExceedsSource {
                node: node(1, ""),
                year: 2027,
                kind: LimitKind::Base,
                available: t(1000),
                distributed: t(1001)
            }
        );
        l.insert(slot(4, ""), t(400), Some(node(1, "")));
        assert!(l.check(&[slot(4, "")]).is_ok());
    }

    #[test]
    fn a_source_cannot_drop_below_what_it_passed_on() {
        let mut l = ledger();
        l.insert(slot(2, "003"), t(199), Some(node(2, "")));
        assert!(matches!(
            l.check(&[slot(2, "003")]),
            Err(LimitError::BelowDistributed { .. })
        ));
        l.insert(slot(2, "003"), t(-1), Some(node(2, "")));
        assert!(matches!(
            l.check(&[slot(2, "003")]),
            Err(LimitError::Negative { .. })
        ));
    }

    #[test]
    fn program_codes() {
        assert_eq!(validate_program_code(" 003 "), Ok("003".into()));
        assert_eq!(validate_program_code(""), Ok(String::new()));
        assert!(validate_program_code("03").is_err());
        assert!(validate_program_code("0a3").is_err());
    }

    proptest! {
        /// L-4 as a property: whatever sequence of changes is attempted, every change the
        /// ledger accepts leaves each distributor with no more passed on than it received.
        #[test]
        fn accepted_changes_never_over_distribute(ops in proptest::collection::vec((0usize..5, 0i64..2_000_000), 1..60)) {
            // 0 total; 1, 2 administrators; 3, 4 programs of administrator 1.
            let slots = [slot(10, ""), slot(11, ""), slot(12, ""), slot(11, "001"), slot(11, "002")];
            let parents = [None, Some(node(10, "")), Some(node(10, "")), Some(node(11, "")), Some(node(11, ""))];
            let mut l = Ledger::new();
            for (s, p) in slots.iter().zip(parents.iter()) {
                l.insert(s.clone(), Tenge::ZERO, p.clone());
            }
            for (index, tiyn) in ops {
                let mut attempt = l.clone();
                attempt.insert(slots[index].clone(), Tenge::from_tiyn(tiyn), parents[index].clone());
                if attempt.check(&[slots[index].clone()]).is_ok() {
                    l = attempt;
                }
                for (s, _) in slots.iter().zip(parents.iter()) {
                    prop_assert!(l.remaining(&s.node(), 2027, LimitKind::Base) >= Tenge::ZERO);
                }
                let total: Tenge = [1usize, 2].iter().map(|i| l.amount(&slots[*i])).sum();
                prop_assert!(total <= l.amount(&slots[0]));
            }
        }
    }
}
