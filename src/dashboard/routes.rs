//! The dashboard's HTTP routes. Every page but the sign-in ones needs a live session of a
//! person still on the staff (401 without one, 403 once they are not staff), and every action
//! a CSRF token tied to the session. No route reads a customer's data before that check.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::Timestamp;
use serde::Deserialize;

use super::links::LinkError;
use super::pages::{self, Tab};
use super::sessions::{self, Session, Sessions};
use super::Dashboard;
use crate::core::{Command, State as ConvState};
use crate::duration::parse_duration;
use crate::export::{self, Format};
use crate::model::MessageId;

/// How many conversations a search lists.
const SEARCH_LIMIT: usize = 50;

struct Web {
    d: Dashboard,
    sessions: Sessions,
}

type Shared = Arc<Web>;

pub fn router(d: Dashboard) -> Router {
    let web = Arc::new(Web {
        d,
        sessions: Sessions::default(),
    });
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/queue", get(queue))
        .route("/conversations/:id", get(conversation))
        .route("/conversations/:id/:action", post(action))
        .route("/search", get(search))
        .route("/stats", get(stats))
        .route("/export", get(export_page))
        .route("/export.csv", get(|s, h| export_file(s, h, Format::Csv)))
        .route(
            "/export.jsonl",
            get(|s, h| export_file(s, h, Format::Jsonl)),
        )
        .fallback(not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(web)
}

/// No caching of customer data, no framing, no scripts, no referrer (a login link's token
/// must not leak to the sites the page links to).
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set("cache-control", "no-store");
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    set("x-frame-options", "DENY");
    set(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    response
}

fn html(status: StatusCode, markup: maud::Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

impl Web {
    fn now(&self) -> Timestamp {
        self.d.clock.now()
    }

    fn message(&self, status: StatusCode, title: &str, text: &str) -> Response {
        html(status, pages::message(&self.d.business_name, title, text))
    }

    fn unauthorized(&self) -> Response {
        self.message(
            StatusCode::UNAUTHORIZED,
            "Please sign in",
            "Type /dashboard in Discord (staff only) for a sign-in link, or run `frontdesk dashboard-link` on the machine that runs the bot.",
        )
    }

    fn forbidden(&self) -> Response {
        self.message(
            StatusCode::FORBIDDEN,
            "Not for you",
            "This page is for the shop's staff, and Discord says you are not on the staff. Ask the owner if that is a mistake.",
        )
    }

    fn failed(&self) -> Response {
        let health = self.d.desk.health();
        if let crate::desk::Health::Failing { .. } = health {
            let body = pages::health_banner(&health);
            let page = pages::layout(
                &self.d.business_name,
                "Something went wrong",
                Tab::None,
                None,
                body,
            );
            return html(StatusCode::SERVICE_UNAVAILABLE, page);
        }
        self.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Something went wrong on our side; the bot's log says what. Please try again.",
        )
    }

    /// The caller's session, if it is live and its owner still on the staff.
    async fn signed_in(&self, headers: &HeaderMap) -> Result<(String, Session), Response> {
        let now = self.now();
        let sid = headers
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(sessions::cookie_value)
            .map(str::to_string);
        let Some((sid, session)) =
            sid.and_then(|sid| self.sessions.get(&sid, now).map(|s| (sid, s)))
        else {
            return Err(self.unauthorized());
        };
        if now.duration_since(session.checked_at) >= self.d.recheck_every {
            let staff = self.d.desk.staff();
            match sessions::is_staff(staff, &*self.d.members, session.user, session.guild).await {
                Ok(true) => self.sessions.mark_checked(&sid, now),
                Ok(false) => {
                    tracing::info!(user = %session.user, "dashboard session ended: no longer staff");
                    self.sessions.remove(&sid);
                    return Err(self.forbidden());
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot check a dashboard user's staff role");
                    return Err(self.message(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Cannot check your role",
                        "Discord did not answer whether you are still on the staff. Please try again in a minute.",
                    ));
                }
            }
        }
        Ok((sid, session))
    }

    /// Whether the session cookie is `Secure` (see [`sessions::secure`]).
    fn secure(&self, headers: &HeaderMap) -> bool {
        sessions::secure(self.d.public_https, headers)
    }

    fn page(&self, title: &str, tab: Tab, sid: &str, body: maud::Markup) -> Response {
        let csrf = self.d.key.csrf_token(sid);
        let body = maud::html! { (pages::health_banner(&self.d.desk.health())) (body) };
        html(
            StatusCode::OK,
            pages::layout(&self.d.business_name, title, tab, Some(&csrf), body),
        )
    }

    /// Runs blocking desk work off the async workers.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&crate::desk::Desk) -> Result<T, crate::desk::DeskError> + Send + 'static,
    ) -> Result<T, Response> {
        let desk = self.d.desk.clone();
        match tokio::task::spawn_blocking(move || work(&desk)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "dashboard read failed");
                Err(self.failed())
            }
            Err(e) => {
                tracing::error!(error = %e, "dashboard task failed");
                Err(self.failed())
            }
        }
    }
}

