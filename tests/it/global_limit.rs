//! Discord's global limit (50 requests per second per bot, all routes but the interaction
//! endpoints): the simulator answers beyond it with a 429 as Discord does, and frontdesk paces
//! itself so that a burst over many channels earns none. Counting, not timing: the figures
//! are `cargo bench --bench global` (BENCHMARKS.md).

use std::collections::HashMap;
use std::time::Duration;

use frontdesk_sim::schema::ApiSchema;
use frontdesk_sim::{demo, RateLimit, SimConfig, Simulator, World};
use serde_json::Value;

use crate::support::{acked_by_request, quiet_period, wait_for, world_with_channels, Bot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulators_global_limit_answers_429_as_discord_does() {
    let sim = Simulator::start(
        World::demo(),
        SimConfig {
            // Five in a minute: the sixth is refused however slowly this test runs.
            global_limit: Some(RateLimit {
                limit: 5,
                window: Duration::from_secs(60),
            }),
            ..SimConfig::default()
        },
    )
    .await
    .expect("simulator");
    let client = reqwest::Client::new();
    let get = |path: &str| {
        client
            .get(format!("{}/api/v10{path}", sim.base_url()))
            .header("Authorization", format!("Bot {}", sim.token()))
            .send()
    };
    for _ in 0..5 {
        let r = get("/users/@me").await.expect("answer");
        assert_eq!(r.status().as_u16(), 200);
    }
    let refused = get(&format!("/channels/{}", demo::HELP))
        .await
        .expect("answer");
    assert_eq!(refused.status().as_u16(), 429);
    let header = |name: &str| {
        refused
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(header("x-ratelimit-global").as_deref(), Some("true"));
    assert_eq!(header("x-ratelimit-scope").as_deref(), Some("global"));
    let retry: u64 = header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in whole seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let body: Value =
        serde_json::from_str(&refused.text().await.expect("body")).expect("json body");
    assert_eq!(body["global"], Value::Bool(true));
    let after = body["retry_after"].as_f64().expect("retry_after seconds");
    assert!(after > 0.0 && after <= 60.0, "{after}");
    assert_eq!(
        ApiSchema::get().validate_response("GET", &format!("/channels/{}", demo::HELP), 429, &body),
        Ok(()),
        "the body is Discord's RatelimitedResponse"
    );
    // Still refused (a refusal does not count, the window has not moved on) ...
    let again = get("/users/@me").await.expect("answer");
    assert_eq!(again.status().as_u16(), 429);
    // ... but the interaction endpoints are not bound to the global limit.
    let callback = client
        .post(format!(
            "{}/api/v10/interactions/1/no-such-token/callback",
            sim.base_url()
        ))
        .header("Content-Type", "application/json")
        .body(r#"{"type": 1}"#)
        .send()
        .await
        .expect("answer");
    assert_ne!(callback.status().as_u16(), 429);
    sim.shutdown().await;
}

/// 120 new customers at once over 24 channels: about 120 acknowledgements that the channels'
/// limits (5 per 5 s each) allow at once, more than twice the global limit, while `run`'s
/// check at start reads the server. Each is acknowledged exactly once and the bot earns no
/// global 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_over_many_channels_earns_no_global_429() {
    const CHANNELS: usize = 24;
    const CUSTOMERS: u64 = 120;
    let channels: Vec<u64> = (0..CHANNELS as u64)
        .map(|i| 100_000_000_000_000_500 + i)
        .collect();
    let sim = Simulator::start(
        world_with_channels(&channels),
        SimConfig {
            global_limit: Some(RateLimit::discord_global()),
            ..SimConfig::default()
        },
    )
    .await
    .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start_watching(&sim, &dir.path().join("data"), &channels, |o| {
        // As `frontdesk run` does: its reads must take the bot's budget too.
        o.check_at_start = true;
        o.tick_every = Duration::from_millis(500);
    })
    .await;

    let mut posted = Vec::new();
    for i in 0..CUSTOMERS {
        let channel = channels[i as usize % CHANNELS];
        let id = sim
            .post_message(
                900_000_000_000_000_000 + i,
                channel,
                "Hello, is this in stock?",
            )
            .await;
        posted.push(id);
    }
    let acks = |sim: &Simulator| {
        let mut count: HashMap<u64, usize> = HashMap::new();
        for r in sim.requests() {
            if r.is("POST", "/messages") && r.status < 300 {
                for m in acked_by_request(&r) {
                    *count.entry(m).or_insert(0) += 1;
                }
            }
        }
        count
    };
    wait_for(Duration::from_secs(120), async || {
        let seen = acks(&sim);
        posted.iter().all(|id| seen.contains_key(id)).then_some(())
    })
    .await;
    // The owner's digests follow; then a second acknowledgement would have shown.
    quiet_period(Duration::from_secs(2)).await;
    let seen = acks(&sim);
    for id in &posted {
        assert_eq!(seen.get(id), Some(&1), "message {id}: one acknowledgement");
    }
    let requests = sim.requests();
    let refused: Vec<_> = requests.iter().filter(|r| r.status == 429).collect();
    let global = refused
        .iter()
        .filter(|r| {
            r.response
                .as_ref()
                .is_some_and(|b| b["global"] == Value::Bool(true))
        })
        .count();
    println!(
        "{} requests, {} answers of 429 ({global} global)",
        requests.len(),
        refused.len()
    );
    for r in &refused {
        let before = requests
            .iter()
            .filter(|q| {
                q.received_at <= r.received_at
                    && r.received_at.duration_since(q.received_at) < Duration::from_secs(1)
            })
            .count();
        println!(
            "429 {} {} after {before} in the second before",
            r.method, r.path
        );
    }
    assert_eq!(global, 0, "no global 429");

    // Up to 19 s measured after this burst: the 30 s this test has always allowed.
    bot.stop_within(Duration::from_secs(30)).await;
}
