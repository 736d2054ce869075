//! Shared by the tests: a simulator plus the real bot (in-process or as the built binary),
//! waiting for what the bot does, and the check of every request body against Discord's
//! OpenAPI description.

mod interactions;
pub mod tools;
mod wait;

pub use interactions::{
    command, command_until, customer_asks_owner_replies, wait_owner_replied, Answer,
};
pub use wait::{eventually, quiet_period, wait_for, QUIET, WAIT};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use frontdesk::app::{run, BotError, BotOptions, RetryPolicy};
use frontdesk::clock::{Clock, ManualClock, SystemClock};
use frontdesk::config::{Config, Secret};
use frontdesk_sim::schema::{ApiSchema, Violation};
use frontdesk_sim::{demo, RecordedRequest, Simulator};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A simulator of the demo world with Discord's default limits.
pub async fn demo_sim() -> Simulator {
    Simulator::start(
        frontdesk_sim::World::demo(),
        frontdesk_sim::SimConfig::default(),
    )
    .await
    .expect("simulator")
}

/// Tuesday 24 November 2026, 10:00 UTC, where tests on a manual clock start: inside the
/// demo's open hours and outside its quiet hours.
pub fn tuesday_morning() -> jiff::Timestamp {
    "2026-11-24T10:00:00Z".parse().expect("time")
}

/// The demo world, and the bot on a fresh database with `extra` config lines and a manual
/// clock set to [`tuesday_morning`]: the simulator, the bot, the clock to move and the folder
/// holding the data (in `data`).
pub async fn start_on_a_manual_clock(
    extra: &str,
) -> (Simulator, Bot, Arc<ManualClock>, tempfile::TempDir) {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(tuesday_morning()));
    let bot = Bot::start_with(&sim, &dir.path().join("data"), extra, clock.clone()).await;
    (sim, bot, clock, dir)
}

/// The demo world plus `n` customers with ids `first + 1 ..= first + n`, in a simulator with
/// Discord's default rate limits; returns it and the customers' ids.
pub async fn sim_with_customers(first: u64, n: u64) -> (Simulator, Vec<u64>) {
    let customers: Vec<u64> = (1..=n).map(|i| first + i).collect();
    let world = customers.iter().fold(frontdesk_sim::World::demo(), |w, c| {
        w.with_user(frontdesk_sim::SimUser::new(*c, &format!("customer{c}")))
    });
    let sim = Simulator::start(world, frontdesk_sim::SimConfig::default())
        .await
        .expect("simulator");
    (sim, customers)
}

pub fn responses() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("responses")
}

/// Logs from the bot during tests, when asked for with RUST_LOG (e.g. `RUST_LOG=frontdesk=debug`).
fn init_logs() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

/// The real bot running against a simulator until stopped.
pub struct Bot {
    pub sim: Simulator,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), BotError>>,
}

impl Bot {
    /// Starts the bot on `data` with the demo world's config and waits until it is ready.
    pub async fn start(sim: &Simulator, data: &Path) -> Bot {
        Bot::start_with(sim, data, "", Arc::new(SystemClock)).await
    }

    pub async fn start_with(
        sim: &Simulator,
        data: &Path,
        extra: &str,
        clock: Arc<dyn Clock>,
    ) -> Bot {
        Bot::start_custom(sim, data, extra, clock, |_| {}).await
    }

    /// Like [`Bot::start_with`], with a last say on the options.
    pub async fn start_custom(
        sim: &Simulator,
        data: &Path,
        extra: &str,
        clock: Arc<dyn Clock>,
        adjust: impl FnOnce(&mut BotOptions),
    ) -> Bot {
        let config = frontdesk::demo::demo_config(data, &responses(), extra);
        Bot::start_config(sim, config, clock, adjust).await
    }

