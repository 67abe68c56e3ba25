//! The OpenAPI 3.1 document of `/api/v1`, generated from the routes as declared
//! ([`crate::routes`]) — the same declaration the authorisation-matrix test walks, so the
//! description cannot drift from the routes that are tested. Bodies, answers and query
//! parameters are the schemas of the Rust types the handlers read and write (`utoipa`'s
//! `ToSchema` and `IntoParams` derives), gathered under `components.schemas`.

use crate::routes::{Access, ApiRoute, Payload, Schemas};
use serde_json::{Map, Value, json};

/// The schema of a path parameter, by its name: ids are 64-bit integers, years 32-bit,
/// days and validity dates ISO dates, the rest (codes, names) strings.
fn path_param_schema(name: &str) -> Value {
    match name {
        "id" | "org" | "line" | "grant" | "attachment" => {
            json!({"type": "integer", "format": "int64"})
        }
        "year" => json!({"type": "integer", "format": "int32"}),
        "day" | "valid_from" => json!({"type": "string", "format": "date"}),
        _ => json!({"type": "string"}),
    }
}

fn schema_value(write: crate::routes::SchemaFn, schemas: &mut Schemas) -> Value {
    serde_json::to_value(write(schemas)).unwrap_or(Value::Null)
}

/// The `content` of a body or an answer.
fn content(payload: Payload, schemas: &mut Schemas) -> Option<Value> {
    let binary = json!({"type": "string", "format": "binary"});
    let files = |types: &[&str]| -> Map<String, Value> {
        types
            .iter()
            .map(|t| (t.to_string(), json!({"schema": binary})))
            .collect()
    };
    match payload {
        Payload::Empty => None,
        Payload::Json(write) => {
            Some(json!({"application/json": {"schema": schema_value(write, schemas)}}))
        }
        Payload::File(types) => Some(Value::Object(files(types))),
        Payload::FileOrJson(types, write) => {
            let mut map = files(types);
            map.insert(
                "application/json".into(),
                json!({"schema": schema_value(write, schemas)}),
            );
            Some(Value::Object(map))
        }
    }
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

pub fn document(routes: &[ApiRoute]) -> Value {
    build(routes).0
}

/// The document, and the names given to two different schemas (each must be renamed with
/// `#[schema(as = …)]`).
pub fn build(routes: &[ApiRoute]) -> (Value, Vec<String>) {
    let mut paths = Map::new();
    let mut schemas: Schemas = Vec::new();
    for route in routes {
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": path_param_schema(name)}))
            .collect();
        for query in &route.query {
            parameters.extend(
                query()
                    .into_iter()
                    .filter_map(|p| serde_json::to_value(p).ok()),
            );
        }
        let mut success = json!({"description": match route.status {
            201 => "Created",
            204 => "Done, no content",
            _ => "OK",
        }});
        if let Some(content) = content(route.answer, &mut schemas) {
            success["content"] = content;
        }
        let mut responses = Map::new();
        responses.insert(route.status.to_string(), success);
        for (code, description) in [
            (
                "400",
                "Malformed request: a path, query or body that cannot be read",
            ),
            ("401", "Not signed in"),
            ("403", "Refused by role or organisation scope"),
            ("404", "No such thing, or not visible to the caller"),
            ("409", "Changed by someone else meanwhile (stale version)"),
            ("413", "The body is too large"),
            ("422", "Bad input; `field` names the field or row"),
        ] {
            responses.insert(code.into(), error(description));
        }
        let mut operation = json!({
            "operationId": format!("{}{}", route.method, route.path.replace(['{', '}'], "").replace('/', "_")),
            "summary": route.summary,
            "parameters": parameters,
            "responses": responses,
            "x-access": route.access.describe(),
            "x-module": route.module,
            "x-oversight": route.oversight,
            "tags": [route.module],
        });
        if route.access == Access::Public {
            operation["security"] = json!([]);
        }
        if let Some(content) = content(route.body, &mut schemas) {
            operation["requestBody"] = json!({"required": true, "content": content});
        }
        let entry = paths
            .entry(format!("/api/v1{}", route.path))
            .or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    let mut components = Map::new();
    components.insert(
        "Error".into(),
        json!({"type": "object", "required": ["error", "message"], "properties": {
            "error": {"type": "string", "description": "unauthenticated, forbidden, not_found, invalid, stale, internal"},
            "message": {"type": "string", "description": "In the caller's language"},
            "field": {"type": ["string", "null"], "description": "The field or row at fault"}}}),
    );
    let mut collisions = Vec::new();
    for (name, schema) in schemas {
        if let Ok(value) = serde_json::to_value(schema) {
            match components.get(&name) {
                Some(known) if known != &value => collisions.push(name),
                Some(_) => {}
                None => {
                    components.insert(name, value);
                }
            }
        }
    }
    collisions.sort();
    collisions.dedup();
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "Jospar API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Budget planning information system. Amounts are integer tiyn. Errors carry a translated message (Accept-Language or ?lang=kk|ru)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Personal API token from /tokens or `jospar token create --login LOGIN`"}},
            "schemas": components,
        },
        "paths": paths,
    });
    (doc, collisions)
}

/// The operations whose body or answer is a free-form JSON schema (`{}`, an object without
/// properties, a reference to one): none may remain. File downloads and uploads are not JSON.
pub fn free_form_operations(doc: &Value) -> Vec<String> {
    let components = &doc["components"]["schemas"];
    let resolve = |schema: &Value| -> Value {
        match schema["$ref"].as_str() {
            Some(r) => components[r.trim_start_matches("#/components/schemas/")].clone(),
            None => schema.clone(),
        }
    };
    let free = |schema: &Value| -> bool {
        let schema = resolve(schema);
        let Some(map) = schema.as_object() else {
            return true;
        };
        let keys: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !matches!(*k, "description" | "title"))
            .collect();
        keys.is_empty()
            || (schema["type"] == "object"
                && map.get("properties").is_none()
                && map
                    .get("additionalProperties")
                    .is_none_or(|a| a == &json!(true))
                && ["oneOf", "anyOf", "allOf"]
                    .iter()
                    .all(|k| map.get(*k).is_none()))
    };
    let mut found = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return vec!["no paths".into()];
    };
    for (path, ops) in paths {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let name = format!("{} {path}", method.to_uppercase());
            if let Some(schema) = op
                .pointer("/requestBody/content/application~1json/schema")
                .filter(|s| free(s))
            {
                found.push(format!("{name}: request body {schema}"));
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if let Some(schema) = response
                    .pointer("/content/application~1json/schema")
                    .filter(|s| free(s))
                {
                    found.push(format!("{name}: answer {status} {schema}"));
                }
                if status.starts_with('2') && status != "204" && response.get("content").is_none() {
                    found.push(format!("{name}: answer {status} without content"));
                }
            }
        }
    }
    found
}
