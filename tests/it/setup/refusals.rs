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

/// A staff channel every member can see: setup says so when it is picked, with the fix, writes
/// the config, and ends with doctor's finding and exit 1; once the channel is private, doctor
/// is content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_channel_everyone_sees_is_reported_with_the_fix() {
    use frontdesk::core::permissions::VIEW_CHANNEL;
    use frontdesk_sim::{demo, OverwriteFor};
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = DEMO_CHOICES.to_vec();
    let at = args
        .iter()
        .position(|a| *a == "staff")
        .expect("--staff-channel staff");
    args[at] = "help";
    let o = setup(&sim, dir.path(), &args, Some("t")).await;
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("Warning: the staff channel #help is visible to @everyone: every member of \"Maple & Thread\" can read the notices"),
        "{out}"
    );
    assert!(out.contains("doctor     1 problem(s):"), "{out}");
    assert_eq!(
        out.matches("the staff channel #help is visible to @everyone")
            .count(),
        2,
        "at the pick and in doctor's report: {out}"
    );
    for fix in [
        "Private Channel",
        "denies View Channel to @everyone",
        "the bot's role \"Frontdesk\"",
    ] {
        assert!(out.contains(fix), "{fix:?} not in: {out}");
    }
    assert!(out.contains("but doctor found the problems above"), "{out}");
    let config = std::fs::read_to_string(dir.path().join("frontdesk.toml")).expect("written");
    assert!(config.contains(&format!("staff_channel = \"{}\"  # #help", demo::HELP)));

    // Made private as the fix says: @everyone denied, the Staff role and the bot allowed.
    let view = VIEW_CHANNEL.bit;
    sim.set_channel_overwrite(demo::HELP, OverwriteFor::Role(demo::GUILD), 0, view);
    sim.set_channel_overwrite(demo::HELP, OverwriteFor::Role(demo::STAFF_ROLE), view, 0);
    sim.set_channel_overwrite(demo::HELP, OverwriteFor::Role(demo::BOT_ROLE), view, 0);
    let doctor = vec![
        "doctor".to_string(),
        "--config".into(),
        "frontdesk.toml".into(),
        "--discord-api".into(),
        sim.base_url(),
    ];
    let o = frontdesk(dir.path(), doctor, Some("t")).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    sim.shutdown().await;
}

/// The token file: never written through a symbolic link, never replaced unasked; the same
/// token already there is simply kept.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_token_file_or_a_link_is_not_overwritten() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("frontdesk.token");
    std::fs::write(&token_file, "older-token\n").expect("write");
    let o = setup(&sim, dir.path(), DEMO_CHOICES, Some("new-token")).await;
    assert_refused(&o, 1, &["frontdesk.token already exists", "--force"]);
    assert!(!text(&o).contains("older-token") && !text(&o).contains("new-token"));
    assert_eq!(
        std::fs::read_to_string(&token_file).expect("read"),
        "older-token\n"
    );
    assert!(
        !dir.path().join("frontdesk.toml").exists(),
        "nothing written"
    );

    // The same token: nothing to ask.
    let o = setup(&sim, dir.path(), DEMO_CHOICES, Some("older-token")).await;
    assert!(o.status.success(), "{}", text(&o));
    std::fs::remove_file(dir.path().join("frontdesk.toml")).expect("rm");

    let forced = [DEMO_CHOICES, &["--force"]].concat();
    let o = setup(&sim, dir.path(), &forced, Some("new-token")).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&token_file).expect("read"),
        "new-token\n"
    );

    // A link, even with --force: the file it points to is left alone.
    std::fs::remove_file(&token_file).expect("rm");
    let elsewhere = dir.path().join("shared.txt");
    std::fs::write(&elsewhere, "notes\n").expect("write");
    std::os::unix::fs::symlink(&elsewhere, &token_file).expect("symlink");
    let o = setup(&sim, dir.path(), &forced, Some("new-token")).await;
    assert_refused(
        &o,
        1,
        &["frontdesk.token is a symbolic link", "--token-file"],
    );
    assert_eq!(
        std::fs::read_to_string(&elsewhere).expect("read"),
        "notes\n"
    );
    sim.shutdown().await;
}

/// `--data-dir` is checked before anything is asked: a file is refused with the fix; an empty
/// folder (systemd's StateDirectory, a container's volume) is fine, and nothing is left in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_dir_run_could_not_use_is_refused_at_once() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("state"), "").expect("a file");
    let args = [DEMO_CHOICES, &["--data-dir", "state"]].concat();
    let o = setup(&sim, dir.path(), &args, Some("t")).await;
    assert_refused(
        &o,
        1,
        &[
            "the data directory",
            "state is a file, not a folder",
            "--data-dir",
        ],
    );
    assert!(
        sim.requests().is_empty(),
        "refused before asking Discord anything"
    );
    let o = setup(
        &sim,
        dir.path(),
        &[DEMO_CHOICES, &["--data-dir", "state/db"]].concat(),
        Some("t"),
    )
    .await;
    assert_refused(&o, 1, &["cannot be created", "is a file"]);
    assert!(!dir.path().join("frontdesk.toml").exists());

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let args = [DEMO_CHOICES, &["--data-dir", "empty"]].concat();
    let o = setup(&sim, dir.path(), &args, Some("t")).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_dir(&empty).expect("ls").count(),
        0,
        "setup leaves nothing there"
    );
    sim.shutdown().await;
}
