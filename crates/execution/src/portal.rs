//! The open-budgets portal's execution reports (budget.egov.kz, "Исполнение бюджета"): one
//! semicolon-separated row per tree node per report month, amounts in thousand tenge with at
//! most three decimals (so exact in tiyn), each month cumulative from 1 January. The layout is
//! described in `shared/reference/SOURCES.md`; the file is read by column name, so a reordered
//! export still loads.
//!
//! A node is a detail row when no row of the same month names it as parent: the file's own
//! `isLeaf` flag is not trusted, the structure is.

use jospar_core::Tenge;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// A report month: figures are cumulative from 1 January to its end.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// "03.2025" as the portal writes it, or "2025-03".
    pub fn parse(text: &str) -> Option<Month> {
        let text = text.trim();
        let (year, month) = match text.split_once('.') {
            Some((m, y)) => (y, m),
            None => text.split_once('-')?,
        };
        let (year, month): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
        ((1990..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }
}

impl fmt::Display for Month {
    /// "2025-03": sorts as text, as stored.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// The amount columns of the portal's report, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// `utv`: approved budget.
    Approved,
    /// `utch`: refined budget.
    Refined,
    /// `plg`: corrected annual plan.
    Corrected,
    /// `plgp`: plan of the period by payments.
    PlanPayments,
    /// `plgo`: plan of the period by obligations.
    PlanObligations,
    /// `sumrg`: executed (receipts received, obligations paid).
    Executed,
    /// `obz`: obligations accepted.
    Accepted,
}

impl Column {
    pub const ALL: [Column; 7] = [
        Column::Approved,
        Column::Refined,
        Column::Corrected,
        Column::PlanPayments,
        Column::PlanObligations,
        Column::Executed,
        Column::Accepted,
    ];

    /// The column's heading in the portal's file.
    pub fn source(self) -> &'static str {
        match self {
            Column::Approved => "utv",
            Column::Refined => "utch",
            Column::Corrected => "plg",
            Column::PlanPayments => "plgp",
            Column::PlanObligations => "plgo",
            Column::Executed => "sumrg",
            Column::Accepted => "obz",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Column::Approved => "approved",
            Column::Refined => "refined",
            Column::Corrected => "corrected",
            Column::PlanPayments => "plan_payments",
            Column::PlanObligations => "plan_obligations",
            Column::Executed => "executed",
            Column::Accepted => "accepted",
        }
    }

    fn index(self) -> usize {
        Column::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

/// The seven amounts of a node, in tiyn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Amounts(pub [Tenge; 7]);

impl Amounts {
    pub fn get(&self, column: Column) -> Tenge {
        self.0[column.index()]
    }

    pub fn set(&mut self, column: Column, value: Tenge) {
        self.0[column.index()] = value;
    }

    pub fn add(&mut self, other: &Amounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }

    pub fn minus(&self, other: &Amounts) -> Amounts {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a = *a - b;
        }
        out
    }

    pub fn negated(&self) -> Amounts {
        Amounts(self.0.map(|a| -a))
    }

    /// Obligations accepted and not yet paid.
    pub fn unpaid(&self) -> Tenge {
        self.get(Column::Accepted) - self.get(Column::Executed)
    }
}

/// One node of the report tree in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Node {
    /// The portal's row id, unique within the month.
    pub id: i64,
    pub parent: Option<i64>,
    /// The classification code at this level ("4" for a functional group), empty for headings.
    pub code: String,
    pub name: String,
    pub level: u32,
    pub amounts: Amounts,
    /// The line of the file, for messages.
    pub line: u64,
}

/// The whole tree of one report month, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthTree {
    pub month: Month,
    pub nodes: Vec<Node>,
}

impl MonthTree {
    /// Ids of the nodes that have children.
    pub fn parents(&self) -> HashSet<i64> {
        self.nodes.iter().filter_map(|n| n.parent).collect()
    }

    pub fn children(&self) -> HashMap<i64, Vec<&Node>> {
        let mut out: HashMap<i64, Vec<&Node>> = HashMap::new();
        for node in &self.nodes {
            if let Some(p) = node.parent {
                out.entry(p).or_default().push(node);
            }
        }
        out
    }

    pub fn roots(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.parent.is_none())
    }
}

/// What was wrong with a portal file, with the line (1 = the heading) and the column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortalError {
    #[error("the file is empty")]
    Empty,
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("the column {column} is missing")]
    MissingColumn { column: String },
    #[error("line {line}, column {column}: cannot read «{value}»")]
    BadValue {
        line: u64,
        column: String,
        value: String,
    },
    #[error("line {line}: row id {id} of month {month} appears twice")]
    Duplicate { line: u64, id: i64, month: Month },
    #[error("line {line}, column parent_id: no row {parent} in month {month}")]
    UnknownParent {
        line: u64,
        parent: i64,
        month: Month,
    },
    #[error(
        "line {line}, column {column}: the total {total} of «{name}» differs from its detail {detail}"
    )]
    TotalDisagrees {
        line: u64,
        column: String,
        name: String,
        total: Tenge,
        detail: Tenge,
    },
}

/// Thousand tenge as the portal writes them ("1234.567", "-0.5", "12.0") to tiyn, exactly:
/// more than five decimals would be finer than a tiyn and is refused.
pub fn parse_thousands(text: &str) -> Option<Tenge> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 5 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<5}").parse().ok()?;
    let tiyn = whole.checked_mul(100_000)?.checked_add(frac)?;
    Some(Tenge::from_tiyn(if negative { -tiyn } else { tiyn }))
}

