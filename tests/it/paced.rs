//! Every request frontdesk makes itself takes a slot of its global budget (`discord/pace`),
//! whichever road it comes by: delivery, catch-up, member lookups (places and the
//! dashboard's staff recheck), `run`'s check at start, `doctor` and `setup`. Each test waits
//! for its road's requests, then compares the requests the simulator received with the slots
//! the budget handed out: equal, so none arrived without one.
//!
//! Not counted, because Discord does not count them against the global limit and they take
//! no slot: the interaction endpoints (`/interactions/…` callbacks, `/webhooks/…` edits of a
//! deferred answer), which leave through serenity's client. serenity's own `GET /gateway`,
//! sent while its client is built, is counted: it holds a slot meanwhile.
//!
//! And a channel's history read is not the bucket of posting there: its window neither holds
//! acknowledgements back nor changes the window the lane merges them by.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use frontdesk::app::{BotOptions, RetryPolicy};
use frontdesk::clock::SystemClock;
use frontdesk::config::Secret;
use frontdesk::discord::api::Api;
use frontdesk::discord::inspect::Inspector;
use frontdesk::discord::pace::{Pacer, Priority};
use frontdesk::model::{ChannelId, MessageId};
use frontdesk::setup::choices::FromFlags;
use frontdesk::setup::{self, SetupRequest};
use frontdesk_sim::{demo, RateLimit, SimConfig, SimUser, Simulator, World};
use serde_json::json;

use crate::dashboard::{link_from_discord, serve_custom, Served};
use crate::support::{command, demo_sim, eventually, responses, wait_ack, wait_for, Bot, WAIT};

/// Holds the staff role but is neither owner nor configured by id: staff only by a lookup.
const HELPER: u64 = 100_000_000_000_000_160;

/// Whether Discord leaves a request out of the global limit.
fn exempt(path: &str) -> bool {
    path.starts_with("/interactions/") || path.starts_with("/webhooks/")
}

/// The requests the simulator received that count against the global limit.
fn counted(sim: &Simulator) -> Vec<String> {
    sim.requests()
        .into_iter()
        .filter(|r| !exempt(&r.path))
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect()
}

/// Waits until the simulator has received as many counted requests as `budget` handed out
/// slots (one may still be on its way); fails if that never comes.
async fn each_took_a_slot(sim: &Simulator, budget: &Pacer) {
    let settled = wait_for(WAIT, async || {
        (counted(sim).len() as u64 == budget.slots_taken()).then_some(())
    })
    .await;
    let requests = counted(sim);
    assert!(
        settled.is_some(),
        "{} requests arrived, {} slots were taken:\n{}",
        requests.len(),
        budget.slots_taken(),
        requests.join("\n")
    );
    assert!(!requests.is_empty());
}

/// Waits until the simulator answered a request `method path` (a prefix of the path) with
/// success.
async fn answered(sim: &Simulator, method: &str, path: &str) {
    eventually(format!("{method} {path} was answered"), async || {
        sim.requests()
            .iter()
            .any(|r| r.method == method && r.path.starts_with(path) && r.status < 300)
            .then_some(())
    })
    .await;
}

/// The demo bot whose every request must take a slot of the returned budget.
async fn bot_with_budget(
    sim: &Simulator,
    data: &Path,
    adjust: impl FnOnce(&mut BotOptions),
) -> (Bot, Pacer) {
    let budget = Pacer::discord();
    let given = budget.clone();
    let bot = Bot::start_custom(sim, data, "", Arc::new(SystemClock), move |o| {
        o.budget = given;
        adjust(o);
    })
    .await;
    (bot, budget)
}

/// The bot with its dashboard on a free loopback port, rechecking the staff role on every
/// request, its requests on `budget`.
async fn serve_counting(sim: &Simulator, data: &Path, budget: &Pacer) -> Served {
    let given = budget.clone();
    serve_custom(sim, data, Arc::new(SystemClock), "", move |o| {
        o.budget = given;
    })
    .await
}

