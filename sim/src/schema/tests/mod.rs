//! Unit tests of the schema check: loading, routes, parameters and odd input here; bodies in
//! `requests`, responses in `responses`.

mod requests;
mod responses;

use super::report::{child, json_eq, show};
use super::route::percent_decode;
use super::subset::nested_deeper_than;
use super::*;
use serde_json::{json, Map};

pub(super) fn schema() -> &'static ApiSchema {
    let s = ApiSchema::get();
    assert_eq!(s.load_error(), None);
    s
}

pub(super) fn errors(r: Result<(), Violation>) -> Vec<String> {
    match r {
        Ok(()) => panic!("expected a violation"),
        Err(Violation::Invalid(e)) => e,
        Err(other) => panic!("expected Invalid, got {other:?}"),
    }
}

pub(super) fn assert_has(errs: &[String], needle: &str) {
    assert!(
        errs.iter().any(|e| e.contains(needle)),
        "no error contains {needle:?}; errors: {errs:#?}"
    );
}

/// A one-operation subset (`POST /t`) with the given components and request schema.
fn custom(schemas: Value, request: Value) -> ApiSchema {
    let doc = json!({
        "components": {"schemas": schemas},
        "operations": [{"method": "POST", "path": "/t", "request_body": {"schema": request}}]
    });
    ApiSchema::load(&doc.to_string())
}

#[test]
fn subset_loads_and_covers_the_operations() {
    let s = schema();
    assert!(!s.revision().is_empty());
    let ops: Vec<(&str, &str)> = s.operations().collect();
    assert_eq!(ops.len(), 25, "{ops:?}");
    assert!(ops.contains(&("POST", "/webhooks/{webhook_id}/{webhook_token}")));
    // What `frontdesk setup` and `doctor` read.
    for path in [
        "/users/@me/guilds",
        "/guilds/{guild_id}",
        "/guilds/{guild_id}/channels",
        "/guilds/{guild_id}/roles",
        "/guilds/{guild_id}/members/{user_id}",
    ] {
        assert!(ops.contains(&("GET", path)), "{path}: {ops:?}");
    }
}

/// The keywords the subset uses; the validator checks each (see the module docs).
const CHECKED: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "maxProperties",
    "minProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "enum",
    "const",
    "allOf",
    "anyOf",
    "oneOf",
    "$ref",
];

/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "contentEncoding",
    "contentMediaType",
];

