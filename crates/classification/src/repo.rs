//! Storage of the classification. Imports are all-or-nothing: one transaction, and every code
//! opened or renamed is written to the audit log in that transaction.

use crate::domain::{CodeEntry, CodeKind};
use jospar_core::text::search_key;
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ImportSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub years: Vec<i32>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct CodeRow {
    year: i64,
    kind: String,
    code: String,
    parent_code: Option<String>,
    name_ru: String,
    name_kk: Option<String>,
}

impl CodeRow {
    fn into_entry(self) -> Option<CodeEntry> {
        Some(CodeEntry {
            year: i32::try_from(self.year).ok()?,
            kind: CodeKind::from_code(&self.kind)?,
            code: self.code,
            parent_code: self.parent_code,
            name_ru: self.name_ru,
            name_kk: self.name_kk,
        })
    }
}

/// Stores parsed entries (insert new codes, rename changed ones), all in one transaction.
pub async fn import_entries(
    db: &Db,
    who: &Who,
    entries: &[CodeEntry],
    source: &str,
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    let mut tx = db.begin().await?;
    for entry in entries {
        let existing: Option<CodeRow> = on_tx!(&mut tx, conn => sqlx::query_as::<_, CodeRow>(
            "SELECT year, kind, code, parent_code, name_ru, name_kk FROM ebk_codes WHERE year = $1 AND kind = $2 AND code = $3")
            .bind(i64::from(entry.year))
            .bind(entry.kind.code())
            .bind(&entry.code)
            .fetch_optional(conn)
            .await)?;
        let name_kk = entry
            .name_kk
            .clone()
            .or_else(|| existing.as_ref().and_then(|e| e.name_kk.clone()));
        let audit_id = format!("{}/{}/{}", entry.year, entry.kind.code(), entry.code);
        match existing {
            Some(old) if old.name_ru == entry.name_ru && old.name_kk == name_kk => {
                summary.unchanged += 1
            }
            Some(old) => {
                exec_tx!(&mut tx, conn => sqlx::query(
                    "UPDATE ebk_codes SET name_ru = $1, name_kk = $2, search_key = $3, source = $4 \
                     WHERE year = $5 AND kind = $6 AND code = $7")
                    .bind(&entry.name_ru)
                    .bind(&name_kk)
                    .bind(search_key(&format!("{} {} {}", entry.code, entry.name_ru, name_kk.as_deref().unwrap_or(""))))
                    .bind(source)
                    .bind(i64::from(entry.year))
                    .bind(entry.kind.code())
                    .bind(&entry.code)
                    .execute(conn)
                    .await)?;
                tx.audit(AuditEntry {
                    who,
                    org_id: None,
                    entity: "ebk_code",
                    entity_id: audit_id,
                    action: "update",
                    old_value: Some(json!({"name_ru": old.name_ru, "name_kk": old.name_kk})),
                    new_value: Some(json!({"name_ru": entry.name_ru, "name_kk": name_kk})),
                    reason: Some(format!("import: {source}")),
                })
                .await?;
                summary.updated += 1;
            }
            None => {
                exec_tx!(&mut tx, conn => sqlx::query(
                    "INSERT INTO ebk_codes (year, kind, code, parent_code, name_ru, name_kk, search_key, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(i64::from(entry.year))
                    .bind(entry.kind.code())
                    .bind(&entry.code)
                    .bind(&entry.parent_code)
                    .bind(&entry.name_ru)
                    .bind(&name_kk)
                    .bind(search_key(&format!("{} {} {}", entry.code, entry.name_ru, name_kk.as_deref().unwrap_or(""))))
                    .bind(source)
                    .execute(conn)
                    .await)?;
                tx.audit(AuditEntry {
                    who,
                    org_id: None,
                    entity: "ebk_code",
                    entity_id: audit_id,
                    action: "create",
                    old_value: None,
                    new_value: Some(json!({"name_ru": entry.name_ru, "name_kk": name_kk})),
                    reason: Some(format!("import: {source}")),
                })
                .await?;
                summary.inserted += 1;
            }
        }
        if !summary.years.contains(&entry.year) {
            summary.years.push(entry.year);
        }
    }
    tx.commit().await?;
    summary.years.sort_unstable();
    Ok(summary)
}

/// Opens one code of a year inside the caller's transaction — the order on an approved code
/// request (P-15) — audited with the order as its reason.
pub async fn open_code(
    tx: &mut Tx,
    who: &Who,
    entry: &CodeEntry,
    source: &str,
) -> Result<(), StoreError> {
    exec_tx!(&mut *tx, conn => sqlx::query(
        "INSERT INTO ebk_codes (year, kind, code, parent_code, name_ru, name_kk, search_key, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(i64::from(entry.year))
        .bind(entry.kind.code())
        .bind(&entry.code)
        .bind(&entry.parent_code)
        .bind(&entry.name_ru)
        .bind(&entry.name_kk)
        .bind(search_key(&format!("{} {} {}", entry.code, entry.name_ru, entry.name_kk.as_deref().unwrap_or(""))))
        .bind(source)
        .execute(conn)
        .await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "ebk_code",
        entity_id: format!("{}/{}/{}", entry.year, entry.kind.code(), entry.code),
        action: "create",
        old_value: None,
        new_value: Some(json!({"name_ru": entry.name_ru, "name_kk": entry.name_kk})),
        reason: Some(source.to_string()),
    })
    .await?;
    Ok(())
}

/// Closes a code of a year inside the caller's transaction, with the codes under it (a
/// program's subprograms close with the program); the codes closed, each audited.
pub async fn close_code(
    tx: &mut Tx,
    who: &Who,
    year: i32,
    kind: CodeKind,
    code: &str,
    source: &str,
) -> Result<Vec<CodeEntry>, StoreError> {
    let rows: Vec<CodeRow> = on_tx!(&mut *tx, conn => sqlx::query_as::<_, CodeRow>(
        "SELECT year, kind, code, parent_code, name_ru, name_kk FROM ebk_codes \
         WHERE year = $1 AND ((kind = $2 AND code = $3) OR (kind = $4 AND parent_code = $3)) \
         ORDER BY kind, code")
        .bind(i64::from(year))
        .bind(kind.code())
        .bind(code)
        .bind(CodeKind::Subprogram.code())
        .fetch_all(conn)
        .await)?;
    let closed: Vec<CodeEntry> = rows
        .into_iter()
        .filter_map(CodeRow::into_entry)
        .filter(|e| e.kind == kind || kind == CodeKind::Program)
        .collect();
    for entry in &closed {
        exec_tx!(&mut *tx, conn => sqlx::query(
            "DELETE FROM ebk_codes WHERE year = $1 AND kind = $2 AND code = $3")
            .bind(i64::from(year))
            .bind(entry.kind.code())
            .bind(&entry.code)
            .execute(conn)
            .await)?;
        tx.audit(AuditEntry {
            who,
            org_id: None,
            entity: "ebk_code",
            entity_id: format!("{}/{}/{}", year, entry.kind.code(), entry.code),
            action: "delete",
            old_value: Some(json!({"name_ru": entry.name_ru, "name_kk": entry.name_kk})),
            new_value: None,
            reason: Some(source.to_string()),
        })
        .await?;
    }
    Ok(closed)
}

/// Opens year `to` as a copy of year `from` (the usual start of a new year's classification,
/// amended afterwards by imports). Refused when `to` already has codes.
pub async fn copy_year(db: &Db, who: &Who, from: i32, to: i32) -> Result<usize, StoreError> {
    if !codes_of_year(db, to).await?.is_empty() {
        return Err(StoreError::Other(format!("year {to} already has codes")));
    }
    let mut entries = codes_of_year(db, from).await?;
    for entry in &mut entries {
        entry.year = to;
    }
    let summary = import_entries(db, who, &entries, &format!("copy of {from}")).await?;
    Ok(summary.inserted)
}

pub async fn years(db: &Db) -> Result<Vec<i32>, StoreError> {
    let rows: Vec<i64> = on_db!(db, pool => sqlx::query_scalar("SELECT DISTINCT year FROM ebk_codes ORDER BY year")
        .fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|y| i32::try_from(y).ok())
        .collect())
}

