//! The loaded subset: its operations, each schema in it by JSON pointer, compiled on first
//! use against the whole document (so `#/components/schemas/...` resolve and nothing is
//! fetched), and the checks around the validator (query strings read as their type, bodies
//! too deep for it refused).

use std::sync::OnceLock;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Map, Number, Value};

use super::report::{self, shown_at, SCHEMA_REF_PREFIX};
use super::route::{ParsedPath, Route};
use super::MAX_DEPTH;

/// The subset's name in the validator's registry; its `#/...` references resolve inside it.
const DOC_URI: &str = "urn:discord-openapi-subset";

pub(super) struct Subset {
    /// The subset as loaded (integer formats lowered), for naming what failed.
    pub(super) doc: Value,
    pub(super) registry: Registry<'static>,
    pub(super) operations: Vec<Operation>,
    pub(super) revision: String,
}

pub(super) struct Operation {
    pub(super) method: String,
    pub(super) route: Route,
    pub(super) path_params: Vec<Param>,
    pub(super) query_params: Vec<Param>,
    pub(super) request: Option<RequestBody>,
    /// status key as in the spec ("200", "4XX", "default"), schema (None: no body)
    pub(super) responses: Vec<(String, Option<Slot>)>,
}

pub(super) struct Param {
    pub(super) name: String,
    pub(super) required: bool,
    pub(super) slot: Slot,
}

pub(super) struct RequestBody {
    /// The `application/json` schema; `None` when the spec documents no JSON form.
    pub(super) slot: Option<Slot>,
    pub(super) content_types: Vec<String>,
}

/// One schema of the subset, by its JSON pointer, compiled on first use.
pub(super) struct Slot {
    pointer: String,
    compiled: OnceLock<Result<Validator, String>>,
}

impl Slot {
    fn new(pointer: String) -> Slot {
        Slot {
            pointer,
            compiled: OnceLock::new(),
        }
    }