#[derive(Deserialize)]
struct LinkForm {
    t: Option<String>,
}

async fn login_page(State(web): State<Shared>, Query(q): Query<LinkForm>) -> Response {
    let token = q.t.unwrap_or_default();
    match web.d.key.verify(&token, web.now()) {
        Ok(_) => html(StatusCode::OK, pages::login(&web.d.business_name, &token)),
        Err(e) => web.message(StatusCode::UNAUTHORIZED, "Cannot sign in", &e.to_string()),
    }
}

async fn login(
    State(web): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Response {
    let now = web.now();
    let refuse =
        |e: LinkError| web.message(StatusCode::UNAUTHORIZED, "Cannot sign in", &e.to_string());
    let login = match web.d.key.verify(form.t.as_deref().unwrap_or(""), now) {
        Ok(l) => l,
        Err(e) => return refuse(e),
    };
    let (nonce, expires) = (login.nonce, login.expires);
    let first = match web
        .blocking(move |desk| desk.use_login(&nonce, expires, now))
        .await
    {
        Ok(first) => first,
        Err(r) => return r,
    };
    if !first {
        return refuse(LinkError::Used);
    }
    match sessions::is_staff(web.d.desk.staff(), &*web.d.members, login.user, login.guild).await {
        Ok(true) => {}
        Ok(false) => return web.forbidden(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot check a dashboard user's staff role");
            return web.message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Cannot check your role",
                "Discord did not answer whether you are on the staff. Type /dashboard again for a new link in a minute.",
            );
        }
    }
    let sid = match web.d.key.random_id() {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "no session id");
            return web.failed();
        }
    };
    web.sessions.insert(
        sid.clone(),
        Session {
            user: login.user,
            guild: login.guild,
            expires: now
                .saturating_add(sessions::SESSION_LIFETIME)
                .unwrap_or(now),
            checked_at: now,
        },
    );
    tracing::info!(user = %login.user, "signed in to the dashboard");
    let mut response = Redirect::to("/queue").into_response();
    if let Ok(v) = HeaderValue::from_str(&sessions::set_cookie(&sid, web.secure(&headers))) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
struct ActionForm {
    csrf: Option<String>,
    duration: Option<String>,
}

impl Web {
    fn csrf_ok(&self, sid: &str, form: &ActionForm) -> bool {
        form.csrf
            .as_deref()
            .is_some_and(|t| self.d.key.csrf_ok(sid, t))
    }

    fn bad_csrf(&self) -> Response {
        self.message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form is not from your current session (or has no security token). Go back, reload the page and try again.",
        )
    }
}

