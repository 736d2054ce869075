//! Shared by the benchmarks that run the real bot: a simulated server with many watched text
//! channels, the matching frontdesk config, starting the bot against a simulator (in this
//! process, or the built binary as a child whose memory is read from `/proc`), settings from
//! the environment, and latency statistics.

#![allow(dead_code)] // each bench target uses a different part of this module

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use frontdesk::app::{run, BotError, BotOptions};
use frontdesk::clock::SystemClock;
use frontdesk::config::{Config, Secret};
use frontdesk_sim::{demo, perms, SimChannel, SimConfig, SimGuild, SimUser, Simulator, World};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The first of the watched text channels; the others follow.
pub const FIRST_CHANNEL: u64 = 200_000_000_000_000_000;
/// Customers are not members the simulator knows: it renders them as "unknown-user", which
/// is enough for a message author.
pub const FIRST_CUSTOMER: u64 = 300_000_000_000_000_000;

pub fn channel(i: usize) -> u64 {
    FIRST_CHANNEL + i as u64
}

/// One guild with `channels` watched text channels, #staff, the owner and the bot.
pub fn world(channels: usize) -> World {
    let mut guild = SimGuild::new(demo::GUILD, "Bench & Co", demo::OWNER).with_role(
        demo::STAFF_ROLE,
        "Staff",
        perms::STAFF,
    );
    for i in 0..channels {
        guild = guild.with_channel(SimChannel::text(channel(i), &format!("help-{i}")));
    }
    guild = guild.with_channel(SimChannel::text(demo::STAFF, "staff"));
    World::new(guild, SimUser::bot(demo::BOT, "Frontdesk"))
        .with_user(SimUser::new(demo::OWNER, "owner").with_role(demo::STAFF_ROLE))
}

/// `frontdesk.toml` for [`world`]: every channel watched, the owner notified by DM.
pub fn config(data_dir: &Path, channels: usize) -> Config {
    Config::parse(&config_text(data_dir, channels), Path::new("bench.toml"))
        .unwrap_or_else(|e| panic!("bench config: {e}"))
}

/// The text of [`config`], for a `frontdesk run --config` child process.
pub fn config_text(data_dir: &Path, channels: usize) -> String {
    let responses = Path::new(env!("CARGO_MANIFEST_DIR")).join("responses");
    let list: Vec<String> = (0..channels)
        .map(|i| format!("\"{}\"", channel(i)))
        .collect();
    format!(
        r#"
business_name = "Bench & Co"
owner_name = "Sam"
responses = "{responses}"
data_dir = "{data}"

[discord]
guild = "{guild}"
owners = ["{owner}"]
staff_roles = ["{staff_role}"]
staff_channel = "{staff}"
message_content = true

[watch]
channels = [{list}]
dms = true
"#,
        responses = responses.display(),
        data = data_dir.display(),
        guild = demo::GUILD,
        owner = demo::OWNER,
        staff_role = demo::STAFF_ROLE,
        staff = demo::STAFF,
        list = list.join(", "),
    )
}

/// A simulator of [`world`] without rate limits: what is measured is frontdesk, not waits
/// that Discord's limits impose.
pub async fn sim_without_limits(channels: usize) -> Simulator {
    Simulator::start(
        world(channels),
        SimConfig {
            rate_limit: None,
            ..SimConfig::default()
        },
    )
    .await
    .expect("simulator")
}

/// The options of the bot on [`config`], on the system clock, for [`Frontdesk::start_with`].
pub fn options(data_dir: &Path, channels: usize) -> BotOptions {
    BotOptions::new(
        config(data_dir, channels),
        Secret::new("bench-token"),
        Arc::new(SystemClock),
    )
}

/// frontdesk running in this process against `sim`.
pub struct Frontdesk {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), BotError>>,
}

impl Frontdesk {
    /// Starts the bot with `opts` (the API base is set here) and waits until it is ready.
    pub async fn start_with(sim: &Simulator, mut opts: BotOptions) -> Frontdesk {
        opts.api = Some(sim.base_url());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(run(opts, async move {
            let _ = rx.await;
        }));
        wait_ready(sim).await;
        Frontdesk {
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match tokio::time::timeout(Duration::from_secs(30), &mut self.task).await {
            Ok(Ok(Ok(()))) => {}
            other => eprintln!("frontdesk did not stop cleanly: {other:?}"),
        }
    }
}

/// Ready = the session got READY and the bot registered its commands (its first act on READY).
pub async fn wait_ready(sim: &Simulator) {
    assert!(
        sim.wait_for_connected(Duration::from_secs(30)).await,
        "the bot connected"
    );
    sim.wait_for_request(|r| r.is("PUT", "/commands"), Duration::from_secs(30))
        .await
        .expect("commands registered");
}

/// The customer message an acknowledgement request replies to, if it is one.
pub fn acknowledged(r: &frontdesk_sim::RecordedRequest) -> Option<u64> {
    if !(r.method == "POST" && r.path.ends_with("/messages") && r.status < 300) {
        return None;
    }
    r.body
        .as_ref()?
        .get("message_reference")?
        .get("message_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

/// When each customer message was first acknowledged (successful requests only).
pub fn ack_times(sim: &Simulator) -> HashMap<u64, (Instant, usize)> {
    let mut out: HashMap<u64, (Instant, usize)> = HashMap::new();
    for r in sim.requests() {
        if let Some(m) = acknowledged(&r) {
            let e = out.entry(m).or_insert((r.received_at, 0));
            e.0 = e.0.min(r.received_at);
            e.1 += 1;
        }
    }
    out
}

/// Latency percentiles in microseconds.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub n: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(mut samples: Vec<Duration>) -> Stats {
        samples.sort();
        let n = samples.len();
        let at = |q: f64| {
            if n == 0 {
                return f64::NAN;
            }
            let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
            samples[i].as_secs_f64() * 1e6
        };
        Stats {
            n,
            p50: at(0.50),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}

pub fn ms(us: f64) -> String {
    format!("{:.3} ms", us / 1000.0)
}

/// The number in environment variable `name`, or `default` when it is unset or not a number.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The machine's load averages over 1, 5 and 15 minutes, printed beside timings.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// `frontdesk run --config config` against `sim` as a child process at `warn` level, its
/// stderr shown: `command` is the built binary, or a wrapper (a profiler) with the binary as
/// its last argument. Its memory is then the bot's alone, not this process's.
pub fn spawn_run(mut command: Command, config: &Path, sim: &Simulator) -> Child {
    command
        .arg("run")
        .arg("--config")
        .arg(config)
        .arg("--discord-api")
        .arg(sim.base_url())
        .env("DISCORD_TOKEN", "bench-token")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn frontdesk")
}

/// Waits up to 30 s for `child` to exit once it was sent SIGTERM, then kills it.
pub async fn wait_or_kill(child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if child.try_wait().ok().flatten().is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A memory figure of process `pid` in KiB, from `/proc/<pid>/status`: `field` is `VmRSS:`
/// (resident now) or `VmHWM:` (its peak). `None` where there is no such file (not Linux).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A [`status_kib`] figure in MiB, `?` when it could not be read.
pub fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}
