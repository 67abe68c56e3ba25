//! The budget execution report (EX-R 18, the "Отчет об исполнении бюджета" of order No. 540)
//! built from an imported portal tree. Every figure is recomputed from the detail (leaf) rows;
//! the file's own total rows are only used to reconcile against:
//!
//! - I receipts, II expenses: the sum of their detail rows;
//! - III net budget lending: budget credits − repayments of budget credits;
//! - IV balance of operations with financial assets: acquisition − sales;
//! - V deficit (surplus) = I − II − III − IV;
//! - VII financing of the deficit = loans received − loans repaid + budget balances used,
//!   which must equal −V.
//!
//! The portal rounds every row to the tenge (three decimals of thousands), so a sum of n rows
//! may differ from the published total by up to (n + 1)/2 tenge: that is the tolerance.
//! It publishes the obligation columns (plan by obligations, accepted obligations) only for
//! sections I and II; for III–VII it writes zero, and those are not compared. The non-oil
//! deficit cannot be derived from the tree (it needs the National Fund transfers) and is
//! left out.

use crate::portal::{Amounts, Column, Month, MonthTree, Node, tolerance};
use jospar_core::Tenge;
use serde::Serialize;
use std::collections::HashMap;

/// The sections of the report, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Receipts,
    Expenses,
    NetLending,
    FinancialAssets,
    Deficit,
    Financing,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Receipts,
        Section::Expenses,
        Section::NetLending,
        Section::FinancialAssets,
        Section::Deficit,
        Section::Financing,
    ];

    /// The Roman numeral the official form gives the section.
    pub fn numeral(self) -> &'static str {
        match self {
            Section::Receipts => "I",
            Section::Expenses => "II",
            Section::NetLending => "III",
            Section::FinancialAssets => "IV",
            Section::Deficit => "V",
            Section::Financing => "VII",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Section::Receipts => "receipts",
            Section::Expenses => "expenses",
            Section::NetLending => "net_lending",
            Section::FinancialAssets => "financial_assets",
            Section::Deficit => "deficit",
            Section::Financing => "financing",
        }
    }

    /// Whether the obligation columns (plan by obligations, accepted, and the unpaid rest)
    /// apply to a row of this section. Receipts have no obligations (their unpaid rest would be
    /// minus the revenue). The totals of sections III–VII are balances of flows — credits less
    /// repayments, I − II − III − IV — whose obligations the form does not state (the portal
    /// publishes only [`Section::published_columns`] for them); their component rows are
    /// spending with obligations of their own.
    pub fn has_obligations(self, total: bool) -> bool {
        match self {
            Section::Receipts => false,
            Section::Expenses => true,
            _ => !total,
        }
    }

    /// The columns the portal publishes for this section's total.
    pub fn published_columns(self) -> &'static [Column] {
        match self {
            Section::Receipts | Section::Expenses => &Column::ALL,
            _ => &[
                Column::Approved,
                Column::Refined,
                Column::Corrected,
                Column::PlanPayments,
                Column::Executed,
            ],
        }
    }
}

/// A name as compared: upper case, single spaces, the Latin "H" the portal puts in
/// "Hалог" read as Cyrillic, and the section numeral ("II. ") dropped.
fn normalized(name: &str) -> String {
    let upper: String = name
        .to_uppercase()
        .chars()
        .map(|c| if c == 'H' { 'Н' } else { c })
        .collect();
    let words: Vec<&str> = upper.split_whitespace().collect();
    let words = match words.first() {
        Some(first)
            if first.ends_with('.')
                && first
                    .trim_end_matches('.')
                    .chars()
                    .all(|c| "IVXНХ".contains(c)) =>
        {
            &words[1..]
        }
        _ => &words[..],
    };
    words.join(" ")
}

const BALANCES_USED: &str = "ИСПОЛЬЗУЕМЫЕ ОСТАТКИ БЮДЖЕТНЫХ СРЕДСТВ";

fn section_of(name: &str) -> Option<Section> {
    let name = normalized(name);
    let section = match name.as_str() {
        "ДОХОДЫ" | "ПОСТУПЛЕНИЯ" => Section::Receipts,
        "ЗАТРАТЫ" | "РАСХОДЫ" => Section::Expenses,
        "ЧИСТОЕ БЮДЖЕТНОЕ КРЕДИТОВАНИЕ" => Section::NetLending,
        "САЛЬДО ПО ОПЕРАЦИЯМ С ФИНАНСОВЫМИ АКТИВАМИ" => {
            Section::FinancialAssets
        }
        "ДЕФИЦИТ (ПРОФИЦИТ) БЮДЖЕТА" => Section::Deficit,
        n if n.starts_with("ФИНАНСИРОВАНИЕ ДЕФИЦИТА") => Section::Financing,
        _ => return None,
    };
    Some(section)
}

