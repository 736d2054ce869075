//! Never miss a customer: catch-up after downtime, reminders on an injected clock, and a bot
//! process killed for real between storing a conversation and notifying its owner, and
//! between acknowledging a customer and making that durable.

use std::sync::Arc;
use std::time::Duration;

use frontdesk::clock::ManualClock;
use frontdesk_sim::{demo, Simulator};
use jiff::{SignedDuration, Timestamp};

use crate::support::{
    acks_for, demo_sim as sim, eventually, posts_containing, posts_since, quiet_period, responses,
    spawn_frontdesk, spawn_ready, start_on_a_manual_clock, terminate, wait_ack, wait_owner_replied,
    wait_post_containing, write_demo_config, Bot, Child, QUIET, WAIT,
};

/// Waits until the bot read #help's history (its catch-up) in a request from index `since` on.
async fn wait_catch_up_read(sim: &Simulator, since: usize) {
    let path = format!("/channels/{}/messages", demo::HELP);
    eventually("the bot read #help's history", async || {
        sim.requests()[since..]
            .iter()
            .any(|r| r.is("GET", &path) && r.status < 300)
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_who_posted_while_the_bot_was_down_are_acknowledged_once_on_start() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");

    let bot = Bot::start(&sim, &data).await;
    let live = sim
        .post_message(demo::ALICE, demo::HELP, "hello, anyone?")
        .await;
    wait_ack(&sim, live).await;
    let carol_first = sim.send_dm(demo::CAROL, "hi, quick question").await;
    wait_ack(&sim, carol_first).await;
    bot.stop().await;

    // While frontdesk is down: a question, one a staff member answers before it is back,
    // a forum post, and a DM in a DM channel frontdesk knows.
    let missed = sim
        .post_message(demo::BOB, demo::HELP, "Do you ship to Norway?")
        .await;
    let answered = sim
        .post_message(demo::CAROL, demo::HELP, "Are you open on Sunday?")
        .await;
    sim.post_reply(
        demo::OWNER,
        demo::HELP,
        "No, Carol, closed Sundays!",
        answered,
    )
    .await;
    let post = sim
        .create_forum_post(
            demo::ALICE,
            demo::QUESTIONS,
            "Refund",
            "I'd like a refund please",
        )
        .await;
    let dm_after_resolve = sim.send_dm(demo::CAROL, "also, is wrapping free?").await;

    let bot = Bot::start(&sim, &data).await;
    let ack = wait_ack(&sim, missed).await;
    let text = ack.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        text.contains("sorry for the slow answer"),
        "the late rule answers: {text}"
    );
    wait_ack(&sim, post).await;
    // Carol's second DM continues her open DM conversation: stored, not acknowledged again.
    quiet_period(Duration::from_millis(500)).await;
    assert!(acks_for(&sim, dm_after_resolve).is_empty());
    assert!(
        acks_for(&sim, answered).is_empty(),
        "staff already answered it"
    );
    assert_eq!(
        acks_for(&sim, live).len(),
        1,
        "no second ack for what was handled live"
    );
    assert_eq!(acks_for(&sim, missed).len(), 1);
    assert_eq!(acks_for(&sim, post).len(), 1);
    bot.stop().await;

    // And once more: a restart with nothing new acknowledges nothing.
    let before = sim.requests().len();
    let bot = Bot::start(&sim, &data).await;
    wait_catch_up_read(&sim, before).await;
    quiet_period(Duration::from_millis(500)).await;
    bot.stop().await;
    let new_posts = posts_since(&sim, before, "/messages").len();
    assert_eq!(new_posts, 0, "a quiet restart posts nothing");

    let store = frontdesk::store::Store::open(&data).expect("store");
    let conv = store
        .conversation(frontdesk::model::MessageId(answered))
        .expect("read")
        .expect("the answered message has its conversation");
    assert_eq!(conv.state, frontdesk::core::State::Answered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_fire_on_schedule_and_stop_on_a_staff_reply() {
    let (sim, bot, clock, _dir) = start_on_a_manual_clock("").await;
    let msg = sim
        .post_message(demo::BOB, demo::HELP, "my parcel is late")
        .await;
    wait_ack(&sim, msg).await;
    wait_post_containing(&sim, "📨 New").await;

    clock.advance(SignedDuration::from_mins(14));
    quiet_period(QUIET).await;
    assert!(
        posts_containing(&sim, "⏰ Reminder").is_empty(),
        "not before 15 min"
    );

    clock.advance(SignedDuration::from_mins(1));
    let first = wait_post_containing(&sim, "⏰ Reminder 1:").await;
    assert!(first.body.expect("json")["content"]
        .as_str()
        .is_some_and(|c| c.contains("waiting 15 min")));

    clock.advance(SignedDuration::from_mins(45));
    wait_post_containing(&sim, "⏰ Reminder 2:").await;

    sim.post_reply(demo::OWNER, demo::HELP, "Sorry Bob, on its way!", msg)
        .await;
    wait_owner_replied(&sim, demo::BOB, demo::HELP).await;
    clock.advance(SignedDuration::from_hours(5));
    quiet_period(Duration::from_millis(400)).await;
    assert!(
        posts_containing(&sim, "⏰ Reminder 3:").is_empty(),
        "a staff reply stops the reminders"
    );
    assert_eq!(posts_containing(&sim, "⏰ Reminder").len(), 2);
    bot.stop().await;
}

/// The real binary as a child process, killed with SIGKILL.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_killed_between_storing_and_notifying_still_notifies_once_on_restart() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_demo_config(dir.path(), "");
    let mut child = spawn_ready(&sim, &config).await;
    assert!(
        sim.wait_for_identifies(1, WAIT).await,
        "first process connected"
    );

    // The owner's DM channel cannot be opened: the notice stays in the outbox.
    sim.fail_next("POST /users/@me/channels", 503, 1_000);
    let msg = sim
        .post_message(demo::ALICE, demo::HELP, "is the blue scarf in stock?")
        .await;
    wait_ack(&sim, msg).await;
    sim.wait_for_request(
        |r| r.is("POST", "/users/@me/channels") && r.status == 503,
        WAIT,
    )
    .await
    .expect("notice attempted");
    child.0.kill().expect("SIGKILL");
    let _ = child.0.wait();

    sim.clear_faults();
    let mut child = Child(spawn_frontdesk(&config, &sim, std::process::Stdio::null()));
    let notice = wait_post_containing(&sim, "📨 New").await;
    let content = notice.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(content.contains("blue scarf"), "{content}");
    // The second process could still notify or acknowledge again from its outbox.
    quiet_period(Duration::from_millis(800)).await;
    child.0.kill().expect("stop");
    let _ = child.0.wait();
    assert_eq!(
        posts_containing(&sim, "📨 New").len(),
        1,
        "notified exactly once"
    );
    assert_eq!(acks_for(&sim, msg).len(), 1, "acknowledged exactly once");
}

/// Discord's history is the log: the bot acknowledges before its conversation is durable.
/// Killed in that window (flushes 10 s apart, the acknowledgement's answer lost on the way
/// back so no delivery mark flushes either), the conversation is gone from disk; the restarted
/// bot finds the message and its own acknowledgement in the history, rebuilds the
/// conversation, notifies the owner once, and does not acknowledge again.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_killed_after_acknowledging_before_flushing_rebuilds_from_history() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_demo_config(dir.path(), "flush_every_ms = 10000\n");
    let mut child = spawn_ready(&sim, &config).await;
    // The first catch-up (on READY) finds nothing; the customer posts after it read #help.
    wait_catch_up_read(&sim, 0).await;

    sim.lose_answers(&format!("POST /channels/{}/messages", demo::HELP), 1);
    let msg = sim
        .post_message(
            demo::ALICE,
            demo::HELP,
            "do you ship the linen apron to Norway?",
        )
        .await;
    wait_ack(&sim, msg).await;
    child.0.kill().expect("SIGKILL");
    let _ = child.0.wait();

    {
        let store = frontdesk::store::Store::open(&dir.path().join("data")).expect("reopen");
        assert_eq!(
            store
                .conversation_of_message(frontdesk::model::MessageId(msg))
                .expect("read"),
            None,
            "the kill lost the unflushed conversation (the situation under test)"
        );
    }

    let mut child = Child(spawn_frontdesk(&config, &sim, std::process::Stdio::null()));
    let notice = wait_post_containing(&sim, "📨 New").await;
    let content = notice.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(content.contains("linen apron"), "{content}");
    // A graceful stop, so what the second process rebuilt is flushed and can be checked.
    terminate(&mut child);
    assert_eq!(
        posts_containing(&sim, "📨 New").len(),
        1,
        "the owner is notified exactly once"
    );
    assert_eq!(acks_for(&sim, msg).len(), 1, "acknowledged exactly once");
    let store = frontdesk::store::Store::open(&dir.path().join("data")).expect("reopen");
    assert!(
        store
            .conversation_of_message(frontdesk::model::MessageId(msg))
            .expect("read")
            .is_some(),
        "the conversation was rebuilt and stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_quiet_hours_defer_reminders_to_the_morning() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let start: Timestamp = "2026-11-24T21:50:00Z".parse().expect("time");
    let clock = Arc::new(ManualClock::new(start));
    let extra = "[reminders]\nquiet_hours = \"22:00-07:00\"\n";
    let bot = Bot::start_with(&sim, &dir.path().join("data"), extra, clock.clone()).await;
    let msg = sim
        .post_message(demo::BOB, demo::HELP, "late-night question")
        .await;
    wait_ack(&sim, msg).await;
    wait_post_containing(&sim, "📨 New").await;
    clock.advance(SignedDuration::from_mins(20));
    quiet_period(Duration::from_millis(400)).await;
    assert!(
        posts_containing(&sim, "⏰ Reminder").is_empty(),
        "quiet at 22:10"
    );
    clock.set("2026-11-25T07:00:00Z".parse().expect("time"));
    let reminder = wait_post_containing(&sim, "⏰ Reminder 1:").await;
    assert!(reminder.body.expect("json")["content"]
        .as_str()
        .is_some_and(|c| c.contains("waiting 9 h 10 min")));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_merged_acknowledgement_a_restart_without_the_store_acknowledges_nobody_again() {
    // Discord's 5 per 5 s: of fifteen customers at once, ten are still waiting when the
    // second window opens, which has room for five.
    let (sim, customers) = crate::support::sim_with_customers(200_000_000_000_000_000, 15).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start(&sim, &dir.path().join("first")).await;
    let mut posted = Vec::new();
    for c in &customers {
        posted.push(sim.post_message(*c, demo::HELP, "a question").await);
    }
    for id in &posted {
        wait_ack(&sim, *id).await;
    }
    let merged: Vec<u64> = sim
        .messages_in(demo::HELP)
        .iter()
        .filter(|m| m.author_id == demo::BOT)
        .map(crate::support::acked_by_message)
        .filter(|covered| covered.len() > 1)
        .flatten()
        .collect();
    assert!(!merged.is_empty(), "some acknowledgements went out merged");
    bot.stop().await;

    // The store is gone: only Discord's history says who was answered. Catch-up must read
    // the merged acknowledgement's links as answers, as it reads replies.
    let before = sim.requests().len();
    let bot = Bot::start(&sim, &dir.path().join("second")).await;
    wait_catch_up_read(&sim, before).await;
    // A wrong acknowledgement would go out after the catch-up, possibly in the next 5 s
    // rate-limit window's share.
    quiet_period(Duration::from_millis(1500)).await;
    bot.stop().await;
    let again = ack_texts_since(&sim, before);
    assert!(again.is_empty(), "acknowledged again: {again:?}");
    for id in &posted {
        let acks = acks_for(&sim, *id);
        assert_eq!(
            acks.len(),
            1,
            "message {id}: {:?}",
            acks.iter()
                .map(|r| (r.path.clone(), r.body_text.clone(), r.status))
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_acknowledgement_discord_accepted_but_never_marked_done_is_not_sent_again() {
    use frontdesk::desk::{Arrival, Desk};
    use frontdesk::discord::outbound::{merged_acks, AckLine};
    use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};

    let (sim, customers) = crate::support::sim_with_customers(200_000_000_000_000_000, 6).await;
    let mut posted = Vec::new();
    for c in &customers {
        posted.push(sim.post_message(*c, demo::HELP, "a question").await);
    }
    // The state a crash leaves when it strikes after Discord accepted a merged
    // acknowledgement and before the outbox entries were marked done: the conversations are
    // stored with their acknowledgements pending, and the merged message is in the channel.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut texts = Vec::new();
    {
        let config = frontdesk::demo::demo_config(&data, &responses(), "");
        let rules = frontdesk::responses::Rules::load_dir(&responses()).expect("rules");
        let desk = Desk::new(
            frontdesk::store::Store::open(&data).expect("store"),
            &config,
            rules,
        );
        let now = Timestamp::now();
        for (id, c) in posted.iter().zip(&customers) {
            let msg = Incoming {
                id: MessageId(*id),
                place: Place::Channel {
                    guild: GuildId(demo::GUILD),
                    channel: ChannelId(demo::HELP),
                    thread: None,
                },
                author: Author {
                    id: UserId(*c),
                    name: format!("customer{c}"),
                    bot: false,
                    roles: Vec::new(),
                },
                content: Some("a question".into()),
                reply_to: None,
                at: now,
                tags: Vec::new(),
            };
            desk.handle_message(&msg, UserId(demo::BOT), now, Arrival::Live)
                .expect("stored");
        }
        for p in desk.store().pending().expect("pending") {
            if let frontdesk::store::OutboxItem::Ack { text, .. } = p.record.item {
                texts.push(text);
            }
        }
    }
    assert_eq!(
        texts.len(),
        customers.len(),
        "every acknowledgement pending"
    );
    let lines: Vec<AckLine<'_>> = posted
        .iter()
        .zip(&customers)
        .zip(&texts)
        .map(|((id, c), text)| AckLine {
            guild: demo::GUILD,
            channel: ChannelId(demo::HELP),
            message: MessageId(*id),
            customer: UserId(*c),
            text,
        })
        .collect();
    for merged in merged_acks(&lines) {
        let content = merged.body["content"].as_str().expect("content");
        sim.post_message(demo::BOT, demo::HELP, content).await;
    }

    let before = sim.requests().len();
    let bot = Bot::start(&sim, &data).await;
    wait_catch_up_read(&sim, before).await;
    // Nothing outside says the bot matched its pending acknowledgements to the history; give
    // it the time to send one again if it would.
    quiet_period(Duration::from_millis(2000)).await;
    bot.stop().await;
    let again = ack_texts_since(&sim, before);
    assert!(again.is_empty(), "acknowledged again: {again:?}");
    let store = frontdesk::store::Store::open(&data).expect("store");
    let left: Vec<_> = store
        .pending()
        .expect("pending")
        .into_iter()
        .filter(|p| matches!(p.record.item, frontdesk::store::OutboxItem::Ack { .. }))
        .collect();
    assert!(left.is_empty(), "acknowledgements marked done: {left:?}");
}

/// The texts of successful posts into #help from request index `since` on.
fn ack_texts_since(sim: &Simulator, since: usize) -> Vec<String> {
    posts_since(sim, since, &format!("/channels/{}/messages", demo::HELP))
        .into_iter()
        .map(|r| r.body_text)
        .collect()
}
