//! frontdesk's integration tests, in one binary so `cargo test` compiles and links the
//! dependency graph (serenity, sled, the simulator) once instead of once per file.
//! Run a topic with its module path, e.g. `cargo test --test it faults::`.

mod support;

mod bad_input;
mod blocking;
mod bursts;
mod claims;
mod cli;
mod commands;
mod dashboard;
mod digest;
mod doctor;
mod e2e;
mod escalation;
mod escaping;
mod faults;
mod forget;
mod global_limit;
mod notes;
mod notifications;
mod paced;
mod production_path;
mod promises;
mod ratings;
mod recovery;
mod regulars;
mod responses;
mod restarts;
mod saved_replies;
mod security;
mod setup;
mod sim_protocol;
mod state_machine;
mod store;