/// An acknowledgement, an owner notice (a DM channel opened, a digest posted), and a DM
/// relayed into a private staff thread (the thread opened, the copy posted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (bot, budget) = bot_with_budget(&sim, &dir.path().join("data"), |_| {}).await;
    let asked = sim
        .post_message(demo::ALICE, demo::HELP, "Do you ship to Canada?")
        .await;
    wait_ack(&sim, asked).await;
    let dm = sim.send_dm(demo::CAROL, "hello, a question").await;
    wait_ack(&sim, dm).await;
    answered(&sim, "POST", "/users/@me/channels").await;
    answered(&sim, "POST", &format!("/channels/{}/threads", demo::STAFF)).await;
    let owner_dm = eventually("the owner's DM channel", async || {
        sim.dm_channel_of(demo::OWNER)
    })
    .await;
    answered(&sim, "POST", &format!("/channels/{owner_dm}/messages")).await;
    eventually("the DM was copied into its staff thread", async || {
        sim.requests()
            .iter()
            .any(|r| {
                r.is("POST", "/messages")
                    && r.status < 300
                    && r.body.as_ref().is_some_and(|b| {
                        b["content"]
                            .as_str()
                            .is_some_and(|c| c.contains("hello, a question"))
                    })
            })
            .then_some(())
    })
    .await;
    each_took_a_slot(&sim, &budget).await;
    bot.stop().await;
}

/// Messages written before the bot started: their channel's history, and the member lookups
/// history needs (it carries no member data), and the late acknowledgement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up() {
    let sim = demo_sim().await;
    let missed = sim
        .post_message(demo::BOB, demo::HELP, "Do you ship to Norway?")
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (bot, budget) = bot_with_budget(&sim, &dir.path().join("data"), |_| {}).await;
    answered(&sim, "GET", &format!("/channels/{}/messages", demo::HELP)).await;
    answered(
        &sim,
        "GET",
        &format!("/guilds/{}/members/{}", demo::GUILD, demo::BOB),
    )
    .await;
    wait_ack(&sim, missed).await;
    each_took_a_slot(&sim, &budget).await;
    bot.stop().await;
}

/// A staff command in a DM (the caller's roles asked of the configured server) and the
/// dashboard's staff recheck on each page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_lookups() {
    let world = World::demo().with_user(SimUser::new(HELPER, "helper").with_role(demo::STAFF_ROLE));
    let sim = Simulator::start(world, SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let budget = Pacer::discord();
    let web = serve_counting(&sim, &dir.path().join("data"), &budget).await;
    let hello = sim.send_dm(HELPER, "Hello").await;
    wait_ack(&sim, hello).await;
    let dm = sim.dm_channel_of(HELPER).expect("helper's DM");
    let lookup = format!("/guilds/{}/members/{HELPER}", demo::GUILD);
    let queue = command(&sim, HELPER, dm, "queue", json!([])).await;
    assert!(queue.text.contains("waiting"), "{}", queue.text);
    answered(&sim, "GET", &lookup).await;
    let lookups = |sim: &Simulator| {
        sim.requests()
            .iter()
            .filter(|r| r.is("GET", &lookup))
            .count()
    };
    let before = lookups(&sim);
    let link = link_from_discord(&sim, HELPER).await;
    let helper = web.sign_in(&link).await;
    let (status, _) = web.get(&helper, "/queue").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(lookups(&sim) > before, "the dashboard rechecked the role");
    each_took_a_slot(&sim, &budget).await;
    web.bot.stop().await;
}

/// `run`'s check at start reads the bot, its application and its server over the bot's own
/// client: its reads are slots of the bot's budget, not of one of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_at_start() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (bot, budget) = bot_with_budget(&sim, &dir.path().join("data"), |o| {
        o.check_at_start = true;
    })
    .await;
    answered(&sim, "GET", "/applications/@me").await;
    answered(&sim, "GET", &format!("/guilds/{}/roles", demo::GUILD)).await;
    answered(
        &sim,
        "GET",
        &format!("/guilds/{}/members/{}", demo::GUILD, demo::OWNER),
    )
    .await;
    each_took_a_slot(&sim, &budget).await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor() {
    let sim = demo_sim().await;
    let budget = Pacer::discord();
    let discord = Inspector::connect(Some(&sim.base_url()), &Secret::new("t"), budget.clone())
        .expect("client");
    let config = frontdesk::demo::demo_config(Path::new("unused-data"), &responses(), "");
    let report = frontdesk::doctor::examine(&config, &discord)
        .await
        .expect("reached");
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(counted(&sim).len() >= 6, "{:#?}", counted(&sim));
    each_took_a_slot(&sim, &budget).await;
    sim.shutdown().await;
}

