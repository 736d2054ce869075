//! Discord's limits, switched on: new customers over 40 channels against a simulator that
//! enforces the global limit (50 requests/s, any 1 s window) and Discord's 5-per-5 s limit on
//! each channel's messages. Three scenarios, each run `GLOBAL_RUNS` times with a fresh
//! simulator and bot:
//! - `burst`: 200 customers post at once;
//! - `steady`: 20 new customers a second for 10 s, well inside the limits;
//! - `overload`: 200 new customers a second for 10 s, four times what the channels can carry
//!   one message each (each channel can take about one merged message a second).
//!
//! Every customer must be acknowledged once and the owner's notices delivered; the bench
//! prints the acknowledgement latency (from the simulator dispatching the MESSAGE_CREATE to it
//! accepting the first frontdesk message that acknowledges it: a reply, or a merged message
//! linking it), how many outbox entries (owner notices among them) were still undelivered
//! when the bot fell quiet, and how many 429s the bot earned, global and per channel,
//! counting everything it sent until it fell quiet.
//!
//! Run: `cargo bench --bench global`. Knobs (environment): `GLOBAL_SCENARIOS` (default
//! `burst,steady,overload`), `GLOBAL_RUNS` (default 3), `GLOBAL_CHANNELS` (default 40),
//! `GLOBAL_LOG` (set: log to stderr at info), `GLOBAL_TRACE` (set: for the first channel, when
//! each customer arrived and each message went out, and the global budget's use second by
//! second), `GLOBAL_UNPACED` (set: frontdesk's global budget raised out of the way, to
//! compare).

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use frontdesk::discord::outbound::acknowledged_in;
use frontdesk_sim::{RateLimit, RecordedRequest, SimConfig, Simulator};
use support::{Frontdesk, Stats, FIRST_CUSTOMER};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The customer messages a successful frontdesk message acknowledges.
fn acknowledges(r: &RecordedRequest) -> Vec<u64> {
    if !(r.method == "POST" && r.path.ends_with("/messages") && r.status < 300) {
        return Vec::new();
    }
    let Some(body) = &r.body else {
        return Vec::new();
    };
    let replied = body["message_reference"]["message_id"]
        .as_str()
        .and_then(|s| s.parse::<u64>().ok());
    let channel = r
        .path
        .split('/')
        .nth(2)
        .and_then(|c| c.parse::<u64>().ok())
        .unwrap_or(0);
    let linked = acknowledged_in(body["content"].as_str().unwrap_or(""), channel);
    replied
        .into_iter()
        .chain(linked.into_iter().map(|m| m.0))
        .collect()
}

/// How the customers arrive: `customers` in all, `rate` a second (0: all at once).
#[derive(Clone, Copy)]
struct Scenario {
    name: &'static str,
    customers: usize,
    rate: usize,
}

const SCENARIOS: [Scenario; 3] = [
    Scenario {
        name: "burst",
        customers: 200,
        rate: 0,
    },
    Scenario {
        name: "steady",
        customers: 200,
        rate: 20,
    },
    Scenario {
        name: "overload",
        customers: 2000,
        rate: 200,
    },
];

struct Run {
    /// Requests by route (ids replaced by `{id}`), most first.
    routes: Vec<(String, usize)>,
    acked: usize,
    /// Outbox entries (owner notices among them) not delivered when the bot fell quiet;
    /// `None` when the bot did not stop in time to read them.
    pending: Option<usize>,
    twice: usize,
    stats: Stats,
    requests: usize,
    global_429: usize,
    other_429: usize,
    span: Duration,
}