/// Components of the signed sections that are subtracted: repayments and sales.
fn subtracted(name: &str) -> bool {
    let name = normalized(name);
    name.starts_with("ПОГАШЕНИЕ") || name.starts_with("ПОСТУПЛЕНИЯ ОТ ПРОДАЖИ")
}

/// A row of the report: a node of the tree with its amounts recomputed from the detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub section: Section,
    pub depth: u32,
    pub code: String,
    pub name: String,
    pub amounts: Amounts,
    /// How many detail rows the amounts add up.
    pub leaves: usize,
    /// A section total (bold in the forms).
    pub total: bool,
}

/// A section total as published by the file and as recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SectionTotal {
    pub section: Section,
    pub computed: Amounts,
    pub published: Option<Amounts>,
    pub leaves: usize,
}

/// The report of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonthReport {
    pub month: Month,
    pub rows: Vec<ReportRow>,
    pub sections: Vec<SectionTotal>,
    /// Reference rows (balances at the start and end of the period), as in the file.
    pub memo: Vec<ReportRow>,
}

impl MonthReport {
    pub fn section(&self, section: Section) -> Option<&SectionTotal> {
        self.sections.iter().find(|s| s.section == section)
    }
}

struct Sums<'a> {
    children: HashMap<i64, Vec<&'a Node>>,
}

impl<'a> Sums<'a> {
    /// The node's amounts from its detail rows, and how many there are.
    fn of(&self, node: &Node) -> (Amounts, usize) {
        match self.children.get(&node.id) {
            None => (node.amounts, 1),
            Some(kids) => {
                let mut sum = Amounts::default();
                let mut leaves = 0;
                for kid in kids {
                    let (a, n) = self.of(kid);
                    sum.add(&a);
                    leaves += n;
                }
                (sum, leaves)
            }
        }
    }

    fn kids(&self, node: &Node) -> &[&'a Node] {
        self.children
            .get(&node.id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The node and its descendants down to `depth` levels below the section, in file order.
    fn rows(&self, section: Section, node: &Node, depth: u32, max: u32, out: &mut Vec<ReportRow>) {
        let (amounts, leaves) = self.of(node);
        out.push(ReportRow {
            section,
            depth,
            code: node.code.clone(),
            name: node.name.clone(),
            amounts,
            leaves,
            total: false,
        });
        if depth < max {
            for kid in self.kids(node) {
                self.rows(section, kid, depth + 1, max, out);
            }
        }
    }
}

/// Builds the report of one month, with the tree shown `depth` levels below each section
/// (0: the section totals only).
pub fn month_report(tree: &MonthTree, depth: u32) -> MonthReport {
    let sums = Sums {
        children: tree.children(),
    };
    let roots: Vec<&Node> = tree.roots().collect();
    let find = |section: Section| {
        // The financing section is the one with components: the portal also prints the
        // non-oil deficit under a "financing" heading in some months.
        let mut candidates = roots
            .iter()
            .filter(|n| section_of(&n.name) == Some(section));
        let first = candidates.clone().next().copied();
        candidates
            .find(|n| !sums.kids(n).is_empty())
            .copied()
            .or(first)
    };
    let balances_used = roots
        .iter()
        .find(|n| normalized(&n.name) == BALANCES_USED)
        .copied();
    let mut rows = Vec::new();
    let mut sections = Vec::new();
    let mut computed: HashMap<Section, (Amounts, usize)> = HashMap::new();
    for section in Section::ALL {
        let node = find(section);
        let (amounts, leaves, components) = match section {
            Section::Receipts | Section::Expenses => match node {
                Some(n) => {
                    let (a, l) = sums.of(n);
                    (a, l, sums.kids(n).to_vec())
                }
                None => (Amounts::default(), 0, Vec::new()),
            },
            Section::Deficit => {
                let get = |s| computed.get(&s).copied().unwrap_or_default();
                let (i, ii, iii, iv) = (
                    get(Section::Receipts),
                    get(Section::Expenses),
                    get(Section::NetLending),
                    get(Section::FinancialAssets),
                );
                let amounts = i.0.minus(&ii.0).minus(&iii.0).minus(&iv.0);
                (amounts, i.1 + ii.1 + iii.1 + iv.1, Vec::new())
            }
            _ => {
                let mut components: Vec<&Node> =
                    node.map(|n| sums.kids(n).to_vec()).unwrap_or_default();
                if section == Section::Financing {
                    components.extend(balances_used);
                }
                let mut amounts = Amounts::default();
                let mut leaves = 0;
                for c in &components {
                    let (a, l) = sums.of(c);
                    amounts = if subtracted(&c.name) {
                        amounts.minus(&a)
                    } else {
                        let mut sum = amounts;
                        sum.add(&a);
                        sum
                    };
                    leaves += l;
                }
                (amounts, leaves, components)
            }
        };
        computed.insert(section, (amounts, leaves));
        let (code, name) = node
            .map(|n| (n.code.clone(), n.name.clone()))
            .unwrap_or_default();
        rows.push(ReportRow {
            section,
            depth: 0,
            code,
            name,
            amounts,
            leaves,
            total: true,
        });
        if depth > 0 {
            for c in components {
                sums.rows(section, c, 1, depth, &mut rows);
            }
        }
        sections.push(SectionTotal {
            section,
            computed: amounts,
            published: node.map(|n| n.amounts),
            leaves,
        });
    }
    let memo = roots
        .iter()
        .filter(|n| {
            section_of(&n.name).is_none()
                && normalized(&n.name) != BALANCES_USED
                && !normalized(&n.name).contains("НЕНЕФТЯНОЙ")
        })
        .map(|n| ReportRow {
            section: Section::Financing,
            depth: 0,
            code: n.code.clone(),
            name: n.name.clone(),
            amounts: n.amounts,
            leaves: 1,
            total: false,
        })
        .collect();
    MonthReport {
        month: tree.month,
        rows,
        sections,
        memo,
    }
}

/// One comparison of the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Check {
    pub month: Month,
    pub what: CheckKind,
    pub column: Column,
    /// The file's figure (for identities: the left side).
    pub expected: Tenge,
    /// The recomputed figure (for identities: the right side).
    pub actual: Tenge,
    pub tolerance: Tenge,
}

impl Check {
    pub fn difference(&self) -> Tenge {
        self.actual - self.expected
    }

