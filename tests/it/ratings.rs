//! "How did we do?" end to end: asked once after a staff reply and a resolve, in the
//! conversation's own place, pinging only the customer; answered, changed, locked after 24 h
//! on an injected clock; refused to anyone else; never asked without a staff reply; never sent
//! twice across a SIGKILL; shown in `/stats` and exported.

use std::time::Duration;

use crate::support::{
    command, command_until, customer_asks_owner_replies, posts_containing, quiet_period,
    start_on_a_manual_clock, wait_ack, wait_interaction, wait_owner_notified, wait_owner_replied,
    wait_post_containing, wait_staff_thread, write_demo_config, QUIET, WAIT,
};
use frontdesk_sim::{demo, Simulator};
use jiff::SignedDuration;
use serde_json::{json, Value};

const ASK: &str = "how did we do?";

/// The visible messages in `channel` asking for a rating.
fn requests_in(sim: &Simulator, channel: u64) -> Vec<frontdesk_sim::SimMessage> {
    sim.messages_in(channel)
        .into_iter()
        .filter(|m| m.content.contains(ASK))
        .collect()
}

/// `user` presses rating button `score` on `message`; returns the ephemeral answer's text.
async fn press(
    sim: &Simulator,
    user: u64,
    channel: u64,
    message: u64,
    conv: u64,
    score: u8,
) -> String {
    let click = sim
        .click_button(user, channel, message, &format!("fd:rate{score}:{conv}"))
        .await;
    let answer = &wait_interaction(sim, click).await[0];
    assert_eq!(answer["data"]["flags"], json!(64), "ephemeral: {answer}");
    assert_eq!(
        answer["data"]["allowed_mentions"]["parse"],
        json!([]),
        "{answer}"
    );
    answer["data"]["content"].as_str().unwrap_or("").to_string()
}

/// The owner resolves conversation `id` from #staff, naming it by its id; the answer says it
/// was resolved.
async fn resolve_by_id(sim: &Simulator, id: u64) {
    let resolved = command(
        sim,
        demo::OWNER,
        demo::STAFF,
        "resolve",
        json!({"conversation": id.to_string()}),
    )
    .await;
    assert!(
        resolved.text.starts_with("✅ Resolved"),
        "{}",
        resolved.text
    );
}

