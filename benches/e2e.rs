//! End to end on the loopback simulator: the latency from the MESSAGE_CREATE leaving the
//! simulator's gateway (`Simulator::dispatched_at`) to the acknowledgement request arriving
//! at its REST API (`RecordedRequest::received_at`), for frontdesk and, in the same run and
//! under the same load, for a minimal serenity bot that only replies (the floor).
//!
//! Load: 50 watched text channels, rate limits off (frontdesk's own pacing to Discord's
//! global limit too); a steady 200 messages/s for 10 s spread
//! over the channels, then a burst of 1,000 messages posted at once. Every message comes
//! from a new customer, so every one opens a conversation and is acknowledged (frontdesk
//! also notifies the owner by DM for each: that is part of its work, not the floor's).
//!
//! Run: `cargo bench --bench e2e`. Knobs (environment): `E2E_RATE` (messages/s, default
//! 200), `E2E_SECS` (default 10), `E2E_WINDOWS` (default 5), `E2E_BURST` (default 1000),
//! `E2E_CHANNELS` (default 50), `E2E_LOG` (set: log to stderr at info, as the binary does).
//! Both bots, both simulators and the load generator share one tokio runtime with two
//! worker threads (the machine has two cores); the phases run one after the other. The
//! steady load is split into `E2E_WINDOWS` windows per bot, taken in turn (frontdesk, floor,
//! frontdesk, …) with a pause after each that outlasts frontdesk's owner-notice gathering,
//! so both see the same phases of a noisy machine without either one's work spilling into
//! the other's window. `E2E_WINDOWS=1` is one 10 s run each.

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use frontdesk_sim::Simulator;
use serenity::all as dc;
use serenity::async_trait;
use support::{ack_times, env_or, loadavg, ms, Frontdesk, Stats, FIRST_CUSTOMER};

const TEXTS: [&str; 4] = [
    "Hi! How much is shipping to Canada?",
    "My order #1042 has not arrived yet, can you check?",
    "Hello, is anyone there?",
    "The zipper on my bag broke after a week, what can I do?",
];

/// The floor: serenity's `EventHandler::message` → `ChannelId::send_message`, nothing else.
struct Floor;

#[async_trait]
impl dc::EventHandler for Floor {
    async fn message(&self, ctx: dc::Context, msg: dc::Message) {
        if msg.author.bot {
            return;
        }
        let reply = dc::CreateMessage::new()
            .content(format!("Thanks <@{}>, we got your message!", msg.author.id))
            .reference_message(&msg)
            .allowed_mentions(dc::CreateAllowedMentions::new().users([msg.author.id]));
        if let Err(e) = msg.channel_id.send_message(&ctx.http, reply).await {
            eprintln!("floor: send failed: {e}");
        }
    }
}

async fn start_floor(sim: &Simulator) -> tokio::task::JoinHandle<()> {
    let http = dc::HttpBuilder::new(sim.token())
        .proxy(sim.base_url())
        .ratelimiter_disabled(true)
        .build();
    let intents = dc::GatewayIntents::GUILDS
        | dc::GatewayIntents::GUILD_MESSAGES
        | dc::GatewayIntents::MESSAGE_CONTENT;
    // Configured as frontdesk's client is (serenity without its cache).
    let mut client = dc::ClientBuilder::new_with_http(http, intents)
        .event_handler(Floor)
        .await
        .expect("floor client");
    let task = tokio::spawn(async move {
        if let Err(e) = client.start().await {
            eprintln!("floor client stopped: {e}");
        }
    });
    assert!(
        sim.wait_for_connected(Duration::from_secs(30)).await,
        "floor connected"
    );
    // The floor has no commands to register: READY is in once the session is live; give
    // serenity a moment to process it before load starts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    task
}

struct Load {
    channels: usize,
    next_customer: u64,
}

impl Load {
    fn post_args(&mut self, i: usize) -> (u64, u64, &'static str) {
        self.next_customer += 1;
        (
            FIRST_CUSTOMER + self.next_customer,
            support::channel(i % self.channels),
            TEXTS[i % TEXTS.len()],
        )
    }

    /// `rate` messages per second for `secs` seconds, on a fixed schedule (a late tick does
    /// not shift the ones after it).
    async fn steady(&mut self, sim: &Simulator, rate: u64, secs: f64) -> Vec<u64> {
        let every = Duration::from_secs_f64(1.0 / rate as f64);
        let start = tokio::time::Instant::now();
        let mut ids = Vec::new();
        for i in 0..(rate as f64 * secs).round() as usize {
            tokio::time::sleep_until(start + every * i as u32).await;
            let (author, channel, text) = self.post_args(i);
            ids.push(sim.post_message(author, channel, text).await);
        }
        ids
    }

    async fn burst(&mut self, sim: &Simulator, n: u64) -> Vec<u64> {
        let mut ids = Vec::new();
        for i in 0..n as usize {
            let (author, channel, text) = self.post_args(i);
            ids.push(sim.post_message(author, channel, text).await);
        }
        ids
    }
}

struct Phase {
    stats: Stats,
    acked: usize,
    twice: usize,
    throughput: f64,
}

