//! The caller of a use case: a signed-in user with the grants and the organisation tree its
//! rights are decided on, or the server's operator at the command line.

use crate::error::{Error, Result};
use crate::rights::{Grant, OrgTree, Right, Scope, has_right, scope_of};
use chrono::{DateTime, NaiveDate, Utc};
use jospar_store::Who;
use std::sync::Arc;

/// A user of the system, as signed in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub org_id: i64,
    pub login: String,
    pub iin: String,
    pub full_name: String,
    pub position: String,
    pub phone: String,
    pub email: String,
    pub blocked: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub lang: Option<String>,
    pub version: i64,
}

impl User {
    pub fn who(&self) -> Who {
        Who {
            user_id: Some(self.id),
            login: self.login.clone(),
            iin: self.iin.clone(),
        }
    }
}

/// Who asks: every use case takes it and decides by its grants, on the server (P-3).
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub grants: Vec<Grant>,
    pub tree: Arc<OrgTree>,
    pub today: NaiveDate,
    /// Signed in with a bearer token (API) rather than a session cookie.
    pub via_token: bool,
    /// The session's token against cross-site form posts (none for bearer tokens).
    pub csrf: Option<String>,
}

impl Principal {
    /// The same user with only the grants that count in `module` (issue 20): a request to a
    /// module's pages or API is decided by these, so a plan-only grant enters plans and not
    /// budget requests.
    pub fn in_module(&self, module: Option<crate::rights::Module>) -> Principal {
        Principal {
            grants: self
                .grants
                .iter()
                .filter(|g| g.reaches(module))
                .cloned()
                .collect(),
            ..self.clone()
        }
    }

    pub fn who(&self) -> Who {
        self.user.who()
    }

    pub fn can(&self, right: Right, org_id: i64) -> bool {
        has_right(&self.grants, right, org_id, &self.tree, self.today)
    }

    pub fn require(&self, right: Right, org_id: i64) -> Result<()> {
        if self.can(right, org_id) {
            Ok(())
        } else {
            self.log_refusal(&format!("{right:?} on organisation {org_id}"));
            Err(Error::Forbidden)
        }
    }

    /// A refused request is logged with who asked and for what (an auditor changing an id in
    /// the URL to read another region's data shows up here).
    pub fn log_refusal(&self, what: &str) {
        tracing::warn!(
            login = %self.user.login,
            iin = %self.user.iin,
            "refused: {what}"
        );
    }

    pub fn scope(&self, right: Right) -> Scope {
        scope_of(&self.grants, right, &self.tree, self.today)
    }

    /// Holds `right` on a root of the organisation tree: system-wide reference data
    /// (classification, calendar) is configured by such users only.
    pub fn can_system(&self, right: Right) -> bool {
        self.grants.iter().any(|g| {
            g.is_active(self.today)
                && g.role.rights().contains(&right)
                && self.tree.ancestors(g.org_id).is_empty()
        })
    }

    pub fn require_system(&self, right: Right) -> Result<()> {
        if self.can_system(right) {
            Ok(())
        } else {
            self.log_refusal(&format!("{right:?} on the whole system"));
            Err(Error::Forbidden)
        }
    }

    /// Form posts carry the session's CSRF token; API calls with a bearer token need none.
    pub fn check_csrf(&self, token: &str) -> Result<()> {
        match &self.csrf {
            _ if self.via_token => Ok(()),
            Some(expected) if expected == token => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }
}

/// Who reads a report: a signed-in user, whose rights are checked, or the operator of the
/// server at the command line.
pub enum Reader<'a> {
    User(&'a Principal),
    System,
}

impl Reader<'_> {
    pub fn can_read(&self, org: i64) -> bool {
        match self {
            Reader::User(p) => p.can(Right::Read, org),
            Reader::System => true,
        }
    }

    pub fn require_read(&self, org: i64) -> Result<()> {
        if self.can_read(org) {
            Ok(())
        } else {
            if let Reader::User(p) = self {
                p.log_refusal(&format!("Read on organisation {org}"));
            }
            Err(Error::Forbidden)
        }
    }

    /// The signed-in user, if any.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Reader::User(p) => Some(p),
            Reader::System => None,
        }
    }
}
