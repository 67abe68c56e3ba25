//! The prices of a request's calculation rows checked against the recommended prices of their
//! goods (P-5, order 254 p.14 and 18; issue 23): a row naming a good (its ЕНС ТРУ code) in a
//! form whose price column is tied to it. A price above the recommended one is refused, or
//! accepted with a written justification, as the rule in force says; every check is logged,
//! the refused ones too.

use crate::{Line, Request};
use jospar_access::{Error, Principal, Result};
use jospar_forms::{FormDef, RowInput};
pub use jospar_goods::region_of;
use jospar_goods::{CheckPlace, CheckedLine, PriceRule, RowCheck, RowRefusal};
use jospar_i18n::Tr;
use jospar_store::Db;

/// One line-year's rows to check.
pub struct Priced<'a> {
    pub request: &'a Request,
    pub line: &'a Line,
    pub year: i32,
    pub form: &'a FormDef,
    pub rows: &'a [RowInput],
}

/// Checks the rows' prices. A refusal is logged and returned as the error the user reads,
/// naming the row, the good and both prices; otherwise the checks, to log once saved.
pub async fn check(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    region: &Option<String>,
    priced: &Priced<'_>,
) -> Result<Vec<RowCheck>> {
    let place = CheckPlace {
        region: region.clone(),
        year: priced.year,
        today: p.today,
    };
    match jospar_goods::check_rows(db, &place, priced.form, priced.rows).await? {
        Ok(checks) => Ok(checks),
        Err(RowRefusal::UnknownGood { row, column, code }) => Err(Error::Invalid {
            key: "err-good-unknown",
            args: vec![
                ("row", row.to_string()),
                ("column", column_name(priced.form, &column, tr)),
                ("code", code),
            ],
            field: Some("rows".into()),
        }),
        Err(RowRefusal::Above(refused)) => {
            log(db, p, priced, std::slice::from_ref(&refused)).await?;
            Err(above(db, tr, priced, &refused).await?)
        }
    }
}

/// Logs the checks of a saved line-year.
pub async fn log(db: &Db, p: &Principal, priced: &Priced<'_>, checks: &[RowCheck]) -> Result<()> {
    jospar_goods::log(
        db,
        &CheckedLine {
            p,
            org_id: priced.request.org_id,
            request_id: priced.request.id,
            line_id: priced.line.id,
            year: priced.year,
        },
        checks,
    )
    .await
}

async fn above(db: &Db, tr: &Tr, priced: &Priced<'_>, refused: &RowCheck) -> Result<Error> {
    let rule = jospar_goods::settings(db).await?.rule;
    let tenge = |tiyn: i64| jospar_core::Tenge::from_tiyn(tiyn).to_string();
    let justification = priced
        .form
        .column(&refused.column)
        .and_then(|c| c.price_check.as_ref())
        .map(|c| column_name(priced.form, &c.justification, tr))
        .unwrap_or_default();
    Ok(Error::Invalid {
        key: if rule == PriceRule::Justify {
            "err-price-justify"
        } else {
            "err-price-over"
        },
        args: vec![
            ("row", refused.row.to_string()),
            ("good", refused.good_code.clone()),
            ("price", tenge(refused.price)),
            ("recommended", tenge(refused.recommended.unwrap_or(0))),
            ("year", priced.year.to_string()),
            ("justification", justification),
        ],
        field: Some("rows".into()),
    })
}

fn column_name(form: &FormDef, key: &str, tr: &Tr) -> String {
    form.column(key)
        .map(|c| tr.pick(&c.name_ru, Some(&c.name_kk)).to_string())
        .unwrap_or_else(|| key.to_string())
}
