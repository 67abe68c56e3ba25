//! The report catalogue (BP-R, P-19): every report with its parameters, built the same way
//! for the pages (`/reports/{name}`), the API (`/api/v1/reports/{name}`) and the command line
//! (`jospar report NAME`).

use crate::analytics;
use crate::appendices::{self, Reader, Scope};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use jospar_org::OrgTree;
use jospar_planning::Dimension;
use jospar_reports::Table;
use jospar_store::Db;
use std::collections::HashMap;

pub struct ParamDef {
    pub name: &'static str,
    pub required: bool,
    /// For the command line's help (English, like the rest of `--help`).
    pub about: &'static str,
}

pub struct ReportDef {
    pub name: &'static str,
    pub about: &'static str,
    pub params: &'static [ParamDef],
}

const CAMPAIGN: ParamDef = ParamDef {
    name: "campaign",
    required: true,
    about: "campaign id",
};
const ORG: ParamDef = ParamDef {
    name: "org",
    required: false,
    about: "organisation id whose subtree is covered (default: the authorized body)",
};
const APPROVED: ParamDef = ParamDef {
    name: "approved",
    required: false,
    about: "1 = only approved requests",
};
const REQUEST: ParamDef = ParamDef {
    name: "request",
    required: true,
    about: "budget request id",
};

const IMPORT: ParamDef = ParamDef {
    name: "import",
    required: true,
    about: "id of an imported execution report of the open-budgets portal",
};

const PLAN: ParamDef = ParamDef {
    name: "plan",
    required: true,
    about: "financing plan id",
};
const BASIS: ParamDef = ParamDef {
    name: "basis",
    required: false,
    about: "payments (default) or obligations",
};

const SUBTREE: ParamDef = ParamDef {
    name: "org",
    required: true,
    about: "organisation whose subtree is covered (an administrator, a finance body)",
};
const YEAR: ParamDef = ParamDef {
    name: "year",
    required: true,
    about: "fiscal year",
};
const AS_OF: ParamDef = ParamDef {
    name: "as_of",
    required: false,
    about: "date YYYY-MM-DD (default: with every change document)",
};
const CASH_FORM: ParamDef = ParamDef {
    name: "treasury",
    required: true,
    about: "id of an imported form of cash expenses (5-52, 5-42, 5-02, 2-15)",
};

