//! `frontdesk run` as an installer meets it: refusals with one clear error, help for every
//! command, logs without colour codes to a pipe, a token never printed, and `sim` + `run` as
//! separate processes making a working bot.

use std::path::Path;
use std::process::{Command, Output};

use super::{frontdesk, repo, text};

#[test]
fn run_without_a_token_names_the_fix_and_never_starts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args([
            "run",
            "--config",
            &repo().join("frontdesk.example.toml").display().to_string(),
        ])
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .output()
        .expect("run");
    let out = text(&o);
    assert!(!o.status.success());
    assert!(out.contains("no bot token"), "{out}");
    assert!(out.contains("DISCORD_TOKEN"), "{out}");
}

#[test]
fn every_command_has_help() {
    for cmd in ["run", "demo", "check", "export", "sim"] {
        let o = frontdesk(&[cmd, "--help"], repo());
        assert!(o.status.success(), "{cmd}: {}", text(&o));
        assert!(text(&o).contains("Usage: frontdesk"), "{cmd}");
    }
}

/// `frontdesk sim` in one process, `frontdesk run --discord-api` in another, and a script
/// (this test) talking to the simulator's control API — the README's "by hand" section.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_and_run_as_separate_processes_make_a_working_bot() {
    use frontdesk_sim::demo;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sim = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["sim", "--port", &port.to_string()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sim");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    crate::support::eventually("the simulator came up", async || {
        http.get(format!("{base}/_sim/world")).send().await.ok()
    })
    .await;
    let config = std::fs::read_to_string(repo().join("frontdesk.sim.toml"))
        .expect("shipped sim config")
        .replace(
            "responses = \"responses\"",
            &format!("responses = \"{}\"", repo().join("responses").display()),
        );
    std::fs::write(dir.path().join("frontdesk.toml"), config).expect("config");
    let mut bot = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["run", "--config", "frontdesk.toml", "--discord-api", &base])
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "any")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("bot");

    // Post once the bot has registered its commands, i.e. is connected. Not `eventually`
    // here: the processes are stopped before the checks, whatever happens.
    let ready = crate::support::wait_for(crate::support::WAIT, async || {
        let r = http
            .get(format!("{base}/_sim/requests"))
            .send()
            .await
            .ok()?;
        let requests: serde_json::Value =
            serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or_default();
        requests
            .as_array()
            .is_some_and(|list| {
                list.iter().any(|r| {
                    r["method"] == "PUT"
                        && r["path"].as_str().is_some_and(|p| p.contains("/commands"))
                })
            })
            .then_some(())
    })
    .await
    .is_some();
    let body = format!(
        r#"{{"author":"{}","channel":"{}","content":"how much is shipping?"}}"#,
        demo::ALICE,
        demo::HELP
    );
    let posted = ready
        && http
            .post(format!("{base}/_sim/messages"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .is_ok();
    let help = format!("{base}/_sim/channels/{}/messages", demo::HELP);
    let acknowledged = posted
        && crate::support::wait_for(crate::support::WAIT, async || {
            let text = http.get(&help).send().await.ok()?.text().await.ok()?;
            let list: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            list.as_array()
                .is_some_and(|messages| {
                    messages.iter().any(|m| {
                        m["author_id"].as_u64() == Some(demo::BOT)
                            && m["content"]
                                .as_str()
                                .is_some_and(|c| c.contains(&format!("<@{}>", demo::ALICE)))
                    })
                })
                .then_some(())
        })
        .await
        .is_some();
    // SIGTERM: a graceful stop that flushes the database.
    let _ = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status();
    let status = bot.wait().expect("bot exit");
    let _ = sim.kill();
    let _ = sim.wait();
    assert!(ready, "the bot connected to the separate simulator");
    assert!(posted, "the customer's message was posted");
    assert!(
        acknowledged,
        "the customer was acknowledged through the separate simulator"
    );
    assert!(
        status.success(),
        "SIGTERM stops the bot cleanly: {status:?}"
    );
}

/// `frontdesk run` as an installer meets it, with a config and an environment of their own.
fn run_with(dir: &Path, config: &str, token: Option<&str>) -> (Output, String) {
    std::fs::write(dir.join("frontdesk.toml"), config).expect("config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
    cmd.args(["run", "--config", "frontdesk.toml"])
        .args(["--discord-api", "http://127.0.0.1:9"])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("DISCORD_TOKEN");
    if let Some(t) = token {
        cmd.env("DISCORD_TOKEN", t);
    }
    let o = cmd.output().expect("run");
    let out = text(&o);
    (o, out)
}

/// An error is said once, names what is wrong and how to fix it, and is not a panic.
fn assert_clear_refusal(o: &Output, out: &str, cause: &str) {
    assert_eq!(o.status.code(), Some(1), "exit code 1, not a crash: {out}");
    assert!(!out.contains("panicked"), "{out}");
    assert!(out.contains(cause), "names the cause {cause:?}: {out}");
    assert_eq!(out.matches("fix:").count(), 1, "one cause, one fix: {out}");
}

#[test]
fn bad_configs_and_tokens_stop_run_with_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let responses = repo().join("responses").display().to_string();
    let base = format!("owner_name = \"Sam\"\nresponses = \"{responses}\"\n");
    let cases: Vec<(String, Option<&str>, &str)> = vec![
        ("owner_name = \"Sam\n".into(), Some("t"), "frontdesk.toml:1"),
        (
            format!("{base}[discord]\nguild = \"not-a-number\"\n"),
            Some("t"),
            "frontdesk.toml:4",
        ),
        (
            format!("{base}[discord]\ntokn = \"x\"\n"),
            Some("t"),
            "unknown field `tokn`",
        ),
        (
            format!("{base}[hours]\ntime_zone = \"Mars/Olympus\"\n"),
            Some("t"),
            "Mars/Olympus",
        ),
        (
            format!("{base}[discord]\ntoken_file = \"nope.txt\"\n"),
            None,
            "cannot read token file",
        ),
        (
            format!("{base}[discord]\ntoken_file = \"empty.txt\"\n"),
            None,
            "is empty",
        ),
        (base.clone(), Some("   "), "no bot token"),
        (
            "owner_name = \"Sam\"\nresponses = \"no-such-dir\"\n".into(),
            Some("t"),
            "no-such-dir",
        ),
    ];
    std::fs::write(dir.path().join("empty.txt"), "\n").expect("token file");
    for (config, token, cause) in cases {
        let (o, out) = run_with(dir.path(), &config, token);
        assert_clear_refusal(&o, &out, cause);
    }
    let o = frontdesk(&["run", "--config", "missing.toml"], dir.path());
    assert_clear_refusal(&o, &text(&o), "cannot read config missing.toml");
}

#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("tempdir");
    let responses = repo().join("responses").display().to_string();
    let config = format!("owner_name = \"Sam\"\nresponses = \"{responses}\"\n");
    std::fs::write(dir.path().join("frontdesk.toml"), config).expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["run", "--config", "frontdesk.toml"])
        .args(["--discord-api", "http://127.0.0.1:9"])
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .env("DISCORD_TOKEN", "not-a-real-token")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    let stderr = child.stderr.take().expect("stderr");
    let mut first = String::new();
    let read = BufReader::new(stderr).read_line(&mut first);
    let _ = child.kill();
    let _ = child.wait();
    read.expect("a log line");
    assert!(first.contains("frontdesk starting"), "{first:?}");
    assert!(!first.contains('\u{1b}'), "no ANSI escapes: {first:?}");
}

/// A bot token pasted into the config (into `token_file` here, the likeliest slip) stops
/// `check` and `run` with its line and the fix, and neither prints it.
#[test]
fn a_token_in_the_config_is_never_printed_by_check_or_run() {
    const TOKEN: &str = "MTEwMDAwMDAwMDAwMDAwOTAw.GxYz12.abcDEFghiJKLmnoPQRstuVWXyz0123456789_-";
    let dir = tempfile::tempdir().expect("tempdir");
    let config = format!("owner_name = \"Sam\"\n[discord]\ntoken_file = \"{TOKEN}\"\n");
    std::fs::write(dir.path().join("frontdesk.toml"), &config).expect("config");
    let o = frontdesk(&["check", "--config", "frontdesk.toml"], dir.path());
    let (o2, out2) = run_with(dir.path(), &config, None);
    for (o, out) in [(&o, text(&o)), (&o2, out2)] {
        assert_clear_refusal(
            o,
            &out,
            "frontdesk.toml:3: `token_file` holds what looks like a bot token",
        );
        assert!(out.contains("DISCORD_TOKEN"), "{out}");
        assert!(!out.contains("MTEw") && !out.contains("abcDEFghi"), "{out}");
    }
}
