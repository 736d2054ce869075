//! Slash commands end to end: INTERACTION_CREATE delivered through the simulator's gateway to
//! the real serenity client and frontdesk, and the callback bodies checked — normal answers,
//! refusals for customers, bad arguments — plus the registered command list. Every request
//! body is validated against Discord's OpenAPI description when a bot stops.

mod actions;
mod chart;
mod in_dm;

use frontdesk_sim::{demo, Simulator};
use serde_json::{json, Value};

use crate::support::{
    command, command_until, customer_asks_owner_replies, wait_owner_notified, Answer, WAIT,
};

const STAFF_COMMANDS: [&str; 17] = [
    "queue",
    "resolve",
    "reopen",
    "claim",
    "unclaim",
    "assign",
    "note",
    "reply",
    "followup",
    "snooze",
    "away",
    "stats",
    "block",
    "unblock",
    "blocked",
    "forget",
    "dashboard",
];
/// Discord's MANAGE_MESSAGES permission bit, as serenity sends it (a string).
const MANAGE_MESSAGES: &str = "8192";

/// The shared test bot, plus helpers to run commands as a person would.
struct Bot {
    sim: Simulator,
    bot: crate::support::Bot,
    _dir: tempfile::TempDir,
}

impl Bot {
    async fn start() -> Bot {
        let sim = crate::support::demo_sim().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let bot = crate::support::Bot::start(&sim, &dir.path().join("data")).await;
        Bot {
            sim,
            bot,
            _dir: dir,
        }
    }

    /// Stops the bot; every interaction must have been answered once, within 3 s (and the
    /// shared stop validates every body against Discord's OpenAPI description).
    async fn stop(self) {
        let late: Vec<_> = self
            .sim
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/interactions/") && r.status >= 300)
            .map(|r| format!("{} {} → {}", r.method, r.path, r.status))
            .collect();
        self.bot.stop().await;
        assert!(
            late.is_empty(),
            "every interaction was answered once, within 3 s: {late:?}"
        );
    }

    /// `user` runs `/name options` in `channel`; waits for the final answer text.
    async fn command(&self, user: u64, channel: u64, name: &str, options: Value) -> Answer {
        command(&self.sim, user, channel, name, options).await
    }

    /// Runs a command until its answer satisfies `done`; fails after the deadline.
    async fn command_until(
        &self,
        user: u64,
        channel: u64,
        name: &str,
        done: impl Fn(&str) -> bool,
    ) -> Answer {
        command_until(&self.sim, user, channel, name, done).await
    }

    /// Waits for frontdesk's acknowledgement of `message` (posted in `channel`) and for the
    /// owner's notice about it (see [`wait_owner_notified`]).
    async fn wait_ack(&self, channel: u64, message: u64) -> String {
        let ack = self.wait_ack_request(channel, message).await;
        wait_owner_notified(&self.sim, channel, message).await;
        ack
    }

