//! Validation of Discord REST bodies against Discord's own OpenAPI description.
//!
//! This module owns the check that every REST request body frontdesk (through serenity) sends,
//! and every response body the test simulator returns, has the shape Discord documents. It
//! embeds `discord-openapi-subset.json` (in `src/`), a **generated subset** of Discord's
//! official OpenAPI 3.1 description (`discord/discord-api-spec`, `specs/openapi.json`; the
//! revision is recorded in the JSON's `source` field and returned by [`ApiSchema::revision`]),
//! used under the MIT licence whose copy is `DISCORD-OPENAPI-LICENSE` next to it. Do not edit
//! the JSON by hand: regenerate it with `tools/extract-openapi-subset.py`, which keeps, for a
//! fixed list of operations, the method, path template, path/query parameters, the
//! `application/json` request-body schema and the response schemas, plus every
//! `#/components/schemas/...` they reference transitively, `$ref`s intact.
//!
//! The schemas are JSON Schema 2020-12 (as OpenAPI 3.1 defines them) and are checked by the
//! `jsonschema` crate: the subset is registered once as one document, so its local `$ref`s
//! resolve inside it and nothing is fetched. Each schema (an operation's request body, one of
//! its responses, a parameter) is compiled on first use. What stays here is route matching
//! (`route`), reading query strings as the parameter's type, and wording the errors
//! (`report`).
//!
//! Nothing here reads the file system at run time. If the subset cannot be loaded every
//! validation reports that as a violation instead of panicking.
//!
//! # Violations
//! Each violation string is `<JSON pointer of the offending value>: <what is wrong>`; the body's
//! root is written `(root)`, parameters `path:{name}` / `query:name` (undocumented query
//! parameters are violations), an undocumented response status `(status)`.
//!
//! # What the OpenAPI dialect adds
//! * `format` is asserted: `date-time` (RFC 3339) and `uri` by the crate, `snowflake` as a
//!   decimal `u64`; the integer formats `int32`/`int64` become `minimum`/`maximum` bounds when
//!   the subset is loaded (a JSON Schema `format` constrains strings only). `double` and
//!   `nonce` are not checked.
//! * Discord marks some `anyOf`s with `x-discord-union: "oneOf"`; they are still checked as
//!   `anyOf`, because some of their alternatives overlap (e.g. the two all-optional webhook
//!   bodies of `POST /webhooks/{webhook_id}/{webhook_token}`).
//! * Discord's schemas almost never set `additionalProperties: false`, so an unknown or
//!   misspelt property in a body is *not* a violation of the spec.
//! * A `$ref` cycle that never reaches a keyword (`A` is `$ref: B`, `B` is `$ref: A`) is
//!   refused when the subset is loaded; a body nested deeper than [`MAX_DEPTH`] is refused
//!   before it reaches the validator, whose recursion follows the body's.
//!
//! # Known disagreements (spec revision 74fda0f, serenity 0.12.5)
//! * `CreateCommand::default_member_permissions` is sent as a string (`"32"`, as Discord's
//!   prose docs say), but `ApplicationCommandUpdateRequest.default_member_permissions` is
//!   `integer | null` in the spec (the response side has `string | null`). Reported.
//! * `Nonce::Number(u64)` above `i64::MAX` violates the `int64` nonce. Reported.
//! * `Error.code` is an integer in the spec, also inside `errors.<field>._errors[]`, where
//!   Discord really sends strings such as `"BASE_TYPE_MAX_LENGTH"`: a simulator reproducing a
//!   real 50035 "Invalid Form Body" reply verbatim is reported.
//! * serenity numbers a new upload in a body's `attachments` with an integer (`"id": 0`,
//!   as Discord's own multipart example does); the spec types every attachment id as a
//!   string. Reported.
//! * `MessageCreateRequest.content` allows 4000 characters; the interaction-callback and
//!   webhook message forms allow 2000.

mod report;
mod route;
mod subset;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use route::{parse_path, ParsedPath};
use subset::{Operation, RequestBody, Subset};

const SUBSET_JSON: &str = include_str!("../discord-openapi-subset.json");
/// The deepest body checked. Discord's bodies nest about 20 levels; the validator recurses
/// once per level, so this keeps a debug build's stack safe on hostile input.
pub const MAX_DEPTH: usize = 64;

/// The subset of Discord's OpenAPI description, ready to validate against.
pub struct ApiSchema {
    loaded: Result<Subset, String>,
}