pub async fn codes_of_year(db: &Db, year: i32) -> Result<Vec<CodeEntry>, StoreError> {
    let rows: Vec<CodeRow> = on_db!(db, pool => sqlx::query_as::<_, CodeRow>(
        "SELECT year, kind, code, parent_code, name_ru, name_kk FROM ebk_codes WHERE year = $1 ORDER BY kind, code")
        .bind(i64::from(year))
        .fetch_all(pool).await)?;
    Ok(rows.into_iter().filter_map(CodeRow::into_entry).collect())
}

/// Search by code or name (Russian or Kazakh) within a year; optionally one kind or the
/// children of one parent.
pub async fn search(
    db: &Db,
    year: i32,
    kind: Option<CodeKind>,
    parent: Option<&str>,
    query: &str,
    limit: i64,
) -> Result<Vec<CodeEntry>, StoreError> {
    let pattern = format!("%{}%", search_key(query));
    let rows: Vec<CodeRow> = on_db!(db, pool => sqlx::query_as::<_, CodeRow>(
        "SELECT year, kind, code, parent_code, name_ru, name_kk FROM ebk_codes \
         WHERE year = $1 AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR parent_code = $3) \
           AND search_key LIKE $4 \
         ORDER BY kind, code LIMIT $5")
        .bind(i64::from(year))
        .bind(kind.map(CodeKind::code))
        .bind(parent)
        .bind(pattern)
        .bind(limit)
        .fetch_all(pool).await)?;
    Ok(rows.into_iter().filter_map(CodeRow::into_entry).collect())
}

