//! The web dashboard: the queue, transcripts with resolve / reopen / snooze, search, charts
//! and exports, served by the bot itself when `[dashboard] listen` is set.
//!
//! An edge, like `discord/`: it reads and changes conversations only through the desk (its
//! actions are the desk's staff commands) and hands the resulting outbox entries to the
//! delivery it is given. `links` signs the one-time login links, `sessions` keeps signed-in
//! browsers and rechecks their staff role, `access` lets a route reach the desk only with a
//! signed-in staff session, `routes` answers HTTP, `pages` renders HTML.

mod access;
mod conversation;
mod customer;
pub mod links;
mod pages;
#[cfg(test)]
mod pages_tests;
mod routes;
pub mod server;
pub mod sessions;
mod stats;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use jiff::SignedDuration;

use crate::clock::Clock;
use crate::desk::{Desk, Pending};
pub use links::{login_url, KeyError, LoginKey};
pub use server::Limits;
pub use sessions::{Members, NameFuture, RolesFuture};

/// Hands outbox entries an action produced to the Discord delivery.
pub type Deliver =
    Arc<dyn Fn(Vec<Pending>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Everything the dashboard needs.
pub struct Dashboard {
    pub desk: Arc<Desk>,
    pub key: Arc<LoginKey>,
    pub members: Arc<dyn Members>,
    /// The server's channel names, as the gateway told them.
    pub names: Arc<crate::names::ChannelNames>,
    pub deliver: Deliver,
    pub clock: Arc<dyn Clock>,
    pub business_name: String,
    /// `public_url` is `https://`: the session cookie is always `Secure`.
    pub public_https: bool,
    /// How often a signed-in person's staff role is checked again with Discord.
    pub recheck_every: SignedDuration,
}

/// The default for [`Dashboard::recheck_every`]: someone removed from the staff loses access
/// within this long.
pub const RECHECK_EVERY: SignedDuration = SignedDuration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error("cannot listen on {addr} for the dashboard: {reason}\n  fix: choose a free port in [dashboard] listen, or stop what uses it")]
    Bind { addr: SocketAddr, reason: String },
}

/// Binds the dashboard's address. A non-loopback address is allowed, with a warning: the
/// session cookie and the login links must travel over TLS, which the bot does not do itself.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, DashboardError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| DashboardError::Bind {
            addr,
            reason: e.to_string(),
        })?;
    if !addr.ip().is_loopback() {
        tracing::warn!(
            %addr,
            "the dashboard listens beyond this machine over plain HTTP: put a TLS reverse proxy in front (e.g. Caddy: `reverse_proxy 127.0.0.1:{}`, or nginx with `proxy_set_header X-Forwarded-Proto $scheme`), set [dashboard] public_url to its https:// address, and firewall the port",
            addr.port()
        );
    }
    Ok(listener)
}

/// Serves the dashboard on `listener` until `shutdown` completes, within `limits` (see
/// `server`).
pub async fn serve(
    dashboard: Dashboard,
    listener: tokio::net::TcpListener,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    server::serve(routes::router(dashboard), listener, limits, shutdown).await;
}
