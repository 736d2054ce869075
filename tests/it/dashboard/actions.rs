//! What a signed-in owner does: resolve, reopen and snooze through the desk (with the
//! session's CSRF token, refused without it), read a transcript, search, see the stats and
//! download the exports.

use std::sync::Arc;

use frontdesk::clock::{ManualClock, SystemClock};
use frontdesk_sim::demo::{ALICE, BOB, CAROL, HELP, OWNER};
use reqwest::StatusCode;

use super::{csrf_of, customer_writes, owner_link, serve};
use crate::support::{eventually, wait_post_containing};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_need_the_sessions_csrf_token_and_go_through_the_desk() {
    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let alice = customer_writes(&sim, ALICE, "do you ship to Norway?").await;
    customer_writes(&sim, BOB, "is the blue fabric back?").await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    let queue = eventually("both wait", async || {
        let (_, body) = web.get(&owner, "/queue").await;
        (body.contains("alice") && body.contains("bob")).then_some(body)
    })
    .await;
    // Oldest first, with a link into Discord and the reminders sent.
    assert!(queue.find("alice") < queue.find("bob"), "{queue}");
    assert!(queue.contains("https://discord.com/channels/"), "{queue}");
    assert!(queue.contains("2 waiting"), "{queue}");

    let path = format!("/conversations/{alice}");
    let (status, page) = web.get(&owner, &path).await;
    assert_eq!(status, StatusCode::OK);
    // The transcript: the customer's words and frontdesk's acknowledgement, with times.
    assert!(page.contains("do you ship to Norway?"), "{page}");
    assert!(page.contains("frontdesk"), "{page}");
    assert!(page.contains("<time datetime="), "{page}");
    // The header: the state as a badge, the topic, the wait and its reminders in words.
    assert!(page.contains(r#"aria-label="Summary""#), "{page}");
    assert!(page.contains(r#"class="badge waiting""#), "{page}");
    assert!(page.contains("No reminder yet"), "{page}");
    assert!(!page.contains("Reopened"), "never reopened: {page}");
    let csrf = csrf_of(&page);

    // Without the token, or with another session's, nothing happens.
    let other = web.sign_in(&owner_link(&sim).await).await;
    let (_, other_page) = web.get(&other, &path).await;
    let foreign = csrf_of(&other_page);
    assert_ne!(foreign, csrf);
    for form in [vec![], vec![("csrf", "")], vec![("csrf", foreign.as_str())]] {
        let (status, _, body) = web
            .post(Some(&owner), &format!("{path}/resolve"), &form)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{form:?}");
        assert!(body.contains("security token"), "{body}");
    }
    assert!(web.get(&owner, "/queue").await.1.contains("alice"));

    // Snooze, then resolve: both through the desk's commands.
    let (status, location, _) = web
        .post(
            Some(&owner),
            &format!("{path}/snooze"),
            &[("csrf", &csrf), ("duration", "4h")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(format!("{path}?done=snooze").as_str())
    );
    let (_, page) = web.get(&owner, &format!("{path}?done=snooze")).await;
    assert!(page.contains("Reminders snoozed until"), "{page}");
    let (status, _, _) = web
        .post(Some(&owner), &format!("{path}/resolve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, queue) = web.get(&owner, "/queue").await;
    assert!(!queue.contains("alice") && queue.contains("bob"), "{queue}");
    assert!(queue.contains("1 waiting"), "{queue}");
    let (_, page) = web.get(&owner, &path).await;
    assert!(
        page.contains("Resolved") && page.contains(">Reopen<"),
        "{page}"
    );
    assert!(page.contains(r#"class="badge resolved""#), "{page}");

    // Reopen: waiting again, and the owners are told, as with `/reopen`.
    let (status, _, _) = web
        .post(Some(&owner), &format!("{path}/reopen"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(web.get(&owner, "/queue").await.1.contains("alice"));
    let (_, page) = web.get(&owner, &path).await;
    assert!(page.contains("Reopened once"), "{page}");
    for action in ["resolve", "reopen"] {
        let (status, _, _) = web
            .post(
                Some(&owner),
                &format!("{path}/{action}"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{action}");
    }
    let (_, page) = web.get(&owner, &path).await;
    assert!(page.contains("Reopened twice"), "{page}");
    // Counts read as words on every page: no "(s)".
    for p in [path.as_str(), "/queue", "/search?q=alice", "/stats"] {
        let (_, body) = web.get(&owner, p).await;
        assert!(!body.contains("(s)"), "{p}: {body}");
    }
    // Sign out needs the token as well, then the session is gone.
    let (status, _, _) = web.post(Some(&owner), "/logout", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = web.post(Some(&owner), "/logout", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(web.get(&owner, "/queue").await.0, StatusCode::UNAUTHORIZED);
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_stats_and_exports() {
    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let carol = customer_writes(&sim, CAROL, "my thimble order 8812 is late").await;
    customer_writes(&sim, BOB, "hello there").await;
    // The owner answers carol in person: a first reply for the stats.
    sim.post_reply(OWNER, HELP, "On its way, Carol!", carol)
        .await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    eventually("carol is answered", async || {
        let (_, q) = web.get(&owner, "/queue").await;
        (q.contains("bob") && !q.contains("carol")).then_some(())
    })
    .await;

    let (_, found) = web.get(&owner, "/search?q=THIMBLE").await;
    assert!(
        found.contains("carol") && !found.contains(">bob<"),
        "{found}"
    );
    let (_, found) = web.get(&owner, "/search?q=bo").await;
    assert!(found.contains("bob") && !found.contains("carol"), "{found}");
    let (_, none) = web.get(&owner, "/search?state=resolved").await;
    assert!(none.contains("No conversation matches"), "{none}");

    let (status, stats) = web.get(&owner, "/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert!(stats.contains("First personal reply by topic"), "{stats}");
    assert!(
        stats.contains("<svg") && stats.contains("Busiest hours of the week"),
        "{stats}"
    );

    let r = web
        .http
        .get(web.url("/export.csv"))
        .header(reqwest::header::COOKIE, &owner.cookie)
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .contains("attachment"));
    let csv = r.text().await.expect("body");
    assert!(csv.starts_with("id,customer,customer_name"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let (status, jsonl) = web.get(&owner, "/export.jsonl").await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(jsonl.contains("thimble order 8812"));
    let (status, page) = web.get(&owner, "/export").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/export.csv") && page.contains("/export.jsonl"));
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcript_shows_each_reminder_with_its_time() {
    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(crate::support::tuesday_morning()));
    let web = serve(&sim, data.path(), clock.clone()).await;
    let alice = customer_writes(&sim, ALICE, "do you ship to Norway?").await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    let path = format!("/conversations/{alice}");
    let (_, page) = web.get(&owner, &path).await;
    assert!(!page.contains("Reminder sent"), "{page}");

    clock.advance(jiff::SignedDuration::from_mins(15));
    wait_post_containing(&sim, "⏰ Reminder 1:").await;
    let page = eventually("the reminder in the transcript", async || {
        let (_, body) = web.get(&owner, &path).await;
        body.contains("Reminder sent to the owner").then_some(body)
    })
    .await;
    assert_eq!(page.matches("Reminder sent to the owner").count(), 1);
    assert!(
        page.contains("2026-11-24T10:15"),
        "the reminder's time: {page}"
    );
    assert!(page.contains("1 reminder in this wait"), "{page}");

    // The second step, an hour after she started waiting: the header counts in the plural.
    clock.advance(jiff::SignedDuration::from_mins(45));
    wait_post_containing(&sim, "⏰ Reminder 2:").await;
    let page = eventually("the second reminder in the header", async || {
        let (_, body) = web.get(&owner, &path).await;
        body.contains("2 reminders in this wait").then_some(body)
    })
    .await;
    assert_eq!(
        page.matches("Reminder sent to the owner").count(),
        2,
        "{page}"
    );
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_and_unclaim_on_the_web_page_and_the_queue_shows_who_has_it_and_mine() {
    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let alice = customer_writes(&sim, ALICE, "do you ship to Norway?").await;
    customer_writes(&sim, BOB, "is the blue fabric back?").await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    eventually("both wait", async || {
        let (_, body) = web.get(&owner, "/queue").await;
        (body.contains("alice") && body.contains("bob")).then_some(())
    })
    .await;
    let path = format!("/conversations/{alice}");
    let (_, page) = web.get(&owner, &path).await;
    assert!(
        page.contains(">Claim<") && !page.contains(">Unclaim<"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    // Without the session's token nothing is claimed.
    let (status, _, _) = web.post(Some(&owner), &format!("{path}/claim"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, location, _) = web
        .post(Some(&owner), &format!("{path}/claim"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = web
        .get(&owner, location.as_deref().expect("redirect"))
        .await;
    // The owner's name as the server shows it (the demo's owner is "Sam").
    assert!(page.contains("It's yours"), "{page}");
    assert!(page.contains("Sam has it"), "{page}");
    assert!(page.contains(">Unclaim<"), "{page}");
    // The customer is told in #help, pinging only her.
    let told = wait_post_containing(&sim, "your question").await;
    assert_eq!(told.path, format!("/channels/{HELP}/messages"));

    let (_, queue) = web.get(&owner, "/queue").await;
    assert!(
        queue.contains("Has it") && queue.contains(">Sam<"),
        "{queue}"
    );
    assert!(queue.contains(r#"href="/queue?mine=1""#), "{queue}");
    let (_, mine) = web.get(&owner, "/queue?mine=1").await;
    assert!(mine.contains("alice") && !mine.contains("bob"), "{mine}");

    let (status, _, _) = web
        .post(Some(&owner), &format!("{path}/unclaim"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&owner, &path).await;
    assert!(
        !page.contains("Sam has it") && page.contains(">Claim<"),
        "{page}"
    );
    let (_, mine) = web.get(&owner, "/queue?mine=1").await;
    assert!(!mine.contains("alice"), "{mine}");
}