    /// The bot watching `channels` of the demo server (the demo config watches #help, the
    /// forum and DMs), its data in `data`; `adjust` has the last say on its options.
    pub async fn start_watching(
        sim: &Simulator,
        data: &Path,
        channels: &[u64],
        adjust: impl FnOnce(&mut BotOptions),
    ) -> Bot {
        let config = watching_channels(data, channels);
        Bot::start_config(sim, config, Arc::new(SystemClock), adjust).await
    }

    /// The bot on `config` with the tests' short tick and retry backoff, `adjust` having the
    /// last say on its options; waits until it is ready.
    async fn start_config(
        sim: &Simulator,
        config: Config,
        clock: Arc<dyn Clock>,
        adjust: impl FnOnce(&mut BotOptions),
    ) -> Bot {
        init_logs();
        let mut opts = BotOptions::new(config, Secret::new("e2e-token"), clock);
        opts.api = Some(sim.base_url());
        opts.tick_every = Duration::from_millis(50);
        opts.retry = RetryPolicy {
            first_backoff: Duration::from_millis(50),
            ..RetryPolicy::default()
        };
        adjust(&mut opts);
        let registrations = sim
            .requests()
            .iter()
            .filter(|r| r.is("PUT", "/commands"))
            .count();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(run(opts, async move {
            let _ = rx.await;
        }));
        // Commands are registered on READY: once that request is in, the bot is ready.
        eventually("the bot became ready", async || {
            let n = sim
                .requests()
                .iter()
                .filter(|r| r.is("PUT", "/commands"))
                .count();
            (n > registrations).then_some(())
        })
        .await;
        Bot {
            sim: sim.clone(),
            stop: Some(tx),
            task,
        }
    }

    /// Stops the bot (as Ctrl-C would) and checks every request body it sent.
    pub async fn stop(self) {
        self.stop_within(WAIT).await;
    }

    /// [`Bot::stop`], allowed `within` to stop: after a burst, the stop waits for the bot's
    /// tasks to finish what the rate limits still hold back.
    pub async fn stop_within(mut self, within: Duration) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let result = tokio::time::timeout(within, &mut self.task)
            .await
            .expect("the bot stops in time")
            .expect("the bot task did not panic");
        result.expect("the bot stopped cleanly");
        assert_bodies_match_discords_spec(&self.sim.requests());
    }
}

/// The successful acknowledgements of one customer message: replies to it, or merged
/// acknowledgements linking it.
pub fn acks_for(sim: &Simulator, message: u64) -> Vec<RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| is_ack_of(r, message))
        .collect()
}

fn is_ack_of(r: &RecordedRequest, message: u64) -> bool {
    r.is("POST", "/messages") && r.status < 300 && acked_by_request(r).contains(&message)
}

/// The customer messages a message frontdesk posted into `channel` acknowledges: the one it
/// replies to, or each one a merged acknowledgement links (a jump link into the same
/// channel). Parsed here rather than by frontdesk's own parser, so the tests check it.
fn acknowledged_by(content: &str, reference: Option<&serde_json::Value>, channel: u64) -> Vec<u64> {
    let mut out: Vec<u64> = reference
        .and_then(|r| {
            let id = &r["message_id"];
            id.as_str()
                .and_then(|s| s.parse().ok())
                .or_else(|| id.as_u64())
        })
        .into_iter()
        .collect();
    for (at, prefix) in content.match_indices("https://discord.com/channels/") {
        let mut parts = content[at + prefix.len()..].split('/');
        let _guild = parts.next();
        if parts.next().and_then(|c| c.parse::<u64>().ok()) != Some(channel) {
            continue;
        }
        let digits: String = parts
            .next()
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        out.extend(digits.parse::<u64>().ok());
    }
    out
}