pub const REPORTS: &[ReportDef] = &[
    ReportDef {
        name: "consolidated",
        about: "Consolidated budget requests of a subtree by one slice and year (BP-5)",
        params: &[
            CAMPAIGN,
            ORG,
            ParamDef {
                name: "by",
                required: false,
                about: "slice: org, budget, level, administrator, program, subprogram, specific, limit_kind, project",
            },
            APPROVED,
        ],
    },
    ReportDef {
        name: "pivot",
        about: "Requested amounts of one year by two slices, rows × columns (BP-5)",
        params: &[
            CAMPAIGN,
            ORG,
            ParamDef {
                name: "by",
                required: false,
                about: "slice of the rows (as for consolidated; default program)",
            },
            ParamDef {
                name: "cols",
                required: true,
                about: "slice of the columns",
            },
            ParamDef {
                name: "year",
                required: false,
                about: "year of the planning period (default: its first year)",
            },
            APPROVED,
        ],
    },
    ReportDef {
        name: "appendix-57",
        about: "Appendix 57: a state institution's expenses by programs (subprograms)",
        params: &[REQUEST],
    },
    ReportDef {
        name: "appendix-58",
        about: "Appendix 58: an administrator's expenses by programs (subprograms); counterparty=1 for the enterprises' requests",
        params: &[
            CAMPAIGN,
            ParamDef {
                name: "org",
                required: true,
                about: "the administrator's organisation id",
            },
            ParamDef {
                name: "counterparty",
                required: false,
                about: "1 = by counterparty (state enterprises)",
            },
            APPROVED,
        ],
    },
    ReportDef {
        name: "appendix-59",
        about: "Appendix 59: consolidated list of budget programs",
        params: &[CAMPAIGN, ORG, APPROVED],
    },
    ReportDef {
        name: "appendix-60",
        about: "Appendix 60: programs with base expenses and new initiatives by planning year",
        params: &[CAMPAIGN, ORG, APPROVED],
    },
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
    },
    ReportDef {
        name: "receipt-plan",
        about: "A plan of receipts by code and month, by kind: revenues, loan repayments, sales of financial assets, borrowing (EX-1)",
        params: &[ParamDef {
            name: "receipt_plan",
            required: true,
            about: "id of a plan of receipts",
        }],
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
    },
    ReportDef {
        name: "money-movement",
        about: "Forms 5-34 (money of paid services) and 0-67 (statement of the account): balance at the start, received, spent, balance at the end, by code (EX-5)",
        params: &[ParamDef {
            name: "treasury",
            required: true,
            about: "id of an imported form 5-34 or 0-67",
        }],
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
    },
    ReportDef {
        name: "plan-changes-export",
        about: "A plan's change documents for accounting systems: one row per move with document, expense id, codes, basis, months and amount (EX-7)",
        params: &[PLAN],
    },
    ReportDef {
        name: "plan-changes",
        about: "Dynamics of a financing plan's changes by month: approved, each document, after changes (EX-2)",
        params: &[PLAN, BASIS],
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
    },
    ReportDef {
        name: "plan-balance",
        about: "Balance of the approved and the refined financing plans of a subtree by month (EX-R 29)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
    },
    ReportDef {
        name: "expense-receipt-balance",
        about: "Balance of expenses and receipts of a subtree by month: plans of receipts against financing plans by payments (EX-R 28)",
        params: &[SUBTREE, YEAR, AS_OF],
    },
    ReportDef {
        name: "specifics-analysis",
        about: "Financing plans of a subtree by specific: annual amount, quarters, share (EX-R 31)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
    },
    ReportDef {
        name: "payments-obligations",
        about: "Reconciliation of payments and obligations: obligations to date not covered by payments, by line and month (EX-8, EX-R 36)",
        params: &[SUBTREE, YEAR, AS_OF],
    },
    ReportDef {
        name: "plan-register",
        about: "Register of financing plans and change certificates with their Treasury status (EX-R 53-54, appendices 21-22 of order 540)",
        params: &[SUBTREE, YEAR],
    },
    ReportDef {
        name: "unpaid-reminder",
        about: "Reminder of plans by payments not carried out, by subprogram, from form 5-52 (EX-R 25, appendix 7 of order 629)",
        params: &[CASH_FORM],
    },
    ReportDef {
        name: "analytic-abp",
        about: "Analytic document on budget execution by administrator's program, from form 5-52 (EX-R 26, appendix 8 of order 629)",
        params: &[CASH_FORM],
    },
    ReportDef {
        name: "analytic-budget",
        about: "Analytic report on budget execution by administrator, from form 5-52 (EX-R 27, appendix 9 of order 629)",
        params: &[CASH_FORM],
    },
    ReportDef {
        name: "cash-balances",
        about: "Balances of a form of cash expenses (5-42, 5-52) by administrator: annual plan and plan of the period not paid (EX-R 5-6)",
        params: &[CASH_FORM],
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
    },
    ReportDef {
        name: "forms-register",
        about: "Register of the forms received from the Treasury for a subtree and year (EX-R 34)",
        params: &[SUBTREE, YEAR],
    },
    ReportDef {
        name: "consolidated-receipt-plan",
        about: "Consolidated plan of receipts of a subtree: approved plans of receipts of a year by code and month (EX-R 55-56, appendices 14-15 of order 540)",
        params: &[SUBTREE, YEAR],
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
    },
    ReportDef {
        name: "obligations-420",
        about: "Obligations accepted and cash execution by form 4-20 against the system's plans by obligations to the report's month (EX-R 1)",
        params: &[ParamDef {
            name: "f420",
            required: true,
            about: "id of an imported form 4-20",
        }],
    },
    ReportDef {
        name: "approved-plan",
        about: "Approved plan of the reporting year of a subtree by program, subprogram, specific and quarter (EX-R 62, appendix 23 of order 540)",
        params: &[SUBTREE, YEAR, BASIS],
    },
    ReportDef {
        name: "refined-plan",
        about: "Refined plan of the reporting year of a subtree by program, subprogram, specific and quarter, with the change documents to a date (EX-R 63, appendix 42 of order 540)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
    },
    ReportDef {
        name: "changes-dynamics",
        about: "Dynamics of the changes to a subtree's financing plans of a year by month: at approval, moved by certificates, refinements and corrections, after them (EX-R 38)",
        params: &[SUBTREE, YEAR, BASIS, AS_OF],
    },
    ReportDef {
        name: "cash-by-budget-kind",
        about: "Cash execution by a form of cash expenses split into republican transfers and the local budget's money, by administrator's program (EX-R 16)",
        params: &[CASH_FORM],
    },
    ReportDef {
        name: "obligations-420-ecofin",
        about: "Form 4-20 for the economy and finance department: administrators, programs and subprograms with subtotals over their specifics, shares accepted and paid, unpaid obligations (EX-R 7)",
        params: &[ParamDef {
            name: "f420",
            required: true,
            about: "id of an imported form 4-20",
        }],
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
    },
    ReportDef {
        name: "development-programs",
        about: "Execution of budget development programs (form 6-BPR): capital expenses of a form of cash expenses by administrator, program and subprogram with subtotals (EX-R 19)",
        params: &[CASH_FORM],
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
    },
    ReportDef {
        name: "receipts-by-class",
        about: "Cash execution by form 2-19, additional layout: codes under their category, class and subclass with names and subtotals (EX-R 11)",
        params: &[ParamDef {
            name: "f219",
            required: true,
            about: "id of an imported form 2-19",
        }],
    },
    ReportDef {
        name: "payroll-distribution",
        about: "Payroll lines of an institution's financing plan split by structural unit of its staffing table, month by month (EX-9)",
        params: &[PLAN, BASIS],
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
    },
    ReportDef {
        name: "discussion-final-report",
        about: "Final report of the public discussion of a budget program passport or implementation report (OB-5, appendices 1-2 of order 176-NK), made when the discussion ends",
        params: &[ParamDef {
            name: "document",
            required: true,
            about: "id of a document of the open budget",
        }],
    },
    ReportDef {
        name: "training-report",
        about: "Training report of a session: who passed it, with IIN, position and organisation (P-12), for the integrator",
        params: &[ParamDef {
            name: "session",
            required: true,
            about: "training session id",
        }],
    },
    ReportDef {
        name: "breakdown",
        about: "Breakdowns of a request: every calculation row with its amount (BP-13)",
        params: &[REQUEST],
    },
];

