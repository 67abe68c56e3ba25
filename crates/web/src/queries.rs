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
    pub fn filter(&self) -> AppResult<AuditFilter> {
        let date_or_none = |v: &str, field: &str| -> AppResult<Option<chrono::NaiveDate>> {
            if v.trim().is_empty() {
                Ok(None)
            } else {
                jospar_access::parse_date(v, field).map(Some)
            }
        };
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        Ok(AuditFilter {
            login: text(&self.login).map(|l| l.to_lowercase()),
            entity: text(&self.entity),
            entity_id: text(&self.entity_id),
            from: date_or_none(&self.from, "from")?,
            to: date_or_none(&self.to, "to")?,
            org_ids: None,
            limit: 500,
        })
    }
}
