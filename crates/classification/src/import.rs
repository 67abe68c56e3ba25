//! Parsers of the classification files the system accepts (P-13), chosen by the header row:
//! - the derived ЕБК lists of `shared/reference/ebk_derived/` (expenses group/subgroup/ABP,
//!   receipts, ABP codes, economic categories, investment programs/subprograms);
//! - the partial list of economic specifics in `shared/reference/community/`;
//! - the open-budgets portal's execution trees (`budget_egov_kz/*_execution_tree*.csv`);
//! - the native format `year,kind,code,name_ru,name_kk` (also how Kazakh names are loaded).
//!
//! A file is parsed completely before anything is stored; the first bad row stops the import
//! with the row number (1-based, header = row 1) and the column.

use crate::domain::{CodeEntry, CodeKind};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearRange {
    pub from: i32,
    pub to: i32,
}

impl YearRange {
    pub fn single(year: i32) -> YearRange {
        YearRange {
            from: year,
            to: year,
        }
    }

    fn contains(self, year: i32) -> bool {
        (self.from..=self.to).contains(&year)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("the file is empty")]
    Empty,
    #[error("unknown file layout: the header row matches none of the known formats")]
    UnknownFormat,
    #[error("row {row}: {message}")]
    Csv { row: usize, message: String },
    #[error("row {row}, column {column}: bad value {value:?}")]
    BadValue {
        row: usize,
        column: String,
        value: String,
    },
    #[error("row {row}, column {column}: unknown code kind {value:?}")]
    UnknownKind {
        row: usize,
        column: String,
        value: String,
    },
    #[error("the file has no dates: choose the year(s) it applies to")]
    YearRequired,
    #[error("no rows fall within the chosen years")]
    NothingInRange,
}

#[derive(Debug, Clone)]
pub struct ParsedImport {
    pub format: &'static str,
    pub entries: Vec<CodeEntry>,
}

/// Parses a classification file. `years` restricts dated rows and is required for files
/// without dates.
pub fn parse(bytes: &[u8], years: Option<YearRange>) -> Result<ParsedImport, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text.lines().next().ok_or(ImportError::Empty)?;
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::Csv {
            row: 1,
            message: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ImportError::Csv {
            row: i + 2,
            message: e.to_string(),
        })?;
        let map: HashMap<String, String> = headers
            .iter()
            .cloned()
            .zip(record.iter().map(|v| v.to_string()))
            .collect();
        rows.push(Row {
            number: i + 2,
            fields: map,
        });
    }
    let has = |names: &[&str]| names.iter().all(|n| headers.iter().any(|h| h == n));
    let (format, entries) = if has(&[
        "section",
        "full_code",
        "level",
        "group",
        "subgroup",
        "abp",
        "name_ru",
    ]) {
        (
            "ebk_derived_expenses",
            parse_derived_expenses(&rows, years)?,
        )
    } else if has(&[
        "full_code",
        "level",
        "category",
        "class",
        "subclass",
        "name_ru",
    ]) {
        (
            "ebk_derived_receipts",
            parse_derived_receipts(&rows, years)?,
        )
    } else if has(&["abp_code", "name_ru", "first_month_seen"]) && !has(&["program_code"]) {
        ("ebk_derived_abp", parse_derived_abp(&rows, years)?)
    } else if has(&["category_code", "name_ru"]) {
        (
            "ebk_derived_economic_categories",
            parse_simple(
                &rows,
                years,
                CodeKind::EconCategory,
                "category_code",
                "name_ru",
            )?,
        )
    } else if has(&["specific_code", "name_ru_as_given"]) {
        (
            "ekr_specifics",
            parse_simple(
                &rows,
                years,
                CodeKind::EconSpecific,
                "specific_code",
                "name_ru_as_given",
            )?,
        )
    } else if has(&[
        "functional_group",
        "abp_code",
        "program_code",
        "subprogram_code",
        "program_name_ru",
    ]) {
        (
            "ebk_derived_programs",
            parse_derived_programs(&rows, years)?,
        )
    } else if has(&["id", "code", "name", "level", "parent_id", "month"]) {
        ("portal_execution_tree", parse_portal_tree(&rows, years)?)
    } else if has(&["year", "kind", "code", "name_ru", "name_kk"]) {
        ("native", parse_native(&rows, years)?)
    } else {
        return Err(ImportError::UnknownFormat);
    };
    if entries.is_empty() {
        return Err(ImportError::NothingInRange);
    }
    Ok(ParsedImport {
        format,
        entries: deduplicate(entries),
    })
}

