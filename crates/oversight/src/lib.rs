//! Read-only access of representative and audit bodies (OV-3, OV-4; seeds 000/001,
//! order No. 270). Each kind of body reads what its competence covers, and nothing else:
//!
//! | body | reads |
//! |---|---|
//! | Parliament, Supreme Audit Chamber, internal state audit body | the republican and every local budget |
//! | maslikhat, revision commission, internal audit service of a local executive body | the local budget of its region |
//! | internal audit service of a central state body | that body's budget |
//! | internal audit service of a territorial body of the MVD | administrators 252 and 352 in its region |
//!
//! The competence becomes a set of organisations whose subtrees the employee may read: the
//! access is carried by read-only (auditor) grants on them, so every page, report, export and
//! API route — now and later — enforces it through the one rights check of the platform, and any
//! attempt to write is refused there. The access lasts one calendar year and then expires by
//! itself (OV-3).

pub mod application;
pub mod applications;
pub mod qr;
pub mod repo;
pub mod reports;
pub mod training;
pub mod usecases;

pub use reports::REPORTS;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The kinds of body of the order's competence table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    Parliament,
    SupremeAuditChamber,
    /// The authorized body for internal state audit.
    InternalStateAudit,
    Maslikhat,
    RevisionCommission,
    /// The internal audit service of a central state body.
    CentralInternalAudit,
    /// The internal audit service of a local executive body.
    LocalInternalAudit,
    /// The internal audit service of a territorial body of the Ministry of Internal Affairs.
    MvdInternalAudit,
}

/// What the competence of a kind of body is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Nothing: the whole country.
    None,
    /// The region: the root organisation of its local budget.
    Region,
    /// The central state body itself.
    Body,
}

impl BodyKind {
    pub const ALL: [BodyKind; 8] = [
        BodyKind::Parliament,
        BodyKind::SupremeAuditChamber,
        BodyKind::InternalStateAudit,
        BodyKind::Maslikhat,
        BodyKind::RevisionCommission,
        BodyKind::CentralInternalAudit,
        BodyKind::LocalInternalAudit,
        BodyKind::MvdInternalAudit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BodyKind::Parliament => "parliament",
            BodyKind::SupremeAuditChamber => "supreme_audit_chamber",
            BodyKind::InternalStateAudit => "internal_state_audit",
            BodyKind::Maslikhat => "maslikhat",
            BodyKind::RevisionCommission => "revision_commission",
            BodyKind::CentralInternalAudit => "central_internal_audit",
            BodyKind::LocalInternalAudit => "local_internal_audit",
            BodyKind::MvdInternalAudit => "mvd_internal_audit",
        }
    }

    pub fn from_code(code: &str) -> Option<BodyKind> {
        BodyKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn anchor(self) -> Anchor {
        match self {
            BodyKind::Parliament | BodyKind::SupremeAuditChamber | BodyKind::InternalStateAudit => {
                Anchor::None
            }
            BodyKind::Maslikhat
            | BodyKind::RevisionCommission
            | BodyKind::LocalInternalAudit
            | BodyKind::MvdInternalAudit => Anchor::Region,
            BodyKind::CentralInternalAudit => Anchor::Body,
        }
    }
}

/// The administrators of the police in a region's budgets (252 oblast, 352 city of republican
/// significance): what an MVD territorial body's internal audit reads.
pub const MVD_ADMINISTRATORS: [&str; 2] = ["252", "352"];

/// What the competence needs to know of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub abp_code: Option<String>,
    /// Financed from the republican budget.
    pub republican: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompetenceError {
    #[error("this kind of body reads the budget of a region: name the region")]
    NeedsRegion,
    #[error("organisation {0} is not the root of a region's local budget")]
    NotARegion(i64),
    #[error("this kind of body reads its own body's budget: name the central state body")]
    NeedsBody,
    #[error("organisation {0} is not a central state body (of the republican budget)")]
    NotACentralBody(i64),
    #[error("the region has no administrator 252 or 352")]
    NoPoliceAdministrator,
}

