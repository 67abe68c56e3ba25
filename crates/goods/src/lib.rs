//! Goods and prices (P-13, P-5, order 254 p.2, 7, 14, 18; issue 23): the goods classifier
//! ЕНС ТРУ and the national catalogue НКТ as reference tables imported from their published
//! files; a price database of observed prices by good, region and date, with the yearly
//! inflation index; the recommended price of a good (median, indexed — [`prices`]); and the
//! check of a calculation form's price column against it. A price above the recommended one is
//! refused or accepted with a written justification, as the rule in force (a setting) says;
//! every check is logged.

pub mod import;
pub mod prices;
pub mod store;

pub use import::{FileKind, ImportError, is_good_code};
pub use prices::{Indices, Observation, Recommended};

use chrono::{DateTime, NaiveDate, Utc};
use jospar_access::{Error, Principal, Result, Right};
use jospar_forms::{FormDef, RowInput, parse_decimal};
use jospar_store::{Db, StoreError};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// An item of the goods classifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Good {
    /// The ЕНС ТРУ code, `192021.100.000001`.
    pub code: String,
    /// goods, work or service.
    pub kind: String,
    pub name_ru: String,
    pub name_kk: String,
    pub unit: String,
}

impl Good {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "kk" && !self.name_kk.is_empty() {
            &self.name_kk
        } else {
            &self.name_ru
        }
    }
}

/// An item of the national catalogue: a concrete product of a good of the classifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CatalogueItem {
    pub code: String,
    pub good_code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub unit: String,
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = GoodsImportSummary)]
pub struct ImportSummary {
    /// goods, catalogue or prices.
    pub kind: String,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

jospar_access::code_enum!(
    /// What happens to a price above the recommended one (the rule in force).
    PriceRule {
        /// The row is refused.
        Refuse = "refuse",
        /// The row is accepted with a written justification, refused without one.
        Justify = "justify",
    }
);

jospar_access::code_enum!(
    /// How a price check ended.
    Outcome {
        /// At or below the recommended price.
        Within = "within",
        /// Above it, accepted with the justification written.
        Justified = "justified",
        /// Above it, refused.
        Refused = "refused",
        /// The good has no prices to recommend from.
        Unpriced = "unpriced",
    }
);

/// One logged check of a calculation row's price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CheckLog {
    pub id: i64,
    pub checked_at: DateTime<Utc>,
    pub login: String,
    pub iin: String,
    pub org_id: i64,
    pub request_id: i64,
    pub line_id: i64,
    pub year: i32,
    pub row_no: i64,
    pub good_code: String,
    /// The price typed, tiyn.
    pub price: i64,
    /// The recommended price, tiyn (none when the good has no prices).
    pub recommended: Option<i64>,
    pub rule: String,
    pub outcome: String,
    pub justification: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GoodsError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for GoodsError {
    fn from(e: sqlx::Error) -> Self {
        GoodsError::Store(e.into())
    }
}

/// The refusal a user reads for a file that cannot be imported, naming its row and column.
pub fn goods_error(e: GoodsError) -> Error {
    let invalid = |key, args: Vec<(&'static str, String)>, field: String| Error::Invalid {
        key,
        args,
        field: Some(field),
    };
    match e {
        GoodsError::Store(e) => e.into(),
        GoodsError::Import(e) => match e {
            ImportError::NotUtf8 => invalid("err-import-utf8", vec![], "file".into()),
            ImportError::Empty => invalid("err-import-empty", vec![], "file".into()),
            ImportError::UnknownFormat => invalid("err-goods-format", vec![], "file".into()),
            ImportError::Csv { row, message } => invalid(
                "err-import-csv",
                vec![("row", row.to_string()), ("message", message)],
                format!("row {row}"),
            ),
            ImportError::BadValue { row, column, value } => invalid(
                "err-import-value",
                vec![
                    ("row", row.to_string()),
                    ("column", column.clone()),
                    ("value", value),
                ],
                format!("row {row}, {column}"),
            ),
            ImportError::Duplicate { row, column, value } => invalid(
                "err-goods-duplicate",
                vec![
                    ("row", row.to_string()),
                    ("column", column.clone()),
                    ("value", value),
                ],
                format!("row {row}, {column}"),
            ),
            ImportError::UnknownGood { row, column, value } => invalid(
                "err-goods-unknown-row",
                vec![
                    ("row", row.to_string()),
                    ("column", column.clone()),
                    ("value", value),
                ],
                format!("row {row}, {column}"),
            ),
        },
    }
}

// ---------- use cases ----------

/// Goods, prices, indices and the rule are reference data of the whole system: configured by
/// the system's configurers, read by every signed-in user.
pub fn may_configure(p: &Principal) -> bool {
    p.can_system(Right::Configure)
}

pub fn require_configurer(p: &Principal) -> Result<()> {
    p.require_system(Right::Configure)
}

/// A page of the classifier for the list's query: sorted by code, or by name with
/// `sort=name`.
pub async fn search(
    db: &Db,
    query: &jospar_core::listing::ListQuery,
) -> Result<(Vec<Good>, usize)> {
    let by_name = query.sort.as_deref() == Some("name");
    let limit = query.limit.clamp(1, jospar_core::listing::MAX_LIMIT);
    stored(store::search(db, &query.q, by_name, query.descending, query.offset, limit).await)
}

pub async fn import(
    db: &Db,
    p: &Principal,
    input: impl std::io::Read,
    file_name: &str,
) -> Result<ImportSummary> {
    require_configurer(p)?;
    store::import(db, &p.who(), input, file_name)
        .await
        .map_err(goods_error)
}

fn stored<T>(r: std::result::Result<T, GoodsError>) -> Result<T> {
    r.map_err(goods_error)
}

/// A good with its catalogue items and prices, for its page and the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GoodCard {
    pub good: Good,
    pub catalogue: Vec<CatalogueItem>,
    /// Newest first.
    pub prices: Vec<Observation>,
    /// The recommended price in the caller's region for the current year and the three next.
    pub recommended: Vec<Recommended>,
}

