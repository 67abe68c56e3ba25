//! The organisations of [`jospar_access::testing::REGION`] as cards, for the tests of the
//! modules' rights that filter organisations.

use crate::{Org, OrgKind, Scenario};

/// An organisation card with the given place and kind.
pub fn org(id: i64, parent_id: Option<i64>, kind: OrgKind) -> Org {
    Org {
        id,
        parent_id,
        kind,
        scenario: Scenario::Institution,
        budget_id: 1,
        abp_code: None,
        bin: None,
        name_ru: format!("org {id}"),
        name_kk: format!("org {id}"),
        closed_on: None,
        version: 1,
    }
}

/// The region: its authorized body (1), two administrators (2, 4), a school (3) and a
/// hospital (5).
pub fn region_orgs() -> Vec<Org> {
    use OrgKind::*;
    vec![
        org(1, None, AuthorizedBody),
        org(2, Some(1), Administrator),
        org(3, Some(2), Institution),
        org(4, Some(1), Administrator),
        org(5, Some(4), Institution),
    ]
}
