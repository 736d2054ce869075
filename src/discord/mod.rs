//! The Discord edge: serenity's gateway client in, frontdesk's paced REST transport out.
//!
//! Only this module (and the simulator) imports serenity, and it never touches the store:
//! everything it reads or writes goes through the desk. Gateway events become desk calls in
//! `handler`; missed ones are found in the history by `catchup`; every outbound message body
//! is built in `outbound`; the outbox is delivered by `delivery` over `rest`. The composition
//! root that starts all this, and the background loops, is `crate::app`.

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
pub mod rest;

pub use bot::Bot;
pub use catchup::Report as CatchUpReport;
pub use delivery::Delivery;
pub use gateway::{CatchUpHandle, Gateway, GatewayError};
pub use members::RestMembers;
pub use rest::RetryPolicy;