/// The code column holds "4.0" (the portal prints codes as floats) or nothing.
fn parse_code(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return Some(String::new());
    }
    let whole = text.strip_suffix(".0").unwrap_or(text);
    whole
        .chars()
        .all(|c| c.is_ascii_digit())
        .then(|| whole.to_string())
}

/// A row id or parent id, also printed as a float.
fn parse_id(text: &str) -> Option<i64> {
    text.trim()
        .strip_suffix(".0")
        .unwrap_or(text.trim())
        .parse()
        .ok()
}

struct Layout {
    id: usize,
    code: usize,
    name: usize,
    level: usize,
    parent: usize,
    month: usize,
    amounts: [usize; 7],
}

impl Layout {
    fn from_headers(headers: &csv::StringRecord) -> Result<Layout, PortalError> {
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| PortalError::MissingColumn {
                    column: name.to_string(),
                })
        };
        let mut amounts = [0; 7];
        for (slot, column) in amounts.iter_mut().zip(Column::ALL) {
            *slot = find(column.source())?;
        }
        Ok(Layout {
            id: find("id")?,
            code: find("code")?,
            name: find("name")?,
            level: find("level")?,
            parent: find("parent_id")?,
            month: find("month")?,
            amounts,
        })
    }
}

fn field(record: &csv::StringRecord, index: usize) -> &str {
    record.get(index).unwrap_or("")
}

fn read_node(
    record: &csv::StringRecord,
    layout: &Layout,
    headers: &csv::StringRecord,
    line: u64,
) -> Result<(Month, Node), PortalError> {
    let bad = |index: usize| PortalError::BadValue {
        line,
        column: field(headers, index).to_string(),
        value: field(record, index).to_string(),
    };
    let month = Month::parse(field(record, layout.month)).ok_or_else(|| bad(layout.month))?;
    let parent_text = field(record, layout.parent).trim();
    let parent = if parent_text.is_empty() {
        None
    } else {
        Some(parse_id(parent_text).ok_or_else(|| bad(layout.parent))?)
    };
    let mut amounts = Amounts::default();
    for (index, column) in layout.amounts.iter().zip(Column::ALL) {
        amounts.set(
            column,
            parse_thousands(field(record, *index)).ok_or_else(|| bad(*index))?,
        );
    }
    let name = field(record, layout.name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Ok((
        month,
        Node {
            id: parse_id(field(record, layout.id)).ok_or_else(|| bad(layout.id))?,
            parent,
            code: parse_code(field(record, layout.code)).ok_or_else(|| bad(layout.code))?,
            name,
            level: field(record, layout.level)
                .trim()
                .parse()
                .map_err(|_| bad(layout.level))?,
            amounts,
            line,
        },
    ))
}

/// Reads a portal execution file: every month's tree, months in calendar order. The file is
/// refused whole at the first broken row, duplicated row, dangling parent or total row that
/// disagrees with its detail.
pub fn parse(bytes: &[u8]) -> Result<Vec<MonthTree>, PortalError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| PortalError::Csv {
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(PortalError::Empty);
    }
    let layout = Layout::from_headers(&headers)?;
    let mut months: std::collections::BTreeMap<Month, MonthTree> = Default::default();
    let mut seen: HashSet<(Month, i64)> = HashSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| PortalError::Csv {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: e.to_string(),
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let (month, node) = read_node(&record, &layout, &headers, line)?;
        if !seen.insert((month, node.id)) {
            return Err(PortalError::Duplicate {
                line,
                id: node.id,
                month,
            });
        }
        months
            .entry(month)
            .or_insert_with(|| MonthTree {
                month,
                nodes: Vec::new(),
            })
            .nodes
            .push(node);
    }
    if months.is_empty() {
        return Err(PortalError::Empty);
    }
    for tree in months.values() {
        check_parents(tree)?;
        check_inner_totals(tree)?;
    }
    Ok(months.into_values().collect())
}

fn check_parents(tree: &MonthTree) -> Result<(), PortalError> {
    let ids: HashSet<i64> = tree.nodes.iter().map(|n| n.id).collect();
    match tree
        .nodes
        .iter()
        .find(|n| n.parent.is_some_and(|p| !ids.contains(&p)))
    {
        Some(node) => Err(PortalError::UnknownParent {
            line: node.line,
            parent: node.parent.unwrap_or_default(),
            month: tree.month,
        }),
        None => Ok(()),
    }
}

/// The rounding of the source: half a tenge for each row added up and for the total itself.
pub fn tolerance(rows: usize) -> Tenge {
    Tenge::from_tiyn(50 * (rows as i64 + 1))
}

/// Refuses a tree in which a total row below the sections disagrees with the sum of its
/// rows beyond the source's rounding (section totals are for the reconciliation to report).
pub fn check_inner_totals(tree: &MonthTree) -> Result<(), PortalError> {
    let children = tree.children();
    for node in tree.nodes.iter().filter(|n| n.parent.is_some()) {
        let Some(kids) = children.get(&node.id) else {
            continue;
        };
        let mut sum = Amounts::default();
        for kid in kids {
            sum.add(&kid.amounts);
        }
        for column in Column::ALL {
            let (total, detail) = (node.amounts.get(column), sum.get(column));
            if (total - detail).tiyn().abs() > tolerance(kids.len()).tiyn() {
                return Err(PortalError::TotalDisagrees {
                    line: node.line,
                    column: column.source().to_string(),
                    name: node.name.clone(),
                    total,
                    detail,
                });
            }
        }
    }
    Ok(())
}