/// Waits (bounded) until every message is acknowledged, then computes the latencies over
/// all windows together; throughput counts each window's span, not the pauses between.
async fn measure(sim: &Simulator, windows: &[Vec<u64>]) -> Phase {
    let ids: Vec<u64> = windows.concat();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut acks: HashMap<u64, (Instant, usize)>;
    loop {
        acks = ack_times(sim);
        let done = ids.iter().filter(|id| acks.contains_key(id)).count();
        if done == ids.len() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut samples = Vec::new();
    let mut busy = Duration::ZERO;
    let mut twice = 0;
    for window in windows {
        let mut first_dispatch: Option<Instant> = None;
        let mut last_ack: Option<Instant> = None;
        for id in window {
            let (Some(sent), Some((acked, count))) = (sim.dispatched_at(*id), acks.get(id)) else {
                continue;
            };
            if *count > 1 {
                twice += 1;
            }
            samples.push(acked.saturating_duration_since(sent));
            first_dispatch = Some(first_dispatch.map_or(sent, |f| f.min(sent)));
            last_ack = Some(last_ack.map_or(*acked, |l| l.max(*acked)));
        }
        if let (Some(f), Some(l)) = (first_dispatch, last_ack) {
            busy += l.saturating_duration_since(f);
        }
    }
    if std::env::var_os("E2E_TRACE").is_some() {
        // When the slow ones were dispatched, relative to the first: periodic stalls show.
        let start = ids.first().and_then(|id| sim.dispatched_at(*id));
        let slow: Vec<String> = ids
            .iter()
            .filter_map(|id| Some((sim.dispatched_at(*id)?, acks.get(id)?.0)))
            .filter(|(s, a)| a.saturating_duration_since(*s) > Duration::from_millis(20))
            .map(|(s, a)| {
                format!(
                    "{:.2}s:{}ms",
                    start.map_or(0.0, |st| s.saturating_duration_since(st).as_secs_f64()),
                    a.saturating_duration_since(s).as_millis()
                )
            })
            .collect();
        eprintln!("slow (>20 ms): {} {:?}", slow.len(), slow);
    }
    let acked = samples.len();
    let throughput = if busy > Duration::ZERO {
        acked as f64 / busy.as_secs_f64()
    } else {
        f64::NAN
    };
    Phase {
        stats: Stats::of(samples),
        acked,
        twice,
        throughput,
    }
}

fn row(name: &str, sent: usize, p: &Phase) {
    println!(
        "| {name:<22} | {sent:>5} | {:>5} | {:>5} | {:>10} | {:>10} | {:>10} | {:>8.0} |",
        p.acked,
        p.twice,
        ms(p.stats.p50),
        ms(p.stats.p99),
        ms(p.stats.max),
        p.throughput
    );
}

fn ratio(name: &str, fd: &Phase, floor: &Phase) {
    println!(
        "{name}: frontdesk/floor p50 {:.2}x, p99 {:.2}x",
        fd.stats.p50 / floor.stats.p50,
        fd.stats.p99 / floor.stats.p99
    );
}

fn main() {
    if std::env::var_os("E2E_LOG").is_some() {
        // As the real binary logs (`main.rs`): at info, to stderr.
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(frontdesk::LOG_FILTER))
            .with_writer(std::io::stderr)
            .init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench());
}

async fn bench() {
    let rate: u64 = env_or("E2E_RATE", 200);
    let secs: u64 = env_or("E2E_SECS", 10);
    let windows = env_or::<u64>("E2E_WINDOWS", 5).max(1);
    let burst: u64 = env_or("E2E_BURST", 1000);
    let channels: usize = env_or("E2E_CHANNELS", 50);
    println!(
        "e2e: {channels} channels, steady {rate}/s for {secs} s in {windows} windows, burst {burst}; load average before: {}",
        loadavg()
    );
    let fd_sim = support::sim_without_limits(channels).await;
    let floor_sim = support::sim_without_limits(channels).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Both simulators have no limits, and the bench measures frontdesk's own time: its
    // global budget (Discord's 50 requests/s) is raised out of the way, as the floor has none.
    let mut opts = support::options(&dir.path().join("data"), channels);
    opts.budget = frontdesk::discord::pace::Pacer::per_second(1_000_000);
    let fd = Frontdesk::start_with(&fd_sim, opts).await;
    let floor = start_floor(&floor_sim).await;
    let mut load = Load {
        channels,
        next_customer: 0,
    };

    // A short warm-up for both (connections, DM channel, caches), not measured.
    for sim in [&fd_sim, &floor_sim] {
        let ids = load.burst(sim, 20).await;
        measure(sim, &[ids]).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let (mut fd_ids, mut floor_ids) = (Vec::new(), Vec::new());
    let window = secs as f64 / windows as f64;
    for _ in 0..windows {
        for (sim, ids) in [(&fd_sim, &mut fd_ids), (&floor_sim, &mut floor_ids)] {
            ids.push(load.steady(sim, rate, window).await);
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    }
    let fd_steady = measure(&fd_sim, &fd_ids).await;
    let floor_steady = measure(&floor_sim, &floor_ids).await;
    let steady_sent = fd_ids.iter().map(Vec::len).sum();

    let ids = load.burst(&fd_sim, burst).await;
    let burst_sent = ids.len();
    let fd_burst = measure(&fd_sim, &[ids]).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ids = load.burst(&floor_sim, burst).await;
    let floor_burst = measure(&floor_sim, &[ids]).await;

    println!();
    println!("| run                    |  sent | acked | twice |        p50 |        p99 |        max | acks/s   |");
    println!("|------------------------|------:|------:|------:|-----------:|-----------:|-----------:|---------:|");
    row(
        &format!("frontdesk steady {rate}/s"),
        steady_sent,
        &fd_steady,
    );
    row(
        &format!("floor steady {rate}/s"),
        steady_sent,
        &floor_steady,
    );
    row(&format!("frontdesk burst {burst}"), burst_sent, &fd_burst);
    row(&format!("floor burst {burst}"), burst_sent, &floor_burst);
    println!();
    ratio("steady", &fd_steady, &floor_steady);
    ratio("burst", &fd_burst, &floor_burst);
    println!("load average after: {}", loadavg());

    fd.stop().await;
    floor.abort();
    fd_sim.shutdown().await;
    floor_sim.shutdown().await;
}
