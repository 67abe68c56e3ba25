//! The development budget followed project by project (DB-1, DB-3, DB-4): what each project
//! was to get in a year, what was contracted and paid, the transfer left unspent, and the
//! Treasury's forms 1-27 and 5-52 set against the register.
//!
//! Where the figures come from:
//! - planned: the project's financing of the year by source (the register);
//! - contracted: the obligations of the year of the project's contracts in form 4-09, and the
//!   sums of the portal's contracts linked to the project that 4-09 does not hold (matched by
//!   number, "№" and spaces aside);
//! - paid: what form 4-09 says was paid under each contract. A payment on a subprogram the
//!   republican budget finances (`budget_kinds` of `data/treasury/layouts.toml`) is paid from
//!   the targeted transfer; any other from the local budget's own money.
//! - unspent transfer: the transfer planned less what was paid from it. Once the year is over,
//!   a positive rest is due for return to the budget that gave it (the republican one).

use crate::form409::TreasuryContract;
use crate::procurement::ContractRow as PortalContract;
use crate::projects::Project;
use chrono::{Datelike, NaiveDate};
use jospar_core::money::Tenge;
use std::collections::{BTreeMap, HashSet};

/// One project's figures of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectYear {
    pub transfer_planned: Tenge,
    pub local_planned: Tenge,
    pub contracted: Tenge,
    pub paid_from_transfer: Tenge,
    pub paid_locally: Tenge,
}

impl ProjectYear {
    pub fn planned(&self) -> Tenge {
        self.transfer_planned + self.local_planned
    }

    pub fn paid(&self) -> Tenge {
        self.paid_from_transfer + self.paid_locally
    }

    /// The transfer not paid out (negative: paid beyond the transfer).
    pub fn transfer_unspent(&self) -> Tenge {
        self.transfer_planned - self.paid_from_transfer
    }

    /// What is due back to the giving budget on `today`: the unspent transfer once the year
    /// is over.
    pub fn due_for_return(&self, year: i32, today: NaiveDate) -> Tenge {
        let unspent = self.transfer_unspent();
        if today.year() > year && unspent > Tenge::ZERO {
            unspent
        } else {
            Tenge::ZERO
        }
    }
}

/// A contract number as both sources write it: without "№" and spaces, in lower case.
fn number_key(number: &str) -> String {
    number
        .chars()
        .filter(|c| *c != '№' && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A project's financing of `year` from `source`.
pub(crate) fn financed(project: &Project, year: i32, source: &str) -> Tenge {
    Tenge::from_tiyn(
        project
            .input
            .financing
            .iter()
            .filter(|f| f.year == year && f.source == source)
            .map(|f| f.amount_tiyn)
            .sum(),
    )
}

/// The figures of `project` in `year` from its 4-09 contracts and its linked portal contracts.
pub fn project_year(
    project: &Project,
    year: i32,
    treasury: &[TreasuryContract],
    portal: &[PortalContract],
    republican_subprograms: &[String],
) -> ProjectYear {
    let mut figures = ProjectYear {
        transfer_planned: financed(project, year, "republican"),
        local_planned: financed(project, year, "local"),
        contracted: Tenge::ZERO,
        paid_from_transfer: Tenge::ZERO,
        paid_locally: Tenge::ZERO,
    };
    let mut registered = HashSet::new();
    for c in treasury
        .iter()
        .filter(|c| c.project_id == project.id && c.year == i64::from(year))
    {
        registered.insert(number_key(&c.number));
        figures.contracted += Tenge::from_tiyn(c.year_amount);
        if republican_subprograms.contains(&c.subprogram) {
            figures.paid_from_transfer += Tenge::from_tiyn(c.paid);
        } else {
            figures.paid_locally += Tenge::from_tiyn(c.paid);
        }
    }
    for c in portal.iter().filter(|c| {
        c.project_id == Some(project.id)
            && c.fin_year == i64::from(year)
            && !c.deleted
            && !registered.contains(&number_key(&c.contract_number))
    }) {
        figures.contracted += Tenge::from_tiyn(c.sum_with_vat);
    }
    figures
}

/// A share in per cent with one decimal, rounded half up, from exact amounts ("—" of nothing).
pub fn share(part: Tenge, whole: Tenge) -> String {
    if whole <= Tenge::ZERO {
        return "—".into();
    }
    let tenths = (i128::from(part.tiyn()) * 1000 * 2 + i128::from(whole.tiyn()))
        / (i128::from(whole.tiyn()) * 2);
    format!("{},{} %", tenths / 10, (tenths % 10).abs())
}

/// Codes of an expense: administrator, program, subprogram, specific.
pub type Code = (String, String, String, String);

/// One code of form 5-52 against the payments of the contracts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashCheck {
    pub code: Code,
    /// The МИЖ of the projects whose contracts are paid on the code.
    pub projects: Vec<String>,
    pub paid_under_contracts: Tenge,
    pub in_552: Tenge,
}

impl CashCheck {
    pub fn difference(&self) -> Tenge {
        self.paid_under_contracts - self.in_552
    }
}

/// The payments of `contracts` by code against the cash expenses of form 5-52: every code of
/// the contracts, and every code of the form on a development specific
/// (`development_specific`) that no contract pays.
pub fn against_552(
    contracts: &[(&TreasuryContract, &str)],
    rows_552: &[jospar_execution::treasury::CashRow],
    development_specific: impl Fn(&str) -> bool,
) -> Vec<CashCheck> {
    let mut checks: BTreeMap<Code, CashCheck> = BTreeMap::new();
    let blank = |code: Code| CashCheck {
        code,
        projects: Vec::new(),
        paid_under_contracts: Tenge::ZERO,
        in_552: Tenge::ZERO,
    };
    for (c, project_code) in contracts {
        let code = (
            c.abp.clone(),
            c.program.clone(),
            c.subprogram.clone(),
            c.specific.clone(),
        );
        let check = checks.entry(code.clone()).or_insert_with(|| blank(code));
        check.paid_under_contracts += Tenge::from_tiyn(c.paid);
        if !check.projects.iter().any(|p| p == project_code) {
            check.projects.push((*project_code).to_string());
        }
    }
    for row in rows_552 {
        let code = (
            row.abp.clone(),
            row.program.clone(),
            row.subprogram.clone(),
            row.specific.clone(),
        );
        if let Some(check) = checks.get_mut(&code) {
            check.in_552 += row.executed;
        } else if development_specific(&row.specific) {
            let mut check = blank(code.clone());
            check.in_552 = row.executed;
            checks.insert(code, check);
        }
    }
    checks.into_values().collect()
}

/// One development program (administrator, program, subprogram) of form 1-27 against the
/// register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramCheck {
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub projects: Vec<String>,
    /// The projects' financing of the year.
    pub planned: Tenge,
    /// The corrected budget of form 1-27.
    pub corrected_127: Tenge,
    /// Paid under the projects' contracts of the year.
    pub paid: Tenge,
    /// Cash expenses of form 1-27.
    pub executed_127: Tenge,
}

