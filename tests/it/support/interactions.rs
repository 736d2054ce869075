//! Slash commands as a person runs them, and the answers the bot gives.

use frontdesk_sim::{demo, Simulator};
use serde_json::{json, Value};

use super::{eventually, wait_ack, wait_for, wait_owner_notified, WAIT};

/// What the bot answered to one interaction.
pub struct Answer {
    /// The bodies sent: the callback, then the edit of a deferred answer.
    pub bodies: Vec<Value>,
    pub text: String,
}

impl Answer {
    pub fn deferred(&self) -> bool {
        self.bodies[0]["type"] == json!(5)
    }

    pub fn assert_ephemeral(&self) {
        assert_eq!(
            self.bodies[0]["data"]["flags"],
            json!(64),
            "ephemeral: {:?}",
            self.bodies
        );
    }
}

/// `user` runs `/name options` in `channel`; waits for the final answer text.
pub async fn command(
    sim: &Simulator,
    user: u64,
    channel: u64,
    name: &str,
    options: Value,
) -> Answer {
    let id = sim.invoke_command(user, channel, name, options).await;
    eventually(format!("/{name} was answered"), async || {
        let bodies = sim.interaction_responses(id);
        let text = bodies.iter().rev().find_map(|b| {
            b["data"]["content"]
                .as_str()
                .or_else(|| b["content"].as_str())
        })?;
        let text = text.to_string();
        Some(Answer { bodies, text })
    })
    .await
}

/// Runs `/name` (no options) until its answer satisfies `done`: what the bot knows changes
/// as it handles gateway events, and a command is how a person sees that it did.
pub async fn command_until(
    sim: &Simulator,
    user: u64,
    channel: u64,
    name: &str,
    done: impl Fn(&str) -> bool,
) -> Answer {
    let mut last = String::new();
    let answer = wait_for(WAIT, async || {
        let answer = command(sim, user, channel, name, json!([])).await;
        if done(&answer.text) {
            return Some(answer);
        }
        last = answer.text;
        None
    })
    .await;
    answer.unwrap_or_else(|| panic!("/{name} never showed the expected state; last: {last}"))
}

/// Waits until `customer`'s `/status`, run in `channel`, says the demo owner (Sam) replied:
/// the bot has handled the reply. Returns that answer.
pub async fn wait_owner_replied(sim: &Simulator, customer: u64, channel: u64) -> Answer {
    command_until(sim, customer, channel, "status", |t| {
        t.contains("Sam has replied")
    })
    .await
}

/// `customer` asks `question` in #help and is acknowledged; once the owner was notified (the
/// conversation is stored), the owner answers with `reply`, a reply to the question. Returns
/// the question's id when the bot has handled the reply (the customer's `/status` says Sam
/// replied): the conversation counts as answered.
pub async fn customer_asks_owner_replies(
    sim: &Simulator,
    customer: u64,
    question: &str,
    reply: &str,
) -> u64 {
    let asked = sim.post_message(customer, demo::HELP, question).await;
    wait_ack(sim, asked).await;
    wait_owner_notified(sim, demo::HELP, asked).await;
    sim.post_reply(demo::OWNER, demo::HELP, reply, asked).await;
    wait_owner_replied(sim, customer, demo::HELP).await;
    asked
}
