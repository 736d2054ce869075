//! Turns the validator's errors into violation lines: `<JSON pointer>: <what is wrong>`.
//!
//! The validator (the `jsonschema` crate) decides; this module only words its verdict. It
//! looks the failing keyword up in the subset (each error carries its absolute location) to
//! name `oneOf`/`anyOf` alternatives by their `$ref` and to list a `type` as the spec writes it.
//!
//! When no alternative of a `oneOf`/`anyOf` matches, the message follows the alternative the
//! value was meant for: alternatives whose JSON type, `const` or `type` discriminator property
//! (Discord's convention for components, options, callbacks) already reject the value are set
//! aside. One left: its errors. None left: the accepted `type` values, or the `const`s when
//! every alternative is one. Otherwise a summary of every remaining alternative.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::ValidationError;
use serde_json::Value;

use super::route::percent_decode;

/// The snowflake pattern, the only `pattern` in the subset.
pub(super) const SNOWFLAKE_PATTERN: &str = "^(0|[1-9][0-9]*)$";
pub(super) const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Appends one line per problem to `out`. `at` prefixes every pointer: "" for a body,
/// `path:{name}` / `query:name` for a parameter.
pub(super) fn describe(
    doc: &Value,
    errors: &[ValidationError<'_>],
    at: &str,
    out: &mut Vec<String>,
) {
    for e in after_type_failures(errors) {
        describe_one(doc, e, at, out);
    }
}

/// When a schema's `type` rejects a value, its other keywords only add noise: drop the
/// errors of the same value from the same schema object (or below it).
fn after_type_failures<'e, 'a>(errors: &'e [ValidationError<'a>]) -> Vec<&'e ValidationError<'a>> {
    let failed_types: Vec<(&str, String)> = errors
        .iter()
        .filter(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }))
        .map(|e| {
            let path = e.evaluation_path().as_str();
            let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
            (e.instance_path().as_str(), format!("{parent}/"))
        })
        .collect();
    errors
        .iter()
        .filter(|e| {
            matches!(e.kind(), ValidationErrorKind::Type { .. })
                || !failed_types.iter().any(|(instance, schema)| {
                    e.instance_path().as_str() == *instance
                        && e.evaluation_path().as_str().starts_with(schema.as_str())
                })
        })
        .collect()
}