    /// Waits for frontdesk's acknowledgement of `message` (posted in `channel`).
    async fn wait_ack_request(&self, channel: u64, message: u64) -> String {
        let id = json!(message.to_string());
        let path = format!("/channels/{channel}/messages");
        let req = self
            .sim
            .wait_for_request(
                |r| {
                    r.is("POST", &path)
                        && r.status < 300
                        && r.body.as_ref().is_some_and(|b| {
                            b["message_reference"]["message_id"] == id
                                || b["nonce"] == json!(format!("a{message}"))
                        })
                },
                WAIT,
            )
            .await
            .unwrap_or_else(|| panic!("message {message} was acknowledged"));
        req.body.expect("json")["content"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Alice asks about shipping in #help and the owner replies to her (see
    /// [`customer_asks_owner_replies`]); the owner's `/status` then shows her conversation
    /// answered and nobody waiting.
    async fn alice_asks_and_the_owner_replies(&self) {
        customer_asks_owner_replies(
            &self.sim,
            demo::ALICE,
            "How much is shipping to Canada?",
            "£8.50, Alice!",
        )
        .await;
        self.command_until(demo::OWNER, demo::HELP, "status", |t| {
            t.starts_with("✅ Nobody is waiting. 1 answered")
        })
        .await;
    }

    /// Opens a forum post as `author` and waits for its acknowledgement; returns its id
    /// (which is the conversation's id).
    async fn forum_post(&self, author: u64, title: &str, text: &str) -> u64 {
        let post = self
            .sim
            .create_forum_post(author, demo::QUESTIONS, title, text)
            .await;
        self.wait_ack(post, post).await;
        post
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_eighteen_commands_are_registered_for_the_guild_with_staff_permissions() {
    let bot = Bot::start().await;
    let put = bot
        .sim
        .wait_for_request(|r| r.is("PUT", "/commands"), WAIT)
        .await
        .expect("registration");
    assert!(
        put.path
            .contains(&format!("/guilds/{}/commands", demo::GUILD)),
        "a configured guild gets guild commands: {}",
        put.path
    );
    let body = put.body.expect("json");
    let list = body.as_array().expect("a list of commands");
    let names: Vec<&str> = list.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "status",
            "queue",
            "resolve",
            "reopen",
            "claim",
            "unclaim",
            "assign",
            "followup",
            "note",
            "reply",
            "snooze",
            "away",
            "stats",
            "block",
            "unblock",
            "blocked",
            "forget",
            "dashboard"
        ]
    );
    for c in list {
        let name = c["name"].as_str().unwrap_or("");
        let description = c["description"].as_str().unwrap_or("");
        assert!(
            !description.is_empty() && description.chars().count() <= 100,
            "/{name}: {description}"
        );
        for o in c["options"].as_array().into_iter().flatten() {
            let d = o["description"].as_str().unwrap_or("");
            assert!(!d.is_empty() && d.chars().count() <= 100, "/{name}: {o}");
        }
        if STAFF_COMMANDS.contains(&name) {
            assert_eq!(
                c["default_member_permissions"],
                json!(MANAGE_MESSAGES),
                "/{name}"
            );
            // A sign-in link is best asked for in private: /dashboard is offered in a DM with
            // the bot too. Every other staff command is for servers only.
            let contexts = if name == "dashboard" {
                json!([0, 1])
            } else {
                json!([0])
            };
            assert_eq!(c["contexts"], contexts, "/{name}");
        } else {
            assert!(c.get("default_member_permissions").is_none(), "{c}");
        }
    }
    let option = |cmd: &str, opt: &str| -> Value {
        list.iter()
            .find(|c| c["name"] == json!(cmd))
            .and_then(|c| c["options"].as_array())
            .and_then(|o| o.iter().find(|o| o["name"] == json!(opt)))
            .cloned()
            .unwrap_or_else(|| panic!("/{cmd} has option {opt}"))
    };
    assert_eq!(option("snooze", "duration")["required"], json!(true));
    assert!(option("snooze", "duration")["description"]
        .as_str()
        .is_some_and(|d| d.contains("2h")));
    assert_eq!(option("snooze", "conversation")["required"], json!(false));
    assert_eq!(option("away", "until")["required"], json!(true));
    assert!(option("away", "until")["description"]
        .as_str()
        .is_some_and(|d| d.contains("off")));
    assert_eq!(option("stats", "days")["type"], json!(4));
    assert_eq!(option("queue", "page")["min_value"], json!(1));
    assert_eq!(option("resolve", "conversation")["type"], json!(3));
    assert_eq!(option("block", "user")["type"], json!(6));
    assert_eq!(option("block", "user")["required"], json!(true));
    assert_eq!(option("unblock", "user")["type"], json!(6));
    assert_eq!(option("claim", "conversation")["required"], json!(false));
    assert_eq!(option("unclaim", "conversation")["type"], json!(3));
    assert_eq!(option("assign", "user")["type"], json!(6));
    assert_eq!(option("assign", "user")["required"], json!(true));
    assert_eq!(option("assign", "conversation")["required"], json!(false));
    assert_eq!(option("followup", "when")["required"], json!(true));
    assert_eq!(option("followup", "note")["required"], json!(false));
    assert_eq!(option("note", "text")["required"], json!(true));
    assert_eq!(option("note", "conversation")["required"], json!(false));
    assert_eq!(option("forget", "user")["type"], json!(6));
    assert_eq!(option("forget", "user")["required"], json!(true));
    assert_eq!(option("reply", "saved")["autocomplete"], json!(true));
    assert_eq!(option("reply", "saved")["required"], json!(true));
    assert_eq!(bot.sim.commands(Some(demo::GUILD)).len(), 18);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_get_a_polite_refusal_and_never_touch_a_conversation() {
    let bot = Bot::start().await;
    let post = bot
        .forum_post(demo::BOB, "Order #1042", "Where is my scarf?")
        .await;
    for name in STAFF_COMMANDS {
        let options = match name {
            "snooze" => json!({"duration": "2h", "conversation": post.to_string()}),
            "away" => json!({"until": "3d"}),
            "resolve" | "reopen" | "claim" | "unclaim" => {
                json!({"conversation": post.to_string()})
            }
            "assign" => json!({"user": demo::OWNER.to_string(), "conversation": post.to_string()}),
            "followup" => json!({"when": "tomorrow", "conversation": post.to_string()}),
            "note" => json!({"text": "psst", "conversation": post.to_string()}),
            "forget" => json!({"user": demo::BOB.to_string()}),
            "reply" => json!({"saved": "thanks", "conversation": post.to_string()}),
            _ => json!([]),
        };
        let answer = bot.command(demo::ALICE, demo::HELP, name, options).await;
        answer.assert_ephemeral();
        assert!(!answer.deferred(), "/{name}: a refusal is immediate");
        assert_eq!(
            answer.text,
            format!("Sorry, `/{name}` is only for the team. If you need help, just write in the support channel or DM me — and `/status` shows where your messages stand."),
        );
    }
    // Alice tried to resolve Bob's conversation: it still waits, and the owner can see it.
    let status = bot
        .command(demo::OWNER, demo::HELP, "status", json!([]))
        .await;
    assert!(status.text.starts_with("**1 waiting**"), "{}", status.text);
    // Nor was away mode switched on by a customer: Carol's acknowledgement is the usual one.
    let dm = bot.sim.send_dm(demo::CAROL, "Do you gift wrap?").await;
    let channel = bot.sim.dm_channel_of(demo::CAROL).expect("dm channel");
    let ack = bot.wait_ack(channel, dm).await;
    assert!(!ack.contains("away"), "{ack}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_a_customer_only_their_own_conversations_and_staff_the_summary() {
    let bot = Bot::start().await;
    let alice = bot
        .sim
        .post_message(demo::ALICE, demo::HELP, "How much is shipping to Canada?")
        .await;
    bot.wait_ack(demo::HELP, alice).await;
    bot.forum_post(demo::BOB, "Returns", "Can I return a jumper?")
        .await;
    let dm = bot.sim.send_dm(demo::CAROL, "Do you gift wrap?").await;
    let carol_dm = bot.sim.dm_channel_of(demo::CAROL).expect("dm channel");
    bot.wait_ack(carol_dm, dm).await;

    let mine = bot
        .command(demo::ALICE, demo::HELP, "status", json!([]))
        .await;
    mine.assert_ephemeral();
    assert!(
        mine.text.starts_with("**Your open conversations** (1)"),
        "{}",
        mine.text
    );
    assert!(mine.text.contains(&format!("in <#{}>", demo::HELP)));
    assert!(
        mine.text
            .contains("waiting for Sam, who has been notified and will reply as soon as they can"),
        "{}",
        mine.text
    );
    assert!(
        !mine.text.contains("return") && !mine.text.contains("DM"),
        "{}",
        mine.text
    );
    let in_dm = bot
        .command(demo::CAROL, carol_dm, "status", json!([]))
        .await;
    assert!(
        in_dm.text.contains("(1)") && in_dm.text.contains("in our DMs"),
        "{}",
        in_dm.text
    );
    let staff = bot
        .command(demo::OWNER, demo::HELP, "status", json!([]))
        .await;
    staff.assert_ephemeral();
    assert!(
        staff.text.starts_with("**3 waiting** (oldest: ")
            && staff.text.contains("0 over the 1 h reply target"),
        "{}",
        staff.text
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_lists_the_waiting_oldest_first_with_links_a_page_at_a_time() {
    let bot = Bot::start().await;
    let first = bot
        .sim
        .post_message(demo::CAROL, demo::HELP, "Hello, a question about sizes")
        .await;
    bot.wait_ack(demo::HELP, first).await;
    let mut posts = Vec::new();
    for i in 1..=11 {
        posts.push(
            bot.forum_post(
                demo::BOB,
                &format!("Question {i}"),
                &format!("Question {i}?"),
            )
            .await,
        );
    }
    let p1 = bot
        .command(demo::OWNER, demo::HELP, "queue", json!([]))
        .await;
    p1.assert_ephemeral();
    assert!(p1.deferred(), "/queue scans history: it defers, then edits");
    let lines: Vec<&str> = p1.text.lines().collect();
    assert_eq!(lines[0], "**12 waiting**, oldest first · page 1 of 2");
    assert!(
        lines[1].starts_with("1. **carol** · ")
            && lines[1].contains(&format!(
                "<https://discord.com/channels/{}/{}/{first}>",
                demo::GUILD,
                demo::HELP
            ))
            && lines[1].ends_with(&format!("id `{first}`")),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(&format!("/{}/{}>", posts[0], posts[0])),
        "{}",
        lines[2]
    );
    assert_eq!(lines.len(), 12, "header, 10 entries, the next-page hint");
    assert_eq!(lines[11], "More: `/queue page:2`");

    let p2 = bot
        .command(demo::OWNER, demo::HELP, "queue", json!({"page": 2}))
        .await;
    assert!(p2
        .text
        .starts_with("**12 waiting**, oldest first · page 2 of 2"));
    assert!(
        p2.text.contains("12. **bob**") && p2.text.contains(&posts[10].to_string()),
        "{}",
        p2.text
    );
    let beyond = bot
        .command(demo::OWNER, demo::HELP, "queue", json!({"page": 7}))
        .await;
    assert!(
        beyond.text.starts_with("There is no page 7") && beyond.text.contains("`/queue page:2`"),
        "{}",
        beyond.text
    );
    bot.stop().await;
}