pub async fn get(
    db: &Db,
    year: i32,
    kind: CodeKind,
    code: &str,
) -> Result<Option<CodeEntry>, StoreError> {
    let row: Option<CodeRow> = on_db!(db, pool => sqlx::query_as::<_, CodeRow>(
        "SELECT year, kind, code, parent_code, name_ru, name_kk FROM ebk_codes WHERE year = $1 AND kind = $2 AND code = $3")
        .bind(i64::from(year))
        .bind(kind.code())
        .bind(code)
        .fetch_optional(pool).await)?;
    Ok(row.and_then(CodeRow::into_entry))
}

/// True when the code exists in any year (used to validate administrator codes of organisations).
pub async fn exists_any_year(db: &Db, kind: CodeKind, code: &str) -> Result<bool, StoreError> {
    let count: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ebk_codes WHERE kind = $1 AND code = $2")
        .bind(kind.code())
        .bind(code)
        .fetch_one(pool).await)?;
    Ok(count > 0)
}

/// Number of codes by kind in a year.
pub async fn counts(db: &Db, year: i32) -> Result<Vec<(CodeKind, i64)>, StoreError> {
    let rows: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT kind, COUNT(*) FROM ebk_codes WHERE year = $1 GROUP BY kind ORDER BY kind")
        .bind(i64::from(year))
        .fetch_all(pool).await)?;
    let mut counts: Vec<(CodeKind, i64)> = rows
        .into_iter()
        .filter_map(|(k, n)| CodeKind::from_code(&k).map(|k| (k, n)))
        .collect();
    counts.sort_by_key(|(k, _)| *k);
    Ok(counts)
}

/// The names of the codes of one kind, to show beside a code wherever one is shown (issue 21).
/// Codes are matched without their spaces: "104101" finds the subclass "1 04 1" by its first
/// four digits, "464003" the program "464 003".
#[derive(Debug, Default, Clone)]
pub struct CodeNames {
    by_code: std::collections::HashMap<String, CodeEntry>,
}

impl CodeNames {
    pub fn of(entries: impl IntoIterator<Item = CodeEntry>) -> CodeNames {
        let by_code = entries
            .into_iter()
            .map(|e| (e.code.chars().filter(|c| !c.is_whitespace()).collect(), e))
            .collect();
        CodeNames { by_code }
    }

    /// The name in `lang` ("kk" or "ru"; the Russian one where the Kazakh is not known), or
    /// empty when the code is not in the classification.
    pub fn name(&self, code: &str, lang: &str) -> String {
        let key: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        self.by_code
            .get(&key)
            .map(|e| match (&e.name_kk, lang) {
                (Some(kk), "kk") => kk.clone(),
                _ => e.name_ru.clone(),
            })
            .unwrap_or_default()
    }
}

/// The codes of `kind` in the classification of `year`, or of the latest year before it that
/// is loaded (a plan of 2027 is named by the classification of 2026 until 2027 is imported).
pub async fn code_names(db: &Db, year: i32, kind: CodeKind) -> Result<CodeNames, StoreError> {
    let loaded = years(db).await?;
    let year = loaded
        .iter()
        .copied()
        .filter(|y| *y <= year)
        .max()
        .or_else(|| loaded.iter().copied().min())
        .unwrap_or(year);
    let rows: Vec<CodeRow> = on_db!(db, pool => sqlx::query_as::<_, CodeRow>(
        "SELECT year, kind, code, parent_code, name_ru, name_kk FROM ebk_codes WHERE year = $1 AND kind = $2")
        .bind(i64::from(year))
        .bind(kind.code())
        .fetch_all(pool).await)?;
    Ok(CodeNames::of(
        rows.into_iter().filter_map(CodeRow::into_entry),
    ))
}