/// The numbers of the execution module's 63 reports (technical specification 004 §4) a report
/// of the catalogue produces; several numbers are one report with another parameter (an
/// individual plan by payments or by obligations, a draft or an approved plan).
pub fn spec_numbers(name: &str) -> &'static [u8] {
    match name {
        "obligations-420" => &[1],
        "receipts-dynamics" => &[2, 3],
        "rural-tax-receipts" => &[4],
        "cash-balances" => &[5, 6],
        "cash-execution" => &[8, 9, 12, 13, 14],
        "receipts-execution" => &[10, 20, 21],
        "receipts-by-class" => &[11],
        "cash-execution-552" => &[15],
        "cash-by-budget-kind" => &[16],
        "obligations-420-ecofin" => &[7],
        "cash-by-local-budgets" => &[17],
        "development-programs" => &[19],
        "execution-report" => &[18],
        "receipts-shortfall" => &[24],
        "unpaid-reminder" => &[25],
        "analytic-abp" => &[26],
        "analytic-budget" => &[27],
        "expense-receipt-balance" => &[28, 57],
        "plan-balance" => &[29],
        "offsetting-codes" => &[30],
        "region-passport" => &[22, 23],
        "specifics-analysis" => &[31],
        "reconcile-219-243" => &[32],
        "reconcile-420-552" => &[33],
        "forms-register" => &[34],
        "reconcile-plan-127" => &[35],
        "payments-obligations" => &[36],
        "receipts-by-day" => &[37],
        "changes-dynamics" => &[38],
        "plan-changes" => &[39, 44],
        "financing-plan" => &[40, 41, 42, 43, 47, 48],
        "consolidated-plan" => &[45, 46, 51, 52, 58, 59, 60, 61],
        "receipt-plan" => &[49, 50],
        "plan-register" => &[53, 54],
        "consolidated-receipt-plan" => &[55, 56],
        "approved-plan" => &[62],
        "refined-plan" => &[63],
        _ => &[],
    }
}

pub fn find(name: &str) -> Option<&'static ReportDef> {
    REPORTS.iter().find(|r| r.name == name)
}

