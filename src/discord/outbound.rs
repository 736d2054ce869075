//! The one place every message body frontdesk posts is built. It always sets
//! `allowed_mentions` explicitly: at most the one intended user can be pinged, never
//! `@everyone`, `@here` or a role, whatever the text says. (serenity's `Message::reply` would
//! switch every mention on, so it is never used.)

use serde_json::Value;
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateMessage,
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
}

/// What an owner's notification buttons do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SnoozeHour,
    MarkAnswered,
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Action::SnoozeHour => "snooze1h",
            Action::MarkAnswered => "answered",
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
        _ => return None,
    };
    let id = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((action, MessageId(id)))
}

/// Builds the JSON body of `POST /channels/{id}/messages`.
pub fn message_body(o: &Outbound<'_>) -> Value {
    let mentions = CreateAllowedMentions::new()
        .users(o.ping.map(|u| serenity::all::UserId::new(u.0.max(1))))
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
        let rows = o
            .buttons
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
                        })
                        .collect(),
                )
            })
            .collect();
        m = m.components(rows);
    }
    serde_json::to_value(&m).unwrap_or(Value::Null)
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
