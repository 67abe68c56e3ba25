//! The arithmetic of the execution module's analytic reports (EX-R, 004 §4 reports 2–3, 6,
//! 25–29, 31, 36): plans summed by month and by specific, the gap between obligations and
//! payments, cash execution grouped by administrator and program, receipts by report date.
//! Every figure is a sum of detail amounts, so each report's totals reconcile to the tiyn with
//! the plans and forms it is built from.

use crate::treasury::{CashRow, ReceiptRow};
use crate::{Basis, PlanLine};
use jospar_core::Tenge;
use std::collections::BTreeMap;

/// A line's twelve months by obligations or by payments.
pub fn months_of(line: &PlanLine, basis: Basis) -> [Tenge; 12] {
    match basis {
        Basis::Obligations => line.obligations,
        Basis::Payments => line.payments,
    }
}

/// The lines' months added up, January … December.
pub fn month_sums(lines: &[PlanLine], basis: Basis) -> [Tenge; 12] {
    let mut sums = [Tenge::ZERO; 12];
    for line in lines {
        for (s, m) in sums.iter_mut().zip(months_of(line, basis)) {
            *s += m;
        }
    }
    sums
}

/// Running totals of twelve months.
pub fn cumulative(months: &[Tenge; 12]) -> [Tenge; 12] {
    let mut out = [Tenge::ZERO; 12];
    let mut sum = Tenge::ZERO;
    for (o, m) in out.iter_mut().zip(months) {
        sum += *m;
        *o = sum;
    }
    out
}

/// Three months to a quarter.
pub fn quarters(months: &[Tenge; 12]) -> [Tenge; 4] {
    let mut out = [Tenge::ZERO; 4];
    for (i, m) in months.iter().enumerate() {
        out[i / 3] += *m;
    }
    out
}

/// One month of two plans set side by side: the left one, the right one, the difference
/// left − right and the running difference from January.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthBalance {
    pub left: Tenge,
    pub right: Tenge,
    pub difference: Tenge,
    pub running: Tenge,
}

/// Two monthly series set side by side (the approved against the refined plan; receipts
/// against payments): the running difference of December is the difference of the year.
pub fn balance(left: &[Tenge; 12], right: &[Tenge; 12]) -> [MonthBalance; 12] {
    let mut running = Tenge::ZERO;
    std::array::from_fn(|m| {
        let difference = left[m] - right[m];
        running += difference;
        MonthBalance {
            left: left[m],
            right: right[m],
            difference,
            running,
        }
    })
}

/// For each month, how far a line's obligations to date run ahead of its payments to date:
/// what has been committed and is not yet due to be paid. Never negative in a plan that
/// passed the rules of order No. 540.
pub fn obligation_gaps(line: &PlanLine) -> [Tenge; 12] {
    let obligations = cumulative(&line.obligations);
    let payments = cumulative(&line.payments);
    std::array::from_fn(|m| obligations[m] - payments[m])
}

/// One specific of the economic classification across plans: its annual amount and quarters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecificTotal {
    pub specific: String,
    pub annual: Tenge,
    pub quarters: [Tenge; 4],
}

/// The plans' lines summed by specific, in code order.
pub fn by_specific(lines: &[PlanLine], basis: Basis) -> Vec<SpecificTotal> {
    let mut sums: BTreeMap<&str, (Tenge, [Tenge; 12])> = BTreeMap::new();
    for line in lines {
        let entry = sums
            .entry(line.specific.as_str())
            .or_insert((Tenge::ZERO, [Tenge::ZERO; 12]));
        entry.0 += line.approved;
        for (s, m) in entry.1.iter_mut().zip(months_of(line, basis)) {
            *s += m;
        }
    }
    sums.into_iter()
        .map(|(specific, (annual, months))| SpecificTotal {
            specific: specific.to_string(),
            annual,
            quarters: quarters(&months),
        })
        .collect()
}

/// How far form 5-52's rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CashLevel {
    Abp,
    Program,
    Subprogram,
}

/// Cash execution of a group of form 5-52's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashGroup {
    /// The administrator, then the program and subprogram as deep as the level asks.
    pub key: Vec<String>,
    pub plan_year: Tenge,
    pub plan_period: Tenge,
    pub executed: Tenge,
}

