//! Claims end to end on an injected clock: "I'll take it" and `/claim` give a conversation a
//! named person (the first claim wins, a second claimer is told who has it), the customer is
//! told once per new holder in the conversation's place, the waiting reminders go to the
//! holder alone until `escalate_after`, `/assign` refuses someone not on staff, two claims
//! at the same moment leave one holder, and the claim survives a restart.

use std::sync::Arc;

use crate::support::{
    command, eventually, forgetful_sim, in_dm_of, posts_containing, quiet_period,
    sigkill_once_delivered, spawn_logged, wait_ack, wait_interaction, wait_owner_notified,
    wait_post_containing, Bot, QUIET,
};
use frontdesk::clock::{Clock, ManualClock};
use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};
use jiff::SignedDuration;
use serde_json::json;

/// A second member of the Staff role, who is not an owner.
const ANA: u64 = 100_000_000_000_000_150;
/// A backup person for `escalate_to`.
const KIM: u64 = 100_000_000_000_000_151;

/// Both `[claimed]` texts the shipped rules rotate between say this.
const TOLD: &str = "your question";

async fn sim() -> Simulator {
    let world = World::demo()
        .with_user(SimUser::new(ANA, "ana").with_role(demo::STAFF_ROLE))
        .with_user(SimUser::new(KIM, "kim"));
    Simulator::start(world, SimConfig::default())
        .await
        .expect("simulator")
}

async fn start(extra: &str) -> (Simulator, Bot, Arc<ManualClock>, tempfile::TempDir) {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    let bot = Bot::start_with(&sim, &dir.path().join("data"), extra, clock.clone()).await;
    (sim, bot, clock, dir)
}

/// Bob asks in #help; returns his message once the owner was notified (it is stored).
async fn bob_asks(sim: &Simulator) -> u64 {
    let asked = sim
        .post_message(demo::BOB, demo::HELP, "where is my parcel?")
        .await;
    wait_ack(sim, asked).await;
    wait_owner_notified(sim, demo::HELP, asked).await;
    asked
}

