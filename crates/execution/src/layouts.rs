//! The layouts of the Treasury and e-Minfin forms as data (EX-5): the headings that name each
//! column, and each form's shape — which columns it must have and how its rows are checked.
//! The same file holds the printed layouts of the reports on these forms, in the shared model
//! of `jospar_reports::layout` ([`Layouts::printed_table`]). The layouts in
//! `data/treasury/layouts.toml` are built in; a corrected copy can replace them at start-up
//! ([`install`]) when a real export names a column differently, without a new build.

use crate::treasury::Field;
use chrono::NaiveDate;
use jospar_i18n::Tr;
use jospar_reports::Table;
use jospar_reports::layout::{Layout, Layouts as Printed};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The layouts built in.
pub const DEFAULT: &str = include_str!("../../../data/treasury/layouts.toml");

/// Which columns a form must have, and which rows type it is read into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Cash expenses by administrator, program, subprogram and specific (5-52, 5-42, 5-02, 2-15).
    Cash,
    /// Obligations accepted and cash expenses (4-20).
    Obligations,
    /// Receipts by code against their plan (2-19, 2-11).
    Receipts,
    /// Receipts by code only (2-43).
    Received,
    /// The budget by program and subprogram (1-27).
    Budget,
    /// The contracts behind registered obligations (4-09).
    Contracts,
    /// The movement of money: balances, received, spent (5-34, 5-17, 0-67).
    Movement,
}

