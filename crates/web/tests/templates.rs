//! "Kazakh and Russian for every string a user sees; no string literals in templates":
//! every template's visible text and user-facing attributes come from the Fluent files.

use std::fs;

fn strip(text: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn templates_have_no_literal_user_text() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut problems = Vec::new();
    for entry in fs::read_dir(dir).expect("templates dir") {
        let path = entry.expect("entry").path();
        let source = fs::read_to_string(&path).expect("template");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        // Attributes people read or hear must be translated expressions.
        for attribute in ["placeholder=\"", "title=\"", "aria-label=\"", "alt=\""] {
            for piece in source.split(attribute).skip(1) {
                let value = piece.split('"').next().unwrap_or_default();
                if !value.starts_with("{{") {
                    problems.push(format!("{name}: {attribute}{value}\" is not translated"));
                }
            }
        }
        let without_code = strip(&strip(&strip(&source, "{{", "}}"), "{%", "%}"), "{#", "#}");
        let visible = strip(&strip(&without_code, "<script", "</script>"), "<", ">");
        for word in visible.split_whitespace() {
            if word.chars().any(char::is_alphabetic) && !word.starts_with('&') {
                problems.push(format!("{name}: literal text {word:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
