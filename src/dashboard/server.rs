//! The dashboard's HTTP server: its own accept loop over hyper, so that no visitor can hold
//! what the bot needs. A connection must send its request headers within a deadline (which
//! also closes idle keep-alive connections), a request must be answered within another, only
//! so many connections are open at once (the others wait in the kernel's backlog, holding none
//! of the process's file descriptors), and a stop waits a short grace for requests in flight.
//!
//! Written here rather than through `axum::serve`, which has no header timeout, no idle
//! timeout and no cap, and whose graceful stop waits for every open connection: one client
//! that never finished its request held the bot's shutdown for good.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::response::IntoResponse as _;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

/// What one dashboard may hold and for how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once. A dashboard has a few staff at a time; a browser opens up
    /// to six connections to a host.
    pub max_connections: usize,
    /// A request's headers must arrive within this, counted from the connection's start or
    /// from the end of the previous response (so it also ends idle keep-alive connections).
    pub header_timeout: Duration,
    /// A request (its body included: a form) is answered within this, or with 503. A
    /// streamed export only has to start within it.
    pub request_timeout: Duration,
    /// At a stop, requests in flight get this long to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 64,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// The defaults, with at most an eighth of the process's open-file limit for connections:
    /// the rest stays for the database, Discord and the bot's own sockets.
    pub fn for_open_files(limit: u64) -> Limits {
        let share = usize::try_from(limit / 8).unwrap_or(usize::MAX).max(4);
        let defaults = Limits::default();
        Limits {
            max_connections: defaults.max_connections.min(share),
            ..defaults
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then gives requests in flight
/// [`Limits::shutdown_grace`] and closes what is left.
pub async fn serve(
    app: Router,
    listener: TcpListener,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let timeout = limits.request_timeout;
    let app = app.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| async move {
            match tokio::time::timeout(timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => {
                    tracing::warn!(
                        "a dashboard request took longer than {timeout:?}; answered 503"
                    );
                    axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                }
            }
        },
    ));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    let mut refused = Throttled::default();
    loop {
        // A slot first: at the cap, new connections wait in the backlog, not in our fds.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    refused.warn(&e);
                    if !is_connection_error(&e) {
                        // Out of descriptors (EMFILE) or memory: accepting again at once would
                        // spin; the bot's own work comes first.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Reap finished connections as we go, so the set does not grow.
        while connections.try_join_next().is_some() {}
        let service = TowerToHyperService::new(app.clone());
        let mut stop = stop_rx.clone();
        let header_timeout = limits.header_timeout;
        connections.spawn(async move {
            let _slot = slot;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "a dashboard connection ended with an error");
                    }
                    return;
                }
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
            // Idle connections close now; a response in flight may finish.
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_grace, drained)
        .await
        .is_err()
    {
        tracing::info!(
            left = connections.len(),
            "closing dashboard connections still open after the grace period"
        );
        connections.shutdown().await;
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Logs accept errors at most once a minute: under a flood each would be a line.
#[derive(Default)]
struct Throttled {
    last: Option<std::time::Instant>,
    skipped: u64,
}

impl Throttled {
    fn warn(&mut self, e: &std::io::Error) {
        let now = std::time::Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < Duration::from_secs(60))
        {
            self.skipped += 1;
            return;
        }
        tracing::warn!(error = %e, skipped = self.skipped, "the dashboard could not accept a connection");
        self.last = Some(now);
        self.skipped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_take_at_most_an_eighth_of_the_open_file_limit() {
        assert_eq!(Limits::for_open_files(1 << 20).max_connections, 64);
        assert_eq!(Limits::for_open_files(256).max_connections, 32);
        assert_eq!(Limits::for_open_files(16).max_connections, 4);
    }
}
