//! Who reaches the desk from the web. [`Web`] is the dashboard's shared state; its desk is
//! private here, and the only way a route reads or changes conversations is through a
//! [`StaffSession`]: an axum extractor that stands for a live session (401 without one) of a
//! person still on the staff (403 once they are not, 503 when Discord cannot say). A handler
//! that shows a customer's data takes one as an argument, so none can forget the check.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use jiff::Timestamp;

use super::links::LoginKey;
use super::pages::{self, Tab};
use super::sessions::{self, Session, Sessions};
use super::{Dashboard, Deliver};
use crate::desk::{Desk, DeskError, Health, Records};
use crate::hours::BusinessHours;
use crate::model::{GuildId, UserId};

/// The dashboard's state, shared by every request.
pub struct Web {
    d: Dashboard,
    sessions: Sessions,
}

pub type Shared = Arc<Web>;

pub fn html(status: StatusCode, markup: maud::Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

impl Web {
    pub fn new(d: Dashboard) -> Shared {
        Arc::new(Web {
            d,
            sessions: Sessions::default(),
        })
    }

    pub fn now(&self) -> Timestamp {
        self.d.clock.now()
    }

    pub fn business_name(&self) -> &str {
        &self.d.business_name
    }

    pub fn key(&self) -> &LoginKey {
        &self.d.key
    }

    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The business hours, for the pages' "waiting 2 h (in open hours)".
    /// The server's channel names.
    pub fn names(&self) -> &crate::names::ChannelNames {
        &self.d.names
    }

    pub fn hours(&self) -> &BusinessHours {
        &self.d.desk.policy().hours
    }

    pub fn message(&self, status: StatusCode, title: &str, text: &str) -> Response {
        html(status, pages::message(&self.d.business_name, title, text))
    }

    fn unauthorized(&self) -> Response {
        self.message(
            StatusCode::UNAUTHORIZED,
            "Please sign in",
            "Type /dashboard in Discord (staff only) for a sign-in link, or run `frontdesk dashboard-link` on the machine that runs the bot.",
        )
    }

    pub fn forbidden(&self) -> Response {
        self.message(
            StatusCode::FORBIDDEN,
            "Not for you",
            "This page is for the shop's staff, and Discord says you are not on the staff. Ask the owner if that is a mistake.",
        )
    }

    pub fn failed(&self) -> Response {
        let health = self.d.desk.health();
        if let Health::Failing { .. } = health {
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

    /// Whether the session cookie is `Secure` (see [`sessions::secure`]).
    pub fn secure(&self, headers: &HeaderMap) -> bool {
        sessions::secure(self.d.public_https, headers)
    }

    /// Whether `user` is on the staff now (asked of Discord for a staff role in `guild`).
    pub async fn is_staff(&self, user: UserId, guild: Option<GuildId>) -> Result<bool, String> {
        sessions::is_staff(self.d.desk.staff(), &*self.d.members, user, guild).await
    }

    /// Records a login link as used, before anyone is signed in; `false` if it already was.
    pub async fn use_login(
        &self,
        nonce: [u8; 16],
        expires: Timestamp,
        now: Timestamp,
    ) -> Result<bool, Response> {
        self.blocking(move |desk| desk.use_login(&nonce, expires, now))
            .await
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
            match self.is_staff(session.user, session.guild).await {
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

    /// Runs blocking desk work off the async workers.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Desk) -> Result<T, DeskError> + Send + 'static,
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

/// A signed-in person still on the staff: the proof a route needs to reach the desk.
pub struct StaffSession {
    web: Shared,
    sid: String,
    session: Session,
}

#[axum::async_trait]
impl FromRequestParts<Shared> for StaffSession {
    /// The 401, 403 or 503 page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Shared) -> Result<Self, Response> {
        let (sid, session) = web.signed_in(&parts.headers).await?;
        Ok(StaffSession {
            web: web.clone(),
            sid,
            session,
        })
    }
}

impl StaffSession {
    pub fn user(&self) -> UserId {
        self.session.user
    }

    /// The name the server shows for the signed-in person, which a customer is told when they
    /// take a conversation here. Without an answer from Discord, their mention: Discord shows
    /// it as their name (it pings nobody: only the customer may be pinged).
    pub async fn name(&self) -> String {
        let user = self.session.user;
        let asked = match self.session.guild {
            Some(guild) => self.web.d.members.name(guild, user).await,
            None => Ok(None),
        };
        match asked {
            Ok(Some(name)) => name,
            Ok(None) => format!("<@{user}>"),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a dashboard user's name");
                format!("<@{user}>")
            }
        }
    }

    /// Reads or changes conversations through the desk, off the async workers; a failure is
    /// the error page.
    pub async fn desk<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Desk) -> Result<T, DeskError> + Send + 'static,
    ) -> Result<T, Response> {
        self.web.blocking(work).await
    }

    /// The records, for a download streamed from a blocking task.
    pub fn records(&self) -> Records {
        self.web.d.desk.records()
    }

    /// Hands the outbox entries an action produced to the Discord delivery.
    pub fn deliver(&self) -> &Deliver {
        &self.web.d.deliver
    }

    /// This session's CSRF token, for the forms of a page.
    pub fn csrf_token(&self) -> String {
        self.web.d.key.csrf_token(&self.sid)
    }

    /// Whether a form's CSRF token is this session's.
    pub fn csrf_ok(&self, token: Option<&str>) -> bool {
        token.is_some_and(|t| self.web.d.key.csrf_ok(&self.sid, t))
    }

    pub fn sign_out(&self) {
        self.web.sessions.remove(&self.sid);
    }

    /// A page of the signed-in dashboard: the database's health on top, the session's CSRF
    /// token in its forms.
    pub fn page(&self, title: &str, tab: Tab, body: maud::Markup) -> Response {
        let csrf = self.csrf_token();
        let d = &self.web.d;
        let body = maud::html! { (pages::health_banner(&d.desk.health())) (body) };
        html(
            StatusCode::OK,
            pages::layout(&d.business_name, title, tab, Some(&csrf), body),
        )
    }
}
