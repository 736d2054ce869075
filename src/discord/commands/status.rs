//! `/status`: a customer sees their own open conversations (never anyone else's); staff see
//! the queue at a glance. Pure functions of stored conversations.

use jiff::{SignedDuration, Timestamp};
use serenity::all as dc;

use super::request::CommandError;
use super::slash::{open_conversations, Answer, Invocation, Slash};
use crate::core::{Conversation, State};
use crate::duration::Humane;
use crate::hours::BusinessHours;
use crate::model::Place;

pub const COMMAND: Slash = Slash {
    name: "status",
    everyone: true,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    dc::CreateCommand::new("status")
        .description("Where your messages to us stand (staff: the queue at a glance)")
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let (desk, now) = (inv.desk, inv.now);
    let policy = desk.policy();
    if inv.caller.is_staff {
        return Ok(Answer::text(staff_status(
            &open_conversations(desk),
            &policy.hours,
            desk.reply_target(),
            now,
        )));
    }
    // Only the caller's own conversations are ever read for a customer.
    let mine = desk.customer_conversations(inv.caller.user)?;
    let eta = desk.eta(now)?;
    Ok(Answer::text(customer_status(
        &mine,
        &policy.owner_name,
        &eta,
        now,
    )))
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
            _ => format!("in {}", crate::discord::notice::where_in(&c.place)),
        };
        let age = Humane(now.duration_since(c.opened_at));
        let state = match c.state {
            // `eta` is a phrase such as "usually within about 25 minutes" or "as soon as they can".
            State::Waiting => {
                format!("waiting for {owner_name}, who has been notified and will reply {eta}")
            }
            State::Answered => format!("{owner_name} has replied"),
            State::Resolved => "resolved".to_string(),
        };
        lines.push(format!("• {} {place}, {age} ago: {state}", c.topic));
    }
    lines.join("\n")
}

/// `/status` for staff: the queue summary. Waits are counted in open hours, as `/stats` and
/// `{eta}` count them, so a question sent at night is not "over target" by morning.
pub fn staff_status(
    open: &[Conversation],
    hours: &BusinessHours,
    target: SignedDuration,
    now: Timestamp,
) -> String {
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
    let over = waiting
        .iter()
        .filter(|c| {
            c.waiting_since
                .is_some_and(|since| hours.open_time_between(since, now) > target)
        })
        .count();
    format!(
        "**{} waiting** (oldest: {oldest}), {reminded} already reminded, {over} over the {} reply target; {answered} answered and still open. `/queue` lists them.",
        waiting.len(),
        Humane(target)
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{at, conversation};
    use super::*;

    #[test]
    fn a_customer_sees_only_open_conversations_with_the_eta() {
        let mut done = conversation(1, "alice", at("08:00"));
        done.state = State::Resolved;
        let waiting = conversation(2, "alice", at("09:30"));
        let text = customer_status(
            &[done, waiting],
            "Sam",
            "usually within about 25 minutes",
            at("10:00"),
        );
        assert!(text.contains("(1)"), "{text}");
        assert!(
            text.contains("30 min ago: waiting for Sam, who has been notified and will reply usually within about 25 minutes"),
            "{text}"
        );
        let none = customer_status(&[], "Sam", "soon", at("10:00"));
        assert!(none.starts_with("You have no open conversations"), "{none}");
    }

    #[test]
    fn staff_see_waiting_oldest_reminded_and_over_target() {
        let hours = BusinessHours::always_open(jiff::tz::TimeZone::UTC);
        let mut old = conversation(1, "alice", at("07:00"));
        old.reminders_sent = 2;
        let fresh = conversation(2, "bob", at("09:50"));
        let mut answered = conversation(3, "carol", at("09:00"));
        answered.state = State::Answered;
        answered.waiting_since = None;
        let text = staff_status(
            &[old, fresh, answered],
            &hours,
            SignedDuration::from_hours(1),
            at("10:00"),
        );
        assert_eq!(
            text,
            "**2 waiting** (oldest: 3 h), 1 already reminded, 1 over the 1 h reply target; 1 answered and still open. `/queue` lists them."
        );
        let calm = staff_status(&[], &hours, SignedDuration::from_hours(1), at("10:00"));
        assert!(calm.starts_with("✅ Nobody is waiting"), "{calm}");
    }
}
