//! What staff are told after `/block`, `/unblock` and `/blocked`. Pure.

use jiff::Timestamp;

use crate::desk::{BlockRecord, Blocked};
use crate::duration::Humane;
use crate::markdown::literal;
use crate::model::UserId;

pub fn blocked(user: UserId, done: &Blocked) -> String {
    let head = if done.already {
        format!("<@{user}> was already blocked; the reason is updated.")
    } else {
        format!("🚫 Blocked <@{user}>.")
    };
    let resolved = match done.resolved {
        0 => String::new(),
        1 => " Their open conversation was resolved quietly.".to_string(),
        n => format!(" Their {n} open conversations were resolved quietly."),
    };
    format!("{head}{resolved} Their messages are still stored (for your records) but get no answer, notice or reminder. `/unblock` undoes it.")
}

pub fn unblocked(user: UserId, was: bool) -> String {
    if was {
        format!("✅ Unblocked <@{user}>: their next message is answered as anyone's.")
    } else {
        format!("<@{user}> was not blocked.")
    }
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
        let done = Blocked {
            already: false,
            resolved: 2,
        };
        assert!(blocked(UserId(42), &done).contains("2 open conversations were resolved quietly"));
    }
}
