//! The Discord edge: serenity's gateway client in, frontdesk's typed REST client (`api`, over
//! the paced transport `rest`) for every request it makes itself.
//!
//! Only this module (and the simulator) imports serenity, and it never touches the store:
//! everything it reads or writes goes through the desk. Gateway events become desk calls in
//! `handler`; missed ones are found in the history by `catchup`; every outbound message body
//! is built in `outbound`; the outbox is delivered by `delivery` through `api`. The
//! composition root that starts all this, and the background loops, is `crate::app`.

pub mod api;
mod bot;
mod catchup;
mod commands;
mod delivery;
mod gateway;
mod handler;
pub mod inspect;
mod members;
pub mod notice;
pub mod outbound;
pub mod pace;
mod places;
mod rest;
mod route;

pub use bot::Bot;
pub use catchup::Report as CatchUpReport;
pub use delivery::Delivery;
pub use gateway::{CatchUpHandle, Gateway, GatewayError};
pub use members::ApiMembers;
pub use rest::{http_client, RetryPolicy, DISCORD_API};