    pub fn holds(&self) -> bool {
        self.difference().tiyn().abs() <= self.tolerance.tiyn()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "section")]
pub enum CheckKind {
    /// The published section total against the recomputed one.
    SectionTotal(Section),
    /// The section is not in the file's month at all.
    SectionMissing(Section),
    /// Recomputed financing = −(recomputed deficit).
    FinancingIsMinusDeficit,
}

/// Every check of one month: the published section totals against the recomputed ones, and
/// financing = −deficit.
pub fn reconcile(report: &MonthReport) -> Vec<Check> {
    let mut checks = Vec::new();
    for total in &report.sections {
        let columns = total.section.published_columns();
        match &total.published {
            None => checks.push(Check {
                month: report.month,
                what: CheckKind::SectionMissing(total.section),
                column: Column::Approved,
                expected: Tenge::ZERO,
                actual: total.computed.get(Column::Approved),
                tolerance: Tenge::ZERO,
            }),
            Some(published) => checks.extend(columns.iter().map(|&column| Check {
                month: report.month,
                what: CheckKind::SectionTotal(total.section),
                column,
                expected: published.get(column),
                actual: total.computed.get(column),
                tolerance: tolerance(total.leaves),
            })),
        }
    }
    if let (Some(deficit), Some(financing)) = (
        report.section(Section::Deficit),
        report.section(Section::Financing),
    ) {
        for &column in Section::Financing.published_columns() {
            checks.push(Check {
                month: report.month,
                what: CheckKind::FinancingIsMinusDeficit,
                column,
                expected: -deficit.computed.get(column),
                actual: financing.computed.get(column),
                tolerance: tolerance(deficit.leaves + financing.leaves),
            });
        }
    }
    checks
}

/// Execution as a share of a plan, in tenths of a percent, rounded half away from zero;
/// None when the plan is zero.
pub fn percent_tenths(executed: Tenge, plan: Tenge) -> Option<i64> {
    (plan.tiyn() != 0).then(|| {
        let scaled = i128::from(executed.tiyn()) * 1000;
        let plan = i128::from(plan.tiyn());
        let q = scaled / plan;
        let r = scaled % plan;
        let rounded = if r.abs() * 2 >= plan.abs() {
            q + scaled.signum() * plan.signum()
        } else {
            q
        };
        rounded as i64
    })
}
