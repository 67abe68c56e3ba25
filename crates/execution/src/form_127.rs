//! Treasury form 1-27 — the report on the execution of the budget by budget programs and
//! subprograms: the budget as approved, refined and corrected, the plan of financing by
//! payments to the report date and the cash expenses (EX-5), and its reconciliation with the
//! system's financing plans (EX-8, DB-3, report 35 of the specification).

use crate::treasury::{Field, Form, FormError, packed_codes};
use jospar_core::Tenge;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The columns of form 1-27.
pub const FORM_127_FIELDS: [Field; 8] = [
    Field::Abp,
    Field::Program,
    Field::Subprogram,
    Field::Approved,
    Field::Refined,
    Field::Corrected,
    Field::PlanPeriod,
    Field::Executed,
];

/// One row of form 1-27: a program or subprogram of an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BudgetRow {
    pub row: usize,
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub approved: Tenge,
    pub refined: Tenge,
    /// The budget in force: what the year's plan of financing must add up to.
    pub corrected: Tenge,
    /// Plan of financing by payments from 1 January to the report date.
    pub plan_period: Tenge,
    /// Cash expenses from 1 January to the report date.
    pub executed: Tenge,
}

/// Form 1-27: codes, one row per program and subprogram, totals to the tiyn, nothing paid
/// beyond the plan of the period.
pub const BUDGET_FORM: Form<BudgetRow, u64> = Form {
    fields: &FORM_127_FIELDS,
    optional: &[],
    parse: |r| {
        let line = BudgetRow {
            row: r.number,
            abp: r.code(Field::Abp, false)?,
            program: r.code(Field::Program, false)?,
            subprogram: r.code(Field::Subprogram, true)?,
            approved: r.money(Field::Approved)?,
            refined: r.money(Field::Refined)?,
            corrected: r.money(Field::Corrected)?,
            plan_period: r.money(Field::PlanPeriod)?,
            executed: r.money(Field::Executed)?,
        };
        if line.executed > line.plan_period {
            return Err(FormError::ExecutedOverPlan {
                row: r.number,
                executed: line.executed,
                plan: line.plan_period,
            });
        }
        Ok(line)
    },
    key: |l| packed_codes(&[&l.abp, &l.program, &l.subprogram]),
    summed: &[
        Field::Approved,
        Field::Refined,
        Field::Corrected,
        Field::PlanPeriod,
        Field::Executed,
    ],
    amounts: |l| {
        vec![
            l.approved,
            l.refined,
            l.corrected,
            l.plan_period,
            l.executed,
        ]
    },
};

/// Reads form 1-27 from the rows of a sheet or a CSV.
pub fn parse_127(rows: &[Vec<String>]) -> Result<Vec<BudgetRow>, FormError> {
    BUDGET_FORM.read_all(rows)
}

/// The system's plan of a program or subprogram: the annual amount of its lines and their
/// payments from January to the report's month, from the approved financing plans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemPlan {
    pub annual: Tenge,
    pub to_date: Tenge,
}

/// A program or subprogram set against the system's plan; `differs` when either amount does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanComparison {
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    /// The form's corrected budget and the system's annual plan.
    pub corrected_127: Tenge,
    pub annual_system: Tenge,
    /// The form's plan of the period and the system's payments to the same month.
    pub period_127: Tenge,
    pub period_system: Tenge,
    pub executed: Tenge,
}

impl PlanComparison {
    pub fn differs(&self) -> bool {
        self.corrected_127 != self.annual_system || self.period_127 != self.period_system
    }
}

