//! Codes shown with their names in the cells of reports (issue 21: names wherever a code is
//! shown).

use jospar_access::Result;
use jospar_classification::repo::{CodeNames, ExpenseNames};
use jospar_i18n::Tr;
use jospar_reports::Cell;
use jospar_store::Db;

/// A code with its name, "111 Оплата труда" (issue 21: names wherever a code is shown); the
/// code alone when the classification has no name for it.
pub(crate) fn named(code: &str, name: String) -> Cell {
    Cell::Text(format!("{code} {name}").trim().to_string())
}

/// The program, subprogram and specific cells of a line, each named.
pub(crate) fn expense_cells(
    names: &ExpenseNames,
    program: &str,
    subprogram: &str,
    specific: &str,
) -> [Cell; 3] {
    [
        named(program, names.program(program)),
        named(subprogram, names.subprogram(program, subprogram)),
        named(specific, names.specific(specific)),
    ]
}

/// The key cells of a group of a treasury form — administrator, then program, then
/// subprogram, as far as the key goes — each named.
pub(crate) fn key_cells(names: &ExpenseNames, key: &[String]) -> Vec<Cell> {
    let at = |i: usize| key.get(i).map(String::as_str).unwrap_or_default();
    let (abp, program, subprogram) = (at(0), at(1), at(2));
    key.iter()
        .enumerate()
        .map(|(i, code)| {
            // A row only in the system's plans has no ABP: named as the report's programs are.
            let name = match i {
                0 => names.administrator(abp),
                1 if abp.is_empty() => names.program(program),
                1 => names.program_under(abp, program),
                _ if abp.is_empty() => names.subprogram(program, subprogram),
                _ => names.subprogram_under(abp, program, subprogram),
            };
            named(code, name)
        })
        .collect()
}

/// The names of receipts: the classification goes down to subclasses ("1 04 1"), so a code
/// of the plan ("104101") is named by its subclass.
pub(crate) async fn receipt_names(db: &Db, year: i32) -> Result<CodeNames> {
    Ok(jospar_classification::repo::code_names(
        db,
        year,
        jospar_classification::CodeKind::ReceiptSubclass,
    )
    .await?)
}

pub(crate) fn receipt_name(names: &CodeNames, tr: &Tr, code: &str) -> String {
    names.name(code.get(..4).unwrap_or(code), tr.lang())
}

/// A receipt code's cell: "101101 Корпоративный подоходный налог".
pub(crate) fn receipt_cell(names: &CodeNames, tr: &Tr, code: &str) -> Cell {
    named(code, receipt_name(names, tr, code))
}

/// The names of the codes of an imported form: of the classification of its report year,
/// the rows without an ABP of their own named under the form's administrator.
pub(crate) async fn form_names(
    db: &Db,
    tr: &Tr,
    head: &crate::treasury_store::TreasuryReport,
) -> Result<ExpenseNames> {
    Ok(ExpenseNames::of_administrators(
        db,
        chrono::Datelike::year(&head.report_date),
        own_abp(db, head.org_id).await?,
        tr.lang(),
    )
    .await?)
}

/// The ABP of the administrator an organisation belongs to, as the one administrator under
/// which a form's rows without an ABP of their own (lines only in the system's plans) are named.
pub(crate) async fn own_abp(db: &Db, org_id: i64) -> Result<Vec<String>> {
    Ok(jospar_planning::codes::administrator_code(db, org_id)
        .await?
        .into_iter()
        .collect())
}
