//! The audit log as a person reads it (issue 21: «history is raw JSON»): each entry's stored
//! values become lines "what: from → to" in the user's language — organisations by name,
//! states and kinds by their label, tiyn as tenge — and what has no label for a person (ids,
//! versions, stamps) stays in the raw record, which the page keeps folded for auditors.

use crate::i18n::Tr;
use jospar_core::Tenge;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Keys that are the record's machinery, not its content.
const INTERNAL: [&str; 6] = [
    "id",
    "version",
    "updated_at",
    "created_at",
    "request_id",
    "search_key",
];

/// Keys whose numbers are tiyn (the money type is stored as tiyn), shown as tenge.
const TIYN: [&str; 7] = [
    "amount",
    "amounts",
    "approved",
    "limit",
    "requested",
    "excess",
    "total",
];

fn is_tiyn(key: &str) -> bool {
    key.ends_with("_tiyn") || TIYN.contains(&key)
}

/// One readable change: what, from, to (either side empty when the value was added or removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub what: String,
    pub from: String,
    pub to: String,
}

/// The changes an audit entry records, from its old and new values as stored.
pub fn changes(
    tr: &Tr,
    names: &HashMap<i64, String>,
    old: Option<&str>,
    new: Option<&str>,
) -> Vec<Change> {
    let parse = |text: Option<&str>| text.and_then(|t| serde_json::from_str::<Value>(t).ok());
    let (old, new) = (parse(old), parse(new));
    let empty = Map::new();
    let as_object = |v: &Option<Value>| match v {
        Some(Value::Object(map)) => Some(map.clone()),
        _ => None,
    };
    match (as_object(&old), as_object(&new)) {
        (None, None) => scalar_change(tr, names, old.as_ref(), new.as_ref()),
        (o, n) => {
            let (o, n) = (o.unwrap_or_else(|| empty.clone()), n.unwrap_or(empty));
            let mut keys: Vec<&String> = o.keys().collect();
            keys.extend(n.keys().filter(|k| !o.contains_key(*k)));
            keys.into_iter()
                .filter(|key| !INTERNAL.contains(&key.as_str()))
                .filter_map(|key| {
                    let (from, to) = (o.get(key), n.get(key));
                    // Unchanged, or empty on either side of a creation or a deletion.
                    let blank = |v: Option<&Value>| v.is_none_or(Value::is_null);
                    if from == to || (blank(from) && blank(to)) {
                        return None;
                    }
                    let what = label(tr, key)?;
                    Some(Change {
                        what,
                        from: from.map(|v| shown(tr, names, key, v)).unwrap_or_default(),
                        to: to.map(|v| shown(tr, names, key, v)).unwrap_or_default(),
                    })
                })
                .collect()
        }
    }
}

/// A value that is not a record (a number, a text): one change without a name.
fn scalar_change(
    tr: &Tr,
    names: &HashMap<i64, String>,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Vec<Change> {
    if old.is_none() && new.is_none() {
        return Vec::new();
    }
    vec![Change {
        what: tr.t("audit-value"),
        from: old.map(|v| shown(tr, names, "", v)).unwrap_or_default(),
        to: new.map(|v| shown(tr, names, "", v)).unwrap_or_default(),
    }]
}

/// The label of a key: its audit label, else the label of the form field of that name; none
/// for a key no person would recognise.
fn label(tr: &Tr, key: &str) -> Option<String> {
    [format!("audit-key-{key}"), format!("field-{key}")]
        .into_iter()
        .find(|k| tr.has(k))
        .map(|k| tr.t(&k))
}

/// A value as a person reads it.
fn shown(tr: &Tr, names: &HashMap<i64, String>, key: &str, value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => tr.t("audit-yes"),
        Value::Bool(false) => tr.t("audit-no"),
        Value::Number(n) if key.ends_with("org_id") => n
            .as_i64()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| n.to_string()),
        Value::Number(n) if is_tiyn(key) => n
            .as_i64()
            .map(|t| Tenge::from_tiyn(t).to_string())
            .unwrap_or_else(|| n.to_string()),
        Value::Number(n) => n.to_string(),
        Value::String(s) => coded(tr, key, s).unwrap_or_else(|| s.clone()),
        Value::Array(items) => tr.args("audit-items", &[("count", items.len().to_string())]),
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !INTERNAL.contains(&k.as_str()))
            .filter_map(|(k, v)| {
                // A map by year (amounts by year) keeps its parent's meaning.
                if k.chars().all(|c| c.is_ascii_digit()) {
                    return Some(format!("{k}: {}", shown(tr, names, key, v)));
                }
                Some(format!("{}: {}", label(tr, k)?, shown(tr, names, k, v)))
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// A code stored for a state or a kind, by its label where it has one.
fn coded(tr: &Tr, key: &str, code: &str) -> Option<String> {
    let prefixes: &[&str] = match key {
        "status" => &["status-", "plan-status-"],
        "kind" => &["request-kind-", "plan-change-"],
        "limit_kind" => &["limit-kind-"],
        "role" => &["role-"],
        _ => &[],
    };
    prefixes
        .iter()
        .map(|p| format!("{p}{code}"))
        .find(|k| tr.has(k))
        .map(|k| tr.t(&k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jospar_i18n::Lang;

    #[test]
    fn a_request_sent_reads_as_its_state_and_reviewer() {
        let tr = Tr(Lang::Ru);
        let names = HashMap::from([(7, "Управление образования".to_string())]);
        let old = r#"{"id": 1, "version": 3, "status": "in_work", "stage_org_id": null}"#;
        let new = r#"{"id": 1, "version": 4, "status": "sent", "stage_org_id": 7}"#;
        let lines = changes(&tr, &names, Some(old), Some(new));
        assert_eq!(
            lines,
            vec![
                Change {
                    what: tr.t("audit-key-stage_org_id"),
                    from: "—".into(),
                    to: "Управление образования".into(),
                },
                Change {
                    what: tr.t("field-status"),
                    from: tr.t("status-in_work"),
                    to: tr.t("status-sent"),
                },
            ]
        );
    }

    #[test]
    fn amounts_read_in_tenge_and_unknown_keys_stay_in_the_record() {
        let tr = Tr(Lang::Kk);
        let new = r#"{"amount_tiyn": 123456, "inflation fill": 1, "rows": [1, 2]}"#;
        let lines = changes(&tr, &HashMap::new(), None, Some(new));
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].to, Tenge::from_tiyn(123_456).to_string());
        assert!(lines.iter().all(|c| c.from.is_empty()));
        assert!(!lines.iter().any(|c| c.what.contains("inflation")));
    }
}
