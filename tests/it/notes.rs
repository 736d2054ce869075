//! Internal notes end to end: `/note` in a channel conversation reaches nobody but the team
//! and does not stop the reminders; in a DM's staff thread it is shown there and never
//! relayed to the customer; a note over Discord's limit or from a customer is refused; the
//! transcript and both exports mark it as a note.

use serde_json::{json, Value};

use crate::support::{
    carol_dms, command, posts_containing, quiet_period, start_on_a_manual_clock, wait_ack,
    wait_owner_notified, wait_post_containing, QUIET,
};
use frontdesk_sim::demo;
use jiff::SignedDuration;

const NOTE: &str = "Called him: the parcel is at the depot";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_stays_with_the_team_keeps_the_reminders_going_and_is_exported_as_a_note() {
    let (sim, bot, clock, dir) = start_on_a_manual_clock("").await;
    let asked = sim
        .post_message(demo::BOB, demo::HELP, "where is my parcel?")
        .await;
    wait_ack(&sim, asked).await;
    wait_owner_notified(&sim, demo::HELP, asked).await;
    let in_help = || {
        sim.requests()
            .iter()
            .filter(|r| r.is("POST", &format!("/channels/{}/messages", demo::HELP)))
            .count()
    };
    let before = in_help();

    let conversation = json!(asked.to_string());
    let noted = command(
        &sim,
        demo::OWNER,
        demo::HELP,
        "note",
        json!({"text": NOTE, "conversation": conversation}),
    )
    .await;
    noted.assert_ephemeral();
    assert!(noted.text.starts_with("📝 Note added"), "{}", noted.text);

    // Refused: too long (with the count, nothing cut), and from a customer.
    let long = command(
        &sim,
        demo::OWNER,
        demo::HELP,
        "note",
        json!({"text": "x".repeat(2345), "conversation": conversation}),
    )
    .await;
    assert!(long.text.contains("2345 characters"), "{}", long.text);
    let customer = command(
        &sim,
        demo::ALICE,
        demo::HELP,
        "note",
        json!({"text": "hi", "conversation": conversation}),
    )
    .await;
    assert!(
        customer.text.contains("only for the team"),
        "{}",
        customer.text
    );

    // Not a reply: the first reminder comes as if there were no note.
    clock.advance(SignedDuration::from_mins(15));
    wait_post_containing(&sim, "⏰ Reminder 1:").await;
    quiet_period(QUIET).await;
    assert_eq!(in_help(), before, "nothing posted where the customer reads");
    assert!(
        posts_containing(&sim, NOTE).is_empty(),
        "the note is posted nowhere"
    );
    bot.stop().await;

    let records = frontdesk::desk::Records::open(&dir.path().join("data")).expect("reopen");
    let conv = records.conversations().next().expect("one conversation");
    let notes: Vec<_> = records
        .transcript(&conv)
        .expect("transcript")
        .into_iter()
        .filter(|m| m.speaker == frontdesk::model::Speaker::Note)
        .collect();
    assert_eq!(notes.len(), 1, "stored once: {notes:?}");
    assert_eq!(notes[0].content.as_deref(), Some(NOTE));
    assert_eq!(notes[0].author.0, demo::OWNER);
    let mut jsonl = Vec::new();
    frontdesk::export::export(&records, frontdesk::export::Format::Jsonl, &mut jsonl)
        .expect("jsonl");
    let line: Value =
        serde_json::from_slice(jsonl.split(|b| *b == b'\n').next().expect("line")).expect("json");
    let exported: Vec<&Value> = line["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["speaker"] == json!("note"))
        .collect();
    assert_eq!(exported.len(), 1, "{line}");
    assert_eq!(exported[0]["content"], json!(NOTE));
    assert_eq!(line["notes"], json!(1));
    let mut csv = Vec::new();
    frontdesk::export::export(&records, frontdesk::export::Format::Csv, &mut csv).expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).expect("one row").split(',').collect();
    let notes_col = header.iter().position(|h| *h == "notes").expect("notes");
    assert_eq!(row[notes_col], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_in_a_dms_staff_thread_is_shown_there_and_never_reaches_the_customer() {
    let (sim, bot, _clock, _dir) = start_on_a_manual_clock("").await;
    let thread = carol_dms(&sim, "Do you gift wrap?").await;

    let noted = command(&sim, demo::OWNER, thread, "note", json!({"text": NOTE})).await;
    noted.assert_ephemeral();
    assert!(noted.text.contains("in its staff thread"), "{}", noted.text);
    let shown = wait_post_containing(&sim, NOTE).await;
    assert!(shown.path.contains(&thread.to_string()), "{}", shown.path);
    let text = shown.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.starts_with("📝 **Note** from **Sam**"), "{text}");

    quiet_period(QUIET).await;
    let carol_dm = sim.dm_channel_of(demo::CAROL).expect("carol's DM");
    assert!(sim
        .messages_in(carol_dm)
        .iter()
        .all(|m| !m.content.contains(NOTE)));
    // Still waiting for a personal reply.
    let status = command(&sim, demo::CAROL, carol_dm, "status", json!([])).await;
    assert!(!status.text.contains("has replied"), "{}", status.text);
    bot.stop().await;
}
