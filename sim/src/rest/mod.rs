//! REST API under `/api/v10`: request decoding, the route table (one handler per route),
//! fault injection, recording, and Discord-style error answers.

mod applications;
mod channels;
mod gateway_info;
mod guilds;
mod interactions;
mod messages;
mod multipart;
mod threads;
mod users;
mod webhooks;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::attachment::{FieldError, Upload};
use crate::record::RecordedRequest;
use crate::state::State;
use crate::Inner;

/// The API prefix serenity puts in front of every route.
pub const API_PREFIX: &str = "/api/v10";

/// A decoded REST request.
pub struct Req {
    pub method: Method,
    /// Path without the API prefix.
    pub path: String,
    pub segs: Vec<String>,
    pub query: BTreeMap<String, String>,
    pub body: Option<Value>,
    /// Files uploaded with a `multipart/form-data` body.
    pub files: Vec<Upload>,
    /// `http://127.0.0.1:PORT`, for the links to attachments.
    pub origin: String,
    pub now: Instant,
}

impl Req {
    /// Path segment `i` as a snowflake.
    pub fn id(&self, i: usize) -> Option<u64> {
        self.segs.get(i).and_then(|s| s.parse().ok())
    }

    pub fn body_field(&self, key: &str) -> Option<&Value> {
        self.body.as_ref().and_then(|b| b.get(key))
    }
}

