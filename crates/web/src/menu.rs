//! The menu, assembled from the entries each page module declares next to its routes
//! (`MENU`), each with the function (access) a user needs to reach the page. A user is shown the
//! pages the user reaches; the use cases behind them check again, per organisation.

use crate::i18n::Tr;
use jospar_access::{Access, Principal};

/// One page in the menu.
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    pub path: &'static str,
    /// The page's name as its handlers pass it to `Page::new`, to mark it current.
    pub current: &'static str,
    /// The translation key of its title.
    pub title_key: &'static str,
    pub access: Access,
}

/// A link of the menu as a page shows it.
pub struct NavLink {
    pub href: &'static str,
    pub title: String,
    pub current: bool,
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
        .filter(|e| e.access.reached_by(visitor))
        .map(|e| NavLink {
            href: e.path,
            title: tr.t(e.title_key),
            current: e.current == current,
        })
        .collect()
}
