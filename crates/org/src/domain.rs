//! Rules of the organisation tree, scenarios, roles and rights — no SQL, no HTTP.

use chrono::NaiveDate;
use jospar_access::code_enum;
pub use jospar_access::{Grant, OrgTree, Right, Role, Scope, has_right, scope_of};
use jospar_core::{Bin, Iin, IinError};
use serde::{Deserialize, Serialize};

code_enum!(
    /// Place of an organisation in the hierarchy (P-1).
    OrgKind {
        /// Уполномоченный орган по бюджетному планированию (УО)
        AuthorizedBody = "authorized_body",
        /// Администратор бюджетных программ (АБП)
        Administrator = "administrator",
        /// Комитет / ведомство
        Committee = "committee",
        /// Государственное учреждение (ГУ)
        Institution = "institution",
        /// Государственное коммунальное казённое предприятие (ГККП)
        Enterprise = "enterprise",
    }
);

code_enum!(
    /// How an organisation works in the system (P-2, 004 «Выбор сценария»).
    Scenario {
        Institution = "institution",
        Enterprise = "enterprise",
        SubordinateInstitution = "subordinate_institution",
    }
);

code_enum!(
    /// Budget level (BL).
    BudgetLevel {
        Republican = "republican",
        Oblast = "oblast",
        District = "district",
        Rural = "rural",
    }
);

impl OrgKind {
    /// Which kinds may stand directly below this one.
    pub fn allowed_children(self) -> &'static [OrgKind] {
        use OrgKind::*;
        match self {
            AuthorizedBody => &[AuthorizedBody, Administrator, Institution, Enterprise],
            Administrator => &[Committee, Institution, Enterprise],
            Committee => &[Institution, Enterprise],
            Institution => &[Institution, Enterprise],
            Enterprise => &[],
        }
    }

    /// The kind an organisation takes when its scenario changes: only institutions and
    /// enterprises change kind; the structure (authorized body, administrator, committee) stays.
    pub fn with_scenario(self, scenario: Scenario) -> OrgKind {
        match (self, scenario) {
            (OrgKind::Institution | OrgKind::Enterprise, Scenario::Enterprise) => {
                OrgKind::Enterprise
            }
            (OrgKind::Institution | OrgKind::Enterprise, _) => OrgKind::Institution,
            (kind, _) => kind,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Budget {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: BudgetLevel,
    pub kato: String,
    pub name_ru: String,
    pub name_kk: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub scenario: Scenario,
    pub budget_id: i64,
    pub abp_code: Option<String>,
    pub bin: Option<String>,
    pub name_ru: String,
    pub name_kk: String,
    pub closed_on: Option<NaiveDate>,
    pub version: i64,
}

impl Org {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "kk" && !self.name_kk.is_empty() {
            &self.name_kk
        } else {
            &self.name_ru
        }
    }
}

/// What a user typed to create an organisation.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewOrg {
    pub parent_id: Option<i64>,
    pub kind: String,
    pub scenario: Option<String>,
    pub budget_id: i64,
    pub abp_code: Option<String>,
    pub bin: Option<String>,
    pub name_ru: String,
    pub name_kk: String,
}

/// A change of an organisation; absent fields are kept. `version` is the one the user saw.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrgChange {
    pub version: i64,
    pub name_ru: Option<String>,
    pub name_kk: Option<String>,
    pub parent_id: Option<i64>,
    pub scenario: Option<String>,
    pub bin: Option<String>,
    pub close_on: Option<NaiveDate>,
    pub reopen: Option<bool>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("field {field}: required")]
    Required { field: &'static str },
    #[error("field kind: unknown kind {0}")]
    UnknownKind(String),
    #[error("field scenario: unknown scenario {0}")]
    UnknownScenario(String),
    #[error("field parent_id: organisation not found")]
    UnknownParent,
    #[error("field budget_id: budget not found")]
    UnknownBudget,
    #[error("field parent_id: {child} cannot stand below {parent}")]
    KindNotAllowed {
        parent: &'static str,
        child: &'static str,
    },
    #[error("field parent_id: an organisation cannot be moved under itself or its own subordinate")]
    Cycle,
    #[error("field abp_code: unknown administrator code {0}")]
    UnknownAbpCode(String),
    #[error("field bin: {0}")]
    Bin(IinError),
    #[error("the organisation was changed by someone else; reload and repeat")]
    Stale,
    #[error("organisation not found")]
    NotFound,
    #[error("field close_on: the organisation has open subordinate organisations")]
    HasOpenChildren,
    #[error("field parent_id: the parent organisation is closed")]
    ParentClosed,
}

pub fn validate_bin(bin: Option<&str>) -> Result<Option<String>, OrgError> {
    match bin.map(str::trim).filter(|b| !b.is_empty()) {
        None => Ok(None),
        Some(b) => Bin::parse(b)
            .map(|b| Some(b.to_string()))
            .map_err(OrgError::Bin),
    }
}

