//! Signing in and reading: no session means 401 and no customer data, a link works once and
//! for ten minutes, a customer's HTML is shown as text, someone who lost the staff role loses
//! access, a staff-role member's link asked for in a DM works, the CLI's link works while the
//! bot holds the database, and when the session cookie is `Secure`.

use std::sync::Arc;

use frontdesk::clock::{ManualClock, SystemClock};
use frontdesk_sim::demo::{ALICE, BOB, GUILD, HELP, STAFF_ROLE};
use frontdesk_sim::{SimUser, Simulator};
use reqwest::StatusCode;
use serde_json::json;

use super::{
    customer_writes, link_from_channel, link_from_discord, owner_link, serve, serve_with, token_of,
};
use crate::support::{command, demo_sim, eventually, wait_ack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_session_every_route_is_401_and_shows_no_customer_data() {
    let sim = demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let id = customer_writes(&sim, ALICE, "my order 4471-secret never came").await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    eventually("alice is in the queue", async || {
        web.get(&owner, "/queue")
            .await
            .1
            .contains("alice")
            .then_some(())
    })
    .await;
    let conversation = format!("/conversations/{id}");
    let gets = [
        "/".to_string(),
        "/queue".into(),
        conversation.clone(),
        "/search?q=alice".into(),
        "/search?state=resolved".into(),
        "/stats".into(),
        "/export".into(),
        "/export.csv".into(),
        "/export.jsonl".into(),
    ];
    let no_data = |body: &str| !body.contains("alice") && !body.contains("4471-secret");
    for path in &gets {
        let (status, body) = web.get_anon(path).await;
        // `/` only redirects to the queue, which then asks for a session.
        if path == "/" {
            assert_eq!(status, StatusCode::SEE_OTHER);
            continue;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED, "GET {path}");
        assert!(no_data(&body), "GET {path} leaked: {body}");
        // A made-up session is no session.
        let fake = super::SignedIn {
            cookie: "frontdesk_session=made-up".into(),
        };
        let (status, body) = web.get(&fake, path).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "GET {path} with a made-up cookie"
        );
        assert!(no_data(&body));
    }
    for action in ["resolve", "reopen", "snooze"] {
        let path = format!("{conversation}/{action}");
        let (status, _, body) = web.post(None, &path, &[("csrf", "x")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "POST {path}");
        assert!(no_data(&body));
    }
    let (status, _, _) = web.post(None, "/logout", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing changed: alice still waits.
    assert!(web.get(&owner, "/queue").await.1.contains("alice"));
    let (status, body) = web.get_anon("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(no_data(&body));
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_works_once_and_for_ten_minutes_only() {
    let sim = demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let web = serve(&sim, data.path(), clock.clone()).await;

    let link = owner_link(&sim).await;
    let (status, page) = web.get_anon(&link.replace(&web.base, "")).await;
    assert_eq!(status, StatusCode::OK, "the link's page: {page}");
    assert!(page.contains("Sign in"), "{page}");
    let first = web.sign_in(&link).await;
    assert_eq!(web.get(&first, "/queue").await.0, StatusCode::OK);
    let (status, body) = web
        .try_sign_in(&link)
        .await
        .err()
        .expect("used once already");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("already used"), "{body}");

    // Ten minutes later a fresh link is refused, on its page and when pressed.
    let late = owner_link(&sim).await;
    clock.advance(jiff::SignedDuration::from_mins(10));
    let (status, body) = web.get_anon(&late.replace(&web.base, "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("expired"), "{body}");
    let (status, body) = web.try_sign_in(&late).await.err().expect("expired");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("expired"), "{body}");

    // A forged or altered token is no link at all.
    let token = token_of(&owner_link(&sim).await);
    let altered = format!("{}?t={}A", web.base, token);
    let (status, body) = web.try_sign_in(&altered).await.err().expect("altered");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("not valid"), "{body}");

    // A customer gets no link.
    let answer = command(&sim, ALICE, HELP, "dashboard", json!([])).await;
    assert!(!answer.text.contains("http"), "{}", answer.text);
    assert!(answer.text.contains("only for the team"), "{}", answer.text);
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_html_is_shown_as_text() {
    let sim = demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let id = customer_writes(&sim, BOB, "<script>alert('x')</script><b>hi</b> & bye").await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    let page = eventually("bob's conversation is stored", async || {
        let (status, body) = web.get(&owner, &format!("/conversations/{id}")).await;
        (status == StatusCode::OK).then_some(body)
    })
    .await;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<b>hi</b>"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert('x')&lt;/script&gt;&lt;b&gt;hi&lt;/b&gt; &amp; bye"),
        "{page}"
    );
    let (_, found) = web.get(&owner, "/search?q=%3Cscript%3E").await;
    assert!(
        found.contains("bob") && !found.contains("<script>alert"),
        "{found}"
    );
    // The search box shows what was asked, escaped too.
    assert!(found.contains("value=\"&lt;script&gt;\""), "{found}");
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_who_lost_the_staff_role_loses_access() {
    const PAT: u64 = 100_000_000_000_000_150;
    let world =
        frontdesk_sim::World::demo().with_user(SimUser::new(PAT, "pat").with_role(STAFF_ROLE));
    let sim = Simulator::start(world, frontdesk_sim::SimConfig::default())
        .await
        .expect("simulator");
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    customer_writes(&sim, ALICE, "where is my parcel?").await;
    let pat = web.sign_in(&link_from_discord(&sim, PAT).await).await;
    eventually("pat sees alice waiting", async || {
        let (status, body) = web.get(&pat, "/queue").await;
        (status == StatusCode::OK && body.contains("alice")).then_some(())
    })
    .await;

    // A link made while staff, used after the role went, is refused too.
    let spare = link_from_discord(&sim, PAT).await;
    assert!(sim.set_member_roles(PAT, Vec::new()));
    let (status, body) = web.get(&pat, "/queue").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("alice"), "{body}");
    // The session is over, not only this page.
    assert_eq!(web.get(&pat, "/stats").await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = web.try_sign_in(&spare).await.err().expect("not staff");
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("alice"));
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_link_works_while_the_bot_holds_the_database() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let web = serve(&sim, &data, Arc::new(SystemClock)).await;
    let addr = web.base.trim_start_matches("http://");
    let config = dir.path().join("frontdesk.toml");
    let text = frontdesk::demo::demo_config_text(
        &data,
        &crate::support::responses(),
        &format!("[dashboard]\nlisten = \"{addr}\"\n"),
    );
    std::fs::write(&config, text).expect("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["dashboard-link", "--config"])
        .arg(&config)
        .output()
        .expect("run dashboard-link");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let link = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    assert!(
        link.starts_with(&format!("{}/login?t=", web.base)),
        "{link}"
    );
    assert!(
        !stderr.contains(&token_of(&link)),
        "the token stays out of stderr"
    );
    let owner = web.sign_in(&link).await;
    assert_eq!(web.get(&owner, "/queue").await.0, StatusCode::OK);
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_is_secure_behind_an_https_proxy() {
    let sim = demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    for (name, value, secure) in [
        ("x-forwarded-proto", "https", true),
        ("x-forwarded-proto", "https, http", true),
        (
            "forwarded",
            "for=192.0.2.60;proto=\"https\", for=10.0.0.1;proto=http",
            true,
        ),
        ("x-forwarded-proto", "http", false),
        ("forwarded", "proto=http", false),
    ] {
        let token = token_of(&owner_link(&sim).await);
        let r = web
            .http
            .post(web.url("/login"))
            .header(name, value)
            .form(&[("t", token.as_str())])
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/queue");
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .to_string();
        for part in ["HttpOnly", "SameSite=Strict", "Max-Age="] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert_eq!(
            cookie.contains("Secure"),
            secure,
            "{name}: {value}: {cookie}"
        );
    }
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_public_url_makes_the_cookie_secure_without_proxy_headers() {
    let sim = demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let more = "public_url = \"https://desk.example.com\"\n";
    let web = serve_with(&sim, data.path(), Arc::new(SystemClock), more).await;
    let link = owner_link(&sim).await;
    assert!(
        link.starts_with("https://desk.example.com/login?t="),
        "{link}"
    );
    let r = web
        .http
        .post(web.url("/login"))
        .form(&[("t", token_of(&link).as_str())])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.contains("; Secure"), "{cookie}");
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_role_member_signs_in_with_a_link_asked_for_in_a_dm() {
    const PAT: u64 = 100_000_000_000_000_150;
    let world =
        frontdesk_sim::World::demo().with_user(SimUser::new(PAT, "pat").with_role(STAFF_ROLE));
    let sim = Simulator::start(world, frontdesk_sim::SimConfig::default())
        .await
        .expect("simulator");
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    customer_writes(&sim, ALICE, "where is my parcel?").await;
    // Pat opens a DM with the bot the only way a person can: by writing.
    let hello = sim.send_dm(PAT, "Hello").await;
    wait_ack(&sim, hello).await;
    let dm = sim.dm_channel_of(PAT).expect("pat's DM");
    let link = link_from_channel(&sim, PAT, dm).await;
    // The link carries the configured server, where the sign-in finds pat's staff role.
    let pat = web.sign_in(&link).await;
    eventually("pat sees alice waiting", async || {
        let (status, body) = web.get(&pat, "/queue").await;
        (status == StatusCode::OK && body.contains("alice")).then_some(())
    })
    .await;
    assert!(
        sim.requests()
            .iter()
            .any(|r| r.is("GET", &format!("/guilds/{GUILD}/members/{PAT}")) && r.status == 200),
        "the role was asked of the configured server"
    );
    web.bot.stop().await;
}

#[test]
fn the_cli_says_how_to_turn_the_dashboard_on() {
    let dir = tempfile::tempdir().expect("dir");
    let config = crate::support::write_demo_config(dir.path(), "");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["dashboard-link", "--config"])
        .arg(&config)
        .output()
        .expect("run dashboard-link");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no link");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the dashboard is off"), "{stderr}");
    assert!(stderr.contains("listen = \"127.0.0.1:8686\""), "{stderr}");
}
