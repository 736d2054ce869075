//! The real binary at the edge of its process limits: with few file descriptors while someone
//! holds many unfinished dashboard connections, and with a database file that cannot grow. It
//! keeps answering customers, stops promptly, says what is wrong, and loses nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use frontdesk_sim::{demo, Simulator};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{sim_with, unlimited, world};
use crate::support::{
    acks_for, eventually, quiet_period, ready, sim_with_customers, spawn_frontdesk_limited,
    spawn_ready, terminate, write_demo_config, Child, QUIET, WAIT,
};

/// A loopback port nobody listens on now, for the binary's dashboard.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    l.local_addr().expect("addr").port()
}

/// The demo config with the dashboard on `port`.
fn config_with_dashboard(dir: &Path, port: u16) -> PathBuf {
    let config = write_demo_config(dir, "");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!("\n[dashboard]\nlisten = \"127.0.0.1:{port}\"\n"));
    std::fs::write(&config, text).expect("config");
    config
}

/// Up to `n` connections that each sent the start of a request and stopped, as the
/// reported attack did. Those the kernel's backlog cannot take time out, and are left out.
async fn hold(port: u16, n: usize) -> Vec<TcpStream> {
    let attempts = (0..n).map(|_| async move {
        let connect = TcpStream::connect(("127.0.0.1", port));
        let mut s = tokio::time::timeout(Duration::from_secs(2), connect)
            .await
            .ok()?
            .ok()?;
        s.write_all(b"GET /queue HTTP/1.1\r\nHost: x\r\n")
            .await
            .ok()?;
        Some(s)
    });
    futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .flatten()
        .collect()
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the binary's descriptors")
        .count()
}

fn frontdesk(args: &[&str], config: &Path, sim: &Simulator) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env("DISCORD_TOKEN", "limits-test")
        .env("RUST_LOG", "warn")
        .args(
            (args[0] == "doctor")
                .then(|| ["--discord-api".to_string(), sim.base_url()])
                .into_iter()
                .flatten(),
        )
        .output()
        .expect("frontdesk")
}

/// Signs in with a link from `frontdesk dashboard-link`; the session cookie, or the refusal.
async fn sign_in(
    config: &Path,
    sim: &Simulator,
    port: u16,
) -> Result<String, (reqwest::StatusCode, String)> {
    let out = frontdesk(&["dashboard-link"], config, sim);
    assert!(out.status.success(), "a link: {out:?}");
    let link = String::from_utf8(out.stdout).expect("utf-8");
    let token = link
        .trim()
        .split_once("t=")
        .map(|(_, t)| t.to_string())
        .expect("a token in the link");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = http
        .post(format!("http://127.0.0.1:{port}/login"))
        .form(&[("t", token.as_str())])
        .send()
        .await
        .expect("login");
    let status = r.status();
    let cookie = r
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let body = r.text().await.expect("body");
    match (status, cookie) {
        (reqwest::StatusCode::SEE_OTHER, Some(c)) => Ok(c),
        _ => Err((status, body)),
    }
}

async fn get(port: u16, cookie: &str, path: &str) -> (reqwest::StatusCode, String) {
    let r = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .expect("get");
    (r.status(), r.text().await.expect("body"))
}

/// Sends SIGTERM and waits for the exit; how long it took and how it ended.
async fn stop(child: &mut Child) -> (Duration, std::process::ExitStatus) {
    let started = Instant::now();
    std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.0.id())])
        .status()
        .expect("kill -TERM");
    let status = eventually("the binary exited after SIGTERM", async || {
        child.0.try_wait().expect("wait")
    })
    .await;
    (started.elapsed(), status)
}

async fn assert_each_acknowledged_once(sim: &Simulator, messages: &[u64]) {
    eventually("every customer was acknowledged", async || {
        messages
            .iter()
            .all(|m| !acks_for(sim, *m).is_empty())
            .then_some(())
    })
    .await;
    quiet_period(QUIET).await;
    for m in messages {
        assert_eq!(acks_for(sim, *m).len(), 1, "message {m} acknowledged once");
    }
}

