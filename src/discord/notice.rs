//! The owners' notification texts: who wrote, where, about what, an excerpt and a link; and
//! a digest of several, cut into messages only between customers. Pure functions, so the
//! wording is tested without Discord. The customer's name and words go in through
//! [`literal`]: they show as typed, with no markup of their own.

use jiff::Timestamp;

use crate::core::{Conversation, NoticeKind, Promise};
use crate::duration::Humane;
use crate::markdown::literal;
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
        literal(&conv.customer_name),
        conv.customer
    );
    let place = place_words(&conv.place);
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

/// A promise's reminder for the staff member who made it: whom they promised, where, how long
/// ago, their own words, and the link. `step` counts from 0.
pub fn promise_reminder(
    conv: &Conversation,
    promise: &Promise,
    step: u32,
    now: Timestamp,
) -> String {
    let n = if step == 0 {
        String::new()
    } else {
        format!(" {}", step + 1)
    };
    format!(
        "🤝 Promise reminder{n}: {} ago you promised **{}** an answer {} · {}\n{}\nNobody on the team has posted there since. Post there when you have news, or `/resolve` it.\n{}",
        Humane(now.duration_since(promise.made_at)),
        literal(&conv.customer_name),
        place_words(&conv.place),
        conv.topic,
        quote(&promise.words),
        conv.place.jump_link(conv.id)
    )
}

/// A long-overdue promise as the owners and backup people hear of it: who promised whom,
/// where, how long ago, and their words.
pub fn promise_overdue(
    conv: &Conversation,
    promise: &Promise,
    step: u32,
    now: Timestamp,
) -> String {
    format!(
        "⏫ Overdue promise, reminder {}: **{}** (<@{}>) promised **{}** an answer {} ago {} · {}, and nobody on the team has posted there since.\n{}\n{}",
        step + 1,
        literal(&promise.by_name),
        promise.by,
        literal(&conv.customer_name),
        Humane(now.duration_since(promise.made_at)),
        place_words(&conv.place),
        conv.topic,
        quote(&promise.words),
        conv.place.jump_link(conv.id)
    )
}

/// The first words of a promise's reminder, up to its colon ("🤝 Promise reminder 2:",
/// "⏫ Overdue promise:"): with the link on its last line, what tells one apart after a
/// restart.
pub fn promise_head(text: &str) -> &str {
    text.find(':').map_or(text, |i| &text[..=i])
}

fn place_words(place: &Place) -> String {
    match place {
        Place::Dm { .. } => "in a DM".to_string(),
        _ => format!("in {}", where_in(place)),
    }
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

/// Discord allows five rows of buttons under a message: one row per customer in a digest.
pub const CUSTOMERS_PER_MESSAGE: usize = 5;

/// Room kept in every digest message for its head (`**N customers need you**`), so a part
/// cut to fit still fits after one.
const HEAD_ROOM: usize = 40;

/// One message of a digest: its text, and the customers (indexes into the digest's blocks)
/// whose buttons go under it, and the customers it tells the owner about (whole, a line
/// each, or counted): their notices are delivered once it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestMessage {
    pub text: String,
    pub customers: Vec<usize>,
    pub covers: Vec<usize>,
}

/// Customers a digest shows whole (their notices, with buttons) when that is all it has:
/// two messages of them.
pub const WHOLE_PER_DIGEST: usize = 2 * CUSTOMERS_PER_MESSAGE;

/// Room kept in the last message for the line that counts the customers left out.
const SUMMARY_ROOM: usize = 120;

