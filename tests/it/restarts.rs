//! What happened while frontdesk was down, or just before it died, reaches people exactly
//! once after the restart: a staff reply written in a DM conversation's staff thread while
//! the bot was offline is relayed to the customer, and an owner notice Discord accepted
//! just before a SIGKILL is not sent again.

use frontdesk_sim::{demo, Simulator, World};

use crate::support::{
    eventually, forgetful_sim, quiet_period, spawn_logged, wait_ack, wait_staff_thread,
    write_demo_config, Bot, QUIET,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_reply_written_while_offline_reaches_the_customer_once_after_restart() {
    let sim = crate::support::demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let bot = Bot::start(&sim, &data).await;
    let dm = sim.send_dm(demo::CAROL, "Do you gift wrap?").await;
    wait_ack(&sim, dm).await;
    let thread = wait_staff_thread(&sim).await;
    eventually("her DM was mirrored", async || {
        sim.messages_in(thread)
            .iter()
            .any(|m| m.content.contains("Do you gift wrap?"))
            .then_some(())
    })
    .await;
    bot.stop().await;

    // Sam answers in the thread while frontdesk is down: no gateway delivers it.
    sim.post_message(demo::OWNER, thread, "Yes, and it's free!")
        .await;
    let carol_dm = sim.dm_channel_of(demo::CAROL).expect("carol's DM");
    let relayed = |sim: &Simulator| {
        sim.messages_in(carol_dm)
            .into_iter()
            .filter(|m| m.author_id == demo::BOT && m.content.starts_with("Yes, and it's free!"))
            .count()
    };
    assert_eq!(relayed(&sim), 0);

    let bot = Bot::start(&sim, &data).await;
    eventually("catch-up relayed the reply to Carol", async || {
        (relayed(&sim) > 0).then_some(())
    })
    .await;
    quiet_period(QUIET).await;
    assert_eq!(relayed(&sim), 1, "relayed exactly once");
    bot.stop().await;

    // Another restart reads the thread again and sends nothing more.
    let bot = Bot::start(&sim, &data).await;
    sim.send_dm(demo::CAROL, "Thanks!").await;
    wait_for_mirror(&sim, thread, "Thanks!").await;
    quiet_period(QUIET).await;
    assert_eq!(relayed(&sim), 1, "still once after another restart");
    bot.stop().await;
}

async fn wait_for_mirror(sim: &Simulator, thread: u64, text: &str) {
    eventually(format!("{text:?} was mirrored"), async || {
        sim.messages_in(thread)
            .iter()
            .any(|m| m.content.contains(text))
            .then_some(())
    })
    .await;
}

/// Bob's notice reaches the owner's DM but its answer is lost, and frontdesk is SIGKILLed
/// before it can mark the notice done. Discord's nonce memory is assumed gone by the restart
/// (the simulator keeps none), so only frontdesk itself can avoid sending it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_notice_delivered_just_before_a_sigkill_is_not_repeated() {
    let sim = forgetful_sim(World::demo()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_demo_config(dir.path(), "");
    let mut child = spawn_logged(&sim, &config, dir.path(), 1).await;

    // Alice first, so the owner's DM channel exists and its route can be faulted.
    let alice = sim
        .post_message(demo::ALICE, demo::HELP, "Do you ship to Canada?")
        .await;
    wait_ack(&sim, alice).await;
    let owner_dm = eventually("the owner's DM channel", async || {
        sim.dm_channel_of(demo::OWNER)
    })
    .await;
    let shows = |sim: &Simulator, customer_message: u64| {
        sim.messages_in(owner_dm)
            .iter()
            .filter(|m| m.author_id == demo::BOT)
            .filter(|m| {
                m.content.contains(&format!(
                    "https://discord.com/channels/{}/{}/{customer_message}",
                    demo::GUILD,
                    demo::HELP
                ))
            })
            .count()
    };
    eventually("Alice's notice reached the owner", async || {
        (shows(&sim, alice) == 1).then_some(())
    })
    .await;

    sim.lose_answers(&format!("/channels/{owner_dm}/messages"), 1);
    let bob = sim
        .post_message(demo::BOB, demo::HELP, "Where is my parcel?")
        .await;
    wait_ack(&sim, bob).await;
    eventually(
        "Bob's notice reached the owner (its answer lost)",
        async || (shows(&sim, bob) == 1).then_some(()),
    )
    .await;
    let _ = child.0.kill();
    let _ = child.0.wait();

    let _child = spawn_logged(&sim, &config, dir.path(), 2).await;
    // A new customer's notice: a pending notice for Bob would go out with it (or before).
    let carol = sim
        .post_message(demo::CAROL, demo::HELP, "Is the shop open on Sunday?")
        .await;
    wait_ack(&sim, carol).await;
    eventually("Carol's notice reached the owner", async || {
        (shows(&sim, carol) == 1).then_some(())
    })
    .await;
    quiet_period(QUIET).await;
    assert_eq!(shows(&sim, bob), 1, "Bob's notice shown once");
    assert_eq!(shows(&sim, alice), 1, "Alice's notice shown once");
}
