//! End to end: the real serenity client and frontdesk against the loopback Discord simulator.
//! Every request body frontdesk sends is validated against Discord's OpenAPI description.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use frontdesk::clock::SystemClock;
use frontdesk::config::Secret;
use frontdesk::discord::{run, BotOptions, RetryPolicy};
use frontdesk::sim::schema::{ApiSchema, Violation};
use frontdesk::sim::{demo, RateLimit, RecordedRequest, SimConfig, Simulator, World};
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(15);

struct Bot {
    sim: Simulator,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), frontdesk::discord::BotError>>,
    _dir: tempfile::TempDir,
}

impl Bot {
    async fn start(cfg: SimConfig) -> Bot {
        let sim = Simulator::start(World::demo(), cfg)
            .await
            .expect("simulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let config = frontdesk::demo::demo_config(
            &dir.path().join("data"),
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("responses"),
            "",
        );
        let mut opts = BotOptions::new(config, Secret::new("e2e-token"), Arc::new(SystemClock));
        opts.api = Some(sim.base_url());
        opts.tick_every = Duration::from_millis(200);
        opts.retry = RetryPolicy {
            first_backoff: Duration::from_millis(50),
            ..RetryPolicy::default()
        };
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(run(opts, async move {
            let _ = rx.await;
        }));
        assert!(sim.wait_for_connected(WAIT).await, "the bot connected");
        // Commands are registered on READY: once that request is in, the bot is ready.
        sim.wait_for_request(|r| r.is("PUT", "/commands"), WAIT)
            .await
            .expect("commands registered");
        Bot {
            sim,
            stop: Some(tx),
            task,
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let result = tokio::time::timeout(WAIT, &mut self.task)
            .await
            .expect("the bot stops in time")
            .expect("the bot task did not panic");
        result.expect("the bot stopped cleanly");
        assert_bodies_match_discords_spec(&self.sim.requests());
    }

    fn acks_for(&self, message: u64) -> Vec<RecordedRequest> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| {
                r.is("POST", "/messages")
                    && r.status < 300
                    && r.body.as_ref().is_some_and(|b| {
                        b["message_reference"]["message_id"] == json!(message.to_string())
                    })
            })
            .collect()
    }

    async fn wait_ack(&self, message: u64) -> RecordedRequest {
        let id = message.to_string();
        self.sim
            .wait_for_request(
                |r| {
                    r.is("POST", "/messages")
                        && r.status < 300
                        && r.body
                            .as_ref()
                            .is_some_and(|b| b["message_reference"]["message_id"] == json!(id))
                },
                WAIT,
            )
            .await
            .unwrap_or_else(|| panic!("message {message} was acknowledged"))
    }
}

fn assert_bodies_match_discords_spec(requests: &[RecordedRequest]) {
    let schema = ApiSchema::get();
    let mut problems = Vec::new();
    for r in requests {
        if !r.raw_path.starts_with("/api/") || r.method == "GET" {
            continue;
        }
        let body = r.body.clone().unwrap_or(serde_json::Value::Null);
        match schema.validate_request(&r.method, &r.path, &body) {
            Ok(()) => {}
            Err(Violation::Invalid(list)) => {
                // serenity sends default_member_permissions as a string, as Discord's docs
                // say; the OpenAPI file types it as an integer. Only that pointer is excused.
                let real: Vec<_> = list
                    .into_iter()
                    .filter(|v| !v.contains("/default_member_permissions"))
                    .collect();
                if !real.is_empty() {
                    problems.push(format!("{} {}: {real:?}", r.method, r.path));
                }
            }
            Err(other) => problems.push(format!("{} {}: {other}", r.method, r.path)),
        }
    }
    assert!(
        problems.is_empty(),
        "bodies Discord would reject:\n{}",
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_is_acknowledged_once_pinging_only_them_and_the_owner_is_notified() {
    let bot = Bot::start(SimConfig::default()).await;
    let msg = bot
        .sim
        .post_message(
            demo::ALICE,
            demo::HELP,
            "Hi! How much is shipping to Canada? @everyone",
        )
        .await;
    let ack = bot.wait_ack(msg).await;
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
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(bot.acks_for(again).is_empty(), "no second acknowledgement");
    assert_eq!(bot.acks_for(msg).len(), 1, "exactly one acknowledgement");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_bots_and_frontdesk_itself_are_never_acknowledged() {
    let bot = Bot::start(SimConfig::default()).await;
    let staff = bot
        .sim
        .post_message(demo::OWNER, demo::HELP, "Morning everyone!")
        .await;
    // A customer message afterwards proves the handler ran past the staff one.
    let customer = bot
        .sim
        .post_message(demo::BOB, demo::HELP, "hi there")
        .await;
    bot.wait_ack(customer).await;
    assert!(bot.acks_for(staff).is_empty());
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
    let bot = Bot::start(SimConfig::default()).await;
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
    bot.wait_ack(dm).await;

    bot.sim
        .post_message(demo::OWNER, post, "It ships tomorrow, Bob!")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = bot
        .sim
        .invoke_command(demo::BOB, demo::HELP, "status", json!([]))
        .await;
    let responses = wait_interaction(&bot.sim, answer).await;
    let reply = &responses[0];
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
    let bot = Bot::start(cfg).await;
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
        bot.wait_ack(*m).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for m in &posted {
        assert_eq!(bot.acks_for(*m).len(), 1, "message {m}: exactly one ack");
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
    assert_eq!(in_help.len(), 3, "one visible ack per customer");
    bot.stop().await;
}

async fn wait_interaction(sim: &Simulator, id: u64) -> Vec<serde_json::Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let r = sim.interaction_responses(id);
        if !r.is_empty() {
            return r;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "interaction {id} answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