/// The subprograms of a local program by source of money, which the classification lists
/// only for the republican budget's investment programs: 011 from republican transfers,
/// 015 from the local budget, 032 from a National Fund transfer (the budget classification's
/// standard subprogram codes for local budgets).
pub const LOCAL_SOURCE_SUBPROGRAMS: [(&str, &str, &str); 3] = [
    (
        "011",
        "За счет трансфертов из республиканского бюджета",
        "Республикалық бюджеттен берілетін трансферттер есебінен",
    ),
    (
        "015",
        "За счет средств местного бюджета",
        "Жергілікті бюджет қаражаты есебінен",
    ),
    (
        "032",
        "За счет целевого трансферта из Национального фонда Республики Казахстан",
        "Қазақстан Республикасының Ұлттық қорынан берілетін нысаналы трансферт есебінен",
    ),
];

/// The name of a local program's subprogram by the source of its money (011, 015, 032), which
/// the classification does not list; empty for other codes.
pub fn local_source_name(code: &str, lang: &str) -> &'static str {
    LOCAL_SOURCE_SUBPROGRAMS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ru, kk)| if lang == "kk" { *kk } else { *ru })
        .unwrap_or_default()
}

impl CodeNames {
    /// The one name shared by every code ending in `suffix`: a program "003" named without its
    /// administrator, where all administrators' programs 003 have the same name; else empty.
    pub fn name_ending(&self, suffix: &str, lang: &str) -> String {
        let mut names = self
            .by_code
            .iter()
            .filter(|(code, _)| code.ends_with(suffix) && code.len() > suffix.len())
            .map(|(code, _)| self.name(code, lang));
        match names.next() {
            Some(first) if names.all(|n| n == first) => first,
            _ => String::new(),
        }
    }

    /// The name of a subprogram of `program` (ABP and program, "464003"): the classification's,
    /// or, for a local program, the standard source of its money (011, 015, 032).
    pub fn subprogram_name(&self, program: &str, code: &str, lang: &str) -> String {
        let listed = self.name(&format!("{program}{code}"), lang);
        if !listed.is_empty() {
            return listed;
        }
        local_source_name(code, lang).to_string()
    }
}

/// Names of the expense codes of one administrator's lines (program, subprogram, specific) in
/// the user's language, for pages that show such lines: staffing, financing plans, limits.
#[derive(Debug, Clone)]
pub struct ExpenseNames {
    /// The ABP codes that prefix the programs in the classification: the one administrator of
    /// the lines, or every administrator of a consolidation.
    abps: Vec<String>,
    administrators: CodeNames,
    programs: CodeNames,
    subprograms: CodeNames,
    specifics: CodeNames,
    lang: &'static str,
}

impl ExpenseNames {
    pub async fn load(
        db: &Db,
        year: i32,
        abp: Option<String>,
        lang: &'static str,
    ) -> Result<ExpenseNames, StoreError> {
        Self::of_administrators(db, year, abp.into_iter().collect(), lang).await
    }

    /// For lines of several administrators: a program is named when the programs of that code
    /// of all of them share the name.
    pub async fn of_administrators(
        db: &Db,
        year: i32,
        abps: Vec<String>,
        lang: &'static str,
    ) -> Result<ExpenseNames, StoreError> {
        Ok(ExpenseNames {
            abps,
            administrators: code_names(db, year, CodeKind::Abp).await?,
            programs: code_names(db, year, CodeKind::Program).await?,
            subprograms: code_names(db, year, CodeKind::Subprogram).await?,
            specifics: code_names(db, year, CodeKind::EconSpecific).await?,
            lang,
        })
    }

    /// The program's name; without a known administrator, the name all administrators'
    /// programs of that code share, if they share one.
    pub fn program(&self, program: &str) -> String {
        if self.abps.is_empty() {
            return self.programs.name_ending(program.trim(), self.lang);
        }
        let mut names = self
            .abps
            .iter()
            .map(|abp| self.programs.name(&format!("{abp}{program}"), self.lang))
            .filter(|name| !name.is_empty());
        match names.next() {
            Some(first) if names.all(|n| n == first) => first,
            _ => String::new(),
        }
    }

