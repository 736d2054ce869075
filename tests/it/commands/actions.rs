//! The staff commands that change things: resolve and reopen, snooze, away mode, and the
//! deferred stats report.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_and_reopen_in_a_forum_post_or_by_id_with_clear_errors() {
    let bot = Bot::start().await;
    let post = bot
        .forum_post(demo::BOB, "Order #1042", "My order hasn't arrived")
        .await;

    let resolved = bot.command(demo::OWNER, post, "resolve", json!([])).await;
    resolved.assert_ephemeral();
    assert!(
        resolved
            .text
            .starts_with("✅ Resolved **bob**'s conversation about "),
        "{}",
        resolved.text
    );
    assert!(resolved.text.contains(&format!("(id `{post}`)")));
    let again = bot.command(demo::OWNER, post, "resolve", json!([])).await;
    assert!(
        again.text.ends_with("was already resolved."),
        "{}",
        again.text
    );
    let calm = bot
        .command(demo::OWNER, demo::HELP, "status", json!([]))
        .await;
    assert!(
        calm.text.starts_with("✅ Nobody is waiting"),
        "{}",
        calm.text
    );

    // Reopened by id from another channel; the owners hear about it.
    let reopened = bot
        .command(
            demo::OWNER,
            demo::STAFF,
            "reopen",
            json!({"conversation": post.to_string()}),
        )
        .await;
    assert!(
        reopened
            .text
            .starts_with("🔁 Reopened **bob**'s conversation"),
        "{}",
        reopened.text
    );
    bot.sim
        .wait_for_request(
            |r| {
                r.is("POST", "/messages")
                    && r.body.as_ref().is_some_and(|b| {
                        // Alone, or inside a digest with other notices due at the same moment.
                        b["content"]
                            .as_str()
                            .is_some_and(|c| c.contains("🔁 Reopened: **bob**"))
                    })
            },
            WAIT,
        )
        .await
        .expect("the owner is notified of the reopened conversation");
    let still_open = bot
        .command(
            demo::OWNER,
            demo::HELP,
            "reopen",
            json!({"conversation": post.to_string()}),
        )
        .await;
    assert!(
        still_open.text.contains("still open (waiting)"),
        "{}",
        still_open.text
    );

    // Bad arguments.
    let unknown = bot
        .command(
            demo::OWNER,
            demo::HELP,
            "resolve",
            json!({"conversation": "123456789"}),
        )
        .await;
    unknown.assert_ephemeral();
    assert_eq!(
        unknown.text,
        "No conversation has the id `123456789`. `/queue` shows the id of each waiting conversation."
    );
    let not_an_id = bot
        .command(
            demo::OWNER,
            demo::HELP,
            "resolve",
            json!({"conversation": "bob's order"}),
        )
        .await;
    assert!(
        not_an_id
            .text
            .starts_with("`bob's order` is not a conversation id"),
        "{}",
        not_an_id.text
    );
    let nowhere = bot
        .command(demo::OWNER, demo::HELP, "resolve", json!([]))
        .await;
    assert!(
        nowhere
            .text
            .starts_with("This channel isn't a conversation's thread or forum post")
            && nowhere.text.contains("`/resolve conversation:<id>`"),
        "{}",
        nowhere.text
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snooze_pauses_reminders_and_a_bad_duration_shows_a_good_one() {
    let bot = Bot::start().await;
    let post = bot
        .forum_post(demo::BOB, "Order #1042", "My order hasn't arrived")
        .await;
    let snoozed = bot
        .command(demo::OWNER, post, "snooze", json!({"duration": "2h"}))
        .await;
    snoozed.assert_ephemeral();
    assert!(
        snoozed
            .text
            .starts_with("😴 Snoozed reminders for **bob**'s conversation")
            && (snoozed.text.contains("for 2 h (until today at ")
                || snoozed.text.contains("for 2 h (until tomorrow at ")),
        "{}",
        snoozed.text
    );
    let queue = bot
        .command(demo::OWNER, demo::HELP, "queue", json!([]))
        .await;
    assert!(
        queue.text.contains(", snoozed 1 h 59 min more")
            || queue.text.contains(", snoozed 2 h more"),
        "{}",
        queue.text
    );

    let bad = bot
        .command(demo::OWNER, post, "snooze", json!({"duration": "a bit"}))
        .await;
    bad.assert_ephemeral();
    assert_eq!(
        bad.text,
        "`a bit` isn't a duration I understand. Write a number and a unit, e.g. `/snooze duration:2h` (also 30m, 1d, 1h30m)."
    );
    let by_bad_id = bot
        .command(
            demo::OWNER,
            demo::HELP,
            "snooze",
            json!({"duration": "30m", "conversation": "42"}),
        )
        .await;
    assert!(
        by_bad_id
            .text
            .starts_with("No conversation has the id `42`"),
        "{}",
        by_bad_id.text
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn away_mode_is_reflected_in_acknowledgements_until_switched_off() {
    let bot = Bot::start().await;
    let on = bot
        .command(
            demo::OWNER,
            demo::STAFF,
            "away",
            json!({"until": "3d", "message": "We're at the craft fair."}),
        )
        .await;
    on.assert_ephemeral();
    assert!(
        on.text.starts_with("🏖️ Away mode is on for 3 days (until ")
            && on.text.contains("“We're at the craft fair.”"),
        "{}",
        on.text
    );
    let dm = bot.sim.send_dm(demo::CAROL, "Do you gift wrap?").await;
    let channel = bot.sim.dm_channel_of(demo::CAROL).expect("dm channel");
    let ack = bot.wait_ack(channel, dm).await;
    assert!(
        ack.contains("Sam is away right now") && ack.contains("We're at the craft fair."),
        "{ack}"
    );

    let bad = bot
        .command(
            demo::OWNER,
            demo::STAFF,
            "away",
            json!({"until": "next week"}),
        )
        .await;
    assert!(
        bad.text
            .starts_with("`next week` isn't a duration I understand")
            && bad.text.contains("`/away until:3d`")
            && bad.text.contains("`/away until:off`"),
        "{}",
        bad.text
    );

    let off = bot
        .command(demo::OWNER, demo::STAFF, "away", json!({"until": "off"}))
        .await;
    assert!(off.text.starts_with("👋 Welcome back!"), "{}", off.text);
    let again = bot
        .command(demo::OWNER, demo::STAFF, "away", json!({"until": "off"}))
        .await;
    assert_eq!(again.text, "Away mode was already off.");
    let msg = bot
        .sim
        .post_message(demo::ALICE, demo::HELP, "How much is shipping?")
        .await;
    let ack = bot.wait_ack(demo::HELP, msg).await;
    assert!(!ack.contains("away"), "{ack}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_defers_then_reports_counts_reply_times_and_topics() {
    let bot = Bot::start().await;
    bot.alice_asks_and_the_owner_replies().await;
    bot.forum_post(demo::BOB, "Gifts", "Do you do gift wrapping?")
        .await;

    let stats = bot
        .command(demo::OWNER, demo::STAFF, "stats", json!([]))
        .await;
    stats.assert_ephemeral();
    assert!(
        stats.deferred(),
        "/stats defers, then edits: {:?}",
        stats.bodies
    );
    assert_eq!(
        stats.bodies[1]["allowed_mentions"]["parse"],
        json!([]),
        "the edit pings nobody"
    );
    let lines: Vec<&str> = stats.text.lines().collect();
    assert_eq!(
        lines[0],
        "**2 conversations** in the last 30 days (1 still waiting)"
    );
    assert!(
        lines[1].starts_with("First personal reply (open hours): median "),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], "Answered within the 1 h target: 1 of 1 (100%)");
    assert_eq!(lines[3], "By topic:");
    assert_eq!(lines.len(), 6, "{}", stats.text);
    assert!(
        lines[4..].contains(&"• orders & shipping: 1, median 0s, 100% within target")
            && lines[4..].contains(&"• general: 1, no reply yet"),
        "{}",
        stats.text
    );

    let bad = bot
        .command(demo::OWNER, demo::STAFF, "stats", json!({"days": 0}))
        .await;
    assert_eq!(
        bad.text,
        "`days` must be a whole number from 1 to 365, e.g. `/stats days:7`."
    );
    let week = bot
        .command(demo::OWNER, demo::STAFF, "stats", json!({"days": 7}))
        .await;
    assert!(week.text.contains("in the last 7 days"), "{}", week.text);
    bot.stop().await;
}
