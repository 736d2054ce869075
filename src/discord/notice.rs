//! The owners' notification texts: who wrote, where, about what, an excerpt and a link.
//! Pure functions, so the wording is tested without Discord.

use jiff::Timestamp;

use crate::core::{Conversation, NoticeKind};
use crate::duration::Humane;
use crate::model::Place;
use crate::responses::template::truncate_chars;

/// How much of the customer's message an owner sees in a notification.
const EXCERPT_CHARS: usize = 280;

/// One line (or short paragraph) about one conversation.
pub fn describe(
    kind: NoticeKind,
    conv: &Conversation,
    excerpt: Option<&str>,
    now: Timestamp,
) -> String {
    let who = format!(
        "**{}** (<@{}>)",
        neutralise(&conv.customer_name),
        conv.customer
    );
    let place = match conv.place {
        Place::Dm { .. } => "in a DM".to_string(),
        _ => format!("in <#{}>", conv.channel()),
    };
    let waiting = conv
        .waiting_since
        .map(|since| Humane(now.duration_since(since)).to_string());
    let head = match kind {
        NoticeKind::Opened => format!("📨 New: {who} {place} · {}", conv.topic),
        NoticeKind::Reopened => format!("🔁 Reopened: {who} {place} · {}", conv.topic),
        NoticeKind::FollowUp => format!("💬 {who} wrote again {place} · {}", conv.topic),
        NoticeKind::Reminder(n) => format!(
            "⏰ Reminder {}: {who} has been waiting {} {place} · {}",
            n + 1,
            waiting.as_deref().unwrap_or("a while"),
            conv.topic
        ),
    };
    let link = conv.place.jump_link(conv.id);
    let body = match excerpt {
        Some(text) if !text.trim().is_empty() && !matches!(kind, NoticeKind::Reminder(_)) => {
            format!("\n{}", quote(text))
        }
        _ => String::new(),
    };
    format!("{head}{body}\n{link}")
}