/// What a recorded `POST /channels/{id}/messages` acknowledges (see [`acknowledged_by`]).
pub fn acked_by_request(r: &RecordedRequest) -> Vec<u64> {
    let channel = r
        .path
        .strip_prefix("/channels/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|c| c.parse().ok());
    match (channel, &r.body) {
        (Some(channel), Some(body)) => acknowledged_by(
            body["content"].as_str().unwrap_or(""),
            body.get("message_reference"),
            channel,
        ),
        _ => Vec::new(),
    }
}

/// What a message in the simulator's history acknowledges (see [`acknowledged_by`]).
pub fn acked_by_message(m: &frontdesk_sim::SimMessage) -> Vec<u64> {
    acknowledged_by(&m.content, m.message_reference.as_ref(), m.channel_id)
}

pub async fn wait_ack(sim: &Simulator, message: u64) -> RecordedRequest {
    sim.wait_for_request(|r| is_ack_of(r, message), WAIT)
        .await
        .unwrap_or_else(|| panic!("message {message} was acknowledged"))
}

/// Carol DMs `text` (the demo's DM customer); returns her DM conversation's staff thread,
/// once frontdesk acknowledged her and mirrored her words there.
pub async fn carol_dms(sim: &Simulator, text: &str) -> u64 {
    let dm = sim.send_dm(frontdesk_sim::demo::CAROL, text).await;
    wait_ack(sim, dm).await;
    let mirrored = wait_post_containing(sim, &format!("**carol**: {text}")).await;
    mirrored
        .path
        .split('/')
        .nth(2)
        .and_then(|s| s.parse().ok())
        .expect("the staff thread")
}

/// Waits until the owner was notified about `message`, posted in `channel`: a notice linking
/// it (`…/channel/message`), posted anywhere but that channel.
pub async fn wait_owner_notified(sim: &Simulator, channel: u64, message: u64) -> RecordedRequest {
    let link = format!("/{channel}/{message}\n");
    let own_channel = format!("/channels/{channel}/messages");
    sim.wait_for_request(
        |r| {
            r.is("POST", "/messages")
                && r.status < 300
                && !r.path.contains(&own_channel)
                && r.body.as_ref().is_some_and(|b| {
                    b["content"]
                        .as_str()
                        .is_some_and(|c| format!("{c}\n").contains(&link))
                })
        },
        WAIT,
    )
    .await
    .unwrap_or_else(|| panic!("the owner was notified about {message}"))
}

/// The private staff thread frontdesk opened in #staff for a DM conversation, once it has.
pub async fn wait_staff_thread(sim: &Simulator) -> u64 {
    let created = sim
        .wait_for_request(
            |r| r.is("POST", &format!("/channels/{}/threads", demo::STAFF)) && r.status < 300,
            WAIT,
        )
        .await
        .expect("a private staff thread");
    created.response.expect("answer")["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("thread id")
}

/// Waits for a successful message post whose content contains `needle`.
pub async fn wait_post_containing(sim: &Simulator, needle: &str) -> RecordedRequest {
    sim.wait_for_request(
        |r| {
            r.is("POST", "/messages")
                && r.status < 300
                && r.body
                    .as_ref()
                    .is_some_and(|b| b["content"].as_str().is_some_and(|c| c.contains(needle)))
        },
        WAIT,
    )
    .await
    .unwrap_or_else(|| panic!("a message containing {needle:?} was posted"))
}

/// The texts frontdesk posted into `user`'s DM with the bot that contain `needle`.
pub fn in_dm_of(sim: &Simulator, user: u64, needle: &str) -> Vec<String> {
    let Some(dm) = sim.dm_channel_of(user) else {
        return Vec::new();
    };
    posts_containing(sim, needle)
        .into_iter()
        .filter(|r| r.path == format!("/channels/{dm}/messages"))
        .filter_map(|r| r.body?["content"].as_str().map(str::to_string))
        .collect()
}

/// Successful posts whose content contains `needle`.
pub fn posts_containing(sim: &Simulator, needle: &str) -> Vec<RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| {
            r.is("POST", "/messages")
                && r.status < 300
                && r.body
                    .as_ref()
                    .is_some_and(|b| b["content"].as_str().is_some_and(|c| c.contains(needle)))
        })
        .collect()
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
                // say; the OpenAPI file types it as an integer. And it numbers a new upload
                // in `attachments` with an integer (`"id": 0`, as the docs' own multipart
                // example does), where the file types every id as a string. Only those
                // pointers are excused.
                let real: Vec<_> = list
                    .into_iter()
                    .filter(|v| !v.contains("/default_member_permissions"))
                    .filter(|v| !is_upload_index(v))
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

/// `/attachments/N/id: expected string, found integer …`: an upload's `files[N]` index.
fn is_upload_index(violation: &str) -> bool {
    violation
        .strip_prefix("/attachments/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(n, rest)| {
            n.parse::<u32>().is_ok() && rest.starts_with("id: expected string, found integer")
        })
}

