//! The planning module's reports in the catalogue (BP-5, BP-13, appendices 57-60).

use crate::Dimension;
use crate::appendices::Scope;
use jospar_access::{Error, Result};
use jospar_reports::catalogue::params::*;
use jospar_reports::catalogue::{ParamDef, Params, ReportDef, bad};
use jospar_reports::report_fn;

pub static REPORTS: &[ReportDef] = &[
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
        spec_numbers: &[],
        build: report_fn!(|c| {
            let scope = scope(&c.params)?;
            if let Some(org) = scope.org {
                c.reader.require_read(org)?;
            }
            let query = crate::usecases::ConsolidationQuery {
                campaign_id: scope.campaign_id,
                root_org: scope.org,
                by: dimension(&c.params, "by", Some(Dimension::Program))?,
                approved_only: scope.approved_only,
            };
            crate::usecases::consolidated_table(c.db, c.tr, c.tree, &query, &|org| {
                c.reader.can_read(org)
            })
            .await
        }),
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
        spec_numbers: &[],
        build: report_fn!(|c| {
            let scope = scope(&c.params)?;
            if let Some(org) = scope.org {
                c.reader.require_read(org)?;
            }
            let query = crate::usecases::PivotQuery {
                campaign_id: scope.campaign_id,
                root_org: scope.org,
                rows: dimension(&c.params, "by", Some(Dimension::Program))?,
                columns: dimension(&c.params, "cols", None)?,
                year: c.params.number("year")?,
                approved_only: scope.approved_only,
            };
            crate::usecases::pivot_table(c.db, c.tr, c.tree, &query, &|org| c.reader.can_read(org))
                .await
        }),
    },
    ReportDef {
        name: "appendix-57",
        about: "Appendix 57: a state institution's expenses by programs (subprograms); counterparty=1 for a state enterprise's revenues by counterparty against its expenses",
        params: &[
            REQUEST,
            ParamDef {
                name: "counterparty",
                required: false,
                about: "1 = by counterparty (a state enterprise's request)",
            },
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            let request = c.params.required("request")?;
            if c.params.flag("counterparty") {
                crate::appendices::appendix_57_counterparty(c.db, c.tr, c.tree, c.reader, request)
                    .await
            } else {
                crate::appendices::appendix_57(c.db, c.tr, c.tree, c.reader, request).await
            }
        }),
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
        spec_numbers: &[],
        build: report_fn!(|c| {
            crate::appendices::appendix_58(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                &scope(&c.params)?,
                if c.params.flag("counterparty") {
                    crate::appendices::Grouping::Counterparty
                } else {
                    crate::appendices::Grouping::Programs
                },
            )
            .await
        }),
    },
    ReportDef {
        name: "appendix-70",
        about: "Appendix 70: an administrator's costs by program (subprogram) and activity (the line's project, activity or object)",
        params: &[
            CAMPAIGN,
            ParamDef {
                name: "org",
                required: true,
                about: "the administrator's organisation id",
            },
            APPROVED,
        ],
        spec_numbers: &[],
        build: report_fn!(|c| {
            crate::appendices::appendix_58(
                c.db,
                c.tr,
                c.tree,
                c.reader,
                &scope(&c.params)?,
                crate::appendices::Grouping::Activity,
            )
            .await
        }),
    },
    ReportDef {
        name: "appendix-67",
        about: "Appendix 67: expenses on subsidies to legal entities, farms included, by recipient and direction (specifics 311-313)",
        params: &[CAMPAIGN, ORG, APPROVED],
        spec_numbers: &[],
        build: report_fn!(|c| crate::appendices::appendix_67(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &scope(&c.params)?
        )
        .await),
    },
    ReportDef {
        name: "appendix-60",
        about: "Appendix 60: programs with base expenses and new initiatives by planning year",
        params: &[CAMPAIGN, ORG, APPROVED],
        spec_numbers: &[],
        build: report_fn!(|c| crate::appendices::appendix_60(
            c.db,
            c.tr,
            c.tree,
            c.reader,
            &scope(&c.params)?
        )
        .await),
    },
    ReportDef {
        name: "breakdown",
        about: "Breakdowns of a request: every calculation row with its amount (BP-13)",
        params: &[REQUEST],
        spec_numbers: &[],
        build: report_fn!(|c| {
            let id: i64 = c.params.required("request")?;
            let request = crate::repo::request(c.db, id)
                .await?
                .ok_or(Error::NotFound)?;
            c.reader.require_read(request.org_id)?;
            crate::usecases::breakdown_table(c.db, c.tr, &request).await
        }),
    },
    ReportDef {
        name: "code-order",
        about: "The order opening or closing budget classification codes on an approved code request (P-15)",
        params: &[ParamDef {
            name: "code_request",
            required: true,
            about: "code request id (an approved one)",
        }],
        spec_numbers: &[],
        build: report_fn!(|c| {
            crate::code_requests::order_table(
                c.db,
                c.tr,
                c.reader,
                c.params.required("code_request")?,
            )
            .await
        }),
    },
];

/// What a campaign-wide report covers, from the parameters `campaign`, `org` and `approved`.
/// The scope of an appendix: `campaign`, `org` and `approved`.
pub fn scope(params: &Params) -> Result<Scope> {
    Ok(Scope {
        campaign_id: params.required("campaign")?,
        org: params.number("org")?,
        approved_only: params.flag("approved"),
    })
}

fn dimension(params: &Params, name: &str, default: Option<Dimension>) -> Result<Dimension> {
    match params.text(name) {
        Some(code) => Dimension::from_code(code).ok_or_else(|| bad(name, code)),
        None => default.ok_or_else(|| Error::invalid("err-required", name)),
    }
}
