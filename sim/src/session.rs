//! Gateway sessions: sequence numbers, intents, the replay buffer used by RESUME, and the
//! per-session filtering of dispatches (intents, MESSAGE_CONTENT stripping).

use std::collections::{HashMap, VecDeque};

use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedSender;

use crate::message::SimMessage;

/// Gateway intent bits the simulator looks at.
pub mod intents {
    pub const GUILDS: u64 = 1 << 0;
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    pub const DIRECT_MESSAGES: u64 = 1 << 12;
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
}

/// What the WebSocket task of a connection is told to do.
#[derive(Debug)]
pub enum Outbound {
    /// A text frame; `message_id` is set for MESSAGE_CREATE so the task can stamp
    /// `dispatched_at` when the frame actually left.
    Frame {
        text: String,
        message_id: Option<u64>,
    },
    Close(u16),
}

/// Who wrote a message, for MESSAGE_CONTENT stripping.
#[derive(Clone, Debug)]
pub struct MessageInfo {
    pub id: u64,
    pub author: u64,
    pub in_guild: bool,
    pub mentions_bot: bool,
}

/// A dispatch before it is addressed to a session.
#[derive(Clone, Debug)]
pub struct Event {
    pub name: &'static str,
    pub data: Value,
    /// The intent a session needs to receive it (`None`: always sent).
    pub intent: Option<u64>,
    pub message: Option<MessageInfo>,
}

impl Event {
    pub fn new(name: &'static str, data: Value, intent: Option<u64>) -> Event {
        Event {
            name,
            data,
            intent,
            message: None,
        }
    }

    pub fn message_create(msg: &SimMessage, data: Value, bot: u64) -> Event {
        let in_guild = msg.guild_id.is_some();
        Event {
            name: "MESSAGE_CREATE",
            data,
            intent: Some(if in_guild {
                intents::GUILD_MESSAGES
            } else {
                intents::DIRECT_MESSAGES
            }),
            message: Some(MessageInfo {
                id: msg.id,
                author: msg.author_id,
                in_guild,
                mentions_bot: msg.mentions.contains(&bot),
            }),
        }
    }
}

/// A live connection attached to a session.
#[derive(Debug)]
pub struct Live {
    pub conn: u64,
    pub tx: UnboundedSender<Outbound>,
}

#[derive(Debug)]
pub struct Session {
    pub intents: u64,
    pub seq: u64,
    pub live: Option<Live>,
    /// Dispatches sent (or buffered) on this session: (seq, frame, message id).
    pub buffer: VecDeque<(u64, String, Option<u64>)>,
    cap: usize,
}

#[derive(Debug, Default)]
pub struct Sessions {
    pub by_id: HashMap<String, Session>,
    /// Number of IDENTIFYs that got a READY.
    pub identified: u64,
    /// Number of successful RESUMEs.
    pub resumed: u64,
    /// The path and query of every gateway connection, in order.
    pub dials: Vec<String>,
}

impl Sessions {
    /// Addresses an event to every session allowed to see it. Sessions without a live
    /// connection buffer it for RESUME.
    pub fn dispatch(&mut self, event: Event, bot: u64) {
        for session in self.by_id.values_mut() {
            if let Some(needed) = event.intent {
                if session.intents & needed == 0 {
                    continue;
                }
            }
            let data = match &event.message {
                Some(m) if strip_content(session.intents, m, bot) => stripped(&event.data),
                _ => event.data.clone(),
            };
            session.push(event.name, data, event.message.as_ref().map(|m| m.id));
        }
    }

    /// Removes sessions nobody is connected to: a new IDENTIFY means the client gave up on
    /// them, and keeping them would grow their buffers forever.
    pub fn drop_detached(&mut self) {
        self.by_id.retain(|_, s| s.live.is_some());
    }
}

impl Session {
    pub fn new(intents: u64, cap: usize) -> Session {
        Session {
            intents,
            seq: 0,
            live: None,
            buffer: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    /// Assigns the next sequence number, buffers the frame and sends it if connected.
    pub fn push(&mut self, name: &str, data: Value, message_id: Option<u64>) {
        self.seq += 1;
        let text = json!({"op": 0, "t": name, "s": self.seq, "d": data}).to_string();
        if let Some(live) = &self.live {
            let frame = Outbound::Frame {
                text: text.clone(),
                message_id,
            };
            if live.tx.send(frame).is_err() {
                self.live = None;
            }
        }
        self.buffer.push_back((self.seq, text, message_id));
        while self.buffer.len() > self.cap {
            self.buffer.pop_front();
        }
    }
}

/// Discord empties user content of other people's guild messages unless the app has
/// MESSAGE_CONTENT or is mentioned; DMs and the app's own messages are exempt.
fn strip_content(session_intents: u64, m: &MessageInfo, bot: u64) -> bool {
    session_intents & intents::MESSAGE_CONTENT == 0
        && m.in_guild
        && m.author != bot
        && !m.mentions_bot
}

fn stripped(data: &Value) -> Value {
    let mut d = data.clone();
    if let Some(o) = d.as_object_mut() {
        o.insert("content".into(), json!(""));
        o.insert("embeds".into(), json!([]));
        o.insert("attachments".into(), json!([]));
        o.insert("components".into(), json!([]));
        o.remove("poll");
    }
    d
}