    pub fn subprogram(&self, program: &str, subprogram: &str) -> String {
        if subprogram.trim().is_empty() {
            return String::new();
        }
        if self.abps.is_empty() {
            return local_source_name(subprogram.trim(), self.lang).to_string();
        }
        // As for programs: the name the administrators' subprograms of these codes share.
        let mut names = self.abps.iter().map(|abp| {
            self.subprograms
                .subprogram_name(&format!("{abp}{program}"), subprogram, self.lang)
        });
        match names.next() {
            Some(first) if names.all(|n| n == first) => first,
            _ => String::new(),
        }
    }

    /// The name of an administrator of budget programs by its ABP code.
    pub fn administrator(&self, abp: &str) -> String {
        self.administrators.name(abp, self.lang)
    }

    /// A program of a given administrator (rows of treasury forms carry their ABP).
    pub fn program_under(&self, abp: &str, program: &str) -> String {
        self.programs.name(&format!("{abp}{program}"), self.lang)
    }

    pub fn subprogram_under(&self, abp: &str, program: &str, subprogram: &str) -> String {
        if subprogram.trim().is_empty() {
            return String::new();
        }
        self.subprograms
            .subprogram_name(&format!("{abp}{program}"), subprogram, self.lang)
    }

    pub fn specific(&self, specific: &str) -> String {
        self.specifics.name(specific, self.lang)
    }

    /// The names alone, for a place that shows the codes already: "Общеобразовательное
    /// обучение · За счет… · Оплата труда".
    pub fn names(&self, program: &str, subprogram: &str, specific: &str) -> String {
        [
            self.program(program),
            self.subprogram(program, subprogram),
            self.specific(specific),
        ]
        .into_iter()
        .filter(|name| !name.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
    }

    /// "003 Общеобразовательное обучение · 015 За счет… · 111 Оплата труда": each code that is
    /// there, with its name.
    pub fn label(&self, program: &str, subprogram: &str, specific: &str) -> String {
        [
            (program, self.program(program)),
            (subprogram, self.subprogram(program, subprogram)),
            (specific, self.specific(specific)),
        ]
        .into_iter()
        .filter(|(code, _)| !code.trim().is_empty())
        .map(|(code, name)| format!("{code} {name}").trim().to_string())
        .collect::<Vec<_>>()
        .join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: CodeKind, code: &str, ru: &str, kk: Option<&str>) -> CodeEntry {
        CodeEntry {
            year: 2026,
            kind,
            code: code.into(),
            parent_code: None,
            name_ru: ru.into(),
            name_kk: kk.map(String::from),
        }
    }

    #[test]
    fn codes_are_named_without_their_spaces_in_the_users_language() {
        let names = CodeNames::of([
            entry(
                CodeKind::Program,
                "261 003",
                "Общеобразовательное обучение",
                Some("Жалпы білім беру"),
            ),
            entry(
                CodeKind::Program,
                "253 003",
                "Общеобразовательное обучение",
                None,
            ),
            entry(CodeKind::Program, "253 001", "Услуги управления", None),
            entry(
                CodeKind::Program,
                "261 001",
                "Услуги по реализации политики",
                None,
            ),
        ]);
        assert_eq!(names.name("261003", "kk"), "Жалпы білім беру");
        assert_eq!(
            names.name("253 003", "kk"),
            "Общеобразовательное обучение",
            "Russian where the Kazakh name is not known"
        );
        assert_eq!(names.name("999999", "ru"), "");
        // Without an administrator: a name all administrators share, else none.
        assert_eq!(
            names.name_ending("003", "ru"),
            "Общеобразовательное обучение"
        );
        assert_eq!(names.name_ending("001", "ru"), "");
    }

    #[test]
    fn a_local_programs_subprogram_is_named_by_its_source() {
        let names = CodeNames::of([entry(
            CodeKind::Subprogram,
            "201 076 100",
            "Республиканская подпрограмма",
            None,
        )]);
        assert_eq!(
            names.subprogram_name("201076", "100", "ru"),
            "Республиканская подпрограмма"
        );
        assert_eq!(
            names.subprogram_name("261003", "015", "kk"),
            "Жергілікті бюджет қаражаты есебінен"
        );
        assert_eq!(names.subprogram_name("261003", "777", "ru"), "");
    }
}
