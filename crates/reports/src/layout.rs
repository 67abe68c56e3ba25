//! Official layouts as data (P-19): a form's number, the order it follows and the dates that
//! order was in force, its columns with the headings over them (several levels), the unit its
//! amounts print in and who signs it. A module keeps its layouts in a TOML file embedded with
//! `include_str!`; [`Layouts::in_force`] picks the version of the report's date, so a 2024
//! report prints in the 2024 layout after the order changed.
//!
//! ```toml
//! [[layout]]
//! code = "appendix-59"
//! valid_from = "2015-01-01"          # the order's version; valid_to closes it
//! number = { ru = "Приложение 59 …", kk = "… 59-қосымша" }
//! order = { ru = "приказ МНЭ РК № 195", kk = "ҚР ҰЭМ № 195 бұйрығы" }
//! title = { ru = "…", kk = "…" }
//! unit = "thousand_tenge"            # tenge (default), thousand_tenge, million_tenge
//! decimals = 1                       # 2 by default
//! numbered = true                    # the row 1, 2, 3 … under the headings
//! groups = { planning = { ru = "Плановый период", kk = "Жоспарлы кезең" } }
//! [[layout.columns]]
//! key = "year1"
//! kind = "money"                     # text, money, count, percent
//! heading = { ru = "{year1}", kk = "{year1}" }   # {name}: a value given when printing
//! over = ["planning"]                # the groups above, outermost first
//! sum_of = ["base1", "new1"]         # a total column: the sum of printed cells (minus = […])
//! [[layout.signatures]]
//! role = { ru = "Руководитель", kk = "Басшы" }
//! name = { ru = "(подпись, Ф.И.О.)", kk = "(қолы, Т.А.Ә.)" }
//! ```

use crate::amount::{Scale, Unit};
use crate::{Column, HeadCell, Kind, Signature, Table};
use chrono::NaiveDate;
use jospar_i18n::Tr;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A text in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub ru: String,
    pub kk: String,
}

impl Text {
    pub fn get(&self, lang: &str) -> &str {
        if lang == "kk" { &self.kk } else { &self.ru }
    }

    fn is_blank(&self) -> bool {
        self.ru.trim().is_empty() || self.kk.trim().is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    pub key: String,
    pub kind: Kind,
    pub heading: Text,
    /// The groups above the heading, outermost first (keys of [`Layout::groups`]).
    #[serde(default)]
    pub over: Vec<String>,
    /// A total column: the sum of these columns' printed cells, less those of `minus`.
    #[serde(default)]
    pub sum_of: Vec<String>,
    #[serde(default)]
    pub minus: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureDef {
    pub role: Text,
    /// What is printed after the line when no one is named yet.
    #[serde(default)]
    pub name: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub code: String,
    /// The first day the order's version applies to, and the last (none: still in force).
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// The form's number as the order prints it ("Приложение 57 к Правилам …", "Форма 4-20").
    pub number: Text,
    /// The order the layout follows.
    pub order: Text,
    pub title: Text,
    #[serde(default)]
    pub unit: Unit,
    #[serde(default = "two")]
    pub decimals: u8,
    #[serde(default)]
    pub numbered: bool,
    #[serde(default)]
    pub groups: BTreeMap<String, Text>,
    pub columns: Vec<ColumnDef>,
    #[serde(default)]
    pub signatures: Vec<SignatureDef>,
}

fn two() -> u8 {
    2
}

/// Why a layout was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    Syntax(String),
    /// The layout, and what is wrong with it.
    Invalid(String, String),
    /// Two versions of a layout in force on the same day.
    Overlap(String, NaiveDate),
}

impl std::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutError::Syntax(e) => write!(f, "the layouts are not valid TOML: {e}"),
            LayoutError::Invalid(code, why) => write!(f, "layout {code}: {why}"),
            LayoutError::Overlap(code, day) => {
                write!(f, "layout {code}: two versions are in force on {day}")
            }
        }
    }
}

impl std::error::Error for LayoutError {}

