//! The one place every message body frontdesk posts is built. It always sets
//! `allowed_mentions` explicitly: only the intended users can be pinged — one, or for a merged
//! acknowledgement exactly the customers it names — never `@everyone`, `@here` or a role,
//! whatever the text says. (serenity's `Message::reply` would switch every mention on, so it
//! is never used.)

use serde_json::Value;
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateMessage, EditMessage,
    MessageReference, Nonce,
};

use crate::model::{ChannelId, MessageId, UserId};
use crate::responses::template::{truncate_chars, DISCORD_MESSAGE_LIMIT};

/// A message to post.
#[derive(Clone, Debug)]
pub struct Outbound<'a> {
    pub text: &'a str,
    /// The only user the message may ping (who must also be mentioned in the text).
    pub ping: Option<UserId>,
    /// Reply to this message, in the same channel.
    pub reply_to: Option<(ChannelId, MessageId)>,
    /// Makes a retried send idempotent: Discord drops a second message with the same nonce.
    pub nonce: String,
    /// Rows of buttons under the message (at most 5 rows of 5, as Discord allows).
    pub buttons: Vec<Vec<Button>>,
}

/// A button under a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Button {
    /// Handled by frontdesk when clicked (see [`parse_action`]).
    Action {
        action: Action,
        conversation: MessageId,
        label: String,
    },
    Link {
        label: String,
        url: String,
    },
    /// Where "I'll take it" was, once someone has the conversation: says who, and cannot be
    /// pressed.
    Held {
        conversation: MessageId,
        label: String,
    },
    /// A confirmation of something that cannot be undone (red).
    Danger {
        custom_id: String,
        label: String,
    },
}

/// What an owner's notification buttons do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SnoozeHour,
    MarkAnswered,
    /// "I'll take it": the conversation is claimed for whoever pressed it.
    Claim,
    /// "Remind me": a follow-up for whoever pressed it, `[promises] remind_after` from now.
    RemindMe,
    /// The customer's answer to "How did we do?" (1–5).
    Rate(u8),
}

impl Action {
    fn code(self) -> String {
        match self {
            Action::SnoozeHour => "snooze1h".to_string(),
            Action::MarkAnswered => "answered".to_string(),
            Action::Claim => "claim".to_string(),
            Action::RemindMe => "remindme".to_string(),
            Action::Rate(n) => format!("rate{n}"),
        }
    }
}

/// Reads a button's custom id back: `fd:<action>:<conversation>`.
pub fn parse_action(custom_id: &str) -> Option<(Action, MessageId)> {
    let mut parts = custom_id.split(':');
    if parts.next()? != "fd" {
        return None;
    }
    let action = match parts.next()? {
        "snooze1h" => Action::SnoozeHour,
        "answered" => Action::MarkAnswered,
        "claim" => Action::Claim,
        "remindme" => Action::RemindMe,
        code => match code.strip_prefix("rate").and_then(|n| n.parse::<u8>().ok()) {
            Some(n @ 1..=5) => Action::Rate(n),
            _ => return None,
        },
    };
    let id = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((action, MessageId(id)))
}

/// Builds the JSON body of `POST /channels/{id}/messages`.
pub fn message_body(o: &Outbound<'_>) -> Value {
    build(o, o.ping.as_slice())
}

/// Names the files sent with a body (`files[n]` in the form, `n` in this list) and their alt
/// text, which screen readers say instead of the picture.
pub fn with_attachments(mut body: Value, files: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(i, (filename, description))| {
            // A string, as the OpenAPI description types attachment ids.
            serde_json::json!({"id": i.to_string(), "filename": filename, "description": description})
        })
        .collect();
    if let Some(o) = body.as_object_mut() {
        o.insert("attachments".into(), Value::Array(list));
    }
    body
}

/// Discord pings at most this many users listed in `allowed_mentions.users`.
const MAX_USERS: usize = 100;

