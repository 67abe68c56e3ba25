//! A page of the portal's REST lists, read field by field so that every trap of the real
//! answers (`../shared/reference/pkfo-devbudget-sp.md` §2.4) is met on purpose:
//! - the body may start with a UTF-8 BOM;
//! - a sum comes as an integer (`139950`) or a decimal (`124955.36`) in the same page: it is
//!   read from the number's text into tiyn, never through a float, and a sum finer than a
//!   tiyn or in exponent form is refused;
//! - `ref_amendm_agreem_justif_id` is a list in contracts (`[0]`) and a number in plans (`0`);
//! - `next_page` is the path of the next page with `search_after=<id>`, empty or null on the
//!   last page; anything else is refused.
//!
//! A refusal names the item (its place in the page and its id) and the field.

use jospar_core::money::Tenge;
use serde_json::value::RawValue;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// How many items the whole list has.
    pub total: i64,
    /// The path of the next page; None on the last.
    pub next_page: Option<String>,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("the page is not a JSON object: {0}")]
    NotJson(String),
    #[error("the page's {field}: {problem}")]
    Envelope { field: String, problem: String },
    #[error("item {index} (id {id}), field {field}: {problem}")]
    Item {
        /// 1-based place in the page.
        index: usize,
        id: String,
        field: String,
        problem: String,
    },
}

/// A point (line) of a customer's procurement plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanPoint {
    pub id: i64,
    pub rootrecord_id: i64,
    pub subject_biin: String,
    pub subject_name_ru: String,
    pub name_ru: String,
    pub name_kz: String,
    pub units_code: String,
    /// The quantity as the portal wrote it (it may have decimals).
    pub count: String,
    pub price: Tenge,
    pub amount: Tenge,
    pub month: i64,
    pub year: i64,
    /// The goods classifier's code (ЕНС ТРУ).
    pub enstru_code: String,
    pub finsource_id: i64,
    pub abp_code: Option<i64>,
    /// The sums of the plan's three years.
    pub sums: [Tenge; 3],
    pub plan_act_number: String,
    pub active: bool,
}

/// A contract of a customer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contract {
    pub id: i64,
    pub parent_id: i64,
    pub root_id: i64,
    /// The procurement's announcement number ("3913808-1").
    pub trd_buy_number_anno: String,
    pub trd_buy_name_ru: String,
    pub trd_buy_name_kz: String,
    pub status_id: i64,
    pub deleted: bool,
    pub supplier_biin: String,
    pub contract_number: String,
    /// The system's number: customer BIN / … ("980540002472/200036/00").
    pub contract_number_sys: String,
    pub customer_bin: String,
    pub fin_year: i64,
    /// Without VAT.
    pub sum: Tenge,
    /// With VAT.
    pub sum_with_vat: Tenge,
    /// Executed (paid) with VAT.
    pub executed_with_vat: Tenge,
    pub sign_date: Option<String>,
    pub description_ru: String,
    pub description_kz: String,
    /// The grounds of amendments: a list here, a number in plans.
    pub amendment_justifications: Vec<i64>,
    pub last_update_date: String,
}

/// A unit (line) of a contract: what it buys and for how much, under which plan point.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContractUnit {
    pub id: i64,
    /// The procurement plan point it buys for (0: none given).
    pub plan_point_id: i64,
    /// The quantity as the portal wrote it.
    pub quantity: String,
    /// Without VAT.
    pub total_sum: Tenge,
    /// With VAT.
    pub total_sum_with_vat: Tenge,
    /// Executed (paid) with VAT.
    pub fact_sum_with_vat: Tenge,
    pub deleted: bool,
}

/// Why a contract does not agree with its units.
pub fn units_disagree(contract: &Contract, units: &[ContractUnit]) -> Option<String> {
    if units.is_empty() {
        return None;
    }
    let live = units.iter().filter(|u| !u.deleted);
    let (field, sum, of_units) = if contract.sum_with_vat == Tenge::ZERO {
        (
            "contract_sum",
            contract.sum,
            checked_sum(live.map(|u| u.total_sum)),
        )
    } else {
        (
            "contract_sum_wnds",
            contract.sum_with_vat,
            checked_sum(live.map(|u| u.total_sum_with_vat)),
        )
    };
    match of_units {
        Some(of_units) if of_units == sum => None,
        Some(of_units) => Some(format!(
            "contract {}, field {field}: {sum} is not the sum of its units {of_units}",
            contract.id
        )),
        None => Some(format!(
            "contract {}, field {field}: the sum of its units is beyond any amount",
            contract.id
        )),
    }
}