/// The answers to interaction `id` (a command or a button click), once there is one.
pub async fn wait_interaction(sim: &Simulator, id: u64) -> Vec<serde_json::Value> {
    eventually(format!("interaction {id} was answered"), async || {
        let r = sim.interaction_responses(id);
        (!r.is_empty()).then_some(r)
    })
    .await
}

/// Successful message posts whose path contains `path`, among the requests from index `since`
/// on (`sim.requests().len()` taken before the part of the test that must post nothing).
pub fn posts_since(sim: &Simulator, since: usize, path: &str) -> Vec<RecordedRequest> {
    sim.requests()[since..]
        .iter()
        .filter(|r| r.is("POST", path) && r.status < 300)
        .cloned()
        .collect()
}

/// The demo config for the real binary, written to `dir/frontdesk.toml` with `top` (top-level
/// keys) first; its data lives in `dir/data`.
pub fn write_demo_config(dir: &Path, top: &str) -> PathBuf {
    let config = dir.join("frontdesk.toml");
    let demo = frontdesk::demo::demo_config_text(Path::new("data"), &responses(), "");
    std::fs::write(&config, format!("{top}{demo}")).expect("config");
    config
}

/// The built binary, `frontdesk run` against the simulator at `warn` level, its stderr to
/// `stderr`.
pub fn spawn_frontdesk(
    config: &Path,
    sim: &Simulator,
    stderr: impl Into<std::process::Stdio>,
) -> std::process::Child {
    run_frontdesk(config, &sim.base_url())
        .stderr(stderr)
        .spawn()
        .expect("spawn frontdesk")
}

/// `frontdesk run` on `config` against the Discord API at `api`, with a test token, at `warn`
/// level, its stdout discarded: a test sets what differs (token, level, pipes), then spawns it.
pub fn run_frontdesk(config: &Path, api: &str) -> std::process::Command {
    run_command(
        std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk")),
        config,
        api,
    )
}

/// [`spawn_frontdesk`], started by bash after `limits` (say `ulimit -n 256`): the binary runs
/// with the process limits the shell set, as under a service manager that sets them.
pub fn spawn_frontdesk_limited(
    config: &Path,
    sim: &Simulator,
    limits: &str,
    stderr: impl Into<std::process::Stdio>,
) -> std::process::Child {
    let mut bash = std::process::Command::new("bash");
    bash.arg("-c")
        .arg(format!("{limits} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_frontdesk"));
    run_command(bash, config, &sim.base_url())
        .stderr(stderr)
        .spawn()
        .expect("spawn bash")
}

fn run_command(
    mut command: std::process::Command,
    config: &Path,
    api: &str,
) -> std::process::Command {
    command
        .args(["run", "--config"])
        .arg(config)
        .args(["--discord-api", api])
        .env("DISCORD_TOKEN", "kill-test")
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "1")
        .stdout(std::process::Stdio::null());
    command
}

