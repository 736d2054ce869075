//! The dashboard with 100,000 stored conversations: each page's weight and the time to its
//! full answer, and the bot's memory with the dashboard on and off.
//!
//! Method: this process seeds a data directory through the real intake path (100,000
//! customers in 50 channels, all but the last 50 answered by the owner, so the queue holds
//! 50; not timed), then runs the real `frontdesk run` binary as a child process against a
//! simulator: once without `[dashboard]` and once with it. With it, the bench gets a link
//! from `frontdesk dashboard-link` (no database lock), signs in over HTTP and fetches each
//! page `DASHBOARD_ROUNDS` times (default 20) on loopback, sequentially, after one warm-up
//! fetch (3 for the full scans: exports and a search without hits): the figures are the median
//! and the slowest of those, the body's size and the bot's `VmRSS` after each page. Memory is
//! the child's `VmRSS` when ready and after all pages, and its `VmHWM` (peak).
//!
//! Run: `cargo bench --bench dashboard` (`DASHBOARD_CONVERSATIONS` overrides 100,000).

#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use frontdesk::desk::{Arrival, Desk, Handled};
use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use frontdesk::responses::Rules;
use frontdesk::store::Store;
use frontdesk_sim::demo;
use jiff::Timestamp;
use support::{mib, status_kib};

const CHANNELS: usize = 50;
const WAITING: u64 = 50;

fn message(
    id: u64,
    i: u64,
    author: UserId,
    text: String,
    reply_to: Option<MessageId>,
    at: Timestamp,
) -> Incoming {
    Incoming {
        id: MessageId(id),
        place: Place::Channel {
            guild: GuildId(demo::GUILD),
            channel: ChannelId(support::channel(i as usize % CHANNELS)),
            thread: None,
        },
        author: Author {
            id: author,
            name: if author.0 == demo::OWNER {
                "owner".into()
            } else {
                format!("customer{i}")
            },
            bot: false,
            roles: Vec::new(),
        },
        content: Some(text),
        reply_to,
        at,
        tags: Vec::new(),
    }
}

/// Stores `n` conversations; all but the last [`WAITING`] get a reply from the owner.
/// Returns a conversation id to open, and its customer.
fn seed(data: &Path, n: u64) -> (u64, u64) {
    let config = support::config(data, CHANNELS);
    let rules = Rules::load_dir(&config.resolve(&config.responses)).expect("rules");
    let store = Store::open(&config.resolve(&config.data_dir)).expect("store");
    let desk = Desk::new(store, &config, rules);
    let now = Timestamp::now() - jiff::SignedDuration::from_hours(24);
    let base = MessageId::first_at(now).0;
    let started = Instant::now();
    let handle = |msg: &Incoming| {
        if let Ok(Handled::Stored { deliver, .. }) =
            desk.handle_message(msg, UserId(demo::BOT), now, Arrival::Live)
        {
            for p in deliver {
                desk.store().complete(&p.key).expect("complete");
            }
        }
    };
    for i in 0..n {
        let customer = UserId(support::FIRST_CUSTOMER + 10_000_000 + i);
        let id = base + 2 * i;
        handle(&message(
            id,
            i,
            customer,
            format!("Where is my order #{i}? It has not arrived."),
            None,
            now,
        ));
        if i < n.saturating_sub(WAITING) {
            let reply = format!("It left the workshop today, customer{i}.");
            handle(&message(
                id + 1,
                i,
                UserId(demo::OWNER),
                reply,
                Some(MessageId(id)),
                now,
            ));
        }
    }
    desk.store().flush().expect("flush");
    println!(
        "seeded {} conversations ({} waiting) in {:.1} s (not part of the measurement)",
        desk.store().conversation_count(),
        desk.waiting_conversations().map(|w| w.len()).unwrap_or(0),
        started.elapsed().as_secs_f64()
    );
    (
        base + 2 * (n / 2),
        support::FIRST_CUSTOMER + 10_000_000 + n / 2,
    )
}

