//! The signing key's life with the real binary: `dashboard-link` before the first `run` is
//! refused and leaves the directory empty (so `run` still takes it); deleting `dashboard.key`
//! while the bot runs voids unused links, and the key the next `dashboard-link` writes is
//! accepted by the running bot at once. In process: a damaged key makes `/dashboard` say so.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use frontdesk::clock::SystemClock;
use frontdesk_sim::demo::HELP;
use reqwest::StatusCode;
use serde_json::json;

use super::{owner_link, serve, token_of};
use crate::support::{command, demo_sim, responses, spawn_ready, terminate};

fn dashboard_link(config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["dashboard-link", "--config"])
        .arg(config)
        .env_remove("RUST_LOG")
        .output()
        .expect("run dashboard-link")
}

/// The link `dashboard-link` printed; panics with its stderr unless it succeeded.
fn link_of(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .expect("utf-8")
        .trim()
        .to_string()
}

/// Presses the sign-in button of `link`: the status, and the body when it was refused.
async fn sign_in(http: &reqwest::Client, base: &str, link: &str) -> (StatusCode, String) {
    let r = http
        .post(format!("{base}/login"))
        .form(&[("t", token_of(link).as_str())])
        .send()
        .await
        .expect("login");
    (r.status(), r.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_file_is_the_one_truth_for_the_cli_and_the_running_binary() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("dir");
    // An empty data directory made for the bot, as systemd's StateDirectory or a container's
    // volume is.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let config = dir.path().join("frontdesk.toml");
    let text = frontdesk::demo::demo_config_text(
        &data,
        &responses(),
        &format!("[dashboard]\nlisten = \"{addr}\"\n"),
    );
    std::fs::write(&config, text).expect("config");

    let early = dashboard_link(&config);
    let stderr = String::from_utf8_lossy(&early.stderr);
    assert!(!early.status.success(), "{stderr}");
    assert!(early.stdout.is_empty(), "no link before the first run");
    assert!(stderr.contains("no frontdesk database in"), "{stderr}");
    assert!(stderr.contains("fix: start the bot first"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(&data).expect("list").count(),
        0,
        "nothing written into the directory"
    );

    // `run` takes the directory, still empty.
    let mut bot = spawn_ready(&sim, &config).await;
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let first = link_of(&dashboard_link(&config));
    assert_eq!(sign_in(&http, &base, &first).await.0, StatusCode::SEE_OTHER);

    // Deleting the key while the bot runs voids a link not yet used...
    let unused = link_of(&dashboard_link(&config));
    std::fs::remove_file(data.join("dashboard.key")).expect("delete the key");
    let (status, body) = sign_in(&http, &base, &unused).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("not valid"), "{body}");
    // ...and the new key the next `dashboard-link` writes is the running bot's too.
    let fresh = link_of(&dashboard_link(&config));
    assert!(data.join("dashboard.key").is_file(), "a new key");
    assert_eq!(sign_in(&http, &base, &fresh).await.0, StatusCode::SEE_OTHER);
    let (status, _) = sign_in(&http, &base, &unused).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old link stays void");
    terminate(&mut bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_dashboard_makes_a_new_key_after_a_delete_and_says_when_it_cannot() {
    let sim = demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let key = data.path().join("dashboard.key");
    let unused = owner_link(&sim).await;
    std::fs::remove_file(&key).expect("delete the key");
    let (status, body) = web.try_sign_in(&unused).await.err().expect("voided");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("not valid"), "{body}");
    let owner = web.sign_in(&owner_link(&sim).await).await;
    assert_eq!(web.get(&owner, "/queue").await.0, StatusCode::OK);
    assert!(key.is_file(), "/dashboard wrote a new key");

    std::fs::write(&key, b"damaged").expect("damage the key");
    let answer = command(
        &sim,
        frontdesk_sim::demo::OWNER,
        HELP,
        "dashboard",
        json!([]),
    )
    .await;
    answer.assert_ephemeral();
    assert!(!answer.text.contains("http"), "{}", answer.text);
    assert!(
        answer.text.contains("no sign-in link could be made"),
        "{}",
        answer.text
    );
    assert!(answer.text.contains("dashboard.key"), "{}", answer.text);
    // The session signed in before is not the key's: it goes on.
    assert_eq!(web.get(&owner, "/queue").await.0, StatusCode::OK);
    web.bot.stop().await;
}
