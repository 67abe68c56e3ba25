//! The function of a page or an API route: who reaches it at all. The menu shows a user the
//! pages the user reaches, and the route declarations name it for the OpenAPI document and
//! the authorisation matrix; the use cases behind them check again, per organisation.

use crate::{Principal, Right};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    Public,
    SignedIn,
    /// Read right on the organisation(s) concerned.
    Read,
    /// Enter-data right on the organisation(s) concerned.
    Enter,
    /// Configure right on the organisation(s) concerned.
    Configure,
    /// Approve right on the organisation reviewing the document.
    Approve,
    /// Configure right on a root of the tree (reference data).
    SystemConfigure,
}

impl Access {
    /// How the OpenAPI document names it.
    pub fn describe(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::SignedIn => "signed-in",
            Access::Read => "read right on the organisation",
            Access::Enter => "enter-data right on the organisation",
            Access::Configure => "configure right on the organisation",
            Access::Approve => "approve right on the reviewing organisation",
            Access::SystemConfigure => "configure right on a root organisation",
        }
    }

    /// Whether a visitor (`None`: not signed in) reaches a page of this function for at least
    /// one organisation.
    pub fn reached_by(self, visitor: Option<&Principal>) -> bool {
        let somewhere = |p: &Principal, right: Right| !p.scope(right).is_empty();
        match (self, visitor) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Read, Some(p)) => somewhere(p, Right::Read),
            (Access::Enter, Some(p)) => somewhere(p, Right::Enter),
            (Access::Configure, Some(p)) => somewhere(p, Right::Configure),
            (Access::Approve, Some(p)) => somewhere(p, Right::Approve),
            (Access::SystemConfigure, Some(p)) => p.can_system(Right::Configure),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Access;
    use crate::Role;
    use crate::testing::{REGION, principal};

    #[test]
    fn a_visitor_reaches_only_public_pages() {
        assert!(Access::Public.reached_by(None));
        for access in [Access::SignedIn, Access::Read, Access::SystemConfigure] {
            assert!(!access.reached_by(None), "{access:?}");
        }
    }

    #[test]
    fn a_school_economist_reads_and_enters_but_configures_nothing() {
        let economist = principal(3, &[(Role::Economist, 3)], REGION);
        for access in [Access::SignedIn, Access::Read, Access::Enter] {
            assert!(access.reached_by(Some(&economist)), "{access:?}");
        }
        for access in [Access::Configure, Access::Approve, Access::SystemConfigure] {
            assert!(!access.reached_by(Some(&economist)), "{access:?}");
        }
    }

    #[test]
    fn only_a_configurer_of_a_root_reaches_system_configuration() {
        let admin = principal(1, &[(Role::Sysadmin, 1)], REGION);
        let district_admin = principal(2, &[(Role::Sysadmin, 2)], REGION);
        assert!(Access::SystemConfigure.reached_by(Some(&admin)));
        assert!(Access::Configure.reached_by(Some(&district_admin)));
        assert!(!Access::SystemConfigure.reached_by(Some(&district_admin)));
        assert!(!Access::Enter.reached_by(Some(&admin)));
    }
}
