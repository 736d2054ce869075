//! The team's tools on the web page: an internal note, added with the session's CSRF token,
//! shown in the transcript as a note and posted nowhere a customer reads; a customer's page
//! with their conversations, notes and block.

use std::sync::Arc;

use frontdesk::clock::SystemClock;
use frontdesk_sim::demo::{ALICE, BOB, HELP, OWNER, QUESTIONS};
use reqwest::StatusCode;
use serde_json::json;

use super::{csrf_of, customer_writes, owner_link, serve};
use crate::support::{command, posts_containing, quiet_period, QUIET};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_from_the_web_page_is_kept_in_the_transcript_and_shown_to_nobody_else() {
    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let alice = customer_writes(&sim, ALICE, "do you ship to Norway?").await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    let path = format!("/conversations/{alice}");
    let (_, page) = web.get(&owner, &path).await;
    assert!(
        page.contains(r#"<textarea id="note-text" name="text""#),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let posts_in_help = || {
        sim.requests()
            .iter()
            .filter(|r| r.is("POST", &format!("/channels/{HELP}/messages")))
            .count()
    };
    let before = posts_in_help();

    let note = "Norway: yes, via Posten <b>3–5 days</b>";
    let (status, _, _) = web
        .post(Some(&owner), &format!("{path}/note"), &[("text", note)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no note");
    let long = "x".repeat(2001);
    let (status, _, body) = web
        .post(
            Some(&owner),
            &format!("{path}/note"),
            &[("csrf", &csrf), ("text", &long)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("2001 characters"), "{body}");
    let (status, location, _) = web
        .post(
            Some(&owner),
            &format!("{path}/note"),
            &[("csrf", &csrf), ("text", note)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{path}?done=note")));
    let (_, page) = web.get(&owner, &format!("{path}?done=note")).await;
    assert!(
        page.contains("Note added. Only the team sees it."),
        "{page}"
    );
    assert!(page.contains(r#"class="msg internal""#), "{page}");
    assert!(page.contains("internal note"), "{page}");
    assert!(
        page.contains("Norway: yes, via Posten &lt;b&gt;3–5 days&lt;/b&gt;"),
        "escaped: {page}"
    );
    // Still waiting: a note is not a reply.
    assert!(page.contains(r#"class="badge waiting""#), "{page}");
    quiet_period(QUIET).await;
    assert_eq!(posts_in_help(), before);
    assert!(posts_containing(&sim, "Posten").is_empty());

    // Her page: linked from the transcript, with the conversation, the note, not blocked.
    let customer = format!("/customers/{ALICE}");
    assert!(page.contains(&format!(r#"href="{customer}""#)), "{page}");
    let (status, file) = web.get(&owner, &customer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(file.contains("1 conversation since"), "{file}");
    assert!(file.contains(&format!(r#"href="{path}""#)), "{file}");
    assert!(file.contains("Norway: yes, via Posten"), "{file}");
    assert!(file.contains("Not blocked"), "{file}");
    // And found by the name search.
    let (_, found) = web.get(&owner, "/search?q=alice").await;
    assert!(found.contains(&format!(r#"href="{customer}""#)), "{found}");
    // Once blocked, her page says so; someone frontdesk never heard from has none.
    let blocked = command(
        &sim,
        OWNER,
        HELP,
        "block",
        json!({"user": ALICE.to_string(), "reason": "spam"}),
    )
    .await;
    blocked.assert_ephemeral();
    let (_, file) = web.get(&owner, &customer).await;
    assert!(file.contains("Blocked") && file.contains("spam"), "{file}");
    let (status, _) = web.get(&owner, "/customers/12345").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_from_the_web_page_reaches_a_channel_customer_signed_and_counts_as_the_reply() {
    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    let alice = customer_writes(&sim, ALICE, "do you ship to Norway?").await;
    let later = sim
        .post_message(ALICE, HELP, "and how long does it take?")
        .await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    let path = format!("/conversations/{alice}");
    // A saved reply fills the box, for this customer, ready to edit.
    let (_, page) = web
        .get(&owner, &format!("{path}?saved=shipping-times"))
        .await;
    assert!(
        page.contains(r#"<option value="shipping-times">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"name="text" rows="5" required maxlength="2000" aria-describedby="reply-help">Hi alice! Orders ship"#),
        "{page}"
    );
    assert!(page.contains("— Sam, Maple &amp; Thread"), "{page}");
    let csrf = csrf_of(&page);

    let (status, _, _) = web
        .post(Some(&owner), &format!("{path}/reply"), &[("text", "Yes!")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no reply");
    let (status, _, body) = web
        .post(
            Some(&owner),
            &format!("{path}/reply"),
            &[("csrf", &csrf), ("text", &"x".repeat(1990))],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("1990 characters"), "{body}");

    let text = "Yes, we ship to Norway: 3–5 days.";
    let (status, location, _) = web
        .post(
            Some(&owner),
            &format!("{path}/reply"),
            &[("csrf", &csrf), ("text", text)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{path}?done=reply")));
    let sent = crate::support::wait_post_containing(&sim, text).await;
    assert_eq!(sent.path, format!("/channels/{HELP}/messages"));
    let body = sent.body.expect("json");
    assert_eq!(
        body["content"],
        json!(format!("<@{ALICE}> {text}\n— Sam, Maple & Thread"))
    );
    assert_eq!(
        body["allowed_mentions"]["users"],
        json!([ALICE.to_string()])
    );
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        body["message_reference"]["message_id"],
        json!(later.to_string()),
        "answers her latest message"
    );
    let (_, page) = web.get(&owner, &format!("{path}?done=reply")).await;
    assert!(page.contains("Reply sent"), "{page}");
    assert!(page.contains("#help"), "the channel by its name: {page}");
    assert!(
        page.contains(r#"class="badge answered""#),
        "the clock stopped: {page}"
    );
    assert!(page.contains("First personal reply after"), "{page}");
    quiet_period(QUIET).await;
    assert_eq!(posts_containing(&sim, text).len(), 1, "sent once");
    web.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_names_channels_and_forum_posts_never_bare_ids() {
    let sim = crate::support::demo_sim().await;
    let data = tempfile::tempdir().expect("dir");
    let web = serve(&sim, data.path(), Arc::new(SystemClock)).await;
    customer_writes(&sim, ALICE, "do you ship to Norway?").await;
    let post = sim
        .create_forum_post(BOB, QUESTIONS, "Order #1042", "Where is my scarf?")
        .await;
    crate::support::wait_ack(&sim, post).await;
    let owner = web.sign_in(&owner_link(&sim).await).await;
    let (_, queue) = web.get(&owner, "/queue").await;
    assert!(queue.contains(">#help<"), "{queue}");
    assert!(queue.contains("“Order #1042” in #questions"), "{queue}");
    assert!(!queue.contains(&format!("channel {HELP}")), "{queue}");
    web.bot.stop().await;
}
