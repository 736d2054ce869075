//! A real browser on the dashboard: headless Chromium driven over WebDriver (chromedriver)
//! signs in with a `/dashboard` link, sees the customers waiting, opens one conversation,
//! resolves it and sees the queue shrink, reopens it, adds a note and sends a reply.
//! Screenshots of the queue, of that conversation at a desktop's and a phone's width, of its
//! customer's page and of the stats page are saved under `target/tmp/dashboard-screenshots/`.
//!
//! Needs `chromium` and `chromedriver`: tools/install-browser.sh installs them from Debian
//! (`.ci/run` calls it, and so does this test when they are missing). If they cannot be
//! installed, the test fails with the reason: a browser test that passes without a browser
//! proves nothing. Skipping it is asked for explicitly, with `FRONTDESK_SKIP_BROWSER=1`, and
//! said on every run.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use fantoccini::{ClientBuilder, Locator};
use frontdesk::clock::SystemClock;
use frontdesk_sim::demo::{ALICE, BOB, CAROL, HELP, OWNER};
use serde_json::json;

use super::{customer_writes, owner_link, serve};
use crate::support::{eventually, wait_for, WAIT};

/// The browser's flags on a machine without a display, GPU or sandbox support.
const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The screenshots' window sizes: a laptop's and a phone's (CSS pixels).
const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

