//! The typed Discord client: one method per operation frontdesk uses, each naming its route
//! once, answering with serenity's model types. Every request frontdesk makes itself goes
//! through here, over the paced transport (`rest`), so each takes its slot of the bot's
//! global budget. Only two kinds leave through serenity's client instead: its `GET /gateway`
//! while it is built (which holds a slot meanwhile, in `gateway`), and interaction answers
//! (exempt from the global limit, so they take none).
//!
//! By resource: `users` (the bot, its servers, DM channels), `applications` (the
//! application, its slash commands), `guilds` (a server, its channels, roles, members and
//! active threads), `channels` (a channel, its history, posts and threads).

mod applications;
mod channels;
mod guilds;
mod users;

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use channels::Page;

use super::pace::{Pacer, Priority};
use super::rest::{FilePart, Rest, RestError, RetryPolicy};
use super::route::Route;
use crate::config::Secret;

/// A request that did not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Rest(#[from] RestError),
    /// Discord accepted the request, but its answer is not what Discord's description says.
    #[error("{route}: unexpected answer: {reason}")]
    Decode { route: String, reason: String },
    /// A request body that cannot be written as JSON.
    #[error("{route}: cannot write the request: {reason}")]
    Encode { route: String, reason: String },
}

impl ApiError {
    /// Discord's JSON error code, when Discord refused.
    pub fn code(&self) -> Option<u64> {
        match self {
            ApiError::Rest(e) => e.code(),
            ApiError::Decode { .. } | ApiError::Encode { .. } => None,
        }
    }

    /// The HTTP status, when Discord refused.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Rest(RestError::Refused { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// Whether sending the same request again cannot help: Discord refused it, or accepted
    /// it and answered in a shape that will not change, or it cannot be written.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ApiError::Rest(RestError::Refused { .. })
                | ApiError::Decode { .. }
                | ApiError::Encode { .. }
        )
    }
}

/// The client, cheap to clone: every clone shares one transport, so one set of rate-limit
/// windows and one global budget.
#[derive(Clone)]
pub struct Api {
    rest: Arc<Rest>,
}

impl Api {
    /// A client of `base` (e.g. [`super::rest::DISCORD_API`]) over `http`, each request
    /// taking a slot of `budget` first.
    pub fn new(
        http: reqwest::Client,
        base: &str,
        token: &Secret,
        policy: RetryPolicy,
        budget: Pacer,
    ) -> Api {
        Api {
            rest: Arc::new(Rest::new(http, base, token, policy, budget)),
        }
    }

    /// The global budget, for the one request that leaves through serenity's client.
    pub fn pacer(&self) -> &Pacer {
        self.rest.pacer()
    }

    /// Sends `route` and reads its answer as `T`.
    async fn fetch<T: DeserializeOwned>(
        &self,
        priority: Priority,
        route: &Route,
        body: Option<&Value>,
    ) -> Result<T, ApiError> {
        let answer = self.rest.call(priority, route, body).await?;
        decode(route, answer)
    }

    /// [`Api::fetch`] with files (`multipart/form-data`).
    async fn fetch_with_files<T: DeserializeOwned>(
        &self,
        priority: Priority,
        route: &Route,
        body: Option<&Value>,
        files: &[FilePart],
    ) -> Result<T, ApiError> {
        let answer = self
            .rest
            .call_with_files(priority, route, body, files)
            .await?;
        decode(route, answer)
    }

    /// Sends `route` and ignores its answer (`204 No Content`, or one frontdesk does not read).
    async fn send(
        &self,
        priority: Priority,
        route: &Route,
        body: Option<&Value>,
    ) -> Result<(), ApiError> {
        self.rest.call(priority, route, body).await?;
        Ok(())
    }
}

fn decode<T: DeserializeOwned>(route: &Route, answer: Value) -> Result<T, ApiError> {
    serde_json::from_value(answer).map_err(|e| ApiError::Decode {
        route: route.to_string(),
        reason: e.to_string(),
    })
}

/// `Ok(None)` when Discord answers one of the `absent` statuses: what was asked for does not
/// exist (a 404), or not for this bot.
fn absent_as_none<T>(r: Result<T, ApiError>, absent: &[u16]) -> Result<Option<T>, ApiError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.status().is_some_and(|s| absent.contains(&s)) => Ok(None),
        Err(e) => Err(e),
    }
}