/// A handler's answer.
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl From<FieldError> for Reply {
    fn from(e: FieldError) -> Reply {
        Reply::invalid_form(&e.field, e.code, e.message)
    }
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply {
            status: 200,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub fn created(body: Value) -> Reply {
        Reply {
            status: 201,
            ..Reply::ok(body)
        }
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    /// A Discord JSON error: `{"message", "code"}`.
    pub fn error(status: u16, code: u32, message: &str) -> Reply {
        Reply {
            status,
            body: Some(json!({"message": message, "code": code})),
            headers: Vec::new(),
        }
    }

    /// 400 / 50035 with Discord's nested `errors` object for one field.
    pub fn invalid_form(field: &str, code: &str, message: &str) -> Reply {
        let mut errors = serde_json::Map::new();
        errors.insert(
            field.to_string(),
            json!({"_errors": [{"code": code, "message": message}]}),
        );
        Reply {
            status: 400,
            body: Some(json!({"message": "Invalid Form Body", "code": 50035, "errors": errors})),
            headers: Vec::new(),
        }
    }

    pub fn unknown_channel() -> Reply {
        Reply::error(404, 10003, "Unknown Channel")
    }

    pub fn unknown_message() -> Reply {
        Reply::error(404, 10008, "Unknown Message")
    }

    pub fn not_found() -> Reply {
        Reply::error(404, 0, "404: Not Found")
    }

    pub fn with_headers(mut self, headers: Vec<(String, String)>) -> Reply {
        self.headers.extend(headers);
        self
    }

    /// A global 429 as Discord words it: `"global": true`, the scope headers and the wait.
    pub fn globally_limited(refusal: crate::ratelimit::GlobalRefusal) -> Reply {
        Reply {
            status: 429,
            body: Some(json!({"message": "You are being rate limited.",
                              "retry_after": refusal.retry_after.as_secs_f64(),
                              "global": true, "code": 0})),
            headers: refusal.headers(),
        }
    }

    /// A 429 answer as Discord words it.
    pub fn rate_limited(retry_after: f64) -> Reply {
        Reply {
            status: 429,
            body: Some(json!({"message": "You are being rate limited.",
                              "retry_after": retry_after, "global": false})),
            headers: Vec::new(),
        }
    }
}

/// Fallback handler: every request that is not the gateway or a control endpoint.
pub async fn handle(AxState(inner): AxState<Arc<Inner>>, request: Request) -> Response {
    let now = Instant::now();
    let method = request.method().clone();
    let raw_path = request.uri().path().to_string();
    let authorization = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let query_text = request.uri().query().unwrap_or("").to_string();
    // A body with files comes as multipart/form-data: its JSON is the `payload_json` part.
    let (body_text, files) = if multipart::is_multipart(&request) {
        match multipart::read_multipart(request).await {
            Ok(parts) => parts,
            Err(reply) => return reply.into_response(),
        }
    } else {
        match axum::body::to_bytes(request.into_body(), 32 * 1024 * 1024).await {
            Ok(b) => (String::from_utf8_lossy(&b).into_owned(), Vec::new()),
            Err(_) => return Reply::error(413, 40005, "Request entity too large").into_response(),
        }
    };
    let body = serde_json::from_str::<Value>(&body_text).ok();
    let query: BTreeMap<String, String> = form_pairs(&query_text);
    let path = raw_path
        .strip_prefix(API_PREFIX)
        .unwrap_or(&raw_path)
        .to_string();
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let req = Req {
        method: method.clone(),
        path: path.clone(),
        segs,
        query: query.clone(),
        body: body.clone(),
        files: files.clone(),
        origin: format!("http://{}", inner.addr),
        now,
    };

    let mut lost = false;
    let reply = {
        let mut st = inner.lock();
        let rejected =
            raw_path.starts_with(API_PREFIX) && st.admin.rejects(authorization.as_deref());
        let global = if !rejected
            && raw_path.starts_with(API_PREFIX)
            && crate::ratelimit::counts_globally(&path)
        {
            st.rate.check_global(now).err()
        } else {
            None
        };
        let reply = match global {
            // A reset token is refused before anything else, as Discord does.
            _ if rejected => Reply::error(401, 0, "401: Unauthorized"),
            Some(refusal) => Reply::globally_limited(refusal),
            None => match injected_fault(&mut st, &req) {
                Some(Injected::Answer(r)) => r,
                Some(Injected::LoseAnswer) => {
                    lost = true;
                    route(&inner, &mut st, &req)
                }
                None if raw_path.starts_with(API_PREFIX) => route(&inner, &mut st, &req),
                None => unknown(&req),
            },
        };
        st.requests.push(RecordedRequest {
            method: method.to_string(),
            raw_path,
            path,
            query,
            body_text,
            body,
            status: reply.status,
            response: reply.body.clone(),
            files,
            received_at: now,
        });
        reply
    };
    inner.bump();
    if lost {
        // Held until the client gives up or goes away (hyper then drops this future).
        std::future::pending::<()>().await;
    }
    reply.into_response()
}

/// What an injected fault does to a request.
enum Injected {
    Answer(Reply),
    LoseAnswer,
}

/// Answers with an injected fault if one matches this request.
fn injected_fault(st: &mut State, req: &Req) -> Option<Injected> {
    let line = format!("{} {}", req.method, req.path);
    let fault = st
        .faults
        .iter_mut()
        .find(|f| f.remaining > 0 && line.contains(&f.route_contains))?;
    fault.remaining -= 1;
    let (status, lose) = (fault.status, fault.lose_answer);
    st.faults.retain(|f| f.remaining > 0);
    tracing::info!(status, lose, route = %line, "injected fault");
    if lose {
        return Some(Injected::LoseAnswer);
    }
    Some(Injected::Answer(match status {
        429 => Reply::rate_limited(1.0).with_headers(vec![
            ("Retry-After".into(), "1".into()),
            ("X-RateLimit-Scope".into(), "user".into()),
            ("X-RateLimit-Global".into(), "false".into()),
            ("X-RateLimit-Limit".into(), "5".into()),
            ("X-RateLimit-Remaining".into(), "0".into()),
            ("X-RateLimit-Reset-After".into(), "1.000".into()),
            ("X-RateLimit-Bucket".into(), "sim-injected".into()),
        ]),
        s => {
            let reason = StatusCode::from_u16(s)
                .ok()
                .and_then(|c| c.canonical_reason())
                .unwrap_or("Error");
            Reply::error(s, 0, &format!("{s}: {reason}"))
        }
    }))
}

/// The route table.
fn route(inner: &Inner, st: &mut State, req: &Req) -> Reply {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    let m = &req.method;
    match segs.as_slice() {
        ["gateway"] if m == Method::GET => gateway_info::get_gateway(inner),
        ["gateway", "bot"] if m == Method::GET => gateway_info::get_gateway_bot(inner),
        ["users", "@me"] if m == Method::GET => users::get_current_user(st),
        ["users", "@me", "channels"] if m == Method::POST => users::create_dm(st, req),
        ["users", "@me", "guilds"] if m == Method::GET => users::get_current_user_guilds(st),
        ["users", _] if m == Method::GET => users::get_user(st, req),
        ["channels", _] if m == Method::GET => channels::get_channel(st, req),
        ["channels", _, "typing"] if m == Method::POST => channels::trigger_typing(st, req),
        ["channels", _, "messages"] if m == Method::GET => messages::list(st, req),
        ["channels", _, "messages"] if m == Method::POST => messages::create(inner, st, req),
        ["channels", _, "messages", _] if m == Method::GET => messages::get(st, req),
        ["channels", _, "messages", _] if m == Method::PATCH => messages::edit(st, req),
        ["channels", _, "messages", _] if m == Method::DELETE => messages::delete(st, req),
        ["channels", _, "messages", _, "threads"] if m == Method::POST => {
            threads::create_from_message(st, req)
        }
        ["channels", _, "threads"] if m == Method::POST => threads::create(st, req),
        ["guilds", _] if m == Method::GET => guilds::get_guild(st, req),
        ["guilds", _, "channels"] if m == Method::GET => guilds::get_channels(st, req),
        ["guilds", _, "members", _] if m == Method::GET => guilds::get_member(st, req),
        ["guilds", _, "roles"] if m == Method::GET => guilds::get_roles(st, req),
        ["guilds", _, "threads", "active"] if m == Method::GET => threads::list_active(st, req),
        ["interactions", _, _, "callback"] if m == Method::POST => {
            interactions::callback(inner, st, req)
        }
        ["webhooks", _, _] if m == Method::POST => webhooks::create_followup(st, req),
        ["webhooks", _, _, "messages", "@original"] if m == Method::GET => {
            webhooks::get_original(st, req)
        }
        ["webhooks", _, _, "messages", "@original"] if m == Method::PATCH => {
            webhooks::edit_original(st, req)
        }
        ["webhooks", _, _, "messages", "@original"] if m == Method::DELETE => {
            webhooks::delete_original(st, req)
        }
        ["webhooks", _, _, "messages", _] if m == Method::PATCH => webhooks::edit_followup(st, req),
        ["applications", "@me"] if m == Method::GET => applications::get_current(st),
        ["oauth2", "applications", "@me"] if m == Method::GET => applications::get_current(st),
        ["applications", _, "commands"] if m == Method::GET => applications::list_global(st, req),
        ["applications", _, "commands"] if m == Method::PUT => {
            applications::overwrite_global(st, req)
        }
        ["applications", _, "commands"] if m == Method::POST => {
            applications::upsert_global(st, req)
        }
        ["applications", _, "guilds", _, "commands"] if m == Method::GET => {
            applications::list_guild(st, req)
        }
        ["applications", _, "guilds", _, "commands"] if m == Method::PUT => {
            applications::overwrite_guild(st, req)
        }
        ["applications", _, "guilds", _, "commands"] if m == Method::POST => {
            applications::upsert_guild(st, req)
        }
        _ => unknown(req),
    }
}

fn unknown(req: &Req) -> Reply {
    tracing::warn!(
        method = %req.method,
        path = %req.path,
        "simulator: UNKNOWN ROUTE, answering 404 (add a handler if the bot needs it)"
    );
    Reply::not_found()
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = match self.body {
            Some(b) => {
                let mut r = Response::new(Body::from(b.to_string()));
                r.headers_mut().insert(
                    axum::http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                r
            }
            None => Response::new(Body::empty()),
        };
        *resp.status_mut() = status;
        for (k, v) in self.headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                resp.headers_mut().insert(k, v);
            }
        }
        resp
    }
}

/// Decodes `a=1&b=x%20y` (values percent-decoded, `+` as space).
pub fn form_pairs(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i] {
            b'%' if i + 2 < bytes.len() => hex(bytes[i + 1]).zip(hex(bytes[i + 2])),
            _ => None,
        };
        match (decoded, bytes[i]) {
            (Some((hi, lo)), _) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
