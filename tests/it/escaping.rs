//! Customer markup in what frontdesk posts, through the real bot: a hostile name and message
//! show as typed in the owner's notice and in the DM relay, and a forum post is named by the
//! post and its forum.

use crate::support::{wait_ack, wait_post_containing, Bot};
use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};

/// A customer whose display name is a masked link behind bold text.
const BOSS: u64 = 100_000_000_000_000_777;
const NAME: &str = "**Boss** [refund](https://evil.example)";
const TEXT: &str = "# URGENT `code` [click](https://evil.example)";

const NAME_SHOWN: &str = "**\\*\\*Boss\\*\\* \\[refund](https://evil.example)**";
const TEXT_SHOWN: &str = "\\# URGENT \\`code\\` \\[click](https://evil.example)";

async fn start() -> (Simulator, Bot, tempfile::TempDir) {
    let world = World::demo().with_user(SimUser::new(BOSS, NAME));
    let sim = Simulator::start(world, SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start(&sim, &dir.path().join("data")).await;
    (sim, bot, dir)
}

/// Every `[` in `content` is escaped, so no `[label](url)` renders as a masked link.
fn assert_no_masked_link(content: &str) {
    for (at, _) in content.match_indices('[') {
        assert!(
            content[..at].ends_with('\\'),
            "an unescaped `[` at {at} in:\n{content}"
        );
    }
}

fn content(r: &frontdesk_sim::RecordedRequest) -> String {
    r.body.as_ref().expect("json")["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_name_and_message_show_as_typed_in_the_owners_notice_and_the_relay() {
    let (sim, bot, _dir) = start().await;
    let msg = sim.post_message(BOSS, demo::HELP, TEXT).await;
    wait_ack(&sim, msg).await;
    let notice = content(&wait_post_containing(&sim, "📨 New").await);
    assert!(
        notice.starts_with(&format!(
            "📨 New: {NAME_SHOWN} (<@{BOSS}>) in <#{}>",
            demo::HELP
        )),
        "{notice}"
    );
    assert!(notice.contains(&format!("\n> {TEXT_SHOWN}\n")), "{notice}");
    assert_no_masked_link(&notice);

    // The same customer in a DM: their words reach the staff thread as typed.
    sim.send_dm(BOSS, &format!("{TEXT}\n> quoted\n- listed"))
        .await;
    let relay = content(&wait_post_containing(&sim, &format!("{NAME_SHOWN}: ")).await);
    assert_eq!(
        relay,
        format!("{NAME_SHOWN}: {TEXT_SHOWN}\n\\> quoted\n\\- listed")
    );
    assert_no_masked_link(&relay);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forum_post_is_named_by_the_post_and_its_forum() {
    let (sim, bot, _dir) = start().await;
    let post = sim
        .create_forum_post(
            BOSS,
            demo::QUESTIONS,
            "[Order](https://evil.example) #1042",
            TEXT,
        )
        .await;
    wait_ack(&sim, post).await;
    let notice = content(&wait_post_containing(&sim, "📨 New").await);
    assert!(
        notice.contains(&format!(") in <#{post}> in <#{}> · ", demo::QUESTIONS)),
        "{notice}"
    );
    assert!(
        !notice.contains("Order"),
        "the title is Discord's to show: {notice}"
    );
    assert_no_masked_link(&notice);
    bot.stop().await;
}