/// `user` presses `action` on the owner's latest notice about `conversation`; the answer.
async fn press(sim: &Simulator, user: u64, action: &str, conversation: u64) -> String {
    let dm = sim.dm_channel_of(demo::OWNER).expect("owner DM");
    let notice = sim.messages_in(dm).last().map(|m| m.id).expect("a notice");
    let click = sim
        .click_button(user, dm, notice, &format!("fd:{action}:{conversation}"))
        .await;
    let answer = &wait_interaction(sim, click).await[0];
    assert_eq!(answer["data"]["flags"], json!(64), "ephemeral: {answer}");
    answer["data"]["content"].as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ill_take_it_claims_the_customer_is_told_once_and_a_second_claimer_hears_who_has_it() {
    let (sim, bot, _clock, _dir) = start("").await;
    let asked = bob_asks(&sim).await;

    let answer = press(&sim, ANA, "claim", asked).await;
    assert!(answer.starts_with("✋ It's yours"), "{answer}");
    // Told in #help, replying to his question, pinging Bob alone.
    let told = wait_post_containing(&sim, TOLD).await;
    assert_eq!(told.path, format!("/channels/{}/messages", demo::HELP));
    let body = told.body.expect("json");
    let text = body["content"].as_str().unwrap_or("");
    assert!(text.contains(&format!("<@{}>", demo::BOB)), "{text}");
    assert!(text.contains("ana"), "names who has it: {text}");
    assert_eq!(
        body["message_reference"]["message_id"],
        json!(asked.to_string())
    );
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        body["allowed_mentions"]["users"],
        json!([demo::BOB.to_string()])
    );

    // The owner comes second, by button and by command: told who has it, nothing changes.
    let second = press(&sim, demo::OWNER, "claim", asked).await;
    assert!(second.starts_with("**ana** has it already"), "{second}");
    let by_command = command(
        &sim,
        demo::OWNER,
        demo::HELP,
        "claim",
        json!({"conversation": asked.to_string()}),
    )
    .await;
    by_command.assert_ephemeral();
    assert!(
        by_command.text.starts_with("**ana** has it already"),
        "{}",
        by_command.text
    );
    // Ana pressing again changes nothing either.
    assert!(press(&sim, ANA, "claim", asked)
        .await
        .starts_with("✋ It's yours"));
    quiet_period(QUIET).await;
    assert_eq!(posts_containing(&sim, TOLD).len(), 1, "told once");

    // A customer cannot claim.
    let refused = command(
        &sim,
        demo::ALICE,
        demo::HELP,
        "claim",
        json!({"conversation": asked.to_string()}),
    )
    .await;
    assert!(
        refused.text.contains("only for the team"),
        "{}",
        refused.text
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_in_a_forum_post_and_assign_moves_it_telling_the_customer_each_time() {
    let (sim, bot, _clock, _dir) = start("").await;
    let post = sim
        .create_forum_post(demo::BOB, demo::QUESTIONS, "Order #1042", "Where is it?")
        .await;
    wait_ack(&sim, post).await;
    wait_owner_notified(&sim, post, post).await;

    // Run inside the post: no id needed; the customer is told in the post itself.
    let mine = command(&sim, ANA, post, "claim", json!([])).await;
    assert!(mine.text.starts_with("✋ It's yours"), "{}", mine.text);
    let told = wait_post_containing(&sim, TOLD).await;
    assert_eq!(told.path, format!("/channels/{post}/messages"));
    // /queue says who has it; mine:true lists only the caller's.
    let all = command(&sim, demo::OWNER, demo::HELP, "queue", json!([])).await;
    assert!(all.text.contains("**bob** · "), "{}", all.text);
    assert!(all.text.contains(" · ana has it · "), "{}", all.text);
    let mine = json!({"mine": true});
    let anas = command(&sim, ANA, demo::HELP, "queue", mine.clone()).await;
    assert!(anas.text.contains("**bob** · "), "{}", anas.text);
    let owners = command(&sim, demo::OWNER, demo::HELP, "queue", mine).await;
    assert!(!owners.text.contains("bob"), "{}", owners.text);

    // Assigning to a customer is refused, saying why; nothing changes.
    let user = |id: u64| json!([{"name": "user", "type": 6, "value": id.to_string()}]);
    let refused = command(&sim, demo::OWNER, post, "assign", user(demo::ALICE)).await;
    assert!(
        refused.text.contains("isn't on the team"),
        "{}",
        refused.text
    );
    let moved = command(&sim, demo::OWNER, post, "assign", user(demo::OWNER)).await;
    assert!(
        moved.text.contains("has **bob**'s conversation"),
        "{}",
        moved.text
    );
    eventually_told(&sim, 2).await;
    // Unclaim: nobody has it; the customer is not told of that.
    let freed = command(&sim, ANA, post, "unclaim", json!([])).await;
    assert!(freed.text.contains("no longer has"), "{}", freed.text);
    quiet_period(QUIET).await;
    assert_eq!(posts_containing(&sim, TOLD).len(), 2);
    bot.stop().await;
}

/// Waits until the customer was told `n` times.
async fn eventually_told(sim: &Simulator, n: usize) {
    eventually(format!("the customer was told {n} times"), async || {
        (posts_containing(sim, TOLD).len() >= n).then_some(())
    })
    .await;
    assert_eq!(posts_containing(sim, TOLD).len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_conversations_reminders_go_to_its_holder_then_the_owner_after_escalate_after() {
    let extra = format!("[reminders]\nescalate_to = [\"{KIM}\"]\nescalate_after = \"2h\"\n");
    let (sim, bot, clock, _dir) = start(&extra).await;
    let asked = bob_asks(&sim).await;
    assert!(press(&sim, ANA, "claim", asked)
        .await
        .starts_with("✋ It's yours"));

    // 15 minutes and 1 hour: Ana alone.
    clock.advance(SignedDuration::from_mins(15));
    wait_post_containing(&sim, "⏰ Reminder 1:").await;
    clock.advance(SignedDuration::from_mins(45));
    wait_post_containing(&sim, "⏰ Reminder 2:").await;
    quiet_period(QUIET).await;
    assert_eq!(in_dm_of(&sim, ANA, "⏰ Reminder").len(), 2);
    assert!(in_dm_of(&sim, demo::OWNER, "⏰ Reminder").is_empty());
    // The new-customer notice went to the owner as always.
    assert_eq!(in_dm_of(&sim, demo::OWNER, "📨 New").len(), 1);

    // 4 hours, past escalate_after: Ana and the owner (and the backup person).
    clock.advance(SignedDuration::from_hours(3));
    let escalated = wait_post_containing(&sim, "⏫ Escalated to you").await;
    let text = escalated.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        text.contains(&format!("Already reminded: <@{ANA}>, <@{}>", demo::OWNER)),
        "the backup person hears who has it: {text}"
    );
    eventually("the owner reminded", async || {
        (!in_dm_of(&sim, demo::OWNER, "⏰ Reminder 3:").is_empty()).then_some(())
    })
    .await;
    assert_eq!(in_dm_of(&sim, ANA, "⏰ Reminder 3:").len(), 1);
    assert_eq!(in_dm_of(&sim, demo::OWNER, "⏰ Reminder").len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_claims_at_the_same_moment_leave_one_holder_and_it_survives_a_restart() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    let bot = Bot::start_with(&sim, &data, "", clock.clone()).await;
    let asked = bob_asks(&sim).await;

    let options = json!({"conversation": asked.to_string()});
    let (a, b) = tokio::join!(
        sim.invoke_command(ANA, demo::HELP, "claim", options.clone()),
        sim.invoke_command(demo::OWNER, demo::HELP, "claim", options.clone()),
    );
    let text = |id| {
        let sim = &sim;
        async move {
            wait_interaction(sim, id).await[0]["data"]["content"]
                .as_str()
                .unwrap_or("")
                .to_string()
        }
    };
    let (a, b) = (text(a).await, text(b).await);
    let won: Vec<&String> = [&a, &b]
        .into_iter()
        .filter(|t| t.starts_with("✋ It's yours"))
        .collect();
    assert_eq!(won.len(), 1, "one holder: {a} / {b}");
    let (holder, lost, loser) = if a.starts_with("✋") {
        ("ana", &b, demo::OWNER)
    } else {
        ("Sam", &a, ANA)
    };
    assert!(
        lost.starts_with(&format!("**{holder}** has it already")),
        "{lost}"
    );
    quiet_period(QUIET).await;
    assert_eq!(posts_containing(&sim, TOLD).len(), 1, "told once");

    // A new bot on the same data still knows who has it, and tells nobody again.
    bot.stop().await;
    let clock = Arc::new(ManualClock::new(clock.now()));
    let bot = Bot::start_with(&sim, &data, "", clock.clone()).await;
    let again = command(&sim, loser, demo::HELP, "claim", options).await;
    assert!(
        again
            .text
            .starts_with(&format!("**{holder}** has it already")),
        "{}",
        again.text
    );
    quiet_period(QUIET).await;
    assert_eq!(
        posts_containing(&sim, TOLD).len(),
        1,
        "told once across the restart"
    );
    bot.stop().await;
}

/// A reminder that went to the holder alone reached Ana's DM but its answer was lost, and
/// frontdesk is SIGKILLed before it can mark it done. The simulator keeps no nonces (as after
/// a long restart): frontdesk reads the holder's DM, not only the owners', and does not send
/// it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_to_the_holder_delivered_just_before_a_sigkill_is_not_repeated() {
    let world = World::demo().with_user(SimUser::new(ANA, "ana").with_role(demo::STAFF_ROLE));
    let sim = forgetful_sim(world).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // The first reminder five seconds into the wait (the owners hear of a claimed one after
    // 4 h only).
    let config =
        crate::support::write_demo_config(dir.path(), "reminders = { after = [\"5s\"] }\n");
    let child = spawn_logged(&sim, &config, dir.path(), 1).await;

    let asked = bob_asks(&sim).await;
    let taken = command(
        &sim,
        ANA,
        demo::STAFF,
        "claim",
        json!({"conversation": asked.to_string()}),
    )
    .await;
    assert!(taken.text.starts_with("✋ It's yours"), "{}", taken.text);
    wait_post_containing(&sim, TOLD).await;
    // The next message frontdesk posts is the reminder, to Ana alone.
    sim.lose_answers("/messages", 1);
    let reminders = |sim: &Simulator| in_dm_of(sim, ANA, "⏰ Reminder 1:").len();
    let what = "the reminder reached Ana (its answer lost)";
    let delivered = || reminders(&sim) == 1;
    let _child = sigkill_once_delivered(&sim, child, &config, dir.path(), what, delivered).await;
    assert_eq!(reminders(&sim), 1, "the reminder shown to Ana once");
    assert!(
        in_dm_of(&sim, demo::OWNER, "⏰ Reminder").is_empty(),
        "not the owner's yet"
    );
}

/// The bot with Ana a second owner, on a manual clock.
async fn with_ana_an_owner(sim: &Simulator, data: &std::path::Path) -> Bot {
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    Bot::start_custom(sim, data, "", clock, |o| {
        o.config.staff.owners.push(frontdesk::model::UserId(ANA));
    })
    .await
}

/// The third button ("I'll take it") of the first row of the notice `message`.
fn claim_button(sim: &Simulator, message: u64) -> serde_json::Value {
    let notice = sim.message(message).expect("the notice");
    notice.components[0]["components"][2].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_edits_the_other_owners_notice_to_say_who_has_it_and_an_unclaim_undoes_it() {
    // Ana is an owner too: both get the new-customer notice.
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = with_ana_an_owner(&sim, &dir.path().join("data")).await;
    let asked = bob_asks(&sim).await;
    let sim = &sim;
    let notice_of = |user: u64| async move {
        eventually("the owner's notice", async || {
            let dm = sim.dm_channel_of(user)?;
            sim.messages_in(dm).last().map(|m| m.id)
        })
        .await
    };
    let (ours, anas) = (notice_of(demo::OWNER).await, notice_of(ANA).await);
    let take = claim_button(sim, ours);
    assert_eq!(take["label"], json!("I'll take it"), "{take}");
    let sends = sim.requests().len();

    assert!(press(sim, ANA, "claim", asked)
        .await
        .starts_with("✋ It's yours"));
    eventually("the owner's notice shows who has it", async || {
        let held = claim_button(sim, ours);
        (held["label"] == json!("✋ ana has it")).then_some(())
    })
    .await;
    let held = claim_button(sim, ours);
    assert_eq!(held["disabled"], json!(true), "cannot be pressed: {held}");
    assert_eq!(held["custom_id"], take["custom_id"]);
    // Ana's own notice still offers her the buttons; the row's others stay everywhere.
    assert_eq!(claim_button(sim, anas)["label"], json!("I'll take it"));
    let row = &sim.message(ours).expect("notice").components[0]["components"];
    assert_eq!(row[0]["label"], json!("Snooze 1 h"));
    assert_eq!(row.as_array().map(Vec::len), Some(5));
    quiet_period(QUIET).await;
    let new_dms: Vec<_> = sim.requests()[sends..]
        .iter()
        .filter(|r| r.is("POST", "/messages") && !r.path.contains(&demo::HELP.to_string()))
        .map(|r| r.path.clone())
        .collect();
    assert!(new_dms.is_empty(), "no DM was sent: {new_dms:?}");

    // Let go: "I'll take it" is back on the owner's notice.
    let released = command(
        sim,
        ANA,
        demo::HELP,
        "unclaim",
        json!({"conversation": asked.to_string()}),
    )
    .await;
    released.assert_ephemeral();
    eventually("the owner's notice offers it again", async || {
        let again = claim_button(sim, ours);
        (again["label"] == json!("I'll take it") && again["disabled"] != json!(true)).then_some(())
    })
    .await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edit_of_the_notices_outlasts_discord_failing_and_a_restart() {
    let sim = sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let bot = with_ana_an_owner(&sim, &data).await;
    let asked = bob_asks(&sim).await;
    let ours = sim
        .dm_channel_of(demo::OWNER)
        .and_then(|dm| sim.messages_in(dm).last().map(|m| m.id))
        .expect("the owner's notice");
    sim.fail_next("PATCH /channels/", 503, u32::MAX);
    assert!(press(&sim, ANA, "claim", asked)
        .await
        .starts_with("✋ It's yours"));
    eventually("an edit was tried", async || {
        sim.requests()
            .iter()
            .any(|r| r.is("PATCH", &format!("/messages/{ours}")))
            .then_some(())
    })
    .await;
    bot.stop().await;
    assert_eq!(claim_button(&sim, ours)["label"], json!("I'll take it"));

    sim.clear_faults();
    let bot = with_ana_an_owner(&sim, &data).await;
    eventually("the owner's notice shows who has it", async || {
        (claim_button(&sim, ours)["label"] == json!("✋ ana has it")).then_some(())
    })
    .await;
    bot.stop().await;
}
