//! One way every list is searched, sorted and paged (issue 20): the pages and the API ask a
//! use case for a [`ListQuery`]; the use case gathers the rows the caller may see, filtered by
//! its own filters, and [`list`] applies the search words, the sort and the page, and counts
//! the rows found. A region's list is a few thousand rows, read in one query: sorting them in
//! memory costs milliseconds, and the page sent to the browser is one page.

use crate::text::search_key;

/// Rows on a page when the caller does not say.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: usize = 500;

/// What a list is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Search words: a row is found when its search text holds every word (case, ё/е and
    /// Kazakh letters folded as [`search_key`] does).
    pub q: String,
    /// The column to sort by (a name the list knows); `None` keeps the list's own order.
    pub sort: Option<String>,
    pub descending: bool,
    pub offset: usize,
    pub limit: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            q: String::new(),
            sort: None,
            descending: false,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// A value a row is sorted by. Numbers sort before texts, so that a column that mixes them
/// still sorts the same way every time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Number(i64),
    Text(String),
}

impl SortKey {
    /// A text key that sorts as people read it: case and letter variants folded.
    pub fn text(value: &str) -> SortKey {
        SortKey::Text(search_key(value))
    }
}

/// A row of a list.
pub trait Listable {
    /// Everything a search may find the row by (its number, names, codes), in any case.
    fn search_text(&self) -> String;
    /// The row's value in `column`, or `None` when the list has no such column.
    fn sort_key(&self, column: &str) -> Option<SortKey>;
}

/// One page of a list and the number of rows found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub rows: Vec<T>,
    /// Rows found by the search and the filters, on every page.
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
}

/// Finds the rows holding every search word, sorts them (a stable sort: rows equal in the
/// column keep the list's own order) and cuts the page asked for.
pub fn list<T: Listable>(rows: Vec<T>, query: &ListQuery) -> Listed<T> {
    let words: Vec<String> = search_key(&query.q)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut found: Vec<T> = if words.is_empty() {
        rows
    } else {
        rows.into_iter()
            .filter(|row| {
                let text = search_key(&row.search_text());
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect()
    };
    if let Some(column) = &query.sort {
        if query.descending {
            found.sort_by_cached_key(|row| std::cmp::Reverse(row.sort_key(column)));
        } else {
            found.sort_by_cached_key(|row| row.sort_key(column));
        }
    }
    let total = found.len();
    let limit = query.limit.clamp(1, MAX_LIMIT);
    let rows = found.into_iter().skip(query.offset).take(limit).collect();
    Listed {
        rows,
        total,
        offset: query.offset,
        limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Row(&'static str, i64);

    impl Listable for Row {
        fn search_text(&self) -> String {
            self.0.to_string()
        }
        fn sort_key(&self, column: &str) -> Option<SortKey> {
            match column {
                "name" => Some(SortKey::text(self.0)),
                "amount" => Some(SortKey::Number(self.1)),
                _ => None,
            }
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            Row("Школа № 1 Ақтау", 300),
            Row("школа № 2", 100),
            Row("Акимат", 200),
            Row("Школа № 3 Ақтау", 100),
        ]
    }

    fn names(listed: &Listed<Row>) -> Vec<&'static str> {
        listed.rows.iter().map(|r| r.0).collect()
    }

    #[test]
    fn every_word_must_be_found_whatever_the_case() {
        let query = ListQuery {
            q: "ШКОЛА ақтау".into(),
            ..ListQuery::default()
        };
        let listed = list(rows(), &query);
        assert_eq!(names(&listed), ["Школа № 1 Ақтау", "Школа № 3 Ақтау"]);
        assert_eq!(listed.total, 2);
    }

    #[test]
    fn sorting_is_stable_both_ways() {
        let ascending = ListQuery {
            sort: Some("amount".into()),
            ..ListQuery::default()
        };
        assert_eq!(
            names(&list(rows(), &ascending)),
            ["школа № 2", "Школа № 3 Ақтау", "Акимат", "Школа № 1 Ақтау"]
        );
        let descending = ListQuery {
            descending: true,
            ..ascending
        };
        assert_eq!(
            names(&list(rows(), &descending)),
            ["Школа № 1 Ақтау", "Акимат", "школа № 2", "Школа № 3 Ақтау"]
        );
    }

    #[test]
    fn a_page_is_cut_after_counting_everything_found() {
        let query = ListQuery {
            sort: Some("name".into()),
            offset: 1,
            limit: 2,
            ..ListQuery::default()
        };
        let listed = list(rows(), &query);
        assert_eq!(listed.total, 4);
        assert_eq!(names(&listed), ["Школа № 1 Ақтау", "школа № 2"]);
        let beyond = ListQuery {
            offset: 10,
            ..query
        };
        assert!(list(rows(), &beyond).rows.is_empty());
    }

    #[test]
    fn an_unknown_column_keeps_the_lists_order() {
        let query = ListQuery {
            sort: Some("nothing".into()),
            ..ListQuery::default()
        };
        assert_eq!(list(rows(), &query).rows, rows());
    }
}