impl Layout {
    /// Whether the layout applies to a report of this date.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    fn check(&self) -> Result<(), String> {
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            return Err("valid_to is before valid_from".into());
        }
        if Scale::new(self.unit, self.decimals).is_none() {
            return Err(format!(
                "{} decimals are finer than the tiyn",
                self.decimals
            ));
        }
        if self.columns.is_empty() {
            return Err("no columns".into());
        }
        let texts = [&self.number, &self.order, &self.title];
        let headings = self.columns.iter().map(|c| &c.heading);
        let roles = self.signatures.iter().map(|s| &s.role);
        if texts
            .into_iter()
            .chain(headings)
            .chain(roles)
            .any(Text::is_blank)
        {
            return Err("a text is missing in Kazakh or Russian".into());
        }
        for column in &self.columns {
            if let Some(group) = column.over.iter().find(|g| !self.groups.contains_key(*g)) {
                return Err(format!("column {}: no group {group}", column.key));
            }
            let terms = column.sum_of.iter().chain(&column.minus);
            if let Some(key) = terms.into_iter().find(|k| self.index(k).is_none()) {
                return Err(format!("column {}: no column {key} to add", column.key));
            }
        }
        Ok(())
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// The scale amounts print in.
    pub fn scale(&self) -> Scale {
        Scale::new(self.unit, self.decimals).unwrap_or_default()
    }

    /// An empty table in this layout, in the translator's language, with `{name}` in the texts
    /// replaced by the values given (the years of a campaign, say).
    pub fn table(&self, tr: &Tr, values: &[(&str, String)]) -> Table {
        let lang = tr.lang();
        let fill = |text: &Text| fill(text.get(lang), values);
        let index = |keys: &[String]| keys.iter().filter_map(|k| self.index(k)).collect();
        let over: Vec<Vec<(String, String)>> = self
            .columns
            .iter()
            .map(|c| {
                let text = |g: &String| fill(&self.groups[g]);
                c.over.iter().map(|g| (g.clone(), text(g))).collect()
            })
            .collect();
        let headers: Vec<String> = self.columns.iter().map(|c| fill(&c.heading)).collect();
        Table {
            title: fill(&self.title),
            number: vec![fill(&self.number), fill(&self.order)],
            head: HeadCell::grid(&over, &headers),
            headers,
            numbered: self.numbered,
            columns: self
                .columns
                .iter()
                .map(|c| Column {
                    kind: c.kind,
                    plus: index(&c.sum_of),
                    minus: index(&c.minus),
                })
                .collect(),
            unit: Some(crate::UnitLine {
                scale: self.scale(),
                label: tr.t(self.unit.message()),
                tenge: tr.t(Unit::Tenge.message()),
            }),
            signatures: self
                .signatures
                .iter()
                .map(|s| Signature {
                    role: fill(&s.role),
                    name: fill(&s.name),
                })
                .collect(),
            ..Table::default()
        }
    }
}

