//! Query strings that the pages and the API read alike.

use crate::error::AppResult;
use jospar_planning::usecases as service;
use jospar_store::AuditFilter;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsolidationParams {
    pub org: String,
    pub by: String,
    /// A second slice for the columns (a pivot of one year); empty: the years.
    pub cols: String,
    pub year: String,
    pub approved: String,
    pub format: String,
}

impl ConsolidationParams {
    pub fn query(&self, campaign_id: i64) -> service::ConsolidationQuery {
        service::ConsolidationQuery {
            campaign_id,
            root_org: self.org.parse().ok(),
            by: jospar_planning::Dimension::from_code(&self.by)
                .unwrap_or(jospar_planning::Dimension::Program),
            approved_only: self.approved == "1",
        }
    }

    /// The pivot asked for, if a column slice is chosen.
    pub fn pivot(&self, campaign_id: i64) -> Option<service::PivotQuery> {
        let columns = jospar_planning::Dimension::from_code(&self.cols)?;
        let query = self.query(campaign_id);
        Some(service::PivotQuery {
            campaign_id,
            root_org: query.root_org,
            rows: query.by,
            columns,
            year: self.year.parse().ok(),
            approved_only: query.approved_only,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    pub format: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    pub login: String,
    pub entity: String,
    pub entity_id: String,
    pub from: String,
    pub to: String,
}

impl AuditQuery {
    /// The filter with the page asked for (`sort=at` oldest first, newest first otherwise).
    pub fn filter_page(&self, page: &jospar_core::listing::ListQuery) -> AppResult<AuditFilter> {
        Ok(AuditFilter {
            limit: page.limit as i64,
            offset: page.offset as i64,
            oldest_first: page.sort.as_deref() == Some("at") && !page.descending,
            ..self.filter()?
        })
    }

    pub fn filter(&self) -> AppResult<AuditFilter> {
        let date_or_none = |v: &str, field: &str| -> AppResult<Option<chrono::NaiveDate>> {
            if v.trim().is_empty() {
                Ok(None)
            } else {
                jospar_access::parse_date(v, field).map(Some)
            }
        };
        Ok(AuditFilter {
            login: text(&self.login).map(|l| l.to_lowercase()),
            entity: text(&self.entity),
            entity_id: text(&self.entity_id),
            from: date_or_none(&self.from, "from")?,
            to: date_or_none(&self.to, "to")?,
            org_ids: None,
            limit: 500,
            ..AuditFilter::default()
        })
    }
}

/// An amount filter in tenge (`min`, `max`): none when empty; one that does not parse is
/// refused, naming its field.
fn amount(text: &str, field: &str) -> AppResult<Option<jospar_core::Tenge>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    jospar_core::Tenge::parse(text)
        .map(Some)
        .map_err(|_| crate::error::AppError::invalid("err-filter-amount", field))
}

/// A text filter: none when empty.
fn text(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// The filters of the requests list, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct RequestFilterParams {
    /// An organisation: its requests and those below it.
    pub org: String,
    /// The campaign's first planning year.
    pub year: String,
    /// in_work, sent, approved, returned.
    pub status: String,
    /// forecast, plan, refinement, correction.
    pub kind: String,
    /// The first planning year's amount from, in tenge.
    pub min: String,
    /// The first planning year's amount to, in tenge.
    pub max: String,
}

impl RequestFilterParams {
    /// The filter asked for; an amount that does not parse is refused, naming its field.
    pub fn filter(&self) -> AppResult<service::RequestFilter> {
        Ok(service::RequestFilter {
            org: self.org.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
            status: jospar_planning::Status::from_code(self.status.trim()),
            kind: jospar_planning::RequestKind::from_code(self.kind.trim()),
            min: amount(&self.min, "min")?,
            max: amount(&self.max, "max")?,
        })
    }
}

/// The filters of the organisations list, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct OrgFilterParams {
    /// An organisation: it and everything below it.
    pub within: String,
    /// authorized_body, administrator, committee, institution, enterprise.
    pub kind: String,
    /// open or closed.
    pub state: String,
}

impl OrgFilterParams {
    pub fn filter(&self) -> jospar_org::usecases::OrgFilter {
        jospar_org::usecases::OrgFilter {
            within: self.within.trim().parse().ok(),
            kind: jospar_org::OrgKind::from_code(self.kind.trim()),
            closed: match self.state.trim() {
                "open" => Some(false),
                "closed" => Some(true),
                _ => None,
            },
        }
    }
}

/// The filters of the list of imported Treasury forms, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TreasuryFilterParams {
    /// An organisation: its forms and those below it.
    pub within: String,
    /// The form's number, e.g. 5-52.
    pub form: String,
    /// Report dates from (YYYY-MM-DD or DD.MM.YYYY).
    pub from: String,
    /// Report dates to.
    pub to: String,
}