/// Form 1-27 against the system's plans by (program, subprogram) (EX-8): every row of the form
/// with the system's amounts, then every program planned in the system but absent from the
/// form (with zeros for the form).
pub fn compare_127(
    form: &[BudgetRow],
    system: &BTreeMap<(String, String), SystemPlan>,
) -> Vec<PlanComparison> {
    let mut left = system.clone();
    let mut out: Vec<PlanComparison> = form
        .iter()
        .map(|r| {
            let planned = left
                .remove(&(r.program.clone(), r.subprogram.clone()))
                .unwrap_or_default();
            PlanComparison {
                abp: r.abp.clone(),
                program: r.program.clone(),
                subprogram: r.subprogram.clone(),
                corrected_127: r.corrected,
                annual_system: planned.annual,
                period_127: r.plan_period,
                period_system: planned.to_date,
                executed: r.executed,
            }
        })
        .collect();
    out.extend(
        left.into_iter()
            .map(|((program, subprogram), planned)| PlanComparison {
                abp: String::new(),
                program,
                subprogram,
                corrected_127: Tenge::ZERO,
                annual_system: planned.annual,
                period_127: Tenge::ZERO,
                period_system: planned.to_date,
                executed: Tenge::ZERO,
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .map(|l| l.split(';').map(str::to_string).collect())
            .collect()
    }

    const GOOD: &str = "Отчет об исполнении бюджета\n\
        АБП;Программа;Подпрограмма;Наименование;Утвержденный бюджет;Уточненный бюджет;Скорректированный бюджет;План на период;Кассовые расходы\n\
        261;003;015;Общее образование;1000,00;1100,00;1200,00;300,00;250,50\n\
        261;003;011;Подвоз;50,00;50,00;50,00;10,00;0\n\
        Итого;;;;1050,00;1150,00;1250,00;310,00;250,50";

    #[test]
    fn reads_the_form_and_checks_its_total() {
        let form = parse_127(&rows(GOOD)).unwrap();
        assert_eq!(form.len(), 2);
        assert_eq!(form[0].corrected, Tenge::from_tiyn(120_000));
        assert_eq!(form[0].row, 3);
        let broken = GOOD.replace("Итого;;;;1050,00", "Итого;;;;1050,01");
        assert!(matches!(
            parse_127(&rows(&broken)),
            Err(FormError::TotalDisagrees {
                row: 5,
                column: "Утвержденный бюджет",
                ..
            })
        ));
        let twice = GOOD.replace("261;003;011", "261;003;015");
        assert_eq!(
            parse_127(&rows(&twice)),
            Err(FormError::Duplicate { row: 4, first: 3 })
        );
        let over = GOOD.replace(";300,00;250,50", ";200,00;250,50");
        assert!(matches!(
            parse_127(&rows(&over)),
            Err(FormError::ExecutedOverPlan { row: 3, .. })
        ));
    }

    #[test]
    fn every_difference_with_the_system_is_listed_with_both_values() {
        let form = parse_127(&rows(GOOD)).unwrap();
        let mut system = BTreeMap::new();
        system.insert(
            ("003".to_string(), "015".to_string()),
            SystemPlan {
                annual: Tenge::from_tiyn(120_000),
                to_date: Tenge::from_tiyn(30_000),
            },
        );
        system.insert(
            ("003".to_string(), "011".to_string()),
            SystemPlan {
                annual: Tenge::from_tiyn(5_000),
                to_date: Tenge::from_tiyn(1_500),
            },
        );
        system.insert(
            ("004".to_string(), "000".to_string()),
            SystemPlan {
                annual: Tenge::from_tiyn(700),
                to_date: Tenge::ZERO,
            },
        );
        let compared = compare_127(&form, &system);
        let differing: Vec<_> = compared.iter().filter(|c| c.differs()).collect();
        assert_eq!(differing.len(), 2, "{compared:?}");
        assert_eq!(
            (
                differing[0].subprogram.as_str(),
                differing[0].period_127,
                differing[0].period_system
            ),
            ("011", Tenge::from_tiyn(1_000), Tenge::from_tiyn(1_500))
        );
        assert_eq!(
            (
                differing[1].program.as_str(),
                differing[1].corrected_127,
                differing[1].annual_system
            ),
            ("004", Tenge::ZERO, Tenge::from_tiyn(700)),
            "planned in the system, absent from the form"
        );
    }
}
