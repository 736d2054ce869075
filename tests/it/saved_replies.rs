//! `/reply saved:` end to end: the names are suggested as they are typed, a saved reply run
//! in a DM's staff thread reaches the customer's DM signed by whoever sent it and counts as
//! the personal reply, and an unknown name is answered with the list.

use serde_json::json;

use crate::support::{
    carol_dms, command, start_on_a_manual_clock, wait_interaction, wait_post_containing,
};
use frontdesk_sim::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_reply_from_the_staff_thread_reaches_the_dm_signed_by_its_sender() {
    let (sim, bot, _clock, _dir) = start_on_a_manual_clock("").await;
    let thread = carol_dms(&sim, "When do you ship?").await;

    // Suggested as it is typed.
    let typing = sim
        .type_option(demo::OWNER, thread, "reply", "saved", "ship")
        .await;
    let suggested = wait_interaction(&sim, typing).await[0].clone();
    assert_eq!(suggested["type"], json!(8), "{suggested}");
    assert_eq!(
        suggested["data"]["choices"],
        json!([{"name": "shipping-times", "value": "shipping-times"}])
    );

    let unknown = command(
        &sim,
        demo::OWNER,
        thread,
        "reply",
        json!({"saved": "shiping"}),
    )
    .await;
    assert!(
        unknown.text.contains("no saved reply named") && unknown.text.contains("`shipping-times`"),
        "{}",
        unknown.text
    );

    let sent = command(
        &sim,
        demo::OWNER,
        thread,
        "reply",
        json!({"saved": "shipping-times"}),
    )
    .await;
    sent.assert_ephemeral();
    assert!(
        sent.text.starts_with("↩️ Sent to **carol**"),
        "{}",
        sent.text
    );
    let carol_dm = sim.dm_channel_of(demo::CAROL).expect("carol's DM");
    let reached = sim
        .wait_for_message(
            carol_dm,
            |m| {
                m.content
                    .starts_with("Hi carol! Orders ship within two working days")
            },
            crate::support::WAIT,
        )
        .await
        .expect("in her DM");
    assert!(
        reached.content.ends_with("\n— Sam, Maple & Thread"),
        "{}",
        reached.content
    );
    // Shown in the staff thread too, where the team follows her conversation.
    let shown = wait_post_containing(&sim, "↩️ **Sam** replied").await;
    assert!(shown.path.contains(&thread.to_string()), "{}", shown.path);
    // The personal reply: Carol's /status says so.
    let status = command(&sim, demo::CAROL, carol_dm, "status", json!([])).await;
    assert!(status.text.contains("Sam has replied"), "{}", status.text);
    bot.stop().await;
}
