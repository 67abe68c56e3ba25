//! Publishing to the "Region passport" portal (EX-R 22–23): the cash execution report of an
//! imported form 5-52, and the budget's structure — receipts of a form 2-19 by category and
//! class, expenses of the 5-52 by administrator and program — built here to the tiyn, sent
//! through the configured portal, every attempt recorded with its outcome.

use crate::passport_store::{self, PassportExport};
use crate::treasury::{CashRow, ReceiptRow};
use crate::treasury_store::{self, TreasuryReport};
use chrono::{Datelike, NaiveDate};
use jospar_access::Principal;
use jospar_access::Reader;
use jospar_access::Right;
use jospar_access::{Error, Result};
use jospar_classification::{CodeKind, repo as ebk};
use jospar_passport::{PassportReport, PassportRow, RegionPassport, ReportKind, Totals};
use jospar_store::Db;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The imported forms a caller may publish from: forms 5-52 of the organisations where the
/// caller enters data (cash execution), forms 2-19 of those the caller reads (receipts of the
/// budget structure).
pub struct Sources<'a> {
    pub forms_552: Vec<&'a TreasuryReport>,
    pub forms_219: Vec<&'a TreasuryReport>,
}

pub fn sources<'a>(p: &Principal, forms: &'a [TreasuryReport]) -> Sources<'a> {
    let of = |form: &str, right: Right| {
        forms
            .iter()
            .filter(|r| r.form == form && p.can(right, r.org_id))
            .collect()
    };
    Sources {
        forms_552: of(crate::usecases::treasury::FORM_552, Right::Enter),
        forms_219: of(crate::usecases::treasury::FORM_219, Right::Read),
    }
}

async fn form<T: serde::de::DeserializeOwned>(
    db: &Db,
    id: i64,
    form: &str,
    field: &str,
) -> Result<(TreasuryReport, Vec<T>)> {
    treasury_store::report::<T>(db, id, form)
        .await
        .map_err(Error::from)?
        .ok_or_else(|| Error::invalid("err-passport-source", field))
}

/// A code's Russian name in the classification of the report's year, or none.
async fn name_of(db: &Db, date: NaiveDate, kind: CodeKind, code: &str) -> Result<String> {
    let year = crate::usecases::treasury::classification_year(db, date.year()).await?;
    Ok(ebk::get(db, year, kind, code)
        .await?
        .map(|c| c.name_ru)
        .unwrap_or_default())
}

/// EX-R 22: every row of the 5-52 as it is.
async fn cash_rows(db: &Db, date: NaiveDate, rows: &[CashRow]) -> Result<Vec<PassportRow>> {
    let mut out = Vec::new();
    for r in rows {
        let code = [&r.abp, &r.program, &r.subprogram, &r.specific]
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("/");
        out.push(PassportRow {
            section: "expenses".into(),
            code,
            name: name_of(db, date, CodeKind::EconSpecific, &r.specific).await?,
            plan_year: r.plan_year.tiyn(),
            plan_period: r.plan_period.tiyn(),
            executed: r.executed.tiyn(),
        });
    }
    Ok(out)
}

/// EX-R 23: receipts by category and class ("1 01"), expenses by administrator and program.
async fn structure_rows(
    db: &Db,
    date: NaiveDate,
    receipts: &[ReceiptRow],
    expenses: &[CashRow],
) -> Result<Vec<PassportRow>> {
    let mut by_class: BTreeMap<String, Totals> = BTreeMap::new();
    for r in receipts {
        let class = format!("{} {}", &r.code[0..1], &r.code[1..3]);
        let t = by_class.entry(class).or_default();
        t.plan_year += r.plan_year.tiyn();
        t.plan_period += r.plan_period.tiyn();
        t.executed += r.received.tiyn();
    }
    let mut by_program: BTreeMap<(String, String), Totals> = BTreeMap::new();
    for r in expenses {
        let t = by_program
            .entry((r.abp.clone(), r.program.clone()))
            .or_default();
        t.plan_year += r.plan_year.tiyn();
        t.plan_period += r.plan_period.tiyn();
        t.executed += r.executed.tiyn();
    }
    let mut out = Vec::new();
    for (class, t) in by_class {
        out.push(row(
            "receipts",
            class.clone(),
            name_of(db, date, CodeKind::ReceiptClass, &class).await?,
            t,
        ));
    }
    for ((abp, program), t) in by_program {
        let name = name_of(db, date, CodeKind::Abp, &abp).await?;
        out.push(row("expenses", format!("{abp}/{program}"), name, t));
    }
    Ok(out)
}

fn row(section: &str, code: String, name: String, t: Totals) -> PassportRow {
    PassportRow {
        section: section.into(),
        code,
        name,
        plan_year: t.plan_year,
        plan_period: t.plan_period,
        executed: t.executed,
    }
}

/// What to publish: the kind and the imported forms it is built from.
pub struct Publication {
    pub kind: String,
    pub f552: i64,
    pub f219: Option<i64>,
}