struct Row {
    number: usize,
    fields: HashMap<String, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.fields.get(column).map(|s| s.trim()).unwrap_or("")
    }

    fn bad(&self, column: &str) -> ImportError {
        ImportError::BadValue {
            row: self.number,
            column: column.into(),
            value: self.get(column).into(),
        }
    }

    /// A code segment of exactly `digits` digits (the portal writes "4.0" for 4: accepted and padded).
    fn segment(&self, column: &str, digits: usize) -> Result<String, ImportError> {
        normalise_segment(self.get(column), digits).ok_or_else(|| self.bad(column))
    }

    /// Years between first and last month seen ("2023-01" … "2025-03"), within `range`.
    fn years_seen(&self, range: Option<YearRange>) -> Result<Vec<i32>, ImportError> {
        let first = self.get("first_month_seen");
        let last = self.get("last_month_seen");
        if first.is_empty() && last.is_empty() {
            let range = range.ok_or(ImportError::YearRequired)?;
            return Ok((range.from..=range.to).collect());
        }
        let first_year = year_of_month(first).ok_or_else(|| self.bad("first_month_seen"))?;
        let last_year = year_of_month(last).ok_or_else(|| self.bad("last_month_seen"))?;
        if last_year < first_year {
            return Err(self.bad("last_month_seen"));
        }
        Ok((first_year..=last_year)
            .filter(|y| range.is_none_or(|r| r.contains(*y)))
            .collect())
    }
}

fn normalise_segment(value: &str, digits: usize) -> Option<String> {
    let integer = value.strip_suffix(".0").unwrap_or(value);
    if integer.is_empty() || integer.len() > digits || !integer.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some(format!("{integer:0>digits$}"))
}

fn year_of_month(value: &str) -> Option<i32> {
    // "2023-01" (derived lists) or "01.2023" (portal)
    let year = if let Some((y, _)) = value.split_once('-') {
        y
    } else {
        value.split_once('.')?.1
    };
    let year: i32 = year.parse().ok()?;
    (1990..=2100).contains(&year).then_some(year)
}

/// Names as published, with the source's quirks mended: runs of spaces and line breaks
/// collapsed, and the Latin "H" the portal writes inside Cyrillic words ("Hалог") replaced.
/// Only an "H" that follows no Latin letter is mended, so that mending twice changes nothing
/// (a run "hhн" would otherwise lose one Latin letter at each pass and a name would not read
/// back as it was written).
pub fn clean_name(name: &str) -> String {
    let is_cyrillic = |c: &char| ('\u{0400}'..='\u{04FF}').contains(c);
    let chars: Vec<char> = name.chars().collect();
    let mended: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let next_is_cyrillic = chars.get(i + 1).is_some_and(is_cyrillic);
            let after_latin = i > 0 && chars[i - 1].is_ascii_alphabetic();
            match c {
                _ if after_latin => c,
                'H' if next_is_cyrillic => 'Н',
                'h' if next_is_cyrillic => 'н',
                _ => c,
            }
        })
        .collect();
    mended.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn make(year: i32, kind: CodeKind, code: String, name: &str) -> CodeEntry {
    CodeEntry {
        year,
        kind,
        parent_code: kind.parent_of(&code),
        code,
        name_ru: clean_name(name),
        name_kk: None,
    }
}

