//! Other Discord clients against the simulator, pointed at it and otherwise unchanged: a
//! discord.py bot and a discord.js bot (`tests/clients/`) log in, connect to the gateway,
//! receive a customer's message and reply to it. The simulator records how each one dialled
//! its gateway, which pins it: discord.py with `compress=zlib-stream` at the root path.
//!
//! They need what `tools/install-clients.sh` installs (discord.py in a venv, discord.js under
//! an npm prefix, both in `target/clients/`; `.ci/run` calls it, and so do these tests when it
//! is missing). If it cannot be installed they fail with the script's reason;
//! `FRONTDESK_SKIP_CLIENTS=1` skips them, and they say so.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use frontdesk_sim::{demo, SimConfig, Simulator, World};
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::support::{Child, WAIT};

/// Set to `1` to skip these tests on a machine without Python or Node.
const SKIP: &str = "FRONTDESK_SKIP_CLIENTS";

/// A first start imports the whole library (a cold `import discord` takes seconds).
const STARTUP: std::time::Duration = std::time::Duration::from_secs(60);

/// `target/clients/`, where tools/install-clients.sh puts them.
fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("clients")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

/// `Some(dir)` once `client` is installed (by tools/install-clients.sh, run here if needed);
/// `None` when skipping was asked for. Anything else fails the test, naming the fix.
/// `marker` is the install script's stamp, written once a client is wholly installed.
fn installed(client: &str, marker: &str) -> Option<PathBuf> {
    if crate::support::tools::skipped(SKIP, &format!("sim_protocol::clients ({client})")) {
        return None;
    }
    let dir = clients_dir();
    crate::support::tools::ensure("install-clients.sh", SKIP, || dir.join(marker).exists());
    Some(dir)
}

/// A client bot process: its stdout lines arrive on a channel, its stderr (the library's
/// logs) is kept for a failure's message. Killed when dropped.
struct ClientBot {
    name: &'static str,
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ClientBot {
    fn spawn(name: &'static str, mut command: Command) -> ClientBot {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{name} starts: {e}"));
        let (tx, lines) = mpsc::unbounded_channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr");
        let keep = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                keep.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        ClientBot {
            name,
            child: Child(child),
            lines,
            log,
        }
    }

    /// The next line of its output starting with `prefix` (others skipped).
    async fn line(&mut self, prefix: &str, within: std::time::Duration) -> String {
        let found = timeout(within, async {
            while let Some(line) = self.lines.recv().await {
                if line.starts_with(prefix) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            outcome => {
                let exited = self.child.0.try_wait().ok().flatten();
                let log = self.log.lock().unwrap_or_else(|e| e.into_inner()).clone();
                panic!(
                    "{}: no `{prefix}` line ({}; exit status {exited:?}); its log:\n{log}",
                    self.name,
                    if outcome.is_err() {
                        "timed out"
                    } else {
                        "output ended"
                    },
                )
            }
        }
    }
}

/// The client logs in, connects, hears a customer and replies; returns the simulator to check
/// how it got there.
async fn hears_and_replies(
    name: &'static str,
    command: impl FnOnce(&Simulator) -> Command,
) -> Simulator {
    let sim = Simulator::start(World::demo(), SimConfig::default())
        .await
        .expect("simulator starts");
    let mut bot = ClientBot::spawn(name, command(&sim));
    assert_eq!(
        bot.line("ready ", STARTUP).await,
        format!("ready {} guilds=1", demo::BOT)
    );
    let text = "Is the shop open on Sunday?";
    let id = sim.post_message(demo::ALICE, demo::HELP, text).await;
    assert_eq!(
        bot.line("message ", WAIT).await,
        format!("message {id} {text}")
    );
    let reply = sim
        .wait_for_message(demo::HELP, |m| m.author_id == demo::BOT, WAIT)
        .await
        .unwrap_or_else(|| panic!("{name} replied in #help"));
    assert_eq!(reply.content, format!("{name} heard: {text}"));
    assert_eq!(reply.reply_to(), Some(id));
    // Every request it made had an answer: no route missing for this client.
    for r in sim.requests() {
        assert!(
            r.status < 400,
            "{name}: {} {} answered {}",
            r.method,
            r.path,
            r.status
        );
    }
    drop(bot);
    sim
}

fn asked(sim: &Simulator) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_py_connects_with_zlib_stream_hears_and_replies() {
    let Some(dir) = installed("discord.py", "venv/.installed") else {
        return;
    };
    let sim = hears_and_replies("discord.py", |sim| {
        let mut c = Command::new(dir.join("venv/bin/python"));
        c.arg(script("discord_py_bot.py"))
            .arg(sim.base_url())
            .arg(sim.token());
        c
    })
    .await;
    // discord.py 2.x: its DEFAULT_GATEWAY (the root of the gateway's host) plus its query.
    assert_eq!(
        sim.gateway_dials(),
        vec!["/?v=10&encoding=json&compress=zlib-stream".to_string()]
    );
    let asked = asked(&sim);
    for login in ["GET /users/@me", "GET /oauth2/applications/@me"] {
        assert!(asked.iter().any(|a| a == login), "{login} in {asked:?}");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_js_connects_hears_and_replies() {
    let Some(dir) = installed("discord.js", "node/.installed") else {
        return;
    };
    let sim = hears_and_replies("discord.js", |sim| {
        let mut c = Command::new("node");
        c.arg(script("discord_js_bot.js"))
            .arg(sim.base_url())
            .arg(sim.token())
            .env("NODE_PATH", dir.join("node/node_modules"));
        c
    })
    .await;
    // discord.js 14: the URL of GET /gateway/bot plus its query (no zlib-sync installed).
    assert_eq!(
        sim.gateway_dials(),
        vec!["/?v=10&encoding=json".to_string()]
    );
    assert!(asked(&sim).iter().any(|a| a == "GET /gateway/bot"));
    sim.shutdown().await;
}