/// One customer's acknowledgement, waiting to go out merged with others in the same channel.
#[derive(Clone, Debug)]
pub struct AckLine<'a> {
    pub guild: u64,
    pub channel: ChannelId,
    /// The customer's message being acknowledged.
    pub message: MessageId,
    pub customer: UserId,
    /// The acknowledgement as it would be sent alone.
    pub text: &'a str,
}

/// A merged acknowledgement: its body, and which of the given lines it covers.
#[derive(Clone, Debug)]
pub struct Merged {
    pub covers: Vec<usize>,
    pub body: Value,
}

/// Several acknowledgements for one channel as few messages as Discord's limits allow (2,000
/// characters, 100 pinged users each): one line per customer, with their own text, a mention
/// of them, and a jump link to their message. The link is what lets catch-up see after a
/// restart that these messages were answered ([`acknowledged_in`]); the messages are not
/// replies, since a reply can point at only one of them. The nonce is derived from the
/// message ids covered, so a retry of the same group is dropped by Discord.
pub fn merged_acks(lines: &[AckLine<'_>]) -> Vec<Merged> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut covers: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let entry = merged_line(line);
        let fits = text.chars().count() + entry.chars().count() < DISCORD_MESSAGE_LIMIT
            && covers.len() < MAX_USERS;
        if !fits && !covers.is_empty() {
            out.push(merged_body(lines, std::mem::take(&mut covers), &text));
            text.clear();
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&entry);
        covers.push(i);
    }
    if !covers.is_empty() {
        out.push(merged_body(lines, covers, &text));
    }
    out
}

/// `{text} — [your message](link)`, mentioning the customer first if the text does not, and
/// cut so that the line alone always fits in a message.
fn merged_line(line: &AckLine<'_>) -> String {
    let mention = format!("<@{}>", line.customer);
    let link = format!(
        " — [your message]({})",
        jump_link(line.guild, line.channel, line.message)
    );
    let text = line.text.replace('\n', " ");
    let text = if text.contains(&mention) {
        text
    } else {
        format!("{mention} {text}")
    };
    let room = DISCORD_MESSAGE_LIMIT - 1 - link.chars().count();
    format!("{}{link}", truncate_chars(text, room))
}

fn merged_body(lines: &[AckLine<'_>], covers: Vec<usize>, text: &str) -> Merged {
    let mut users: Vec<UserId> = covers.iter().map(|&i| lines[i].customer).collect();
    users.sort_unstable();
    users.dedup();
    let mut ids: Vec<u8> = Vec::new();
    let mut messages: Vec<MessageId> = covers.iter().map(|&i| lines[i].message).collect();
    messages.sort_unstable();
    for m in messages {
        ids.extend(m.0.to_be_bytes());
    }
    let o = Outbound {
        text,
        ping: None,
        reply_to: None,
        nonce: format!("m{}", short_hash(&ids)),
        buttons: Vec::new(),
    };
    Merged {
        covers,
        body: build(&o, &users),
    }
}

fn jump_link(guild: u64, channel: ChannelId, message: MessageId) -> String {
    format!("https://discord.com/channels/{guild}/{channel}/{message}")
}

/// The messages in `channel` that one of frontdesk's own messages acknowledged through a
/// jump link (a merged acknowledgement, see [`merged_acks`]). Junk is skipped, never fatal.
pub fn acknowledged_in(content: &str, channel: u64) -> Vec<MessageId> {
    const PREFIX: &str = "https://discord.com/channels/";
    content
        .match_indices(PREFIX)
        .filter_map(|(at, _)| {
            let rest = &content[at + PREFIX.len()..];
            let mut parts = rest.splitn(3, '/');
            let _guild = parts.next()?;
            let linked: u64 = parts.next()?.parse().ok()?;
            let digits: String = parts
                .next()?
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let message: u64 = digits.parse().ok()?;
            (linked == channel).then_some(MessageId(message))
        })
        .collect()
}

/// The lines of a merged acknowledgement as (customer, their message), for the lines that
/// name one customer and link one message in `channel`.
pub fn merged_lines(content: &str, channel: u64) -> Vec<(UserId, MessageId)> {
    content
        .lines()
        .filter_map(|line| {
            let [message] = acknowledged_in(line, channel)[..] else {
                return None;
            };
            let digits: String = line
                .split("<@")
                .nth(1)?
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            Some((UserId(digits.parse().ok()?), message))
        })
        .collect()
}

/// A short stable hash (FNV-1a) for nonces: at most 16 hex digits.
pub(crate) fn short_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:x}")
}

