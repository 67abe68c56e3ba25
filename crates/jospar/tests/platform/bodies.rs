//! Issue 19: a JSON body of the wrong shape gets a translated 422 on every route of the API
//! that takes one, for every role that may call it; never a 500, a 400 or a panic. The routes
//! come from the OpenAPI document, so a new route is checked without being listed here.

use crate::app::{Engine, spawn};
use serde_json::Value;

/// Users of different roles: each route is called by each, so that the one who may call it
/// reaches the reading of its body.
const USERS: [&str; 4] = ["admin", "planner", "abp.edu", "economist.school5"];

/// Bodies of the wrong shape: an array where an object is expected (the probe's `[null]`),
/// a bare string, and an object whose fields have the wrong types. The last is of the wrong
/// shape only for routes that take one of these fields: elsewhere it may pass and meet the
/// missing object (404).
const WRONG_BODIES: [(&str, bool); 3] = [
    ("[null]", true),
    ("\"text\"", true),
    (
        r#"{"version": "one", "id": [], "year": {}, "lines": 5}"#,
        false,
    ),
];

/// The routes that declare a JSON body, as (method, path with its ids set to 1).
fn json_routes(openapi: &Value) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for (path, item) in openapi["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if operation["requestBody"]["content"]["application/json"].is_null() {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|part| if part.starts_with('{') { "1" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            routes.push((method.to_uppercase(), concrete));
        }
    }
    routes
}

#[tokio::test]
async fn a_json_body_of_the_wrong_shape_gets_422_on_every_route() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let client = reqwest::Client::new();
    let openapi: Value = client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let routes = json_routes(&openapi);
    assert!(routes.len() > 20, "only {} JSON routes", routes.len());
    let mut tokens = Vec::new();
    for user in USERS {
        tokens.push(app.token(user).await);
    }
    let mut wrong = Vec::new();
    for (method, path) in &routes {
        for (body, always_wrong) in WRONG_BODIES {
            let mut statuses = Vec::new();
            for token in &tokens {
                let response = client
                    .request(method.parse().expect("method"), app.url(path))
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("send");
                let status = response.status().as_u16();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                if status == 422 {
                    assert!(
                        answer["message"].as_str().is_some_and(|m| !m.is_empty()),
                        "{method} {path}: a 422 without a message: {answer}"
                    );
                }
                statuses.push(status);
            }
            // A role may be refused (403) or not find the object (404) first; one of the
            // roles must reach the body, and nobody gets anything but these.
            let reached = statuses.contains(&422) || !always_wrong;
            let only_refusals = statuses.iter().all(|s| [403, 404, 422].contains(s));
            if !(reached && only_refusals) {
                wrong.push(format!("{method} {path} {body}: {statuses:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