struct Memory {
    rss_ready: Option<u64>,
    rss_after: Option<u64>,
    peak: Option<u64>,
}

async fn run_bot(
    dir: &Path,
    data: &Path,
    dashboard: Option<std::net::SocketAddr>,
    (conversation, customer): (u64, u64),
) -> Memory {
    let config_path = dir.join("frontdesk.toml");
    let mut text = support::config_text(data, CHANNELS);
    if let Some(addr) = dashboard {
        text.push_str(&format!("\n[dashboard]\nlisten = \"{addr}\"\n"));
    }
    std::fs::write(&config_path, text).expect("config");
    let sim = support::sim_without_limits(CHANNELS).await;
    let mut child = support::spawn_run(
        Command::new(env!("CARGO_BIN_EXE_frontdesk")),
        &config_path,
        &sim,
    );
    let pid = child.id();
    support::wait_ready(&sim).await;
    // Let the start settle (the first sweep, catch-up) before reading memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_ready = status_kib(pid, "VmRSS:");
    if let Some(addr) = dashboard {
        pages(&config_path, addr, (conversation, customer), pid).await;
    }
    let memory = Memory {
        rss_ready,
        rss_after: status_kib(pid, "VmRSS:"),
        peak: status_kib(pid, "VmHWM:"),
    };
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    support::wait_or_kill(&mut child).await;
    sim.shutdown().await;
    memory
}

async fn pages(
    config: &Path,
    addr: std::net::SocketAddr,
    (conversation, customer): (u64, u64),
    pid: u32,
) {
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["dashboard-link", "--config"])
        .arg(config)
        .stderr(Stdio::null())
        .output()
        .expect("dashboard-link");
    let link = String::from_utf8(out.stdout).expect("utf-8");
    let token = link
        .trim()
        .split("?t=")
        .nth(1)
        .expect("a token")
        .to_string();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let base = format!("http://{addr}");
    let login = http
        .post(format!("{base}/login"))
        .form(&[("t", token.as_str())])
        .send()
        .await
        .expect("login");
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let rounds: usize = support::env_or("DASHBOARD_ROUNDS", 20);
    println!("| page | bytes | median | slowest | bot's RSS after |");
    println!("|---|---:|---:|---:|---:|");
    let list = [
        "/queue".to_string(),
        format!("/conversations/{conversation}"),
        format!("/customers/{customer}"),
        "/search?q=customer99990".into(),
        "/search?q=no-such-words".into(),
        "/search?state=resolved".into(),
        "/stats".into(),
        "/export".into(),
        "/export.csv".into(),
        "/export.jsonl".into(),
    ];
    for path in &list {
        let heavy = path.starts_with("/export.") || path.contains("no-such");
        let n = if heavy { 3 } else { rounds };
        let mut times = Vec::new();
        let mut bytes = 0;
        for round in 0..=n {
            let started = Instant::now();
            let r = http
                .get(format!("{base}{path}"))
                .header("cookie", &cookie)
                .send()
                .await
                .expect("get");
            assert!(r.status().is_success(), "{path}: {}", r.status());
            bytes = r.bytes().await.expect("body").len();
            if round > 0 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        println!(
            "| `{path}` | {bytes} | {:.1} ms | {:.1} ms | {} |",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            mib(status_kib(pid, "VmRSS:"))
        );
    }
}

fn main() {
    let n: u64 = support::env_or("DASHBOARD_CONVERSATIONS", 100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let opened = seed(&data, n);
        let off = run_bot(dir.path(), &data, None, opened).await;
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port");
        let on = run_bot(dir.path(), &data, Some(addr), opened).await;
        println!();
        println!("| dashboard | RSS ready | RSS after the pages | peak RSS |");
        println!("|---|---:|---:|---:|");
        for (label, m) in [("off", off), ("on", on)] {
            println!(
                "| {label} | {} | {} | {} |",
                mib(m.rss_ready),
                mib(m.rss_after),
                mib(m.peak)
            );
        }
    });
}