async fn one_run(scenario: Scenario, channels: usize) -> Run {
    let customers = scenario.customers;
    let cfg = SimConfig {
        rate_limit: Some(RateLimit::default()),
        global_limit: Some(RateLimit::discord_global()),
        ..SimConfig::default()
    };
    let sim = Simulator::start(support::world(channels), cfg)
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opts = frontdesk::app::BotOptions::new(
        support::config(&dir.path().join("data"), channels),
        frontdesk::config::Secret::new("bench-token"),
        std::sync::Arc::new(frontdesk::clock::SystemClock),
    );
    if std::env::var_os("GLOBAL_UNPACED").is_some() {
        // For comparison: frontdesk without its global budget, as it was before.
        opts.budget = frontdesk::discord::pace::Pacer::per_second(1_000_000);
    }
    let fd = Frontdesk::start_with(&sim, opts).await;
    let before = sim.requests().len();

    let mut ids = Vec::with_capacity(customers);
    let start = tokio::time::Instant::now();
    for i in 0..customers {
        if scenario.rate > 0 {
            let at = Duration::from_secs_f64(i as f64 / scenario.rate as f64);
            tokio::time::sleep_until(start + at).await;
        }
        let author = FIRST_CUSTOMER + i as u64 + 1;
        let channel = support::channel(i % channels);
        ids.push(
            sim.post_message(author, channel, "Hi! Is this in stock?")
                .await,
        );
    }

    // Every customer acknowledged (bounded), then until the bot falls quiet for 3 s.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut first: HashMap<u64, (Instant, usize)> = HashMap::new();
    let mut last_count = 0;
    let mut quiet_since = Instant::now();
    loop {
        let requests = sim.requests();
        first.clear();
        for r in &requests[before..] {
            for m in acknowledges(r) {
                let e = first.entry(m).or_insert((r.received_at, 0));
                e.0 = e.0.min(r.received_at);
                e.1 += 1;
            }
        }
        if requests.len() != last_count {
            last_count = requests.len();
            quiet_since = Instant::now();
        }
        let all = ids.iter().all(|id| first.contains_key(id));
        if (all && quiet_since.elapsed() > Duration::from_secs(3)) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let requests = sim.requests();
    let sent: Vec<&RecordedRequest> = requests[before..].iter().collect();
    let is_global =
        |r: &RecordedRequest| r.response.as_ref().and_then(|b| b["global"].as_bool()) == Some(true);
    let global_429 = sent
        .iter()
        .filter(|r| r.status == 429 && is_global(r))
        .count();
    let other_429 = sent
        .iter()
        .filter(|r| r.status == 429 && !is_global(r))
        .count();
    let span = match (sent.first(), sent.last()) {
        (Some(a), Some(b)) => b.received_at.saturating_duration_since(a.received_at),
        _ => Duration::ZERO,
    };
    let mut by_route: HashMap<String, usize> = HashMap::new();
    for r in &sent {
        let path: Vec<&str> = r
            .path
            .split('/')
            .map(|seg| {
                if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() {
                    "{id}"
                } else {
                    seg
                }
            })
            .collect();
        *by_route
            .entry(format!("{} {}", r.method, path.join("/")))
            .or_insert(0) += 1;
    }
    let mut routes: Vec<(String, usize)> = by_route.into_iter().collect();
    routes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if std::env::var_os("GLOBAL_TRACE").is_some() {
        trace(&sim, &sent, &ids, channels);
    }
    let mut samples = Vec::new();
    let mut twice = 0;
    for id in &ids {
        let (Some(at), Some((acked, count))) = (sim.dispatched_at(*id), first.get(id)) else {
            continue;
        };
        if *count > 1 {
            twice += 1;
        }
        samples.push(acked.saturating_duration_since(at));
    }
    fd.stop().await;
    sim.shutdown().await;
    let pending = frontdesk::desk::Records::open(&dir.path().join("data"))
        .and_then(|r| r.undelivered())
        .ok();
    Run {
        routes,
        acked: samples.len(),
        pending,
        twice,
        stats: Stats::of(samples),
        requests: sent.len(),
        global_429,
        other_429,
        span,
    }
}

/// For the first channel: when each customer arrived and each message frontdesk posted
/// there, and the global budget's use second by second.
fn trace(sim: &Simulator, sent: &[&RecordedRequest], ids: &[u64], channels: usize) {
    let Some(t0) = sent.first().map(|r| r.received_at) else {
        return;
    };
    let at = |t: Instant| t.saturating_duration_since(t0).as_secs_f64();
    let first = support::channel(0);
    for (i, id) in ids.iter().enumerate() {
        if i % channels == 0 {
            if let Some(d) = sim.dispatched_at(*id) {
                eprintln!("{:7.3} customer {id}", at(d));
            }
        }
    }
    for r in sent {
        if r.path.contains(&first.to_string()) && r.method == "POST" {
            eprintln!(
                "{:7.3} POST {} status {} covers {}",
                at(r.received_at),
                r.path,
                r.status,
                acknowledges(r).len()
            );
        }
    }
    let mut per_second: std::collections::BTreeMap<u64, (usize, usize)> = Default::default();
    for r in sent {
        let e = per_second.entry(at(r.received_at) as u64).or_default();
        e.0 += 1;
        if !acknowledges(r).is_empty() {
            e.1 += 1;
        }
    }
    for (s, (all, acks)) in per_second {
        eprintln!("second {s}: {all} requests, {acks} acknowledgements");
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    if std::env::var_os("GLOBAL_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(frontdesk::LOG_FILTER))
            .with_writer(std::io::stderr)
            .init();
    }
    let runs = env("GLOBAL_RUNS", 3).max(1);
    let channels = env("GLOBAL_CHANNELS", 40).max(1) as usize;
    let wanted =
        std::env::var("GLOBAL_SCENARIOS").unwrap_or_else(|_| "burst,steady,overload".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "global: {channels} channels; simulator: 50 requests/s global, 5 per 5 s per channel; load average before: {}",
        loadavg()
    );
    println!();
    println!("| scenario | run | acked | pending | twice |     p50 |     p99 |     max | requests |     span | global 429s | other 429s |");
    println!("|---|----:|------:|--------:|------:|--------:|--------:|--------:|---------:|---------:|------------:|-----------:|");
    let mut routes = Vec::new();
    for scenario in SCENARIOS
        .into_iter()
        .filter(|s| wanted.split(',').any(|w| w.trim() == s.name))
    {
        for run in 1..=runs {
            let r = rt.block_on(one_run(scenario, channels));
            routes = r.routes.clone();
            let arrival = match scenario.rate {
                0 => format!("{} at once", scenario.customers),
                rate => format!("{}/s × {} s", rate, scenario.customers / rate),
            };
            println!(
                "| {} ({arrival}) | {run:>3} | {:>5} | {:>7} | {:>5} | {:>7} | {:>7} | {:>7} | {:>8} | {:>6.1} s | {:>11} | {:>10} |",
                scenario.name,
                r.acked,
                r.pending.map_or("?".to_string(), |n| n.to_string()),
                r.twice,
                secs(r.stats.p50),
                secs(r.stats.p99),
                secs(r.stats.max),
                r.requests,
                r.span.as_secs_f64(),
                r.global_429,
                r.other_429,
            );
        }
    }
    println!();
    let routes: Vec<String> = routes.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
    println!("requests of the last run: {}", routes.join(", "));
    println!("load average after: {}", loadavg());
}

fn secs(us: f64) -> String {
    format!("{:.2} s", us / 1e6)
}