/// The organisations whose subtrees a body of `kind` reads, anchored at `anchor` (a region's
/// root organisation or a central state body, as the kind asks).
pub fn competence_roots(
    kind: BodyKind,
    anchor: Option<i64>,
    orgs: &[OrgFacts],
) -> Result<Vec<i64>, CompetenceError> {
    let find = |id: i64| orgs.iter().find(|o| o.id == id);
    let within = |id: i64, root: i64| {
        let mut current = find(id);
        while let Some(o) = current {
            if o.id == root {
                return true;
            }
            current = o.parent_id.and_then(find);
        }
        false
    };
    match kind.anchor() {
        Anchor::None => Ok(orgs
            .iter()
            .filter(|o| o.parent_id.is_none())
            .map(|o| o.id)
            .collect()),
        Anchor::Body => {
            let id = anchor.ok_or(CompetenceError::NeedsBody)?;
            match find(id) {
                Some(o) if o.republican => Ok(vec![id]),
                _ => Err(CompetenceError::NotACentralBody(id)),
            }
        }
        Anchor::Region => {
            let region = anchor.ok_or(CompetenceError::NeedsRegion)?;
            match find(region) {
                Some(o) if o.parent_id.is_none() && !o.republican => {}
                _ => return Err(CompetenceError::NotARegion(region)),
            }
            if kind != BodyKind::MvdInternalAudit {
                return Ok(vec![region]);
            }
            let police: Vec<i64> = orgs
                .iter()
                .filter(|o| {
                    o.abp_code
                        .as_deref()
                        .is_some_and(|c| MVD_ADMINISTRATORS.contains(&c))
                        && within(o.id, region)
                })
                .map(|o| o.id)
                .collect();
            if police.is_empty() {
                Err(CompetenceError::NoPoliceAdministrator)
            } else {
                Ok(police)
            }
        }
    }
}

/// Working days the system has to block an access once the employer asks (OV-3).
pub const BLOCK_DAYS: u32 = 3;

/// The last day of an access granted on `granted`: one calendar year (the day before the same
/// date a year later; 29 February counts to 28 February).
pub fn valid_until(granted: NaiveDate) -> NaiveDate {
    let next = granted
        .with_year(granted.year() + 1)
        .or_else(|| NaiveDate::from_ymd_opt(granted.year() + 1, 3, 1))
        .unwrap_or(granted);
    next.pred_opt().unwrap_or(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two regions and the republic: region 1 (oblast) with education (261) and police (252),
    /// region 2 with its police; the republic's ministry of finance with a committee.
    fn country() -> Vec<OrgFacts> {
        let org = |id, parent, abp: Option<&str>, republican| OrgFacts {
            id,
            parent_id: parent,
            abp_code: abp.map(str::to_string),
            republican,
        };
        vec![
            org(1, None, Some("258"), false),
            org(11, Some(1), Some("261"), false),
            org(12, Some(1), Some("252"), false),
            org(121, Some(12), None, false),
            org(2, None, Some("358"), false),
            org(22, Some(2), Some("352"), false),
            org(100, None, Some("243"), true),
            org(101, Some(100), Some("217"), true),
            org(102, Some(101), None, true),
        ]
    }

    #[test]
    fn the_competence_table() {
        let orgs = country();
        for kind in [
            BodyKind::Parliament,
            BodyKind::SupremeAuditChamber,
            BodyKind::InternalStateAudit,
        ] {
            assert_eq!(
                competence_roots(kind, None, &orgs),
                Ok(vec![1, 2, 100]),
                "{kind:?}"
            );
        }
        for kind in [
            BodyKind::Maslikhat,
            BodyKind::RevisionCommission,
            BodyKind::LocalInternalAudit,
        ] {
            assert_eq!(
                competence_roots(kind, Some(2), &orgs),
                Ok(vec![2]),
                "{kind:?}"
            );
            assert_eq!(
                competence_roots(kind, None, &orgs),
                Err(CompetenceError::NeedsRegion)
            );
            assert_eq!(
                competence_roots(kind, Some(11), &orgs),
                Err(CompetenceError::NotARegion(11)),
                "a department is not a region"
            );
            assert_eq!(
                competence_roots(kind, Some(100), &orgs),
                Err(CompetenceError::NotARegion(100)),
                "the republic is not a region"
            );
        }
        assert_eq!(
            competence_roots(BodyKind::CentralInternalAudit, Some(101), &orgs),
            Ok(vec![101])
        );
        assert_eq!(
            competence_roots(BodyKind::CentralInternalAudit, Some(11), &orgs),
            Err(CompetenceError::NotACentralBody(11))
        );
        assert_eq!(
            competence_roots(BodyKind::MvdInternalAudit, Some(1), &orgs),
            Ok(vec![12])
        );
        assert_eq!(
            competence_roots(BodyKind::MvdInternalAudit, Some(2), &orgs),
            Ok(vec![22])
        );
    }

    #[test]
    fn access_lasts_one_calendar_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(valid_until(d(2026, 11, 30)), d(2027, 11, 29));
        assert_eq!(valid_until(d(2028, 2, 29)), d(2029, 2, 28));
        assert_eq!(valid_until(d(2027, 1, 1)), d(2027, 12, 31));
    }

    #[test]
    fn codes_round_trip() {
        for kind in BodyKind::ALL {
            assert_eq!(BodyKind::from_code(kind.code()), Some(kind));
        }
    }
}
