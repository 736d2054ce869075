//! Promises end to end on an injected clock: a staff reply that promises a later answer
//! stops the waiting reminders, reminds the one who promised (in their DM, with their own
//! words) when it falls due, then the owners once it is long overdue, survives a restart
//! and a SIGKILL without a reminder sent twice, and ends when someone on staff posts again.

use std::sync::Arc;

use crate::support::{
    command, command_until, forgetful_sim, in_dm_of, posts_containing, quiet_period,
    sigkill_once_delivered, spawn_logged, wait_ack, wait_owner_notified, wait_post_containing,
    write_demo_config, Bot, QUIET,
};
use frontdesk::clock::{Clock, ManualClock};
use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};
use jiff::SignedDuration;

/// A second member of the Staff role, who is not an owner.
const ANA: u64 = 100_000_000_000_000_150;

const PROMISE: &str = "Let me check with the supplier and I'll get back to you";

async fn sim() -> Simulator {
    let world = World::demo().with_user(SimUser::new(ANA, "ana").with_role(demo::STAFF_ROLE));
    Simulator::start(world, SimConfig::default())
        .await
        .expect("simulator")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promise_reminds_whoever_made_it_then_the_owners_until_someone_posts() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    let bot = Bot::start_with(&sim, &data, "", clock.clone()).await;

    let asked = sim
        .post_message(demo::BOB, demo::HELP, "where is my parcel?")
        .await;
    wait_ack(&sim, asked).await;
    wait_owner_notified(&sim, demo::HELP, asked).await;
    sim.post_reply(ANA, demo::HELP, PROMISE, asked).await;
    command_until(&sim, demo::BOB, demo::HELP, "status", |t| {
        t.contains("has replied")
    })
    .await;

    // The promise is kept in the store: a restart (a new bot on the same data) carries it.
    bot.stop().await;
    let clock = Arc::new(ManualClock::new(clock.now()));
    let bot = Bot::start_with(&sim, &data, "", clock.clone()).await;

    // Answered: no waiting reminders. Not yet due: no promise reminder.
    clock.advance(SignedDuration::from_hours(23));
    quiet_period(QUIET).await;
    assert!(posts_containing(&sim, "⏰ Reminder").is_empty());
    assert!(posts_containing(&sim, "🤝").is_empty());

    // A day of open time after it (the demo is always open): Ana is reminded, in her DM,
    // of her own words, and nobody else is.
    clock.advance(SignedDuration::from_hours(1));
    wait_post_containing(&sim, "🤝 Promise reminder:").await;
    let to_ana = in_dm_of(&sim, ANA, "🤝 Promise reminder:");
    assert_eq!(to_ana.len(), 1, "{to_ana:?}");
    let text = &to_ana[0];
    assert!(text.contains("you promised **bob** an answer"), "{text}");
    assert!(text.contains(&format!("> {PROMISE}")), "{text}");
    assert!(
        text.contains(&format!("/{}/{asked}", demo::HELP)),
        "links the conversation: {text}"
    );
    assert!(
        in_dm_of(&sim, demo::OWNER, "🤝").is_empty(),
        "not the owner's"
    );

    // Then on the reminder schedule; a day past due the owner hears of it too.
    clock.advance(SignedDuration::from_mins(15));
    wait_post_containing(&sim, "🤝 Promise reminder 2:").await;
    clock.advance(SignedDuration::from_hours(28));
    let overdue = wait_post_containing(&sim, "⏫ Overdue promise, reminder 3:").await;
    let owner_dm = sim.dm_channel_of(demo::OWNER).expect("the owner's DM");
    assert_eq!(overdue.path, format!("/channels/{owner_dm}/messages"));
    let text = overdue.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("**ana** (<@"), "{text}");

    // Ana posts her news: the promise is over, nobody is reminded again.
    sim.post_reply(ANA, demo::HELP, "Found it: it ships Monday.", asked)
        .await;
    let reminders = posts_containing(&sim, "🤝").len();
    command_until(&sim, demo::OWNER, demo::STAFF, "queue", |t| {
        !t.contains("on a promise")
    })
    .await;
    clock.advance(SignedDuration::from_hours(48));
    quiet_period(QUIET).await;
    assert_eq!(posts_containing(&sim, "🤝").len(), reminders);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_lists_open_promises_apart() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    let bot = Bot::start_with(&sim, &dir.path().join("data"), "", clock.clone()).await;
    let asked = sim
        .post_message(demo::CAROL, demo::HELP, "do you have linen in blue?")
        .await;
    wait_ack(&sim, asked).await;
    wait_owner_notified(&sim, demo::HELP, asked).await;
    sim.post_reply(ANA, demo::HELP, "I'll look into it and let you know", asked)
        .await;
    let queue = command_until(&sim, demo::OWNER, demo::STAFF, "queue", |t| {
        t.contains("on a promise")
    })
    .await;
    assert!(
        queue.text.starts_with("✅ Nobody is waiting"),
        "{}",
        queue.text
    );
    assert!(
        queue
            .text
            .contains("**1 on a promise**, soonest due first\n• **carol** ·"),
        "{}",
        queue.text
    );
    assert!(queue.text.contains("promised by ana"), "{}", queue.text);
    assert!(queue.text.contains("due in 1 d"), "{}", queue.text);
    bot.stop().await;
}

