//! A caller for the module crates' own tests of their rights decisions: a user of an
//! organisation holding roles on subtrees of a small tree, no database needed.

use crate::{Grant, OrgTree, Principal, Role, User};
use chrono::NaiveDate;
use std::sync::Arc;

/// The tree the tests of the modules' rights share: 1 the region's authorized body; 2 and 4
/// administrators under it; 3 a school under 2, 5 a hospital under 4.
pub const REGION: &[(i64, Option<i64>)] = &[
    (1, None),
    (2, Some(1)),
    (3, Some(2)),
    (4, Some(1)),
    (5, Some(4)),
];

/// The day the test callers live on; their grants run to the end of the year.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 1).expect("a date")
}

/// A user of `org_id` holding each `(role, organisation)` of `grants`, in the tree given as
/// `(organisation, parent)` links.
pub fn principal(org_id: i64, grants: &[(Role, i64)], links: &[(i64, Option<i64>)]) -> Principal {
    let until = NaiveDate::from_ymd_opt(2027, 12, 31).expect("a date");
    Principal {
        user: User {
            id: 1,
            org_id,
            login: "tester".into(),
            iin: "900101300123".into(),
            full_name: "Tester".into(),
            position: String::new(),
            phone: String::new(),
            email: String::new(),
            blocked: false,
            failed_logins: 0,
            locked_until: None,
            lang: None,
            version: 1,
        },
        grants: grants
            .iter()
            .enumerate()
            .map(|(i, (role, org))| Grant {
                id: i as i64 + 1,
                role: *role,
                org_id: *org,
                valid_until: until,
                module: None,
            })
            .collect(),
        tree: Arc::new(OrgTree::new(links.iter().copied())),
        today: today(),
        via_token: false,
        csrf: None,
    }
}
