//! Bad input to `setup`: each refused with what went wrong, how to fix it, and an exit code;
//! never a panic, never the token in the output, never a half-written config.

use frontdesk_sim::{SimChannel, SimConfig, SimGuild, SimUser, Simulator, World};

use super::*;
use crate::support::demo_sim;

fn assert_refused(o: &Output, code: i32, needles: &[&str]) {
    let out = text(o);
    assert_eq!(o.status.code(), Some(code), "{out}");
    assert!(out.contains("error: "), "{out}");
    assert!(out.contains("fix: "), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    for n in needles {
        assert!(out.contains(n), "{n:?} not in: {out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_token_is_refused_with_the_fix() {
    let sim = demo_sim().await;
    sim.reject_token("reset-long-ago");
    let dir = tempfile::tempdir().expect("tempdir");
    let o = setup(&sim, dir.path(), DEMO_CHOICES, Some("reset-long-ago")).await;
    assert_refused(&o, 1, &["401", "Reset Token"]);
    assert!(
        !text(&o).contains("reset-long-ago"),
        "the token is never printed"
    );
    assert!(!dir.path().join("frontdesk.toml").exists());
    assert!(!dir.path().join("frontdesk.token").exists());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_unknown_choice_names_its_flag_and_the_choices() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = setup(&sim, dir.path(), &["--watch", "help"], Some("t")).await;
    assert_refused(&o, 1, &["--staff-channel", "#help, #staff"]);
    let o = setup(&sim, dir.path(), &["--no-input"], Some("t")).await;
    assert_refused(&o, 1, &["pass --watch", "#help", "#questions"]);
    let o = setup(
        &sim,
        dir.path(),
        &["--watch", "hlep", "--staff-channel", "staff"],
        Some("t"),
    )
    .await;
    assert_refused(&o, 1, &["--watch \"hlep\" matches nothing", "#help"]);
    let o = setup(
        &sim,
        dir.path(),
        &[
            "--watch",
            "help",
            "--staff-channel",
            "staff",
            "--staff-role",
            "Admins",
        ],
        Some("t"),
    )
    .await;
    assert_refused(&o, 1, &["--staff-role \"Admins\"", "Staff"]);
    let o = setup(
        &sim,
        dir.path(),
        &[
            "--watch",
            "help",
            "--staff-channel",
            "staff",
            "--time-zone",
            "Mars/Olympus",
        ],
        Some("t"),
    )
    .await;
    assert_refused(&o, 1, &["Mars/Olympus", "--time-zone"]);
    let staff = ["--watch", "help", "--staff-channel", "staff", "--owner"];
    let o = setup(
        &sim,
        dir.path(),
        &[&staff[..], &["777"]].concat(),
        Some("t"),
    )
    .await;
    assert_refused(
        &o,
        1,
        &["777 is not a member of \"Maple & Thread\"", "--owner"],
    );
    let o = setup(
        &sim,
        dir.path(),
        &[&staff[..], &["sam"]].concat(),
        Some("t"),
    )
    .await;
    assert_refused(&o, 1, &["--owner \"sam\" matches nothing", "Copy User ID"]);
    let o = setup(
        &sim,
        dir.path(),
        &["--watch", "help", "--staff-channel", "staff"],
        None,
    )
    .await;
    assert_refused(&o, 1, &["no bot token", "DISCORD_TOKEN"]);
    assert!(!dir.path().join("frontdesk.toml").exists());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_config_is_kept_unless_forced() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("frontdesk.toml");
    std::fs::write(&config, "# mine\n").expect("write");
    let o = setup(&sim, dir.path(), DEMO_CHOICES, Some("t")).await;
    assert_refused(&o, 1, &["frontdesk.toml already exists", "--force"]);
    assert_eq!(std::fs::read_to_string(&config).expect("read"), "# mine\n");
    let mut forced = DEMO_CHOICES.to_vec();
    forced.push("--force");
    let o = setup(&sim, dir.path(), &forced, Some("t")).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read_to_string(&config)
        .expect("read")
        .contains("[watch]"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_text_channels_is_explained() {
    let guild = SimGuild::new(7, "Empty Shop", 8).with_channel(SimChannel::forum(
        9,
        "questions",
        Vec::new(),
    ));
    let world =
        World::new(guild, SimUser::bot(10, "Frontdesk")).with_user(SimUser::new(8, "owner"));
    let sim = Simulator::start(world, SimConfig::default())
        .await
        .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let o = setup(&sim, dir.path(), &["--forum", "questions"], Some("t")).await;
    assert_refused(&o, 1, &["\"Empty Shop\" has no text channel", "#staff"]);
    assert!(!dir.path().join("frontdesk.toml").exists());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_in_no_server_gets_the_invite_link() {
    let sim = demo_sim().await;
    sim.set_bot_in_guild(false);
    let dir = tempfile::tempdir().expect("tempdir");
    let o = setup(&sim, dir.path(), DEMO_CHOICES, Some("t")).await;
    let invite = format!(
        "https://discord.com/oauth2/authorize?client_id={}&scope=bot+applications.commands&permissions=395137059840",
        sim.application_id()
    );
    assert_refused(&o, 1, &["the bot is in no server yet", &invite]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_without_a_terminal_says_how_to_give_the_choices() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = setup(&sim, dir.path(), &[], Some("t")).await;
    assert_refused(
        &o,
        2,
        &[
            "standard input is not a terminal",
            "--watch",
            "--staff-channel",
        ],
    );
    assert!(sim.requests().is_empty(), "nothing was asked of Discord");
    sim.shutdown().await;
}