impl ProgramCheck {
    pub fn agrees(&self) -> bool {
        self.planned == self.corrected_127 && self.paid == self.executed_127
    }
}

/// Each program of the register's projects (with their administrator's code) against its row
/// of form 1-27: the year's financing against the corrected budget, the payments under the
/// contracts against cash expenses. A program the form lacks is listed with zeros on its side.
pub fn against_127(
    projects: &[(&Project, String, ProjectYear)],
    rows_127: &[jospar_execution::form_127::BudgetRow],
) -> Vec<ProgramCheck> {
    let mut checks: BTreeMap<(String, String, String), ProgramCheck> = BTreeMap::new();
    for (project, abp, figures) in projects {
        let i = &project.input;
        let key = (abp.clone(), i.program.clone(), i.subprogram.clone());
        let check = checks.entry(key).or_insert_with(|| ProgramCheck {
            abp: abp.clone(),
            program: i.program.clone(),
            subprogram: i.subprogram.clone(),
            projects: Vec::new(),
            planned: Tenge::ZERO,
            corrected_127: Tenge::ZERO,
            paid: Tenge::ZERO,
            executed_127: Tenge::ZERO,
        });
        check.projects.push(project.code.clone());
        check.planned += figures.planned();
        check.paid += figures.paid();
    }
    for row in rows_127 {
        let subprogram = if row.subprogram.is_empty() {
            "000".to_string()
        } else {
            row.subprogram.clone()
        };
        if let Some(check) = checks.get_mut(&(row.abp.clone(), row.program.clone(), subprogram)) {
            check.corrected_127 += row.corrected;
            check.executed_127 += row.executed;
        }
    }
    checks.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_rounded_half_up_from_exact_amounts() {
        let t = Tenge::from_tiyn;
        assert_eq!(share(t(1), t(3)), "33,3 %");
        assert_eq!(share(t(2), t(3)), "66,7 %");
        assert_eq!(share(t(1), t(2000)), "0,1 %");
        assert_eq!(share(t(5), t(5)), "100,0 %");
        assert_eq!(share(t(5), Tenge::ZERO), "—");
    }

    #[test]
    fn an_unspent_transfer_is_due_back_only_once_its_year_is_over() {
        let t = Tenge::from_tiyn;
        let figures = ProjectYear {
            transfer_planned: t(1_000),
            local_planned: t(500),
            contracted: t(1_400),
            paid_from_transfer: t(700),
            paid_locally: t(500),
        };
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(figures.transfer_unspent(), t(300));
        assert_eq!(figures.due_for_return(2027, day(2027, 12, 31)), Tenge::ZERO);
        assert_eq!(figures.due_for_return(2027, day(2028, 1, 1)), t(300));
        let overpaid = ProjectYear {
            paid_from_transfer: t(1_200),
            ..figures
        };
        assert_eq!(overpaid.transfer_unspent(), t(-200));
        assert_eq!(overpaid.due_for_return(2027, day(2028, 1, 1)), Tenge::ZERO);
    }

    #[test]
    fn contract_numbers_match_whatever_the_sign_and_spaces() {
        assert_eq!(number_key("№ 15-ГЗ/2027"), number_key("15-гз/2027"));
        assert_ne!(number_key("15"), number_key("16"));
    }
}