fn describe_one(doc: &Value, e: &ValidationError<'_>, at: &str, out: &mut Vec<String>) {
    let ptr = format!("{at}{}", e.instance_path());
    let here = shown_at(&ptr);
    let inst: &Value = e.instance();
    let line = match e.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected = match keyword_value(doc, e) {
                Some(Value::String(t)) => t.clone(),
                Some(Value::Array(ts)) => words(ts.iter().filter_map(Value::as_str)),
                _ => match kind {
                    TypeKind::Single(t) => t.to_string(),
                    TypeKind::Multiple(ts) => words(ts.iter().map(|t| t.to_string())),
                },
            };
            format!(
                "{here}: expected {expected}, found {}",
                describe_value(inst)
            )
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            format!("{}: missing required property", child(&ptr, name))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(format!(
                    "{}: unexpected property (additionalProperties is false)",
                    child(&ptr, name)
                ));
            }
            return;
        }
        ValidationErrorKind::Enum { options } => {
            let options = options.as_array().map(Vec::as_slice).unwrap_or_default();
            format!(
                "{here}: {} is not one of {}",
                show(inst),
                show_list(options.iter())
            )
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!(
                "{here}: expected {}, found {}",
                show(expected_value),
                show(inst)
            )
        }
        ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MaxLength { limit } => {
            let n = inst.as_str().map_or(0, |s| s.chars().count());
            let (keyword, relation) = match e.kind() {
                ValidationErrorKind::MinLength { .. } => ("minLength", "shorter than"),
                _ => ("maxLength", "longer than"),
            };
            format!("{here}: string of {n} characters is {relation} {keyword} {limit}")
        }
        ValidationErrorKind::Pattern { pattern } => {
            let hint = if pattern == SNOWFLAKE_PATTERN {
                " (a snowflake is a decimal string)"
            } else {
                ""
            };
            format!(
                "{here}: {} does not match pattern {pattern}{hint}",
                show(inst)
            )
        }
        ValidationErrorKind::Format { format } => {
            let what = match format.as_str() {
                "snowflake" => "snowflake (a decimal u64)",
                "date-time" => "RFC 3339 date-time",
                "uri" => "URI",
                other => other,
            };
            format!("{here}: {} is not a valid {what}", show(inst))
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("{here}: {inst} violates minimum {limit}")
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{here}: {inst} violates maximum {limit}")
        }
        ValidationErrorKind::MinItems { limit } => {
            let n = inst.as_array().map_or(0, Vec::len);
            format!("{here}: {n} items, fewer than minItems {limit}")
        }
        ValidationErrorKind::MaxItems { limit } => {
            let n = inst.as_array().map_or(0, Vec::len);
            format!("{here}: {n} items, more than maxItems {limit}")
        }
        ValidationErrorKind::UniqueItems => match first_duplicate(inst) {
            Some((i, j, item)) => format!(
                "{here}: items {i} and {j} are equal ({}) but uniqueItems is set",
                show(item)
            ),
            None => format!("{here}: items are not unique but uniqueItems is set"),
        },
        ValidationErrorKind::MinProperties { limit } => {
            let n = inst.as_object().map_or(0, |m| m.len());
            format!("{here}: {n} properties violates minProperties {limit}")
        }
        ValidationErrorKind::MaxProperties { limit } => {
            let n = inst.as_object().map_or(0, |m| m.len());
            format!("{here}: {n} properties violates maxProperties {limit}")
        }
        ValidationErrorKind::FalseSchema => format!("{here}: no value is allowed here"),
        ValidationErrorKind::OneOfMultipleValid { context } => {
            let branches = branches(doc, e);
            let names: Vec<String> = (context.iter().enumerate())
                .filter(|(_, errs)| errs.is_empty())
                .map(|(i, _)| name_of(branches.get(i).copied(), i))
                .collect();
            format!(
                "{here}: matches {} oneOf alternatives ({}), exactly one is required",
                names.len(),
                names.join(", ")
            )
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let keyword = e.kind().keyword();
            let alternatives = Alternatives {
                doc,
                keyword,
                branches: branches(doc, e),
                context,
                at,
                ptr: &ptr,
                inst,
            };
            alternatives.describe(out);
            return;
        }
        ValidationErrorKind::Referencing(err) => {
            format!("{here}: schema has an unresolvable $ref ({err})")
        }
        _ => format!("{here}: {e}"),
    };
    out.push(line);
}

/// A `oneOf`/`anyOf` none of whose alternatives matched.
struct Alternatives<'a> {
    doc: &'a Value,
    keyword: &'a str,
    /// The alternatives' schemas, when the keyword could be found in the subset.
    branches: Vec<&'a Value>,
    /// Per alternative, the errors it reported.
    context: &'a [Vec<ValidationError<'static>>],
    at: &'a str,
    /// The value's pointer, `at` included.
    ptr: &'a str,
    inst: &'a Value,
}