fn parse_derived_expenses(
    rows: &[Row],
    years: Option<YearRange>,
) -> Result<Vec<CodeEntry>, ImportError> {
    let mut out = Vec::new();
    for row in rows {
        let group = row.segment("group", 2)?;
        let (kind, code) = match row.get("level") {
            "functional_group" => (CodeKind::FuncGroup, group),
            "functional_subgroup" => (
                CodeKind::FuncSubgroup,
                format!("{group} {}", row.segment("subgroup", 1)?),
            ),
            "abp" => (
                CodeKind::FuncAbp,
                format!(
                    "{group} {} {}",
                    row.segment("subgroup", 1)?,
                    row.segment("abp", 3)?
                ),
            ),
            _ => return Err(row.bad("level")),
        };
        for year in row.years_seen(years)? {
            out.push(make(year, kind, code.clone(), row.get("name_ru")));
        }
    }
    Ok(out)
}

fn parse_derived_receipts(
    rows: &[Row],
    years: Option<YearRange>,
) -> Result<Vec<CodeEntry>, ImportError> {
    let mut out = Vec::new();
    for row in rows {
        let category = row.segment("category", 1)?;
        let (kind, code) = match row.get("level") {
            "category" => (CodeKind::ReceiptCategory, category),
            "class" => (
                CodeKind::ReceiptClass,
                format!("{category} {}", row.segment("class", 2)?),
            ),
            "subclass" => (
                CodeKind::ReceiptSubclass,
                format!(
                    "{category} {} {}",
                    row.segment("class", 2)?,
                    row.segment("subclass", 1)?
                ),
            ),
            _ => return Err(row.bad("level")),
        };
        for year in row.years_seen(years)? {
            out.push(make(year, kind, code.clone(), row.get("name_ru")));
        }
    }
    Ok(out)
}

fn parse_derived_abp(
    rows: &[Row],
    years: Option<YearRange>,
) -> Result<Vec<CodeEntry>, ImportError> {
    let mut out = Vec::new();
    for row in rows {
        let code = row.segment("abp_code", 3)?;
        for year in row.years_seen(years)? {
            out.push(make(year, CodeKind::Abp, code.clone(), row.get("name_ru")));
        }
    }
    Ok(out)
}

fn parse_simple(
    rows: &[Row],
    years: Option<YearRange>,
    kind: CodeKind,
    code_column: &str,
    name_column: &str,
) -> Result<Vec<CodeEntry>, ImportError> {
    let range = years.ok_or(ImportError::YearRequired)?;
    let mut out = Vec::new();
    for row in rows {
        let code = row.segment(code_column, kind.segment_digits())?;
        if row.get(name_column).is_empty() {
            return Err(row.bad(name_column));
        }
        for year in range.from..=range.to {
            out.push(make(year, kind, code.clone(), row.get(name_column)));
        }
    }
    Ok(out)
}

fn parse_derived_programs(
    rows: &[Row],
    years: Option<YearRange>,
) -> Result<Vec<CodeEntry>, ImportError> {
    let mut out = Vec::new();
    for row in rows {
        let abp = row.segment("abp_code", 3)?;
        let program = format!("{abp} {}", row.segment("program_code", 3)?);
        let subprogram = row.segment("subprogram_code", 3)?;
        for year in row.years_seen(years)? {
            out.push(make(
                year,
                CodeKind::Program,
                program.clone(),
                row.get("program_name_ru"),
            ));
            // "000" means a program without subprograms (CODES.md §2.2).
            if subprogram != "000" {
                let name = row.get("subprogram_name_ru");
                let name = if name.is_empty() {
                    row.get("program_name_ru")
                } else {
                    name
                };
                out.push(make(
                    year,
                    CodeKind::Subprogram,
                    format!("{program} {subprogram}"),
                    name,
                ));
            }
        }
    }
    Ok(out)
}