impl TreasuryFilterParams {
    /// The filter asked for; a date that does not parse is refused, naming its field.
    pub fn filter(&self) -> AppResult<jospar_execution::usecases::treasury::ReportFilter> {
        let date = |text: &str, field: &str| -> AppResult<Option<chrono::NaiveDate>> {
            let text = text.trim();
            if text.is_empty() {
                Ok(None)
            } else {
                jospar_access::parse_date(text, field).map(Some)
            }
        };
        Ok(jospar_execution::usecases::treasury::ReportFilter {
            within: self.within.trim().parse().ok(),
            form: text(&self.form),
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
        })
    }
}

/// The filters of the financing plans list, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PlanFilterParams {
    /// An organisation: its plans and those below it.
    pub within: String,
    /// The plan's year.
    pub year: String,
    /// draft or approved.
    pub status: String,
}

impl PlanFilterParams {
    pub fn filter(&self) -> jospar_execution::usecases::plans::PlanFilter {
        jospar_execution::usecases::plans::PlanFilter {
            within: self.within.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
            status: text(&self.status),
        }
    }
}

/// The filters of the users list, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct UserFilterParams {
    /// An organisation: its users and those of the organisations below it.
    pub within: String,
    /// active or blocked.
    pub state: String,
}

impl UserFilterParams {
    pub fn filter(&self) -> jospar_org::usecases::UserFilter {
        jospar_org::usecases::UserFilter {
            within: self.within.trim().parse().ok(),
            blocked: match self.state.trim() {
                "active" => Some(false),
                "blocked" => Some(true),
                _ => None,
            },
        }
    }
}

/// The filters of the list of plans of receipts, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReceiptPlanFilterParams {
    /// An organisation: its plans and those below it.
    pub within: String,
    /// The plan's year.
    pub year: String,
    /// draft or approved.
    pub status: String,
    /// Plans holding receipts of a kind: revenues, loan_repayments, financial_assets, borrowing.
    pub kind: String,
    /// The plan's annual receipts from, in tenge.
    pub min: String,
    /// The plan's annual receipts to, in tenge.
    pub max: String,
}

impl ReceiptPlanFilterParams {
    /// The filter asked for; an amount that does not parse is refused, naming its field.
    pub fn filter(
        &self,
    ) -> AppResult<jospar_execution::usecases::receipt_plans::ReceiptPlanFilter> {
        Ok(
            jospar_execution::usecases::receipt_plans::ReceiptPlanFilter {
                within: self.within.trim().parse().ok(),
                year: self.year.trim().parse().ok(),
                status: jospar_execution::plans::PlanStatus::from_code(self.status.trim()),
                kind: jospar_execution::receipts::ReceiptKind::from_code(self.kind.trim()),
                min: amount(&self.min, "min")?,
                max: amount(&self.max, "max")?,
            },
        )
    }
}

/// The filters of the curator's desk, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DeskFilterParams {
    /// An organisation: it and the organisations below it.
    pub within: String,
    /// none (no request yet), in_work, sent, approved, returned.
    pub status: String,
    /// The request's kind: forecast, plan, refinement, correction.
    pub kind: String,
    /// 1: only the organisations past the deadline.
    pub overdue: String,
    /// The request's first-year amount from, in tenge.
    pub min: String,
    /// The request's first-year amount to, in tenge.
    pub max: String,
}

impl DeskFilterParams {
    /// The filter asked for; an amount that does not parse is refused, naming its field.
    pub fn filter(&self) -> AppResult<service::DeskFilter> {
        Ok(service::DeskFilter {
            within: self.within.trim().parse().ok(),
            state: service::DeskState::from_code(self.status.trim()),
            kind: jospar_planning::RequestKind::from_code(self.kind.trim()),
            overdue: self.overdue.trim() == "1",
            min: amount(&self.min, "min")?,
            max: amount(&self.max, "max")?,
        })
    }
}