/// A promise's reminder reaches the owner's DM but its answer is lost, and frontdesk is
/// SIGKILLed before it can mark it done. Discord's nonce memory is assumed gone by the
/// restart (the simulator keeps none): frontdesk reads the DM and does not send it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promise_reminder_delivered_just_before_a_sigkill_is_not_repeated() {
    let sim = forgetful_sim(World::demo()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Always open (the demo has no hours): due two seconds after the promise.
    let config = write_demo_config(dir.path(), "promises = { remind_after = \"2s\" }\n");
    let child = spawn_logged(&sim, &config, dir.path(), 1).await;

    let asked = sim
        .post_message(demo::BOB, demo::HELP, "where is my parcel?")
        .await;
    wait_ack(&sim, asked).await;
    wait_owner_notified(&sim, demo::HELP, asked).await;
    let owner_dm = sim.dm_channel_of(demo::OWNER).expect("the owner's DM");
    let reminders = |sim: &Simulator| {
        sim.messages_in(owner_dm)
            .iter()
            .filter(|m| m.author_id == demo::BOT && m.content.starts_with("🤝 Promise reminder:"))
            .count()
    };
    sim.lose_answers(&format!("/channels/{owner_dm}/messages"), 1);
    sim.post_reply(demo::OWNER, demo::HELP, PROMISE, asked)
        .await;
    // The reminder goes out at the first tick after it fell due.
    let what = "the reminder reached the owner (its answer lost)";
    let delivered = || reminders(&sim) == 1;
    let _child = sigkill_once_delivered(&sim, child, &config, dir.path(), what, delivered).await;
    assert_eq!(reminders(&sim), 1, "the reminder shown once");
}

/// `user` presses `action` on the owner's latest notice about `conversation`; the answer.
async fn press(sim: &Simulator, user: u64, action: &str, conversation: u64) -> String {
    let dm = sim.dm_channel_of(demo::OWNER).expect("owner DM");
    let notice = sim.messages_in(dm).last().map(|m| m.id).expect("a notice");
    let click = sim
        .click_button(user, dm, notice, &format!("fd:{action}:{conversation}"))
        .await;
    let answer = &crate::support::wait_interaction(sim, click).await[0];
    answer["data"]["content"].as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followup_and_remind_me_set_a_promise_for_whoever_asked() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    let bot = Bot::start_with(&sim, &dir.path().join("data"), "", clock.clone()).await;
    let asked = sim
        .post_message(demo::BOB, demo::HELP, "where is my parcel?")
        .await;
    wait_ack(&sim, asked).await;
    wait_owner_notified(&sim, demo::HELP, asked).await;
    let on = |when: &str, note: &str| serde_json::json!({"when": when, "note": note, "conversation": asked.to_string()});

    // A moment it cannot read, or one already past: refused with forms that work.
    let bad = command(&sim, ANA, demo::STAFF, "followup", on("soonish", "")).await;
    assert!(
        bad.text.starts_with(
            "`soonish` isn't a moment I can read. Say when to remind you, e.g. `tomorrow`"
        ),
        "{}",
        bad.text
    );
    let past = command(&sim, ANA, demo::STAFF, "followup", on("today 9:00", "")).await;
    assert!(past.text.contains("is already past"), "{}", past.text);
    // A customer cannot set one.
    let refused = command(&sim, demo::ALICE, demo::HELP, "followup", on("3h", "")).await;
    assert!(
        refused.text.contains("only for the team"),
        "{}",
        refused.text
    );

    let set = command(
        &sim,
        ANA,
        demo::STAFF,
        "followup",
        on("3h", "check the parcel"),
    )
    .await;
    assert!(set.text.starts_with("🤝 I'll remind you"), "{}", set.text);
    assert!(
        set.text.contains("about **bob**'s conversation"),
        "{}",
        set.text
    );
    assert!(
        set.text.ends_with("Your note: “check the parcel”"),
        "{}",
        set.text
    );
    let queue = command_until(&sim, demo::OWNER, demo::STAFF, "queue", |t| {
        t.contains("on a promise")
    })
    .await;
    assert!(
        queue.text.contains("promised by ana just now, due in 3 h"),
        "{}",
        queue.text
    );
    clock.advance(SignedDuration::from_hours(3));
    wait_post_containing(&sim, "🤝 Promise reminder:").await;
    let to_ana = in_dm_of(&sim, ANA, "🤝 Promise reminder:");
    assert_eq!(to_ana.len(), 1, "{to_ana:?}");
    assert!(
        to_ana[0].contains("\n> check the parcel\n"),
        "{}",
        to_ana[0]
    );

    // "Remind me" on the owner's notice: Sam's follow-up replaces Ana's, a day from now.
    let answer = press(&sim, demo::OWNER, "remindme", asked).await;
    assert!(answer.starts_with("🤝 I'll remind you"), "{answer}");
    clock.advance(SignedDuration::from_hours(24));
    wait_post_containing(&sim, "(a follow-up you set, without a note)").await;
    let to_sam = in_dm_of(&sim, demo::OWNER, "🤝 Promise reminder:");
    assert_eq!(to_sam.len(), 1, "{to_sam:?}");
    assert_eq!(in_dm_of(&sim, ANA, "🤝").len(), 1, "Ana's was replaced");
    bot.stop().await;
}
