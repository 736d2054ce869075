//! Escalation end to end on an injected clock: the reminders of a long wait also reach the
//! backup person from `escalate_after` on (not before), saying who was reminded already and
//! how long the customer has waited; the backup person counts as staff.

use std::sync::Arc;

use crate::support::{
    command, posts_containing, quiet_period, wait_ack, wait_interaction, wait_post_containing, Bot,
    QUIET,
};
use frontdesk::clock::ManualClock;
use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};
use jiff::SignedDuration;
use serde_json::json;

const BACKUP: u64 = 100_000_000_000_000_150;

async fn start() -> (Simulator, Bot, Arc<ManualClock>, tempfile::TempDir) {
    start_escalating_to(&[BACKUP]).await
}

async fn start_escalating_to(to: &[u64]) -> (Simulator, Bot, Arc<ManualClock>, tempfile::TempDir) {
    let world = World::demo().with_user(SimUser::new(BACKUP, "kim"));
    let sim = Simulator::start(world, SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    let to: Vec<String> = to.iter().map(|id| format!("\"{id}\"")).collect();
    let extra = format!(
        "[reminders]\nescalate_to = [{}]\nescalate_after = \"4h\"\n",
        to.join(", ")
    );
    let bot = Bot::start_with(&sim, &dir.path().join("data"), &extra, clock.clone()).await;
    (sim, bot, clock, dir)
}

/// Messages frontdesk posted in the backup person's DM (none before one is opened).
fn to_backup(sim: &Simulator) -> Vec<frontdesk_sim::SimMessage> {
    sim.dm_channel_of(BACKUP)
        .map(|dm| sim.messages_in(dm))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_reach_the_backup_person_from_the_configured_step_on_and_not_before() {
    let (sim, bot, clock, _dir) = start().await;
    let msg = sim
        .post_message(demo::BOB, demo::HELP, "my parcel never came")
        .await;
    wait_ack(&sim, msg).await;
    wait_post_containing(&sim, "📨 New").await;

    // The 15-minute and 1-hour reminders: the owner only.
    clock.advance(SignedDuration::from_mins(15));
    wait_post_containing(&sim, "⏰ Reminder 1:").await;
    clock.advance(SignedDuration::from_mins(45));
    wait_post_containing(&sim, "⏰ Reminder 2:").await;
    quiet_period(QUIET).await;
    assert!(to_backup(&sim).is_empty(), "not before 4 h");
    assert!(posts_containing(&sim, "⏫").is_empty());

    // 4 hours: the third reminder goes to the owner and to the backup person.
    clock.advance(SignedDuration::from_hours(3));
    wait_post_containing(&sim, "⏰ Reminder 3:").await;
    let escalated = wait_post_containing(&sim, "⏫ Escalated to you").await;
    let dm = sim.dm_channel_of(BACKUP).expect("the backup person's DM");
    assert_eq!(escalated.path, format!("/channels/{dm}/messages"));
    let body = escalated.body.expect("json");
    let text = body["content"].as_str().unwrap_or("");
    assert!(text.contains("**bob**"), "{text}");
    assert!(text.contains("has been waiting 4 h"), "{text}");
    assert!(
        text.contains(&format!(
            "Already reminded: <@{}> (3 reminders so far)",
            demo::OWNER
        )),
        "{text}"
    );
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    assert!(
        body["allowed_mentions"]["users"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "pings nobody: {body}"
    );
    // The owner got the same reminder, without the escalation wording.
    let owner_dm = sim.dm_channel_of(demo::OWNER).expect("owner DM");
    let owner_reminder = sim
        .messages_in(owner_dm)
        .into_iter()
        .filter(|m| m.content.contains("⏰ Reminder 3:"))
        .count();
    assert_eq!(owner_reminder, 1);
    assert_eq!(to_backup(&sim).len(), 1);

    // The backup person counts as staff: commands and buttons work for them.
    let queue = command(&sim, BACKUP, demo::HELP, "queue", json!([])).await;
    assert!(queue.text.contains("bob"), "{}", queue.text);
    let notice = to_backup(&sim)[0].id;
    let click = sim
        .click_button(BACKUP, dm, notice, &format!("fd:answered:{msg}"))
        .await;
    let answer = &wait_interaction(&sim, click).await[0];
    assert!(
        answer["data"]["content"]
            .as_str()
            .is_some_and(|t| t.contains("no more reminders")),
        "{answer}"
    );
    clock.advance(SignedDuration::from_hours(30));
    quiet_period(QUIET).await;
    assert!(posts_containing(&sim, "⏰ Reminder 4:").is_empty());
    assert_eq!(to_backup(&sim).len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_named_as_a_backup_too_gets_the_reminder_once() {
    let (sim, bot, clock, _dir) = start_escalating_to(&[demo::OWNER, BACKUP]).await;
    let msg = sim
        .post_message(demo::BOB, demo::HELP, "my parcel never came")
        .await;
    wait_ack(&sim, msg).await;
    wait_post_containing(&sim, "📨 New").await;
    clock.advance(SignedDuration::from_hours(4));
    wait_post_containing(&sim, "⏫ Escalated to you").await;
    quiet_period(QUIET).await;
    let owner_dm = sim.dm_channel_of(demo::OWNER).expect("owner DM");
    let escalated_to_owner = sim
        .messages_in(owner_dm)
        .into_iter()
        .filter(|m| m.content.contains("⏫"))
        .count();
    assert_eq!(escalated_to_owner, 0, "the owner had the reminder itself");
    assert_eq!(to_backup(&sim).len(), 1);
    bot.stop().await;
}
