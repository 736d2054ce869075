//! State changes the bot hears about: the change, its gateway payload and its dispatch in one
//! step. Apart from `state` because the payloads are rendered from the state (`payload` reads
//! `State`), and `state` itself renders nothing.

use serde_json::Value;

use crate::message::SimMessage;
use crate::payload::{channel_json, message_json};
use crate::session::{intents, Event};
use crate::state::State;

impl State {
    /// Stores a message and dispatches MESSAGE_CREATE for it.
    pub fn insert_message(&mut self, msg: SimMessage) {
        let payload = message_json(self, &msg, true);
        let event = Event::message_create(&msg, payload, self.bot_id());
        self.message_channel.insert(msg.id, msg.channel_id);
        self.history.entry(msg.channel_id).or_default().push(msg);
        self.dispatch(event);
    }

    /// THREAD_CREATE for a thread, with `newly_created` as Discord sends it for new threads.
    pub fn dispatch_thread_create(&mut self, thread_id: u64) {
        let Some(thread) = self.channels.get(&thread_id) else {
            return;
        };
        let mut payload = channel_json(self, thread);
        if let Some(o) = payload.as_object_mut() {
            o.insert("newly_created".into(), Value::Bool(true));
        }
        self.dispatch(Event::new("THREAD_CREATE", payload, Some(intents::GUILDS)));
    }
}