async fn logout(
    State(web): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> Response {
    let (sid, _) = match web.signed_in(&headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !web.csrf_ok(&sid, &form) {
        return web.bad_csrf();
    }
    web.sessions.remove(&sid);
    let mut response = web.message(StatusCode::OK, "Signed out", "You are signed out.");
    if let Ok(v) = HeaderValue::from_str(&sessions::clear_cookie(web.secure(&headers))) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn queue(State(web): State<Shared>, headers: HeaderMap) -> Response {
    let (sid, _) = match web.signed_in(&headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let waiting = match web.blocking(|desk| desk.waiting_conversations()).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let body = pages::queue(&pages::QueueView {
        waiting: &waiting,
        hours: &web.d.desk.policy().hours,
        now: web.now(),
    });
    web.page("Queue", Tab::Queue, &sid, body)
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

fn conversation_id(text: &str) -> Option<MessageId> {
    text.parse::<u64>().ok().map(MessageId)
}

async fn conversation(
    State(web): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let (sid, _) = match web.signed_in(&headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(id) = conversation_id(&id) else {
        return not_found_for(&web);
    };
    let found = web
        .blocking(move |desk| {
            let Some(conv) = desk.conversation(id)? else {
                return Ok(None);
            };
            let messages = desk.transcript(&conv)?;
            Ok(Some((conv, messages)))
        })
        .await;
    let (conv, messages) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return not_found_for(&web),
        Err(r) => return r,
    };
    let csrf = web.d.key.csrf_token(&sid);
    let done = match done.done.as_deref() {
        Some("resolve") => Some("Resolved."),
        Some("reopen") => Some("Reopened: it waits for a reply again and the owners are told."),
        Some("snooze") => Some("Snoozed: reminders pause."),
        _ => None,
    };
    let body = pages::conversation(&pages::ConversationView {
        conversation: &conv,
        messages: &messages,
        hours: &web.d.desk.policy().hours,
        now: web.now(),
        csrf: &csrf,
        done,
    });
    web.page(&conv.customer_name, Tab::None, &sid, body)
}

async fn action(
    State(web): State<Shared>,
    headers: HeaderMap,
    Path((id, name)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    let (sid, session) = match web.signed_in(&headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !web.csrf_ok(&sid, &form) {
        return web.bad_csrf();
    }
    let Some(id) = conversation_id(&id) else {
        return not_found_for(&web);
    };
    let now = web.now();
    let by = session.user;
    let cmd = match name.as_str() {
        "resolve" => Command::Resolve { by },
        "reopen" => Command::Reopen { by },
        "snooze" => {
            let text = form.duration.as_deref().unwrap_or("1h");
            match parse_duration(text) {
                Ok(d) if d.is_positive() => Command::Snooze {
                    by,
                    until: now.saturating_add(d).unwrap_or(now),
                },
                _ => {
                    return web.message(
                        StatusCode::BAD_REQUEST,
                        "Cannot snooze",
                        "Choose how long to snooze for, e.g. 1h or 1d.",
                    )
                }
            }
        }
        _ => return not_found_for(&web),
    };
    // The same desk command as the slash commands and the notice buttons.
    let done = web.blocking(move |desk| desk.command(id, cmd, now)).await;
    match done {
        Ok(Some((_, deliver))) => {
            (web.d.deliver)(deliver).await;
            tracing::info!(conversation = %id, action = %name, user = %by, "dashboard action");
            Redirect::to(&format!("/conversations/{id}?done={name}")).into_response()
        }
        Ok(None) => not_found_for(&web),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    state: Option<String>,
}

async fn search(
    State(web): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Response {
    let (sid, _) = match web.signed_in(&headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let query = q.q.unwrap_or_default();
    let resolved_only = q.state.as_deref() == Some("resolved");
    let asked = !query.trim().is_empty() || resolved_only;
    let results = if asked {
        let needle = query.clone();
        let state = resolved_only.then_some(ConvState::Resolved);
        match web
            .blocking(move |desk| desk.search(&needle, state, SEARCH_LIMIT))
            .await
        {
            Ok(r) => r,
            Err(r) => return r,
        }
    } else {
        Vec::new()
    };
    let body = pages::search(&pages::SearchView {
        query: &query,
        resolved_only,
        results: &results,
        limit: SEARCH_LIMIT,
        hours: &web.d.desk.policy().hours,
    });
    web.page("Search", Tab::Search, &sid, body)
}

async fn stats(State(web): State<Shared>, headers: HeaderMap) -> Response {
    let (sid, _) = match web.signed_in(&headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = web.now();
    let body = match web
        .blocking(move |desk| Ok(super::stats::page(desk, now)))
        .await
    {
        Ok(b) => b,
        Err(r) => return r,
    };
    web.page("Stats", Tab::Stats, &sid, body)
}

async fn export_page(State(web): State<Shared>, headers: HeaderMap) -> Response {
    let (sid, _) = match web.signed_in(&headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    web.page("Export", Tab::Export, &sid, pages::export())
}

async fn export_file(State(web): State<Shared>, headers: HeaderMap, format: Format) -> Response {
    if let Err(r) = web.signed_in(&headers).await {
        return r;
    }
    // Streamed in chunks as the export writes them: 100,000 conversations with their
    // messages are about 100 MB of JSON lines, which must not sit in the bot's memory.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let desk = web.d.desk.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = Chunks {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let written = export::export(&desk.records(), format, &mut out)
            .map_err(|e| e.to_string())
            .and_then(|_| std::io::Write::flush(&mut out).map_err(|e| e.to_string()));
        match written {
            Ok(()) => {}
            Err(_) if tx.is_closed() => tracing::info!("a dashboard export was cancelled"),
            Err(e) => {
                // The browser sees a cut-off download rather than a complete-looking file.
                tracing::error!(error = %e, "dashboard export failed");
                let _ = tx.blocking_send(Err(std::io::Error::other(e)));
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let (kind, name) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "frontdesk-conversations.csv"),
        Format::Jsonl => (
            "application/jsonl; charset=utf-8",
            "frontdesk-conversations.jsonl",
        ),
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

/// How much of an export is sent at a time.
const CHUNK: usize = 64 * 1024;

/// A writer that hands full chunks to the response body; fails once the browser is gone.
struct Chunks {
    tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl std::io::Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the download was cancelled")
        })
    }
}

fn not_found_for(web: &Web) -> Response {
    web.message(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no such page or conversation.",
    )
}

async fn not_found(State(web): State<Shared>) -> Response {
    not_found_for(&web)
}