impl CashGroup {
    /// The plan of the period not paid.
    pub fn unpaid(&self) -> Tenge {
        self.plan_period - self.executed
    }

    /// The annual plan not yet paid.
    pub fn remaining(&self) -> Tenge {
        self.plan_year - self.executed
    }
}

/// Form 5-52's rows summed by administrator, program or subprogram, in code order.
pub fn group_cash(rows: &[CashRow], level: CashLevel) -> Vec<CashGroup> {
    let mut groups: BTreeMap<Vec<String>, [Tenge; 3]> = BTreeMap::new();
    for row in rows {
        let mut key = vec![row.abp.clone()];
        if level != CashLevel::Abp {
            key.push(row.program.clone());
        }
        if level == CashLevel::Subprogram {
            key.push(row.subprogram.clone());
        }
        let sums = groups.entry(key).or_insert([Tenge::ZERO; 3]);
        sums[0] += row.plan_year;
        sums[1] += row.plan_period;
        sums[2] += row.executed;
    }
    groups
        .into_iter()
        .map(|(key, [plan_year, plan_period, executed])| CashGroup {
            key,
            plan_year,
            plan_period,
            executed,
        })
        .collect()
}

/// A row of a form of cash expenses beside the same codes a year before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashComparison {
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub plan_year: Tenge,
    pub plan_period: Tenge,
    pub executed: Tenge,
    /// Cash expenses of the same codes at the same date a year before.
    pub previous: Tenge,
}

/// The rows of a form set beside the rows of the same form a year before, code by code in
/// code order; codes of either year only are kept with zeros, so both years' totals are the
/// forms' own.
pub fn compare_years(current: &[CashRow], previous: &[CashRow]) -> Vec<CashComparison> {
    let mut by_key: BTreeMap<(&str, &str, &str, &str), CashComparison> = BTreeMap::new();
    for row in current {
        let e = by_key
            .entry(row.key())
            .or_insert_with(|| blank_comparison(row));
        e.plan_year += row.plan_year;
        e.plan_period += row.plan_period;
        e.executed += row.executed;
    }
    for row in previous {
        by_key
            .entry(row.key())
            .or_insert_with(|| blank_comparison(row))
            .previous += row.executed;
    }
    by_key.into_values().collect()
}

fn blank_comparison(row: &CashRow) -> CashComparison {
    CashComparison {
        abp: row.abp.clone(),
        program: row.program.clone(),
        subprogram: row.subprogram.clone(),
        specific: row.specific.clone(),
        plan_year: Tenge::ZERO,
        plan_period: Tenge::ZERO,
        executed: Tenge::ZERO,
        previous: Tenge::ZERO,
    }
}

/// Cash execution of an administrator's program split by the source of its money: the
/// republican budget's transfers and the local budget's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSplit {
    pub abp: String,
    pub program: String,
    /// Plan of the period and cash expenses from republican transfers.
    pub republican: [Tenge; 2],
    /// The same from the local budget's own money.
    pub local: [Tenge; 2],
}

/// Form rows by administrator and program, each split into republican and local money by its
/// subprogram (`republican` lists the subprograms of republican transfers).
pub fn split_by_budget_kind(rows: &[CashRow], republican: &[String]) -> Vec<KindSplit> {
    let mut groups: BTreeMap<(&str, &str), KindSplit> = BTreeMap::new();
    for row in rows {
        let group = groups
            .entry((&row.abp, &row.program))
            .or_insert_with(|| KindSplit {
                abp: row.abp.clone(),
                program: row.program.clone(),
                republican: [Tenge::ZERO; 2],
                local: [Tenge::ZERO; 2],
            });
        let kind = if republican.contains(&row.subprogram) {
            &mut group.republican
        } else {
            &mut group.local
        };
        kind[0] += row.plan_period;
        kind[1] += row.executed;
    }
    groups.into_values().collect()
}