    fn validator(&self, registry: &Registry<'static>) -> Result<&Validator, &str> {
        self.compiled
            .get_or_init(|| {
                jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .with_registry(registry)
                    .should_validate_formats(true)
                    .with_format("snowflake", |s: &str| s.parse::<u64>().is_ok())
                    .build(&json!({ "$ref": format!("{DOC_URI}#{}", self.pointer) }))
                    .map_err(|e| match e.kind() {
                        jsonschema::error::ValidationErrorKind::Referencing(r) => {
                            format!("schema has an unresolvable $ref: {r}")
                        }
                        _ => format!("invalid schema at {}: {e}", self.pointer),
                    })
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

impl Subset {
    pub(super) fn parse(text: &str) -> Result<Subset, String> {
        let mut doc: Value =
            serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .ok_or("missing components.schemas")?;
        if let Some(cycle) = ref_cycle(schemas) {
            return Err(cycle);
        }
        lower_integer_formats(&mut doc);
        let revision = doc
            .pointer("/source/revision")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let ops = doc
            .get("operations")
            .and_then(Value::as_array)
            .ok_or("missing operations")?;
        let operations = (ops.iter().enumerate())
            .map(|(i, op)| parse_operation(op, &format!("/operations/{i}")))
            .collect::<Result<Vec<_>, String>>()?;
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOC_URI, doc.clone())
            .and_then(|r| r.prepare())
            .map_err(|e| format!("cannot register the subset: {e}"))?;
        Ok(Subset {
            doc,
            registry,
            operations,
            revision,
        })
    }

    pub(super) fn find(&self, method: &str, path: &ParsedPath) -> Option<&Operation> {
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method) && op.route.matches(path))
            .max_by_key(|op| op.route.literal_count)
    }

    /// Checks `value` against `slot`'s schema; problems are appended, prefixed with `at`.
    pub(super) fn check(&self, slot: &Slot, value: &Value, at: &str, errors: &mut Vec<String>) {
        if nested_deeper_than(value, MAX_DEPTH) {
            errors.push(format!(
                "{}: nested deeper than {MAX_DEPTH} levels",
                shown_at(at)
            ));
            return;
        }
        match slot.validator(&self.registry) {
            Ok(validator) => {
                let found: Vec<_> = validator.iter_errors(value).collect();
                report::describe(&self.doc, &found, at, errors);
            }
            Err(e) => errors.push(format!("(schema): {e}")),
        }
    }

    /// A query parameter is a string on the wire; read it as the schema's scalar type.
    pub(super) fn coerce_query(&self, slot: &Slot, raw: &str) -> Value {
        let mut schema = self.doc.pointer(&slot.pointer);
        // Follow `$ref`s to the schema that says the type (a few hops at most).
        for _ in 0..8 {
            let target = schema
                .and_then(|s| s.get("$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMA_REF_PREFIX))
                .and_then(|name| self.doc.pointer("/components/schemas")?.get(name));
            match target {
                Some(t) => schema = Some(t),
                None => break,
            }
        }
        let types: Vec<&str> = match schema.and_then(|s| s.get("type")) {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if types.contains(&"integer") || types.contains(&"number") {
            if let Ok(n) = serde_json::from_str::<Number>(raw) {
                return Value::Number(n);
            }
        }
        if types.contains(&"boolean") {
            match raw {
                "true" | "True" => return Value::Bool(true),
                "false" | "False" => return Value::Bool(false),
                _ => {}
            }
        }
        Value::String(raw.to_string())
    }
}

fn parse_operation(op: &Value, at: &str) -> Result<Operation, String> {
    let method = op
        .get("method")
        .and_then(Value::as_str)
        .ok_or("operation without method")?
        .to_ascii_uppercase();
    let template = op
        .get("path")
        .and_then(Value::as_str)
        .ok_or("operation without path")?;
    let params = |location: &str| -> Vec<Param> {
        let Some(map) = op.pointer(&format!("/parameters/{location}")) else {
            return Vec::new();
        };
        (map.as_object().into_iter().flatten())
            .map(|(name, p)| Param {
                name: name.clone(),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                slot: Slot::new(format!(
                    "{at}/parameters/{location}/{}/schema",
                    escape(name)
                )),
            })
            .collect()
    };
    let request = match op.get("request_body") {
        None | Some(Value::Null) => None,
        Some(rb) => Some(RequestBody {
            slot: (rb.get("schema").is_some_and(|s| !s.is_null()))
                .then(|| Slot::new(format!("{at}/request_body/schema"))),
            content_types: (rb.get("content_types").and_then(Value::as_array))
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        }),
    };
    let responses = (op.get("responses").and_then(Value::as_object))
        .into_iter()
        .flatten()
        .map(|(status, r)| {
            let slot = (r.get("schema").is_some_and(|s| !s.is_null()))
                .then(|| Slot::new(format!("{at}/responses/{}/schema", escape(status))));
            (status.clone(), slot)
        })
        .collect();
    Ok(Operation {
        method,
        route: Route::new(template),
        path_params: params("path"),
        query_params: params("query"),
        request,
        responses,
    })
}

/// A JSON pointer token.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// OpenAPI's `int32`/`int64` formats apply to numbers, which a JSON Schema `format` never
/// constrains: they become the equivalent bounds (a tighter bound in the spec is kept).
fn lower_integer_formats(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let bounds = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
                Some("int64") => Some((json!(i64::MIN), json!(i64::MAX))),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                map.entry("minimum").or_insert(min);
                map.entry("maximum").or_insert(max);
            }
            map.values_mut().for_each(lower_integer_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(lower_integer_formats),
        _ => {}
    }
}

/// A component that is only a `$ref` chain leading back to itself never reaches a keyword;
/// the validator would accept anything there.
fn ref_cycle(schemas: &Map<String, Value>) -> Option<String> {
    let target = |name: &str| {
        let schema = schemas.get(name)?.as_object()?;
        let only_ref = schema
            .keys()
            .all(|k| k == "$ref" || k == "description" || k == "title");
        let r = schema.get("$ref")?.as_str()?;
        only_ref
            .then(|| r.strip_prefix(SCHEMA_REF_PREFIX))
            .flatten()
    };
    for start in schemas.keys() {
        let mut chain = vec![start.as_str()];
        let mut at = start.as_str();
        while let Some(next) = target(at) {
            let looped = chain.contains(&next);
            chain.push(next);
            if looped {
                return Some(format!("$ref cycle: {}", chain.join(" → ")));
            }
            at = next;
        }
    }
    None
}

/// Whether `value` nests more than `limit` arrays/objects deep (without recursing).
pub(super) fn nested_deeper_than(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth >= limit {
            return true;
        }
        stack.extend(children.map(|c| (c, depth + 1)));
    }
    false
}
