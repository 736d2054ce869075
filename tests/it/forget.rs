//! `/forget user:` end to end: refused to customers, asks before it deletes, then deletes
//! the customer's conversations, messages and notes (the statistics keep their count), and
//! a restart's catch-up, finding their messages in Discord's history, does not store them
//! again.

use serde_json::json;

use crate::support::{
    command, command_until, quiet_period, start_on_a_manual_clock, wait_ack, wait_interaction,
    wait_owner_notified, Bot, QUIET,
};
use frontdesk::clock::ManualClock;
use frontdesk_sim::demo;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_asks_first_then_deletes_everything_of_the_customer_for_good() {
    let (sim, bot, clock, dir) = start_on_a_manual_clock("").await;
    let asked = sim
        .post_message(
            demo::BOB,
            demo::HELP,
            "where is my parcel? I live at 1 Elm St",
        )
        .await;
    wait_ack(&sim, asked).await;
    wait_owner_notified(&sim, demo::HELP, asked).await;
    command(
        &sim,
        demo::OWNER,
        demo::HELP,
        "note",
        json!({"text": "VIP, ships to Elm St", "conversation": asked.to_string()}),
    )
    .await
    .assert_ephemeral();
    let alice = sim.post_message(demo::ALICE, demo::HELP, "hello").await;
    wait_ack(&sim, alice).await;

    let refused = command(
        &sim,
        demo::ALICE,
        demo::HELP,
        "forget",
        json!({"user": demo::BOB.to_string()}),
    )
    .await;
    assert!(
        refused.text.contains("only for the team"),
        "{}",
        refused.text
    );

    let asked_to = sim
        .invoke_command(
            demo::OWNER,
            demo::HELP,
            "forget",
            json!({"user": demo::BOB.to_string()}),
        )
        .await;
    let answer = wait_interaction(&sim, asked_to).await[0].clone();
    let text = answer["data"]["content"].as_str().unwrap_or("");
    assert!(
        text.contains("1 conversation and 3 messages") && text.contains("cannot be undone"),
        "{text}"
    );
    assert_eq!(answer["data"]["flags"], json!(64), "ephemeral");
    let button = &answer["data"]["components"][0]["components"][0];
    assert_eq!(
        button["custom_id"],
        json!(format!("fd:forget:{}", demo::BOB))
    );
    assert_eq!(button["style"], json!(4), "red: {button}");
    // Nothing is gone before the press.
    let status = command(&sim, demo::OWNER, demo::HELP, "status", json!([])).await;
    assert!(status.text.starts_with("**2 waiting**"), "{}", status.text);

    let confirmation = sim.interaction_message(asked_to).expect("the answer");
    let press = sim
        .click_button(
            demo::OWNER,
            demo::HELP,
            confirmation,
            &format!("fd:forget:{}", demo::BOB),
        )
        .await;
    let done = wait_interaction(&sim, press).await[0].clone();
    assert_eq!(
        done["type"],
        json!(7),
        "the confirmation is replaced: {done}"
    );
    let text = done["data"]["content"].as_str().unwrap_or("");
    assert!(
        text.starts_with("🗑️ Forgotten: 1 conversation and 3 messages"),
        "{text}"
    );
    assert_eq!(done["data"]["components"], json!([]));
    let shown = sim.message(confirmation).expect("still there");
    assert!(shown.components.is_empty() && shown.content.starts_with("🗑️"));
    let status = command(&sim, demo::OWNER, demo::HELP, "status", json!([])).await;
    assert!(status.text.starts_with("**1 waiting**"), "{}", status.text);
    let stats = command(&sim, demo::OWNER, demo::HELP, "stats", json!([])).await;
    assert!(
        stats.text.contains("**2 conversations**"),
        "counted: {}",
        stats.text
    );

    // A new start reads #help's history again: Bob's message is not stored anew.
    bot.stop().await;
    let clock = Arc::new(ManualClock::new(frontdesk::clock::Clock::now(&*clock)));
    let data = dir.path().join("data");
    let bot = Bot::start_with(&sim, &data, "", clock).await;
    quiet_period(QUIET).await;
    command_until(&sim, demo::OWNER, demo::HELP, "status", |t| {
        t.starts_with("**1 waiting**")
    })
    .await;
    bot.stop().await;

    let records = frontdesk::desk::Records::open(&data).expect("reopen");
    let left: Vec<_> = records.conversations().collect();
    assert_eq!(left.len(), 1, "alice's only");
    assert!(left.iter().all(|c| c.customer.0 != demo::BOB));
    let mut jsonl = Vec::new();
    frontdesk::export::export(&records, frontdesk::export::Format::Jsonl, &mut jsonl)
        .expect("jsonl");
    let jsonl = String::from_utf8(jsonl).expect("utf-8");
    assert!(
        !jsonl.contains("Elm St") && !jsonl.contains("bob"),
        "{jsonl}"
    );
}
