//! Mutually offsetting codes (EX-R 30) for the pages, the API and the report: the authorized
//! body keeps the pairs (approve right on it), their codes checked against the classification;
//! the control sets the paying administrators' financing plans by payments beside the
//! receiving budgets' plans of receipts under the pair's code, month by month.

use super::naming::{key_cells, receipt_cell, receipt_names};
use crate::analysis::{MonthBalance, balance};
use crate::offsetting::{self, NewPair, OffsettingPair, PairError};
use crate::usecases::analytics::PlanScope;
use crate::usecases::plans::{approved_plans, refusal};
use crate::usecases::treasury::classification_year;
use chrono::NaiveDate;
use jospar_access::Principal;
use jospar_access::Reader;
use jospar_access::{Error, Result};
use jospar_classification::repo::ExpenseNames;
use jospar_classification::{CodeKind, repo as ebk};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_org::{Org, OrgTree, Right};
use jospar_reports::{Cell, Table};
use jospar_store::Db;

fn pair_error(e: PairError) -> Error {
    match e {
        PairError::BadCode {
            field,
            value,
            digits,
        } => Error::Invalid {
            key: "err-offsetting-digits",
            args: vec![
                ("field", field.into()),
                ("value", value),
                ("digits", digits.to_string()),
            ],
            field: Some(field.into()),
        },
        PairError::NotTransfer(code) => Error::Invalid {
            key: "err-offsetting-not-transfer",
            args: vec![("value", code)],
            field: Some("receipt_code".into()),
        },
        PairError::NoName => Error::invalid("err-required", "name"),
    }
}

/// The pairs of the organisations the caller may read.
pub async fn list(db: &Db, p: &Principal) -> Result<Vec<OffsettingPair>> {
    Ok(offsetting::pairs(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|pair| p.can(Right::Read, pair.org_id))
        .collect())
}

/// Adds a pair for an authorized body: codes well formed, the administrator and the receipts
/// subclass known to the classification of the year, the pair not there already.
pub async fn add(db: &Db, p: &Principal, new: NewPair) -> Result<OffsettingPair> {
    p.require(Right::Approve, new.org_id)?;
    let year = i32::try_from(new.year)
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Error::Invalid {
            key: "err-report-param",
            args: vec![("field", "year".into()), ("value", new.year.to_string())],
            field: Some("year".into()),
        })?;
    let new = new.checked().map_err(pair_error)?;
    let classification = classification_year(db, year).await?;
    let subclass = format!(
        "{} {} {}",
        &new.receipt_code[0..1],
        &new.receipt_code[1..3],
        &new.receipt_code[3..4]
    );
    for (kind, field, code) in [
        (CodeKind::Abp, "abp", new.abp.as_str()),
        (CodeKind::ReceiptSubclass, "receipt_code", subclass.as_str()),
    ] {
        if ebk::get(db, classification, kind, code).await?.is_none() {
            return Err(Error::Invalid {
                key: "err-unknown-code",
                args: vec![("field", field.into()), ("value", code.into())],
                field: Some(field.into()),
            });
        }
    }
    offsetting::add(db, &p.who(), new)
        .await
        .map_err(Error::from)?
        .ok_or_else(|| Error::invalid("err-offsetting-exists", "receipt_code"))
}

/// Whether the caller may remove a pair: the approving authority of its organisation.
pub fn may_remove(p: &Principal, pair: &OffsettingPair) -> bool {
    p.can(Right::Approve, pair.org_id)
}

/// Removes a pair, with the reason.
pub async fn remove(db: &Db, p: &Principal, id: i64, reason: &str) -> Result<OffsettingPair> {
    let pair = offsetting::pairs(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .find(|pair| pair.id == id)
        .ok_or(Error::NotFound)?;
    p.require(Right::Approve, pair.org_id)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    offsetting::remove(db, &p.who(), id, reason)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)
}

/// The administrator's code of an organisation: its own, or that of the nearest organisation
/// above it that has one.
fn abp_of(orgs: &[Org], id: i64) -> Option<&str> {
    let mut current = orgs.iter().find(|o| o.id == id);
    while let Some(org) = current {
        if let Some(code) = org.abp_code.as_deref() {
            return Some(code);
        }
        current = org
            .parent_id
            .and_then(|parent| orgs.iter().find(|o| o.id == parent));
    }
    None
}

/// One pair's two monthly series: the paying side's plans by payments, the receiving side's
/// plans of receipts.
struct PairControl {
    pair: OffsettingPair,
    months: [MonthBalance; 12],
}

impl PairControl {
    fn paid(&self) -> Tenge {
        self.months.iter().map(|m| m.left).sum()
    }
    fn received(&self) -> Tenge {
        self.months.iter().map(|m| m.right).sum()
    }
    fn months_differing(&self) -> usize {
        self.months
            .iter()
            .filter(|m| m.difference != Tenge::ZERO)
            .count()
    }
}

