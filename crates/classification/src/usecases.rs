//! The use cases of the classification (P-13): its import by the system's configurers, and the
//! refusals of a file that cannot be read, naming its row and column.

use crate::{ImportError, ImportSummary, YearRange};
use jospar_access::{Error, Principal, Result, Right};
use jospar_store::Db;

pub async fn import_classification(
    db: &Db,
    p: &Principal,
    bytes: &[u8],
    years: Option<YearRange>,
    file_name: &str,
) -> Result<ImportSummary> {
    p.require_system(Right::Configure)?;
    let parsed = crate::parse(bytes, years).map_err(import_error)?;
    let source = format!("{file_name} ({})", parsed.format);
    Ok(crate::import_entries(db, &p.who(), &parsed.entries, &source).await?)
}

pub fn parse_years(from: &str, to: &str) -> Result<Option<YearRange>> {
    let parse = |v: &str, field: &str| -> Result<Option<i32>> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| Error::invalid("err-year", field))
    };
    match (parse(from, "year_from")?, parse(to, "year_to")?) {
        (None, None) => Ok(None),
        (Some(f), None) => Ok(Some(YearRange::single(f))),
        (None, Some(t)) => Ok(Some(YearRange::single(t))),
        (Some(f), Some(t)) if t >= f => Ok(Some(YearRange { from: f, to: t })),
        _ => Err(Error::invalid("err-year-order", "year_to")),
    }
}

pub fn import_error(e: ImportError) -> Error {
    let invalid = |key, args: Vec<(&'static str, String)>, field: Option<String>| Error::Invalid {
        key,
        args,
        field,
    };
    match e {
        ImportError::NotUtf8 => invalid("err-import-utf8", vec![], Some("file".into())),
        ImportError::Empty => invalid("err-import-empty", vec![], Some("file".into())),
        ImportError::UnknownFormat => invalid("err-import-format", vec![], Some("file".into())),
        ImportError::Csv { row, message } => invalid(
            "err-import-csv",
            vec![("row", row.to_string()), ("message", message)],
            Some(format!("row {row}")),
        ),
        ImportError::BadValue { row, column, value }
        | ImportError::UnknownKind { row, column, value } => invalid(
            "err-import-value",
            vec![
                ("row", row.to_string()),
                ("column", column.clone()),
                ("value", value),
            ],
            Some(format!("row {row}, {column}")),
        ),
        ImportError::YearRequired => invalid("err-import-year", vec![], Some("year_from".into())),
        ImportError::NothingInRange => {
            invalid("err-import-nothing", vec![], Some("year_from".into()))
        }
    }
}
