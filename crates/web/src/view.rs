//! What every page shows: header, navigation by rights, language switch, the user.

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::menu::{NavGroup, NavLink, grouped, links};
use askama::Template;
use axum::response::{Html, IntoResponse, Response};

pub struct Page {
    pub tr: Tr,
    pub title: String,
    pub user_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavLink>,
    /// The menu grouped by module (issue 20).
    pub menu: Vec<NavGroup>,
    pub link_kk: String,
    pub link_ru: String,
    pub current: &'static str,
    /// Unread notices of the signed-in user (the header's counter).
    pub unread: i64,
    /// The way to a document page from the start page: (link, name), the page itself last
    /// (its title); empty on other pages.
    pub crumbs: Vec<(String, String)>,
    /// What the last action did, said once after it redirected here (`?done=saved`).
    pub done: Option<String>,
}

/// What an action may report after its redirect: `done-{key}` is its message.
pub const DONE: &[&str] = &[
    "saved",
    "created",
    "sent",
    "approved",
    "returned",
    "deleted",
    "closed",
    "reopened",
    "added",
    "changed",
    "imported",
    "published",
    "voted",
    "revoked",
    "retried",
    "refused",
];

/// `path` (with its own query and fragment, if any) telling the page what was done.
pub fn done(path: &str, key: &'static str) -> String {
    debug_assert!(DONE.contains(&key), "{key} is not in view::DONE");
    let (path, fragment) = match path.split_once('#') {
        Some((path, fragment)) => (path, format!("#{fragment}")),
        None => (path, String::new()),
    };
    let joiner = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joiner}done={key}{fragment}")
}

/// The message of `done=` in a query string, if it names a known action.
fn done_message(tr: Tr, query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| DONE.iter().find(|key| **key == v).copied())
        .map(|key| tr.t(&format!("done-{key}")))
}

/// The current path with `lang` set to `lang`, other query parameters kept.
pub fn with_lang(path: &str, query: &str, lang: &str) -> String {
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    let pair = format!("lang={lang}");
    params.push(&pair);
    format!("{path}?{}", params.join("&"))
}

impl Page {
    pub fn new(ctx: &Ctx, title_key: &str, current: &'static str) -> Page {
        let tr = ctx.tr;
        let (user_name, csrf) = match &ctx.principal {
            Some(p) => (Some(p.user.full_name.clone()), p.csrf().to_string()),
            None => (None, String::new()),
        };
        let nav = links(&ctx.state.menu, ctx.held.as_ref(), tr, current);
        let menu = grouped(&nav, tr);
        Page {
            tr,
            title: tr.t(title_key),
            user_name,
            csrf,
            nav,
            menu,
            link_kk: with_lang(&ctx.path, &ctx.query, "kk"),
            link_ru: with_lang(&ctx.path, &ctx.query, "ru"),
            current,
            unread: ctx.unread,
            crumbs: Vec::new(),
            done: done_message(tr, &ctx.query),
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// A document page: its title, and the way to it from the start page through `trail`.
    pub fn document(mut self, title: String, trail: Vec<(String, String)>) -> Page {
        self.crumbs = std::iter::once(("/".to_string(), self.tr.t("home-title-signed-in")))
            .chain(trail)
            .collect();
        self.title = title;
        self
    }

    /// Whether the menu offers the page at `href` to this user.
    pub fn has_link(&self, href: &str) -> bool {
        self.nav.iter().any(|link| link.href == href)
    }

    pub fn is_kk(&self) -> bool {
        self.tr.lang() == "kk"
    }
}

pub fn html(template: impl Template) -> Response {
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => crate::error::AppError::Internal(e.to_string()).into_response(),
    }
}

pub fn render(template: impl Template) -> AppResult<Response> {
    Ok(Html(template.render().map_err(crate::error::render_error)?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
    pub message: String,
}

impl ErrorPage {
    pub fn new(tr: Tr, message: String, path_and_query: &str) -> ErrorPage {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        ErrorPage {
            page: Page {
                tr,
                title: tr.t("error-title"),
                user_name: None,
                csrf: String::new(),
                nav: Vec::new(),
                menu: Vec::new(),
                link_kk: with_lang(path, query, "kk"),
                link_ru: with_lang(path, query, "ru"),
                current: "",
                unread: 0,
                crumbs: Vec::new(),
                done: None,
            },
            message,
        }
    }

    /// The error page of a signed-in visitor: the header with the visitor's name and menu.
    pub fn signed_in(ctx: &Ctx, message: String) -> ErrorPage {
        ErrorPage {
            page: Page::new(ctx, "error-title", ""),
            message,
        }
    }
}

/// 2026-11-23 → 23.11.2026, as dates are written in Kazakhstan.
pub fn date(d: &chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_goes_before_the_fragment_and_after_the_query() {
        assert_eq!(done("/plans/3", "saved"), "/plans/3?done=saved");
        assert_eq!(
            done("/staffing?org=1&year=2027", "saved"),
            "/staffing?org=1&year=2027&done=saved"
        );
        assert_eq!(
            done("/execution#periods", "closed"),
            "/execution?done=closed#periods"
        );
    }

    #[test]
    fn only_known_actions_are_said() {
        let tr = Tr(crate::i18n::Lang::Ru);
        assert_eq!(
            done_message(tr, "lang=ru&done=saved").as_deref(),
            Some("Изменения сохранены.")
        );
        assert_eq!(done_message(tr, "done=%3Cscript%3E"), None);
        assert_eq!(done_message(tr, ""), None);
        for key in DONE {
            assert!(tr.has(&format!("done-{key}")), "done-{key}");
        }
    }
}
