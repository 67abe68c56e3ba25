//! The lists of the open budget (issue 20): the documents in public discussion, which anybody
//! reads, and the citizens' proposals waiting for the operator; each filtered, searched,
//! sorted and paged by [`jospar_core::listing`].

use crate::DocKind;
use crate::repo::{self, Document, Proposal};
use crate::usecases::{pending, repo_error};
use chrono::NaiveDate;
use jospar_access::{Principal, Result};
use jospar_core::Tenge;
use jospar_core::listing::{ListQuery, Listable, Listed, SortKey, list};
use jospar_store::Db;
use std::collections::{HashMap, HashSet};

/// The days of a date, to sort by.
fn day(date: NaiveDate) -> SortKey {
    SortKey::Number(i64::from(chrono::Datelike::num_days_from_ce(&date)))
}

/// The organisations of a subtree, read from the tree as it is (the documents list is public:
/// no principal brings a tree).
async fn subtree(db: &Db, root: Option<i64>) -> Result<Option<HashSet<i64>>> {
    let Some(root) = root else {
        return Ok(None);
    };
    let tree = jospar_org::repo::org_tree(db).await?;
    Ok(Some(tree.subtree(root).into_iter().collect()))
}

async fn org_names(db: &Db, lang: &str) -> Result<HashMap<i64, String>> {
    Ok(jospar_org::repo::org_names(db, lang).await?)
}

/// Filters of the documents list; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    /// Documents of this organisation's subtree.
    pub within: Option<i64>,
    pub year: Option<i32>,
    /// In discussion (true) or closed (false).
    pub open: Option<bool>,
    pub kind: Option<DocKind>,
    /// The program's amount of the document's year, from and to (inclusive).
    pub min: Option<Tenge>,
    pub max: Option<Tenge>,
}

impl DocumentFilter {
    fn keeps(&self, row: &DocumentListRow, within: Option<&HashSet<i64>>) -> bool {
        let doc = &row.document;
        within.is_none_or(|ids| ids.contains(&doc.org_id))
            && self.year.is_none_or(|y| y == doc.year)
            && self.open.is_none_or(|open| open == row.open)
            && self.kind.is_none_or(|k| k == doc.kind)
            && self.min.is_none_or(|min| row.amount >= min)
            && self.max.is_none_or(|max| row.amount <= max)
    }
}

/// A document of the list: the document, its administrator's name, the program's amount of
/// the document's year, and whether its discussion is still open.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DocumentListRow {
    #[serde(flatten)]
    pub document: Document,
    pub org_name: String,
    /// The program's amount of the document's year, every subprogram together.
    pub amount: Tenge,
    pub open: bool,
    /// The title in the reader's language.
    pub title: String,
}

impl DocumentListRow {
    fn of(document: Document, names: &HashMap<i64, String>, lang: &str, today: NaiveDate) -> Self {
        DocumentListRow {
            org_name: names.get(&document.org_id).cloned().unwrap_or_default(),
            amount: document
                .figures
                .iter()
                .filter_map(|f| f.years.get(&document.year).copied())
                .sum(),
            open: today <= document.ends_on,
            title: document.title(lang).to_string(),
            document,
        }
    }
}

impl Listable for DocumentListRow {
    fn search_text(&self) -> String {
        let d = &self.document;
        format!(
            "{} {} {} {} {}",
            self.title, d.abp, d.program, self.org_name, d.head
        )
    }

    fn sort_key(&self, column: &str) -> Option<SortKey> {
        let d = &self.document;
        Some(match column {
            "title" => SortKey::text(&self.title),
            "kind" => SortKey::Text(d.kind.code().into()),
            "org" => SortKey::Text(format!("{} {}", d.abp, self.org_name)),
            "year" => SortKey::Number(i64::from(d.year)),
            "published" => day(d.published_on),
            "ends" => day(d.ends_on),
            "state" => SortKey::Number(i64::from(self.open)),
            "amount" => SortKey::Number(self.amount.tiyn()),
            _ => return None,
        })
    }
}

