//! The envelope e-Minfin sends a form in, kept apart from the form's rows: this file knows the
//! envelope (which form, whose, at which date, how many rows) and hands the table inside to
//! the same parser as a file import. When the real service's schema is known, only this file
//! changes. The shape is documented in `data/treasury/emin.md`.
//!
//! ```json
//! { "envelope": { "service": "emin-forms", "version": "1", "form": "5-52",
//!                 "bin": "990140000017", "reportDate": "2027-04-01",
//!                 "generatedAt": "2027-04-01T06:00:00Z", "rowCount": 2 },
//!   "table": { "columns": ["АБП", "Программа", "…"],
//!              "rows": [["261", "003", "…"], ["Итого", "", "…"]] } }
//! ```

use crate::{FormQuery, PulledForm};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The service name an envelope must carry.
pub const SERVICE: &str = "emin-forms";
/// The envelope's version this reader knows.
pub const VERSION: &str = "1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub service: String,
    pub version: String,
    pub form: String,
    pub bin: String,
    pub report_date: NaiveDate,
    pub generated_at: String,
    /// The rows of the table, the total rows included: a payload cut short is refused.
    pub row_count: usize,
}

/// The form's table: its headings and its rows, every cell as text — amounts travel as text
/// ("36 000 000,00"), so that no tiyn is lost to a floating-point number on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub envelope: Envelope,
    pub table: FormTable,
}

/// Reads an answer of e-Minfin to `query`: the envelope must be this service's, of this
/// version, and name the form, organisation and date asked for; its row count must be the
/// table's. The reason when it is not.
pub fn open(body: &[u8], query: &FormQuery) -> Result<PulledForm, String> {
    let message: Message =
        serde_json::from_slice(body).map_err(|e| format!("the envelope cannot be read: {e}"))?;
    let Message { envelope, table } = message;
    if envelope.service != SERVICE || envelope.version != VERSION {
        return Err(format!(
            "an envelope of {} version {}, not {SERVICE} version {VERSION}",
            envelope.service, envelope.version
        ));
    }
    let asked = (&query.form, &query.bin, query.report_date);
    let got = (&envelope.form, &envelope.bin, envelope.report_date);
    if asked != got {
        return Err(format!(
            "asked for form {} of {} at {}, got form {} of {} at {}",
            asked.0, asked.1, asked.2, got.0, got.1, got.2
        ));
    }
    if envelope.row_count != table.rows.len() {
        return Err(format!(
            "the envelope announces {} rows, the table has {}",
            envelope.row_count,
            table.rows.len()
        ));
    }
    Ok(PulledForm {
        query: query.clone(),
        table,
    })
}

/// The message e-Minfin would send with this table (the fake's answer, and the tests').
pub fn seal(query: &FormQuery, table: FormTable, generated_at: &str) -> Message {
    Message {
        envelope: Envelope {
            service: SERVICE.into(),
            version: VERSION.into(),
            form: query.form.clone(),
            bin: query.bin.clone(),
            report_date: query.report_date,
            generated_at: generated_at.into(),
            row_count: table.rows.len(),
        },
        table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> FormQuery {
        FormQuery {
            form: "5-52".into(),
            bin: "990140000017".into(),
            report_date: NaiveDate::from_ymd_opt(2027, 4, 1).expect("date"),
        }
    }

    fn table() -> FormTable {
        FormTable {
            columns: vec!["АБП".into(), "Кассовые расходы".into()],
            rows: vec![vec!["261".into(), "1 000,00".into()]],
        }
    }

    #[test]
    fn an_envelope_of_the_form_asked_for_opens_to_its_table() {
        let body =
            serde_json::to_vec(&seal(&query(), table(), "2027-04-01T06:00:00Z")).expect("json");
        let pulled = open(&body, &query()).expect("opens");
        assert_eq!(pulled.table, table());
        assert_eq!(pulled.query, query());
    }

    #[test]
    fn an_envelope_of_another_form_a_cut_table_or_numbers_for_amounts_is_refused() {
        let mut other = seal(&query(), table(), "t");
        other.envelope.form = "4-20".into();
        let refused = open(&serde_json::to_vec(&other).expect("json"), &query());
        assert!(refused.expect_err("other form").contains("got form 4-20"));

        let mut cut = seal(&query(), table(), "t");
        cut.envelope.row_count = 2;
        let refused = open(&serde_json::to_vec(&cut).expect("json"), &query());
        assert!(refused.expect_err("cut").contains("announces 2 rows"));

        let numbers = r#"{"envelope":{"service":"emin-forms","version":"1","form":"5-52",
            "bin":"990140000017","reportDate":"2027-04-01","generatedAt":"t","rowCount":1},
            "table":{"columns":["АБП"],"rows":[[261]]}}"#;
        assert!(open(numbers.as_bytes(), &query()).is_err());
        assert!(open(b"<html>", &query()).is_err());
    }
}
