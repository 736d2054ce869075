//! `SimError`: everything that can go wrong starting or running the simulator.

use std::net::SocketAddr;

/// Errors of the simulator's own machinery (never Discord-style API errors: those are answers).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot bind the simulator to {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the bound address: {0}")]
    LocalAddr(#[source] std::io::Error),
    #[error("the simulator's HTTP server failed: {0}")]
    Serve(#[source] std::io::Error),
}
