//! Every message key the code and the templates name literally exists in the Russian locale
//! (and, by the parity test of `i18n.rs`, in the Kazakh one): a typo in a key shows the user
//! the key instead of the text, so it is caught here rather than on a page.

use std::collections::BTreeSet;

const PREFIXES: [&str; 16] = [
    "analytics-",
    "report-",
    "treasury-",
    "plan-",
    "exec-",
    "receipt-",
    "receipts-",
    "period-",
    "err-",
    "exchange-",
    "passport-",
    "upload-",
    "month-",
    "execution-",
    "signatures-",
    "sign-",
];

fn files(dir: &str, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(path.to_str().expect("path"), ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// The Rust sources of every crate of the workspace (`root` is this crate's directory).
fn crate_sources(root: &str) -> Vec<std::path::PathBuf> {
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(format!("{root}/.."))
        .expect("crates")
        .flatten()
    {
        let src = entry.path().join("src");
        if src.is_dir() {
            files(src.to_str().expect("path"), "rs", &mut sources);
        }
    }
    sources
}

/// Every message file of a language, as one text.
fn locale_text(root: &str, lang: &str) -> String {
    let mut ftl = Vec::new();
    files(&format!("{root}/../i18n/locales/{lang}"), "ftl", &mut ftl);
    ftl.iter()
        .map(|f| std::fs::read_to_string(f).expect("ftl"))
        .collect()
}

/// The string literals of a source text (between double quotes, no escapes inside keys).
fn literals(text: &str) -> impl Iterator<Item = &str> {
    text.split('"').skip(1).step_by(2)
}

#[test]
fn every_key_named_in_code_or_templates_exists() {
    let root = env!("CARGO_MANIFEST_DIR");
    // Every message file of the Russian locale: a module may bring its own.
    let mut ftl = Vec::new();
    files(&format!("{root}/../i18n/locales/ru"), "ftl", &mut ftl);
    let ru: String = ftl
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("ru"))
        .collect::<Vec<_>>()
        .join("\n");
    let known: BTreeSet<&str> = ru
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#'))
        .filter_map(|l| l.split(" =").next())
        .map(str::trim)
        .collect();
    // Literals with a key's look that are not keys: report names, the login of the Treasury
    // exchange in the audit log, and a path segment of the modules' table (crate::modules).
    let not_keys: BTreeSet<&str> = jospar_web::reports::catalogue()
        .iter()
        .map(|r| r.name)
        .chain([
            "treasury-exchange",
            "receipt-plans",
            "receipt-forecasts",
            "transfer-applications",
        ])
        .collect();
    // The sources of every crate: each module's use cases and reports name keys too.
    let sources = crate_sources(root);
    let mut templates = Vec::new();
    files(&format!("{root}/templates"), "html", &mut templates);
    let mut missing = BTreeSet::new();
    for path in sources.into_iter().chain(templates) {
        let text = std::fs::read_to_string(&path).expect("source");
        // In a template only what `t(…)` is asked for is a key (the rest are ids and classes).
        let text = if path.extension().is_some_and(|e| e == "html") {
            text.split("t(\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .map(|key| format!("\"{key}\""))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            text
        };
        for literal in literals(&text).filter(|l| !not_keys.contains(l)) {
            let looks_like_key = PREFIXES.iter().any(|p| literal.starts_with(p))
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
                && !literal.ends_with('-');
            if looks_like_key && !known.contains(literal) {
                missing.insert(format!("{}: {literal}", path.display()));
            }
        }
    }
    assert!(missing.is_empty(), "keys without a message: {missing:#?}");
}

/// Every kind of record and every action the audit log is written with has its label on the
/// audit page, in both languages (the log shows them translated).
#[test]
fn every_audited_entity_and_action_has_a_label() {
    let root = env!("CARGO_MANIFEST_DIR");
    let sources = crate_sources(root);
    let mut labels = BTreeSet::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).expect("source");
        for field in ["entity", "action"] {
            for rest in text.split(&format!("{field}: \"")).skip(1) {
                if let Some(code) = rest.split('"').next() {
                    labels.insert(format!("{field}-{code}"));
                }
            }
        }
    }
    assert!(labels.contains("entity-org") && labels.contains("action-create"));
    for lang in ["ru", "kk"] {
        let text = locale_text(root, lang);
        let missing: Vec<&String> = labels
            .iter()
            .filter(|key| !text.contains(&format!("\n{key} =")))
            .collect();
        assert!(missing.is_empty(), "{lang}: no label for {missing:?}");
    }
}

/// The fields a refusal names, by the three ways the code names them.
fn fields_named_in_errors(text: &str) -> BTreeSet<String> {
    let mut fields = BTreeSet::new();
    let mut take = |rest: &str| {
        if let Some(name) = rest.split('"').next()
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            fields.insert(name.to_string());
        }
    };
    for opening in ["invalid(\"err-", "invalid_with(\"err-"] {
        for rest in text.split(opening).skip(1) {
            // invalid("err-key", "field"): the field is the second literal.
            let mut parts = rest.splitn(3, '"');
            if let (Some(_key), Some(between), Some(after)) =
                (parts.next(), parts.next(), parts.next())
                && between.trim() == ","
            {
                take(after);
            }
        }
    }
    // parse_date(text, "field") and parse_id(text, "field"): the literal closing the call.
    for opening in ["parse_date(", "parse_id("] {
        for rest in text.split(opening).skip(1) {
            let call: String = rest.chars().take(120).collect();
            if let Some((_, tail)) = call.split_once(", \"")
                && let Some((name, _)) = tail.split_once("\")")
            {
                take(&format!("{name}\""));
            }
        }
    }
    for opening in ["(\"field\", \"", "field: Some(\""] {
        for rest in text.split(opening).skip(1) {
            take(rest);
        }
    }
    fields
}

/// An error names the field by its label, never by its key (issue 21: «Поле cms»): every
/// field a refusal names has a `field-…` label in both languages.
#[test]
fn every_field_an_error_names_has_a_label() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut fields = BTreeSet::new();
    for path in crate_sources(root) {
        fields.extend(fields_named_in_errors(
            &std::fs::read_to_string(path).expect("source"),
        ));
    }
    assert!(
        fields.contains("program") && fields.contains("cms"),
        "{fields:?}"
    );
    for lang in ["ru", "kk"] {
        let text = locale_text(root, lang);
        let missing: Vec<&String> = fields
            .iter()
            .filter(|f| !text.contains(&format!("\nfield-{f} =")))
            .collect();
        assert!(
            missing.is_empty(),
            "{lang}: no label for the fields {missing:?}"
        );
    }
}

/// Every report of the catalogue has its title, its source note and a label for each of its
/// parameters in both languages (the report page shows them).
#[test]
fn every_report_and_its_parameters_are_labelled() {
    let root = env!("CARGO_MANIFEST_DIR");
    for lang in ["ru", "kk"] {
        let text = locale_text(root, lang);
        let mut missing = Vec::new();
        for report in jospar_web::reports::catalogue().iter() {
            let keys = [
                format!("report-{}", report.name),
                format!("report-source-{}", report.name),
            ];
            let params = report
                .params
                .iter()
                .map(|p| format!("report-param-{}", p.name));
            for key in keys.into_iter().chain(params) {
                if !text.contains(&format!("\n{key} =")) {
                    missing.push(key);
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "{lang}: no label for {missing:?}");
    }
}
