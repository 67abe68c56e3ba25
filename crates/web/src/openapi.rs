//! The OpenAPI 3.1 document of `/api/v1`, generated from the routes as declared
//! ([`crate::routes`]) — the same declaration the authorisation-matrix test walks, so the
//! description cannot drift from the routes that are tested.

use crate::routes::{Access, ApiRoute};
use serde_json::{Map, Value, json};

pub fn document(routes: &[ApiRoute]) -> Value {
    let mut paths = Map::new();
    for route in routes {
        let path_params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut operation = json!({
            "summary": route.summary,
            "parameters": path_params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {}}}},
                "401": {"description": "Not signed in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "403": {"description": "Refused by role or organisation scope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "422": {"description": "Bad input; `field` names the field or row", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "x-access": route.access.describe(),
            "x-module": route.module,
            "x-oversight": route.oversight,
            "tags": [route.module],
        });
        if route.access == Access::Public {
            operation["security"] = json!([]);
        }
        if matches!(route.method, "post" | "patch" | "put") {
            operation["requestBody"] =
                json!({"content": {"application/json": {"schema": {"type": "object"}}}});
        }
        let entry = paths
            .entry(format!("/api/v1{}", route.path))
            .or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Jospar API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Budget planning information system. Amounts are integer tiyn. Errors carry a translated message (Accept-Language or ?lang=kk|ru)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Personal API token from /tokens or `jospar token create --login LOGIN`"}},
            "schemas": {"Error": {"type": "object", "properties": {
                "error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}}}}
        },
        "paths": paths,
    })
}
