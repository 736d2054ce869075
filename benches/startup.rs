//! Peak memory and time to ready with 100,000 stored conversations.
//!
//! Method: this process seeds a data directory through the real intake path
//! (`Desk::handle_message`, one flush at the end; not timed), closes it, and starts a
//! simulator. It then spawns the real `frontdesk run` binary as a child process against the
//! simulator, so the child's memory holds only the bot: the simulator and the seeding stay
//! in this process. "Ready" is measured from spawning the child to (1) the simulator
//! answering its IDENTIFY with READY, and (2) the bot registering its slash commands, its
//! first act after READY. Peak RSS is the child's `VmHWM` from `/proc/<pid>/status`, read
//! once it is ready and again after it has acknowledged 500 new customers (50 channels).
//! The same is done with an empty database for comparison.
//!
//! Run: `cargo bench --bench startup` (`STARTUP_CONVERSATIONS` overrides 100,000;
//! `STARTUP_WRAP="heaptrack -o /tmp/fd"` runs the bot under a profiler, to attribute memory).

#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use frontdesk::desk::{Arrival, Desk, Handled};
use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use frontdesk::responses::Rules;
use frontdesk::store::Store;
use frontdesk_sim::demo;
use jiff::Timestamp;
use support::{mib, status_kib};

const CHANNELS: usize = 50;

fn seed(data: &Path, n: u64) {
    let config = support::config(data, CHANNELS);
    let rules = Rules::load_dir(&config.resolve(&config.responses)).expect("rules");
    let store = Store::open(&config.resolve(&config.data_dir)).expect("store");
    let desk = Desk::new(store, &config, rules);
    let now = Timestamp::now();
    let base = MessageId::first_at(now).0;
    let started = Instant::now();
    for i in 0..n {
        let msg = Incoming {
            id: MessageId(base + i),
            place: Place::Channel {
                guild: GuildId(demo::GUILD),
                channel: ChannelId(support::channel(i as usize % CHANNELS)),
                thread: None,
            },
            author: Author {
                id: UserId(support::FIRST_CUSTOMER + 10_000_000 + i),
                name: format!("customer{i}"),
                bot: false,
                roles: Vec::new(),
            },
            content: Some(format!("Where is my order #{i}? It has not arrived.")),
            reply_to: None,
            at: now,
            tags: Vec::new(),
        };
        // Delivered long ago: nothing left in the outbox for the child to send.
        if let Ok(Handled::Stored { deliver, .. }) =
            desk.handle_message(&msg, UserId(demo::BOT), now, Arrival::Live)
        {
            for p in deliver {
                desk.store().complete(&p.key).expect("complete");
            }
        }
    }
    desk.store().flush().expect("flush");
    println!(
        "seeded {} conversations in {:.1} s (not part of the measurement)",
        desk.store().conversation_count(),
        started.elapsed().as_secs_f64()
    );
}

fn du(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let p = e.path();
            total += if p.is_dir() {
                du(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    total
}

async fn measure(label: &str, conversations: u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    if conversations > 0 {
        seed(&data, conversations);
    }
    let config_path = dir.path().join("frontdesk.toml");
    std::fs::write(&config_path, support::config_text(&data, CHANNELS)).expect("config");
    let sim = support::sim_without_limits(CHANNELS).await;

    let started = Instant::now();
    // STARTUP_WRAP runs the child under a profiler, e.g. `heaptrack -o /tmp/ht`; its figures
    // are then the wrapper's, so only use it to attribute memory, not to measure it.
    let wrap = std::env::var("STARTUP_WRAP").unwrap_or_default();
    let wrapped = !wrap.trim().is_empty();
    let mut wrap = wrap.split_whitespace();
    let command = match wrap.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(wrap).arg(env!("CARGO_BIN_EXE_frontdesk"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_frontdesk")),
    };
    let mut child = support::spawn_run(command, &config_path, &sim);
    let pid = child.id();
    let ready = sim
        .wait_for_identifies(1, Duration::from_secs(60))
        .await
        .then(|| started.elapsed());
    let commands = sim
        .wait_for_request(|r| r.is("PUT", "/commands"), Duration::from_secs(60))
        .await
        .map(|r| r.received_at.saturating_duration_since(started));
    let hwm_ready = status_kib(pid, "VmHWM:");

    // Some work: 500 new customers, then the peak again.
    let mut ids = Vec::new();
    for i in 0..500 {
        let author = support::FIRST_CUSTOMER + i;
        ids.push(
            sim.post_message(
                author,
                support::channel(i as usize % CHANNELS),
                "Hi, how much is shipping?",
            )
            .await,
        );
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let acks = support::ack_times(&sim);
        if ids.iter().all(|id| acks.contains_key(id)) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let hwm_after = status_kib(pid, "VmHWM:");
    let rss_after = status_kib(pid, "VmRSS:");
    let acked = {
        let acks = support::ack_times(&sim);
        ids.iter().filter(|id| acks.contains_key(id)).count()
    };

    // Graceful stop (SIGTERM), as an operator would.
    // Under a wrapper, the bot is the wrapper's child, and the wrapper must live to write out.
    let _ = if wrapped {
        Command::new("pkill")
            .args(["-TERM", "-x", "frontdesk", "-P", &pid.to_string()])
            .status()
    } else {
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
    };
    support::wait_or_kill(&mut child).await;
    sim.shutdown().await;

    let secs = |d: Option<Duration>| d.map_or("?".into(), |d| format!("{:.3} s", d.as_secs_f64()));
    println!(
        "| {label:<28} | {:>8} | {:>9} | {:>10} | {:>12} | {:>14} | {:>10} | {acked:>5} |",
        format!("{:.1} MB", du(&data) as f64 / 1e6),
        secs(ready),
        secs(commands),
        mib(hwm_ready),
        mib(hwm_after),
        mib(rss_after),
    );
}

fn main() {
    let n: u64 = support::env_or("STARTUP_CONVERSATIONS", 100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut rows = Vec::new();
        rows.push(("empty database".to_string(), 0));
        rows.push((format!("{n} conversations"), n));
        println!(
            "| database                     | on disk  | to READY  | to commands | peak RSS ready | peak RSS +500 acks | RSS after | acked |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (label, n) in rows {
            measure(&label, n).await;
        }
    });
}
