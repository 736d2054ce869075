//! Owner notices: gathered for a moment, then sent as one digest per owner (all DMs to one
//! owner share one rate-limit bucket), with buttons to snooze or mark answered; to the staff
//! channel when an owner cannot be DMed.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{snowflake, Delivery, DeliveryError};
use crate::desk::{DeskError, OutboxItem, Pending};
use crate::discord::notice;
use crate::discord::outbound::{message_body, short_hash, Action, Button, Outbound};
use crate::discord::rest::RestError;
use crate::model::{ChannelId, MessageId, UserId};
use crate::responses::template::DISCORD_MESSAGE_LIMIT;
use crate::sync::LockExt;

/// How long owner notices are gathered before they go out: short enough to feel instant,
/// long enough that a burst of customers becomes one digest.
const NOTICE_GATHER: Duration = Duration::from_millis(700);

/// Discord's "Cannot send messages to this user" (DMs closed, or bot blocked).
const CANNOT_DM: u64 = 50007;

impl Delivery {
    /// Sends the owner notices pending in the store, a moment after the first one is due.
    pub async fn notice_loop(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            tokio::select! {
                () = self.notices_due.notified() => {}
                _ = stop.changed() => return,
            }
            tokio::time::sleep(NOTICE_GATHER).await;
            match self.desk.undelivered() {
                Ok(items) => {
                    let notices = items
                        .into_iter()
                        .filter(|p| matches!(p.record.item, OutboxItem::Notice { .. }))
                        .collect();
                    self.deliver_now(notices).await;
                }
                Err(e) => tracing::error!(error = %e, "cannot read the outbox"),
            }
        }
    }

    /// Sends the notices to every owner as one digest (split only at Discord's size limit).
    pub(super) async fn notify(&self, notices: &[Pending]) -> Result<(), DeliveryError> {
        let now = self.clock.now();
        let mut parts = Vec::new();
        let mut buttons = Vec::new();
        for p in notices {
            let OutboxItem::Notice { kind } = p.record.item else {
                continue;
            };
            let Some(conv) = self.desk.conversation(p.record.conversation)? else {
                continue;
            };
            let excerpt = self.desk.last_customer_words(&conv)?;
            if buttons.len() < 5
                && !buttons
                    .iter()
                    .any(|row: &Vec<Button>| row_for(row) == Some(conv.id))
            {
                buttons.push(conversation_buttons(&conv));
            }
            parts.push(notice::describe(kind, &conv, excerpt.as_deref(), now));
        }
        if parts.is_empty() {
            return Ok(());
        }
        if parts.len() > 1 {
            // Several customers: name each row's customer on its buttons.
            buttons = self.label_rows(buttons)?;
        }
        let mut customers: Vec<MessageId> = notices.iter().map(|p| p.record.conversation).collect();
        customers.sort_unstable();
        customers.dedup();
        let chunks = chunk(&notice::digest(&parts, customers.len()));
        let nonce_base = short_hash(
            &notices
                .iter()
                .flat_map(|p| p.key.as_bytes().iter().copied())
                .collect::<Vec<_>>(),
        );
        let targets: Vec<Option<UserId>> = if self.owners.is_empty() {
            vec![None]
        } else {
            self.owners.iter().copied().map(Some).collect()
        };
        for owner in targets {
            for (i, text) in chunks.iter().enumerate() {
                let nonce = format!("n{nonce_base}{i}{}", owner.map_or(0, |o| o.0 % 1000));
                // Buttons go under the last part of a split digest, next to its end.
                let rows = if i + 1 == chunks.len() {
                    buttons.clone()
                } else {
                    Vec::new()
                };
                self.notify_one(owner, text, &nonce, rows).await?;
            }
        }
        Ok(())
    }

    /// Adds the customer's name to each row's labels ("Snooze 1 h · bob").
    fn label_rows(&self, rows: Vec<Vec<Button>>) -> Result<Vec<Vec<Button>>, DeskError> {
        let mut out = Vec::new();
        for row in rows {
            let name = match row_for(&row) {
                Some(id) => self
                    .desk
                    .conversation(id)?
                    .map(|c| c.customer_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            out.push(
                row.into_iter()
                    .map(|b| match b {
                        Button::Action {
                            action,
                            conversation,
                            label,
                        } => Button::Action {
                            action,
                            conversation,
                            label: format!("{label} · {name}"),
                        },
                        Button::Link { label, url } => Button::Link {
                            label: format!("{label} · {name}"),
                            url,
                        },
                    })
                    .collect(),
            );
        }
        Ok(out)
    }

    async fn notify_one(
        &self,
        owner: Option<UserId>,
        text: &str,
        nonce: &str,
        buttons: Vec<Vec<Button>>,
    ) -> Result<(), DeliveryError> {
        if let Some(owner) = owner {
            let dm = self.dm_channel(owner).await;
            let body = message_body(&Outbound {
                text,
                ping: None,
                reply_to: None,
                nonce: nonce.to_string(),
                buttons: buttons.clone(),
            });
            match dm {
                Ok(channel) => match self.post(channel, &body).await {
                    Ok(_) => return Ok(()),
                    Err(e) if e.code() == Some(CANNOT_DM) => {
                        tracing::warn!(
                            owner = owner.0,
                            "owner's DMs are closed; using the staff channel"
                        );
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(e) if e.code() == Some(CANNOT_DM) => {
                    tracing::warn!(
                        owner = owner.0,
                        "cannot open a DM with the owner; using the staff channel"
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        let Some(staff) = self.staff_channel else {
            tracing::error!("a notification could not be delivered: the owner cannot be DMed and no staff_channel is configured (set [discord] staff_channel)");
            return Ok(());
        };
        let text = match owner {
            Some(o) => format!("<@{o}> {text}"),
            None => text.to_string(),
        };
        let body = message_body(&Outbound {
            text: &text,
            ping: owner,
            reply_to: None,
            nonce: format!("s{}", &nonce[1..]),
            buttons,
        });
        self.post(staff, &body).await?;
        Ok(())
    }

    pub(super) async fn dm_channel(&self, user: UserId) -> Result<ChannelId, RestError> {
        if let Some(c) = self.dm_channels.locked().get(&user) {
            return Ok(*c);
        }
        let answer = self
            .rest
            .call(
                Method::POST,
                "/users/@me/channels",
                "dm-create",
                Some(&json!({ "recipient_id": user.to_string() })),
            )
            .await?;
        let channel = ChannelId(snowflake(&answer["id"]).unwrap_or(0));
        self.dm_channels.locked().insert(user, channel);
        Ok(channel)
    }
}

/// Snooze 1 h · Mark answered · Open, for one conversation.
fn conversation_buttons(conv: &crate::core::Conversation) -> Vec<Button> {
    vec![
        Button::Action {
            action: Action::SnoozeHour,
            conversation: conv.id,
            label: "Snooze 1 h".into(),
        },
        Button::Action {
            action: Action::MarkAnswered,
            conversation: conv.id,
            label: "Mark answered".into(),
        },
        Button::Link {
            label: "Open".into(),
            url: conv.place.jump_link(conv.id),
        },
    ]
}

fn row_for(row: &[Button]) -> Option<MessageId> {
    row.iter().find_map(|b| match b {
        Button::Action { conversation, .. } => Some(*conversation),
        Button::Link { .. } => None,
    })
}

/// Splits text into messages of at most Discord's limit, at line breaks where possible.
fn chunk(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > DISCORD_MESSAGE_LIMIT {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            let mut rest = line;
            while rest.chars().count() > DISCORD_MESSAGE_LIMIT {
                let cut = rest
                    .char_indices()
                    .nth(DISCORD_MESSAGE_LIMIT)
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
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_the_limit_and_keep_everything() {
        let text = format!(
            "{}\n{}\n{}",
            "a".repeat(1500),
            "b".repeat(1500),
            "c".repeat(4500)
        );
        let parts = chunk(&text);
        assert!(parts
            .iter()
            .all(|p| p.chars().count() <= DISCORD_MESSAGE_LIMIT));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn nonces_fit_discords_25_characters() {
        let n = format!("n{}{}{}", short_hash(&[1; 64]), 9, 999);
        assert!(n.len() <= 25, "{n}");
    }
}