impl Alternatives<'_> {
    fn describe(&self, out: &mut Vec<String>) {
        let here = shown_at(self.ptr);
        let consts: Option<Vec<&Value>> = self
            .context
            .iter()
            .map(|errs| errs.iter().find_map(|e| self.constant_here(e)))
            .collect();
        if let Some(consts) = consts.filter(|c| !c.is_empty()) {
            out.push(format!(
                "{here}: {} is not one of {}",
                show(self.inst),
                show_list(consts.into_iter())
            ));
            return;
        }
        let plausible: Vec<usize> = (0..self.context.len())
            .filter(|&i| self.plausible(i))
            .collect();
        if plausible.is_empty() {
            if let Some(line) = self.discriminator_message() {
                out.push(line);
                return;
            }
        }
        if let [only] = plausible.as_slice() {
            if let Some(errs) = self.context.get(*only) {
                describe(self.doc, errs, self.at, out);
                return;
            }
        }
        let considered: Vec<usize> = if plausible.is_empty() {
            (0..self.context.len()).collect()
        } else {
            plausible
        };
        let mut parts = Vec::new();
        for i in considered {
            let mut lines = Vec::new();
            if let Some(errs) = self.context.get(i) {
                describe(self.doc, errs, self.at, &mut lines);
            }
            let more = lines.len().saturating_sub(3);
            lines.truncate(3);
            if more > 0 {
                lines.push(format!("… {more} more"));
            }
            let name = name_of(self.branches.get(i).copied(), i);
            parts.push(format!("{name}: {}", lines.join("; ")));
        }
        out.push(format!(
            "{here}: {} matches none of the {} alternatives [{}]",
            show(self.inst),
            self.keyword,
            parts.join(" | ")
        ));
    }

    fn pointer_of(&self, e: &ValidationError<'_>) -> String {
        format!("{}{}", self.at, e.instance_path())
    }

    /// The value a `const` expected of this very value, if `e` is that error.
    fn constant_here<'e>(&self, e: &'e ValidationError<'_>) -> Option<&'e Value> {
        constant(e).filter(|_| self.pointer_of(e) == self.ptr)
    }

    /// Whether alternative `i` was meant for this value: neither its JSON type, its `const`
    /// nor its `type` discriminator property rejected the value.
    fn plausible(&self, i: usize) -> bool {
        let discriminator = format!("{}/type", self.ptr);
        let Some(errs) = self.context.get(i) else {
            return false;
        };
        !errs.iter().any(|e| {
            let at = self.pointer_of(e);
            (at == self.ptr
                && matches!(
                    e.kind(),
                    ValidationErrorKind::Type { .. } | ValidationErrorKind::Constant { .. }
                ))
                || (at == discriminator && self.inst.get("type").is_some())
        })
    }

    /// Every alternative is an object told apart by its `type` property and the value's
    /// `type` fits none: one line listing the accepted `type`s.
    fn discriminator_message(&self) -> Option<String> {
        let found = self.inst.as_object()?.get("type")?;
        let discriminator = format!("{}/type", self.ptr);
        let mut choices = Vec::new();
        for (i, errs) in self.context.iter().enumerate() {
            let here: Vec<&ValidationError<'_>> = errs
                .iter()
                .filter(|e| self.pointer_of(e) == discriminator)
                .collect();
            let values = accepted(&here)?;
            let shown: Vec<String> = values.into_iter().map(show).collect();
            let name = name_of(self.branches.get(i).copied(), i);
            choices.push(format!("{} ({name})", shown.join(", ")));
        }
        Some(format!(
            "{}: {} selects none of the {} alternatives; accepted: {}",
            discriminator,
            show(found),
            self.keyword,
            choices.join(", ")
        ))
    }
}

fn constant<'e>(e: &'e ValidationError<'_>) -> Option<&'e Value> {
    match e.kind() {
        ValidationErrorKind::Constant { expected_value } => Some(expected_value),
        _ => None,
    }
}

/// The values a discriminator accepts, read from its errors: an `enum`, a `const`, or a
/// `oneOf`/`anyOf` of `const`s (Discord's enums).
fn accepted<'e>(errors: &[&'e ValidationError<'_>]) -> Option<Vec<&'e Value>> {
    let options = errors.iter().find_map(|e| match e.kind() {
        ValidationErrorKind::Enum { options } => options.as_array(),
        _ => None,
    });
    if let Some(options) = options {
        return Some(options.iter().collect());
    }
    if let Some(c) = errors.iter().find_map(|e| constant(e)) {
        return Some(vec![c]);
    }
    errors.iter().find_map(|e| match e.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            context
                .iter()
                .map(|errs| errs.iter().find_map(constant))
                .collect()
        }
        _ => None,
    })
}

