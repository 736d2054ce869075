//! Staff commands in a DM to the bot: an interaction there carries no member, so frontdesk
//! asks the configured server (`GET /guilds/{id}/members/{user}`) whether the caller has a
//! staff role.

use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};
use serde_json::json;

use crate::support::{command, wait_ack, Bot};

/// Holds the staff role but is neither owner nor configured by id.
const HELPER: u64 = 100_000_000_000_000_150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_role_member_using_a_staff_command_in_a_dm_is_recognised() {
    let world = World::demo().with_user(SimUser::new(HELPER, "helper").with_role(demo::STAFF_ROLE));
    let sim = Simulator::start(world, SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start(&sim, &dir.path().join("data")).await;
    let waiting = sim
        .post_message(demo::ALICE, demo::HELP, "Do you ship to Canada?")
        .await;
    wait_ack(&sim, waiting).await;
    // Both open a DM with the bot the only way a person can: by writing.
    for user in [HELPER, demo::CAROL] {
        let dm = sim.send_dm(user, "Hello").await;
        wait_ack(&sim, dm).await;
    }
    let helper_dm = sim.dm_channel_of(HELPER).expect("helper's DM");
    let carol_dm = sim.dm_channel_of(demo::CAROL).expect("carol's DM");

    let queue = command(&sim, HELPER, helper_dm, "queue", json!([])).await;
    assert!(
        queue.text.contains(" waiting**, oldest first")
            && queue.text.contains(&waiting.to_string()),
        "the helper sees the queue: {}",
        queue.text
    );
    let status = command(&sim, HELPER, helper_dm, "status", json!([])).await;
    assert!(
        status.text.contains(" waiting**"),
        "the staff summary: {}",
        status.text
    );
    assert!(
        sim.requests().iter().any(|r| r
            .is("GET", &format!("/guilds/{}/members/{HELPER}", demo::GUILD))
            && r.status == 200),
        "looked up in the configured server"
    );

    // A customer in her DM is still refused.
    let refused = command(&sim, demo::CAROL, carol_dm, "queue", json!([])).await;
    assert!(
        refused
            .text
            .starts_with("Sorry, `/queue` is only for the team."),
        "{}",
        refused.text
    );
    bot.stop().await;
}
