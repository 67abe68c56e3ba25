//! The forecast of receipts filled from execution (issue 22): the authorized body picks a form
//! 2-19 of receipts it has imported and a yearly growth, and every code of the form gets its
//! figure for each year of the planning period with that basis written beside it. Here and not
//! in the budget crate because the budget module does not read execution; execution reads the
//! budget (plans are reconciled with its versions).

use crate::treasury::ReceiptRow;
use crate::treasury_store::{self, TreasuryReport};
use crate::usecases::treasury::FORM_219;
use chrono::{Datelike, NaiveDate};
use jospar_access::{Error, Principal, Reader, Result};
use jospar_budget::forecast::{self, ForecastLine, ForecastWithLines};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_store::Db;

/// The most growth a year the authorized body may apply, in hundredths of a percent (100 %).
const MOST_GROWTH: i64 = 10_000;

/// The forms 2-19 the caller reads, newest first: what a forecast may be filled from.
pub async fn receipt_forms(db: &Db, reader: &Reader<'_>) -> Result<Vec<TreasuryReport>> {
    Ok(treasury_store::reports(db)
        .await?
        .into_iter()
        .filter(|r| r.form == FORM_219 && reader.can_read(r.org_id))
        .collect())
}

/// The year a form 2-19 estimates and the estimate of a code in it: a form as at 1 January
/// closes the year before, and what was received is the year's execution; a form within a
/// year gives the year's plan as its estimate.
pub fn year_estimate(report_date: NaiveDate, row: &ReceiptRow) -> (i32, Tenge) {
    if report_date.month() == 1 && report_date.day() == 1 {
        (report_date.year() - 1, row.received)
    } else {
        (report_date.year(), row.plan_year)
    }
}

/// `amount` grown by `growth` (hundredths of a percent) a year for `years` years, rounded
/// down to the tenge each year, as a finance department's spreadsheet does.
pub fn grown(amount: Tenge, growth: i64, years: i32) -> Tenge {
    let mut tiyn = i128::from(amount.tiyn());
    for _ in 0..years.max(0) {
        tiyn = tiyn * i128::from(10_000 + growth) / 10_000 / 100 * 100;
    }
    Tenge::from_tiyn(i64::try_from(tiyn).unwrap_or(i64::MAX))
}

/// Fills a draft forecast from a form 2-19: each code's estimate of the form's year grown by
/// `growth` (a percent as typed, "8" or "7,5") a year, for each year of the period. Codes the
/// form does not have keep what the forecast holds; every change is audited by the save.
pub async fn fill_from_execution(
    db: &Db,
    tr: &Tr,
    p: &Principal,
    forecast_id: i64,
    version: i64,
    form_id: i64,
    growth: &str,
) -> Result<ForecastWithLines> {
    let reader = Reader::User(p);
    let current = forecast::forecast(db, &reader, forecast_id).await?;
    // Who may not type the forecast learns nothing of the form asked for.
    let campaign =
        jospar_budget::usecases::campaign(db, &reader, current.forecast.campaign_id).await?;
    p.require(jospar_org::Right::Enter, campaign.authority_org_id)?;
    let (head, rows) = treasury_store::report::<ReceiptRow>(db, form_id, FORM_219)
        .await?
        .ok_or_else(|| Error::invalid("err-forecast-form", "receipt_form"))?;
    reader.require_read(head.org_id)?;
    let growth = Tenge::parse(growth)
        .ok()
        .map(|g| g.tiyn())
        .filter(|g| (0..=MOST_GROWTH).contains(g))
        .ok_or_else(|| Error::invalid("err-forecast-growth", "growth"))?;
    let first = current.forecast.first_year;
    let mut lines = Vec::new();
    for row in rows.iter().filter(|r| r.code.len() == 6) {
        let (base_year, estimate) = year_estimate(head.report_date, row);
        if estimate == Tenge::ZERO {
            continue;
        }
        let basis = tr.args(
            "forecast-basis-execution",
            &[
                ("date", head.report_date.format("%d.%m.%Y").to_string()),
                ("year", base_year.to_string()),
                ("growth", Tenge::from_tiyn(growth).to_string()),
            ],
        );
        for year in first..first + 3 {
            lines.push(ForecastLine {
                code: row.code.clone(),
                year,
                amount_tiyn: grown(estimate, growth, year - base_year).tiyn(),
                basis: basis.clone(),
            });
        }
    }
    forecast::save_lines(db, p, forecast_id, version, &lines).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(plan_year: i64, received: i64) -> ReceiptRow {
        ReceiptRow {
            row: 1,
            code: "101201".into(),
            plan_year: Tenge::from_tiyn(plan_year),
            plan_period: Tenge::ZERO,
            received: Tenge::from_tiyn(received),
        }
    }

    #[test]
    fn a_form_at_new_year_closes_the_year_before() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        let r = row(1_000, 900);
        assert_eq!(year_estimate(day(1, 1), &r), (2025, Tenge::from_tiyn(900)));
        assert_eq!(
            year_estimate(day(4, 1), &r),
            (2026, Tenge::from_tiyn(1_000))
        );
    }

    #[test]
    fn growth_compounds_and_rounds_down_to_the_tenge_each_year() {
        let million = Tenge::from_tiyn(100_000_000);
        assert_eq!(grown(million, 800, 0), million);
        assert_eq!(grown(million, 800, 1), Tenge::from_tiyn(108_000_000));
        assert_eq!(grown(million, 800, 2), Tenge::from_tiyn(116_640_000));
        // 101,01 tenge grown 7,5 %: 108,58575 → 108 tenge.
        assert_eq!(
            grown(Tenge::from_tiyn(10_101), 750, 1),
            Tenge::from_tiyn(10_800)
        );
        assert_eq!(grown(million, 800, -1), million, "no shrinking backwards");
    }
}