/// The documents in public discussion (OB-1), newest first unless sorted: anybody reads them.
pub async fn list_documents(
    db: &Db,
    lang: &str,
    today: NaiveDate,
    filter: &DocumentFilter,
    query: &ListQuery,
) -> Result<Listed<DocumentListRow>> {
    let names = org_names(db, lang).await?;
    let within = subtree(db, filter.within).await?;
    let rows = repo::documents(db)
        .await
        .map_err(repo_error)?
        .into_iter()
        .map(|d| DocumentListRow::of(d, &names, lang, today))
        .filter(|row| filter.keeps(row, within.as_ref()))
        .collect();
    Ok(list(rows, query))
}

/// Filters of the proposals waiting for the operator; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    /// Proposals on documents of this organisation's subtree.
    pub within: Option<i64>,
    /// The year the proposal came.
    pub year: Option<i32>,
    /// The structural part of the document the proposal is about (purpose, tasks …).
    pub part: Option<String>,
    /// The kind of the document.
    pub kind: Option<DocKind>,
    /// Only those past the moderation deadline.
    pub overdue: bool,
}

impl ProposalFilter {
    fn keeps(&self, row: &PendingProposal, within: Option<&HashSet<i64>>) -> bool {
        let p = &row.proposal;
        within.is_none_or(|ids| ids.contains(&row.org_id))
            && self
                .year
                .is_none_or(|y| chrono::Datelike::year(&p.submitted_on) == y)
            && self.part.as_ref().is_none_or(|part| *part == p.part)
            && self.kind.is_none_or(|k| k == row.document_kind)
            && (!self.overdue || row.overdue)
    }
}

/// A proposal awaiting moderation, with its document and the day it must be moderated by.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PendingProposal {
    pub proposal: Proposal,
    pub due: NaiveDate,
    pub overdue: bool,
    /// The document's title in the reader's language.
    pub document_title: String,
    pub document_kind: DocKind,
    /// The document's administrator.
    pub org_id: i64,
}

impl Listable for PendingProposal {
    fn search_text(&self) -> String {
        format!(
            "{} {} {}",
            self.document_title, self.proposal.text, self.proposal.author_name
        )
    }

    fn sort_key(&self, column: &str) -> Option<SortKey> {
        Some(match column {
            "document" => SortKey::text(&self.document_title),
            "part" => SortKey::Text(self.proposal.part.clone()),
            "submitted" => day(self.proposal.submitted_on),
            "due" => day(self.due),
            _ => return None,
        })
    }
}

/// The proposals waiting for the operator (OB-4), oldest first unless sorted: for the
/// system's configurers only.
pub async fn list_pending(
    db: &Db,
    p: &Principal,
    lang: &str,
    filter: &ProposalFilter,
    query: &ListQuery,
) -> Result<Listed<PendingProposal>> {
    let waiting = pending(db, p).await?;
    let documents: HashMap<i64, Document> = repo::documents(db)
        .await
        .map_err(repo_error)?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let within = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect::<HashSet<i64>>());
    let rows = waiting
        .into_iter()
        .filter_map(|(proposal, due, overdue)| {
            let doc = documents.get(&proposal.document_id)?;
            Some(PendingProposal {
                document_title: doc.title(lang).to_string(),
                document_kind: doc.kind,
                org_id: doc.org_id,
                proposal,
                due,
                overdue,
            })
        })
        .filter(|row| filter.keeps(row, within.as_ref()))
        .collect();
    Ok(list(rows, query))
}

/// The administrators that have documents in discussion, by code and name: what the public
/// documents list is filtered by.
pub async fn document_administrators(db: &Db, lang: &str) -> Result<Vec<(i64, String)>> {
    let names = org_names(db, lang).await?;
    let mut found: Vec<(i64, String)> = repo::documents(db)
        .await
        .map_err(repo_error)?
        .into_iter()
        .map(|d| {
            let name = names.get(&d.org_id).cloned().unwrap_or_default();
            (d.org_id, format!("{} {name}", d.abp))
        })
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found.dedup();
    Ok(found)
}
