//! Bursts beyond Discord's per-channel limit: with the simulator enforcing ~5 messages per
//! 5 s per channel, 100 customers posting into 4 channels at 20 messages per second, and 30
//! customers posting into one channel within 3 s, are all acknowledged, each exactly once —
//! by a reply of its own or by a merged acknowledgement naming several customers. The worst
//! wait is printed (speed is measured, not asserted: see BENCHMARKS.md); every wait in here
//! is bounded by a timeout.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::support::{
    acked_by_message, acked_by_request, quiet_period, wait_for, world_with_channels, Bot,
};
use frontdesk_sim::{demo, SimConfig, Simulator};

const CHANNELS: [u64; 4] = [
    demo::HELP,
    100_000_000_000_000_040,
    100_000_000_000_000_041,
    100_000_000_000_000_042,
];
const MESSAGES: u64 = 100;
const PER_SECOND: u64 = 20;
/// 25 acknowledgements per channel at 5 per 5 s one by one would need about 25 s; this is
/// the give-up point.
const ALL_ACKED_WITHIN: Duration = Duration::from_secs(120);
/// The one-channel burst: this many customers, one every `ONE_CHANNEL_EVERY`.
const ONE_CHANNEL: u64 = 30;
const ONE_CHANNEL_EVERY: Duration = Duration::from_millis(100);
/// How long the bot may take to stop after a burst (the 30 s these tests have always allowed).
const STOP_WITHIN: Duration = Duration::from_secs(30);

/// The simulator with its default limit (Discord's ~5 messages per 5 s per channel) and the
/// bot watching all of `CHANNELS`, ready.
async fn start() -> (Bot, tempfile::TempDir) {
    let sim = Simulator::start(world_with_channels(&CHANNELS), SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start_watching(&sim, &dir.path().join("data"), &CHANNELS, |o| {
        o.tick_every = Duration::from_millis(500);
    })
    .await;
    (bot, dir)
}

/// How many of frontdesk's messages acknowledge each customer message (a reply to it, or a
/// merged acknowledgement linking it).
fn visible(sim: &Simulator, channels: &[u64]) -> HashMap<u64, usize> {
    let mut count = HashMap::new();
    for c in channels {
        for m in sim.messages_in(*c) {
            if m.author_id == demo::BOT {
                for target in acked_by_message(&m) {
                    *count.entry(target).or_insert(0) += 1;
                }
            }
        }
    }
    count
}

/// Waits until every posted message is acknowledged (or the give-up point), then a moment
/// more so a late duplicate would show up, and asserts exactly one acknowledgement each.
/// Every acknowledgement may ping exactly the authors of the messages it acknowledges.
/// Returns how many frontdesk messages carried them.
async fn assert_acknowledged_once_each(sim: &Simulator, posted: &[(u64, u64)]) -> usize {
    let channels: Vec<u64> = posted
        .iter()
        .map(|(_, c)| *c)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // On a timeout the check below names the messages left unacknowledged.
    wait_for(ALL_ACKED_WITHIN, async || {
        let seen = visible(sim, &channels);
        posted
            .iter()
            .all(|(id, _)| seen.contains_key(id))
            .then_some(())
    })
    .await;
    // A second acknowledgement of any of them would come after the first.
    quiet_period(Duration::from_millis(500)).await;
    let seen = visible(sim, &channels);
    for (id, channel) in posted {
        assert_eq!(
            seen.get(id).copied(),
            Some(1),
            "message {id} in channel {channel}: exactly one acknowledgement"
        );
    }
    let mut carriers = 0;
    for c in &channels {
        for m in sim.messages_in(*c) {
            let covered = acked_by_message(&m);
            if m.author_id != demo::BOT || covered.is_empty() {
                continue;
            }
            carriers += 1;
            let mut authors: Vec<String> = covered
                .iter()
                .filter_map(|id| sim.message(*id))
                .map(|customer| customer.author_id.to_string())
                .collect();
            authors.sort();
            authors.dedup();
            let mut users: Vec<String> = m
                .allowed_mentions
                .as_ref()
                .and_then(|a| a["users"].as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|u| u.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            users.sort();
            assert_eq!(
                users, authors,
                "message {} pings exactly its customers",
                m.id
            );
            let everyone = m.allowed_mentions.as_ref().map(|a| a["parse"].clone());
            assert_eq!(everyone, Some(serde_json::json!([])), "{}", m.id);
        }
    }
    carriers
}

/// The worst wait, from a message leaving the gateway to the first accepted message that
/// acknowledges it.
fn worst_wait(sim: &Simulator, posted: &[(u64, u64)]) -> (usize, Duration) {
    let mut accepted: HashMap<u64, Instant> = HashMap::new();
    for r in sim.requests() {
        if r.is("POST", "/messages") && r.status < 300 {
            for target in acked_by_request(&r) {
                accepted.entry(target).or_insert(r.received_at);
            }
        }
    }
    let waits: Vec<Duration> = posted
        .iter()
        .filter_map(|(id, _)| {
            Some(
                accepted
                    .get(id)?
                    .saturating_duration_since(sim.dispatched_at(*id)?),
            )
        })
        .collect();
    (waits.len(), waits.iter().max().copied().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_beyond_the_channel_rate_limit_is_acknowledged_once_each() {
    let (bot, _dir) = start().await;
    let sim = bot.sim.clone();
    let start = tokio::time::Instant::now();
    let mut posted = Vec::new();
    for i in 0..MESSAGES {
        // A real gap: the burst's pace is what is under test.
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
        posted.push((id, channel));
    }
    let carriers = assert_acknowledged_once_each(&sim, &posted).await;

    // Printed for BENCHMARKS.md, not asserted.
    let (acked, worst) = worst_wait(&sim, &posted);
    let rate_limited = sim.requests().iter().filter(|r| r.status == 429).count();
    eprintln!(
        "bursts: {acked} acknowledged in {carriers} messages, worst wait {:.1} s, 429 answers {rate_limited}",
        worst.as_secs_f64()
    );
    assert_eq!(acked, MESSAGES as usize);
    // Merged acknowledgements included: the stop checks every body is one Discord accepts.
    bot.stop_within(STOP_WITHIN).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_customers_in_one_channel_within_three_seconds_are_acknowledged_once_each() {
    let (bot, _dir) = start().await;
    let sim = bot.sim.clone();
    let start = tokio::time::Instant::now();
    let mut posted = Vec::new();
    for i in 0..ONE_CHANNEL {
        // A real gap: the burst's pace is what is under test.
        tokio::time::sleep_until(start + ONE_CHANNEL_EVERY * i as u32).await;
        let customer = 310_000_000_000_000_000 + i;
        let id = sim
            .post_message(customer, demo::HELP, &format!("hello, question {i}"))
            .await;
        posted.push((id, demo::HELP));
    }
    let carriers = assert_acknowledged_once_each(&sim, &posted).await;
    let (acked, worst) = worst_wait(&sim, &posted);
    let rate_limited = sim.requests().iter().filter(|r| r.status == 429).count();
    eprintln!(
        "bursts (one channel): {acked} acknowledged in {carriers} messages, worst wait {:.1} s, 429 answers {rate_limited}",
        worst.as_secs_f64()
    );
    assert_eq!(acked, ONE_CHANNEL as usize);
    assert!(
        carriers < ONE_CHANNEL as usize,
        "acknowledgements waiting behind the limit were merged ({carriers} messages)"
    );
    // Merged acknowledgements included: the stop checks every body is one Discord accepts.
    bot.stop_within(STOP_WITHIN).await;
}