/// [`pack`] for up to [`WHOLE_PER_DIGEST`] customers. Past them, two messages at most: the
/// first five whole with their buttons, then a line each (who, where, the link) for as many
/// as fit, then how many more need the owner. An owner's DMs take about one message a second
/// (Discord's 5 per 5 s), and a line with its link is about 150 characters, so no more than
/// some fifteen customers a second can be named to an owner; a busier moment (a flood of new
/// customers, a restart after a long outage) is counted, and `/queue` and the web page list
/// everyone. Counted customers' notices count as delivered.
pub fn digest(blocks: &[Vec<String>], room: usize) -> Vec<DigestMessage> {
    if blocks.len() <= WHOLE_PER_DIGEST {
        return pack(blocks, room);
    }
    let mut out: Vec<DigestMessage> = pack(&blocks[..CUSTOMERS_PER_MESSAGE], room);
    if let Some(first) = out.first_mut() {
        // The head counts everyone, not only those shown whole.
        if let Some(rest) = first
            .text
            .split_once("\n\n")
            .map(|(_, rest)| rest.to_string())
        {
            first.text = format!("**{} customers need you**\n\n{rest}", blocks.len());
        }
    }
    let mut text = String::new();
    let mut covers = Vec::new();
    for (i, block) in blocks.iter().enumerate().skip(CUSTOMERS_PER_MESSAGE) {
        let line = one_line(block);
        if !fits(&text, &line, room.saturating_sub(SUMMARY_ROOM)) {
            break;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line);
        covers.push(i);
    }
    let named = CUSTOMERS_PER_MESSAGE + covers.len();
    let more = blocks.len() - named;
    if more > 0 {
        let line = match more {
            1 => "…and 1 more customer needs you: `/queue` lists everyone waiting.".to_string(),
            n => format!("…and {n} more customers need you: `/queue` lists everyone waiting."),
        };
        append(&mut text, &line);
        covers.extend(named..blocks.len());
    }
    out.push(DigestMessage {
        text,
        customers: Vec::new(),
        covers,
    });
    out
}

/// A customer's block as one line: its first notice's head (cut short) and link.
fn one_line(block: &[String]) -> String {
    let first = block.first().map(String::as_str).unwrap_or_default();
    let head = truncate_chars(first.lines().next().unwrap_or_default().to_string(), 150);
    let head = head.as_str();
    match first.lines().last().filter(|l| l.starts_with("https://")) {
        Some(link) if link != head => format!("• {head} — {link}"),
        _ => format!("• {head}"),
    }
}

/// Several notifications as few messages as Discord allows, for an owner who has many due at
/// once. `blocks` holds each customer's paragraphs ([`describe`], one per notice), in order.
/// A message holds at most `room` characters and [`CUSTOMERS_PER_MESSAGE`] customers, and is
/// cut only between customers: a customer's name, excerpt, link and buttons stay in one
/// message. Only a customer whose own block is longer than a message has it cut, between its
/// notices first, with the buttons under its last part. One notice goes alone; more start
/// with a head that counts the customers.
fn pack(blocks: &[Vec<String>], room: usize) -> Vec<DigestMessage> {
    let mut out = Vec::new();
    let mut text = match (blocks.len(), blocks.iter().map(Vec::len).sum::<usize>()) {
        (_, 0) => return out,
        (_, 1) => String::new(),
        (1, _) => "**1 customer needs you**".to_string(),
        (n, _) => format!("**{n} customers need you**"),
    };
    let mut customers = Vec::new();
    let mut flush = |text: &mut String, customers: &mut Vec<usize>| {
        let customers = std::mem::take(customers);
        out.push(DigestMessage {
            text: std::mem::take(text),
            covers: customers.clone(),
            customers,
        });
    };
    for (i, block) in blocks.iter().enumerate() {
        let whole = block.join("\n\n");
        let full = customers.len() == CUSTOMERS_PER_MESSAGE;
        if !customers.is_empty() && (full || !fits(&text, &whole, room)) {
            flush(&mut text, &mut customers);
        }
        if fits(&text, &whole, room) {
            append(&mut text, &whole);
        } else {
            let limit = room.saturating_sub(HEAD_ROOM).max(1);
            for piece in block.iter().flat_map(|p| chunk(p, limit)) {
                if !fits(&text, &piece, room) {
                    flush(&mut text, &mut Vec::new());
                }
                append(&mut text, &piece);
            }
        }
        customers.push(i);
    }
    flush(&mut text, &mut customers);
    out
}