pub async fn card(db: &Db, p: &Principal, code: &str, region: Option<&str>) -> Result<GoodCard> {
    let good = stored(store::good(db, code).await)?.ok_or(Error::NotFound)?;
    let prices = stored(store::observations(db, code).await)?;
    let indices = stored(store::indices(db).await)?;
    let today = p.today;
    let recommended = (0..4)
        .filter_map(|k| {
            prices::recommended(
                &prices,
                region,
                chrono::Datelike::year(&today) + k,
                &indices,
                today,
            )
        })
        .collect();
    Ok(GoodCard {
        catalogue: stored(store::catalogue_of(db, code).await)?,
        good,
        prices,
        recommended,
    })
}

/// A price typed on a good's page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewPrice {
    /// КАТО region code, two digits; empty for the republic.
    pub region: String,
    /// YYYY-MM-DD or DD.MM.YYYY.
    pub date: String,
    /// Tenge per unit, "310,50".
    pub price: String,
    pub source: String,
}

pub async fn add_price(db: &Db, p: &Principal, code: &str, new: &NewPrice) -> Result<()> {
    require_configurer(p)?;
    stored(store::good(db, code).await)?.ok_or(Error::NotFound)?;
    let region = new.region.trim();
    if !import::is_region(region) {
        return Err(Error::invalid("err-goods-region", "region"));
    }
    let observed_on =
        import::parse_date(new.date.trim()).ok_or_else(|| Error::invalid("err-date", "date"))?;
    if observed_on > p.today {
        return Err(Error::invalid("err-goods-future", "date"));
    }
    let price = jospar_core::Tenge::parse(&new.price)
        .ok()
        .map(jospar_core::Tenge::tiyn)
        .filter(|t| *t > 0)
        .ok_or_else(|| Error::invalid("err-goods-price", "price"))?;
    let source = new.source.trim();
    if source.is_empty() {
        return Err(Error::invalid("err-required", "source"));
    }
    let observation = Observation {
        good_code: code.to_string(),
        region: region.to_string(),
        observed_on,
        source: source.to_string(),
        price,
    };
    stored(store::put_observation(db, &p.who(), &observation).await)
}

/// The inflation indices and the rule in force.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceSettings {
    pub rule: PriceRule,
    /// Year → basis points.
    #[schema(value_type = Object)]
    pub indices: Indices,
}

