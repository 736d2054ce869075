//! The owner's side: notifications with buttons, the staff-channel fallback, and digests.

use std::sync::Arc;

use crate::support::{
    posts_containing, quiet_period, start_on_a_manual_clock, tuesday_morning, wait_ack,
    wait_interaction, wait_post_containing, Bot, QUIET,
};
use frontdesk::clock::ManualClock;
use frontdesk_sim::{demo, Simulator};
use jiff::SignedDuration;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_buttons_snooze_and_mark_answered_for_staff_only() {
    let (sim, bot, clock, _dir) = start_on_a_manual_clock("").await;
    let msg = sim
        .post_message(demo::BOB, demo::HELP, "where is my parcel?")
        .await;
    wait_ack(&sim, msg).await;
    let notice = wait_post_containing(&sim, "📨 New").await;
    let body = notice.body.expect("json");
    let row = &body["components"][0]["components"];
    assert_eq!(row[0]["custom_id"], json!(format!("fd:snooze1h:{msg}")));
    assert_eq!(row[1]["custom_id"], json!(format!("fd:answered:{msg}")));
    assert_eq!(row[2]["custom_id"], json!(format!("fd:claim:{msg}")));
    assert_eq!(row[2]["label"], json!("I'll take it"));
    assert_eq!(row[3]["custom_id"], json!(format!("fd:remindme:{msg}")));
    assert_eq!(row[3]["label"], json!("Remind me"));
    assert_eq!(
        row[4]["url"],
        json!(format!(
            "https://discord.com/channels/{}/{}/{msg}",
            demo::GUILD,
            demo::HELP
        ))
    );
    let dm = sim.dm_channel_of(demo::OWNER).expect("owner DM");
    let notice_id = sim
        .messages_in(dm)
        .last()
        .map(|m| m.id)
        .expect("notice shown");

    // A customer who somehow clicks is refused.
    let click = sim
        .click_button(demo::ALICE, dm, notice_id, &format!("fd:answered:{msg}"))
        .await;
    let answer = &wait_interaction(&sim, click).await[0];
    assert_eq!(answer["data"]["flags"], json!(64));
    assert!(answer["data"]["content"]
        .as_str()
        .is_some_and(|t| t.contains("only the shop's staff")));

    // The owner snoozes: the 15-minute reminder waits for the hour.
    let click = sim
        .click_button(demo::OWNER, dm, notice_id, &format!("fd:snooze1h:{msg}"))
        .await;
    let answer = &wait_interaction(&sim, click).await[0];
    assert!(answer["data"]["content"]
        .as_str()
        .is_some_and(|t| t.contains("pause for an hour")));
    clock.advance(SignedDuration::from_mins(30));
    quiet_period(QUIET).await;
    assert!(posts_containing(&sim, "⏰ Reminder").is_empty(), "snoozed");
    clock.advance(SignedDuration::from_mins(31));
    wait_post_containing(&sim, "⏰ Reminder 1:").await;

    // Mark answered stops the reminders for good.
    let click = sim
        .click_button(demo::OWNER, dm, notice_id, &format!("fd:answered:{msg}"))
        .await;
    let answer = &wait_interaction(&sim, click).await[0];
    assert!(answer["data"]["content"]
        .as_str()
        .is_some_and(|t| t.contains("no more reminders")));
    clock.advance(SignedDuration::from_hours(30));
    quiet_period(QUIET).await;
    assert_eq!(posts_containing(&sim, "⏰ Reminder").len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_owner_dms_fall_back_to_the_staff_channel_pinging_only_the_owner() {
    let sim = crate::support::demo_sim().await;
    sim.set_dm_blocked(demo::OWNER, true);
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start(&sim, &dir.path().join("data")).await;
    let msg = sim
        .post_message(demo::CAROL, demo::HELP, "hello @here")
        .await;
    wait_ack(&sim, msg).await;
    let notice = wait_post_containing(&sim, "📨 New").await;
    assert!(
        notice.path.contains(&demo::STAFF.to_string()),
        "{}",
        notice.path
    );
    let body = notice.body.expect("json");
    assert_eq!(
        body["allowed_mentions"]["users"],
        json!([demo::OWNER.to_string()])
    );
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    assert!(body["content"]
        .as_str()
        .is_some_and(|c| c.starts_with(&format!("<@{}>", demo::OWNER))));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_due_together_arrive_as_one_digest_with_a_row_per_customer() {
    let (sim, bot, clock, _dir) = start_on_a_manual_clock("").await;
    for (who, text) in [
        (demo::ALICE, "question one"),
        (demo::BOB, "question two"),
        (demo::CAROL, "question three"),
    ] {
        let m = sim.post_message(who, demo::HELP, text).await;
        wait_ack(&sim, m).await;
    }
    // The three new conversations reach the owner together, as one digest too.
    let opened = wait_post_containing(&sim, "3 customers need you").await;
    assert_eq!(
        opened.body.as_ref().expect("json")["content"]
            .as_str()
            .map(|c| c.matches("📨 New").count()),
        Some(3)
    );
    clock.advance(SignedDuration::from_mins(16));
    let digest = wait_post_containing(&sim, "⏰ Reminder").await;
    assert!(digest.body.as_ref().expect("json")["content"]
        .as_str()
        .is_some_and(|c| c.starts_with("**3 customers need you**")));
    let body = digest.body.expect("json");
    let rows = body["components"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    let labels: Vec<String> = rows
        .iter()
        .map(|r| {
            r["components"][0]["label"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        labels,
        [
            "Snooze 1 h · alice",
            "Snooze 1 h · bob",
            "Snooze 1 h · carol"
        ]
    );
    assert_eq!(
        posts_containing(&sim, "⏰ Reminder").len(),
        1,
        "one message, not three"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dm_relay_works_both_ways_and_counts_as_the_first_reply() {
    let (sim, bot, _clock, _dir) = start_on_a_manual_clock("").await;
    let dm = sim.send_dm(demo::CAROL, "Do you gift wrap?").await;
    wait_ack(&sim, dm).await;
    let created = sim
        .wait_for_request(
            |r| r.is("POST", &format!("/channels/{}/threads", demo::STAFF)) && r.status < 300,
            crate::support::WAIT,
        )
        .await
        .expect("a private staff thread");
    assert_eq!(created.body.as_ref().expect("json")["type"], json!(12));
    let thread: u64 = created.response.expect("answer")["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("thread id");
    let mirrored = wait_post_containing(&sim, "**carol**: Do you gift wrap?").await;
    assert!(mirrored.path.contains(&thread.to_string()));

    // The owner answers in the thread; Carol gets it in her DM, signed.
    sim.post_message(demo::OWNER, thread, "Yes, and it's free!")
        .await;
    let carol_dm = sim.dm_channel_of(demo::CAROL).expect("carol's DM");
    let relayed = sim
        .wait_for_message(
            carol_dm,
            |m| m.content.starts_with("Yes, and it's free!"),
            crate::support::WAIT,
        )
        .await
        .expect("relayed to the customer");
    assert!(
        relayed.content.ends_with("— Sam, Maple & Thread"),
        "{}",
        relayed.content
    );
    assert_eq!(
        relayed
            .allowed_mentions
            .as_ref()
            .map(|a| a["users"].clone()),
        Some(json!([]))
    );

    // The relayed reply counts as the personal follow-up.
    let status = sim
        .invoke_command(demo::CAROL, carol_dm, "status", json!([]))
        .await;
    let answer = &wait_interaction(&sim, status).await[0];
    let text = answer["data"]["content"].as_str().unwrap_or("");
    assert!(text.contains("Sam has replied"), "{text}");

    // Her answer goes back into the thread.
    sim.send_dm(demo::CAROL, "Lovely, thank you").await;
    wait_post_containing(&sim, "**carol**: Lovely, thank you").await;

    // Anyone but staff writing in the thread is not relayed.
    sim.post_message(demo::ALICE, thread, "psst, carol").await;
    quiet_period(QUIET).await;
    assert!(sim
        .messages_in(carol_dm)
        .iter()
        .all(|m| !m.content.contains("psst")));

    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_past_discords_limits_is_cut_between_customers_with_their_rows() {
    // Seven customers with long names: their reminders make a digest longer than one
    // message (four fit in 2,000 characters) and than five rows of buttons.
    let padding = "n".repeat(300);
    let customers: Vec<u64> = (1..=7).map(|i| 100_000_000_000_000_700 + i).collect();
    let world = customers.iter().fold(frontdesk_sim::World::demo(), |w, c| {
        w.with_user(frontdesk_sim::SimUser::new(*c, &format!("c{c}{padding}")))
    });
    let sim = Simulator::start(world, frontdesk_sim::SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(tuesday_morning()));
    let bot = Bot::start_with(&sim, &dir.path().join("data"), "", clock.clone()).await;
    let mut links = Vec::new();
    for c in &customers {
        let m = sim.post_message(*c, demo::HELP, "a question").await;
        wait_ack(&sim, m).await;
        let link = format!(
            "https://discord.com/channels/{}/{}/{m}",
            demo::GUILD,
            demo::HELP
        );
        links.push((*c, link));
    }
    clock.advance(SignedDuration::from_mins(16));
    let digest = crate::support::eventually("every customer's reminder was posted", async || {
        let posts = posts_containing(&sim, "⏰ Reminder");
        let rows: usize = posts
            .iter()
            .map(|p| {
                p.body
                    .as_ref()
                    .map_or(0, |b| b["components"].as_array().map_or(0, Vec::len))
            })
            .sum();
        (rows >= customers.len()).then_some(posts)
    })
    .await;
    assert!(digest.len() >= 2, "{} messages", digest.len());
    let mut named = Vec::new();
    for post in &digest {
        let body = post.body.as_ref().expect("json");
        let content = body["content"].as_str().expect("content");
        assert!(content.chars().count() <= 2000);
        let rows = body["components"].as_array().expect("rows");
        assert!(!rows.is_empty() && rows.len() <= 5, "{} rows", rows.len());
        let opens: Vec<&str> = rows
            .iter()
            .map(|row| row["components"][4]["url"].as_str().expect("Open"))
            .collect();
        // Each customer named here has their whole paragraph here, ending with their link,
        // and their row of buttons under it.
        let mut here = 0;
        for (customer, link) in &links {
            if content.contains(&format!("(<@{customer}>)")) {
                assert!(content.contains(&format!("\n{link}")), "{content}");
                assert!(opens.contains(&link.as_str()), "{customer}'s row");
                named.push(*customer);
                here += 1;
            }
        }
        assert_eq!(
            opens.len(),
            here,
            "a row for each customer here, and no other"
        );
    }
    named.sort_unstable();
    assert_eq!(named, customers, "each customer once");
    assert!(digest[0].body.as_ref().expect("json")["content"]
        .as_str()
        .is_some_and(|c| c.starts_with("**7 customers need you**")));
    bot.stop().await;
}