/// The value of the keyword an error comes from, found in the subset by its location.
fn keyword_value<'d>(doc: &'d Value, e: &ValidationError<'_>) -> Option<&'d Value> {
    let location = e.absolute_keyword_location()?;
    let (_, fragment) = location.as_str().split_once('#')?;
    doc.pointer(&percent_decode(fragment))
}

fn branches<'d>(doc: &'d Value, e: &ValidationError<'_>) -> Vec<&'d Value> {
    keyword_value(doc, e)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// An alternative's name: its `$ref` target, title or type.
fn name_of(schema: Option<&Value>, index: usize) -> String {
    let obj = schema.and_then(Value::as_object);
    if let Some(r) = obj.and_then(|o| o.get("$ref")).and_then(Value::as_str) {
        return r.strip_prefix(SCHEMA_REF_PREFIX).unwrap_or(r).to_string();
    }
    if let Some(t) = obj.and_then(|o| o.get("title")).and_then(Value::as_str) {
        return t.to_string();
    }
    match obj.and_then(|o| o.get("type")) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => format!("alternative #{index}"),
    }
}

fn words(items: impl Iterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.map(|s| s.as_ref().to_string()).collect();
    items.join(" or ")
}

pub(super) fn shown_at(ptr: &str) -> &str {
    if ptr.is_empty() {
        "(root)"
    } else {
        ptr
    }
}

pub(super) fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn first_duplicate(inst: &Value) -> Option<(usize, usize, &Value)> {
    let items = inst.as_array()?;
    items.iter().enumerate().find_map(|(i, a)| {
        let j = items.iter().skip(i + 1).position(|b| json_eq(a, b))?;
        Some((i, i + 1 + j, a))
    })
}

/// Equality as JSON Schema defines it (numbers by value), to name the duplicate items.
pub(super) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p == q,
            _ => x
                .as_u64()
                .zip(y.as_u64())
                .map_or(x.as_f64() == y.as_f64(), |(p, q)| p == q),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| json_eq(p, q)))
        }
        _ => a == b,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n)
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) =>
        {
            "integer"
        }
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A short rendering of a value for messages.
pub(super) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let n = s.chars().count();
            if n <= 48 {
                v.to_string()
            } else {
                let head: String = s.chars().take(32).collect();
                format!("{}… ({n} chars)", Value::String(head))
            }
        }
        Value::Array(a) => {
            let text = v.to_string();
            if text.chars().count() <= 64 {
                text
            } else {
                format!("an array of {} items", a.len())
            }
        }
        Value::Object(m) => {
            let text = v.to_string();
            if text.chars().count() <= 64 {
                text
            } else {
                let keys: Vec<&str> = m.keys().take(8).map(String::as_str).collect();
                let more = if m.len() > 8 { ", …" } else { "" };
                format!("an object with keys [{}{more}]", keys.join(", "))
            }
        }
        _ => v.to_string(),
    }
}

/// `show` prefixed with the JSON type, unless `show` already says it.
fn describe_value(v: &Value) -> String {
    let shown = show(v);
    if shown.starts_with("an ") {
        shown
    } else {
        format!("{} {shown}", type_name(v))
    }
}

fn show_list<'v>(values: impl Iterator<Item = &'v Value>) -> String {
    let mut items: Vec<String> = Vec::new();
    let mut total = 0usize;
    for v in values {
        if items.len() < 30 {
            items.push(show(v));
        }
        total += 1;
    }
    if total > items.len() {
        items.push(format!("… {} more", total - items.len()));
    }
    format!("[{}]", items.join(", "))
}
