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

/// The line a new conversation's notice gets when its customer wrote before: which
/// conversation this is for them and how the last one went, e.g. "↩️ 3rd conversation ·
/// last: orders & shipping, resolved 12 Nov, rated 5/5". `before` counts the earlier ones.
pub fn regular(before: u64, last: &Conversation, tz: &jiff::tz::TimeZone) -> String {
    let day = |t: Timestamp| t.to_zoned(tz.clone()).strftime("%-d %b").to_string();
    let how = match (last.state, last.resolved_at) {
        (crate::core::State::Resolved, Some(at)) => format!("resolved {}", day(at)),
        _ => format!("opened {}, still open", day(last.opened_at)),
    };
    let rated = match last.rating.and_then(|r| r.score) {
        Some(score) => format!(", rated {score}/5"),
        None => String::new(),
    };
    format!(
        "↩️ {} conversation · last: {}, {how}{rated}",
        ordinal(before + 1),
        last.topic
    )
}

/// 2nd, 3rd, 11th, 21st…
fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `text` (a notice from [`describe`]) with `line` after its first line.
pub fn after_head(text: &str, line: &str) -> String {
    match text.split_once('\n') {
        Some((head, rest)) => format!("{head}\n{line}\n{rest}"),
        None => format!("{text}\n{line}"),
    }
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
#[path = "notice_tests.rs"]
mod tests;
