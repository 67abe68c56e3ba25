//! One expense identifier (P-14) followed through every stage of a year, as order 254 asks:
//! the request line → the approved budget → the financing plan in force → the procurement plan
//! points bought for it → the contracts whose units buy under those points → what was paid
//! under those units. Each stage shows its amount and the documents it is read from; the trace
//! says where it stops (the first stage with nothing).
//!
//! - request: the line's amount of the year in the request the financing plan was made from
//!   (else in the latest request holding the identifier);
//! - approved budget: the plan line's approved amount, once the plan is approved;
//! - financing plan: the plan line's payments of the year as in force today (changes applied);
//! - procurement: the plan points linked to the identifier (`link_expense`);
//! - contracts: the units of the portal's contracts under those points, with VAT;
//! - payment: what the portal says was executed under those units, with VAT.

use crate::procurement;
use jospar_access::{Error, Reader, Result};
use jospar_core::money::Tenge;
use jospar_i18n::Tr;
use jospar_reports::{Cell, Table};
use jospar_store::Db;

/// A stage of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The message key of its name.
    pub key: &'static str,
    pub amount: Tenge,
    /// The documents it was read from.
    pub documents: Vec<String>,
}

/// The stages of `expense_id` in `year`, with the organisation it belongs to, for a reader
/// who may read it.
pub async fn stages(
    db: &Db,
    reader: &Reader<'_>,
    expense_id: i64,
    year: i32,
    today: chrono::NaiveDate,
) -> Result<(i64, Vec<Stage>)> {
    let plan = financing_plan_of(db, expense_id, year).await?;
    let requests = jospar_planning::repo::lines_of_expense(db, expense_id).await?;
    let request_id = plan
        .as_ref()
        .map(|p| p.request_id)
        .filter(|id| requests.contains_key(id))
        .or_else(|| requests.keys().max().copied());
    let request = match request_id {
        Some(id) => jospar_planning::repo::request(db, id).await?,
        None => None,
    };
    let org_id = plan
        .as_ref()
        .map(|p| p.org_id)
        .or(request.as_ref().map(|r| r.org_id))
        .ok_or(Error::NotFound)?;
    reader.require_read(org_id)?;

    let requested = request_id
        .and_then(|id| requests.get(&id))
        .and_then(|lines| lines.first())
        .and_then(|line| line.amounts.get(&year).copied())
        .unwrap_or(Tenge::ZERO);
    let mut stages = vec![Stage {
        key: "trace-stage-request",
        amount: requested,
        documents: request_id
            .map(|id| vec![format!("#{id}")])
            .unwrap_or_default(),
    }];
    let (approved, planned, plan_documents) = match &plan {
        Some(plan) => {
            let line = plan.lines.iter().find(|l| l.expense_id == expense_id);
            let approved = match (plan.status, line) {
                (jospar_execution::plans::PlanStatus::Approved, Some(line)) => line.approved,
                _ => Tenge::ZERO,
            };
            let in_force = plan.as_of(today).unwrap_or_else(|_| plan.lines.clone());
            let planned = in_force
                .iter()
                .filter(|l| l.expense_id == expense_id)
                .flat_map(|l| l.payments)
                .sum();
            (approved, planned, vec![format!("#{}", plan.id)])
        }
        None => (Tenge::ZERO, Tenge::ZERO, Vec::new()),
    };
    stages.push(Stage {
        key: "trace-stage-approved",
        amount: approved,
        documents: plan_documents.clone(),
    });
    stages.push(Stage {
        key: "trace-stage-financing-plan",
        amount: planned,
        documents: plan_documents,
    });

    let points: Vec<procurement::PlanPointRow> = procurement::points_of_expense(db, expense_id)
        .await?
        .into_iter()
        .filter(|p| p.year == i64::from(year))
        .collect();
    stages.push(Stage {
        key: "trace-stage-procurement-plan",
        amount: Tenge::from_tiyn(points.iter().map(|p| p.amount).sum()),
        documents: points.iter().map(|p| p.id.to_string()).collect(),
    });
    let point_ids: Vec<i64> = points.iter().map(|p| p.id).collect();
    let contracts = procurement::contracts_of_points(db, &point_ids).await?;
    let under_points = |c: &[jospar_goszakup::page::ContractUnit]| {
        c.iter()
            .filter(|u| !u.deleted && point_ids.contains(&u.plan_point_id))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (mut contracted, mut paid) = (Tenge::ZERO, Tenge::ZERO);
    let mut numbers = Vec::new();
    for (contract, units) in contracts.iter().filter(|(c, _)| !c.deleted) {
        numbers.push(contract.contract_number_sys.clone());
        for unit in under_points(units) {
            contracted += unit.total_sum_with_vat;
            paid += unit.fact_sum_with_vat;
        }
    }
    stages.push(Stage {
        key: "trace-stage-contracts",
        amount: contracted,
        documents: numbers.clone(),
    });
    stages.push(Stage {
        key: "trace-stage-payment",
        amount: paid,
        documents: numbers,
    });
    Ok((org_id, stages))
}

/// The financing plan of `year` (the newest) holding the expense identifier.
async fn financing_plan_of(
    db: &Db,
    expense_id: i64,
    year: i32,
) -> Result<Option<jospar_execution::plans::Plan>> {
    for (id, _, plan_year) in jospar_execution::plans::plan_ids(db).await? {
        if plan_year != i64::from(year) {
            continue;
        }
        if let Some(plan) = jospar_execution::plans::plan(db, id).await?
            && plan.lines.iter().any(|l| l.expense_id == expense_id)
        {
            return Ok(Some(plan));
        }
    }
    Ok(None)
}

/// The first stage with nothing: where the identifier stops.
pub fn stops_at(stages: &[Stage]) -> Option<&Stage> {
    stages.iter().find(|s| s.amount == Tenge::ZERO)
}

/// The trace as a report.
pub async fn table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    expense_id: i64,
    year: i32,
) -> Result<Table> {
    let today = (chrono::Utc::now() + chrono::Duration::hours(5)).date_naive();
    let (org_id, stages) = stages(db, reader, expense_id, year, today).await?;
    let org = jospar_org::repo::get_org(db, org_id)
        .await?
        .map(|o| o.name(tr.lang()).to_string())
        .unwrap_or_default();
    let mut table = Table {
        title: tr.t("report-expense-trace"),
        subtitle: vec![tr.args(
            "trace-subtitle",
            &[
                ("expense", expense_id.to_string()),
                ("year", year.to_string()),
                ("org", org),
            ],
        )],
        headers: ["trace-col-stage", "trace-col-documents", "trace-col-amount"]
            .iter()
            .map(|k| tr.t(k))
            .collect(),
        numbered: true,
        ..Table::default()
    };
    for stage in &stages {
        table.rows.push(vec![
            Cell::Text(tr.t(stage.key)),
            Cell::Text(stage.documents.join(", ")),
            Cell::Money(stage.amount),
        ]);
    }
    table.footer.push(match stops_at(&stages) {
        Some(stage) => tr.args("trace-stops", &[("stage", tr.t(stage.key))]),
        None => tr.t("trace-complete"),
    });
    Ok(table)
}