/// The pairs of the scope's year kept by the root, an organisation above it or one below it,
/// each with the subtree's plans of both sides.
async fn controls(db: &Db, tree: &OrgTree, scope: &PlanScope<'_>) -> Result<Vec<PairControl>> {
    let pairs: Vec<OffsettingPair> = offsetting::pairs(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|pair| {
            pair.year == i64::from(scope.year)
                && (tree.is_within(scope.root, pair.org_id)
                    || tree.is_within(pair.org_id, scope.root))
        })
        .collect();
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let date = scope.as_of.unwrap_or(NaiveDate::MAX);
    let mut paying: Vec<(String, Vec<crate::PlanLine>)> = Vec::new();
    for plan in approved_plans(db, tree, scope.root, scope.year).await? {
        let lines = plan
            .as_of(date)
            .map_err(|e| refusal(crate::plans::PlanRefusal::Change(e)))?;
        let abp = abp_of(&orgs, plan.org_id).unwrap_or_default().to_string();
        paying.push((abp, lines));
    }
    let receipt_plans =
        crate::usecases::receipt_plans::approved_receipt_plans(db, tree, scope.root, scope.year)
            .await?;
    Ok(pairs
        .into_iter()
        .map(|pair| {
            let mut paid = [Tenge::ZERO; 12];
            for (abp, lines) in &paying {
                for line in lines.iter().filter(|l| pair.pays(abp, l)) {
                    for (p, m) in paid.iter_mut().zip(line.payments) {
                        *p += m;
                    }
                }
            }
            let mut received = [Tenge::ZERO; 12];
            for line in receipt_plans
                .iter()
                .flat_map(|p| &p.lines)
                .filter(|l| l.code == pair.receipt_code)
            {
                for (r, m) in received.iter_mut().zip(line.months) {
                    *r += m;
                }
            }
            PairControl {
                months: balance(&paid, &received),
                pair,
            }
        })
        .collect())
}

/// Report 30: the control of mutually offsetting codes of a subtree for a year — each pair
/// with the year's plans of both sides, their difference and the months they differ in (in
/// bold when they do); with `pair`, that pair month by month.
pub async fn offsetting_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &PlanScope<'_>,
    pair: Option<i64>,
) -> Result<Table> {
    reader.require_read(scope.root)?;
    let controls = controls(db, tree, scope).await?;
    let expenses = ExpenseNames::of_administrators(db, scope.year, Vec::new(), tr.lang()).await?;
    let receipts = receipt_names(db, scope.year).await?;
    let mut subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, scope.root).await?,
        scope.year.to_string(),
    ];
    if let Some(d) = scope.as_of {
        subtitle.push(tr.args("plan-report-as-of", &[("date", d.to_string())]));
    }
    if let Some(id) = pair {
        let control = controls
            .into_iter()
            .find(|c| c.pair.id == id)
            .ok_or(Error::NotFound)?;
        return Ok(pair_months(tr, subtitle, &control));
    }
    let mut table = Table {
        title: tr.t("report-offsetting-codes"),
        subtitle,
        headers: [
            "treasury-col-abp",
            "plan-col-program",
            "plan-col-subprogram",
            "offsetting-col-receipt-code",
            "offsetting-col-name",
            "offsetting-col-paid",
            "offsetting-col-received",
            "exec-col-difference",
            "offsetting-col-months",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let mut sums = [Tenge::ZERO; 3];
    let mut differing = 0;
    for c in &controls {
        let values = [c.paid(), c.received(), c.paid() - c.received()];
        for (s, v) in sums.iter_mut().zip(values) {
            *s += v;
        }
        if c.months_differing() > 0 {
            differing += 1;
            table.strong_rows.push(table.rows.len());
        }
        let mut row = key_cells(
            &expenses,
            &[
                c.pair.abp.clone(),
                c.pair.program.clone(),
                c.pair.subprogram.clone(),
            ],
        );
        row.push(receipt_cell(&receipts, tr, &c.pair.receipt_code));
        row.push(Cell::Text(c.pair.name.clone()));
        row.extend(values.into_iter().map(Cell::Money));
        row.push(Cell::Text(c.months_differing().to_string()));
        table.rows.push(row);
    }
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(vec![Cell::Text(String::new()); 4]);
    total.extend(sums.into_iter().map(Cell::Money));
    total.push(Cell::Text(String::new()));
    table.total = Some(total);
    table.footer.push(tr.args(
        "offsetting-differing",
        &[
            ("count", differing.to_string()),
            ("pairs", controls.len().to_string()),
        ],
    ));
    Ok(table)
}

/// One pair by month: paid, received, the difference and the running difference.
fn pair_months(tr: &Tr, mut subtitle: Vec<String>, control: &PairControl) -> Table {
    let pair = &control.pair;
    subtitle.push(format!(
        "{} {} {} → {} · {}",
        pair.abp, pair.program, pair.subprogram, pair.receipt_code, pair.name
    ));
    crate::usecases::analytics::balance_table(
        tr,
        "report-offsetting-codes",
        subtitle,
        [
            "offsetting-col-paid",
            "offsetting-col-received",
            "exec-col-difference",
        ],
        &control.months,
    )
}
