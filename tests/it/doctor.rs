//! `frontdesk doctor` against the simulator: nothing on a correct server, and each problem it
//! knows, made one at a time through the simulator's control API, reported with its fix. And
//! `run`, which logs the same summary at start and keeps answering where it can.

use std::path::Path;

use frontdesk::config::{Config, Secret};
use frontdesk::core::permissions;
use frontdesk::discord::inspect::Inspector;
use frontdesk::discord::pace::Pacer;
use frontdesk::doctor::{examine, Finding};
use frontdesk::model::{ChannelId, UserId};
use frontdesk_sim::{demo, OverwriteFor, Simulator};

use crate::support::{demo_sim, responses};

fn config() -> Config {
    frontdesk::demo::demo_config(Path::new("unused-data"), &responses(), "")
}

/// `doctor`'s client of the simulator, as the command makes it.
fn inspector(sim: &Simulator, token: &str) -> Inspector {
    Inspector::connect(Some(&sim.base_url()), &Secret::new(token), Pacer::discord())
        .expect("client")
}

async fn findings(sim: &Simulator, config: &Config, token: &str) -> Vec<Finding> {
    examine(config, &inspector(sim, token))
        .await
        .expect("doctor reached the simulator")
        .findings
}

/// Exactly one finding, whose problem and fix contain the needles.
async fn one_finding(sim: &Simulator, config: &Config, problem: &[&str], fix: &[&str]) {
    let found = findings(sim, config, "t").await;
    assert_eq!(found.len(), 1, "{found:#?}");
    for n in problem {
        assert!(
            found[0].problem.contains(n),
            "{n:?} not in the problem: {}",
            found[0]
        );
    }
    for n in fix {
        assert!(
            found[0].fix.contains(n),
            "{n:?} not in the fix: {}",
            found[0]
        );
    }
}