/// The one body builder: `users` are the only pingable users.
fn build(o: &Outbound<'_>, users: &[UserId]) -> Value {
    let mentions = CreateAllowedMentions::new()
        .users(
            users
                .iter()
                .take(MAX_USERS)
                .map(|u| serenity::all::UserId::new(u.0.max(1))),
        )
        .replied_user(false);
    let mut m = CreateMessage::new()
        .content(truncate_chars(o.text.to_string(), DISCORD_MESSAGE_LIMIT))
        .allowed_mentions(mentions)
        .nonce(Nonce::String(o.nonce.chars().take(25).collect()))
        .enforce_nonce(true);
    if let Some((channel, message)) = o.reply_to {
        let reference = MessageReference::from((
            serenity::all::ChannelId::new(channel.0.max(1)),
            serenity::all::MessageId::new(message.0.max(1)),
        ))
        // A customer who deleted their message still gets the acknowledgement.
        .fail_if_not_exists(false);
        m = m.reference_message(reference);
    }
    if !o.buttons.is_empty() {
        m = m.components(action_rows(&o.buttons));
    }
    serde_json::to_value(&m).unwrap_or(Value::Null)
}

/// Discord's rows of buttons (five of five at most).
pub fn action_rows(buttons: &[Vec<Button>]) -> Vec<CreateActionRow> {
    buttons
        .iter()
        .take(5)
        .map(|row| {
            CreateActionRow::Buttons(
                row.iter()
                    .take(5)
                    .map(|b| match b {
                        Button::Action {
                            action,
                            conversation,
                            label,
                        } => CreateButton::new(format!("fd:{}:{conversation}", action.code()))
                            .label(short_label(label))
                            .style(ButtonStyle::Secondary),
                        Button::Link { label, url } => {
                            CreateButton::new_link(url.clone()).label(short_label(label))
                        }
                        Button::Held {
                            conversation,
                            label,
                        } => {
                            CreateButton::new(format!("fd:{}:{conversation}", Action::Claim.code()))
                                .label(short_label(label))
                                .style(ButtonStyle::Secondary)
                                .disabled(true)
                        }
                        Button::Danger { custom_id, label } => CreateButton::new(custom_id.clone())
                            .label(short_label(label))
                            .style(ButtonStyle::Danger),
                    })
                    .collect(),
            )
        })
        .collect()
}

/// The body of `PATCH /channels/{id}/messages/{id}` that replaces a message's rows of
/// buttons and leaves its text alone.
pub fn rows_body(buttons: &[Vec<Button>]) -> Value {
    let edit = EditMessage::new().components(action_rows(buttons));
    serde_json::to_value(&edit).unwrap_or(Value::Null)
}

/// Interaction answers share the same rule: nobody is pinged.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new().replied_user(false)
}

