//! The dashboard's HTTP routes. Every page but the sign-in ones takes a [`StaffSession`]
//! (see `access`: 401 without a live session, 403 once its person is not staff), and every
//! action a CSRF token tied to the session. No route reaches a customer's data without one.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::access::{html, Shared, StaffSession, Web};
use super::links::LinkError;
use super::pages::{self, Tab};
use super::sessions::{self, Session};
use super::Dashboard;
use super::{conversation, customer};
use crate::core::{notes, replies, Command, Note};
use crate::duration::parse_duration;
use crate::export::{self, Format};
use crate::model::MessageId;

/// How many conversations a search lists.
const SEARCH_LIMIT: usize = 50;

pub fn router(d: Dashboard) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/queue", get(queue))
        .route("/conversations/:id", get(conversation))
        .route("/conversations/:id/:action", post(action))
        .route("/customers/:id", get(customer_page))
        .route("/search", get(search))
        .route("/stats", get(stats))
        .route("/export", get(export_page))
        .route("/export.csv", get(|s| export_file(s, Format::Csv)))
        .route("/export.jsonl", get(|s| export_file(s, Format::Jsonl)))
        .fallback(not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(Web::new(d))
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

#[derive(Deserialize)]
struct LinkForm {
    t: Option<String>,
}

async fn login_page(State(web): State<Shared>, Query(q): Query<LinkForm>) -> Response {
    let token = q.t.unwrap_or_default();
    match web.key().verify(&token, web.now()) {
        Ok(_) => html(StatusCode::OK, pages::login(web.business_name(), &token)),
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
    let login = match web.key().verify(form.t.as_deref().unwrap_or(""), now) {
        Ok(l) => l,
        Err(e) => return refuse(e),
    };
    let first = match web.use_login(login.nonce, login.expires, now).await {
        Ok(first) => first,
        Err(r) => return r,
    };
    if !first {
        return refuse(LinkError::Used);
    }
    match web.is_staff(login.user, login.guild).await {
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
    let sid = match web.key().random_id() {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "no session id");
            return web.failed();
        }
    };
    web.sessions().insert(
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
    /// A note's text.
    text: Option<String>,
}

fn bad_csrf(web: &Web) -> Response {
    web.message(
        StatusCode::FORBIDDEN,
        "Form expired",
        "This form is not from your current session (or has no security token). Go back, reload the page and try again.",
    )
}

async fn logout(
    State(web): State<Shared>,
    staff: StaffSession,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> Response {
    if !staff.csrf_ok(form.csrf.as_deref()) {
        return bad_csrf(&web);
    }
    staff.sign_out();
    let mut response = web.message(StatusCode::OK, "Signed out", "You are signed out.");
    if let Ok(v) = HeaderValue::from_str(&sessions::clear_cookie(web.secure(&headers))) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
struct QueueQuery {
    mine: Option<String>,
}

async fn queue(
    State(web): State<Shared>,
    staff: StaffSession,
    Query(q): Query<QueueQuery>,
) -> Response {
    let mine = q.mine.as_deref() == Some("1");
    let lists = staff
        .desk(|desk| {
            Ok((
                desk.waiting_conversations()?,
                desk.promised_conversations()?,
            ))
        })
        .await;
    let (mut waiting, mut promised) = match lists {
        Ok(lists) => lists,
        Err(r) => return r,
    };
    if mine {
        let me = staff.user();
        let theirs =
            |c: &crate::core::Conversation| c.assignee.as_ref().is_some_and(|a| a.user == me);
        waiting.retain(theirs);
        promised.retain(theirs);
    }
    let body = pages::queue(&pages::QueueView {
        waiting: &waiting,
        names: web.names(),
        promised: &promised,
        hours: web.hours(),
        now: web.now(),
        mine,
    });
    staff.page("Queue", Tab::Queue, body)
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
    /// A saved reply to start the reply box from.
    saved: Option<String>,
}

fn conversation_id(text: &str) -> Option<MessageId> {
    text.parse::<u64>().ok().map(MessageId)
}

async fn conversation(
    State(web): State<Shared>,
    staff: StaffSession,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let Some(id) = conversation_id(&id) else {
        return not_found_for(&web);
    };
    // Asked of Discord only to fill in a saved reply: a plain page view costs no request.
    let name = match &done.saved {
        Some(_) => Some(staff.name().await),
        None => None,
    };
    let policy_now = web.now();
    let picked = done.saved.clone();
    let sender = name.clone().unwrap_or_default();
    let found = staff
        .desk(move |desk| {
            let Some(conv) = desk.conversation(id)? else {
                return Ok(None);
            };
            let messages = desk.transcript(&conv)?;
            let saved = desk.saved_replies();
            let names: Vec<String> = saved.names().into_iter().map(str::to_string).collect();
            let draft = picked
                .and_then(|n| saved.find(&n).cloned())
                .map(|s| replies::saved_text(&conv, &s, &sender, desk.policy(), policy_now))
                .unwrap_or_default();
            Ok(Some((conv, messages, names, draft)))
        })
        .await;
    let (conv, messages, saved, draft) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return not_found_for(&web),
        Err(r) => return r,
    };
    let csrf = staff.csrf_token();
    let holder = conv.assignee.as_ref().map(|a| (a.user, a.name.clone()));
    let claimed = match holder {
        Some((user, _)) if user == staff.user() => {
            "It's yours: its reminders come to you.".to_string()
        }
        Some((_, name)) => format!("{name} has it already."),
        None => "Nobody has it.".to_string(),
    };
    let done = match done.done.as_deref() {
        Some("claim") => Some(claimed.as_str()),
        Some("unclaim") => Some("Nobody has it now: its reminders go to every owner again."),
        Some("resolve") => Some("Resolved."),
        Some("reopen") => Some("Reopened: it waits for a reply again and the owners are told."),
        Some("snooze") => Some("Snoozed: reminders pause."),
        Some("note") => Some("Note added. Only the team sees it."),
        Some("reply") => Some("Reply sent: it goes out once, signed with your name."),
        _ => None,
    };
    let body = conversation::page(&conversation::ConversationView {
        conversation: &conv,
        messages: &messages,
        hours: web.hours(),
        now: web.now(),
        csrf: &csrf,
        done,
        saved: &saved,
        draft: &draft,
        signature: &format!(
            "— {}, {}",
            name.as_deref().unwrap_or("your name"),
            web.business_name()
        ),
        names: web.names(),
    });
    staff.page(&conv.customer_name, Tab::None, body)
}

async fn action(
    State(web): State<Shared>,
    staff: StaffSession,
    Path((id, name)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if !staff.csrf_ok(form.csrf.as_deref()) {
        return bad_csrf(&web);
    }
    let Some(id) = conversation_id(&id) else {
        return not_found_for(&web);
    };
    let now = web.now();
    let by = staff.user();
    if name == "note" {
        return note(&web, &staff, id, form.text.unwrap_or_default()).await;
    }
    if name == "reply" {
        return reply(&web, &staff, id, form.text.unwrap_or_default()).await;
    }
    let cmd = match name.as_str() {
        "resolve" => Command::Resolve { by },
        "reopen" => Command::Reopen { by },
        "claim" => Command::Claim {
            by,
            name: staff.name().await,
        },
        "unclaim" => Command::Unclaim { by },
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
    let done = staff.desk(move |desk| desk.command(id, cmd, now)).await;
    match done {
        Ok(Some((_, deliver))) => {
            (staff.deliver())(deliver).await;
            tracing::info!(conversation = %id, action = %name, user = %by, "dashboard action");
            Redirect::to(&format!("/conversations/{id}?done={name}")).into_response()
        }
        Ok(None) => not_found_for(&web),
        Err(r) => r,
    }
}

/// Adds an internal note, written on the conversation page, as the signed-in staff member.
async fn note(web: &Web, staff: &StaffSession, id: MessageId, text: String) -> Response {
    if let Some(why) = notes::refused("note", &text) {
        return web.message(StatusCode::BAD_REQUEST, "Note not added", &why);
    }
    let now = web.now();
    let note = Note {
        id: notes::new_id(now),
        by: staff.user(),
        name: staff.name().await,
        text,
    };
    match staff.desk(move |desk| desk.note(id, note, now)).await {
        Ok(Some((_, deliver))) => {
            (staff.deliver())(deliver).await;
            tracing::info!(conversation = %id, user = %staff.user(), "dashboard note");
            Redirect::to(&format!("/conversations/{id}?done=note")).into_response()
        }
        Ok(None) => not_found_for(web),
        Err(r) => r,
    }
}

async fn customer_page(
    State(web): State<Shared>,
    staff: StaffSession,
    Path(id): Path<String>,
) -> Response {
    let Ok(customer) = id.parse::<u64>().map(crate::model::UserId) else {
        return not_found_for(&web);
    };
    let file = match staff.desk(move |desk| desk.customer_file(customer)).await {
        Ok(Some(file)) => file,
        Ok(None) => return not_found_for(&web),
        Err(r) => return r,
    };
    let name = file
        .conversations
        .first()
        .map(|c| c.customer_name.clone())
        .unwrap_or_default();
    let body = customer::page(&customer::CustomerView {
        file: &file,
        hours: web.hours(),
    });
    staff.page(&name, Tab::None, body)
}

/// Sends a reply written on the conversation page as the signed-in staff member, through
/// the outbox like every other post.
async fn reply(web: &Web, staff: &StaffSession, id: MessageId, text: String) -> Response {
    let name = staff.name().await;
    let business = web.business_name().to_string();
    let (now, by) = (web.now(), staff.user());
    let done = staff
        .desk(move |desk| {
            let Some(conv) = desk.conversation(id)? else {
                return Ok(Sent::Gone);
            };
            if conv.blocked {
                return Ok(Sent::Refused(format!(
                    "{} is blocked: nothing was sent.",
                    conv.customer_name
                )));
            }
            if let Some(why) = replies::refused(&conv, &name, &business, &text) {
                return Ok(Sent::Refused(why));
            }
            Ok(match desk.reply(id, by, &name, &text, now)? {
                Some((_, deliver)) => Sent::Done(deliver),
                None => Sent::Gone,
            })
        })
        .await;
    match done {
        Ok(Sent::Done(deliver)) => {
            (staff.deliver())(deliver).await;
            tracing::info!(conversation = %id, user = %by, "dashboard reply");
            Redirect::to(&format!("/conversations/{id}?done=reply")).into_response()
        }
        Ok(Sent::Refused(why)) => web.message(StatusCode::BAD_REQUEST, "Reply not sent", &why),
        Ok(Sent::Gone) => not_found_for(web),
        Err(r) => r,
    }
}

/// How a reply from the web page went.
enum Sent {
    Done(Vec<crate::desk::Pending>),
    Refused(String),
    Gone,
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    state: Option<String>,
    /// A later page: conversations opened before this one.
    before: Option<String>,
}

async fn search(
    State(web): State<Shared>,
    staff: StaffSession,
    Query(q): Query<SearchQuery>,
) -> Response {
    let query = q.q.unwrap_or_default();
    let resolved_only = q.state.as_deref() == Some("resolved");
    let before = q.before.as_deref().and_then(conversation_id);
    let needle = query.clone();
    let page = staff
        .desk(move |desk| {
            if needle.trim().is_empty() {
                if resolved_only {
                    return desk.resolved_page(before, SEARCH_LIMIT);
                }
                return Ok(crate::desk::SearchPage::default());
            }
            desk.search(&needle, resolved_only, before, SEARCH_LIMIT)
        })
        .await;
    let page = match page {
        Ok(p) => p,
        Err(r) => return r,
    };
    let body = pages::search(&pages::SearchView {
        query: &query,
        resolved_only,
        page: &page,
        later: before.is_some(),
        hours: web.hours(),
    });
    staff.page("Search", Tab::Search, body)
}

async fn stats(State(web): State<Shared>, staff: StaffSession) -> Response {
    let now = web.now();
    let body = match staff
        .desk(move |desk| Ok(super::stats::page(desk, now)))
        .await
    {
        Ok(b) => b,
        Err(r) => return r,
    };
    staff.page("Stats", Tab::Stats, body)
}

async fn export_page(staff: StaffSession) -> Response {
    staff.page("Export", Tab::Export, pages::export())
}

async fn export_file(staff: StaffSession, format: Format) -> Response {
    // Streamed in chunks as the export writes them: 100,000 conversations with their
    // messages are about 100 MB of JSON lines, which must not sit in the bot's memory.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let records = staff.records();
    tokio::task::spawn_blocking(move || {
        let mut out = Chunks {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let written = export::export(&records, format, &mut out)
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