pub async fn settings(db: &Db) -> Result<PriceSettings> {
    Ok(PriceSettings {
        rule: stored(store::rule(db).await)?,
        indices: stored(store::indices(db).await)?,
    })
}

/// Sets the rule in force, with the reason (the order or letter that changed it).
pub async fn set_rule(db: &Db, p: &Principal, rule: &str, reason: &str) -> Result<()> {
    require_configurer(p)?;
    let rule =
        PriceRule::from_code(rule).ok_or_else(|| Error::invalid("err-goods-rule", "rule"))?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    stored(store::set_rule(db, &p.who(), rule, reason.trim()).await)
}

/// Sets a year's inflation in percent ("8,6"), or removes it when empty.
pub async fn set_index(db: &Db, p: &Principal, year: &str, percent: &str) -> Result<()> {
    require_configurer(p)?;
    let year: i32 = year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Error::invalid("err-year", "year"))?;
    let percent = percent.trim();
    let bp = if percent.is_empty() {
        None
    } else {
        let value = parse_decimal(percent)
            .filter(|v| *v > Decimal::from(-50) && *v < Decimal::from(100))
            .ok_or_else(|| Error::invalid("err-goods-percent", "percent"))?;
        let bp = value * Decimal::from(100);
        if bp.fract() != Decimal::ZERO {
            return Err(Error::invalid("err-goods-percent", "percent"));
        }
        Some(i64::try_from(bp).map_err(|_| Error::invalid("err-goods-percent", "percent"))?)
    };
    stored(store::set_index(db, &p.who(), year, bp).await)
}

/// The logged checks of the organisations the caller reads, newest first.
pub async fn checks(db: &Db, p: &Principal) -> Result<Vec<CheckLog>> {
    let all = stored(store::checks(db, 5_000).await)?;
    Ok(all
        .into_iter()
        .filter(|c| p.can(Right::Read, c.org_id))
        .take(500)
        .collect())
}

// ---------- the check of calculation rows ----------

/// The region prices are compared in: the first two digits of the КАТО of the organisation's
/// budget (none for the republican budget, whose КАТО starts with 00).
pub async fn region_of(db: &Db, org_id: i64) -> Result<Option<String>> {
    let Some(org) = jospar_org::repo::get_org(db, org_id)
        .await
        .map_err(Error::from)?
    else {
        return Ok(None);
    };
    let budgets = jospar_org::repo::budgets(db).await.map_err(Error::from)?;
    Ok(budgets
        .into_iter()
        .find(|b| b.id == org.budget_id)
        .map(|b| b.kato.chars().take(2).collect::<String>())
        .filter(|r| r.len() == 2 && r != "00"))
}

/// Where a calculation's rows are checked: the region of the organisation's budget (its
/// КАТО's first two digits; none for the republic's) and the planning year.
pub struct CheckPlace {
    pub region: Option<String>,
    pub year: i32,
    pub today: NaiveDate,
}

/// The check of one row's price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCheck {
    /// From 1.
    pub row: usize,
    /// The price column's key.
    pub column: String,
    pub good_code: String,
    /// Tiyn (the typed price rounded to the tiyn).
    pub price: i64,
    pub recommended: Option<i64>,
    pub outcome: Outcome,
    pub justification: String,
}

/// Why a row is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowRefusal {
    /// The good column names no good of the classifier.
    UnknownGood {
        row: usize,
        column: String,
        code: String,
    },
    /// Above the recommended price, and the rule refuses it (or no justification is written).
    Above(RowCheck),
}

