//! The execution module's reports in the catalogue: the 63 reports of the technical
//! specification 004 §4 (financing plans, receipt plans, Treasury forms, reconciliations,
//! analytics), the portal's execution reports and the region passport.

use crate::usecases::analytics::{self, PlanScope};
use jospar_access::Result;
use jospar_reports::catalogue::params::*;
use jospar_reports::catalogue::{ParamDef, ReportCall, ReportDef, bad};
use jospar_reports::report_fn;

pub static REPORTS: &[ReportDef] = &[
    ReportDef {
        name: "execution-report",
        about: "EX-R 18: budget execution report of a month, recomputed from the detail rows of an imported portal file",
        params: &[
            IMPORT,
            ParamDef {
                name: "month",
                required: false,
                about: "report month YYYY-MM (default: the last in the file)",
            },
            ParamDef {
                name: "depth",
                required: false,
                about: "levels of the tree under each section, 0-6 (default 1)",
            },
        ],
        spec_numbers: &[18],
        build: report_fn!(|c| {
            crate::usecases::portal_reports::execution_report(
                c.db,
                c.tr,
                c.reader,
                c.params.required("import")?,
                c.params.text("month"),
                c.params.number("depth")?.unwrap_or(1),
            )
            .await
        }),
    },
    ReportDef {
        name: "execution-reconciliation",
        about: "EX-R 18 reconciliation: published section totals against the recomputed ones, month by month",
        params: &[
            IMPORT,
            ParamDef {
                name: "month",
                required: false,
                about: "one month YYYY-MM (default: every month)",
            },
            ParamDef {
                name: "failures",
                required: false,
                about: "1 = only the discrepancies",
            },
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            crate::usecases::portal_reports::reconciliation(
                c.db,
                c.tr,
                c.reader,
                c.params.required("import")?,
                c.params.text("month"),
                c.params.flag("failures"),
            )
            .await
        }),
    },
    ReportDef {
        name: "cash-execution-552",
        about: "Cash execution by form 5-52 against the system's approved plans, with every discrepancy (EX-5, EX-8)",
        params: &[
            ParamDef {
                name: "treasury",
                required: true,
                about: "id of an imported form 5-52",
            },
            ParamDef {
                name: "failures",
                required: false,
                about: "1 = only the discrepancies",
            },
        ],
        spec_numbers: &[15],
        build: report_fn!(|c| {
            crate::usecases::treasury::cash_552_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("treasury")?,
                c.params.flag("failures"),
            )
            .await
        }),
    },
    ReportDef {
        name: "reconcile-plan-127",
        about: "Form 1-27 against the system's approved plans by program and subprogram: corrected budget vs annual plan, plan of the period vs payments to date, with every discrepancy (EX-8, DB-3)",
        params: &[
            ParamDef {
                name: "treasury",
                required: true,
                about: "id of an imported form 1-27",
            },
            ParamDef {
                name: "failures",
                required: false,
                about: "1 = only the discrepancies",
            },
        ],
        spec_numbers: &[35],
        build: report_fn!(|c| {
            crate::usecases::treasury::reconcile_plan_127_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("treasury")?,
                c.params.flag("failures"),
            )
            .await
        }),
    },
    ReportDef {
        name: "receipt-plan",
        about: "A plan of receipts by code and month, by kind: revenues, loan repayments, sales of financial assets, borrowing (EX-1)",
        params: &[ParamDef {
            name: "receipt_plan",
            required: true,
            about: "id of a plan of receipts",
        }],
        spec_numbers: &[49, 50],
        build: report_fn!(|c| {
            crate::usecases::receipt_plans::receipt_plan_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("receipt_plan")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "receipts-execution",
        about: "Receipts of form 2-19 against the plan of receipts: plan to the report's month, received, deviation, percentage, by code (reports 20-21)",
        params: &[
            ParamDef {
                name: "receipt_plan",
                required: true,
                about: "id of a plan of receipts",
            },
            ParamDef {
                name: "f219",
                required: true,
                about: "id of an imported form 2-19",
            },
        ],
        spec_numbers: &[10, 20, 21],
        build: report_fn!(|c| {
            crate::usecases::receipt_plans::receipts_execution_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("receipt_plan")?,
                c.params.required("f219")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "receipts-shortfall",
        about: "Reasons the plan of receipts was not fulfilled: every code received short of its plan to the 2-19's month, with its reason (EX-R 24, appendix 2 of order 629)",
        params: &[
            ParamDef {
                name: "receipt_plan",
                required: true,
                about: "id of a plan of receipts",
            },
            ParamDef {
                name: "f219",
                required: true,
                about: "id of an imported form 2-19",
            },
        ],
        spec_numbers: &[24],
        build: report_fn!(|c| {
            crate::usecases::receipt_plans::receipts_shortfall_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("receipt_plan")?,
                c.params.required("f219")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "reconcile-420-552",
        about: "Forms 4-20 and 5-52 compared: every code whose cash expenses differ, with both values (EX-8)",
        params: &[
            ParamDef {
                name: "f420",
                required: true,
                about: "id of an imported form 4-20",
            },
            ParamDef {
                name: "f552",
                required: true,
                about: "id of an imported form 5-52",
            },
        ],
        spec_numbers: &[33],
        build: report_fn!(|c| {
            crate::usecases::treasury::reconcile_420_552_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("f420")?,
                c.params.required("f552")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "money-movement",
        about: "Forms 5-34 (money of paid services) and 0-67 (statement of the account): balance at the start, received, spent, balance at the end, by code (EX-5)",
        params: &[ParamDef {
            name: "treasury",
            required: true,
            about: "id of an imported form 5-34 or 0-67",
        }],
        spec_numbers: &[],
        build: report_fn!(|c| {
            crate::usecases::treasury::movement_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("treasury")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "reconcile-409-420",
        about: "Forms 4-09 and 4-20 compared: contracts' obligations of the year against the obligations accepted, by code (EX-5, EX-8, DB-3)",
        params: &[
            ParamDef {
                name: "f409",
                required: true,
                about: "id of an imported form 4-09",
            },
            ParamDef {
                name: "f420",
                required: true,
                about: "id of an imported form 4-20",
            },
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            crate::usecases::treasury::reconcile_409_420_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("f409")?,
                c.params.required("f420")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "reconcile-219-243",
        about: "Forms 2-19 and 2-43 compared: every receipts code whose amounts differ, with both values (EX-8)",
        params: &[
            ParamDef {
                name: "f219",
                required: true,
                about: "id of an imported form 2-19",
            },
            ParamDef {
                name: "f243",
                required: true,
                about: "id of an imported form 2-43",
            },
        ],
        spec_numbers: &[32],
        build: report_fn!(|c| {
            crate::usecases::treasury::reconcile_219_243_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("f219")?,
                c.params.required("f243")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "financing-plan",
        about: "Individual financing plan by payments or obligations, by month, as of a date (EX-1)",
        params: &[
            PLAN,
            BASIS,
            ParamDef {
                name: "as_of",
                required: false,
                about: "date YYYY-MM-DD (default: with every change document)",
            },
        ],
        spec_numbers: &[40, 41, 42, 43, 47, 48],
        build: report_fn!(|c| {
            let as_of = c.params.date("as_of")?;
            crate::usecases::plans::plan_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("plan")?,
                c.params.text("basis"),
                as_of,
            )
            .await
        }),
    },
    ReportDef {
        name: "consolidated-plan",
        about: "Consolidated financing plan of a subtree: approved plans of a year by program, subprogram, specific and month (EX-6; appendices 8/10 of order 540)",
        params: &[
            ParamDef {
                name: "org",
                required: true,
                about: "organisation whose subtree is consolidated (an administrator, a finance body)",
            },
            ParamDef {
                name: "year",
                required: true,
                about: "fiscal year",
            },
            BASIS,
            ParamDef {
                name: "by",
                required: false,
                about: "administrator: rows by administrator × program × specific (default: by codes only)",
            },
            ParamDef {
                name: "as_of",
                required: false,
                about: "date YYYY-MM-DD (default: with every change document)",
            },
        ],
        spec_numbers: &[45, 46, 51, 52, 58, 59, 60, 61],
        build: report_fn!(|c| {
            let as_of = c.params.date("as_of")?;
            let by_administrator = match c.params.text("by") {
                None => false,
                Some("administrator") => true,
                Some(other) => return Err(bad("by", other)),
            };
            let query = crate::usecases::plans::ConsolidatedPlanQuery {
                root: c.params.required("org")?,
                year: c.params.required("year")?,
                basis: c.params.text("basis"),
                as_of,
                by_administrator,
            };
            crate::usecases::plans::consolidated_table(c.db, c.tr, c.tree, c.reader, &query).await
        }),
    },
    ReportDef {
        name: "plan-export",
        about: "A financing plan for accounting systems: expense id, codes, annual amount and months by obligations and payments (EX-7)",
        params: &[
            PLAN,
            ParamDef {
                name: "as_of",
                required: false,
                about: "date YYYY-MM-DD (default: with every change document)",
            },
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            let as_of = c.params.date("as_of")?;
            crate::usecases::plans::export_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("plan")?,
                as_of,
            )
            .await
        }),
    },
    ReportDef {
        name: "plan-changes-export",
        about: "A plan's change documents for accounting systems: one row per move with document, expense id, codes, basis, months and amount (EX-7)",
        params: &[PLAN],
        spec_numbers: &[],
        build: report_fn!(|c| {
            crate::usecases::plans::changes_export_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("plan")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "plan-changes",
        about: "Dynamics of a financing plan's changes by month: approved, each document, after changes (EX-2)",
        params: &[PLAN, BASIS],
        spec_numbers: &[39, 44],
        build: report_fn!(|c| {
            crate::usecases::plans::changes_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("plan")?,
                c.params.text("basis"),
            )
            .await
        }),
    },
    ReportDef {
        name: "offsetting-codes",
        about: "Control of mutually offsetting codes: each pair's payer financing plans by payments against the receivers' plans of receipts under its code, for a subtree and year; with --pair, that pair by month (EX-R 30)",
        params: &[
            SUBTREE,
            YEAR,
            AS_OF,
            ParamDef {
                name: "pair",
                required: false,
                about: "id of one offsetting pair: its months",
            },
        ],
        spec_numbers: &[30],
        build: report_fn!(|c| {
            let pair = c.params.number("pair")?;
            crate::usecases::offsetting::offsetting_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                &plan_scope(c)?,
                pair,
            )
            .await
        }),
    },
    ReportDef {
        name: "plan-balance",
        about: "Balance of the approved and the refined financing plans of a subtree by month (EX-R 29)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
        spec_numbers: &[29],
        build: report_fn!(|c| analytics::plan_balance_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?
        )
        .await),
    },
    ReportDef {
        name: "expense-receipt-balance",
        about: "Balance of expenses and receipts of a subtree by month: plans of receipts against financing plans by payments (EX-R 28)",
        params: &[SUBTREE, YEAR, AS_OF],
        spec_numbers: &[28, 57],
        build: report_fn!(|c| analytics::expense_receipt_balance_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?
        )
        .await),
    },
    ReportDef {
        name: "specifics-analysis",
        about: "Financing plans of a subtree by specific: annual amount, quarters, share (EX-R 31)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
        spec_numbers: &[31],
        build: report_fn!(|c| analytics::specifics_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?
        )
        .await),
    },
    ReportDef {
        name: "payments-obligations",
        about: "Reconciliation of payments and obligations: obligations to date not covered by payments, by line and month (EX-8, EX-R 36)",
        params: &[SUBTREE, YEAR, AS_OF],
        spec_numbers: &[36],
        build: report_fn!(|c| analytics::payments_obligations_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?
        )
        .await),
    },
    ReportDef {
        name: "plan-register",
        about: "Register of financing plans and change certificates with their Treasury status (EX-R 53-54, appendices 21-22 of order 540)",
        params: &[SUBTREE, YEAR],
        spec_numbers: &[53, 54],
        build: report_fn!(|c| analytics::plan_register_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?
        )
        .await),
    },
    ReportDef {
        name: "unpaid-reminder",
        about: "Reminder of plans by payments not carried out, by subprogram, from form 5-52 (EX-R 25, appendix 7 of order 629)",
        params: &[CASH_FORM],
        spec_numbers: &[25],
        build: report_fn!(|c| {
            analytics::unpaid_reminder_table(c.db, c.tr, c.reader, c.params.required("treasury")?)
                .await
        }),
    },
    ReportDef {
        name: "analytic-abp",
        about: "Analytic document on budget execution by administrator's program, from form 5-52 (EX-R 26, appendix 8 of order 629)",
        params: &[CASH_FORM],
        spec_numbers: &[26],
        build: report_fn!(|c| {
            analytics::analytic_execution_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("treasury")?,
                c.name == "analytic-budget",
            )
            .await
        }),
    },
    ReportDef {
        name: "analytic-budget",
        about: "Analytic report on budget execution by administrator, from form 5-52 (EX-R 27, appendix 9 of order 629)",
        params: &[CASH_FORM],
        spec_numbers: &[27],
        build: report_fn!(|c| {
            analytics::analytic_execution_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("treasury")?,
                c.name == "analytic-budget",
            )
            .await
        }),
    },
    ReportDef {
        name: "cash-balances",
        about: "Balances of a form of cash expenses (5-42, 5-52) by administrator: annual plan and plan of the period not paid (EX-R 5-6)",
        params: &[CASH_FORM],
        spec_numbers: &[5, 6],
        build: report_fn!(|c| {
            analytics::cash_balances_table(c.db, c.tr, c.reader, c.params.required("treasury")?)
                .await
        }),
    },
    ReportDef {
        name: "cash-execution",
        about: "Cash execution by a form of cash expenses (2-15, 5-02, 5-42, 5-52) by row; growth=1 adds the same form a year before and the growth rate (EX-R 8-9, 12-14)",
        params: &[
            CASH_FORM,
            ParamDef {
                name: "growth",
                required: false,
                about: "1 = with the same form a year before and the growth rate",
            },
        ],
        spec_numbers: &[8, 9, 12, 13, 14],
        build: report_fn!(|c| {
            analytics::cash_execution_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("treasury")?,
                c.params.flag("growth"),
            )
            .await
        }),
    },
    ReportDef {
        name: "receipts-dynamics",
        about: "Dynamics of receipts: the receipts of each period between an organisation's forms 2-19 (or 2-11) of a year, by code (EX-R 2-3)",
        params: &[
            ParamDef {
                name: "org",
                required: true,
                about: "organisation the forms were imported for",
            },
            YEAR,
            ParamDef {
                name: "form",
                required: false,
                about: "form of receipts: 2-19 (default) or 2-11",
            },
        ],
        spec_numbers: &[2, 3],
        build: report_fn!(|c| {
            analytics::receipts_dynamics_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("org")?,
                c.params.required("year")?,
                c.params.text("form"),
            )
            .await
        }),
    },
    ReportDef {
        name: "forms-register",
        about: "Register of the forms received from the Treasury for a subtree and year (EX-R 34)",
        params: &[SUBTREE, YEAR],
        spec_numbers: &[34],
        build: report_fn!(|c| {
            analytics::forms_register_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("org")?,
                c.params.required("year")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "consolidated-receipt-plan",
        about: "Consolidated plan of receipts of a subtree: approved plans of receipts of a year by code and month (EX-R 55-56, appendices 14-15 of order 540)",
        params: &[SUBTREE, YEAR],
        spec_numbers: &[55, 56],
        build: report_fn!(|c| {
            crate::usecases::receipt_plans::consolidated_receipt_plan_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("org")?,
                c.params.required("year")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "receipts-by-day",
        about: "Forms 2-19 and 2-43 of an organisation compared by report date over a year: receipts to date by each and the difference (EX-R 37)",
        params: &[
            ParamDef {
                name: "org",
                required: true,
                about: "organisation the forms were imported for",
            },
            YEAR,
        ],
        spec_numbers: &[37],
        build: report_fn!(|c| {
            analytics::receipts_by_day_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("org")?,
                c.params.required("year")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "obligations-420",
        about: "Obligations accepted and cash execution by form 4-20 against the system's plans by obligations to the report's month (EX-R 1)",
        params: &[ParamDef {
            name: "f420",
            required: true,
            about: "id of an imported form 4-20",
        }],
        spec_numbers: &[1],
        build: report_fn!(|c| {
            analytics::obligations_420_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("f420")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "approved-plan",
        about: "Approved plan of the reporting year of a subtree by program, subprogram, specific and quarter (EX-R 62, appendix 23 of order 540)",
        params: &[SUBTREE, YEAR, BASIS],
        spec_numbers: &[62],
        build: report_fn!(|c| analytics::annual_plan_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?,
            false
        )
        .await),
    },
    ReportDef {
        name: "refined-plan",
        about: "Refined plan of the reporting year of a subtree by program, subprogram, specific and quarter, with the change documents to a date (EX-R 63, appendix 42 of order 540)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
        spec_numbers: &[63],
        build: report_fn!(|c| analytics::annual_plan_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?,
            true
        )
        .await),
    },
    ReportDef {
        name: "changes-dynamics",
        about: "Dynamics of the changes to a subtree's financing plans of a year by month: at approval, moved by certificates, refinements and corrections, after them (EX-R 38)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
        spec_numbers: &[38],
        build: report_fn!(|c| analytics::changes_dynamics_table(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &plan_scope(c)?
        )
        .await),
    },
    ReportDef {
        name: "cash-by-budget-kind",
        about: "Cash execution by a form of cash expenses split into republican transfers and the local budget's money, by administrator's program (EX-R 16)",
        params: &[CASH_FORM],
        spec_numbers: &[16],
        build: report_fn!(|c| {
            analytics::cash_by_budget_kind_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("treasury")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "obligations-420-ecofin",
        about: "Form 4-20 for the economy and finance department: administrators, programs and subprograms with subtotals over their specifics, shares accepted and paid, unpaid obligations (EX-R 7)",
        params: &[ParamDef {
            name: "f420",
            required: true,
            about: "id of an imported form 4-20",
        }],
        spec_numbers: &[7],
        build: report_fn!(|c| {
            crate::usecases::treasury_reports::obligations_ecofin_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("f420")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "cash-by-local-budgets",
        about: "Cash execution by the budgets of the local bodies (form MO): each budget of a subtree from its forms 5-52 at a date (EX-R 17)",
        params: &[
            SUBTREE,
            ParamDef {
                name: "date",
                required: true,
                about: "report date of the forms 5-52, YYYY-MM-DD",
            },
        ],
        spec_numbers: &[17],
        build: report_fn!(|c| {
            let date = c.params.required_date("date")?;
            crate::usecases::treasury_reports::cash_by_local_budgets_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("org")?,
                date,
            )
            .await
        }),
    },
    ReportDef {
        name: "development-programs",
        about: "Execution of budget development programs (form 6-BPR): capital expenses of a form of cash expenses by administrator, program and subprogram with subtotals (EX-R 19)",
        params: &[CASH_FORM],
        spec_numbers: &[19],
        build: report_fn!(|c| {
            crate::usecases::treasury_reports::development_programs_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("treasury")?,
            )
            .await
        }),
    },
    ReportDef {
        name: "rural-tax-receipts",
        about: "Execution of the plan of tax receipts of the fourth-level (rural) budgets under an organisation, from their forms 2-19 at a date (EX-R 4)",
        params: &[
            SUBTREE,
            ParamDef {
                name: "date",
                required: true,
                about: "report date of the forms 2-19, YYYY-MM-DD",
            },
        ],
        spec_numbers: &[4],
        build: report_fn!(|c| {
            let date = c.params.required_date("date")?;
            analytics::rural_tax_receipts_table(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                c.params.required("org")?,
                date,
            )
            .await
        }),
    },
    ReportDef {
        name: "receipts-by-class",
        about: "Cash execution by form 2-19, additional layout: codes under their category, class and subclass with names and subtotals (EX-R 11)",
        params: &[ParamDef {
            name: "f219",
            required: true,
            about: "id of an imported form 2-19",
        }],
        spec_numbers: &[11],
        build: report_fn!(|c| {
            analytics::receipts_by_class_table(c.db, c.tr, c.reader, c.params.required("f219")?)
                .await
        }),
    },
    ReportDef {
        name: "payroll-distribution",
        about: "Payroll lines of an institution's financing plan split by structural unit of its staffing table, month by month (EX-9)",
        params: &[PLAN, BASIS],
        spec_numbers: &[],
        build: report_fn!(|c| {
            analytics::payroll_distribution_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("plan")?,
                c.params.text("basis"),
            )
            .await
        }),
    },
    ReportDef {
        name: "region-passport",
        about: "What is sent to the Region passport portal: the cash execution report of a 5-52 (kind cash_execution) or the budget structure from a 2-19 and a 5-52 (kind budget_structure), rows and totals to the tiyn (EX-R 22-23)",
        params: &[
            ParamDef {
                name: "kind",
                required: true,
                about: "cash_execution or budget_structure",
            },
            ParamDef {
                name: "f552",
                required: true,
                about: "id of an imported form 5-52",
            },
            ParamDef {
                name: "f219",
                required: false,
                about: "id of an imported form 2-19 (for the budget structure)",
            },
        ],
        spec_numbers: &[22, 23],
        build: report_fn!(|c| {
            let what = crate::usecases::passport::Publication {
                kind: c.params.text("kind").unwrap_or_default().to_string(),
                f552: c.params.required("f552")?,
                f219: c.params.number("f219")?,
            };
            crate::usecases::passport::preview_table(c.db, c.tr, c.reader, &what).await
        }),
    },
];

/// The planning module's report on the refinements of expense plans (004 §1, report 2): built
/// from the financing plans, so this module contributes it to the budget cycle's section.
pub static BUDGET_REPORTS: &[ReportDef] = &[ReportDef {
    name: "plan-refinements",
    about: "Refinements of expense plans: every refinement and correction (or, with kind, change certificate) of a subtree's financing plans of a year, by institution and document, with its reason, codes, months and amount (report 2)",
    params: &[
        SUBTREE,
        YEAR,
        AS_OF,
        ParamDef {
            name: "kind",
            required: false,
            about: "refinement, correction or certificate (default: refinements and corrections)",
        },
    ],
    spec_numbers: &[2],
    build: report_fn!(|c| analytics::plan_refinements_table(
        c.db,
        c.tr,
        c.tree,
        c.reader,
        &plan_scope(c)?,
        c.params.text("kind")
    )
    .await),
}];

/// The plan-wide analytics' scope: the parameters `org`, `year`, `basis` and `as_of`.
fn plan_scope<'a>(c: &'a ReportCall<'a>) -> Result<PlanScope<'a>> {
    Ok(PlanScope {
        root: c.params.required("org")?,
        year: c.params.required("year")?,
        basis: c.params.text("basis"),
        as_of: c.params.date("as_of")?,
    })
}