/// The filters of the report catalogue, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CatalogueFilterParams {
    /// The module contributing the report: planning, execution, open_budget, oversight.
    pub module: String,
    /// A number of the technical specification's list of reports.
    pub number: String,
}

impl CatalogueFilterParams {
    pub fn filter(&self) -> jospar_reports::catalogue::CatalogueFilter {
        jospar_reports::catalogue::CatalogueFilter {
            module: text(&self.module),
            spec_number: self.number.trim().parse().ok(),
        }
    }
}

/// The filters of the list of oversight applications, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilterParams {
    /// An organisation: applications anchored in its subtree.
    pub within: String,
    /// The year filed.
    pub year: String,
    /// draft, submitted, forwarded, refused, granted.
    pub status: String,
    /// The kind of body, e.g. maslikhat, revision_commission.
    pub kind: String,
    /// 1: only those whose next step is overdue.
    pub overdue: String,
}

impl ApplicationFilterParams {
    pub fn filter(&self) -> jospar_oversight::usecases::ApplicationFilter {
        jospar_oversight::usecases::ApplicationFilter {
            within: self.within.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
            status: jospar_oversight::application::Status::from_code(self.status.trim()),
            kind: jospar_oversight::BodyKind::from_code(self.kind.trim()),
            overdue: self.overdue.trim() == "1",
        }
    }
}

/// The filters of the open-budget documents list, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilterParams {
    /// An organisation: documents of its subtree's administrators.
    pub within: String,
    /// The document's year.
    pub year: String,
    /// open (in discussion) or closed.
    pub state: String,
    /// passport or report.
    pub kind: String,
    /// The program's amount of the year from, in tenge.
    pub min: String,
    /// The program's amount of the year to, in tenge.
    pub max: String,
}

impl DocumentFilterParams {
    /// The filter asked for; an amount that does not parse is refused, naming its field.
    pub fn filter(&self) -> AppResult<jospar_openbudget::lists::DocumentFilter> {
        Ok(jospar_openbudget::lists::DocumentFilter {
            within: self.within.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
            open: match self.state.trim() {
                "open" => Some(true),
                "closed" => Some(false),
                _ => None,
            },
            kind: jospar_openbudget::DocKind::from_code(self.kind.trim()),
            min: amount(&self.min, "min")?,
            max: amount(&self.max, "max")?,
        })
    }
}

/// The filters of the proposals awaiting moderation, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ProposalFilterParams {
    /// An organisation: proposals on documents of its subtree.
    pub within: String,
    /// The year the proposal came.
    pub year: String,
    /// The part of the document: purpose, tasks, indicators, expenses, other.
    pub part: String,
    /// The document's kind: passport or report.
    pub kind: String,
    /// 1: only those past the moderation deadline.
    pub overdue: String,
}

impl ProposalFilterParams {
    pub fn filter(&self) -> jospar_openbudget::lists::ProposalFilter {
        jospar_openbudget::lists::ProposalFilter {
            within: self.within.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
            part: text(&self.part),
            kind: jospar_openbudget::DocKind::from_code(self.kind.trim()),
            overdue: self.overdue.trim() == "1",
        }
    }
}

/// The filters of the training records, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SessionFilterParams {
    /// An organisation: sessions passed by a user of its subtree.
    pub within: String,
    /// The year held.
    pub year: String,
    /// The report: issued, awaited or overdue.
    pub report: String,
}

impl SessionFilterParams {
    pub fn filter(&self) -> jospar_oversight::usecases::SessionFilter {
        jospar_oversight::usecases::SessionFilter {
            within: self.within.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
            report: jospar_oversight::usecases::ReportState::from_code(self.report.trim()),
        }
    }
}

/// The filters of the list of portal imports, as typed (issue 20).
#[derive(Deserialize, Default, Clone, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ImportFilterParams {
    /// An organisation: imports kept under it or one below it.
    pub within: String,
    /// Imports whose months reach into this year.
    pub year: String,
}

impl ImportFilterParams {
    pub fn filter(&self) -> jospar_execution::usecases::portal_reports::ImportFilter {
        jospar_execution::usecases::portal_reports::ImportFilter {
            within: self.within.trim().parse().ok(),
            year: self.year.trim().parse().ok(),
        }
    }
}
