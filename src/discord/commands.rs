//! Slash commands: their definitions (registered at start) and their answers.
//! The answer texts are pure functions of stored state, tested without Discord.

use jiff::Timestamp;
use serenity::all as dc;

use crate::core::{Conversation, State};
use crate::duration::Humane;
use crate::model::Place;

/// The commands frontdesk registers.
pub fn definitions() -> Vec<dc::CreateCommand> {
    vec![dc::CreateCommand::new("status")
        .description("Where your messages to us stand (staff: the queue at a glance)")]
}

/// `/status` for a customer: their own open conversations, nobody else's.
pub fn customer_status(
    conversations: &[Conversation],
    owner_name: &str,
    eta: &str,
    now: Timestamp,
) -> String {
    let open: Vec<&Conversation> = conversations.iter().filter(|c| c.is_open()).collect();
    if open.is_empty() {
        return "You have no open conversations with us. Just write in the support channel or DM me whenever you need something!".to_string();
    }
    let mut lines = vec![format!("**Your open conversations** ({})", open.len())];
    for c in open {
        let place = match c.place {
            Place::Dm { .. } => "in our DMs".to_string(),
            _ => format!("in <#{}>", c.channel()),
        };
        let age = Humane(now.duration_since(c.opened_at));
        let state = match c.state {
            State::Waiting => {
                format!("waiting for {owner_name}, who has been notified; they usually reply {eta}")
            }
            State::Answered => format!("{owner_name} has replied"),
            State::Resolved => "resolved".to_string(),
        };
        lines.push(format!("• {} {place}, {age} ago: {state}", c.topic));
    }
    lines.join("\n")
}

/// `/status` for staff: the queue summary.
pub fn staff_status(open: &[Conversation], now: Timestamp) -> String {
    let waiting: Vec<&Conversation> = open.iter().filter(|c| c.state == State::Waiting).collect();
    let answered = open.iter().filter(|c| c.state == State::Answered).count();
    if waiting.is_empty() {
        return format!("✅ Nobody is waiting. {answered} answered conversation(s) still open.");
    }
    let oldest = waiting
        .iter()
        .filter_map(|c| c.waiting_since)
        .min()
        .map(|t| Humane(now.duration_since(t)).to_string())
        .unwrap_or_default();
    let reminded = waiting.iter().filter(|c| c.reminders_sent > 0).count();
    format!(
        "**{} waiting** (oldest: {oldest}), {reminded} already reminded; {answered} answered and still open.",
        waiting.len()
    )
}
