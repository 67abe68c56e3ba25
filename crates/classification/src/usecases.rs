//! The use cases of the classification (P-13): its import by the system's configurers, and the
//! refusals of a file that cannot be read, naming its row and column.

use crate::{ImportError, ImportSummary, YearRange};
use jospar_access::{Error, Principal, Result, Right};
use jospar_store::Db;

/// Whether the caller may import or copy the classification, reference data of the whole
/// system.
pub fn may_import(p: &Principal) -> bool {
    p.can_system(Right::Configure)
}

/// Refuses a caller who may not import the classification.
pub fn require_importer(p: &Principal) -> Result<()> {
    p.require_system(Right::Configure)
}

/// Copies a year's classification to a year that has none, for a new planning period.
pub async fn copy_year(db: &Db, p: &Principal, from: &str, to: &str) -> Result<ImportSummary> {
    require_importer(p)?;
    let (from, to) = match (from.trim().parse::<i32>(), to.trim().parse::<i32>()) {
        (Ok(from), Ok(to)) if (2000..=2100).contains(&to) => (from, to),
        _ => return Err(Error::invalid("err-year", "year_to")),
    };
    if !crate::repo::codes_of_year(db, to).await?.is_empty() {
        return Err(Error::invalid("err-year-exists", "year_to"));
    }
    let inserted = crate::repo::copy_year(db, &p.who(), from, to).await?;
    Ok(ImportSummary {
        inserted,
        updated: 0,
        unchanged: 0,
        years: vec![to],
    })
}

pub async fn import_classification(
    db: &Db,
    p: &Principal,
    bytes: &[u8],
    years: Option<YearRange>,
    file_name: &str,
) -> Result<ImportSummary> {
    require_importer(p)?;
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

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    #[test]
    fn the_classification_is_imported_by_a_configurer_of_a_root_only() {
        let admin = principal(1, &[(Role::Sysadmin, 1)], REGION);
        let district_admin = principal(2, &[(Role::Sysadmin, 2)], REGION);
        let planner = principal(1, &[(Role::Planner, 1)], REGION);
        assert!(may_import(&admin) && require_importer(&admin).is_ok());
        for refused in [&district_admin, &planner] {
            assert!(!may_import(refused));
            assert!(matches!(require_importer(refused), Err(Error::Forbidden)));
        }
    }

    #[test]
    fn a_bad_year_range_names_its_field() {
        assert!(matches!(parse_years("", ""), Ok(None)));
        let order = parse_years("2028", "2027").expect_err("refused");
        assert!(matches!(
            order,
            Error::Invalid {
                key: "err-year-order",
                ..
            }
        ));
        let bad = parse_years("20x7", "").expect_err("refused");
        assert!(
            matches!(&bad, Error::Invalid { field: Some(f), .. } if f == "year_from"),
            "{bad:?}"
        );
    }
}