/// A simulator of `world` that keeps no nonces, as after a restart long enough for Discord
/// to forget them: only frontdesk's own checks keep a resend after a SIGKILL from showing.
pub async fn forgetful_sim(world: frontdesk_sim::World) -> Simulator {
    let config = frontdesk_sim::SimConfig {
        nonce_window: Duration::ZERO,
        ..frontdesk_sim::SimConfig::default()
    };
    Simulator::start(world, config).await.expect("simulator")
}

/// [`spawn_ready`], run `n` of it keeping its stderr in `dir/run-{n}.log` (a test that
/// restarts the binary reads why a run failed there).
pub async fn spawn_logged(sim: &Simulator, config: &Path, dir: &Path, n: u32) -> Child {
    let log = std::fs::File::create(dir.join(format!("run-{n}.log"))).expect("log");
    ready(sim, || Child(spawn_frontdesk(config, sim, log))).await
}

/// SIGKILLs `child` once `delivered` holds (checked against the binary's clock, which ticks
/// every 20 s: `what` within two ticks), then starts the binary again on the same data;
/// returns it once a new customer's notice is out, when the restart's sweep has run.
pub async fn sigkill_once_delivered(
    sim: &Simulator,
    child: Child,
    config: &Path,
    dir: &Path,
    what: &str,
    delivered: impl Fn() -> bool,
) -> Child {
    wait_for(Duration::from_secs(45), async || delivered().then_some(()))
        .await
        .unwrap_or_else(|| panic!("{what} within two ticks"));
    drop(child);
    let restarted = spawn_logged(sim, config, dir, 2).await;
    let carol = sim
        .post_message(demo::CAROL, demo::HELP, "Is the shop open on Sunday?")
        .await;
    wait_ack(sim, carol).await;
    wait_owner_notified(sim, demo::HELP, carol).await;
    quiet_period(QUIET).await;
    restarted
}

/// A child process (the real binary, a client bot), killed with SIGKILL when dropped: a test
/// that fails leaves no process behind.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn spawn_ready(sim: &Simulator, config: &std::path::Path) -> Child {
    ready(sim, || {
        Child(spawn_frontdesk(config, sim, std::process::Stdio::null()))
    })
    .await
}

/// Starts the binary with `spawn` and waits until it is ready.
pub async fn ready<C>(sim: &Simulator, spawn: impl FnOnce() -> C) -> C {
    let before = sim
        .requests()
        .iter()
        .filter(|r| r.is("PUT", "/commands"))
        .count();
    let child = spawn();
    // Commands are registered on READY: once that request is in, the binary is ready.
    eventually("the binary became ready", async || {
        let n = sim
            .requests()
            .iter()
            .filter(|r| r.is("PUT", "/commands"))
            .count();
        (n > before).then_some(())
    })
    .await;
    child
}

/// Stops the binary with SIGTERM (the shell's own kill: a slim CI image may lack /bin/kill)
/// and checks that it exits cleanly.
pub fn terminate(child: &mut Child) {
    std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.0.id())])
        .status()
        .expect("kill -TERM");
    let exit = child.0.wait().expect("exit");
    assert!(exit.success(), "SIGTERM stops it cleanly: {exit:?}");
}

/// The demo world plus a text channel `help-{i}` for each of `channels` it lacks, `i` being
/// the channel's place in the list.
pub fn world_with_channels(channels: &[u64]) -> frontdesk_sim::World {
    let mut world = frontdesk_sim::World::demo();
    for (i, c) in channels.iter().enumerate() {
        if !world.guild.channels.iter().any(|have| have.id == *c) {
            world.guild = world
                .guild
                .with_channel(frontdesk_sim::SimChannel::text(*c, &format!("help-{i}")));
        }
    }
    world
}

/// The demo business watching `channels` in the demo server, with its data in `data`.
fn watching_channels(data: &Path, channels: &[u64]) -> Config {
    let list: Vec<String> = channels.iter().map(|c| format!("\"{c}\"")).collect();
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
    Config::parse(&text, Path::new("frontdesk.toml")).expect("config")
}
