use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// Функциональная группа (2 digits)
    FuncGroup,
    /// Функциональная подгруппа (1 digit)
    FuncSubgroup,
    /// Администратор в подгруппе (group · subgroup · ABP)
    FuncAbp,
    /// Администратор бюджетных программ (3 digits)
    Abp,
    /// Бюджетная программа (ABP · 3 digits)
    Program,
    /// Бюджетная подпрограмма (ABP · program · 3 digits)
    Subprogram,
    /// Категория экономической классификации (1 digit)
    EconCategory,
    /// Специфика экономической классификации (3 digits)
    EconSpecific,
    /// Категория поступлений (1 digit)
    ReceiptCategory,
    /// Класс поступлений (category · 2 digits)
    ReceiptClass,
    /// Подкласс поступлений (category · class · 1 digit)
    ReceiptSubclass,
}

impl CodeKind {
    pub const ALL: [CodeKind; 11] = [
        CodeKind::FuncGroup,
        CodeKind::FuncSubgroup,
        CodeKind::FuncAbp,
        CodeKind::Abp,
        CodeKind::Program,
        CodeKind::Subprogram,
        CodeKind::EconCategory,
        CodeKind::EconSpecific,
        CodeKind::ReceiptCategory,
        CodeKind::ReceiptClass,
        CodeKind::ReceiptSubclass,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CodeKind::FuncGroup => "func_group",
            CodeKind::FuncSubgroup => "func_subgroup",
            CodeKind::FuncAbp => "func_abp",
            CodeKind::Abp => "abp",
            CodeKind::Program => "program",
            CodeKind::Subprogram => "subprogram",
            CodeKind::EconCategory => "econ_category",
            CodeKind::EconSpecific => "econ_specific",
            CodeKind::ReceiptCategory => "receipt_category",
            CodeKind::ReceiptClass => "receipt_class",
            CodeKind::ReceiptSubclass => "receipt_subclass",
        }
    }

    pub fn from_code(code: &str) -> Option<CodeKind> {
        CodeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Number of digits of the last segment of a code of this kind.
    pub fn segment_digits(self) -> usize {
        match self {
            CodeKind::FuncGroup | CodeKind::ReceiptClass => 2,
            CodeKind::FuncSubgroup
            | CodeKind::EconCategory
            | CodeKind::ReceiptCategory
            | CodeKind::ReceiptSubclass => 1,
            CodeKind::FuncAbp
            | CodeKind::Abp
            | CodeKind::Program
            | CodeKind::Subprogram
            | CodeKind::EconSpecific => 3,
        }
    }

    /// How many segments a full code of this kind has.
    pub fn segments(self) -> usize {
        match self {
            CodeKind::FuncGroup
            | CodeKind::Abp
            | CodeKind::EconCategory
            | CodeKind::EconSpecific
            | CodeKind::ReceiptCategory => 1,
            CodeKind::FuncSubgroup | CodeKind::Program | CodeKind::ReceiptClass => 2,
            CodeKind::FuncAbp | CodeKind::Subprogram | CodeKind::ReceiptSubclass => 3,
        }
    }

    /// The kind of the parent level, if codes of this kind have one.
    pub fn parent_kind(self) -> Option<CodeKind> {
        match self {
            CodeKind::FuncSubgroup => Some(CodeKind::FuncGroup),
            CodeKind::FuncAbp => Some(CodeKind::FuncSubgroup),
            CodeKind::Program => Some(CodeKind::Abp),
            CodeKind::Subprogram => Some(CodeKind::Program),
            CodeKind::ReceiptClass => Some(CodeKind::ReceiptCategory),
            CodeKind::ReceiptSubclass => Some(CodeKind::ReceiptClass),
            _ => None,
        }
    }

    /// Checks the shape of a full code ("04 2 261"): the number of segments and the digits
    /// of each (segments before the last follow the parent kinds).
    pub fn is_valid_code(self, code: &str) -> bool {
        let parts: Vec<&str> = code.split(' ').collect();
        if parts.len() != self.segments() {
            return false;
        }
        let mut kind = Some(self);
        for part in parts.iter().rev() {
            let Some(k) = kind else { return false };
            if part.len() != k.segment_digits() || !part.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            kind = k.parent_kind();
        }
        true
    }

    /// The parent's full code: the code without its last segment.
    pub fn parent_of(self, code: &str) -> Option<String> {
        self.parent_kind()?;
        code.rsplit_once(' ').map(|(parent, _)| parent.to_string())
    }
}

