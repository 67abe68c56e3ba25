//! What a proposal may say (OB-3): at most 1000 characters, no obscene or insulting words (the
//! list in `data/openbudget/banned_words.txt`, Kazakh and Russian), no advertising, no links
//! and no spam. Checked before the proposal reaches the operator, who still reads each one.

use crate::PROPOSAL_MAX_CHARS;

/// The built-in list of banned words.
pub const BANNED_WORDS: &str = include_str!("../../../data/openbudget/banned_words.txt");

/// Why a proposal is refused before moderation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("the proposal is empty")]
    Empty,
    #[error("the proposal has {0} characters, more than {PROPOSAL_MAX_CHARS}")]
    TooLong(usize),
    #[error("the word «{0}» is not allowed")]
    BannedWord(String),
    #[error("links are not allowed: «{0}»")]
    Link(String),
    #[error("advertising is not allowed: «{0}»")]
    Advertising(String),
    #[error("the text looks like spam")]
    Spam,
}

/// Banned words: whole words, and roots that ban every word starting with them.
#[derive(Debug, Clone, Default)]
pub struct WordList {
    words: Vec<String>,
    roots: Vec<String>,
}

fn fold(word: &str) -> String {
    word.to_lowercase().replace('ё', "е")
}

impl WordList {
    /// Reads a list: a word a line, `#` comments, `*` at the end for a root.
    pub fn parse(text: &str) -> WordList {
        let mut list = WordList::default();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.strip_suffix('*') {
                Some(root) => list.roots.push(fold(root)),
                None => list.words.push(fold(line)),
            }
        }
        list
    }

    /// The first banned word of a text, as written there.
    pub fn find_in<'a>(&self, text: &'a str) -> Option<&'a str> {
        words_of(text).find(|w| {
            let w = fold(w);
            self.words.contains(&w) || self.roots.iter().any(|r| w.starts_with(r.as_str()))
        })
    }
}

fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Words that sell rather than propose.
const ADVERTISING: [&str; 12] = [
    "скидк",
    "распродаж",
    "купите",
    "закажите",
    "звоните",
    "промокод",
    "реклам",
    "акция",
    "жеңілдік",
    "сатып алыңыз",
    "тапсырыс беріңіз",
    "хабарласыңыз",
];

/// A link: a scheme, "www." or a word with a top-level domain.
fn link_in(text: &str) -> Option<&str> {
    const DOMAINS: [&str; 8] = [".kz", ".ru", ".com", ".org", ".net", ".info", ".рф", ".қаз"];
    text.split_whitespace().find(|token| {
        let t = token.to_lowercase();
        let t = t.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        t.contains("://")
            || t.starts_with("www.")
            || DOMAINS
                .iter()
                .any(|d| t.ends_with(d) && t.len() > d.len() || t.contains(&format!("{d}/")))
    })
}

/// A phone number: ten digits or more in one run of digits, spaces, brackets and dashes.
fn phone_in(text: &str) -> bool {
    let mut digits = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 10 {
                return true;
            }
        } else if !matches!(c, ' ' | '-' | '(' | ')' | '+') {
            digits = 0;
        }
    }
    false
}

/// Spam: a character repeated six times running, a word repeated five times, or shouting
/// (mostly capitals in a text of some length).
fn is_spam(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    if chars
        .windows(6)
        .any(|w| w.iter().all(|c| *c == w[0] && !c.is_whitespace()))
    {
        return true;
    }
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for w in words_of(text).filter(|w| w.chars().count() > 2) {
        let n = counts.entry(fold(w)).or_default();
        *n += 1;
        if *n >= 5 {
            return true;
        }
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.iter().filter(|c| c.is_uppercase()).count();
    letters.len() >= 20 && capitals * 10 >= letters.len() * 7
}

/// Checks a proposal's text; gives it trimmed.
pub fn check_proposal<'a>(text: &'a str, banned: &WordList) -> Result<&'a str, ContentError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ContentError::Empty);
    }
    let length = text.chars().count();
    if length > PROPOSAL_MAX_CHARS {
        return Err(ContentError::TooLong(length));
    }
    if let Some(word) = banned.find_in(text) {
        return Err(ContentError::BannedWord(word.to_string()));
    }
    if let Some(link) = link_in(text) {
        return Err(ContentError::Link(link.to_string()));
    }
    let lower = fold(text);
    if let Some(ad) = ADVERTISING.iter().find(|a| lower.contains(*a)) {
        return Err(ContentError::Advertising(ad.to_string()));
    }
    if phone_in(text) {
        return Err(ContentError::Advertising(String::from("☎")));
    }
    if is_spam(text) {
        return Err(ContentError::Spam);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> WordList {
        WordList::parse(BANNED_WORDS)
    }

    #[test]
    fn a_reasoned_proposal_passes_in_either_language() {
        let ru = "Предлагаю увеличить расходы на ремонт школы №5 в 2027 году на 10%, \
                  так как здание 1975 года постройки.";
        assert_eq!(check_proposal(ru, &list()), Ok(ru));
        let kk = "Мектептің спорт залын жөндеуге қаражат қарастыруды ұсынамын.";
        assert_eq!(check_proposal(kk, &list()), Ok(kk));
        // A legitimate word containing a short banned word is not refused.
        let amount = "Бағдарлама аясында жаңа амбулатория салу керек.";
        assert!(check_proposal(amount, &list()).is_ok());
    }

    #[test]
    fn insults_are_refused_in_russian_and_kazakh() {
        assert_eq!(
            check_proposal("Авторы паспорта — идиоты", &list()),
            Err(ContentError::BannedWord("идиоты".into()))
        );
        assert_eq!(
            check_proposal("Бұл жоспарды ақымақтар жазған", &list()),
            Err(ContentError::BannedWord("ақымақтар".into()))
        );
        assert_eq!(
            check_proposal("Ну ты и ДУРАК", &list()),
            Err(ContentError::BannedWord("ДУРАК".into()))
        );
    }

    #[test]
    fn links_ads_and_spam_are_refused() {
        assert_eq!(
            check_proposal("Подробности на www.example.kz", &list()),
            Err(ContentError::Link("www.example.kz".into()))
        );
        assert!(matches!(
            check_proposal("см. https://x.org/a", &list()),
            Err(ContentError::Link(_))
        ));
        assert!(matches!(
            check_proposal("Скидки на окна! Звоните", &list()),
            Err(ContentError::Advertising(_))
        ));
        assert!(matches!(
            check_proposal("Окна недорого: +7 (701) 123-45-67", &list()),
            Err(ContentError::Advertising(_))
        ));
        assert_eq!(
            check_proposal("ааааааааа!!!", &list()),
            Err(ContentError::Spam)
        );
        assert_eq!(
            check_proposal("ДАЙТЕ ДЕНЕГ НА ДОРОГИ СРОЧНО ВСЕМ", &list()),
            Err(ContentError::Spam)
        );
    }

    #[test]
    fn a_proposal_is_at_most_a_thousand_characters() {
        let long = "а".repeat(3) + &" слово".repeat(200);
        assert!(matches!(
            check_proposal(&long, &WordList::default()),
            Err(ContentError::TooLong(1203))
        ));
        assert_eq!(check_proposal("   ", &list()), Err(ContentError::Empty));
    }
}