/// Walks the embedded subset: every keyword must be one the subset is known to use or an
/// annotation, every `$ref` must resolve, every pattern must be the snowflake one (whose
/// violations are worded for it). Regenerating the subset from a newer spec that uses
/// something new fails here, loudly; above all OpenAPI 3.0's `nullable` or `discriminator`,
/// which a JSON Schema validator would silently ignore.
#[test]
fn subset_uses_only_supported_keywords() {
    let doc: Value = serde_json::from_str(SUBSET_JSON).expect("subset parses");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut problems = Vec::new();
    fn walk(s: &Value, at: &str, schemas: &Map<String, Value>, problems: &mut Vec<String>) {
        let Some(obj) = s.as_object() else {
            if !s.is_boolean() {
                problems.push(format!("{at}: not a schema"));
            }
            return;
        };
        for (k, v) in obj {
            let here = format!("{at}/{k}");
            let known = CHECKED.contains(&k.as_str())
                || ANNOTATIONS.contains(&k.as_str())
                || k.starts_with("x-");
            if !known {
                problems.push(format!("{here}: unsupported keyword"));
            }
            match k.as_str() {
                "$ref" => {
                    let r = v.as_str().unwrap_or("");
                    let ok = r
                        .strip_prefix(report::SCHEMA_REF_PREFIX)
                        .is_some_and(|n| schemas.contains_key(n));
                    if !ok {
                        problems.push(format!("{here}: dangling {r}"));
                    }
                }
                "pattern" if v.as_str() != Some(report::SNOWFLAKE_PATTERN) => {
                    problems.push(format!("{here}: unsupported pattern {v}"))
                }
                "properties" => {
                    for (name, sub) in v.as_object().into_iter().flatten() {
                        walk(sub, &format!("{here}/{name}"), schemas, problems);
                    }
                }
                "items" | "additionalProperties" => walk(v, &here, schemas, problems),
                "allOf" | "anyOf" | "oneOf" => {
                    for (i, sub) in v.as_array().into_iter().flatten().enumerate() {
                        walk(sub, &format!("{here}/{i}"), schemas, problems);
                    }
                }
                _ => {}
            }
        }
    }
    for (name, s) in schemas {
        walk(s, name, schemas, &mut problems);
    }
    for (i, op) in doc["operations"]
        .as_array()
        .expect("ops")
        .iter()
        .enumerate()
    {
        for loc in ["path", "query"] {
            for (n, p) in op["parameters"][loc].as_object().into_iter().flatten() {
                walk(
                    &p["schema"],
                    &format!("op{i}/{loc}/{n}"),
                    schemas,
                    &mut problems,
                );
            }
        }
        if !op["request_body"]["schema"].is_null() {
            walk(
                &op["request_body"]["schema"],
                &format!("op{i}/request"),
                schemas,
                &mut problems,
            );
        }
        for (st, r) in op["responses"].as_object().into_iter().flatten() {
            if !r["schema"].is_null() {
                walk(&r["schema"], &format!("op{i}/{st}"), schemas, &mut problems);
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn path_matching() {
    let s = schema();
    let t = |m, p| s.operation_template(m, p);
    assert_eq!(t("GET", "/gateway/bot"), Some("/gateway/bot"));
    assert_eq!(t("get", "/api/v10/gateway/bot"), Some("/gateway/bot"));
    assert_eq!(
        t("POST", "/api/v10/channels/123/messages"),
        Some("/channels/{channel_id}/messages")
    );
    assert_eq!(
        t("GET", "/channels/123/messages?limit=50&before=9"),
        Some("/channels/{channel_id}/messages")
    );
    assert_eq!(
        t("GET", "https://discord.com/api/v10/applications/@me"),
        Some("/applications/@me")
    );
    assert_eq!(
        t("PATCH", "/webhooks/1/tok-en/messages/@original"),
        Some("/webhooks/{webhook_id}/{webhook_token}/messages/@original")
    );
    assert_eq!(
        t("PATCH", "/webhooks/1/tok/messages/%40original"),
        Some("/webhooks/{webhook_id}/{webhook_token}/messages/@original")
    );
    assert_eq!(
        t("PUT", "/applications/1/guilds/2/commands"),
        Some("/applications/{application_id}/guilds/{guild_id}/commands")
    );
    assert_eq!(t("DELETE", "/channels/1"), None);
    assert_eq!(t("GET", "/channels//messages"), None);
    assert_eq!(t("GET", "/api/v100/gateway"), None);
    assert_eq!(t("GET", ""), None);
}

#[test]
fn unknown_operation() {
    let r = schema().validate_request("DELETE", "/api/v10/channels/1/messages/2", &Value::Null);
    assert_eq!(
        r,
        Err(Violation::UnknownOperation {
            method: "DELETE".into(),
            path: "/api/v10/channels/1/messages/2".into()
        })
    );
    assert!(matches!(
        schema().validate_response("GET", "/nope", 200, &json!({})),
        Err(Violation::UnknownOperation { .. })
    ));
}

#[test]
fn bodies_where_none_is_documented() {
    assert_eq!(
        schema().validate_request("GET", "/gateway/bot", &Value::Null),
        Ok(())
    );
    let errs = errors(schema().validate_request("GET", "/users/@me", &json!({"x": 1})));
    assert_has(&errs, "takes no request body");
}

#[test]
fn query_parameters() {
    let s = schema();
    assert_eq!(
        s.validate_request(
            "GET",
            "/channels/1/messages?limit=50&before=123",
            &Value::Null
        ),
        Ok(())
    );
    let errs = errors(s.validate_request("GET", "/channels/1/messages?limit=500", &Value::Null));
    assert_has(&errs, "query:limit: 500 violates maximum 100");
    let errs = errors(s.validate_request("GET", "/channels/1/messages?limmit=5", &Value::Null));
    assert_has(&errs, "query:limmit: not a documented query parameter");
    assert_eq!(
        s.validate_request(
            "POST",
            "/webhooks/1/tok?wait=true",
            &json!({"content": "x"})
        ),
        Ok(())
    );
}

/// Odd input never panics, against every operation, request and response side.
#[test]
fn odd_input_never_panics() {
    let s = schema();
    // Nested as deep as a body may be: checked in full, on a test thread's stack.
    let mut near_limit = json!({"_errors": []});
    for _ in 0..MAX_DEPTH - 3 {
        near_limit = json!({"x": near_limit});
    }
    let near_limit = json!({"code": 1, "message": "m", "errors": near_limit});
    assert!(!nested_deeper_than(&near_limit, MAX_DEPTH));
    assert!(nested_deeper_than(&json!({"x": near_limit}), MAX_DEPTH));
    let mut deep = json!({"type": 1});
    let mut deep_errors = json!({"_errors": []});
    for _ in 0..200 {
        deep = json!({"type": 17, "components": [deep]});
        deep_errors = json!({"code": 1, "message": "m", "errors": {"x": deep_errors}});
    }
    let odd = [
        Value::Null,
        json!(true),
        json!(-1.5e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!("\u{0}é💥"),
        json!([[[[[]]]]]),
        json!({"type": null, "data": {"type": "x"}, "components": [{"type": 1.0}]}),
        json!({"content": "x".repeat(10_000), "embeds": [{"timestamp": "9999-99-99"}]}),
        deep,
        deep_errors,
        near_limit,
    ];
    let ops: Vec<(String, String)> = s
        .operations()
        .map(|(m, t)| (m.to_string(), t.replace('{', "1").replace('}', "")))
        .collect();
    for (method, path) in &ops {
        for body in &odd {
            let _ = s.validate_request(method, path, body);
            for status in [200, 201, 204, 400, 404, 429, 500] {
                let _ = s.validate_response(method, path, status, body);
            }
        }
    }
    for path in [
        "",
        "/",
        "?",
        "%",
        "%zz",
        "https://",
        "/api/v10",
        "/api/v10?x=%ff",
        "//\u{0}",
    ] {
        let _ = s.validate_request("GET", path, &Value::Null);
        let _ = s.operation_template("POST", path);
    }
}

#[test]
fn oneof_means_exactly_one() {
    let s = custom(
        json!({"Both": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}),
        json!({"$ref": "#/components/schemas/Both"}),
    );
    let e = errors(s.validate_request("POST", "/t", &json!(3)));
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("matches 2 oneOf alternatives"), "{e:?}");
    assert_eq!(s.validate_request("POST", "/t", &json!(3.5)), Ok(()));
}

#[test]
fn recursion_and_odd_schemas_do_not_panic() {
    let looped = custom(
        json!({"Loop": {"$ref": "#/components/schemas/Loop"}}),
        json!({"$ref": "#/components/schemas/Loop"}),
    );
    let e = errors(looped.validate_request("POST", "/t", &json!(1)));
    assert!(e.iter().any(|m| m.contains("$ref cycle")), "{e:?}");
    let odd = custom(
        json!({"Odd": {"type": 7, "minLength": "x", "items": [1], "if": {}}}),
        json!({"$ref": "#/components/schemas/Odd"}),
    );
    assert!(!errors(odd.validate_request("POST", "/t", &json!([1]))).is_empty());
    let nowhere = custom(json!({}), json!({"$ref": "#/nowhere"}));
    let e = errors(nowhere.validate_request("POST", "/t", &json!(1)));
    assert!(e.iter().any(|m| m.contains("unresolvable")), "{e:?}");

    let broken = ApiSchema::load("{not json");
    assert!(broken.load_error().is_some());
    assert!(matches!(
        broken.validate_request("GET", "/gateway", &Value::Null),
        Err(Violation::Invalid(_))
    ));
    assert_eq!(broken.operation_template("GET", "/gateway"), None);

    // A body deeper than the validator is trusted with is refused, not walked.
    let mut deep = json!(1);
    for _ in 0..=MAX_DEPTH {
        deep = json!([deep]);
    }
    let e = errors(schema().validate_request("POST", "/channels/1/messages", &deep));
    assert_eq!(
        e,
        vec![format!("(root): nested deeper than {MAX_DEPTH} levels")]
    );
}

#[test]
fn formats_and_helpers() {
    let s = custom(
        json!({}),
        json!({"properties": {"t": {"type": "string", "format": "date-time"},
                              "u": {"type": "string", "format": "uri"}}}),
    );
    let ok = |field: &str, v: &str| {
        s.validate_request("POST", "/t", &json!({ field: v }))
            .is_ok()
    };
    assert!(ok("t", "2024-02-29T23:59:60Z"));
    assert!(ok("t", "2024-05-01T12:00:00.000000+00:00"));
    assert!(!ok("t", "2023-02-29T00:00:00Z"));
    assert!(!ok("t", "2024-05-01 12:00:00Z"));
    assert!(!ok("t", "2024-05-01T12:00:00"));
    assert!(!ok("t", "2024-05-01T12:00:00.Z"));
    assert!(!ok("t", "é"));
    assert!(ok("u", "https://cdn.discordapp.com/a.png"));
    assert!(ok("u", "ws://127.0.0.1:1"));
    assert!(!ok("u", "/relative"));
    assert!(!ok("u", "http://a b"));
    let snowflake = |v: &str| {
        schema()
            .validate_request(
                "GET",
                &format!("/channels/1/messages?before={v}"),
                &Value::Null,
            )
            .is_ok()
    };
    assert!(snowflake("0") && snowflake("1234"));
    assert!(!snowflake("") && !snowflake("01") && !snowflake("-1"));
    assert_eq!(percent_decode("%40me%2"), "@me%2");
    assert!(json_eq(&json!(1), &json!(1.0)));
    assert!(json_eq(&json!({"a": [1]}), &json!({"a": [1.0]})));
    assert_eq!(child("/a", "b/c~d"), "/a/b~1c~0d");
    assert!(show(&json!("x".repeat(100))).contains("(100 chars)"));
    let v = Violation::Invalid(vec!["/a: bad".into()]);
    assert!(v.to_string().contains("/a: bad"));
}
