//! Customers remembered: a customer who wrote before is welcomed back by the shipped
//! `welcome-back` rule (a first-timer is not), and the owner's notice of their new
//! conversation says which one it is for them and how the last one went.

use serde_json::json;

use crate::support::{command, start_on_a_manual_clock, wait_ack, wait_owner_notified};
use frontdesk::core::REOPEN_WINDOW;
use frontdesk_sim::demo;
use jiff::SignedDuration;

fn content(r: &frontdesk_sim::RecordedRequest) -> String {
    r.body.as_ref().expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_customer_is_welcomed_back_and_the_owner_told_of_the_last_conversation() {
    let (sim, bot, clock, _dir) = start_on_a_manual_clock("").await;
    let first = sim
        .post_message(demo::BOB, demo::HELP, "where is my parcel?")
        .await;
    let ack = content(&wait_ack(&sim, first).await);
    assert!(
        !ack.contains("Welcome back") && !ack.contains("Hi again"),
        "{ack}"
    );
    let notice = content(&wait_owner_notified(&sim, demo::HELP, first).await);
    assert!(!notice.contains("↩️"), "a first conversation: {notice}");
    let resolved = command(
        &sim,
        demo::OWNER,
        demo::HELP,
        "resolve",
        json!({"conversation": first.to_string()}),
    )
    .await;
    resolved.assert_ephemeral();

    // Past the window in which writing again reopens it: a new conversation.
    clock.advance(REOPEN_WINDOW + SignedDuration::from_hours(1));
    let again = sim
        .post_message(demo::BOB, demo::HELP, "hello, me again")
        .await;
    let ack = content(&wait_ack(&sim, again).await);
    assert!(
        ack.contains("Welcome back") || ack.contains("Hi again"),
        "a regular is greeted as one: {ack}"
    );
    let notice = content(&wait_owner_notified(&sim, demo::HELP, again).await);
    assert!(
        notice.contains("↩️ 2nd conversation · last: orders & shipping, resolved "),
        "{notice}"
    );

    // Alice, writing for the first time, is not welcomed back.
    let alice = sim
        .post_message(demo::ALICE, demo::HELP, "hello there")
        .await;
    let ack = content(&wait_ack(&sim, alice).await);
    assert!(
        !ack.contains("Welcome back") && !ack.contains("Hi again"),
        "{ack}"
    );
    bot.stop().await;
}