/// A row of receipts with its subtotals above it: category (level 0, "1"), class (1, "1 01"),
/// subclass (2, "1 01 1") and the six-digit code (3, "101101").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptNode {
    pub level: u8,
    pub code: String,
    pub plan_year: Tenge,
    pub plan_period: Tenge,
    pub received: Tenge,
}

/// The rows of a form of receipts under their category, class and subclass, each heading with
/// the sum of what is under it, in code order (depth first).
pub fn receipts_tree(rows: &[ReceiptRow]) -> Vec<ReceiptNode> {
    let mut nodes: BTreeMap<(String, u8), ReceiptNode> = BTreeMap::new();
    for row in rows {
        let code = &row.code;
        let keys = [
            (code[0..1].to_string(), code[0..1].to_string()),
            (
                code[0..3].to_string(),
                format!("{} {}", &code[0..1], &code[1..3]),
            ),
            (code[0..4].to_string(), row.subclass()),
            (code.clone(), code.clone()),
        ];
        for (level, (sort, shown)) in keys.into_iter().enumerate() {
            let node = nodes
                .entry((sort, level as u8))
                .or_insert_with(|| ReceiptNode {
                    level: level as u8,
                    code: shown,
                    plan_year: Tenge::ZERO,
                    plan_period: Tenge::ZERO,
                    received: Tenge::ZERO,
                });
            node.plan_year += row.plan_year;
            node.plan_period += row.plan_period;
            node.received += row.received;
        }
    }
    nodes.into_values().collect()
}

/// One receipts code across successive forms 2-19 of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSeries {
    pub code: String,
    /// Received between the previous form's date and each form's date (from 1 January for
    /// the first): the receipts of each period; they add up to the last form's amount.
    pub by_period: Vec<Tenge>,
    /// Received from 1 January to the last form's date.
    pub to_date: Tenge,
}

/// The receipts of each period between successive forms (given in date order), by code. A
/// code missing from a form counts as nothing received to that date.
pub fn receipts_by_period(forms: &[Vec<ReceiptRow>]) -> Vec<ReceiptSeries> {
    let mut to_dates: BTreeMap<&str, Vec<Tenge>> = BTreeMap::new();
    for (i, rows) in forms.iter().enumerate() {
        for row in rows {
            let series = to_dates
                .entry(row.code.as_str())
                .or_insert_with(|| vec![Tenge::ZERO; forms.len()]);
            series[i] += row.received;
        }
    }
    to_dates
        .into_iter()
        .map(|(code, to_date)| {
            let by_period = to_date
                .iter()
                .enumerate()
                .map(|(i, t)| *t - if i == 0 { Tenge::ZERO } else { to_date[i - 1] })
                .collect();
            ReceiptSeries {
                code: code.to_string(),
                by_period,
                to_date: to_date.last().copied().unwrap_or_default(),
            }
        })
        .collect()
}

/// A row of an outline of a form's codes: a subtotal of an administrator, a program or a
/// subprogram, or a detail row of a specific (`key` holds as many codes as the row is deep).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineRow<const N: usize> {
    pub key: Vec<String>,
    pub sums: [Tenge; N],
}

impl<const N: usize> OutlineRow<N> {
    /// A specific's own row, not a subtotal.
    pub fn is_detail(&self) -> bool {
        self.key.len() == 4
    }
}