/// The environment variable that skips this test, when set to `1`.
const SKIP: &str = "FRONTDESK_SKIP_BROWSER";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_signs_in_resolves_a_conversation_adds_a_note_and_replies() {
    if crate::support::tools::skipped(SKIP, "dashboard::browser") {
        return;
    }
    let browsers = ["chromium", "chromium-browser", "google-chrome"];
    crate::support::tools::ensure("install-browser.sh", SKIP, || {
        find(&browsers).is_some() && find(&["chromedriver"]).is_some()
    });
    let (Some(chromium), Some(chromedriver)) = (find(&browsers), find(&["chromedriver"])) else {
        unreachable!("ensured above");
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let profile = tempfile::tempdir().expect("profile dir");
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    args.push(format!("--window-size={},{}", DESKTOP.0, DESKTOP.1));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chromium, "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let browser = wait_for(WAIT, async || {
        ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&webdriver)
            .await
            .ok()
    })
    .await
    .expect("chromedriver started a browser session");

    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let alice = customer_writes(&sim, ALICE, "Do you ship to Norway?").await;
    customer_writes(&sim, BOB, "Is the blue linen back in stock?").await;
    customer_writes(&sim, CAROL, "Can I change my order's size?").await;
    let link = owner_link(&sim).await;

    browser.goto(&link).await.expect("open the link");
    browser
        .find(Locator::Css("form[action='/login'] button"))
        .await
        .expect("the sign-in button")
        .click()
        .await
        .expect("sign in");
    let rows = || async {
        browser
            .find_all(Locator::Css("table.list tbody tr"))
            .await
            .map(|r| r.len())
            .unwrap_or(0)
    };
    // The text of the element `css` selects on the page open now.
    let text_of = async |css: &str| {
        let element = browser.find(Locator::Css(css)).await;
        let element = element.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.text().await.expect("text")
    };
    // The owner answers alice in Discord and she asks on: a transcript with both voices.
    // Each waits for the one before: the bot handles events in no set order.
    let alice_page = web.url(&format!("/conversations/{alice}"));
    let alice_reads = async |text: &str| {
        eventually(&format!("alice's transcript shows {text:?}"), async || {
            let _ = browser.goto(&alice_page).await;
            let main = browser.find(Locator::Css("main")).await.ok()?;
            main.text().await.ok()?.contains(text).then_some(())
        })
        .await
    };
    let answer = "Yes, we do: 3 to 5 working days with tracking.";
    sim.post_reply(OWNER, HELP, answer, alice).await;
    alice_reads("First personal reply").await;
    let follow_up = "Great! And what does shipping to Oslo cost?";
    sim.post_message(ALICE, HELP, follow_up).await;
    alice_reads("Waiting for a reply again").await;
    eventually("three customers wait in the browser's queue", async || {
        let _ = browser.goto(&web.url("/queue")).await;
        (rows().await == 3).then_some(())
    })
    .await;
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("queue.png"), &png).expect("save");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");

    browser
        .find(Locator::LinkText("alice"))
        .await
        .expect("alice's row")
        .click()
        .await
        .expect("open alice");
    // A click returns before the next page is in: wait for what only that page has.
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("form[action$='/resolve']"))
        .await
        .expect("alice's conversation page");
    let body = text_of("main").await;
    assert!(body.contains("Do you ship to Norway?"), "{body}");
    browser
        .find(Locator::Css("form[action$='/resolve'] button"))
        .await
        .expect("the resolve button")
        .click()
        .await
        .expect("resolve");
    let status = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("[role=status]"))
        .await
        .expect("a confirmation")
        .text()
        .await
        .expect("text");
    assert_eq!(status, "Resolved.");
    browser.goto(&web.url("/queue")).await.expect("queue");
    assert_eq!(rows().await, 2, "the queue shrank");
    let queue = browser.source().await.expect("source");
    assert!(!queue.contains(">alice<"), "alice left the queue");

    // Reopened from its page: the header says so, in words.
    browser.goto(&alice_page).await.expect("alice's page");
    browser
        .find(Locator::Css("form[action$='/reopen'] button"))
        .await
        .expect("the reopen button")
        .click()
        .await
        .expect("reopen");
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("form[action$='/resolve']"))
        .await
        .expect("reopened");
    let header = text_of("main").await;

    // A note for the team, then a reply to alice, typed into the page's boxes.
    let submit = async |form: &str, text: &str, done: &str| {
        let form = browser
            .find(Locator::Css(form))
            .await
            .unwrap_or_else(|e| panic!("the form {form}: {e}"));
        form.find(Locator::Css("textarea"))
            .await
            .expect("its box")
            .send_keys(text)
            .await
            .expect("type");
        form.find(Locator::Css("button[type=submit]"))
            .await
            .expect("its button")
            .click()
            .await
            .expect("send");
        // The page before has a confirmation too: wait for the one this form leads to.
        let done = format!("?done={done}");
        eventually(&format!("the page after {done}"), async || {
            let url = browser.current_url().await.ok()?;
            url.as_str().ends_with(&done).then_some(())
        })
        .await;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[role=status]"))
            .await
            .expect("a confirmation")
            .text()
            .await
            .expect("text")
    };
    let note = "Oslo is zone 2: quote 12 EUR";
    let said = submit("form[action$='/note']", note, "note").await;
    assert_eq!(said, "Note added. Only the team sees it.");
    let reply = "Shipping to Oslo is 12 EUR.";
    let said = submit("form[action$='/reply']", reply, "reply").await;
    assert!(said.starts_with("Reply sent"), "{said}");
    let sent = crate::support::wait_post_containing(&sim, reply).await;
    assert_eq!(sent.path, format!("/channels/{HELP}/messages"));
    let transcript = text_of("ol.transcript").await;
    assert!(
        transcript.contains(note) && transcript.contains("internal note"),
        "{transcript}"
    );
    assert!(transcript.contains(reply), "{transcript}");
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("conversation-desktop.png"), &png).expect("save");
    browser
        .set_window_size(PHONE.0, PHONE.1)
        .await
        .expect("a phone's width");
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("conversation-phone.png"), &png).expect("save");
    browser
        .set_window_size(DESKTOP.0, DESKTOP.1)
        .await
        .expect("a desktop's width");
    // After the screenshots, so that they are there to look at when this fails.
    assert!(header.contains("Reopened once"), "{header}");

    browser
        .goto(&web.url(&format!("/customers/{ALICE}")))
        .await
        .expect("alice's page");
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("customer.png"), &png).expect("save");
    let file = browser.source().await.expect("source");
    assert!(file.contains(note), "her notes on her page");
    browser.goto(&web.url("/stats")).await.expect("stats");
    let png = browser.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("stats.png"), &png).expect("save");
    eprintln!("dashboard screenshots in {}", shots.display());
    browser.close().await.expect("close the browser");
    web.bot.stop().await;
}
