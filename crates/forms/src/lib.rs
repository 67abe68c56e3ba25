//! Calculation forms (расшифровки) as data (BP-8, BP-10): a form is a list of columns — inputs
//! typed by the economist and cells computed by a formula — and names the column that sums
//! into the amount of the budget-request line. New forms need no code: they are JSON
//! definitions, shipped in `data/forms/` and added by the system administrator.
//!
//! Arithmetic is decimal (never floating point); the line amount is rounded to the tiyn half
//! away from zero.

pub use jospar_formula::{Expr, FormulaError, format_decimal, parse_decimal};

use jospar_core::Tenge;
use jospar_formula::{CellError, ColumnSpec, Kind, Outcome};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Free text (name of a position, good, service).
    Text,
    /// A number typed by the user (quantity, norm, months, percent).
    Number,
    /// An amount in tenge typed by the user (price, salary, tariff).
    Money,
    /// Computed by `formula`; never typed, not in the UI and not through the API.
    Computed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Column {
    pub key: String,
    pub name_ru: String,
    pub name_kk: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// For computed columns: an arithmetic expression over other columns' keys.
    #[serde(default)]
    pub formula: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// Smallest allowed value of a number or money column.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub min: Option<Decimal>,
    /// Largest allowed value (absurd inputs are refused, P-5).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub max: Option<Decimal>,
    /// Whether later planning years may be filled from the first with the inflation index
    /// (prices, tariffs, norms — BP-11).
    #[serde(default)]
    pub indexed: bool,
    /// For a money column: the price typed here is checked against the recommended price of
    /// the good named in another column of the row (P-5, order 254 p.14, issue 23).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_check: Option<PriceCheck>,
}

/// Ties a price column to a good: the text column holding the good's ЕНС ТРУ code, and the
/// text column holding the written justification of a price above the recommended one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriceCheck {
    pub good: String,
    pub justification: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormDef {
    /// Usually the economic specific it serves: "111", "144".
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    /// Economic specifics whose lines use this form.
    pub specifics: Vec<String>,
    pub columns: Vec<Column>,
    /// The computed column whose sum over the rows is the line amount.
    pub amount_column: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("form {form}: {message}")]
    Definition { form: String, message: String },
    #[error("row {row}, column {column}: required")]
    Required { row: usize, column: String },
    #[error("row {row}, column {column}: not a number: {value}")]
    NotANumber {
        row: usize,
        column: String,
        value: String,
    },
    #[error("row {row}, column {column}: {value} is outside {min}…{max}")]
    OutOfRange {
        row: usize,
        column: String,
        value: String,
        min: String,
        max: String,
    },
    #[error("row {row}, column {column}: computed cells cannot be edited")]
    ComputedEdited { row: usize, column: String },
    #[error("row {row}, column {column}: unknown column")]
    UnknownColumn { row: usize, column: String },
    #[error("row {row}: {error}")]
    Formula { row: usize, error: FormulaError },
}

/// One row as typed: column key → text.
pub type RowInput = BTreeMap<String, String>;

/// A row after evaluation: every column's value (text columns as typed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowValues {
    pub values: BTreeMap<String, String>,
    pub amount: Tenge,
}