/// The report of a publication as the portal gets it, with the form it comes from and the
/// sources it names; the reader must read the forms.
async fn build(
    db: &Db,
    reader: &Reader<'_>,
    what: &Publication,
) -> Result<(TreasuryReport, String, PassportReport)> {
    let kind = ReportKind::from_code(&what.kind).ok_or_else(|| Error::Invalid {
        key: "err-unknown-value",
        args: vec![("field", "kind".into()), ("value", what.kind.clone())],
        field: Some("kind".into()),
    })?;
    let (head, expenses) =
        form::<CashRow>(db, what.f552, crate::usecases::treasury::FORM_552, "f552").await?;
    reader.require_read(head.org_id)?;
    let mut sources = format!("5-52:{}", head.id);
    let rows = match kind {
        ReportKind::CashExecution => cash_rows(db, head.report_date, &expenses).await?,
        ReportKind::BudgetStructure => {
            let id = what
                .f219
                .ok_or_else(|| Error::invalid("err-required", "f219"))?;
            let (h219, receipts) =
                form::<ReceiptRow>(db, id, crate::usecases::treasury::FORM_219, "f219").await?;
            reader.require_read(h219.org_id)?;
            sources += &format!(", 2-19:{}", h219.id);
            structure_rows(db, head.report_date, &receipts, &expenses).await?
        }
    };
    let org = jospar_org::repo::get_org(db, head.org_id)
        .await?
        .ok_or(Error::NotFound)?;
    let report = PassportReport::new(
        kind,
        org.bin.as_deref().unwrap_or_default(),
        &org.name_ru,
        head.report_date,
        rows,
    );
    Ok((head, sources, report))
}

/// EX-R 22–23 in the catalogue: what a publication sends to the Region passport portal — each
/// row with its annual plan, plan of the period and execution, the totals by section and of the
/// whole, to the tiyn, as the portal checks them.
pub async fn preview_table(
    db: &Db,
    tr: &jospar_i18n::Tr,
    reader: &Reader<'_>,
    what: &Publication,
) -> Result<jospar_reports::Table> {
    use jospar_reports::{Cell, Table};
    let (head, _, report) = build(db, reader, what).await?;
    let mut table = Table {
        title: tr.t(&format!("report-region-passport-{}", report.kind.code())),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
            crate::usecases::treasury::form_subtitle(tr, &head),
        ],
        headers: [
            "passport-col-section",
            "passport-col-code",
            "passport-col-name",
            "analytics-col-plan-year",
            "analytics-col-plan-period",
            "treasury-col-executed",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let money = |tiyn: i64| Cell::Money(jospar_core::Tenge::from_tiyn(tiyn));
    for r in &report.rows {
        table.rows.push(vec![
            Cell::Text(tr.t(&format!("passport-section-{}", r.section))),
            Cell::Text(r.code.clone()),
            Cell::Text(r.name.clone()),
            money(r.plan_year),
            money(r.plan_period),
            money(r.executed),
        ]);
    }
    let all = Totals::of(&report.rows);
    table.total = Some(vec![
        Cell::Text(tr.t("total")),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        money(all.plan_year),
        money(all.plan_period),
        money(all.executed),
    ]);
    Ok(table)
}

/// Builds the report and sends it; every attempt is recorded. A report the portal refused or
/// could not take is an error naming the portal's reason (and stays in the list).
pub async fn publish(
    db: &Db,
    p: &Principal,
    portal: Option<&Arc<dyn RegionPassport>>,
    what: &Publication,
) -> Result<PassportExport> {
    // Publishing is done for an organisation where the user enters data.
    if p.scope(Right::Enter).ids().is_empty() {
        return Err(Error::Forbidden);
    }
    let portal = portal.ok_or_else(|| Error::invalid("err-passport-off", "passport"))?;
    let (head, sources, report) = build(db, &Reader::User(p), what).await?;
    p.require(Right::Enter, head.org_id)?;
    let outcome = portal.publish(&report).await;
    let (status, remote_id, error) = match &outcome {
        Ok(receipt) => ("sent", Some(receipt.id.clone()), None),
        Err(jospar_passport::PassportError::Refused { message, .. }) => {
            ("refused", None, Some(message.clone()))
        }
        Err(e) => ("failed", None, Some(e.to_string())),
    };
    let export = passport_store::record(
        db,
        &p.who(),
        PassportExport {
            id: 0,
            org_id: head.org_id,
            kind: report.kind.code().into(),
            report_date: head.report_date,
            sources,
            row_count: report.rows.len() as i64,
            executed: Totals::of(&report.rows).executed,
            status: status.into(),
            remote_id,
            error: error.clone(),
            sent_by: String::new(),
            sent_at: chrono::Utc::now(),
        },
    )
    .await
    .map_err(Error::from)?;
    match error {
        None => Ok(export),
        Some(reason) => Err(Error::Invalid {
            key: "err-passport-refused",
            args: vec![("reason", reason)],
            field: Some("passport".into()),
        }),
    }
}

/// The attempts the caller may read, newest first.
pub async fn exports(db: &Db, p: &Principal) -> Result<Vec<PassportExport>> {
    Ok(passport_store::exports(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|e| p.can(Right::Read, e.org_id))
        .collect())
}
