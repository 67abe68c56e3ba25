//! Kazakh and Russian for every string a user sees (P-8): Fluent files in `locales/{kk,ru}`,
//! shared by the pages, the reports of every module and the command line. Every `.ftl` file
//! of a language's directory is loaded, so a new module brings its messages as one file of
//! its own in each language (`locales/kk/<module>.ftl`, `locales/ru/<module>.ftl`).

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ru",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static KK: LazyLock<LanguageIdentifier> = LazyLock::new(|| "kk".parse().unwrap_or_default());
static RU: LazyLock<LanguageIdentifier> = LazyLock::new(|| "ru".parse().unwrap_or_default());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Kk,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "kk" | "kz" => Some(Lang::Kk),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The first supported language of an Accept-Language header ("kk-KZ,ru;q=0.8").
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut candidates: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let primary = tag.split('-').next()?;
                let lang = Lang::parse(primary)?;
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        candidates.first().map(|(_, l)| *l)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Kk => &KK,
            Lang::Ru => &RU,
        }
    }
}

/// Translator handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.0.id(), key)
    }

    pub fn has(&self, key: &str) -> bool {
        LOCALES.try_lookup(self.0.id(), key).is_some()
    }

    pub fn args(&self, key: &str, args: &[(&str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Owned(k.to_string()), FluentValue::from(v.clone())))
            .collect();
        LOCALES.lookup_with_args(self.0.id(), key, &map)
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }

    /// A name in the user's language; the Russian one when the Kazakh is unknown.
    pub fn pick<'a>(&self, ru: &'a str, kk: Option<&'a str>) -> &'a str {
        match (self.0, kk) {
            (Lang::Kk, Some(kk)) if !kk.is_empty() => kk,
            _ => ru,
        }
    }

    /// True when the Kazakh interface has to show a Russian name (to mark it).
    pub fn is_fallback(&self, kk: Option<&str>) -> bool {
        self.0 == Lang::Kk && kk.is_none_or(str::is_empty)
    }
}

/// A moment as people in Kazakhstan read it: Almaty time (UTC+5), `dd.mm.yyyy hh:mm`.
pub fn almaty_date_time(at: chrono::DateTime<chrono::Utc>) -> String {
    chrono::FixedOffset::east_opt(5 * 3600)
        .map(|tz| at.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_best_supported() {
        assert_eq!(Lang::from_accept_language("kk-KZ,ru;q=0.8"), Some(Lang::Kk));
        assert_eq!(
            Lang::from_accept_language("en-US,ru;q=0.5,kk;q=0.9"),
            Some(Lang::Kk)
        );
        assert_eq!(Lang::from_accept_language("en-US"), None);
    }

    /// Every message file of the language: a module may bring its own.
    fn read(lang: &str) -> String {
        let dir = format!("{}/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("locale directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("locale file"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Issue 21: a report's title is the form's official name; the technical specification's
    /// numbers ("EX-R 18", "BP-5", "P-19") are the catalogue's business, not the printed form's.
    #[test]
    fn report_titles_carry_no_specification_numbers() {
        let spec_number = |word: &str| {
            let word = word.trim_matches(|c: char| "(),.;:".contains(c));
            let prefix = ["EX-R", "EX-", "BP-", "P-", "ST-", "OV-"]
                .into_iter()
                .find(|p| word.starts_with(p));
            prefix.is_some_and(|p| {
                word.len() == p.len() || word[p.len()..].starts_with(char::is_numeric)
            })
        };
        for lang in ["kk", "ru"] {
            for line in read(lang).lines().filter(|l| l.starts_with("report-")) {
                let title = line.split_once(" =").map_or("", |(_, t)| t);
                assert!(!title.split_whitespace().any(spec_number), "{lang}: {line}");
            }
        }
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let keys = |text: &str| -> std::collections::BTreeSet<String> {
            text.lines()
                .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
                .filter_map(|l| l.split(" =").next().map(|k| k.trim().to_string()))
                .collect()
        };
        let (kk, ru) = (keys(&read("kk")), keys(&read("ru")));
        let missing_kk: Vec<_> = ru.difference(&kk).collect();
        let missing_ru: Vec<_> = kk.difference(&ru).collect();
        assert!(missing_kk.is_empty(), "missing in kk: {missing_kk:?}");
        assert!(missing_ru.is_empty(), "missing in ru: {missing_ru:?}");
        assert_eq!(Tr(Lang::Kk).t("app-name"), "Jospar");
        assert_ne!(Tr(Lang::Kk).t("nav-orgs"), Tr(Lang::Ru).t("nav-orgs"));
    }
}
