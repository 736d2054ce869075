//! `/blocked`: who is blocked, by whom, since when and why.

use jiff::Timestamp;
use serenity::all as dc;

use super::request::CommandError;
use super::slash::{staff, Answer, Invocation, Slash};
use crate::desk::BlockRecord;
use crate::duration::Humane;
use crate::markdown::literal;

pub const COMMAND: Slash = Slash {
    name: "blocked",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    staff("blocked", "Who is blocked, by whom and why")
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    Ok(Answer::text(list(&inv.desk.blocked_users(), inv.now)))
}

pub fn list(blocked: &[BlockRecord], now: Timestamp) -> String {
    if blocked.is_empty() {
        return "Nobody is blocked.".to_string();
    }
    let mut lines = vec![format!("**{} blocked**", blocked.len())];
    for b in blocked {
        let reason = if b.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", literal(&b.reason))
        };
        lines.push(format!(
            "• <@{}> by <@{}>, {} ago{reason}",
            b.user,
            b.by,
            Humane(now.duration_since(b.at))
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::UserId;

    #[test]
    fn the_list_names_who_when_and_why_without_pinging_through_the_reason() {
        let now: Timestamp = "2026-11-24T08:00:00Z".parse().expect("time");
        let b = BlockRecord::new(
            UserId(42),
            UserId(7),
            now - jiff::SignedDuration::from_hours(2),
            "spam @everyone",
        );
        assert_eq!(list(&[], now), "Nobody is blocked.");
        let text = list(&[b], now);
        assert!(
            text.contains("<@42> by <@7>, 2 h ago: spam @\u{200B}everyone"),
            "{text}"
        );
    }
}
