//! The HTTP side of the lists (issue 20): the query parameters every list takes, pages and API
//! alike (`q`, `sort` — a column, `-column` descending — `page` or `offset`, `limit`), and the
//! links a list page shows: sortable column headings and the pager, each keeping the other
//! parameters of the query. Searching, sorting and paging themselves are
//! [`jospar_core::listing`]'s.

use crate::i18n::Tr;
use jospar_core::listing::{DEFAULT_LIMIT, ListQuery, Listed, MAX_LIMIT};
use serde::Deserialize;

/// The list parameters of a query string; each list reads its own filters beside them.
#[derive(Debug, Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search words; a row is found when it holds all of them.
    pub q: String,
    /// The column to sort by; a leading `-` sorts descending.
    pub sort: String,
    /// The page, from 1 (pages); the API may give `offset` instead.
    pub page: String,
    /// Rows to skip (API).
    pub offset: String,
    /// Rows on a page: 50 unless given, at most 500.
    pub limit: String,
}

impl ListParams {
    /// The query these parameters ask for; what does not parse is taken as not given.
    pub fn query(&self) -> ListQuery {
        let sort = self.sort.trim();
        let (descending, column) = match sort.strip_prefix('-') {
            Some(column) => (true, column),
            None => (false, sort),
        };
        let limit = self
            .limit
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|l| *l > 0)
            .map_or(DEFAULT_LIMIT, |l| l.min(MAX_LIMIT));
        let offset = match self.offset.trim().parse::<usize>() {
            Ok(offset) => offset,
            Err(_) => {
                let page = self.page.trim().parse::<usize>().unwrap_or(1).max(1);
                (page - 1).saturating_mul(limit)
            }
        };
        ListQuery {
            q: self.q.trim().to_string(),
            sort: (!column.is_empty()).then(|| column.to_string()),
            descending,
            offset,
            limit,
        }
    }
}

/// The query string of a list page, to build links that change one parameter and keep the
/// others (filters, search, language).
#[derive(Debug, Clone)]
pub struct Links {
    path: String,
    params: Vec<(String, String)>,
}

impl Links {
    pub fn new(path: &str, query: &str) -> Links {
        Links {
            path: path.to_string(),
            params: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        }
    }

    /// The page's address with `key` set to `value` (removed when empty) and the page reset
    /// unless the key is the page itself.
    pub fn with(&self, key: &str, value: &str) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            if k != key && (key == "page" || k != "page") {
                out.append_pair(k, v);
            }
        }
        if !value.is_empty() {
            out.append_pair(key, value);
        }
        let query = out.finish();
        if query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{query}", self.path)
        }
    }
}

/// A column heading of a list: its label and, when the list sorts by it, the link that sorts.
pub struct Column {
    pub label: String,
    /// The link sorting by this column (ascending, or descending when it sorts ascending now).
    pub href: Option<String>,
    /// ▲ or ▼ when the list is sorted by this column.
    pub mark: &'static str,
    /// `ascending`, `descending` or `none` (aria-sort).
    pub aria_sort: &'static str,
    /// Amount columns are right-aligned.
    pub numeric: bool,
}

/// The headings of a list from (sort column or "" for none, label key, numeric).
pub fn columns(
    tr: Tr,
    links: &Links,
    query: &ListQuery,
    spec: &[(&str, &str, bool)],
) -> Vec<Column> {
    spec.iter()
        .map(|(column, key, numeric)| {
            let label = tr.t(key);
            if column.is_empty() {
                return Column {
                    label,
                    href: None,
                    mark: "",
                    aria_sort: "none",
                    numeric: *numeric,
                };
            }
            let sorted = query.sort.as_deref() == Some(*column);
            let (next, mark, aria_sort) = match (sorted, query.descending) {
                (true, false) => (format!("-{column}"), "▲", "ascending"),
                (true, true) => (column.to_string(), "▼", "descending"),
                (false, _) => (column.to_string(), "", "none"),
            };
            Column {
                label,
                href: Some(links.with("sort", &next)),
                mark,
                aria_sort,
                numeric: *numeric,
            }
        })
        .collect()
}

