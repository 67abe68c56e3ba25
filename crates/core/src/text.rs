//! Text normalisation for search: SQLite's LOWER folds ASCII only, so every searchable row
//! carries a `search_key` computed here (NFC, lower-case, Kazakh letters kept, runs of
//! whitespace collapsed, ё→е so that users need not type it).

use unicode_normalization::UnicodeNormalization;

pub fn search_key(text: &str) -> String {
    let lowered: Vec<char> = text.nfc().flat_map(char::to_lowercase).collect();
    let folded: String = lowered
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            'ё' => 'е',
            // The portal's export writes a Latin "H" inside Cyrillic words ("Hалог").
            'h' if lowered.get(i + 1).is_some_and(|n| is_cyrillic(*n)) => 'н',
            _ => c,
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::search_key;

    #[test]
    fn folds_case_for_cyrillic_and_kazakh() {
        assert_eq!(search_key("  Білім   БЕРУ "), "білім беру");
        assert_eq!(search_key("ҚАЗАҚСТАН"), "қазақстан");
        assert_eq!(search_key("Hалог"), search_key("налог"));
        assert_eq!(search_key("Объём"), "объем");
        assert_eq!(search_key("https"), "https");
    }
}