/// Bob asks in #help, the owner replies to him, and the owner resolves it by id from #staff.
async fn answered_then_resolved(sim: &Simulator) -> u64 {
    let msg = customer_asks_owner_replies(
        sim,
        demo::BOB,
        "is the blue scarf in stock?",
        "Yes, two left!",
    )
    .await;
    resolve_by_id(sim, msg).await;
    msg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rating_is_asked_once_answered_changed_then_locked_and_refused_to_others() {
    let (sim, bot, clock, dir) = start_on_a_manual_clock("").await;
    let msg = answered_then_resolved(&sim).await;

    let request = wait_post_containing(&sim, ASK).await;
    let body: Value = request.body.expect("json");
    assert_eq!(request.path, format!("/channels/{}/messages", demo::HELP));
    assert_eq!(
        body["message_reference"]["message_id"],
        json!(msg.to_string())
    );
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        body["allowed_mentions"]["users"],
        json!([demo::BOB.to_string()]),
        "pings only the customer"
    );
    let ids: Vec<&str> = body["components"][0]["components"]
        .as_array()
        .expect("a row of buttons")
        .iter()
        .filter_map(|b| b["custom_id"].as_str())
        .collect();
    let expected: Vec<String> = (1..=5).map(|n| format!("fd:rate{n}:{msg}")).collect();
    assert_eq!(ids, expected);
    let shown = requests_in(&sim, demo::HELP);
    assert_eq!(shown.len(), 1);
    let asked = shown[0].id;

    // Someone else: a polite refusal, and nothing stored.
    let refused = press(&sim, demo::ALICE, demo::HELP, asked, msg, 1).await;
    assert!(refused.contains("Only the customer"), "{refused}");
    let thanks = press(&sim, demo::BOB, demo::HELP, asked, msg, 4).await;
    assert!(
        thanks.starts_with("Thank you! You rated us 4/5"),
        "{thanks}"
    );
    clock.advance(SignedDuration::from_hours(23));
    let changed = press(&sim, demo::BOB, demo::HELP, asked, msg, 2).await;
    assert!(changed.contains("now 2/5"), "{changed}");
    // 24 hours after the first answer the rating is final.
    clock.advance(SignedDuration::from_hours(1));
    let locked = press(&sim, demo::BOB, demo::HELP, asked, msg, 5).await;
    assert!(locked.contains("(2/5) is final"), "{locked}");

    // The thank-you reopened nothing, and nobody was asked twice.
    let staff = command_until(&sim, demo::OWNER, demo::HELP, "status", |_| true).await;
    assert!(
        staff.text.starts_with("✅ Nobody is waiting"),
        "{}",
        staff.text
    );
    let stats = command(&sim, demo::OWNER, demo::STAFF, "stats", json!([])).await;
    assert!(
        stats
            .text
            .contains("Customer ratings: average 2.0/5 from 1 (0% gave 4–5)"),
        "{}",
        stats.text
    );
    quiet_period(QUIET).await;
    assert_eq!(posts_containing(&sim, ASK).len(), 1);
    assert_eq!(requests_in(&sim, demo::HELP).len(), 1);
    bot.stop().await;

    // Stored with the conversation, and exported.
    let records = frontdesk::desk::Records::open(&dir.path().join("data")).expect("reopen");
    let mut csv = Vec::new();
    frontdesk::export::export(&records, frontdesk::export::Format::Csv, &mut csv).expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).expect("one row").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    assert_eq!(row[col("rating")], "2");
    assert_eq!(row[col("blocked")], "false");
    let mut jsonl = Vec::new();
    frontdesk::export::export(&records, frontdesk::export::Format::Jsonl, &mut jsonl)
        .expect("jsonl");
    let line: Value =
        serde_json::from_slice(jsonl.split(|b| *b == b'\n').next().expect("line")).expect("json");
    assert_eq!(line["rating"], json!(2));
    assert_eq!(line["rated_at"], json!("2026-11-24T10:00:00Z"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_rating_without_a_staff_reply_and_auto_resolve_asks_in_the_forum_post() {
    let (sim, bot, clock, _dir) = start_on_a_manual_clock("").await;
    // Resolved without any reply: not asked.
    let quiet = sim
        .post_message(demo::CAROL, demo::HELP, "never mind, found it")
        .await;
    wait_ack(&sim, quiet).await;
    wait_owner_notified(&sim, demo::HELP, quiet).await;
    resolve_by_id(&sim, quiet).await;

    // A forum post the owner answered, resolved after a quiet week: asked in the post.
    let post = sim
        .create_forum_post(demo::ALICE, demo::QUESTIONS, "Sizes", "Do you do XL?")
        .await;
    wait_ack(&sim, post).await;
    sim.post_message(demo::OWNER, post, "We do!").await;
    wait_owner_replied(&sim, demo::ALICE, post).await;
    clock.advance(SignedDuration::from_hours(24 * 7 + 1));
    let request = wait_post_containing(&sim, ASK).await;
    assert_eq!(request.path, format!("/channels/{post}/messages"));
    let body = request.body.expect("json");
    assert!(body.get("message_reference").is_none(), "{body}");
    assert_eq!(
        body["allowed_mentions"]["users"],
        json!([demo::ALICE.to_string()])
    );
    quiet_period(QUIET).await;
    assert_eq!(
        posts_containing(&sim, ASK).len(),
        1,
        "Carol was never asked"
    );
    assert!(requests_in(&sim, demo::HELP).is_empty());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratings_off_asks_nobody_and_the_two_choice_form_shows_two_buttons() {
    let (sim, bot, _clock, _dir) = start_on_a_manual_clock("[ratings]\nask = false\n").await;
    let msg = answered_then_resolved(&sim).await;
    quiet_period(QUIET).await;
    assert!(
        posts_containing(&sim, ASK).is_empty(),
        "{msg}: ratings are off"
    );
    bot.stop().await;

    let (sim, bot, _clock, _dir) = start_on_a_manual_clock("[ratings]\nform = \"two\"\n").await;
    let msg = answered_then_resolved(&sim).await;
    let body = wait_post_containing(&sim, ASK).await.body.expect("json");
    let row = &body["components"][0]["components"];
    assert_eq!(row[0]["custom_id"], json!(format!("fd:rate5:{msg}")));
    assert_eq!(row[1]["custom_id"], json!(format!("fd:rate1:{msg}")));
    assert!(row.get(2).is_none(), "{row}");
    bot.stop().await;
}

/// Discord carries out the rating request but its answer never comes back, so frontdesk
/// cannot mark it done; then the process is SIGKILLed. After the restart the request is
/// sent again with the same nonce, which Discord drops: the customer sees it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rating_request_is_never_shown_twice_across_a_sigkill() {
    let sim = crate::support::demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_demo_config(dir.path(), "");
    let mut child = crate::support::spawn_ready(&sim, &config).await;
    let msg = customer_asks_owner_replies(
        &sim,
        demo::BOB,
        "is the blue scarf in stock?",
        "Yes, two left!",
    )
    .await;

    sim.lose_answers(&format!("POST /channels/{}/messages", demo::HELP), 1000);
    resolve_by_id(&sim, msg).await;
    let nonce = json!(format!("q{msg}"));
    sim.wait_for_request(
        |r| r.is("POST", "/messages") && r.body.as_ref().is_some_and(|b| b["nonce"] == nonce),
        WAIT,
    )
    .await
    .expect("the rating request was sent");
    assert_eq!(
        requests_in(&sim, demo::HELP).len(),
        1,
        "Discord carried it out"
    );
    child.0.kill().expect("SIGKILL");
    child.0.wait().expect("reaped");
    sim.clear_faults();

    let since = sim.requests().len();
    let mut child = crate::support::spawn_ready(&sim, &config).await;
    // Sent again after the restart (nothing marked it done), answered this time.
    crate::support::eventually("the request was sent again after the restart", async || {
        sim.requests()[since..]
            .iter()
            .any(|r| {
                r.is("POST", "/messages")
                    && r.status < 300
                    && r.body.as_ref().is_some_and(|b| b["nonce"] == nonce)
            })
            .then_some(())
    })
    .await;
    quiet_period(QUIET).await;
    assert_eq!(requests_in(&sim, demo::HELP).len(), 1, "shown once");
    // A staff reply and another resolve later still ask nobody again.
    let reopened = command(
        &sim,
        demo::OWNER,
        demo::STAFF,
        "reopen",
        json!({"conversation": msg.to_string()}),
    )
    .await;
    assert!(
        reopened.text.starts_with("🔁 Reopened"),
        "{}",
        reopened.text
    );
    sim.post_reply(demo::OWNER, demo::HELP, "Anything else?", msg)
        .await;
    wait_owner_replied(&sim, demo::BOB, demo::HELP).await;
    resolve_by_id(&sim, msg).await;
    quiet_period(Duration::from_millis(500)).await;
    assert_eq!(requests_in(&sim, demo::HELP).len(), 1, "never asked twice");
    crate::support::terminate(&mut child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_conversation_answered_through_its_staff_thread_is_asked_in_the_dm() {
    let (sim, bot, _clock, _dir) = start_on_a_manual_clock("").await;
    let dm = sim.send_dm(demo::CAROL, "Do you gift wrap?").await;
    let carol_dm = sim.dm_channel_of(demo::CAROL).expect("carol's DM");
    wait_ack(&sim, dm).await;
    let thread = wait_staff_thread(&sim).await;
    // The owner answers what they see: the customer's words, relayed into the thread.
    sim.wait_for_message(thread, |m| m.content.contains("gift wrap"), WAIT)
        .await
        .expect("relayed to the staff thread");
    sim.post_message(demo::OWNER, thread, "Yes, for free!")
        .await;
    sim.wait_for_message(carol_dm, |m| m.content.contains("for free"), WAIT)
        .await
        .expect("relayed to Carol");
    // Resolved from inside the staff thread.
    let resolved = command_until(&sim, demo::OWNER, thread, "resolve", |t| {
        t.starts_with("✅ Resolved")
    })
    .await;
    assert!(resolved.text.contains("carol"), "{}", resolved.text);
    let request = wait_post_containing(&sim, ASK).await;
    assert_eq!(request.path, format!("/channels/{carol_dm}/messages"));
    let body = request.body.expect("json");
    assert!(body.get("message_reference").is_none(), "{body}");
    assert_eq!(
        body["allowed_mentions"]["users"],
        json!([demo::CAROL.to_string()])
    );
    let asked = requests_in(&sim, carol_dm)[0].id;
    let thanks = press(&sim, demo::CAROL, carol_dm, asked, dm, 5).await;
    assert!(
        thanks.starts_with("Thank you! You rated us 5/5"),
        "{thanks}"
    );
    bot.stop().await;
}