/// `jospar report --help`: each report with its parameters.
pub fn help_text() -> String {
    let mut text = String::from("Reports:\n");
    for report in REPORTS {
        text.push_str(&format!("  {:<25} {}\n", report.name, report.about));
        for p in report.params {
            text.push_str(&format!(
                "      --{:<22} {}{}\n",
                p.name,
                p.about,
                if p.required { " (required)" } else { "" }
            ));
        }
    }
    text
}

/// The parameters of a call, by name.
pub struct Params<'a>(pub &'a HashMap<String, String>);

impl Params<'_> {
    fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn number<T: std::str::FromStr>(&self, name: &str) -> AppResult<Option<T>> {
        match self.text(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| bad(name, v)),
        }
    }

    fn required<T: std::str::FromStr>(&self, name: &str) -> AppResult<T> {
        self.number(name)?
            .ok_or_else(|| AppError::invalid("err-required", name))
    }

    fn flag(&self, name: &str) -> bool {
        matches!(self.text(name), Some("1" | "true" | "yes"))
    }

    fn dimension(&self, name: &str, default: Option<Dimension>) -> AppResult<Dimension> {
        match self.text(name) {
            Some(code) => Dimension::from_code(code).ok_or_else(|| bad(name, code)),
            None => default.ok_or_else(|| AppError::invalid("err-required", name)),
        }
    }

    fn scope(&self) -> AppResult<Scope> {
        Ok(Scope {
            campaign_id: self.required("campaign")?,
            org: self.number("org")?,
            approved_only: self.flag("approved"),
        })
    }
}

fn bad(name: &str, value: &str) -> AppError {
    AppError::Invalid {
        key: "err-report-param",
        args: vec![("field", name.to_string()), ("value", value.to_string())],
        field: Some(name.to_string()),
    }
}

