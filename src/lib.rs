//! frontdesk: acknowledges every customer at once and keeps reminding the owner until they reply.
#![forbid(unsafe_code)]

pub mod app;
pub mod check;
pub mod clock;
pub mod config;
pub mod core;
pub mod dashboard;
pub mod demo;
pub mod desk;
pub mod discord;
pub mod doctor;
pub mod duration;
pub mod export;
pub mod hours;
pub mod markdown;
pub mod model;
pub mod names;
pub mod process;
pub mod responses;
pub mod setup;
pub mod stats;
pub mod store;
mod sync;
pub mod when;

/// What `frontdesk run` logs unless `RUST_LOG` says otherwise (the e2e bench logs the same
/// with `E2E_LOG=1`).
pub const LOG_FILTER: &str = "info,serenity=warn,sled=warn,tungstenite=warn";
