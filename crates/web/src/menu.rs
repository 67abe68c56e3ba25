//! The menu, assembled from the entries each page module declares next to its routes
//! (`MENU`), each with the function (access) a user needs to reach the page and the module
//! group it belongs to. A user is shown the pages the user reaches, grouped by module (issue
//! 20), the groups with nothing to reach left out; the use cases behind them check again, per
//! organisation.

use crate::i18n::Tr;
use jospar_access::{Access, Principal};

/// The groups of the menu, in the order shown: the budget cycle's stages, then the
/// administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MenuGroup {
    Planning,
    Execution,
    Reports,
    Oversight,
    Settings,
}

impl MenuGroup {
    pub const ALL: [MenuGroup; 5] = [
        MenuGroup::Planning,
        MenuGroup::Execution,
        MenuGroup::Reports,
        MenuGroup::Oversight,
        MenuGroup::Settings,
    ];

    fn title_key(self) -> &'static str {
        match self {
            MenuGroup::Planning => "nav-group-planning",
            MenuGroup::Execution => "nav-group-execution",
            MenuGroup::Reports => "nav-group-reports",
            MenuGroup::Oversight => "nav-group-oversight",
            MenuGroup::Settings => "nav-group-settings",
        }
    }
}

/// One page in the menu.
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    pub path: &'static str,
    /// The page's name as its handlers pass it to `Page::new`, to mark it current.
    pub current: &'static str,
    /// The translation key of its title.
    pub title_key: &'static str,
    pub group: MenuGroup,
    pub access: Access,
}

/// A link of the menu as a page shows it.
pub struct NavLink {
    pub href: &'static str,
    pub title: String,
    pub current: bool,
    pub group: MenuGroup,
}

/// A group of the menu as a page shows it: its title and the links the user reaches in it.
pub struct NavGroup {
    pub title: String,
    /// The page shown is in this group.
    pub current: bool,
    pub links: Vec<NavLink>,
}

/// The links grouped by module, groups in their order, empty groups left out.
pub fn grouped(links: &[NavLink], tr: Tr) -> Vec<NavGroup> {
    let mut groups: Vec<NavGroup> = Vec::new();
    for group in MenuGroup::ALL {
        let links: Vec<NavLink> = links
            .iter()
            .filter(|l| l.group == group)
            .map(|l| NavLink {
                href: l.href,
                title: l.title.clone(),
                current: l.current,
                group,
            })
            .collect();
        if !links.is_empty() {
            groups.push(NavGroup {
                title: tr.t(group.title_key()),
                current: links.iter().any(|l| l.current),
                links,
            });
        }
    }
    groups
}

/// The links a visitor (`None`: not signed in) reaches, in the declared order.
pub fn links(
    entries: &[MenuEntry],
    visitor: Option<&Principal>,
    tr: Tr,
    current: &str,
) -> Vec<NavLink> {
    entries
        .iter()
        .filter(|e| {
            // A grant limited to one module offers only that module's pages.
            let in_module = visitor.map(|p| p.in_module(crate::modules::module_of(e.path)));
            e.access.reached_by(in_module.as_ref())
        })
        .map(|e| NavLink {
            href: e.path,
            title: tr.t(e.title_key),
            current: e.current == current,
            group: e.group,
        })
        .collect()
}