/// Builds report `name` for `reader`, whose rights limit what it covers.
pub async fn build(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    name: &str,
    params: &HashMap<String, String>,
) -> AppResult<Table> {
    let params = Params(params);
    let readable = |org: i64| reader.can_read(org);
    match name {
        "consolidated" => {
            let scope = params.scope()?;
            if let Some(org) = scope.org {
                reader.require_read(org)?;
            }
            let query = crate::planning::ConsolidationQuery {
                campaign_id: scope.campaign_id,
                root_org: scope.org,
                by: params.dimension("by", Some(Dimension::Program))?,
                approved_only: scope.approved_only,
            };
            crate::planning::consolidated_table(db, tr, tree, &query, &readable).await
        }
        "pivot" => {
            let scope = params.scope()?;
            if let Some(org) = scope.org {
                reader.require_read(org)?;
            }
            let query = crate::planning::PivotQuery {
                campaign_id: scope.campaign_id,
                root_org: scope.org,
                rows: params.dimension("by", Some(Dimension::Program))?,
                columns: params.dimension("cols", None)?,
                year: params.number("year")?,
                approved_only: scope.approved_only,
            };
            crate::planning::pivot_table(db, tr, tree, &query, &readable).await
        }
        "appendix-57" => {
            appendices::appendix_57(db, tr, tree, reader, params.required("request")?).await
        }
        "appendix-58" => {
            appendices::appendix_58(
                db,
                tr,
                tree,
                reader,
                &params.scope()?,
                params.flag("counterparty"),
            )
            .await
        }
        "appendix-59" => appendices::appendix_59(db, tr, tree, reader, &params.scope()?).await,
        "appendix-60" => appendices::appendix_60(db, tr, tree, reader, &params.scope()?).await,
        "execution-report" => {
            crate::execution::execution_report(
                db,
                tr,
                reader,
                params.required("import")?,
                params.text("month"),
                params.number("depth")?.unwrap_or(1),
            )
            .await
        }
        "execution-reconciliation" => {
            crate::execution::reconciliation(
                db,
                tr,
                reader,
                params.required("import")?,
                params.text("month"),
                params.flag("failures"),
            )
            .await
        }
        "financing-plan" => {
            let as_of = match params.text("as_of") {
                Some(d) => Some(crate::service::parse_date(d, "as_of")?),
                None => None,
            };
            crate::plans::plan_table(
                db,
                tr,
                reader,
                params.required("plan")?,
                params.text("basis"),
                as_of,
            )
            .await
        }
        "cash-execution-552" => {
            crate::treasury::cash_552_table(
                db,
                tr,
                tree,
                reader,
                params.required("treasury")?,
                params.flag("failures"),
            )
            .await
        }
        "reconcile-plan-127" => {
            crate::treasury::reconcile_plan_127_table(
                db,
                tr,
                tree,
                reader,
                params.required("treasury")?,
                params.flag("failures"),
            )
            .await
        }
        "receipt-plan" => {
            crate::receipt_plans::receipt_plan_table(
                db,
                tr,
                reader,
                params.required("receipt_plan")?,
            )
            .await
        }
        "receipts-execution" => {
            crate::receipt_plans::receipts_execution_table(
                db,
                tr,
                reader,
                params.required("receipt_plan")?,
                params.required("f219")?,
            )
            .await
        }
        "receipts-shortfall" => {
            crate::receipt_plans::receipts_shortfall_table(
                db,
                tr,
                reader,
                params.required("receipt_plan")?,
                params.required("f219")?,
            )
            .await
        }
        "reconcile-420-552" => {
            crate::treasury::reconcile_420_552_table(
                db,
                tr,
                reader,
                params.required("f420")?,
                params.required("f552")?,
            )
            .await
        }
        "money-movement" => {
            crate::treasury::movement_table(db, tr, reader, params.required("treasury")?).await
        }
        "reconcile-409-420" => {
            crate::treasury::reconcile_409_420_table(
                db,
                tr,
                reader,
                params.required("f409")?,
                params.required("f420")?,
            )
            .await
        }
        "reconcile-219-243" => {
            crate::treasury::reconcile_219_243_table(
                db,
                tr,
                reader,
                params.required("f219")?,
                params.required("f243")?,
            )
            .await
        }
        "consolidated-plan" => {
            let as_of = match params.text("as_of") {
                Some(d) => Some(crate::service::parse_date(d, "as_of")?),
                None => None,
            };
            let by_administrator = match params.text("by") {
                None => false,
                Some("administrator") => true,
                Some(other) => return Err(bad("by", other)),
            };
            let query = crate::plans::ConsolidatedPlanQuery {
                root: params.required("org")?,
                year: params.required("year")?,
                basis: params.text("basis"),
                as_of,
                by_administrator,
            };
            crate::plans::consolidated_table(db, tr, tree, reader, &query).await
        }
        "plan-export" => {
            let as_of = match params.text("as_of") {
                Some(d) => Some(crate::service::parse_date(d, "as_of")?),
                None => None,
            };
            crate::plans::export_table(db, tr, reader, params.required("plan")?, as_of).await
        }
        "plan-changes-export" => {
            crate::plans::changes_export_table(db, tr, reader, params.required("plan")?).await
        }
        "plan-changes" => {
            crate::plans::changes_table(
                db,
                tr,
                reader,
                params.required("plan")?,
                params.text("basis"),
            )
            .await
        }
        "plan-balance"
        | "approved-plan"
        | "refined-plan"
        | "changes-dynamics"
        | "expense-receipt-balance"
        | "specifics-analysis"
        | "payments-obligations"
        | "offsetting-codes"
        | "plan-register" => {
            let as_of = match params.text("as_of") {
                Some(d) => Some(crate::service::parse_date(d, "as_of")?),
                None => None,
            };
            let scope = analytics::PlanScope {
                root: params.required("org")?,
                year: params.required("year")?,
                basis: params.text("basis"),
                as_of,
            };
            match name {
                "plan-balance" => analytics::plan_balance_table(db, tr, tree, reader, &scope).await,
                "offsetting-codes" => {
                    let pair = params.number("pair")?;
                    crate::offsetting::offsetting_table(db, tr, tree, reader, &scope, pair).await
                }
                "approved-plan" | "refined-plan" => {
                    let refined = name == "refined-plan";
                    analytics::annual_plan_table(db, tr, tree, reader, &scope, refined).await
                }
                "changes-dynamics" => {
                    analytics::changes_dynamics_table(db, tr, tree, reader, &scope).await
                }
                "expense-receipt-balance" => {
                    analytics::expense_receipt_balance_table(db, tr, tree, reader, &scope).await
                }
                "specifics-analysis" => {
                    analytics::specifics_table(db, tr, tree, reader, &scope).await
                }
                "payments-obligations" => {
                    analytics::payments_obligations_table(db, tr, tree, reader, &scope).await
                }
                _ => analytics::plan_register_table(db, tr, tree, reader, &scope).await,
            }
        }
        "unpaid-reminder" => {
            analytics::unpaid_reminder_table(db, tr, reader, params.required("treasury")?).await
        }
        "analytic-abp" | "analytic-budget" => {
            analytics::analytic_execution_table(
                db,
                tr,
                reader,
                params.required("treasury")?,
                name == "analytic-budget",
            )
            .await
        }
        "cash-balances" => {
            analytics::cash_balances_table(db, tr, reader, params.required("treasury")?).await
        }
        "cash-by-budget-kind" => {
            analytics::cash_by_budget_kind_table(db, tr, reader, params.required("treasury")?).await
        }
        "cash-execution" => {
            analytics::cash_execution_table(
                db,
                tr,
                reader,
                params.required("treasury")?,
                params.flag("growth"),
            )
            .await
        }
        "receipts-dynamics" => {
            analytics::receipts_dynamics_table(
                db,
                tr,
                reader,
                params.required("org")?,
                params.required("year")?,
                params.text("form"),
            )
            .await
        }
        "forms-register" => {
            analytics::forms_register_table(
                db,
                tr,
                tree,
                reader,
                params.required("org")?,
                params.required("year")?,
            )
            .await
        }
        "consolidated-receipt-plan" => {
            crate::receipt_plans::consolidated_receipt_plan_table(
                db,
                tr,
                tree,
                reader,
                params.required("org")?,
                params.required("year")?,
            )
            .await
        }
        "receipts-by-day" => {
            analytics::receipts_by_day_table(
                db,
                tr,
                reader,
                params.required("org")?,
                params.required("year")?,
            )
            .await
        }
        "obligations-420" => {
            analytics::obligations_420_table(db, tr, tree, reader, params.required("f420")?).await
        }
        "obligations-420-ecofin" => {
            crate::treasury_reports::obligations_ecofin_table(
                db,
                tr,
                reader,
                params.required("f420")?,
            )
            .await
        }
        "development-programs" => {
            crate::treasury_reports::development_programs_table(
                db,
                tr,
                reader,
                params.required("treasury")?,
            )
            .await
        }
        "cash-by-local-budgets" => {
            let date = params
                .text("date")
                .ok_or_else(|| AppError::invalid("err-required", "date"))?;
            crate::treasury_reports::cash_by_local_budgets_table(
                db,
                tr,
                tree,
                reader,
                params.required("org")?,
                crate::service::parse_date(date, "date")?,
            )
            .await
        }
        "rural-tax-receipts" => {
            let date = params
                .text("date")
                .ok_or_else(|| AppError::invalid("err-required", "date"))?;
            analytics::rural_tax_receipts_table(
                db,
                tr,
                tree,
                reader,
                params.required("org")?,
                crate::service::parse_date(date, "date")?,
            )
            .await
        }
        "receipts-by-class" => {
            analytics::receipts_by_class_table(db, tr, reader, params.required("f219")?).await
        }
        "payroll-distribution" => {
            analytics::payroll_distribution_table(
                db,
                tr,
                reader,
                params.required("plan")?,
                params.text("basis"),
            )
            .await
        }
        "region-passport" => {
            let what = crate::passport::Publication {
                kind: params.text("kind").unwrap_or_default().to_string(),
                f552: params.required("f552")?,
                f219: params.number("f219")?,
            };
            crate::passport::preview_table(db, tr, reader, &what).await
        }
        "discussion-final-report" => {
            let today = chrono::Utc::now().date_naive();
            crate::openbudget::final_report_table(
                db,
                tr,
                reader,
                params.required("document")?,
                today,
            )
            .await
        }
        "training-report" => {
            let principal = match reader {
                Reader::User(p) => Some(*p),
                Reader::System => None,
            };
            crate::oversight::training_report_table(db, tr, principal, params.required("session")?)
                .await
        }
        "breakdown" => {
            let id: i64 = params.required("request")?;
            let request = jospar_planning::repo::request(db, id)
                .await?
                .ok_or(AppError::NotFound)?;
            reader.require_read(request.org_id)?;
            crate::planning::breakdown_table(db, tr, &request).await
        }
        _ => Err(AppError::NotFound),
    }
}
