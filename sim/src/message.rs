//! `SimMessage`: a message as stored in a channel's history, plus mention parsing.

use serde::Serialize;
use serde_json::Value;

/// A stored message. Bot messages keep what the bot asked for (`allowed_mentions`,
/// `message_reference`, `components`, `nonce`) so tests can check them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimMessage {
    pub id: u64,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub author_id: u64,
    pub content: String,
    pub timestamp: String,
    pub edited_timestamp: Option<String>,
    /// Discord message type: 0 default, 19 reply, 20 chat-input command response, 21 thread starter.
    pub kind: u8,
    pub message_reference: Option<Value>,
    pub allowed_mentions: Option<Value>,
    pub components: Vec<Value>,
    pub embeds: Vec<Value>,
    pub nonce: Option<Value>,
    pub flags: u64,
    pub mentions: Vec<u64>,
    pub mention_roles: Vec<u64>,
    pub mention_everyone: bool,
    /// Set for interaction responses and follow-ups (the application id, as Discord does).
    pub webhook_id: Option<u64>,
    pub application_id: Option<u64>,
    /// The interaction this message answers, if any.
    pub interaction_id: Option<u64>,
    /// Files attached to it.
    pub attachments: Vec<crate::SimAttachment>,
}

impl SimMessage {
    pub fn new(
        id: u64,
        channel_id: u64,
        guild_id: Option<u64>,
        author_id: u64,
        content: &str,
    ) -> Self {
        let (mentions, mention_roles, mention_everyone) = parse_mentions(content);
        SimMessage {
            id,
            channel_id,
            guild_id,
            author_id,
            content: content.to_string(),
            timestamp: crate::snowflake::iso_of_snowflake(id),
            edited_timestamp: None,
            kind: 0,
            message_reference: None,
            allowed_mentions: None,
            components: Vec::new(),
            embeds: Vec::new(),
            nonce: None,
            flags: 0,
            mentions,
            mention_roles,
            mention_everyone,
            webhook_id: None,
            application_id: None,
            interaction_id: None,
            attachments: Vec::new(),
        }
    }

    /// Re-derives mentions after the content changed.
    pub fn set_content(&mut self, content: &str) {
        let (m, r, e) = parse_mentions(content);
        self.content = content.to_string();
        self.mentions = m;
        self.mention_roles = r;
        self.mention_everyone = e;
    }

    /// The id this message replies to, if it is a reply.
    pub fn reply_to(&self) -> Option<u64> {
        self.message_reference
            .as_ref()
            .and_then(|r| r.get("message_id"))
            .and_then(crate::snowflake::as_id)
    }
}

/// Finds `<@id>`, `<@!id>`, `<@&id>` and `@everyone`/`@here` in content.
///
/// The simulator reports every textual mention (it does not apply `allowed_mentions` to
/// `mentions`, which on Discord only governs pings); that is enough for the bot to tell whether
/// it was mentioned.
pub fn parse_mentions(content: &str) -> (Vec<u64>, Vec<u64>, bool) {
    let mut users = Vec::new();
    let mut roles = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let (is_role, body) = match rest.strip_prefix('&') {
            Some(b) => (true, b),
            None => (false, rest.strip_prefix('!').unwrap_or(rest)),
        };
        let Some(end) = body.find('>') else { break };
        if let Ok(id) = body[..end].parse::<u64>() {
            let list = if is_role { &mut roles } else { &mut users };
            if !list.contains(&id) {
                list.push(id);
            }
        }
    }
    let everyone = content.contains("@everyone") || content.contains("@here");
    (users, roles, everyone)
}

#[cfg(test)]
mod tests {
    use super::parse_mentions;

    #[test]
    fn finds_mentions() {
        let (u, r, e) = parse_mentions("hi <@12> and <@!13> <@&7> <@x> @here");
        assert_eq!(u, vec![12, 13]);
        assert_eq!(r, vec![7]);
        assert!(e);
    }
}