/// The reported attack: under an open-file limit of 256, more unfinished connections than
/// that. The bot keeps acknowledging with its descriptors well under the limit, a sign-in
/// works once the connections are gone, and SIGTERM with many of them open exits 0 promptly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_dashboard_connections_cannot_starve_the_bot() {
    const LIMIT: usize = 256;
    let (sim, customers) = sim_with_customers(700_000, 20).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = config_with_dashboard(dir.path(), port);
    let limits = format!("ulimit -n {LIMIT}");
    let mut bot = ready(&sim, || {
        Child(spawn_frontdesk_limited(
            &config,
            &sim,
            &limits,
            std::process::Stdio::inherit(),
        ))
    })
    .await;
    let pid = bot.0.id();

    let held = hold(port, 2 * LIMIT).await;
    assert!(held.len() > LIMIT / 2, "connections held: {}", held.len());
    let mut asked = Vec::new();
    for c in &customers {
        asked.push(sim.post_message(*c, demo::HELP, "is this in stock?").await);
    }
    assert_each_acknowledged_once(&sim, &asked).await;
    let used = open_files(pid);
    assert!(
        used < LIMIT / 2,
        "{used} descriptors open of {LIMIT} while {} connections were attempted",
        held.len()
    );

    drop(held);
    let cookie = sign_in(&config, &sim, port)
        .await
        .expect("a sign-in works after the flood");
    let (status, page) = get(port, &cookie, "/queue").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        page.contains("customer700001"),
        "the queue lists the customers"
    );

    let _held = hold(port, LIMIT).await;
    let (took, status) = stop(&mut bot).await;
    assert!(status.success(), "SIGTERM stops it cleanly: {status:?}");
    assert!(took < WAIT, "stopped in {took:?}");
}

/// A real I/O error from the database: the binary's file-size limit (`ulimit -f`) lets sled's
/// file hold its first segment (512 KiB) but not grow into the next, so a write fails with
/// EFBIG part-way through a run of customers. The bot says so (log, health file, `doctor`, the
/// web page), SIGTERM ends it promptly with the cause instead of hanging in a flush, and the
/// next start acknowledges every customer exactly once and stores them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_cannot_write_stops_promptly_and_loses_nothing() {
    // Without the per-channel limit: this is about the database, not pacing.
    let (world, customers) = world(200);
    let sim = sim_with(world, unlimited()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = config_with_dashboard(dir.path(), port);
    let data = dir.path().join("data");
    // The first start lays out the database.
    let mut bot = spawn_ready(&sim, &config).await;
    terminate(&mut bot);

    let stderr = dir.path().join("stderr.log");
    // `trap '' XFSZ`: the write fails with EFBIG instead of the signal killing the process.
    let mut bot = ready(&sim, || {
        Child(spawn_frontdesk_limited(
            &config,
            &sim,
            "trap '' XFSZ && ulimit -f 520",
            std::fs::File::create(&stderr).expect("stderr"),
        ))
    })
    .await;
    let cookie = sign_in(&config, &sim, port).await.expect("signed in");
    let failing = || {
        matches!(
            frontdesk::desk::Health::read(&data),
            Some(frontdesk::desk::Health::Failing { .. })
        )
    };
    let long = "x".repeat(1_900);
    let mut asked = Vec::new();
    let mut customers = customers.into_iter();
    while !failing() {
        let mut batch = Vec::new();
        for c in customers.by_ref().take(5) {
            let text = format!("is this in stock? {long}");
            batch.push(sim.post_message(c, demo::HELP, &text).await);
        }
        assert!(
            !batch.is_empty(),
            "the database failed before the customers ran out"
        );
        eventually("the messages were handled", async || {
            (batch.iter().all(|id| !acks_for(&sim, *id).is_empty()) || failing()).then_some(())
        })
        .await;
        asked.extend(batch);
    }
    assert!(
        failing(),
        "the database failed within {} customers",
        asked.len()
    );
    // Customers who write while it cannot store anything.
    for c in customers.take(3) {
        asked.push(sim.post_message(c, demo::HELP, "hello?").await);
    }

    let (_, page) = get(port, &cookie, "/queue").await;
    assert!(
        page.contains("The bot cannot write its database") && page.contains("file-size limit"),
        "the web page says so: {page}"
    );
    let doctor = frontdesk(&["doctor"], &config, &sim);
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert_eq!(doctor.status.code(), Some(1), "doctor: {report}");
    assert!(
        report.contains("could not write its database") && report.contains("file-size limit"),
        "doctor says so: {report}"
    );

    let (took, status) = stop(&mut bot).await;
    let log = std::fs::read_to_string(&stderr).expect("log");
    assert!(took < WAIT, "stopped in {took:?}");
    assert!(
        !status.success(),
        "the stop reports the failure: {status:?}"
    );
    assert!(
        log.contains("error: database flush failed")
            || log.contains("error: the database did not finish writing"),
        "the cause is the last word: {log}"
    );

    let mut bot = spawn_ready(&sim, &config).await;
    assert_each_acknowledged_once(&sim, &asked).await;
    terminate(&mut bot);
    assert_eq!(
        frontdesk::desk::Health::read(&data),
        Some(frontdesk::desk::Health::Ok)
    );
    let export = frontdesk(&["export", "--format", "jsonl"], &config, &sim);
    assert!(export.status.success(), "export: {export:?}");
    let export = String::from_utf8_lossy(&export.stdout);
    for id in &asked {
        assert!(export.contains(&id.to_string()), "message {id} is stored");
    }
}
