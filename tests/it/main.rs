//! frontdesk's integration tests, in one binary so `cargo test` compiles and links the
//! dependency graph (serenity, sled, the simulator) once instead of once per file.
//! Run a topic with its module path, e.g. `cargo test --test it faults::`.

mod support;

mod bad_input;
mod bursts;
mod cli;
mod commands;
mod dashboard;
mod digest;
mod e2e;
mod faults;
mod notifications;
mod production_path;
mod recovery;
mod responses;
mod security;
mod sim_protocol;
mod state_machine;
mod store;