/// The flag form, in-process: every read, and `doctor`'s at its end, on setup's budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let budget = Pacer::discord();
    let req = SetupRequest {
        out: dir.path().join("frontdesk.toml"),
        api: Some(sim.base_url()),
        token: Some("t".into()),
        data_dir: None,
        budget: budget.clone(),
    };
    let mut choices = FromFlags {
        force: false,
        guild: None,
        watch: vec!["help".into()],
        forums: vec!["#questions".into()],
        staff_channel: Some("staff".into()),
        staff_roles: vec!["Staff".into()],
        owner: None,
        business_name: None,
        owner_name: None,
        time_zone: Some("Europe/London".into()),
        hours: None,
        token_file: None,
    };
    let mut out = Vec::new();
    let outcome = setup::run(&req, &mut choices, &mut out)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&out)));
    assert!(
        outcome.doctor.is_healthy(),
        "{:#?}",
        outcome.doctor.findings
    );
    each_took_a_slot(&sim, &budget).await;
    sim.shutdown().await;
}

/// Reading #help's history once a minute (its own window, used up by the catch-up at start)
/// does not hold acknowledgements there back: posting is another bucket, with room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_up_history_window_does_not_hold_acknowledgements_back() {
    let sim = Simulator::start(
        World::demo(),
        SimConfig {
            history_limit: Some(RateLimit {
                limit: 1,
                window: Duration::from_secs(60),
            }),
            ..SimConfig::default()
        },
    )
    .await
    .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start(&sim, &dir.path().join("data")).await;
    let read = format!("/channels/{}/messages", demo::HELP);
    answered(&sim, "GET", &read).await;
    let asked = sim
        .post_message(demo::ALICE, demo::HELP, "Do you ship to Canada?")
        .await;
    // Within WAIT (15 s), long before the history window's minute is over.
    let ack = wait_ack(&sim, asked).await;
    let last_read = sim
        .requests()
        .iter()
        .filter(|r| r.is("GET", &read))
        .map(|r| r.received_at)
        .max()
        .expect("a read");
    assert!(ack.received_at.duration_since(last_read) < Duration::from_secs(60));
    bot.stop().await;
}

/// The window the lane decides by (`Api::post_window`), asked of the client over the
/// simulator: a history read answered in between, announcing plenty of room in its own
/// window, leaves it as posting's last answer said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_read_does_not_move_the_posting_window() {
    let minute = |limit| {
        Some(RateLimit {
            limit,
            window: Duration::from_secs(60),
        })
    };
    let sim = Simulator::start(
        World::demo(),
        SimConfig {
            rate_limit: minute(5),
            history_limit: minute(10_000),
            ..SimConfig::default()
        },
    )
    .await
    .expect("simulator");
    let budget = Pacer::discord();
    let api = Api::new(
        reqwest::Client::new(),
        &sim.base_url(),
        &Secret::new("t"),
        RetryPolicy::default(),
        budget.clone(),
    );
    let help = ChannelId(demo::HELP);
    assert_eq!(
        api.post_window(help).await.remaining,
        None,
        "nothing announced yet"
    );
    for i in 0..3 {
        let body = json!({ "content": format!("note {i}"), "allowed_mentions": { "parse": [] } });
        api.post_message(Priority::Now, help, &body)
            .await
            .expect("posted");
    }
    assert_eq!(api.post_window(help).await.remaining, Some(2));
    let page = api
        .history(Priority::Later, help, MessageId(0), 100)
        .await
        .expect("read");
    assert_eq!(page.messages.len(), 3);
    assert_eq!(
        api.post_window(help).await.remaining,
        Some(2),
        "posting's window as it was"
    );
    each_took_a_slot(&sim, &budget).await;
    sim.shutdown().await;
}