/// A sum that refuses to wrap: the units of a page are the portal's, not ours.
fn checked_sum(mut amounts: impl Iterator<Item = Tenge>) -> Option<Tenge> {
    amounts.try_fold(Tenge::ZERO, Tenge::checked_add)
}

pub fn parse_units(body: &[u8]) -> Result<Page<ContractUnit>, PageError> {
    parse(body, unit)
}

pub fn parse_plans(body: &[u8]) -> Result<Page<PlanPoint>, PageError> {
    parse(body, plan_point)
}

pub fn parse_contracts(body: &[u8]) -> Result<Page<Contract>, PageError> {
    parse(body, contract)
}

type RawItem = HashMap<String, Box<RawValue>>;

#[derive(serde::Deserialize)]
struct Envelope {
    total: Option<Box<RawValue>>,
    next_page: Option<Box<RawValue>>,
    items: Option<Vec<RawItem>>,
}

fn envelope_error(field: &str, problem: impl Into<String>) -> PageError {
    PageError::Envelope {
        field: field.to_string(),
        problem: problem.into(),
    }
}

fn parse<T>(body: &[u8], item: fn(&Fields) -> Result<T, PageError>) -> Result<Page<T>, PageError> {
    let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| PageError::NotJson(e.to_string()))?;
    let total = match envelope.total.as_deref().map(RawValue::get) {
        Some(text) => text
            .parse::<i64>()
            .map_err(|_| envelope_error("total", format!("{text} is not a count")))?,
        None => return Err(envelope_error("total", "missing")),
    };
    let next_page = next_page(envelope.next_page.as_deref())?;
    let items = envelope
        .items
        .ok_or_else(|| envelope_error("items", "missing"))?;
    let items = items
        .iter()
        .enumerate()
        .map(|(i, raw)| item(&Fields { index: i + 1, raw }))
        .collect::<Result<Vec<T>, PageError>>()?;
    Ok(Page {
        total,
        next_page,
        items,
    })
}

/// The next page's path: null or empty on the last page, else `/v3/…` with a numeric
/// `search_after`.
fn next_page(raw: Option<&RawValue>) -> Result<Option<String>, PageError> {
    let text = match raw.map(RawValue::get) {
        None | Some("null") => return Ok(None),
        Some(text) => serde_json::from_str::<String>(text)
            .map_err(|_| envelope_error("next_page", format!("{text} is not a path")))?,
    };
    if text.is_empty() {
        return Ok(None);
    }
    let search_after = text
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("search_after="));
    let numeric =
        search_after.is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
    if !text.starts_with("/v3/") || !numeric {
        return Err(envelope_error(
            "next_page",
            format!("{text} is not a /v3/ path with a numeric search_after"),
        ));
    }
    Ok(Some(text))
}

/// The fields of one item, each read by name with a refusal naming it.
struct Fields<'a> {
    index: usize,
    raw: &'a RawItem,
}