#[tokio::test]
async fn a_correct_server_has_no_findings() {
    let sim = demo_sim().await;
    let report = examine(&config(), &inspector(&sim, "t"))
        .await
        .expect("reached");
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    crate::setup::assert_reads_match_discords_spec(&sim);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_invalid_token() {
    let sim = demo_sim().await;
    sim.reject_token("old");
    let found = findings(&sim, &config(), "old").await;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].problem.contains("refuses the bot token"),
        "{}",
        found[0]
    );
    assert!(found[0].fix.contains("Reset Token"), "{}", found[0]);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_message_content_intent_is_off() {
    let sim = demo_sim().await;
    sim.set_message_content_intent(false);
    one_finding(
        &sim,
        &config(),
        &["Message Content Intent", "message_content = true"],
        &["Developer Portal", "message_content = false"],
    )
    .await;
    let mut without = config();
    without.discord.message_content = false;
    assert!(
        findings(&sim, &without, "t").await.is_empty(),
        "not asked for, not missed"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_bot_is_not_in_the_server() {
    let sim = demo_sim().await;
    sim.set_bot_in_guild(false);
    let invite = format!(
        "client_id={}&scope=bot+applications.commands",
        sim.application_id()
    );
    one_finding(
        &sim,
        &config(),
        &["not in the server", &demo::GUILD.to_string()],
        &[&invite],
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_watched_id_that_is_not_a_channel_of_the_server() {
    let sim = demo_sim().await;
    let mut c = config();
    c.watch.channels = vec![ChannelId(4242)];
    one_finding(
        &sim,
        &c,
        &[
            "[watch] channels has 4242",
            "not a channel of \"Maple & Thread\"",
        ],
        &["frontdesk setup"],
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_channel_of_the_wrong_kind() {
    let sim = demo_sim().await;
    let mut c = config();
    c.watch.channels = vec![ChannelId(demo::QUESTIONS)];
    one_finding(
        &sim,
        &c,
        &["#questions", "a forum channel, not a text channel"],
        &["[watch] channels"],
    )
    .await;
    let mut c = config();
    c.watch.forums = vec![ChannelId(demo::HELP)];
    one_finding(
        &sim,
        &c,
        &["[watch] forums has #help", "not a forum channel"],
        &["a forum channel"],
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_staff_role_that_was_deleted() {
    let sim = demo_sim().await;
    sim.remove_role(demo::STAFF_ROLE);
    one_finding(
        &sim,
        &config(),
        &["staff_roles has", &demo::STAFF_ROLE.to_string()],
        &["existing role"],
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn an_owner_who_is_not_a_member() {
    let sim = demo_sim().await;
    let mut c = config();
    c.staff.owners = vec![UserId(demo::OWNER), UserId(777)];
    one_finding(
        &sim,
        &c,
        &["owners has 777", "not a member"],
        &["Copy User ID"],
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_watched_channel_that_denies_the_bot_sending() {
    let sim = demo_sim().await;
    let send = permissions::SEND_MESSAGES.bit;
    sim.set_channel_overwrite(demo::HELP, OverwriteFor::Role(demo::BOT_ROLE), 0, send);
    one_finding(
        &sim,
        &config(),
        &["in #help, the bot lacks Send Messages"],
        &["#help", "allow Send Messages", "\"Frontdesk\""],
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_forum_hidden_from_the_bot_alone() {
    let sim = demo_sim().await;
    let view = permissions::VIEW_CHANNEL.bit;
    sim.set_channel_overwrite(demo::QUESTIONS, OverwriteFor::Member(demo::BOT), 0, view);
    one_finding(
        &sim,
        &config(),
        &["in #questions, the bot lacks View Channel"],
        &["#questions", "allow View Channel"],
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_staff_channel_without_private_threads() {
    let sim = demo_sim().await;
    let private = permissions::CREATE_PRIVATE_THREADS.bit | permissions::MANAGE_THREADS.bit;
    // An @everyone deny wins over what the bot's role grants in the server.
    sim.set_channel_overwrite(demo::STAFF, OverwriteFor::Role(demo::GUILD), 0, private);
    one_finding(
        &sim,
        &config(),
        &["in #staff, the bot lacks Create Private Threads, Manage Threads"],
        &["#staff", "allow Create Private Threads, Manage Threads"],
    )
    .await;
    // ... and a role allow on the channel wins over that deny.
    sim.set_channel_overwrite(demo::STAFF, OverwriteFor::Role(demo::BOT_ROLE), private, 0);
    assert!(findings(&sim, &config(), "t").await.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_staff_channel_everyone_can_see() {
    let sim = demo_sim().await;
    let view = permissions::VIEW_CHANNEL.bit;
    // The demo's #staff is private (@everyone denied View Channel): undo that.
    sim.set_channel_overwrite(demo::STAFF, OverwriteFor::Role(demo::GUILD), view, 0);
    let problem = [
        "the staff channel #staff is visible to @everyone",
        "every member of \"Maple & Thread\" can read the notices",
    ];
    let fix = [
        "#staff's settings",
        "turn on Private Channel (it denies View Channel to @everyone)",
        "allow View Channel to \"Staff\" and to the bot's role \"Frontdesk\"",
    ];
    one_finding(&sim, &config(), &problem, &fix).await;
    // No staff role configured: the fix says which kind of role to let in.
    let mut c = config();
    c.staff.roles.clear();
    one_finding(
        &sim,
        &c,
        &problem,
        &["allow View Channel to your staff's role"],
    )
    .await;
    // A role of the server that sees it (Staff here) is not @everyone: nothing to report.
    sim.set_channel_overwrite(demo::STAFF, OverwriteFor::Role(demo::GUILD), 0, view);
    assert!(findings(&sim, &config(), "t").await.is_empty());
    sim.shutdown().await;
}

/// The command: its report, and exit 1 when something is wrong, 0 when nothing is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_prints_each_fix_and_exits_1() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    crate::support::write_demo_config(dir.path(), "");
    let args = || -> Vec<String> {
        [
            "doctor",
            "--config",
            "frontdesk.toml",
            "--discord-api",
            &sim.base_url(),
        ]
        .map(str::to_string)
        .to_vec()
    };
    let o = crate::setup::frontdesk(dir.path(), args(), Some("t")).await;
    let out = crate::setup::text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("doctor     no problems found"), "{out}");

    sim.set_message_content_intent(false);
    sim.set_channel_overwrite(
        demo::HELP,
        OverwriteFor::Role(demo::GUILD),
        0,
        permissions::READ_MESSAGE_HISTORY.bit,
    );
    let o = crate::setup::frontdesk(dir.path(), args(), Some("t")).await;
    let out = crate::setup::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("doctor     2 problem(s):"), "{out}");
    assert_eq!(out.matches("\n  fix: ").count(), 2, "{out}");
    assert!(
        out.contains("in #help, the bot lacks Read Message History"),
        "{out}"
    );

    let o = crate::setup::frontdesk(dir.path(), args(), None).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(crate::setup::text(&o).contains("no bot token"));
    sim.shutdown().await;
}

/// `run` logs doctor's one-line summary at start and keeps answering where it can.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_logs_the_summary_and_keeps_answering() {
    use std::io::{BufRead, BufReader};
    let sim = demo_sim().await;
    let private = permissions::CREATE_PRIVATE_THREADS.bit;
    sim.set_channel_overwrite(demo::STAFF, OverwriteFor::Role(demo::GUILD), 0, private);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = crate::support::write_demo_config(dir.path(), "");
    let mut child = crate::support::Child(crate::support::spawn_frontdesk(
        &config,
        &sim,
        std::process::Stdio::piped(),
    ));
    let stderr = child.0.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let summary = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + crate::support::WAIT;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) if line.contains("frontdesk doctor:") => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("reader")
    .expect("the summary was logged");
    assert!(
        summary.contains("1 problem(s): in #staff, the bot lacks Create Private Threads"),
        "{summary}"
    );
    assert!(
        summary.contains("run `frontdesk doctor` for the fixes"),
        "{summary}"
    );
    assert_eq!(summary.lines().count(), 1);
    let id = sim
        .post_message(demo::ALICE, demo::HELP, "is the shop open today?")
        .await;
    crate::support::wait_ack(&sim, id).await;
    // SIGKILLed, which ends its stderr and so the reader.
    drop(child);
    let _ = reader.join();
    sim.shutdown().await;
}

/// A token handed over by systemd (`LoadCredential=discord-token:…`) is found in
/// `$CREDENTIALS_DIRECTORY`, before the config's `token_file`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_comes_from_a_systemd_credential() {
    let sim = demo_sim().await;
    sim.reject_token("stale-file-token");
    let dir = tempfile::tempdir().expect("tempdir");
    crate::support::write_demo_config(dir.path(), "");
    let config = dir.path().join("frontdesk.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let text = text.replace("[discord]\n", "[discord]\ntoken_file = \"stale.token\"\n");
    std::fs::write(&config, text).expect("config");
    std::fs::write(dir.path().join("stale.token"), "stale-file-token\n").expect("token file");
    let creds = dir.path().join("creds");
    std::fs::create_dir(&creds).expect("mkdir");
    std::fs::write(creds.join("discord-token"), "credential-token\n").expect("credential");
    let doctor = |credentials: Option<std::path::PathBuf>| {
        let url = sim.base_url();
        let dir = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"));
            cmd.args([
                "doctor",
                "--config",
                "frontdesk.toml",
                "--discord-api",
                &url,
            ])
            .current_dir(dir)
            .env_remove("DISCORD_TOKEN")
            .env_remove("CREDENTIALS_DIRECTORY")
            .env_remove("RUST_LOG");
            if let Some(c) = credentials {
                cmd.env("CREDENTIALS_DIRECTORY", c);
            }
            cmd.output().expect("doctor")
        })
    };
    let o = doctor(Some(creds)).await.expect("ran");
    let out = crate::setup::text(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the credential's token works: {out}"
    );
    let o = doctor(None).await.expect("ran");
    let out = crate::setup::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("refuses the bot token"),
        "without it, the stale token file: {out}"
    );
    sim.shutdown().await;
}