/// A reminder as a backup person gets it once the wait is long: the same line, and who has
/// been reminded already, how often. Mentions show names and ping nobody (allowed_mentions).
pub fn escalated(
    kind: NoticeKind,
    conv: &Conversation,
    reminded: &[crate::model::UserId],
    now: Timestamp,
) -> String {
    let base = describe(kind, conv, None, now);
    let times = match kind {
        NoticeKind::Reminder(n) => n + 1,
        _ => 0,
    };
    let who = if reminded.is_empty() {
        "the staff channel".to_string()
    } else {
        reminded
            .iter()
            .map(|u| format!("<@{u}>"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reminders = if times == 1 {
        "1 reminder".to_string()
    } else {
        format!("{times} reminders")
    };
    format!(
        "⏫ Escalated to you. {base}
Already reminded: {who} ({reminders} so far)"
    )
}

/// Whether a message frontdesk posted shows the notice of `kind` whose jump link is `link`:
/// one of its paragraphs is that notice as [`describe`] wrote it (a staff-channel copy starts
/// with the owner's mention). Lets a restart tell a digest that reached Discord before the
/// crash from one that did not.
pub fn shows(content: &str, kind: NoticeKind, link: &str) -> bool {
    let head = match kind {
        NoticeKind::Opened => "📨 New: ".to_string(),
        NoticeKind::Reopened => "🔁 Reopened: ".to_string(),
        NoticeKind::FollowUp => "💬 ".to_string(),
        NoticeKind::Reminder(n) => format!("⏰ Reminder {}: ", n + 1),
    };
    content.split("\n\n").any(|part| {
        let part = part.trim();
        let part = match part.strip_prefix("<@") {
            Some(rest) => rest.split_once("> ").map_or(part, |(_, text)| text),
            None => part,
        };
        part.starts_with(&head)
            && (!matches!(kind, NoticeKind::FollowUp) || part.contains(" wrote again "))
            && part.lines().last() == Some(link)
    })
}

/// Several notifications as one message, for an owner who has many due at once.
/// `customers` counts the distinct conversations among the parts.
pub fn digest(parts: &[String], customers: usize) -> String {
    if parts.len() == 1 {
        return parts[0].clone();
    }
    let head = match customers {
        1 => "**1 customer needs you**".to_string(),
        n => format!("**{n} customers need you**"),
    };
    format!("{head}\n\n{}", parts.join("\n\n"))
}

/// Quotes customer text so that it cannot mention anyone or break out of the quote.
fn quote(text: &str) -> String {
    let short = truncate_chars(neutralise(text), EXCERPT_CHARS);
    short
        .lines()
        .take(6)
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Breaks `@everyone`, `<@123>` and `<@&5>` so they show as text, not as mentions. Pings are
/// already impossible through allowed_mentions; this keeps the notification readable.
pub fn neutralise(text: &str) -> String {
    text.replace('@', "@\u{200B}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChannelId, GuildId, MessageId, UserId};

    fn conv() -> Conversation {
        let t: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
        let place = Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(10),
            thread: None,
        };
        let mut c = Conversation::new(
            MessageId(1001),
            UserId(42),
            "Ana @everyone".into(),
            place,
            t,
        );
        c.topic = "pricing".into();
        c.rule = "pricing".into();
        c.waiting_since = Some(t);
        c.waits = 1;
        c
    }

    #[test]
    fn an_opened_notice_shows_who_where_what_and_a_link() {
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
        let text = describe(
            NoticeKind::Opened,
            &conv(),
            Some("how much? <@&5> @here"),
            now,
        );
        assert_eq!(
            text,
            "📨 New: **Ana @\u{200B}everyone** (<@42>) in <#10> · pricing\n> how much? <@\u{200B}&5> @\u{200B}here\nhttps://discord.com/channels/1/10/1001"
        );
    }

    #[test]
    fn a_reminder_says_how_long_the_customer_has_waited() {
        let now: Timestamp = "2026-11-23T11:05:00Z".parse().expect("time");
        let text = describe(NoticeKind::Reminder(1), &conv(), Some("ignored"), now);
        assert!(text.starts_with("⏰ Reminder 2: **Ana"), "{text}");
        assert!(
            text.contains("has been waiting 1 h 5 min in <#10>"),
            "{text}"
        );
        assert!(!text.contains("ignored"));
    }

    #[test]
    fn an_escalated_reminder_says_who_was_reminded_and_how_long_the_wait_is() {
        let now: Timestamp = "2026-11-23T14:00:00Z".parse().expect("time");
        let text = escalated(
            NoticeKind::Reminder(2),
            &conv(),
            &[crate::model::UserId(7)],
            now,
        );
        assert!(
            text.starts_with("⏫ Escalated to you. ⏰ Reminder 3: **Ana"),
            "{text}"
        );
        assert!(text.contains("has been waiting 4 h in <#10>"), "{text}");
        assert!(
            text.ends_with("Already reminded: <@7> (3 reminders so far)"),
            "{text}"
        );
    }

    #[test]
    fn a_posted_notice_is_recognised_by_its_kind_and_link_alone() {
        let now: Timestamp = "2026-11-23T11:05:00Z".parse().expect("time");
        let c = conv();
        let link = c.place.jump_link(c.id);
        let opened = describe(NoticeKind::Opened, &c, Some("hi\n\nthere"), now);
        let reminder = describe(NoticeKind::Reminder(0), &c, None, now);
        let posted = digest(&[opened.clone(), reminder], 1);
        assert!(shows(&posted, NoticeKind::Opened, &link));
        assert!(shows(&posted, NoticeKind::Reminder(0), &link));
        assert!(!shows(&posted, NoticeKind::Reminder(1), &link));
        assert!(!shows(&posted, NoticeKind::FollowUp, &link));
        assert!(!shows(
            &opened,
            NoticeKind::Opened,
            "https://discord.com/channels/1/10/9"
        ));
        assert!(shows(&format!("<@7> {opened}"), NoticeKind::Opened, &link));
        let follow = describe(NoticeKind::FollowUp, &c, Some("more"), now);
        assert!(shows(&follow, NoticeKind::FollowUp, &link));
    }

    #[test]
    fn digests_count_their_parts() {
        assert_eq!(digest(&["a".into()], 1), "a");
        assert!(digest(&["a".into(), "b".into()], 2).starts_with("**2 customers need you**"));
        assert!(digest(&["a".into(), "b".into()], 1).starts_with("**1 customer needs you**"));
    }
}
