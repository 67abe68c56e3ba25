//! The layouts of the Treasury and e-Minfin forms as data (EX-5): the headings that name each
//! column, and each form's shape — which columns it must have and how its rows are checked.
//! The layouts in `data/treasury/layouts.toml` are built in; a corrected copy can replace them
//! at start-up ([`install`]) when a real export names a column differently, without a new build.

use crate::treasury::Field;
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
    /// The movement of money: balances, received, spent (5-34, 0-67).
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
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LayoutsFile {
    #[serde(default)]
    budget_kinds: BudgetKinds,
    #[serde(default)]
    development: Development,
    headings: HashMap<Field, Vec<String>>,
    forms: BTreeMap<String, FormLayout>,
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
        Ok(Layouts {
            headings,
            forms: file.forms,
            budget_kinds: file.budget_kinds,
            development: file.development,
        })
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
        assert_eq!(layouts.forms_of(Shape::Movement), vec!["0-67", "5-34"]);
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