fn fill(text: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// Every version of every layout of a module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layouts(Vec<Layout>);

#[derive(Deserialize)]
struct LayoutsFile {
    #[serde(default)]
    layout: Vec<Layout>,
}

impl Layouts {
    /// Reads the `[[layout]]` tables of a TOML file (other tables are left to their reader).
    pub fn parse(text: &str) -> Result<Layouts, LayoutError> {
        let file: LayoutsFile =
            toml::from_str(text).map_err(|e| LayoutError::Syntax(e.to_string()))?;
        Layouts::new(file.layout)
    }

    /// Checks each layout, and that no two versions of one are in force on the same day.
    pub fn new(list: Vec<Layout>) -> Result<Layouts, LayoutError> {
        for layout in &list {
            layout
                .check()
                .map_err(|why| LayoutError::Invalid(layout.code.clone(), why))?;
        }
        for (i, a) in list.iter().enumerate() {
            let later = list[i + 1..].iter().filter(|b| b.code == a.code);
            if let Some(b) = later.into_iter().find(|b| overlap(a, b)) {
                let day = a.valid_from.max(b.valid_from);
                return Err(LayoutError::Overlap(a.code.clone(), day));
            }
        }
        Ok(Layouts(list))
    }

    /// The version of layout `code` in force on `date`. Outside every version the nearest
    /// prints: the first one for a date before it, else the last one (a report still prints
    /// when its date falls outside the orders known).
    pub fn in_force(&self, code: &str, date: NaiveDate) -> Option<&Layout> {
        let versions = || self.0.iter().filter(move |l| l.code == code);
        let first = versions().min_by_key(|l| l.valid_from)?;
        versions().find(|l| l.in_force(date)).or_else(|| {
            if date < first.valid_from {
                Some(first)
            } else {
                versions().max_by_key(|l| l.valid_from)
            }
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Layout> {
        self.0.iter()
    }
}

fn overlap(a: &Layout, b: &Layout) -> bool {
    let end = |l: &Layout| l.valid_to.unwrap_or(NaiveDate::MAX);
    a.valid_from <= end(b) && b.valid_from <= end(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jospar_i18n::Lang;

    /// Two versions of one layout: the 2024 order printed in tenge, the 2025 one in thousands
    /// with a column more.
    const TWO_VERSIONS: &str = r#"
[[layout]]
code = "f"
valid_from = "2020-01-01"
valid_to = "2024-12-31"
number = { ru = "Форма 1", kk = "1-нысан" }
order = { ru = "приказ № 1", kk = "№ 1 бұйрық" }
title = { ru = "Отчёт", kk = "Есеп" }
numbered = true
groups = { plan = { ru = "План {year}", kk = "{year} жоспары" } }
columns = [
  { key = "code", kind = "text", heading = { ru = "Код", kk = "Код" } },
  { key = "a", kind = "money", heading = { ru = "База", kk = "Базалық" }, over = ["plan"] },
  { key = "b", kind = "money", heading = { ru = "Новые", kk = "Жаңа" }, over = ["plan"] },
]
signatures = [{ role = { ru = "Руководитель", kk = "Басшы" }, name = { ru = "(подпись)", kk = "(қолы)" } }]

[[layout]]
code = "f"
valid_from = "2025-01-01"
number = { ru = "Форма 1 (ред. 2025)", kk = "1-нысан (2025)" }
order = { ru = "приказ № 2", kk = "№ 2 бұйрық" }
title = { ru = "Отчёт", kk = "Есеп" }
unit = "thousand_tenge"
decimals = 1
groups = { plan = { ru = "План {year}", kk = "{year} жоспары" } }
columns = [
  { key = "code", kind = "text", heading = { ru = "Код", kk = "Код" } },
  { key = "a", kind = "money", heading = { ru = "База", kk = "Базалық" }, over = ["plan"] },
  { key = "b", kind = "money", heading = { ru = "Новые", kk = "Жаңа" }, over = ["plan"] },
  { key = "t", kind = "money", heading = { ru = "Всего", kk = "Барлығы" }, over = ["plan"], sum_of = ["a", "b"] },
]
"#;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_2024_report_prints_in_the_2024_layout() {
        let layouts = Layouts::parse(TWO_VERSIONS).expect("valid");
        let old = layouts.in_force("f", day(2024, 12, 31)).expect("2024");
        assert_eq!(old.number.ru, "Форма 1");
        assert_eq!(old.columns.len(), 3);
        let new = layouts.in_force("f", day(2025, 1, 1)).expect("2025");
        assert_eq!(new.number.ru, "Форма 1 (ред. 2025)");
        assert_eq!(
            new.scale(),
            Scale::new(Unit::ThousandTenge, 1).expect("scale")
        );
        // Before the first order the first version prints.
        let early = layouts.in_force("f", day(2010, 1, 1)).expect("some");
        assert_eq!(early.valid_from, day(2020, 1, 1));
        assert!(layouts.in_force("g", day(2024, 1, 1)).is_none());
    }

    #[test]
    fn the_table_of_a_layout_carries_its_headings_number_and_signatures() {
        let layouts = Layouts::parse(TWO_VERSIONS).expect("valid");
        let layout = layouts.in_force("f", day(2025, 3, 1)).expect("2025");
        let table = layout.table(&Tr(Lang::Kk), &[("year", "2026".into())]);
        let unit = table
            .unit
            .as_ref()
            .map(|u| (u.label.as_str(), u.tenge.as_str()));
        assert_eq!(unit, Some(("мың теңге", "теңге")));
        assert_eq!(table.number, vec!["1-нысан (2025)", "№ 2 бұйрық"]);
        assert_eq!(table.headers, vec!["Код", "Базалық", "Жаңа", "Барлығы"]);
        let plan = table.head.iter().find(|c| c.row == 0 && c.col == 1);
        assert_eq!(
            plan.map(|c| (c.text.as_str(), c.cols)),
            Some(("2026 жоспары", 3))
        );
        let code = table.head.iter().find(|c| c.col == 0).expect("code");
        assert_eq!((code.rows, code.row), (2, 0), "the code spans both rows");
        assert_eq!(table.columns[3].plus, vec![1, 2]);
        let old = layouts.in_force("f", day(2024, 3, 1)).expect("2024");
        let table = old.table(&Tr(Lang::Ru), &[("year", "2024".into())]);
        assert_eq!(
            table.signatures[0].line(),
            "Руководитель ________________ (подпись)"
        );
    }

    #[test]
    fn bad_layouts_are_refused() {
        let overlapping = TWO_VERSIONS.replace("2024-12-31", "2025-06-30");
        assert_eq!(
            Layouts::parse(&overlapping),
            Err(LayoutError::Overlap("f".into(), day(2025, 1, 1)))
        );
        let unknown_group =
            TWO_VERSIONS.replace(r#"over = ["plan"], sum_of"#, r#"over = ["x"], sum_of"#);
        assert!(matches!(
            Layouts::parse(&unknown_group),
            Err(LayoutError::Invalid(_, why)) if why.contains("no group x")
        ));
        let unknown_term = TWO_VERSIONS.replace(r#"sum_of = ["a", "b"]"#, r#"sum_of = ["a", "z"]"#);
        assert!(matches!(
            Layouts::parse(&unknown_term),
            Err(LayoutError::Invalid(..))
        ));
        let no_kazakh = TWO_VERSIONS.replace(r#"kk = "Есеп""#, r#"kk = """#);
        assert!(matches!(
            Layouts::parse(&no_kazakh),
            Err(LayoutError::Invalid(..))
        ));
        let finer = TWO_VERSIONS.replace("decimals = 1", "decimals = 6");
        assert!(matches!(
            Layouts::parse(&finer),
            Err(LayoutError::Invalid(..))
        ));
    }
}