fn fits(text: &str, more: &str, room: usize) -> bool {
    let gap = if text.is_empty() { 0 } else { 2 };
    text.chars().count() + gap + more.chars().count() <= room
}

fn append(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(more);
}

/// Splits text into pieces of at most `limit` characters, at line breaks where possible.
fn chunk(text: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > limit {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current).trim_end().to_string());
            }
            let mut rest = line;
            while rest.chars().count() > limit {
                let cut = rest
                    .char_indices()
                    .nth(limit)
                    .map_or(rest.len(), |(i, _)| i);
                out.push(rest[..cut].to_string());
                rest = &rest[cut..];
            }
            current.push_str(rest);
        } else {
            current.push_str(line);
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim_end().to_string());
    }
    out
}

/// Where a conversation in a server is: its channel or thread, or for a forum post the post
/// and its forum (`“Order #1042” in #questions`). Channel mentions: Discord shows each as
/// the channel's, thread's or post's current name, so the post's title (customer text) never
/// passes through frontdesk, and a renamed post reads right.
pub fn where_in(place: &Place) -> String {
    match *place {
        Place::Forum { forum, post, .. } => format!("<#{post}> in <#{forum}>"),
        _ => format!("<#{}>", place.channel()),
    }
}

/// Quotes customer text, as typed, keeping the quote to its first lines.
fn quote(text: &str) -> String {
    // Discord reads a lone `\r` as a line break too: each line must be quoted.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let short = literal(&truncate_chars(text, EXCERPT_CHARS));
    short
        .lines()
        .take(6)
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::render::{assert_adds_no_markup, hostile};
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

    fn promise(by_name: &str) -> Promise {
        let t: Timestamp = "2026-11-23T10:05:00Z".parse().expect("time");
        Promise {
            by: UserId(7),
            by_name: by_name.into(),
            words: "Let me check with the **supplier**".into(),
            message: Some(MessageId(1002)),
            made_at: t,
            due: t,
            reminders_sent: 0,
            next_reminder_at: Some(t),
            note: None,
        }
    }

    #[test]
    fn a_promise_reminder_quotes_their_words_and_links_the_conversation() {
        let now: Timestamp = "2026-11-24T10:05:00Z".parse().expect("time");
        let text = promise_reminder(&conv(), &promise("Sam"), 0, now);
        assert_eq!(
            text,
            "🤝 Promise reminder: 1 day ago you promised **Ana @\u{200B}everyone** an answer in <#10> · pricing\n> Let me check with the \\*\\*supplier\\*\\*\nNobody on the team has posted there since. Post there when you have news, or `/resolve` it.\nhttps://discord.com/channels/1/10/1001"
        );
        assert_eq!(promise_head(&text), "🤝 Promise reminder:");
        let second = promise_reminder(&conv(), &promise("Sam"), 1, now);
        assert_eq!(promise_head(&second), "🤝 Promise reminder 2:");
        let overdue = promise_overdue(&conv(), &promise("Sam"), 4, now);
        assert!(
            overdue.starts_with("⏫ Overdue promise, reminder 5: **Sam** (<@7>) promised **Ana"),
            "{overdue}"
        );
        assert_eq!(promise_head(&overdue), "⏫ Overdue promise, reminder 5:");
        assert!(overdue.ends_with("\nhttps://discord.com/channels/1/10/1001"));
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
        let posted = digest(&[vec![opened.clone(), reminder]], 2000)[0]
            .text
            .clone();
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
    fn digests_count_their_customers() {
        let text = |blocks: &[Vec<String>]| digest(blocks, 2000)[0].text.clone();
        assert_eq!(text(&[vec!["a".into()]]), "a");
        assert_eq!(
            text(&[vec!["a".into()], vec!["b".into()]]),
            "**2 customers need you**\n\na\n\nb"
        );
        assert!(text(&[vec!["a".into(), "b".into()]]).starts_with("**1 customer needs you**"));
        assert!(digest(&[], 2000).is_empty());
    }

    #[test]
    fn a_forum_post_is_named_by_its_post_and_its_forum() {
        let mut c = conv();
        c.place = Place::Forum {
            guild: GuildId(1),
            forum: ChannelId(11),
            post: ChannelId(1001),
        };
        let now: Timestamp = "2026-11-23T11:00:00Z".parse().expect("time");
        let text = describe(NoticeKind::Reminder(0), &c, None, now);
        assert!(
            text.contains("waiting 1 h in <#1001> in <#11> · pricing"),
            "{text}"
        );
        assert!(text.ends_with("\nhttps://discord.com/channels/1/1001/1001"));
    }

    #[test]
    fn the_customers_words_are_quoted_as_typed() {
        let mut c = conv();
        c.customer_name = "**Boss** [refund](https://evil.example)".into();
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
        let excerpt =
            "# URGENT `code` [click](https://evil.example)\r> not a quote\n\n- nor a list";
        let text = describe(NoticeKind::Opened, &c, Some(excerpt), now);
        assert_eq!(
            text,
            "📨 New: **\\*\\*Boss\\*\\* \\[refund](https://evil.example)** (<@42>) in <#10> · pricing\n\
             > \\# URGENT \\`code\\` \\[click](https://evil.example)\n\
             > \\> not a quote\n\
             > \n\
             > \\- nor a list\n\
             https://discord.com/channels/1/10/1001"
        );
    }

    /// `n` customers with a notice of about `size` characters each.
    fn blocks(n: usize, size: usize) -> Vec<Vec<String>> {
        (0..n)
            .map(|i| vec![format!("📨 New: c{i} {}\nhttps://x/{i}", "x".repeat(size))])
            .collect()
    }

    #[test]
    fn a_long_digest_is_cut_only_between_customers_five_at_most_per_message() {
        for (n, size) in [(12, 300), (13, 20), (4, 900), (7, 1900)] {
            let blocks = blocks(n, size);
            let messages = pack(&blocks, 1976);
            let mut customers: Vec<usize> = Vec::new();
            for m in &messages {
                assert!(m.text.chars().count() <= 1976, "{n}×{size}");
                assert!(m.customers.len() <= CUSTOMERS_PER_MESSAGE);
                for &c in &m.customers {
                    assert!(m.text.contains(&blocks[c][0]), "customer {c} whole");
                }
                customers.extend(&m.customers);
            }
            assert_eq!(customers, (0..n).collect::<Vec<_>>(), "{n}×{size}");
            assert!(messages[0]
                .text
                .starts_with(&format!("**{n} customers need you**")));
        }
        assert_eq!(pack(&blocks(13, 20), 1976).len(), 3, "5 + 5 + 3 rows");
    }

    #[test]
    fn past_ten_customers_a_digest_is_two_messages_five_whole_then_lines_then_a_count() {
        assert_eq!(digest(&blocks(10, 20), 1976), pack(&blocks(10, 20), 1976));
        for (n, size) in [(11, 20), (18, 60), (100, 60), (700, 300)] {
            let blocks = blocks(n, size);
            let messages = digest(&blocks, 1976);
            assert_eq!(messages.len(), 2, "{n}×{size}: one digest, not a flood");
            let mut covered: Vec<usize> = messages.iter().flat_map(|m| m.covers.clone()).collect();
            covered.sort_unstable();
            assert_eq!(
                covered,
                (0..n).collect::<Vec<_>>(),
                "{n}×{size}: everyone covered once"
            );
            assert_eq!(
                messages[0].customers,
                (0..5).collect::<Vec<_>>(),
                "five whole"
            );
            assert!(messages[1].customers.is_empty());
            assert!(messages[0]
                .text
                .starts_with(&format!("**{n} customers need you**")));
            let lines = messages[1]
                .text
                .lines()
                .filter(|l| l.starts_with("• "))
                .count();
            for i in 0..5 + lines {
                let all = format!("{}\n{}\n", messages[0].text, messages[1].text);
                assert!(
                    all.contains(&format!("https://x/{i}\n")),
                    "{n}×{size}: {i} linked"
                );
            }
            let more = n - 5 - lines;
            let counted = match more {
                0 => None,
                1 => Some("…and 1 more customer needs you".to_string()),
                _ => Some(format!("…and {more} more customers need you")),
            };
            match counted {
                Some(line) => assert!(messages[1].text.contains(&line), "{n}×{size}"),
                None => assert!(!messages[1].text.contains("more customer"), "{n}×{size}"),
            }
            assert!(lines >= 10 || more == 0, "{n}×{size}: {lines} lines fit");
            for m in &messages {
                assert!(m.text.chars().count() <= 1976, "{n}×{size}");
            }
        }
    }

    #[test]
    fn a_customer_longer_than_a_message_is_cut_between_notices_with_the_buttons_last() {
        let long = vec![
            format!("📨 New: a {}", "x".repeat(1500)),
            format!("⏰ Reminder 1: a {}", "y".repeat(1500)),
        ];
        let messages = digest(&[vec!["📨 New: b".into()], long.clone()], 1976);
        let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "**2 customers need you**\n\n📨 New: b",
                long[0].as_str(),
                long[1].as_str()
            ]
        );
        let rows: Vec<&[usize]> = messages.iter().map(|m| m.customers.as_slice()).collect();
        assert_eq!(rows, [&[0][..], &[], &[1]]);
        let huge = digest(&[vec![format!("📨 New: z\n{}", "w\n".repeat(3000))]], 1976);
        assert!(huge.len() > 1);
        assert!(huge.iter().all(|m| m.text.chars().count() <= 1976));
        assert_eq!(huge.last().map(|m| m.customers.clone()), Some(vec![0]));
    }

    proptest::proptest! {
        #[test]
        fn notices_and_digests_render_none_of_the_customers_markup(
            name in hostile(),
            excerpt in hostile(),
        ) {
            let now: Timestamp = "2026-11-23T11:05:00Z".parse().expect("time");
            let with = |name: &str| {
                let mut c = conv();
                c.customer_name = name.to_string();
                c
            };
            let (hostile, harmless) = (with(&name), with("Ana"));
            for kind in [NoticeKind::Opened, NoticeKind::FollowUp, NoticeKind::Reminder(1)] {
                let bodies = |c: &Conversation, excerpt: &str| {
                    let one = describe(kind, c, Some(excerpt), now);
                    let escalated = escalated(kind, c, &[UserId(7)], now);
                    let pair = digest(&[vec![one.clone()], vec![escalated.clone()]], 1976);
                    [one, escalated, pair[0].text.clone()].map(|text| posted(&text))
                };
                let bad = bodies(&hostile, &excerpt);
                let good = bodies(&harmless, "hello there");
                for (bad, good) in bad.iter().zip(&good) {
                    assert_adds_no_markup(bad, good);
                }
            }
            // A promise's reminders: the customer's and the staff member's names, their words.
            let mut said = promise(&name);
            said.words.clone_from(&excerpt);
            let good = promise("Sam");
            let reminders = |c: &Conversation, p: &Promise| {
                [promise_reminder(c, p, 1, now), promise_overdue(c, p, 1, now)].map(|t| posted(&t))
            };
            let bad = reminders(&hostile, &said);
            let fine = reminders(&harmless, &Promise { words: "hello there".into(), ..good });
            for (bad, good) in bad.iter().zip(&fine) {
                assert_adds_no_markup(bad, good);
            }
        }
    }

    /// The content of the message frontdesk posts with `text`.
    fn posted(text: &str) -> String {
        let body = crate::discord::outbound::message_body(&crate::discord::outbound::Outbound {
            text,
            ping: None,
            reply_to: None,
            nonce: "n1".into(),
            buttons: Vec::new(),
        });
        body["content"].as_str().unwrap_or_default().to_string()
    }
}