/// Discord allows 80 characters on a button.
fn short_label(label: &str) -> String {
    label.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_acknowledgement_pings_only_the_customer_and_replies_without_failing() {
        let body = message_body(&Outbound {
            text: "Hi <@42>! @everyone @here <@&5> <@7>",
            ping: Some(UserId(42)),
            reply_to: Some((ChannelId(10), MessageId(1001))),
            nonce: "a1001".into(),
            buttons: Vec::new(),
        });
        assert_eq!(
            body["allowed_mentions"],
            json!({"parse": [], "users": ["42"], "roles": [], "replied_user": false})
        );
        assert_eq!(
            body["message_reference"],
            json!({"type": 0, "message_id": "1001", "channel_id": "10", "guild_id": null, "fail_if_not_exists": false})
        );
        assert_eq!(body["nonce"], json!("a1001"));
        assert_eq!(body["enforce_nonce"], json!(true));
    }

    #[test]
    fn a_notice_pings_nobody_and_long_text_is_cut_to_the_limit() {
        let text = "x".repeat(5000);
        let body = message_body(&Outbound {
            text: &text,
            ping: None,
            reply_to: None,
            nonce: "n".repeat(40),
            buttons: vec![vec![
                Button::Action {
                    action: Action::SnoozeHour,
                    conversation: MessageId(3),
                    label: "Snooze 1 h".into(),
                },
                Button::Link {
                    label: "Open".into(),
                    url: "https://discord.com/channels/1/2/3".into(),
                },
            ]],
        });
        assert_eq!(
            body["allowed_mentions"],
            json!({"parse": [], "users": [], "roles": [], "replied_user": false})
        );
        assert_eq!(
            body["content"].as_str().map(|s| s.chars().count()),
            Some(2000)
        );
        assert_eq!(body["nonce"].as_str().map(str::len), Some(25));
        let row = &body["components"][0]["components"];
        assert_eq!(row[0]["custom_id"], json!("fd:snooze1h:3"));
        assert_eq!(row[1]["style"], json!(5), "a link button");
    }

    fn lines(n: u64, text: &str) -> Vec<(u64, String)> {
        (1..=n)
            .map(|i| (i, text.replace("{c}", &format!("<@{}>", 500 + i))))
            .collect()
    }

    fn ack_lines(texts: &[(u64, String)]) -> Vec<AckLine<'_>> {
        texts
            .iter()
            .map(|(i, text)| AckLine {
                guild: 7,
                channel: ChannelId(10),
                message: MessageId(1000 + i),
                customer: UserId(500 + i),
                text,
            })
            .collect()
    }

    #[test]
    fn a_merged_acknowledgement_names_and_pings_exactly_its_customers() {
        let texts = lines(3, "Thanks {c}! Sam will reply today. @everyone <@&5> <@9>");
        let merged = merged_acks(&ack_lines(&texts));
        assert_eq!(merged.len(), 1);
        let body = &merged[0].body;
        assert_eq!(merged[0].covers, vec![0, 1, 2]);
        assert_eq!(
            body["allowed_mentions"],
            json!({"parse": [], "users": ["501", "502", "503"], "roles": [], "replied_user": false})
        );
        assert!(body.get("message_reference").is_none(), "{body}");
        let content = body["content"].as_str().expect("content");
        assert_eq!(content.lines().count(), 3);
        assert!(content
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("Thanks <@501>! Sam")
                && l.ends_with("[your message](https://discord.com/channels/7/10/1001)")));
        assert_eq!(
            acknowledged_in(content, 10),
            vec![MessageId(1001), MessageId(1002), MessageId(1003)]
        );
        assert_eq!(body["enforce_nonce"], json!(true));
    }

    #[test]
    fn a_text_without_the_customers_mention_gets_one() {
        let texts = lines(2, "We will reply soon.");
        let merged = merged_acks(&ack_lines(&texts));
        let content = merged[0].body["content"].as_str().unwrap_or("");
        assert!(
            content.starts_with("<@501> We will reply soon."),
            "{content}"
        );
    }

    #[test]
    fn the_merged_nonce_depends_only_on_the_messages_covered() {
        let texts = lines(3, "Hi {c}");
        let mut shuffled = ack_lines(&texts);
        let nonce = |l: &[AckLine<'_>]| merged_acks(l)[0].body["nonce"].clone();
        let first = nonce(&shuffled);
        shuffled.reverse();
        assert_eq!(nonce(&shuffled), first, "order does not matter");
        assert_ne!(nonce(&shuffled[1..]), first, "another group, another nonce");
        assert!(first.as_str().is_some_and(|n| n.len() <= 25));
    }

    #[test]
    fn merged_acknowledgements_split_at_discords_limits_and_cover_everyone_once() {
        let long = format!("Hello {{c}}, {}", "x".repeat(600));
        for (n, text) in [(40, long.as_str()), (150, "Hi {c}")] {
            let texts = lines(n, text);
            let merged = merged_acks(&ack_lines(&texts));
            assert!(merged.len() > 1, "{n} customers need several messages");
            let mut covered: Vec<usize> = Vec::new();
            for m in &merged {
                let content = m.body["content"].as_str().expect("content");
                assert!(content.chars().count() <= DISCORD_MESSAGE_LIMIT);
                assert!(!content.ends_with('…'), "nothing is cut off");
                let users = m.body["allowed_mentions"]["users"]
                    .as_array()
                    .map_or(0, Vec::len);
                assert_eq!(users, m.covers.len());
                assert!(users <= MAX_USERS);
                assert_eq!(acknowledged_in(content, 10).len(), m.covers.len());
                covered.extend(&m.covers);
            }
            assert_eq!(covered, (0..n as usize).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_single_overlong_text_still_fits_with_its_link() {
        let texts = lines(2, &format!("{{c}} {}", "y".repeat(3000)));
        let merged = merged_acks(&ack_lines(&texts));
        assert_eq!(merged.len(), 2);
        for m in merged {
            let content = m.body["content"].as_str().unwrap_or("");
            assert!(content.chars().count() <= DISCORD_MESSAGE_LIMIT);
            assert_eq!(acknowledged_in(content, 10).len(), 1, "the link survives");
        }
    }

    #[test]
    fn a_merged_acknowledgement_reads_back_as_customer_and_message_per_line() {
        let texts = lines(3, "Thanks {c}! Sam will reply.");
        let merged = merged_acks(&ack_lines(&texts));
        let content = merged[0].body["content"].as_str().unwrap_or("");
        assert_eq!(
            merged_lines(content, 10),
            vec![
                (UserId(501), MessageId(1001)),
                (UserId(502), MessageId(1002)),
                (UserId(503), MessageId(1003)),
            ]
        );
        assert!(merged_lines("Thanks <@1>! no link", 10).is_empty());
        assert!(merged_lines("<@x> https://discord.com/channels/1/10/5", 10).is_empty());
    }

    #[test]
    fn only_links_into_the_channel_count_and_junk_is_skipped() {
        let content = "see https://discord.com/channels/1/10/55) and \
            https://discord.com/channels/1/11/66 https://discord.com/channels/@me/10/77 \
            https://discord.com/channels/1/10/ https://discord.com/channels/1/x/5 \
            https://discord.com/channels/1/10/99999999999999999999999";
        assert_eq!(
            acknowledged_in(content, 10),
            vec![MessageId(55), MessageId(77)]
        );
        assert!(acknowledged_in("https://discord.com/channels/", 10).is_empty());
    }

    #[test]
    fn button_ids_round_trip_and_junk_is_refused() {
        assert_eq!(
            parse_action("fd:snooze1h:42"),
            Some((Action::SnoozeHour, MessageId(42)))
        );
        assert_eq!(
            parse_action("fd:answered:7"),
            Some((Action::MarkAnswered, MessageId(7)))
        );
        assert_eq!(
            parse_action("fd:rate4:7"),
            Some((Action::Rate(4), MessageId(7)))
        );
        assert_eq!(parse_action("fd:rate9:7"), None);
        assert_eq!(
            parse_action(&format!("fd:{}:7", Action::Rate(1).code())),
            Some((Action::Rate(1), MessageId(7)))
        );
        for junk in [
            "",
            "fd",
            "fd:snooze1h",
            "fd:delete:1",
            "xx:answered:1",
            "fd:answered:1:2",
            "fd:answered:-1",
        ] {
            assert_eq!(parse_action(junk), None, "{junk}");
        }
    }
}
