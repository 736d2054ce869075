//! frontdesk: acknowledges every customer at once and keeps reminding the owner until they reply.
#![forbid(unsafe_code)]

pub mod check;
pub mod clock;
pub mod config;
pub mod core;
pub mod demo;
pub mod desk;
pub mod discord;
pub mod duration;
pub mod export;
pub mod hours;
pub mod model;
pub mod responses;
pub mod sim;
pub mod store;