fn parse_native(rows: &[Row], years: Option<YearRange>) -> Result<Vec<CodeEntry>, ImportError> {
    let mut out = Vec::new();
    for row in rows {
        let year: i32 = row.get("year").parse().map_err(|_| row.bad("year"))?;
        if years.is_some_and(|r| !r.contains(year)) {
            continue;
        }
        let kind =
            CodeKind::from_code(row.get("kind")).ok_or_else(|| ImportError::UnknownKind {
                row: row.number,
                column: "kind".into(),
                value: row.get("kind").into(),
            })?;
        let code = row.get("code").to_string();
        if !kind.is_valid_code(&code) {
            return Err(row.bad("code"));
        }
        if row.get("name_ru").is_empty() {
            return Err(row.bad("name_ru"));
        }
        let mut entry = make(year, kind, code, row.get("name_ru"));
        let kk = clean_name(row.get("name_kk"));
        entry.name_kk = (!kk.is_empty()).then_some(kk);
        out.push(entry);
    }
    Ok(out)
}

/// Where a node of the portal tree sits: which family of codes its subtree holds and at which
/// tree level the codes start.
#[derive(Clone, Copy)]
enum Family {
    Receipts { first_level: i64 },
    Expenses { first_level: i64 },
    Skip,
}

fn family_of(section: &str, heading: Option<&str>) -> Family {
    let numeral = section.split('.').next().unwrap_or("").trim();
    let heading = heading
        .map(jospar_core::text::search_key)
        .unwrap_or_default();
    match numeral {
        "I" => Family::Receipts { first_level: 2 },
        "II" => Family::Expenses { first_level: 1 },
        "III" | "IV" | "VII" => {
            if heading.is_empty() {
                Family::Skip
            } else if heading.contains("поступлен")
                || heading.contains("погашение бюджетных кредитов")
            {
                Family::Receipts { first_level: 2 }
            } else {
                Family::Expenses { first_level: 2 }
            }
        }
        _ => Family::Skip,
    }
}

fn parse_portal_tree(
    rows: &[Row],
    years: Option<YearRange>,
) -> Result<Vec<CodeEntry>, ImportError> {
    // Nodes by (month, id); parents point to ids within the same month.
    struct Node<'a> {
        row: &'a Row,
        level: i64,
        parent: Option<String>,
    }
    let mut nodes: HashMap<(String, String), Node> = HashMap::new();
    for row in rows {
        let level: i64 = row.get("level").parse().map_err(|_| row.bad("level"))?;
        let month = row.get("month").to_string();
        year_of_month(&month).ok_or_else(|| row.bad("month"))?;
        let id = row.get("id").trim_end_matches(".0").to_string();
        let parent =
            Some(row.get("parent_id").trim_end_matches(".0").to_string()).filter(|p| !p.is_empty());
        nodes.insert((month, id), Node { row, level, parent });
    }
    // Latest name of each code in each year: months are processed in order.
    let mut by_year: BTreeMap<(i32, CodeKind, String), (String, String)> = BTreeMap::new();
    for ((month, _), node) in &nodes {
        let year = year_of_month(month).unwrap_or_default();
        if years.is_some_and(|r| !r.contains(year)) || node.row.get("code").is_empty() {
            continue;
        }
        // Walk up to collect the chain of ancestors (top first).
        let mut chain = vec![node];
        let mut cursor = node.parent.clone();
        while let Some(parent_id) = cursor {
            let Some(parent) = nodes.get(&(month.clone(), parent_id)) else {
                return Err(node.row.bad("parent_id"));
            };
            chain.push(parent);
            cursor = parent.parent.clone();
            if chain.len() > 12 {
                return Err(node.row.bad("parent_id"));
            }
        }
        chain.reverse();
        let section = chain[0].row.get("name");
        let heading = chain.get(1).map(|n| n.row.get("name"));
        let (kinds, first_level): (&[CodeKind], i64) = match family_of(section, heading) {
            Family::Receipts { first_level } => (
                &[
                    CodeKind::ReceiptCategory,
                    CodeKind::ReceiptClass,
                    CodeKind::ReceiptSubclass,
                ],
                first_level,
            ),
            Family::Expenses { first_level } => (
                &[
                    CodeKind::FuncGroup,
                    CodeKind::FuncSubgroup,
                    CodeKind::FuncAbp,
                ],
                first_level,
            ),
            Family::Skip => continue,
        };
        let depth = node
            .level
            .checked_sub(first_level)
            .ok_or_else(|| node.row.bad("level"))?;
        if depth < 0 || depth as usize >= kinds.len() {
            continue;
        }
        let mut segments = Vec::new();
        for (i, kind) in kinds.iter().enumerate().take(depth as usize + 1) {
            let ancestor = chain
                .iter()
                .find(|n| n.level == first_level + i as i64)
                .ok_or_else(|| node.row.bad("level"))?;
            segments.push(ancestor.row.segment("code", kind.segment_digits())?);
        }
        let kind = kinds[depth as usize];
        let key = (year, kind, segments.join(" "));
        let month_key = format!("{:0>7}", month.split('.').next().unwrap_or(""));
        let name = node.row.get("name").to_string();
        match by_year.get(&key) {
            Some((seen_month, _)) if *seen_month >= month_key => {}
            _ => {
                by_year.insert(key, (month_key, name));
            }
        }
    }
    Ok(by_year
        .into_iter()
        .map(|((year, kind, code), (_, name))| make(year, kind, code, &name))
        .collect())
}