impl Fields<'_> {
    fn error(&self, field: &str, problem: impl Into<String>) -> PageError {
        PageError::Item {
            index: self.index,
            id: self
                .raw
                .get("id")
                .map(|v| v.get().to_string())
                .unwrap_or_else(|| "?".to_string()),
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    /// The raw text of a field; None when it is missing or null.
    fn text_of(&self, field: &str) -> Option<&str> {
        self.raw
            .get(field)
            .map(|v| v.get())
            .filter(|t| *t != "null")
    }

    fn int(&self, field: &str) -> Result<i64, PageError> {
        let text = self
            .text_of(field)
            .ok_or_else(|| self.error(field, "missing"))?;
        text.parse()
            .map_err(|_| self.error(field, format!("{text} is not a whole number")))
    }

    fn int_or_zero(&self, field: &str) -> Result<i64, PageError> {
        match self.text_of(field) {
            None => Ok(0),
            Some(_) => self.int(field),
        }
    }

    fn flag(&self, field: &str) -> Result<bool, PageError> {
        Ok(self.int_or_zero(field)? != 0)
    }

    /// A string field; missing or null is empty. A number where a string is expected (a code
    /// written as `839` rather than `"839"`) is taken as its digits.
    fn string(&self, field: &str) -> Result<String, PageError> {
        match self.text_of(field) {
            None => Ok(String::new()),
            Some(text) if text.starts_with('"') => serde_json::from_str(text)
                .map_err(|_| self.error(field, format!("{text} is not a string"))),
            Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => Ok(text.to_string()),
            Some(text) => Err(self.error(field, format!("{text} is not a string"))),
        }
    }

    fn optional_string(&self, field: &str) -> Result<Option<String>, PageError> {
        Ok(Some(self.string(field)?).filter(|s| !s.is_empty()))
    }

    /// A sum in tenge, from the number's own text: `139950`, `124955.36`.
    fn money(&self, field: &str) -> Result<Tenge, PageError> {
        let text = self
            .text_of(field)
            .ok_or_else(|| self.error(field, "missing"))?;
        let digits = text.trim_matches('"');
        if digits.contains(['e', 'E']) {
            return Err(self.error(field, format!("{text} is not a sum in tenge")));
        }
        Tenge::parse(digits).map_err(|_| {
            self.error(
                field,
                format!("{text} is not a sum in tenge with at most two decimals"),
            )
        })
    }

    fn money_or_zero(&self, field: &str) -> Result<Tenge, PageError> {
        match self.text_of(field) {
            None => Ok(Tenge::ZERO),
            Some(_) => self.money(field),
        }
    }

    /// A decimal quantity as written.
    fn quantity(&self, field: &str) -> Result<String, PageError> {
        let text = self.text_of(field).unwrap_or("0");
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(self.error(field, format!("{text} is not a quantity")));
        }
        Ok(text.to_string())
    }

    /// A list of ids, or one id standing alone.
    fn ids(&self, field: &str) -> Result<Vec<i64>, PageError> {
        let Some(text) = self.text_of(field) else {
            return Ok(Vec::new());
        };
        if let Ok(one) = text.parse::<i64>() {
            return Ok(vec![one]);
        }
        serde_json::from_str::<Vec<i64>>(text)
            .map_err(|_| self.error(field, format!("{text} is neither an id nor a list of ids")))
    }
}

fn plan_point(f: &Fields) -> Result<PlanPoint, PageError> {
    Ok(PlanPoint {
        id: f.int("id")?,
        rootrecord_id: f.int_or_zero("rootrecord_id")?,
        subject_biin: f.string("subject_biin")?,
        subject_name_ru: f.string("subject_name_ru")?,
        name_ru: f.string("name_ru")?,
        name_kz: f.string("name_kz")?,
        units_code: f.string("ref_units_code")?,
        count: f.quantity("count")?,
        price: f.money_or_zero("price")?,
        amount: f.money("amount")?,
        month: f.int_or_zero("ref_months_id")?,
        year: f.int("pln_point_year")?,
        enstru_code: f.string("ref_enstru_code")?,
        finsource_id: f.int_or_zero("ref_finsource_id")?,
        abp_code: match f.text_of("ref_abp_code") {
            None => None,
            Some(_) => Some(f.int("ref_abp_code")?),
        },
        sums: [
            f.money_or_zero("sum_1")?,
            f.money_or_zero("sum_2")?,
            f.money_or_zero("sum_3")?,
        ],
        plan_act_number: f.string("plan_act_number")?,
        active: match f.text_of("is_active") {
            None => true,
            Some(_) => f.flag("is_active")?,
        },
    })
}

fn unit(f: &Fields) -> Result<ContractUnit, PageError> {
    Ok(ContractUnit {
        id: f.int("id")?,
        plan_point_id: f.int_or_zero("pln_point_id")?,
        quantity: f.quantity("quantity")?,
        total_sum: f.money_or_zero("total_sum")?,
        total_sum_with_vat: f.money_or_zero("total_sum_wnds")?,
        fact_sum_with_vat: f.money_or_zero("fact_sum_wnds")?,
        deleted: f.flag("deleted")?,
    })
}