/// Why a body was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// No operation of the subset has this method and path.
    UnknownOperation { method: String, path: String },
    /// The body (or a path/query parameter, or the status) does not match the schema; one
    /// entry per problem, each `<JSON pointer>: <what is wrong>`.
    Invalid(Vec<String>),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::UnknownOperation { method, path } => write!(
                f,
                "{method} {path} is not an operation of the Discord OpenAPI subset"
            ),
            Violation::Invalid(errors) => {
                write!(f, "body violates Discord's OpenAPI description:")?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Violation {}

impl ApiSchema {
    /// The embedded subset, parsed on first use.
    pub fn get() -> &'static ApiSchema {
        static SCHEMA: OnceLock<ApiSchema> = OnceLock::new();
        SCHEMA.get_or_init(|| ApiSchema::load(SUBSET_JSON))
    }

    fn load(text: &str) -> ApiSchema {
        ApiSchema {
            loaded: Subset::parse(text),
        }
    }

    /// The spec revision the subset was generated from (e.g. the commit and date).
    pub fn revision(&self) -> &str {
        self.loaded.as_ref().map_or("", |s| s.revision.as_str())
    }

    /// `Some(reason)` if the embedded JSON could not be loaded (then everything is rejected).
    pub fn load_error(&self) -> Option<&str> {
        self.loaded.as_ref().err().map(String::as_str)
    }

    /// Every `(METHOD, template)` the subset covers.
    pub fn operations(&self) -> impl Iterator<Item = (&str, &str)> {
        let ops = self.loaded.as_ref().map_or(&[][..], |s| &s.operations);
        ops.iter()
            .map(|o| (o.method.as_str(), o.route.template.as_str()))
    }

    /// The spec's path template (relative to `/api/v10`) that `method` and `path` match.
    pub fn operation_template(&self, method: &str, path: &str) -> Option<&str> {
        let subset = self.loaded.as_ref().ok()?;
        let op = subset.find(method, &parse_path(path))?;
        Some(op.route.template.as_str())
    }

    fn lookup(
        &self,
        method: &str,
        path: &str,
    ) -> Result<(&Subset, &Operation, ParsedPath), Violation> {
        let subset = self.loaded.as_ref().map_err(|e| {
            Violation::Invalid(vec![format!(
                "(schema): the embedded Discord OpenAPI subset failed to load: {e}"
            )])
        })?;
        let parsed = parse_path(path);
        match subset.find(method, &parsed) {
            Some(op) => Ok((subset, op, parsed)),
            None => Err(Violation::UnknownOperation {
                method: method.to_string(),
                path: path.to_string(),
            }),
        }
    }

    /// Validate a request: path parameters, query parameters and the JSON body.
    ///
    /// `path` is as sent, e.g. `/channels/123/messages` or `/api/v10/channels/123/messages?x=1`.
    /// Pass `Value::Null` for "no body". Multipart requests should pass their `payload_json`.
    pub fn validate_request(
        &self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<(), Violation> {
        let (subset, op, parsed) = self.lookup(method, path)?;
        let mut errors = Vec::new();

        for (name, value) in op.route.params(&parsed) {
            if let Some(p) = op.path_params.iter().find(|p| p.name == name) {
                let value = Value::String(value.to_string());
                subset.check(&p.slot, &value, &format!("path:{{{name}}}"), &mut errors);
            }
        }
        for (name, raw) in &parsed.query {
            match op.query_params.iter().find(|p| &p.name == name) {
                Some(p) => {
                    let value = subset.coerce_query(&p.slot, raw);
                    subset.check(&p.slot, &value, &format!("query:{name}"), &mut errors);
                }
                None => errors.push(format!(
                    "query:{name}: not a documented query parameter of {} {}",
                    op.method, op.route.template
                )),
            }
        }
        for p in op.query_params.iter().filter(|p| p.required) {
            if !parsed.query.iter().any(|(n, _)| *n == p.name) {
                errors.push(format!(
                    "query:{}: missing required query parameter",
                    p.name
                ));
            }
        }

        match &op.request {
            None if !body.is_null() => errors.push(format!(
                "(root): {} {} takes no request body, found {}",
                op.method,
                op.route.template,
                report::show(body)
            )),
            None => {}
            Some(RequestBody {
                slot: Some(slot), ..
            }) => subset.check(slot, body, "", &mut errors),
            Some(RequestBody {
                slot: None,
                content_types,
            }) => errors.push(format!(
                "(root): the spec documents no application/json body for {} {} (only {})",
                op.method,
                op.route.template,
                content_types.join(", ")
            )),
        }
        finish(errors)
    }

    /// Validate a response body for `status`. Statuses are matched exactly, then by class
    /// (`4XX`), then `default`; an undocumented status is a violation. Responses documented
    /// without a body (e.g. 204) require `Value::Null`.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Violation> {
        let (subset, op, _) = self.lookup(method, path)?;
        let keys = [
            status.to_string(),
            format!("{}XX", status / 100),
            "default".into(),
        ];
        let found = keys.iter().find_map(|key| {
            op.responses
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
        });
        let Some((_, slot)) = found else {
            let documented: Vec<&str> = op.responses.iter().map(|(k, _)| k.as_str()).collect();
            return Err(Violation::Invalid(vec![format!(
                "(status): {status} is not a documented response status of {} {} (documented: {})",
                op.method,
                op.route.template,
                documented.join(", ")
            )]));
        };
        let mut errors = Vec::new();
        match slot {
            None if !body.is_null() => errors.push(format!(
                "(root): a {status} response of {} {} has no body, found {}",
                op.method,
                op.route.template,
                report::show(body)
            )),
            None => {}
            Some(slot) => subset.check(slot, body, "", &mut errors),
        }
        finish(errors)
    }
}

fn finish(errors: Vec<String>) -> Result<(), Violation> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Violation::Invalid(errors))
    }
}