/// Checks the price columns of rows that name a good. Rows without a good, or whose price is
/// not a number (the form's own checks refuse those), are not checked.
pub async fn check_rows(
    db: &Db,
    place: &CheckPlace,
    form: &FormDef,
    rows: &[RowInput],
) -> Result<std::result::Result<Vec<RowCheck>, RowRefusal>> {
    let checked: Vec<_> = form
        .columns
        .iter()
        .filter_map(|c| c.price_check.as_ref().map(|check| (c, check)))
        .collect();
    if checked.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let rule = stored(store::rule(db).await)?;
    let indices = stored(store::indices(db).await)?;
    let mut known: HashMap<String, Option<Vec<Observation>>> = HashMap::new();
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        for (column, check) in &checked {
            let value = |key: &str| row.get(key).map(|v| v.trim()).unwrap_or("").to_string();
            let good_code = value(&check.good);
            let Some(typed) = parse_decimal(&value(&column.key)) else {
                continue;
            };
            if good_code.is_empty() {
                continue;
            }
            if !known.contains_key(&good_code) {
                let found = stored(store::good(db, &good_code).await)?;
                let prices = match found {
                    Some(_) => Some(stored(store::observations(db, &good_code).await)?),
                    None => None,
                };
                known.insert(good_code.clone(), prices);
            }
            let Some(Some(observations)) = known.get(&good_code) else {
                return Ok(Err(RowRefusal::UnknownGood {
                    row: i + 1,
                    column: check.good.clone(),
                    code: good_code,
                }));
            };
            let recommended = prices::recommended(
                observations,
                place.region.as_deref(),
                place.year,
                &indices,
                place.today,
            );
            let price = tiyn_of(typed);
            let justification = value(&check.justification);
            let outcome = outcome(price, recommended.as_ref(), rule, &justification);
            let result = RowCheck {
                row: i + 1,
                column: column.key.clone(),
                good_code,
                price,
                recommended: recommended.map(|r| r.price),
                outcome,
                justification,
            };
            if outcome == Outcome::Refused {
                return Ok(Err(RowRefusal::Above(result)));
            }
            out.push(result);
        }
    }
    Ok(Ok(out))
}

fn tiyn_of(tenge: Decimal) -> i64 {
    (tenge * Decimal::from(100))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .try_into()
        .unwrap_or(i64::MAX)
}

/// The rule applied to one price.
pub fn outcome(
    price: i64,
    recommended: Option<&Recommended>,
    rule: PriceRule,
    justification: &str,
) -> Outcome {
    match recommended {
        None => Outcome::Unpriced,
        Some(r) if price <= r.price => Outcome::Within,
        Some(_) if rule == PriceRule::Justify && !justification.trim().is_empty() => {
            Outcome::Justified
        }
        Some(_) => Outcome::Refused,
    }
}

/// Whose check is logged, and on what line.
pub struct CheckedLine<'a> {
    pub p: &'a Principal,
    pub org_id: i64,
    pub request_id: i64,
    pub line_id: i64,
    pub year: i32,
}

/// Logs checks of one line's rows.
pub async fn log(db: &Db, line: &CheckedLine<'_>, checks: &[RowCheck]) -> Result<()> {
    if checks.is_empty() {
        return Ok(());
    }
    let rule = stored(store::rule(db).await)?;
    let now = Utc::now();
    let rows: Vec<CheckLog> = checks
        .iter()
        .map(|c| CheckLog {
            id: jospar_core::ids::new_id(),
            checked_at: now,
            login: line.p.user.login.clone(),
            iin: line.p.user.iin.clone(),
            org_id: line.org_id,
            request_id: line.request_id,
            line_id: line.line_id,
            year: line.year,
            row_no: i64::try_from(c.row).unwrap_or(0),
            good_code: c.good_code.clone(),
            price: c.price,
            recommended: c.recommended,
            rule: rule.code().to_string(),
            outcome: c.outcome.code().to_string(),
            justification: c.justification.clone(),
        })
        .collect();
    stored(store::log_checks(db, &rows).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recommended(price: i64) -> Recommended {
        Recommended {
            price,
            year: 2027,
            observations: 3,
            regional: true,
        }
    }

    #[test]
    fn a_price_above_the_recommended_one_follows_the_rule_in_force() {
        let r = recommended(34_100);
        assert_eq!(
            outcome(34_100, Some(&r), PriceRule::Refuse, ""),
            Outcome::Within
        );
        assert_eq!(
            outcome(34_101, Some(&r), PriceRule::Refuse, "why"),
            Outcome::Refused
        );
        assert_eq!(
            outcome(34_101, Some(&r), PriceRule::Justify, " "),
            Outcome::Refused
        );
        assert_eq!(
            outcome(
                34_101,
                Some(&r),
                PriceRule::Justify,
                "единственный поставщик"
            ),
            Outcome::Justified
        );
        assert_eq!(
            outcome(99_999, None, PriceRule::Refuse, ""),
            Outcome::Unpriced
        );
    }
}