/// One entry per (year, kind, code); the later row wins (and keeps a Kazakh name if only an
/// earlier row had one).
fn deduplicate(entries: Vec<CodeEntry>) -> Vec<CodeEntry> {
    let mut map: BTreeMap<(i32, CodeKind, String), CodeEntry> = BTreeMap::new();
    for entry in entries {
        let key = (entry.year, entry.kind, entry.code.clone());
        let kept_kk = map.get(&key).and_then(|e| e.name_kk.clone());
        let mut entry = entry;
        if entry.name_kk.is_none() {
            entry.name_kk = kept_kk;
        }
        map.insert(key, entry);
    }
    map.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_expenses_expand_years() {
        let file = "section,full_code,level,group,subgroup,abp,name_ru,alt_names_ru,n_budgets_seen,first_month_seen,last_month_seen\n\
            expenses,01,functional_group,01,,,Государственные услуги общего характера,,20,2023-01,2025-03\n\
            expenses,01 1 104,abp,01,1,104,Канцелярия,,1,2023-01,2023-12\n";
        let parsed = parse(file.as_bytes(), None).expect("parses");
        assert_eq!(parsed.format, "ebk_derived_expenses");
        let codes: Vec<(i32, &str)> = parsed
            .entries
            .iter()
            .map(|e| (e.year, e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![(2023, "01"), (2023, "01 1 104"), (2024, "01"), (2025, "01")]
        );
        assert_eq!(parsed.entries[1].parent_code.as_deref(), Some("01 1"));
    }

    #[test]
    fn bad_row_is_named() {
        let file = "abp_code,name_ru,alt_names_ru,first_month_seen,last_month_seen\n\
            101,Администрация,,2023-01,2025-03\n\
            10x,Плохой,,2023-01,2025-03\n";
        assert_eq!(
            parse(file.as_bytes(), None).unwrap_err(),
            ImportError::BadValue {
                row: 3,
                column: "abp_code".into(),
                value: "10x".into()
            }
        );
    }

    /// Found while writing the fuzz target `classification` (this file, kept as
    /// `fuzz/corpus/classification/regression-level-overflow.csv`, crashed it): a portal tree's
    /// level far below zero overflowed when the depth of its code was counted.
    #[test]
    fn a_level_out_of_range_is_refused_not_overflowed() {
        let file = "id,code,name,level,parent_id,month\n\
            1,1.0,I. ДОХОДЫ,0,,03.2023\n\
            2,1.0,НАЛОГОВЫЕ ПОСТУПЛЕНИЯ,-9223372036854775808,1.0,03.2023\n";
        assert_eq!(
            parse(file.as_bytes(), None).unwrap_err(),
            ImportError::BadValue {
                row: 3,
                column: "level".into(),
                value: "-9223372036854775808".into()
            }
        );
    }

    #[test]
    fn undated_file_needs_years() {
        let file = "category_code,name_ru\n1,Текущие затраты\n";
        assert_eq!(
            parse(file.as_bytes(), None).unwrap_err(),
            ImportError::YearRequired
        );
        let parsed = parse(
            file.as_bytes(),
            Some(YearRange {
                from: 2024,
                to: 2025,
            }),
        )
        .expect("parses");
        assert_eq!(parsed.entries.len(), 2);
    }

    #[test]
    fn unknown_layout_is_refused() {
        assert_eq!(
            parse(b"a,b,c\n1,2,3\n", None).unwrap_err(),
            ImportError::UnknownFormat
        );
        assert_eq!(parse(b"", None).unwrap_err(), ImportError::Empty);
        assert_eq!(
            parse(&[0xff, 0xfe, 0x00], None).unwrap_err(),
            ImportError::NotUtf8
        );
    }

    #[test]
    fn portal_tree_gives_receipts_and_expenses() {
        let file = "id;code;name;utv;level;isLeaf;parentCode;parent_id;month\n\
            1;1.0;I. ДОХОДЫ;1;0;False;;;01.2024\n\
            6;1.0;НАЛОГОВЫЕ ПОСТУПЛЕНИЯ;1;1;False;1.0;1.0;01.2024\n\
            7;1.0;Налоговые поступления;1;2;False;1.0;6.0;01.2024\n\
            8;1.0;Подоходный налог;1;3;False;1.0;7.0;01.2024\n\
            9;1.0;Корпоративный подоходный  налог;1;4;False;1.0;8.0;01.2024\n\
            53;2.0;II. ЗАТРАТЫ;1;0;False;;;01.2024\n\
            58;4.0;Образование;1;1;False;2.0;53.0;01.2024\n\
            59;2.0;Начальное образование;1;2;False;4.0;58.0;01.2024\n\
            60;261.0;Управление образования области;1;3;True;2.0;59.0;01.2024\n\
            61;;ИСПОЛЬЗУЕМЫЕ ОСТАТКИ;1;0;True;;;01.2024\n";
        let parsed = parse(file.as_bytes(), None).expect("parses");
        let codes: Vec<(&str, &str)> = parsed
            .entries
            .iter()
            .map(|e| (e.kind.code(), e.code.as_str()))
            .collect();
        assert!(codes.contains(&("receipt_subclass", "1 01 1")), "{codes:?}");
        assert!(codes.contains(&("func_abp", "04 2 261")), "{codes:?}");
        assert_eq!(parsed.entries.len(), 6);
        let cit = parsed
            .entries
            .iter()
            .find(|e| e.code == "1 01 1")
            .expect("present");
        assert_eq!(cit.name_ru, "Корпоративный подоходный налог");
    }

    #[test]
    fn portal_quirks_are_mended() {
        assert_eq!(
            clean_name("Hалог на  добавленную\nстоимость "),
            "Налог на добавленную стоимость"
        );
    }

    /// Found by the fuzzer (fuzz/corpus/classification/regression-latin-h-run.csv): a run of
    /// Latin "h" before a Cyrillic letter lost one letter at each cleaning.
    #[test]
    fn cleaning_a_clean_name_changes_nothing() {
        for name in ["промышленhhhности", "Hалог", "hh", "Hh Hн", "aHб", "ЖHh"]
        {
            let once = clean_name(name);
            assert_eq!(clean_name(&once), once, "{name}");
        }
        assert_eq!(clean_name("промышленHости"), "промышленНости");
        assert_eq!(clean_name("Hалог"), "Налог");
    }
}
