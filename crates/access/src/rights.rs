//! Roles and rights on organisation subtrees (P-3): who may read, enter, approve or configure
//! what. No SQL, no HTTP: the tree and the grants are handed in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// An enum stored as a short text code.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $code)] $variant),+ }
        // Its codes, as the OpenAPI document describes it.
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }
        impl ::utoipa::ToSchema for $name {}
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn from_code(code: &str) -> Option<$name> { $name::ALL.iter().copied().find(|v| v.code() == code) }
        }
    };
}

code_enum!(
    /// Roles: named sets of rights, granted on an organisation and everything below it (P-3).
    Role {
        /// Администратор системы
        Sysadmin = "sysadmin",
        /// Экономист уполномоченного органа
        Planner = "planner",
        /// Экономист администратора бюджетных программ
        Abp = "abp",
        /// Экономист учреждения
        Economist = "economist",
        /// Руководитель (утверждает)
        Head = "head",
        /// Аудитор, только чтение
        Auditor = "auditor",
    }
);

code_enum!(
    /// The modules a grant can be limited to (issue 20): an economist may enter financing
    /// plans without entering budget requests. A grant without a module reaches every module.
    Module {
        /// Limits and campaigns
        Limits = "limits",
        /// Budget requests
        Planning = "planning",
        /// Staffing tables
        Staffing = "staffing",
        /// Financing plans (of payments and obligations, of receipts)
        Plans = "plans",
        /// Treasury forms, their imports and the exchange with the Treasury
        Treasury = "treasury",
        /// The development budget: investment projects, procurement contracts
        Development = "development",
        /// Reports
        Reports = "reports",
        /// Applications of the representative and audit bodies
        Oversight = "oversight",
        /// The open budget: documents, discussions, proposals
        OpenBudget = "open_budget",
        /// Organisations, users, the classification, the calendar, the audit log
        Configuration = "configuration",
    }
);

code_enum!(
    /// Rights per function (P-3): read, enter data, approve, configure.
    Right {
        Read = "read",
        Enter = "enter",
        Approve = "approve",
        Configure = "configure",
    }
);

impl Role {
    pub fn rights(self) -> &'static [Right] {
        match self {
            Role::Sysadmin => &[Right::Read, Right::Configure],
            Role::Planner | Role::Abp => &[Right::Read, Right::Enter, Right::Approve],
            Role::Economist => &[Right::Read, Right::Enter],
            Role::Head => &[Right::Read, Right::Approve],
            Role::Auditor => &[Right::Read],
        }
    }
}

/// The organisation tree in memory: parent links of every organisation. Small (a region has
/// a few thousand organisations) and rebuilt per request from one query.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    parent: HashMap<i64, Option<i64>>,
    children: HashMap<i64, Vec<i64>>,
}

impl OrgTree {
    pub fn new(links: impl IntoIterator<Item = (i64, Option<i64>)>) -> Self {
        let mut tree = OrgTree::default();
        for (id, parent) in links {
            tree.parent.insert(id, parent);
            if let Some(p) = parent {
                tree.children.entry(p).or_default().push(id);
            }
        }
        tree
    }

    pub fn contains(&self, id: i64) -> bool {
        self.parent.contains_key(&id)
    }

    pub fn children(&self, id: i64) -> &[i64] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The organisation and everything below it.
    pub fn subtree(&self, root: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !self.contains(id) {
                continue;
            }
            out.push(id);
            stack.extend(self.children(id).iter().copied());
        }
        out
    }

    /// Ancestors from the parent up to the root.
    pub fn ancestors(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut cursor = self.parent.get(&id).copied().flatten();
        while let Some(p) = cursor {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            cursor = self.parent.get(&p).copied().flatten();
        }
        out
    }

    pub fn is_within(&self, id: i64, root: i64) -> bool {
        id == root || self.ancestors(id).contains(&root)
    }

    /// Moving `id` under `new_parent` would make it its own ancestor.
    pub fn would_cycle(&self, id: i64, new_parent: i64) -> bool {
        self.is_within(new_parent, id)
    }
}

/// A role held on an organisation subtree until a date (every access has an expiry, P-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grant {
    pub id: i64,
    pub role: Role,
    pub org_id: i64,
    pub valid_until: NaiveDate,
    /// The one module the grant reaches; none: every module (what grants made before modules
    /// existed became).
    #[serde(default)]
    pub module: Option<Module>,
}

impl Grant {
    pub fn is_active(&self, today: NaiveDate) -> bool {
        today <= self.valid_until
    }

    /// Whether the grant counts in `module` (`None`: pages of no one module, such as the start
    /// page, where every grant counts).
    pub fn reaches(&self, module: Option<Module>) -> bool {
        match (self.module, module) {
            (None, _) | (_, None) => true,
            (Some(own), Some(asked)) => own == asked,
        }
    }
}

/// The set of organisations on which a user holds one right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(HashSet<i64>);

impl Scope {
    pub fn contains(&self, org_id: i64) -> bool {
        self.0.contains(&org_id)
    }
    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.0.iter().copied().collect();
        ids.sort_unstable();
        ids
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Organisations on which the active grants give `right`.
pub fn scope_of(grants: &[Grant], right: Right, tree: &OrgTree, today: NaiveDate) -> Scope {
    let mut ids = HashSet::new();
    for grant in grants
        .iter()
        .filter(|g| g.is_active(today) && g.role.rights().contains(&right))
    {
        ids.extend(tree.subtree(grant.org_id));
    }
    Scope(ids)
}

pub fn has_right(
    grants: &[Grant],
    right: Right,
    org_id: i64,
    tree: &OrgTree,
    today: NaiveDate,
) -> bool {
    grants
        .iter()
        .filter(|g| g.is_active(today) && g.role.rights().contains(&right))
        .any(|g| tree.is_within(org_id, g.org_id))
}