pub fn required(field: &'static str, value: &str) -> Result<String, OrgError> {
    let v = value.trim();
    if v.is_empty() {
        Err(OrgError::Required { field })
    } else {
        Ok(v.to_string())
    }
}

/// What an administrator types to create a user.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewUser {
    pub org_id: i64,
    pub login: String,
    pub iin: String,
    pub full_name: String,
    pub position: String,
    pub phone: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UserChange {
    pub version: i64,
    pub org_id: Option<i64>,
    pub iin: Option<String>,
    pub full_name: Option<String>,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub blocked: Option<bool>,
    pub password: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("field {field}: required")]
    Required { field: &'static str },
    #[error("field iin: {0}")]
    Iin(IinError),
    #[error(
        "field login: only latin letters, digits, dot, dash and underscore, 3 to 40 characters"
    )]
    LoginFormat,
    #[error("field login: this login is taken")]
    DuplicateLogin,
    #[error("field password: at least 10 characters")]
    PasswordTooShort,
    #[error("field email: not an e-mail address")]
    Email,
    #[error("field org_id: organisation not found")]
    UnknownOrg,
    #[error("field role: unknown role {0}")]
    UnknownRole(String),
    #[error("field valid_until: the date has passed")]
    ExpiryInPast,
    #[error("the user was changed by someone else; reload and repeat")]
    Stale,
    #[error("user not found")]
    NotFound,
}

pub fn validate_login(login: &str) -> Result<String, UserError> {
    let login = login.trim().to_lowercase();
    let ok = (3..=40).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(login)
    } else {
        Err(UserError::LoginFormat)
    }
}

pub fn validate_iin(iin: &str) -> Result<String, UserError> {
    Iin::parse(iin)
        .map(|i| i.to_string())
        .map_err(UserError::Iin)
}

pub fn validate_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < 10 {
        Err(UserError::PasswordTooShort)
    } else {
        Ok(())
    }
}

pub fn validate_email(email: &str) -> Result<String, UserError> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !email.contains(' ') =>
        {
            Ok(email.to_string())
        }
        _ => Err(UserError::Email),
    }
}

pub fn required_text(field: &'static str, value: &str) -> Result<String, UserError> {
    let v = value.trim();
    if v.is_empty() {
        Err(UserError::Required { field })
    } else {
        Ok(v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn tree() -> OrgTree {
        // 1 УО → 2 АБП → 3 committee → 4 institution; 1 → 5 АБП
        OrgTree::new([
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(3)),
            (5, Some(1)),
        ])
    }

    #[test]
    fn subtree_and_cycles() {
        let t = tree();
        let mut sub = t.subtree(2);
        sub.sort();
        assert_eq!(sub, vec![2, 3, 4]);
        assert!(
            t.would_cycle(2, 4),
            "moving an ABP under its own institution"
        );
        assert!(t.would_cycle(2, 2));
        assert!(!t.would_cycle(4, 5));
        assert_eq!(t.ancestors(4), vec![3, 2, 1]);
    }

    #[test]
    fn rights_follow_role_subtree_and_expiry() {
        let t = tree();
        let grants = vec![Grant {
            id: 1,
            role: Role::Economist,
            org_id: 2,
            valid_until: d(2026, 12, 31),
            module: None,
        }];
        assert!(has_right(&grants, Right::Enter, 4, &t, d(2026, 11, 23)));
        assert!(
            !has_right(&grants, Right::Enter, 5, &t, d(2026, 11, 23)),
            "sibling subtree"
        );
        assert!(
            !has_right(&grants, Right::Approve, 4, &t, d(2026, 11, 23)),
            "economist cannot approve"
        );
        assert!(
            !has_right(&grants, Right::Read, 4, &t, d(2027, 1, 1)),
            "expired"
        );
        assert_eq!(
            scope_of(&grants, Right::Read, &t, d(2026, 11, 23)).ids(),
            vec![2, 3, 4]
        );
    }

    #[test]
    fn scenario_switch_changes_only_institution_kinds() {
        assert_eq!(
            OrgKind::Institution.with_scenario(Scenario::Enterprise),
            OrgKind::Enterprise
        );
        assert_eq!(
            OrgKind::Enterprise.with_scenario(Scenario::SubordinateInstitution),
            OrgKind::Institution
        );
        assert_eq!(
            OrgKind::Administrator.with_scenario(Scenario::Enterprise),
            OrgKind::Administrator
        );
    }

    #[test]
    fn user_fields() {
        assert_eq!(validate_login(" Abp.Edu "), Ok("abp.edu".into()));
        assert_eq!(validate_login("аб"), Err(UserError::LoginFormat));
        assert!(validate_iin("900101300007").is_ok());
        assert!(matches!(
            validate_iin("900101300008"),
            Err(UserError::Iin(IinError::Checksum))
        ));
        assert_eq!(validate_email("x@y"), Err(UserError::Email));
        assert_eq!(validate_password("short"), Err(UserError::PasswordTooShort));
    }
}
