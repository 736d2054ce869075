//! `/stats` attaches the first-reply chart: a PNG uploaded with the answer (multipart, as
//! Discord takes files), which the simulator serves back at the attachment's URL.

use frontdesk_sim::demo;
use serde_json::json;

use super::Bot;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_attaches_the_first_reply_chart_as_a_png() {
    let bot = Bot::start().await;
    bot.alice_asks_and_the_owner_replies().await;

    let stats = bot
        .command(demo::OWNER, demo::STAFF, "stats", json!([]))
        .await;
    assert!(
        stats.text.starts_with("**1 conversation**"),
        "{}",
        stats.text
    );
    // The answer's edit carries one file and names it in its `attachments`.
    let edit = bot
        .sim
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.is("PATCH", "/messages/@original") && r.status < 300)
        .expect("the deferred answer was edited in");
    assert_eq!(edit.files.len(), 1, "one file uploaded");
    assert_eq!(edit.files[0].filename, "first-reply.png");
    let body = edit.body.as_ref().expect("payload_json");
    assert_eq!(body["content"].as_str(), Some(stats.text.as_str()));
    assert_eq!(body["attachments"][0]["filename"], json!("first-reply.png"));
    assert!(
        body["attachments"][0]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("First personal reply by day")),
        "alt text: {body}"
    );
    let response = edit.response.as_ref().expect("the edited message");
    let attachment = &response["attachments"][0];
    assert_eq!(attachment["content_type"], json!("image/png"));
    assert_eq!(attachment["width"], json!(720));
    let url = attachment["url"].as_str().expect("url").to_string();
    assert!(url.starts_with(&bot.sim.base_url()), "{url}");

    // Fetched like a Discord client would, and decoded.
    let bytes = reqwest::get(&url)
        .await
        .expect("fetched")
        .error_for_status()
        .expect("served")
        .bytes()
        .await
        .expect("body");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("decoded");
    assert_eq!((frame.width, frame.height), (720, 360));
    // Not blank: the white background, and darker ink for the text and lines.
    let rgba = &pixels[..frame.buffer_size()];
    assert!(rgba.chunks(4).any(|p| p[0] < 128), "something was drawn");
    bot.stop().await;
}