/// The pager of a list: "rows 51–100 of 1,951", and links to the pages around this one.
pub struct Pager {
    /// "Найдено: 1 951" / "Табылды: 1 951".
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Pages to jump to: (label, link, is this page); gaps are "…" with no link.
    pub pages: Vec<(String, Option<String>, bool)>,
}

impl Pager {
    pub fn new<T>(tr: Tr, links: &Links, listed: &Listed<T>) -> Pager {
        let limit = listed.limit.max(1);
        let count = listed.total.div_ceil(limit).max(1);
        let current = listed.offset / limit + 1;
        let href = |page: usize| links.with("page", &page.to_string());
        let from = if listed.total == 0 {
            0
        } else {
            listed.offset + 1
        };
        let to = (listed.offset + listed.rows.len()).max(from);
        let summary = tr.args(
            "list-summary",
            &[
                ("from", from.to_string()),
                ("to", to.to_string()),
                (
                    "total",
                    jospar_core::money::group_digits(listed.total as u64),
                ),
            ],
        );
        let mut pages = Vec::new();
        let mut last_shown = 0;
        for page in 1..=count {
            let near = page == 1 || page == count || page.abs_diff(current) <= 2;
            if !near {
                continue;
            }
            if page > last_shown + 1 {
                pages.push(("…".to_string(), None, false));
            }
            pages.push((page.to_string(), Some(href(page)), page == current));
            last_shown = page;
        }
        Pager {
            summary,
            prev: (current > 1).then(|| href(current - 1)),
            next: (current < count).then(|| href(current + 1)),
            pages: if count > 1 { pages } else { Vec::new() },
        }
    }
}

/// The `X-Total-Count` header of an API list answer: the rows found on every page.
pub const TOTAL_HEADER: &str = "x-total-count";

/// An API list answer: the page's rows as JSON, the rows found in `X-Total-Count`.
pub fn api_answer<T: serde::Serialize>(listed: Listed<T>) -> axum::response::Response {
    api_answer_with(listed.total, listed.rows)
}

/// An API list answer whose page of rows sits in a larger body (a desk with its campaign and
/// deadline): the body as JSON, the rows found in `X-Total-Count`.
pub fn api_answer_with<B: serde::Serialize>(total: usize, body: B) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(TOTAL_HEADER, total.to_string())], axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str, sort: &str, page: &str, offset: &str, limit: &str) -> ListParams {
        ListParams {
            q: q.into(),
            sort: sort.into(),
            page: page.into(),
            offset: offset.into(),
            limit: limit.into(),
        }
    }

    #[test]
    fn parameters_make_a_query_and_nonsense_is_ignored() {
        let q = params(" школа ", "-amount", "3", "", "").query();
        assert_eq!(
            (
                q.q.as_str(),
                q.sort.as_deref(),
                q.descending,
                q.offset,
                q.limit
            ),
            ("школа", Some("amount"), true, 100, 50)
        );
        let q = params("", "", "x", "", "100000").query();
        assert_eq!((q.sort, q.offset, q.limit), (None, 0, 500));
        assert_eq!(params("", "", "4", "7", "10").query().offset, 7);
    }

    #[test]
    fn links_keep_the_filters_and_reset_the_page() {
        let links = Links::new("/requests", "q=%D1%88%D0%BA&status=sent&page=3&empty=");
        assert_eq!(
            links.with("sort", "-amount"),
            "/requests?q=%D1%88%D0%BA&status=sent&sort=-amount"
        );
        assert_eq!(
            links.with("page", "4"),
            "/requests?q=%D1%88%D0%BA&status=sent&page=4"
        );
        assert_eq!(Links::new("/orgs", "page=2").with("page", ""), "/orgs");
    }
}
