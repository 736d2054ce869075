//! End to end: the real serenity client and frontdesk against the loopback Discord simulator.
//! Every request body frontdesk sends is validated against Discord's OpenAPI description.

use std::time::Duration;

use crate::support::{acks_for, quiet_period, wait_ack, wait_owner_replied, Bot, QUIET, WAIT};
use frontdesk_sim::{demo, RateLimit, SimConfig, Simulator, World};
use serde_json::json;

/// A simulator with the demo world, the bot started on a fresh database.
async fn start(cfg: SimConfig) -> (Bot, tempfile::TempDir) {
    start_adjusted(cfg, |_| {}).await
}

/// The same, with a last say on the bot's options (its config included).
async fn start_adjusted(
    cfg: SimConfig,
    adjust: impl FnOnce(&mut frontdesk::app::BotOptions),
) -> (Bot, tempfile::TempDir) {
    let sim = Simulator::start(World::demo(), cfg)
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = std::sync::Arc::new(frontdesk::clock::SystemClock);
    let bot = Bot::start_custom(&sim, &dir.path().join("data"), "", clock, adjust).await;
    (bot, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_is_acknowledged_once_pinging_only_them_and_the_owner_is_notified() {
    let (bot, _dir) = start(SimConfig::default()).await;
    let msg = bot
        .sim
        .post_message(
            demo::ALICE,
            demo::HELP,
            "Hi! How much is shipping to Canada? @everyone",
        )
        .await;
    let ack = wait_ack(&bot.sim, msg).await;
    let body = ack.body.clone().expect("json");
    assert_eq!(
        body["allowed_mentions"],
        json!({"parse": [], "users": [demo::ALICE.to_string()], "roles": [], "replied_user": false})
    );
    assert_eq!(body["nonce"], json!(format!("a{msg}")));
    assert_eq!(body["enforce_nonce"], json!(true));
    let text = body["content"].as_str().expect("content");
    assert!(text.contains(&format!("<@{}>", demo::ALICE)), "{text}");
    assert!(text.contains("Sam"), "{text}");
    assert!(ack.path.contains(&demo::HELP.to_string()));

    // The owner gets a DM naming the customer, the topic and a link.
    let dm = bot
        .sim
        .wait_for_request(
            |r| {
                r.is("POST", "/messages")
                    && r.body.as_ref().is_some_and(|b| {
                        b["content"].as_str().is_some_and(|c| c.contains("📨 New"))
                    })
            },
            WAIT,
        )
        .await
        .expect("owner notified");
    assert_eq!(
        bot.sim
            .dm_channel_of(demo::OWNER)
            .map(|c| dm.path.contains(&c.to_string())),
        Some(true),
        "the notice went to the owner's DM: {}",
        dm.path
    );
    let notice = dm.body.expect("json");
    let content = notice["content"].as_str().unwrap_or("");
    assert!(content.contains("orders & shipping"), "{content}");
    assert!(
        content.contains(&format!("/{}/{}/{msg}", demo::GUILD, demo::HELP)),
        "{content}"
    );
    assert!(
        content.contains("@\u{200B}everyone"),
        "excerpt neutralised: {content}"
    );
    assert_eq!(notice["allowed_mentions"]["users"], json!([]));

    // A follow-up in the same conversation is stored, not acknowledged again.
    let again = bot
        .sim
        .post_message(demo::ALICE, demo::HELP, "hello?")
        .await;
    quiet_period(Duration::from_millis(500)).await;
    assert!(
        acks_for(&bot.sim, again).is_empty(),
        "no second acknowledgement"
    );
    assert_eq!(
        acks_for(&bot.sim, msg).len(),
        1,
        "exactly one acknowledgement"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_bots_and_frontdesk_itself_are_never_acknowledged() {
    let (bot, _dir) = start(SimConfig::default()).await;
    let staff = bot
        .sim
        .post_message(demo::OWNER, demo::HELP, "Morning everyone!")
        .await;
    // A customer message afterwards proves the handler ran past the staff one.
    let customer = bot
        .sim
        .post_message(demo::BOB, demo::HELP, "hi there")
        .await;
    wait_ack(&bot.sim, customer).await;
    assert!(acks_for(&bot.sim, staff).is_empty());
    let own_messages = bot
        .sim
        .messages_in(demo::HELP)
        .into_iter()
        .filter(|m| m.author_id == demo::BOT)
        .count();
    assert_eq!(
        own_messages, 1,
        "frontdesk's own ack did not trigger another ack"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_reply_answers_the_conversation_and_a_forum_post_and_dm_are_acknowledged() {
    let (bot, _dir) = start(SimConfig::default()).await;
    let post = bot
        .sim
        .create_forum_post(
            demo::BOB,
            demo::QUESTIONS,
            "Order #1042",
            "My order hasn't arrived",
        )
        .await;
    let forum_ack = bot
        .sim
        .wait_for_request(
            |r| r.is("POST", &format!("/channels/{post}/messages")) && r.status < 300,
            WAIT,
        )
        .await
        .expect("forum post acknowledged in its thread");
    assert!(forum_ack.body.expect("json")["content"]
        .as_str()
        .is_some_and(|c| c.contains(&format!("<@{}>", demo::BOB))));

    let dm = bot
        .sim
        .send_dm(demo::CAROL, "Do you do gift wrapping?")
        .await;
    wait_ack(&bot.sim, dm).await;

    bot.sim
        .post_message(demo::OWNER, post, "It ships tomorrow, Bob!")
        .await;
    let answer = wait_owner_replied(&bot.sim, demo::BOB, demo::HELP).await;
    let reply = &answer.bodies[0];
    assert_eq!(reply["data"]["flags"], json!(64), "ephemeral");
    let text = reply["data"]["content"].as_str().unwrap_or("");
    assert!(text.contains("Sam has replied"), "{text}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_server_errors_delay_acknowledgements_but_never_lose_them() {
    let cfg = SimConfig {
        rate_limit: Some(RateLimit {
            limit: 2,
            window: Duration::from_millis(1500),
        }),
        ..SimConfig::default()
    };
    let (bot, _dir) = start(cfg).await;
    bot.sim.fail_next("POST /channels/", 429, 1);
    bot.sim.fail_next("POST /channels/", 503, 2);
    let customers = [demo::ALICE, demo::BOB, demo::CAROL];
    let mut posted = Vec::new();
    for (i, c) in customers.iter().enumerate() {
        posted.push(
            bot.sim
                .post_message(*c, demo::HELP, &format!("question number {i}"))
                .await,
        );
    }
    for m in &posted {
        wait_ack(&bot.sim, *m).await;
    }
    quiet_period(QUIET).await;
    for m in &posted {
        assert_eq!(
            acks_for(&bot.sim, *m).len(),
            1,
            "message {m}: exactly one ack"
        );
    }
    let requests = bot.sim.requests();
    assert!(
        requests.iter().any(|r| r.status == 503),
        "server errors were injected"
    );
    assert!(
        requests.iter().any(|r| r.status == 429),
        "a rate limit was hit"
    );
    let in_help: Vec<_> = bot
        .sim
        .messages_in(demo::HELP)
        .into_iter()
        .filter(|m| m.author_id == demo::BOT)
        .collect();
    // With 2 messages per window, acknowledgements beyond it may go out merged: what counts is
    // that the visible messages acknowledge each customer exactly once, and nothing else.
    let mut covered: Vec<u64> = in_help
        .iter()
        .flat_map(crate::support::acked_by_message)
        .collect();
    covered.sort_unstable();
    let mut expected = posted.clone();
    expected.sort_unstable();
    assert_eq!(covered, expected, "one visible ack per customer");
    assert!(
        in_help
            .iter()
            .all(|m| !crate::support::acked_by_message(m).is_empty()),
        "every message frontdesk posted there is an acknowledgement"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eta_and_opening_time_render_from_stored_history_and_the_schedule() {
    use frontdesk::desk::{Arrival, Desk};
    use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
    use jiff::{SignedDuration, Timestamp};

    let hours = "[hours]\ntime_zone = \"Europe/London\"\nmonday = \"09:00-17:00\"\ntuesday = \"09:00-17:00\"\nwednesday = \"09:00-17:00\"\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    {
        // History: six conversations last Monday, each answered 30 minutes after it opened.
        let config = frontdesk::demo::demo_config(&data, &crate::support::responses(), hours);
        let rules =
            frontdesk::responses::Rules::load_dir(&crate::support::responses()).expect("rules");
        let desk = Desk::new(
            frontdesk::store::Store::open(&data).expect("store"),
            &config,
            rules,
        );
        let monday: Timestamp = "2026-11-16T10:00:00Z".parse().expect("time");
        for i in 0..6u64 {
            let at = monday + SignedDuration::from_mins(i as i64 * 10);
            let place = Place::Channel {
                guild: GuildId(demo::GUILD),
                channel: ChannelId(demo::HELP),
                thread: None,
            };
            let customer = Incoming {
                id: MessageId(1_000 + i),
                place,
                author: Author {
                    id: UserId(5_000 + i),
                    name: format!("past{i}"),
                    bot: false,
                    roles: Vec::new(),
                },
                content: Some("hello".into()),
                reply_to: None,
                at,
                tags: Vec::new(),
            };
            desk.handle_message(&customer, UserId(demo::BOT), at, Arrival::Live)
                .expect("history");
            let reply_at = at + SignedDuration::from_mins(30);
            let reply = Incoming {
                id: MessageId(2_000 + i),
                author: Author {
                    id: UserId(demo::OWNER),
                    name: "Sam".into(),
                    bot: false,
                    roles: Vec::new(),
                },
                reply_to: Some(MessageId(1_000 + i)),
                at: reply_at,
                ..customer.clone()
            };
            desk.handle_message(&reply, UserId(demo::BOT), reply_at, Arrival::Live)
                .expect("reply");
            for p in desk.store().pending().expect("pending") {
                desk.store()
                    .complete(&p.key)
                    .expect("history needs no delivery");
            }
        }
    }
    let sim = crate::support::demo_sim().await;
    let clock = std::sync::Arc::new(frontdesk::clock::ManualClock::new(
        crate::support::tuesday_morning(),
    ));
    let bot = Bot::start_with(&sim, &data, hours, clock.clone()).await;

    let open = sim
        .post_message(demo::ALICE, demo::HELP, "hello there")
        .await;
    let text = wait_ack(&sim, open).await.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("usually within about 30 minutes"), "{text}");

    // Wednesday evening: Thursday is closed in this schedule, so the next opening is Monday.
    clock.set("2026-11-25T18:30:00Z".parse().expect("time"));
    let closed = sim
        .post_message(demo::BOB, demo::HELP, "are you there?")
        .await;
    let text = wait_ack(&sim, closed).await.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("on Monday at 9:00"), "{text}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_content_intent_everyone_is_still_acknowledged_and_the_owner_gets_a_link() {
    let (bot, _dir) = start_adjusted(SimConfig::default(), |o| {
        o.config.discord.message_content = false
    })
    .await;
    let sim = bot.sim.clone();
    let intents = sim.connected_intents().expect("identified");
    assert_eq!(intents & (1 << 15), 0, "MESSAGE_CONTENT not requested");
    let msg = sim
        .post_message(demo::ALICE, demo::HELP, "how much is shipping?")
        .await;
    let ack = wait_ack(&sim, msg).await.body.expect("json");
    let text = ack["content"].as_str().unwrap_or("");
    assert!(text.contains(&format!("<@{}>", demo::ALICE)), "{text}");
    let notice = crate::support::wait_post_containing(&sim, "📨 New").await;
    let content = notice.body.expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        !content.contains("shipping?"),
        "no excerpt without content: {content}"
    );
    assert!(
        content.contains(&format!("/{}/{}/{msg}", demo::GUILD, demo::HELP)),
        "{content}"
    );
    assert!(
        content.contains("· general"),
        "the fallback rule's topic: {content}"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_threads_on_each_conversation_gets_its_own_thread_and_staff_answer_there() {
    let (bot, _dir) = start_adjusted(SimConfig::default(), |o| o.config.watch.threads = true).await;
    let sim = bot.sim.clone();
    let msg = sim
        .post_message(demo::BOB, demo::HELP, "my order never came")
        .await;
    let created = sim
        .wait_for_request(
            |r| r.is("POST", &format!("/messages/{msg}/threads")) && r.status < 300,
            WAIT,
        )
        .await
        .expect("a thread on the customer's message");
    assert!(created.body.expect("json")["name"]
        .as_str()
        .is_some_and(|n| n.starts_with("bob · ")));
    let ack = sim
        .wait_for_message(msg, |m| m.author_id == demo::BOT, WAIT)
        .await
        .expect("the acknowledgement inside the thread");
    assert!(ack.content.contains(&format!("<@{}>", demo::BOB)));
    // Bob's follow-up in the thread, then the owner's answer there.
    let follow = sim.post_message(demo::BOB, msg, "any news?").await;
    sim.post_message(demo::OWNER, msg, "Found it, Bob — shipping today!")
        .await;
    let answer = wait_owner_replied(&sim, demo::BOB, demo::HELP).await;
    quiet_period(QUIET).await;
    assert!(acks_for(&sim, follow).is_empty());
    let text = answer.bodies[0]["data"]["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(text.contains("Sam has replied"), "{text}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_reply_to_a_merged_acknowledgement_answers_only_the_customer_it_names() {
    let (sim, customers) = crate::support::sim_with_customers(320_000_000_000_000_000, 15).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start(&sim, &dir.path().join("data")).await;
    // Fifteen at once into one channel at 5 per 5 s: ten wait for the next window, merged.
    let mut posted = Vec::new();
    for c in &customers {
        posted.push(bot.sim.post_message(*c, demo::HELP, "a question").await);
    }
    for id in &posted {
        wait_ack(&bot.sim, *id).await;
    }
    let merged = bot
        .sim
        .messages_in(demo::HELP)
        .into_iter()
        .find(|m| m.author_id == demo::BOT && crate::support::acked_by_message(m).len() > 1)
        .expect("a merged acknowledgement");
    let covered = crate::support::acked_by_message(&merged);
    let named = covered[1];
    let customer = bot.sim.message(named).expect("posted").author_id;
    // The owner replies to the merged message: once naming one customer, once naming nobody.
    bot.sim
        .post_reply(
            demo::OWNER,
            demo::HELP,
            &format!("<@{customer}> yes, we ship there!"),
            merged.id,
        )
        .await;
    bot.sim
        .post_reply(
            demo::OWNER,
            demo::HELP,
            "looking into all of these now",
            merged.id,
        )
        .await;
    wait_owner_replied(&bot.sim, customer, demo::HELP).await;
    // The reply naming nobody must answer nobody: nothing shows that it was handled.
    quiet_period(Duration::from_millis(1000)).await;
    bot.stop().await;

    let store = frontdesk::store::Store::open(&dir.path().join("data")).expect("store");
    for id in &covered {
        let conv = store
            .conversation(frontdesk::model::MessageId(*id))
            .expect("read")
            .expect("stored");
        let answered = conv.state == frontdesk::core::State::Answered;
        assert_eq!(
            answered,
            *id == named,
            "conversation {id}: {:?}",
            conv.state
        );
    }
}