fn contract(f: &Fields) -> Result<Contract, PageError> {
    Ok(Contract {
        id: f.int("id")?,
        parent_id: f.int_or_zero("parent_id")?,
        root_id: f.int_or_zero("root_id")?,
        trd_buy_number_anno: f.string("trd_buy_number_anno")?,
        trd_buy_name_ru: f.string("trd_buy_name_ru")?,
        trd_buy_name_kz: f.string("trd_buy_name_kz")?,
        status_id: f.int_or_zero("ref_contract_status_id")?,
        deleted: f.flag("deleted")?,
        supplier_biin: f.string("supplier_biin")?,
        contract_number: f.string("contract_number")?,
        contract_number_sys: f.string("contract_number_sys")?,
        customer_bin: f.string("customer_bin")?,
        fin_year: f.int("fin_year")?,
        sum: f.money("contract_sum")?,
        sum_with_vat: f.money_or_zero("contract_sum_wnds")?,
        executed_with_vat: f.money_or_zero("fakt_sum_wnds")?,
        sign_date: f.optional_string("sign_date")?,
        description_ru: f.string("description_ru")?,
        description_kz: f.string("description_kz")?,
        amendment_justifications: f.ids("ref_amendm_agreem_justif_id")?,
        last_update_date: f.string("last_update_date")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The abridged real item of `pkfo-devbudget-sp.md` §2.4 (a), in a page behind a BOM,
    /// beside one whose sums are integers.
    const CONTRACTS: &str = "\u{feff}{\"total\": 7237966, \"limit\": 500, \
        \"next_page\": \"/v3/contract/all?page=next&limit=500&search_after=9519858\", \"items\": [\
        {\"id\": 9525393, \"parent_id\": 0, \"root_id\": 9525393, \"trd_buy_id\": 3913808, \
         \"trd_buy_number_anno\": \"3913808-1\", \"trd_buy_name_ru\": \"приобретение деохлора \", \
         \"ref_amendm_agreem_justif_id\": [0], \"ref_contract_status_id\": 190, \"deleted\": 0, \
         \"supplier_biin\": \"930340000390\", \"contract_number\": \"27\", \
         \"customer_bin\": \"980540002472\", \"contract_number_sys\": \"980540002472/200036/00\", \
         \"fin_year\": 2020, \"contract_sum\": 124955.36, \"contract_sum_wnds\": 139950, \
         \"sign_date\": \"2020-02-10 08:50:14\", \"fakt_sum_wnds\": 0, \
         \"description_ru\": \"Приобретение средства дезинфецирующее\", \
         \"treasure_req_num\": null, \"last_update_date\": \"2020-02-10 09:50:29\"},\
        {\"id\": 9519858, \"ref_amendm_agreem_justif_id\": [0, 12], \"customer_bin\": \"980540002472\", \
         \"fin_year\": 2020, \"contract_sum\": 500000, \"contract_sum_wnds\": 560000.5}]}";

    #[test]
    fn a_contract_page_behind_a_bom_with_integer_and_decimal_sums_reads_to_the_tiyn() {
        let page = parse_contracts(CONTRACTS.as_bytes()).expect("page");
        assert_eq!(page.total, 7_237_966);
        assert_eq!(
            page.next_page.as_deref(),
            Some("/v3/contract/all?page=next&limit=500&search_after=9519858")
        );
        let first = &page.items[0];
        assert_eq!(first.sum, Tenge::from_tiyn(12_495_536));
        assert_eq!(first.sum_with_vat, Tenge::from_tiyn(13_995_000));
        assert_eq!(first.amendment_justifications, vec![0]);
        assert_eq!(first.trd_buy_number_anno, "3913808-1");
        assert_eq!(first.sign_date.as_deref(), Some("2020-02-10 08:50:14"));
        let second = &page.items[1];
        assert_eq!(second.sum, Tenge::from_tiyn(50_000_000));
        assert_eq!(second.sum_with_vat, Tenge::from_tiyn(56_000_050));
        assert_eq!(second.amendment_justifications, vec![0, 12]);
    }

    #[test]
    fn a_plan_point_reads_its_justification_as_a_number_and_its_code_as_text() {
        let page = parse_plans(
            r#"{"total": 1, "limit": 500, "next_page": "", "items": [{"id": 35511217,
            "rootrecord_id": 35020719, "subject_biin": "060240013504", "name_ru": "Компьютер",
            "ref_units_code": "839", "count": 2, "price": 250000, "amount": 500000,
            "ref_months_id": 5, "pln_point_year": 2020, "ref_enstru_code": "262013.000.000011",
            "ref_finsource_id": 1, "ref_abp_code": 464, "sum_1": 500000, "sum_2": 0, "sum_3": 0,
            "ref_amendm_agreem_justif_id": 0, "is_active": 1, "plan_act_number": "106-п"}]}"#
                .as_bytes(),
        )
        .expect("page");
        assert_eq!(page.next_page, None);
        let point = &page.items[0];
        assert_eq!(point.amount, Tenge::from_tiyn(50_000_000));
        assert_eq!((point.abp_code, point.count.as_str()), (Some(464), "2"));
        assert!(point.active);
    }

    #[test]
    fn a_contract_whose_units_do_not_add_up_to_its_sum_is_named() {
        let page = parse_contracts(CONTRACTS.as_bytes()).expect("page");
        let units = parse_units(
            "\u{feff}{\"total\": 2, \"limit\": 500, \"next_page\": null, \"items\": [\
             {\"id\": 1, \"pln_point_id\": 35511217, \"quantity\": 2, \"total_sum\": 100000, \"total_sum_wnds\": 112000, \"fact_sum_wnds\": 0, \"deleted\": 0},\
             {\"id\": 2, \"pln_point_id\": 35511218, \"quantity\": 1.5, \"total_sum\": 24955.36, \"total_sum_wnds\": 27950, \"fact_sum_wnds\": 27950, \"deleted\": 0},\
             {\"id\": 3, \"pln_point_id\": 35511219, \"quantity\": 1, \"total_sum\": 5, \"total_sum_wnds\": 5.6, \"deleted\": 1}]}"
                .as_bytes(),
        )
        .expect("units");
        assert_eq!(units.items[1].total_sum, Tenge::from_tiyn(2_495_536));
        assert_eq!(units_disagree(&page.items[0], &units.items), None);
        assert_eq!(units_disagree(&page.items[0], &[]), None);
        assert_eq!(
            units_disagree(&page.items[0], &units.items[..1]).as_deref(),
            Some(
                "contract 9525393, field contract_sum_wnds: 139 950,00 is not the sum of its units 112 000,00"
            )
        );
    }

    #[test]
    fn refusals_name_the_item_and_the_field() {
        let broken = |item: &str| {
            parse_contracts(
                format!(r#"{{"total": 1, "next_page": null, "items": [{item}]}}"#).as_bytes(),
            )
            .expect_err("refused")
            .to_string()
        };
        assert_eq!(
            broken(r#"{"id": 7, "fin_year": 2020, "contract_sum": 1.005}"#),
            "item 1 (id 7), field contract_sum: 1.005 is not a sum in tenge with at most two decimals"
        );
        assert!(
            broken(r#"{"id": 7, "fin_year": 2020, "contract_sum": 1e5}"#).contains("contract_sum")
        );
        assert!(broken(r#"{"id": 7, "contract_sum": 1}"#).contains("field fin_year: missing"));
        assert!(
            broken(r#"{"id": 7, "fin_year": 2020, "contract_sum": 1, "ref_amendm_agreem_justif_id": "x"}"#)
                .contains("ref_amendm_agreem_justif_id")
        );
        for next in [
            r#""/v3/contract/all?page=next&search_after=abc""#,
            r#""https://elsewhere/v3/contract/all?search_after=1""#,
            r#""/v3/contract/all?page=next""#,
            "42",
        ] {
            let error = parse_contracts(
                format!(r#"{{"total": 0, "next_page": {next}, "items": []}}"#).as_bytes(),
            )
            .expect_err("refused");
            assert!(
                matches!(&error, PageError::Envelope { field, .. } if field == "next_page"),
                "{next}: {error}"
            );
        }
        assert!(matches!(
            parse_contracts(b"<html>"),
            Err(PageError::NotJson(_))
        ));
    }
}