impl FormDef {
    /// Checks the definition: unique keys, formulas that parse and refer only to earlier or
    /// input columns, an amount column that is computed.
    pub fn validate(&self) -> Result<(), FormError> {
        let bad = |message: String| FormError::Definition {
            form: self.code.clone(),
            message,
        };
        let mut seen: Vec<&str> = Vec::new();
        for column in &self.columns {
            if column.key.is_empty()
                || !column
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(bad(format!(
                    "column key {:?} must be lower-case latin, digits, _",
                    column.key
                )));
            }
            if seen.contains(&column.key.as_str()) {
                return Err(bad(format!("column {} appears twice", column.key)));
            }
            if column.column_type == ColumnType::Computed {
                let formula = column
                    .formula
                    .as_deref()
                    .ok_or_else(|| bad(format!("column {} has no formula", column.key)))?;
                let expr =
                    Expr::parse(formula).map_err(|e| bad(format!("column {}: {e}", column.key)))?;
                for name in expr.variables() {
                    if !seen.contains(&name.as_str()) {
                        return Err(bad(format!(
                            "column {} uses {name}, which is not an earlier column",
                            column.key
                        )));
                    }
                    let referenced = self.columns.iter().find(|c| c.key == name);
                    if referenced.is_some_and(|c| c.column_type == ColumnType::Text) {
                        return Err(bad(format!(
                            "column {} uses text column {name}",
                            column.key
                        )));
                    }
                }
            }
            if let Some(check) = &column.price_check {
                self.validate_price_check(column, check).map_err(bad)?;
            }
            seen.push(&column.key);
        }
        match self.columns.iter().find(|c| c.key == self.amount_column) {
            Some(c) if c.column_type == ColumnType::Computed => Ok(()),
            _ => Err(bad(format!(
                "amount column {} must be a computed column",
                self.amount_column
            ))),
        }
    }

    /// A price check sits on a money column and names two text columns of the form.
    fn validate_price_check(&self, column: &Column, check: &PriceCheck) -> Result<(), String> {
        if column.column_type != ColumnType::Money {
            return Err(format!(
                "column {}: only a money column is price-checked",
                column.key
            ));
        }
        for key in [&check.good, &check.justification] {
            match self.column(key) {
                Some(c) if c.column_type == ColumnType::Text => {}
                _ => {
                    return Err(format!(
                        "column {}: price check names {key}, which is not a text column",
                        column.key
                    ));
                }
            }
        }
        Ok(())
    }

    /// How closely the form serves an economic specific: 3 when it names it, 2 when it names
    /// its first digit ("5*": every budget credit), 1 when it serves any specific ("*", the
    /// general form); none when it does not serve it.
    pub fn serves(&self, specific: &str) -> Option<u8> {
        self.specifics
            .iter()
            .filter_map(|s| match s.strip_suffix('*') {
                None => (s == specific).then_some(3),
                Some("") => Some(1),
                Some(prefix) => specific.starts_with(prefix).then_some(2),
            })
            .max()
    }

    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// Evaluates the rows. Typed values for computed columns are refused (BP-8).
    pub fn evaluate(&self, rows: &[RowInput]) -> Result<Vec<RowValues>, FormError> {
        rows.iter()
            .enumerate()
            .map(|(i, row)| self.evaluate_row(i + 1, row))
            .collect()
    }

    fn evaluate_row(&self, row: usize, input: &RowInput) -> Result<RowValues, FormError> {
        for key in input.keys() {
            match self.column(key) {
                None => {
                    return Err(FormError::UnknownColumn {
                        row,
                        column: key.clone(),
                    });
                }
                Some(c)
                    if c.column_type == ColumnType::Computed && !input[key].trim().is_empty() =>
                {
                    return Err(FormError::ComputedEdited {
                        row,
                        column: key.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        let specs = self.engine_columns();
        let typed = |key: &str| input.get(key).map(String::as_str).unwrap_or("");
        let outcomes = jospar_formula::evaluate_row(&specs, typed);
        let mut values = BTreeMap::new();
        let mut amount = Decimal::ZERO;
        for (column, outcome) in self.columns.iter().zip(outcomes) {
            let value = match outcome {
                Outcome::Text => typed(&column.key).trim().to_string(),
                Outcome::Number(value) => {
                    if column.key == self.amount_column {
                        amount = value;
                    }
                    format_decimal(value)
                }
                Outcome::Failed(error) => return Err(cell_error(row, column, error)),
            };
            values.insert(column.key.clone(), value);
        }
        Ok(RowValues {
            values,
            amount: to_tenge(amount),
        })
    }

    /// The columns as the formula engine sees them.
    fn engine_columns(&self) -> Vec<ColumnSpec<'_>> {
        self.columns
            .iter()
            .map(|c| ColumnSpec {
                key: &c.key,
                kind: match c.column_type {
                    ColumnType::Text => Kind::Text,
                    ColumnType::Number | ColumnType::Money => Kind::Number,
                    ColumnType::Computed => Kind::Computed,
                },
                formula: c.formula.as_deref().unwrap_or("0"),
                required: c.required,
                min: c.min,
                max: c.max,
            })
            .collect()
    }

    /// The line amount: the sum of the rows' amounts.
    pub fn total(rows: &[RowValues]) -> Tenge {
        rows.iter().map(|r| r.amount).sum()
    }

    /// Fills a later year from the first: indexed columns multiplied by `index_bp`/10 000,
    /// the rest copied (BP-11). Text and computed cells are not touched.
    pub fn indexed_copy(&self, rows: &[RowInput], index_bp: i64) -> Vec<RowInput> {
        let factor = Decimal::new(index_bp, 4);
        rows.iter()
            .map(|row| {
                row.iter()
                    .map(|(key, value)| {
                        let indexed = self.column(key).is_some_and(|c| {
                            c.indexed
                                && matches!(c.column_type, ColumnType::Number | ColumnType::Money)
                        });
                        match parse_decimal(value).filter(|_| indexed) {
                            Some(v) => (
                                key.clone(),
                                format_decimal((v * factor).round_dp_with_strategy(
                                    2,
                                    RoundingStrategy::MidpointAwayFromZero,
                                )),
                            ),
                            None => (key.clone(), value.clone()),
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

fn cell_error(row: usize, column: &Column, error: CellError) -> FormError {
    let key = column.key.clone();
    match error {
        CellError::Required => FormError::Required { row, column: key },
        CellError::NotANumber(value) => FormError::NotANumber {
            row,
            column: key,
            value,
        },
        CellError::OutOfRange(value) => FormError::OutOfRange {
            row,
            column: key,
            value: format_decimal(value),
            min: column.min.map(format_decimal).unwrap_or_default(),
            max: column.max.map(format_decimal).unwrap_or_default(),
        },
        CellError::Formula(error) => FormError::Formula { row, error },
    }
}

/// A decimal amount of tenge → tiyn, half away from zero.
pub fn to_tenge(value: Decimal) -> Tenge {
    Tenge::from_tiyn(jospar_formula::tiyn_of(value))
}

/// The form a line of `specific` is calculated on: the one serving it most closely, the first
/// of those on a tie.
pub fn form_for<'a>(forms: &'a [FormDef], specific: &str) -> Option<&'a FormDef> {
    let mut best: Option<(u8, &FormDef)> = None;
    for form in forms {
        if let Some(closeness) = form.serves(specific)
            && best.is_none_or(|(b, _)| closeness > b)
        {
            best = Some((closeness, form));
        }
    }
    best.map(|(_, form)| form)
}

/// The forms shipped with the system (`data/forms/*.json`).
pub fn shipped() -> Vec<FormDef> {
    const FILES: &[&str] = &[
        include_str!("../../../data/forms/111.json"),
        include_str!("../../../data/forms/116.json"),
        include_str!("../../../data/forms/121.json"),
        include_str!("../../../data/forms/122.json"),
        include_str!("../../../data/forms/124.json"),
        include_str!("../../../data/forms/141.json"),
        include_str!("../../../data/forms/144.json"),
        include_str!("../../../data/forms/149.json"),
        include_str!("../../../data/forms/151.json"),
        include_str!("../../../data/forms/159.json"),
        include_str!("../../../data/forms/161.json"),
        include_str!("../../../data/forms/162.json"),
        include_str!("../../../data/forms/414.json"),
        include_str!("../../../data/forms/431.json"),
        include_str!("../../../data/forms/311.json"),
        include_str!("../../../data/forms/transfers.json"),
        include_str!("../../../data/forms/credits.json"),
        include_str!("../../../data/forms/assets.json"),
        include_str!("../../../data/forms/general.json"),
    ];
    FILES
        .iter()
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect()
}

#[cfg(test)]
mod tests;
