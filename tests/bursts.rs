//! Bursts beyond Discord's per-channel limit: with the simulator enforcing ~5 messages per
//! 5 s per channel, 100 customers posting into 4 channels at 20 messages per second are all
//! acknowledged, each exactly once. The worst wait is printed (speed is measured, not
//! asserted: see BENCHMARKS.md); every wait in here is bounded by a timeout.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use frontdesk::clock::SystemClock;
use frontdesk::config::{Config, Secret};
use frontdesk::discord::{run, BotOptions, RetryPolicy};
use frontdesk::sim::{demo, SimChannel, SimConfig, Simulator, World};
use serde_json::Value;
use tokio::sync::oneshot;

const CHANNELS: [u64; 4] = [
    demo::HELP,
    100_000_000_000_000_040,
    100_000_000_000_000_041,
    100_000_000_000_000_042,
];
const MESSAGES: u64 = 100;
const PER_SECOND: u64 = 20;
/// 25 acknowledgements per channel at 5 per 5 s need about 25 s; this is the give-up point.
const ALL_ACKED_WITHIN: Duration = Duration::from_secs(120);

fn config(data: &Path) -> Config {
    let list: Vec<String> = CHANNELS.iter().map(|c| format!("\"{c}\"")).collect();
    let text = format!(
        r#"
business_name = "Maple & Thread"
owner_name = "Sam"
responses = "{responses}"
data_dir = "{data}"

[discord]
guild = "{guild}"
owners = ["{owner}"]
staff_channel = "{staff}"
message_content = true

[watch]
channels = [{list}]
"#,
        responses = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("responses")
            .display(),
        data = data.display(),
        guild = demo::GUILD,
        owner = demo::OWNER,
        staff = demo::STAFF,
        list = list.join(", "),
    );
    Config::parse(&text, Path::new("bursts.toml")).expect("config")
}

fn ack_target(v: &Value) -> Option<u64> {
    v["message_id"].as_str().and_then(|s| s.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_beyond_the_channel_rate_limit_is_acknowledged_once_each() {
    let mut world = World::demo();
    for (i, c) in CHANNELS.iter().enumerate().skip(1) {
        world.guild = world
            .guild
            .with_channel(SimChannel::text(*c, &format!("help-{i}")));
    }
    // The simulator's default: Discord's ~5 messages per 5 s per channel.
    let sim = Simulator::start(world, SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opts = BotOptions::new(
        config(&dir.path().join("data")),
        Secret::new("bursts-token"),
        Arc::new(SystemClock),
    );
    opts.api = Some(sim.base_url());
    opts.tick_every = Duration::from_millis(500);
    opts.retry = RetryPolicy {
        first_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let bot = tokio::spawn(run(opts, async move {
        let _ = stopped.await;
    }));
    assert!(sim.wait_for_connected(Duration::from_secs(30)).await);
    sim.wait_for_request(|r| r.is("PUT", "/commands"), Duration::from_secs(30))
        .await
        .expect("ready");

    let start = tokio::time::Instant::now();
    let mut posted = Vec::new();
    for i in 0..MESSAGES {
        tokio::time::sleep_until(start + Duration::from_millis(i * 1000 / PER_SECOND)).await;
        let channel = CHANNELS[(i % CHANNELS.len() as u64) as usize];
        let customer = 300_000_000_000_000_000 + i;
        let id = sim
            .post_message(
                customer,
                channel,
                &format!("question {i}: where is my order?"),
            )
            .await;
        posted.push((id, channel, Instant::now()));
    }

    // Every customer message gets its visible acknowledgement, replying to it.
    let visible = |sim: &Simulator| -> HashMap<u64, usize> {
        let mut count = HashMap::new();
        for c in CHANNELS {
            for m in sim.messages_in(c) {
                if m.author_id == demo::BOT {
                    if let Some(target) = m.message_reference.as_ref().and_then(ack_target) {
                        *count.entry(target).or_insert(0) += 1;
                    }
                }
            }
        }
        count
    };
    let deadline = Instant::now() + ALL_ACKED_WITHIN;
    loop {
        let seen = visible(&sim);
        if posted.iter().all(|(id, _, _)| seen.contains_key(id)) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A moment more, so a late duplicate would show up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = visible(&sim);
    for (id, channel, _) in &posted {
        assert_eq!(
            seen.get(id).copied(),
            Some(1),
            "message {id} in channel {channel}: exactly one acknowledgement"
        );
    }

    // The worst wait, from the message leaving the gateway to its acknowledgement being
    // accepted by Discord (printed for BENCHMARKS.md, not asserted).
    let requests = sim.requests();
    let accepted: HashMap<u64, Instant> = requests
        .iter()
        .filter(|r| r.is("POST", "/messages") && r.status < 300)
        .filter_map(|r| {
            let target = r.body.as_ref().map(|b| &b["message_reference"])?;
            Some((ack_target(target)?, r.received_at))
        })
        .collect();
    let waits: Vec<Duration> = posted
        .iter()
        .filter_map(|(id, _, _)| {
            Some(
                accepted
                    .get(id)?
                    .saturating_duration_since(sim.dispatched_at(*id)?),
            )
        })
        .collect();
    let worst = waits.iter().max().copied().unwrap_or_default();
    let rate_limited = requests.iter().filter(|r| r.status == 429).count();
    eprintln!(
        "bursts: {} acknowledged, worst wait {:.1} s, 429 answers {rate_limited}",
        waits.len(),
        worst.as_secs_f64()
    );
    assert_eq!(waits.len(), MESSAGES as usize);

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(30), bot)
        .await
        .expect("the bot stops in time")
        .expect("no panic")
        .expect("clean stop");
}