impl Shape {
    pub fn code(self) -> &'static str {
        match self {
            Shape::Cash => "cash",
            Shape::Obligations => "obligations",
            Shape::Receipts => "receipts",
            Shape::Received => "received",
            Shape::Budget => "budget",
            Shape::Contracts => "contracts",
            Shape::Movement => "movement",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct FormLayout {
    pub shape: Shape,
    pub name_ru: String,
    pub name_kk: String,
}

impl FormLayout {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "kk" {
            &self.name_kk
        } else {
            &self.name_ru
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layouts {
    /// Each column's headings, folded (lower case, single spaces).
    headings: HashMap<Field, Vec<String>>,
    /// Each form by its number ("5-52").
    pub forms: BTreeMap<String, FormLayout>,
    pub budget_kinds: BudgetKinds,
    pub development: Development,
    /// The printed layouts of the reports on these forms, by code and date.
    pub printed: Printed,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutsFile {
    #[serde(default)]
    budget_kinds: BudgetKinds,
    #[serde(default)]
    development: Development,
    headings: HashMap<Field, Vec<String>>,
    forms: BTreeMap<String, FormLayout>,
    #[serde(default)]
    layout: Vec<Layout>,
}

/// Which subprograms of a local budget are financed by the republican budget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetKinds {
    pub republican_subprograms: Vec<String>,
}

/// Which expenses belong to budget development programs (form 6-БПР).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Development {
    pub specific_prefixes: Vec<String>,
}

impl Development {
    /// Whether an expense on this specific is one of a development program.
    pub fn covers(&self, specific: &str) -> bool {
        self.specific_prefixes
            .iter()
            .any(|p| !p.is_empty() && specific.starts_with(p.as_str()))
    }
}

/// Why a layouts file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("the layouts file is not valid TOML of the expected shape: {0}")]
    Syntax(String),
    #[error("no headings for the column {0:?}")]
    NoHeadings(Field),
    #[error("the heading «{heading}» names two columns, {first:?} and {second:?}")]
    Ambiguous {
        heading: String,
        first: Field,
        second: Field,
    },
    #[error("no forms")]
    NoForms,
    #[error("{0}")]
    Printed(String),
}

/// Lower case, single spaces, no closing colon or full stop: how headings are compared.
pub fn folded(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .trim_end_matches([':', '.'])
        .to_string()
}

impl Layouts {
    /// Reads and checks a layouts file: every column has a heading, no heading names two columns.
    pub fn parse(text: &str) -> Result<Layouts, LayoutError> {
        let file: LayoutsFile =
            toml::from_str(text).map_err(|e| LayoutError::Syntax(e.to_string()))?;
        let mut owner: HashMap<String, Field> = HashMap::new();
        let mut headings = HashMap::new();
        for field in Field::ALL {
            let list: Vec<String> = file
                .headings
                .get(&field)
                .map(|l| {
                    l.iter()
                        .map(|h| folded(h))
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            if list.is_empty() {
                return Err(LayoutError::NoHeadings(field));
            }
            for heading in &list {
                if let Some(first) = owner.insert(heading.clone(), field)
                    && first != field
                {
                    return Err(LayoutError::Ambiguous {
                        heading: heading.clone(),
                        first,
                        second: field,
                    });
                }
            }
            headings.insert(field, list);
        }
        if file.forms.is_empty() {
            return Err(LayoutError::NoForms);
        }
        // A corrected copy made before the printed layouts keeps the built-in ones.
        let printed = if file.layout.is_empty() {
            Printed::parse(DEFAULT)
        } else {
            Printed::new(file.layout)
        };
        Ok(Layouts {
            headings,
            forms: file.forms,
            budget_kinds: file.budget_kinds,
            development: file.development,
            printed: printed.map_err(|e| LayoutError::Printed(e.to_string()))?,
        })
    }

    /// An empty table in the printed layout `code` in force on the form's report date, with
    /// `{name}` in its texts replaced by the values given.
    pub fn printed_table(
        &self,
        tr: &Tr,
        code: &str,
        date: NaiveDate,
        values: &[(&str, String)],
    ) -> Result<Table, jospar_access::Error> {
        let layout = self
            .printed
            .in_force(code, date)
            .ok_or_else(|| jospar_access::Error::Internal(format!("no printed layout {code}")))?;
        Ok(layout.table(tr, values))
    }

    pub fn headings(&self, field: Field) -> &[String] {
        self.headings.get(&field).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn form(&self, form: &str) -> Option<&FormLayout> {
        self.forms.get(form)
    }

    /// The forms of a shape, in number order.
    pub fn forms_of(&self, shape: Shape) -> Vec<&str> {
        self.forms
            .iter()
            .filter(|(_, l)| l.shape == shape)
            .map(|(f, _)| f.as_str())
            .collect()
    }
}

static INSTALLED: OnceLock<Layouts> = OnceLock::new();

/// Puts a corrected layouts file in place of the built-in one; once, before the first import.
pub fn install(text: &str) -> Result<(), LayoutError> {
    let layouts = Layouts::parse(text)?;
    // A second call keeps the first layouts: the process reads one configuration.
    let _ = INSTALLED.set(layouts);
    Ok(())
}

/// The layouts in force.
pub fn layouts() -> &'static Layouts {
    INSTALLED.get_or_init(|| Layouts::parse(DEFAULT).expect("the built-in layouts are valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_layouts_name_every_column_and_form() {
        let layouts = Layouts::parse(DEFAULT).expect("valid");
        assert!(layouts.headings(Field::Abp).contains(&"абп".to_string()));
        assert_eq!(
            layouts.forms_of(Shape::Cash),
            vec!["2-15", "5-02", "5-42", "5-52"]
        );
        assert_eq!(
            layouts.form("4-20").map(|f| f.shape),
            Some(Shape::Obligations)
        );
        assert_eq!(layouts.form("2-11").map(|f| f.shape), Some(Shape::Receipts));
        assert_eq!(layouts.budget_kinds.republican_subprograms, vec!["011"]);
        assert!(layouts.development.covers("431"));
        assert!(!layouts.development.covers("149"));
        assert_eq!(
            layouts.forms_of(Shape::Movement),
            vec!["0-67", "5-17", "5-34"]
        );
        let day = NaiveDate::from_ymd_opt(2027, 4, 1).expect("date");
        for code in [
            "obligations-420-ecofin",
            "development-programs",
            "money-movement",
        ] {
            assert!(layouts.printed.in_force(code, day).is_some(), "{code}");
        }
    }

    #[test]
    fn a_copy_without_printed_layouts_keeps_the_built_in_ones() {
        let imports_only = &DEFAULT[..DEFAULT.find("[[layout]]").expect("printed layouts")];
        let layouts = Layouts::parse(imports_only).expect("valid");
        assert_eq!(
            layouts.printed,
            Layouts::parse(DEFAULT).expect("valid").printed
        );
        let broken = DEFAULT.replace(r#"sum_of = ["accepted"]"#, r#"sum_of = ["nothing"]"#);
        assert!(matches!(
            Layouts::parse(&broken),
            Err(LayoutError::Printed(why)) if why.contains("nothing")
        ));
    }

    /// A new version of an order, added to a copy of the file, prints from its first day on;
    /// a form dated before it keeps the old layout.
    #[test]
    fn a_form_prints_in_the_layout_of_its_report_date() {
        let start = DEFAULT.find("code = \"money-movement\"").expect("movement");
        let block = &DEFAULT[start..];
        let next = block.find("[[layout]]").unwrap_or(block.len());
        let version_2028 = block[..next]
            .replace(
                r#"valid_from = "2015-01-01""#,
                r#"valid_from = "2028-01-01""#,
            )
            .replace("Форма {form}", "Форма {form} (ред. 2028)");
        let text = DEFAULT.replacen(
            r#"code = "money-movement"
valid_from = "2015-01-01""#,
            r#"code = "money-movement"
valid_from = "2015-01-01"
valid_to = "2027-12-31""#,
            1,
        ) + "\n[[layout]]\n"
            + &version_2028;
        let layouts = Layouts::parse(&text).expect("valid");
        let tr = Tr(jospar_i18n::Lang::Ru);
        let number = |y| {
            let day = NaiveDate::from_ymd_opt(y, 4, 1).expect("date");
            let values = [("form", "5-34".to_string()), ("name", "N".to_string())];
            let table = layouts.printed_table(&tr, "money-movement", day, &values);
            table.expect("table").number[0].clone()
        };
        assert_eq!(number(2027), "Форма 5-34");
        assert_eq!(number(2028), "Форма 5-34 (ред. 2028)");
    }

    /// The movement form prints its number and its two-row headings in the language asked.
    #[test]
    fn the_printed_movement_form_names_its_form() {
        let layouts = Layouts::parse(DEFAULT).expect("valid");
        let day = NaiveDate::from_ymd_opt(2027, 4, 1).expect("date");
        let values = [("form", "5-34".to_string()), ("name", "N".to_string())];
        let tr = Tr(jospar_i18n::Lang::Kk);
        let table = layouts
            .printed_table(&tr, "money-movement", day, &values)
            .expect("table");
        assert_eq!(table.number[0], "5-34 нысаны");
        assert_eq!(table.title, "5-34 нысаны бойынша ақша қозғалысы: N");
        let codes = table.head.iter().find(|c| c.row == 0 && c.col == 0);
        assert_eq!(codes.map(|c| c.cols), Some(4));
        assert_eq!(table.signatures.len(), 2);
    }

    #[test]
    fn a_heading_naming_two_columns_is_refused() {
        let text = DEFAULT.replace(
            r#"specific = ["Специфика""#,
            r#"specific = ["Программа", "Специфика""#,
        );
        assert!(matches!(
            Layouts::parse(&text),
            Err(LayoutError::Ambiguous { .. })
        ));
        let text = DEFAULT.replace(
            r#"corrected = ["Скорректированный бюджет", "Түзетілген бюджет"]"#,
            "",
        );
        assert_eq!(
            Layouts::parse(&text),
            Err(LayoutError::NoHeadings(Field::Corrected))
        );
    }
}
