//! Blocking end to end: `/block`, `/blocked`, `/unblock`; a blocked user's messages in a
//! channel, a forum and a DM get no acknowledgement, notice, relay or reminder, and are stored,
//! marked, as evidence. And a customer who floods a channel stays one conversation.

use crate::support::{
    acks_for, command, posts_containing, posts_since, quiet_period, start_on_a_manual_clock,
    wait_ack, wait_owner_notified, wait_post_containing, QUIET,
};
use frontdesk::model::{MessageId, UserId};
use frontdesk_sim::demo;
use jiff::SignedDuration;
use serde_json::json;

fn user_option(name: &str, user: u64) -> serde_json::Value {
    json!({"name": name, "type": 6, "value": user.to_string()})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_user_gets_no_ack_notice_relay_or_reminder_and_the_evidence_is_stored() {
    let (sim, bot, clock, dir) = start_on_a_manual_clock("").await;
    let first = sim
        .post_message(demo::BOB, demo::HELP, "you people are useless")
        .await;
    wait_ack(&sim, first).await;
    wait_owner_notified(&sim, demo::HELP, first).await;

    let blocked = command(
        &sim,
        demo::OWNER,
        demo::STAFF,
        "block",
        json!([user_option("user", demo::BOB), {"name": "reason", "type": 3, "value": "abuse"}]),
    )
    .await;
    blocked.assert_ephemeral();
    assert!(
        blocked.text.starts_with(&format!(
            "🚫 Blocked <@{}>. Their open conversation was resolved quietly.",
            demo::BOB
        )),
        "{}",
        blocked.text
    );
    let list = command(&sim, demo::OWNER, demo::STAFF, "blocked", json!([])).await;
    assert!(
        list.text
            .contains(&format!("<@{}> by <@{}>", demo::BOB, demo::OWNER))
            && list.text.ends_with(": abuse"),
        "{}",
        list.text
    );

    let since = sim.requests().len();
    let threads = sim.threads().len();
    let follow_up = sim
        .post_message(demo::BOB, demo::HELP, "answer me!!!")
        .await;
    let post = sim
        .create_forum_post(demo::BOB, demo::QUESTIONS, "Useless", "still waiting")
        .await;
    let dm = sim.send_dm(demo::BOB, "hello??").await;
    // A customer writing at the same time is answered as usual: the bot is working.
    let alice = sim
        .post_message(demo::ALICE, demo::HELP, "do you ship to Canada?")
        .await;
    wait_ack(&sim, alice).await;
    wait_owner_notified(&sim, demo::HELP, alice).await;
    clock.advance(SignedDuration::from_hours(30));
    wait_post_containing(&sim, "⏰ Reminder 1: **alice**").await;
    quiet_period(QUIET).await;
    for id in [first, follow_up, post, dm] {
        assert_eq!(acks_for(&sim, id).len(), usize::from(id == first), "{id}");
    }
    let bob = format!("<@{}>", demo::BOB);
    let about_bob: Vec<_> = posts_since(&sim, since, "/messages")
        .into_iter()
        .filter(|r| {
            r.body.as_ref().is_some_and(|b| {
                b["content"].as_str().is_some_and(|c| c.contains(&bob))
                    || b["message_reference"]["message_id"]
                        .as_str()
                        .is_some_and(|m| {
                            [follow_up, post, dm]
                                .map(|i| i.to_string())
                                .contains(&m.to_string())
                        })
            })
        })
        .collect();
    assert!(about_bob.is_empty(), "nothing about Bob: {about_bob:?}");
    assert_eq!(
        sim.threads().len(),
        threads + 1,
        "only Bob's forum post; no relay thread"
    );
    assert!(posts_containing(&sim, "⏰ Reminder 1: **bob**").is_empty());
    assert!(posts_containing(&sim, "how did we do?").is_empty());

    // Unblocked, Bob is answered again.
    let unblocked = command(
        &sim,
        demo::OWNER,
        demo::STAFF,
        "unblock",
        json!([user_option("user", demo::BOB)]),
    )
    .await;
    assert!(
        unblocked.text.starts_with("✅ Unblocked"),
        "{}",
        unblocked.text
    );
    let again = sim
        .post_message(demo::BOB, demo::HELP, "sorry, my order?")
        .await;
    wait_ack(&sim, again).await;
    bot.stop().await;

    // The evidence: every message stored, in conversations marked blocked.
    let store = frontdesk::store::Store::open(&dir.path().join("data")).expect("reopen");
    for id in [first, follow_up, post, dm] {
        assert!(
            store.is_claimed(MessageId(id)).expect("read"),
            "{id} stored"
        );
    }
    let convs = store
        .customer_conversations(UserId(demo::BOB))
        .expect("read");
    let texts: Vec<String> = convs
        .iter()
        .filter(|c| c.blocked)
        .flat_map(|c| store.messages(c).expect("read"))
        .filter_map(|m| m.content)
        .collect();
    for text in [
        "you people are useless",
        "answer me!!!",
        "still waiting",
        "hello??",
    ] {
        assert!(texts.iter().any(|t| t == text), "{text} kept: {texts:?}");
    }
    assert!(convs.iter().all(|c| c.rating.is_none()));
}

/// Posted as fast as the simulator takes them (the point is counting, not timing), against the
/// real binary, which a SIGTERM stops before the store is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_messages_in_a_minute_stay_one_conversation_with_one_ack_and_one_notice() {
    let sim = crate::support::demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = crate::support::write_demo_config(dir.path(), "");
    let mut child = crate::support::spawn_ready(&sim, &config).await;
    let mut sent = Vec::new();
    for i in 0..100 {
        sent.push(
            sim.post_message(demo::CAROL, demo::HELP, &format!("hello? ({i})"))
                .await,
        );
    }
    // Handlers run concurrently: whichever message is handled first opens the conversation.
    // The request log is read once per look: it is large, and there are 100 ids to check.
    let acked = || -> Vec<u64> {
        let requests = sim.requests();
        sent.iter()
            .flat_map(|id| {
                requests
                    .iter()
                    .filter(|r| r.is("POST", "/messages") && r.status < 300)
                    .filter(|r| crate::support::acked_by_request(r).contains(id))
                    .map(|_| *id)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let opener = crate::support::eventually("one of them was acknowledged", async || {
        acked().first().copied()
    })
    .await;
    wait_owner_notified(&sim, demo::HELP, opener).await;
    quiet_period(QUIET).await;
    assert_eq!(acked(), [opener], "one acknowledgement");
    assert_eq!(posts_containing(&sim, "**carol**").len(), 1, "one notice");
    crate::support::terminate(&mut child);

    let store = frontdesk::store::Store::open(&dir.path().join("data")).expect("reopen");
    let convs = store
        .customer_conversations(UserId(demo::CAROL))
        .expect("read");
    assert_eq!(convs.len(), 1, "one conversation");
    assert_eq!(convs[0].id, MessageId(opener));
    assert_eq!(convs[0].customer_messages, 100);
    for id in &sent {
        assert!(
            store.is_claimed(MessageId(*id)).expect("read"),
            "{id} stored"
        );
    }
}