/// One code of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CodeEntry {
    pub year: i32,
    pub kind: CodeKind,
    pub code: String,
    pub parent_code: Option<String>,
    pub name_ru: String,
    /// None when the Kazakh name is not known: the interface shows the Russian one, marked.
    pub name_kk: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Opened,
    Closed,
    Renamed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub change: ChangeKind,
    pub kind: CodeKind,
    pub code: String,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
}

/// Codes opened, closed and renamed between the classification of year A and year B.
pub fn diff_years(a: &[CodeEntry], b: &[CodeEntry]) -> Vec<Change> {
    let index = |entries: &[CodeEntry]| -> BTreeMap<(CodeKind, String), String> {
        entries
            .iter()
            .map(|e| ((e.kind, e.code.clone()), e.name_ru.clone()))
            .collect()
    };
    let (old, new) = (index(a), index(b));
    let mut changes = Vec::new();
    for ((kind, code), old_name) in &old {
        match new.get(&(*kind, code.clone())) {
            None => changes.push(Change {
                change: ChangeKind::Closed,
                kind: *kind,
                code: code.clone(),
                old_name: Some(old_name.clone()),
                new_name: None,
            }),
            Some(new_name)
                if normalise_for_compare(new_name) != normalise_for_compare(old_name) =>
            {
                changes.push(Change {
                    change: ChangeKind::Renamed,
                    kind: *kind,
                    code: code.clone(),
                    old_name: Some(old_name.clone()),
                    new_name: Some(new_name.clone()),
                })
            }
            Some(_) => {}
        }
    }
    for ((kind, code), new_name) in &new {
        if !old.contains_key(&(*kind, code.clone())) {
            changes.push(Change {
                change: ChangeKind::Opened,
                kind: *kind,
                code: code.clone(),
                old_name: None,
                new_name: Some(new_name.clone()),
            });
        }
    }
    changes.sort_by(|x, y| (x.kind, &x.code).cmp(&(y.kind, &y.code)));
    changes
}

fn normalise_for_compare(name: &str) -> String {
    jospar_core::text::search_key(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(year: i32, kind: CodeKind, code: &str, name: &str) -> CodeEntry {
        CodeEntry {
            year,
            kind,
            code: code.into(),
            parent_code: kind.parent_of(code),
            name_ru: name.into(),
            name_kk: None,
        }
    }

    #[test]
    fn code_shapes() {
        assert!(CodeKind::FuncAbp.is_valid_code("04 2 261"));
        assert!(!CodeKind::FuncAbp.is_valid_code("4 2 261"));
        assert!(CodeKind::Subprogram.is_valid_code("217 030 102"));
        assert!(CodeKind::ReceiptSubclass.is_valid_code("1 01 1"));
        assert!(!CodeKind::EconSpecific.is_valid_code("11"));
        assert_eq!(
            CodeKind::FuncAbp.parent_of("04 2 261").as_deref(),
            Some("04 2")
        );
        assert_eq!(CodeKind::Abp.parent_of("261"), None);
    }

    #[test]
    fn diff_finds_opened_closed_renamed() {
        let a = vec![
            entry(2023, CodeKind::Abp, "104", "Канцелярия Премьер-Министра"),
            entry(2023, CodeKind::Abp, "217", "Министерство финансов"),
            entry(2023, CodeKind::Abp, "224", "Министерство образования"),
        ];
        let b = vec![
            entry(2024, CodeKind::Abp, "217", "Министерство  финансов"),
            entry(2024, CodeKind::Abp, "224", "Министерство просвещения"),
            entry(2024, CodeKind::Abp, "226", "Министерство здравоохранения"),
        ];
        let changes = diff_years(&a, &b);
        let summary: Vec<(ChangeKind, &str)> = changes
            .iter()
            .map(|c| (c.change, c.code.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (ChangeKind::Closed, "104"),
                (ChangeKind::Renamed, "224"),
                (ChangeKind::Opened, "226")
            ]
        );
    }
}