/// Rows keyed by administrator, program, subprogram and specific laid out as the Treasury's
/// analytic forms are: each administrator's subtotal, then each program's, each subprogram's
/// (a program without subprograms has none), then the specifics, all in code order. Every
/// subtotal is the sum of the detail rows under it.
pub fn outline<'a, const N: usize>(
    rows: impl IntoIterator<Item = ([&'a str; 4], [Tenge; N])>,
) -> Vec<OutlineRow<N>> {
    let mut sums: BTreeMap<Vec<String>, [Tenge; N]> = BTreeMap::new();
    for (codes, values) in rows {
        let mut prefixes: Vec<Vec<String>> = (1..=4)
            .map(|depth| codes[..depth].iter().map(|c| c.to_string()).collect())
            .collect();
        if codes[2].is_empty() {
            prefixes.remove(2);
        }
        for key in prefixes {
            let entry = sums.entry(key).or_insert([Tenge::ZERO; N]);
            for (s, v) in entry.iter_mut().zip(values) {
                *s += v;
            }
        }
    }
    // A vector sorts after its own prefix, so a subtotal comes before the rows under it.
    sums.into_iter()
        .map(|(key, sums)| OutlineRow { key, sums })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(tenge: i64) -> Tenge {
        Tenge::from_tiyn(tenge * 100)
    }

    #[test]
    fn an_outline_puts_each_subtotal_above_its_rows_and_adds_them_up() {
        let rows = [
            (["261", "003", "015", "149"], [t(5), t(2)]),
            (["261", "003", "015", "111"], [t(10), t(7)]),
            (["261", "001", "", "111"], [t(3), t(3)]),
            (["253", "009", "011", "431"], [t(100), t(40)]),
        ];
        let out = outline(rows);
        let keys: Vec<String> = out.iter().map(|r| r.key.join(" ")).collect();
        assert_eq!(
            keys,
            [
                "253",
                "253 009",
                "253 009 011",
                "253 009 011 431",
                "261",
                "261 001",
                "261 001  111",
                "261 003",
                "261 003 015",
                "261 003 015 111",
                "261 003 015 149",
            ]
        );
        assert_eq!(out[4].sums, [t(18), t(12)]);
        assert_eq!(out[8].sums, [t(15), t(9)]);
        let detail: Tenge = out
            .iter()
            .filter(|r| r.is_detail())
            .map(|r| r.sums[0])
            .sum();
        assert_eq!(detail, t(118));
    }

    fn line(specific: &str, obligations: [i64; 12], payments: [i64; 12]) -> PlanLine {
        PlanLine {
            expense_id: 1,
            program: "001".into(),
            subprogram: "000".into(),
            specific: specific.into(),
            approved: t(obligations.iter().sum()),
            obligations: obligations.map(t),
            payments: payments.map(t),
        }
    }

    #[test]
    fn gaps_are_obligations_to_date_less_payments_to_date() {
        let l = line(
            "111",
            [10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
            [4, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2],
        );
        let gaps = obligation_gaps(&l);
        assert_eq!(gaps[0], t(6));
        assert_eq!(gaps[1], t(2));
        assert_eq!(gaps[2], t(0));
        assert_eq!(gaps[11], t(0));
    }

    #[test]
    fn specifics_add_up_and_quarters_make_the_year() {
        let a = line("111", [1; 12], [1; 12]);
        let b = line("111", [2; 12], [2; 12]);
        let c = line("121", [3; 12], [3; 12]);
        let totals = by_specific(&[a, b, c], Basis::Payments);
        assert_eq!(totals.len(), 2);
        assert_eq!(totals[0].specific, "111");
        assert_eq!(totals[0].annual, t(36));
        assert_eq!(totals[0].quarters, [t(9); 4]);
        assert_eq!(totals[1].quarters.iter().copied().sum::<Tenge>(), t(36));
    }

    #[test]
    fn the_running_difference_of_december_is_the_year() {
        let left = [t(5); 12];
        let mut right = [t(5); 12];
        right[0] = t(8);
        right[11] = t(2);
        let rows = balance(&left, &right);
        assert_eq!(rows[0].difference, t(-3));
        assert_eq!(rows[10].running, t(-3));
        assert_eq!(rows[11].running, t(0));
    }

    fn cash(abp: &str, program: &str, sub: &str, year: i64, period: i64, paid: i64) -> CashRow {
        CashRow {
            row: 1,
            abp: abp.into(),
            program: program.into(),
            subprogram: sub.into(),
            specific: "111".into(),
            plan_year: t(year),
            plan_period: t(period),
            executed: t(paid),
        }
    }

    #[test]
    fn cash_groups_by_administrator_and_program() {
        let rows = [
            cash("261", "001", "000", 100, 50, 40),
            cash("261", "001", "000", 10, 5, 5),
            cash("261", "002", "011", 20, 10, 0),
            cash("262", "001", "000", 30, 15, 15),
        ];
        let abp = group_cash(&rows, CashLevel::Abp);
        assert_eq!(abp.len(), 2);
        assert_eq!(abp[0].plan_year, t(130));
        assert_eq!(abp[0].unpaid(), t(20));
        assert_eq!(abp[0].remaining(), t(85));
        let programs = group_cash(&rows, CashLevel::Program);
        assert_eq!(programs.len(), 3);
        assert_eq!(programs[0].key, vec!["261".to_string(), "001".into()]);
        assert_eq!(programs[0].executed, t(45));
        let subs = group_cash(&rows, CashLevel::Subprogram);
        assert_eq!(subs[1].key.len(), 3);
    }

    #[test]
    fn both_years_keep_their_totals() {
        let now = [
            cash("261", "001", "000", 100, 50, 40),
            cash("261", "002", "000", 10, 5, 5),
        ];
        let before = [
            cash("261", "001", "000", 90, 45, 30),
            cash("261", "003", "000", 20, 10, 8),
        ];
        let rows = compare_years(&now, &before);
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].executed, rows[0].previous), (t(40), t(30)));
        assert_eq!((rows[1].executed, rows[1].previous), (t(5), t(0)));
        assert_eq!((rows[2].executed, rows[2].previous), (t(0), t(8)));
        assert_eq!(rows.iter().map(|r| r.previous).sum::<Tenge>(), t(38));
        assert_eq!(rows.iter().map(|r| r.executed).sum::<Tenge>(), t(45));
    }

    #[test]
    fn transfers_from_the_republic_are_told_from_local_money_by_subprogram() {
        let rows = [
            cash("261", "003", "011", 100, 50, 40),
            cash("261", "003", "015", 10, 6, 5),
            cash("261", "003", "", 20, 10, 8),
            cash("261", "004", "011", 30, 15, 15),
        ];
        let split = split_by_budget_kind(&rows, &["011".to_string()]);
        assert_eq!(split.len(), 2);
        assert_eq!(split[0].republican, [t(50), t(40)]);
        assert_eq!(split[0].local, [t(16), t(13)]);
        assert_eq!(split[1].local, [t(0), t(0)]);
    }

    #[test]
    fn receipts_sit_under_their_category_class_and_subclass() {
        let rows = [
            receipt("101101", 10),
            receipt("101201", 5),
            receipt("104101", 3),
            receipt("201101", 1),
        ];
        let tree = receipts_tree(&rows);
        let shown: Vec<(u8, &str, Tenge)> = tree
            .iter()
            .map(|n| (n.level, n.code.as_str(), n.received))
            .collect();
        assert_eq!(
            shown,
            vec![
                (0, "1", t(18)),
                (1, "1 01", t(15)),
                (2, "1 01 1", t(10)),
                (3, "101101", t(10)),
                (2, "1 01 2", t(5)),
                (3, "101201", t(5)),
                (1, "1 04", t(3)),
                (2, "1 04 1", t(3)),
                (3, "104101", t(3)),
                (0, "2", t(1)),
                (1, "2 01", t(1)),
                (2, "2 01 1", t(1)),
                (3, "201101", t(1)),
            ]
        );
    }

    fn receipt(code: &str, received: i64) -> ReceiptRow {
        ReceiptRow {
            row: 1,
            code: code.into(),
            plan_year: Tenge::ZERO,
            plan_period: Tenge::ZERO,
            received: t(received),
        }
    }

    #[test]
    fn periods_add_up_to_the_last_form() {
        let forms = vec![
            vec![receipt("101101", 10), receipt("104101", 3)],
            vec![receipt("101101", 25), receipt("104101", 3)],
            vec![receipt("101101", 40), receipt("105201", 7)],
        ];
        let series = receipts_by_period(&forms);
        assert_eq!(series.len(), 3);
        assert_eq!(series[0].by_period, vec![t(10), t(15), t(15)]);
        assert_eq!(series[0].to_date, t(40));
        // Missing from the last form: nothing received to that date, so the period returns it.
        assert_eq!(series[1].by_period, vec![t(3), t(0), t(-3)]);
        assert_eq!(series[2].by_period, vec![t(0), t(0), t(7)]);
        for s in &series {
            assert_eq!(s.by_period.iter().copied().sum::<Tenge>(), s.to_date);
        }
    }
}
