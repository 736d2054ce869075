//! The flag form end to end: setup writes the config and the token file, `check` accepts the
//! config, and `run` with it (and nothing else: no DISCORD_TOKEN) acknowledges a customer.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use frontdesk_sim::demo;

use super::*;
use crate::support::{demo_sim, wait_ack, WAIT};

const TOKEN: &str = "setup-flags-token";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flag_form_writes_a_config_that_check_accepts_and_run_answers_with() {
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let args = [DEMO_CHOICES, &["--data-dir", "state"]].concat();
    let o = setup(&sim, dir.path(), &args, Some(TOKEN)).await;
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("doctor     no problems found"), "{out}");
    assert!(!out.contains(TOKEN), "the token is never printed: {out}");

    let config = std::fs::read_to_string(dir.path().join("frontdesk.toml")).expect("config");
    assert!(
        !config.contains(TOKEN),
        "the token never goes into the config"
    );
    // Each id with its name on Discord, so the file reads without Discord open; the owner by
    // the name the server shows (display name "Sam"), not the username "maple_owner".
    for line in [
        format!("guild = \"{}\"  # Maple & Thread", demo::GUILD),
        format!("owners = [\"{}\"]  # Sam", demo::OWNER),
        format!("staff_roles = [\"{}\"]  # @Staff", demo::STAFF_ROLE),
        format!("staff_channel = \"{}\"  # #staff", demo::STAFF),
        format!("channels = [\"{}\"]  # #help", demo::HELP),
        format!("forums = [\"{}\"]  # #questions", demo::QUESTIONS),
        "business_name = \"Maple & Thread\"".into(),
        "owner_name = \"Sam\"".into(),
        "time_zone = \"Europe/London\"".into(),
        "monday = \"09:00-17:00\"".into(),
        "saturday = \"closed\"".into(),
        "token_file = \"frontdesk.token\"".into(),
        format!("api = \"{}\"", sim.base_url()),
        "message_content = true".into(),
        "data_dir = \"state\"".into(),
    ] {
        assert!(
            config.lines().any(|l| l == line),
            "missing {line:?} in:\n{config}"
        );
    }
    // The example's comments, word for word.
    assert!(config.contains("# Members with any of these roles count as staff"));
    let token_file = dir.path().join("frontdesk.token");
    assert_eq!(
        std::fs::read_to_string(&token_file).expect("token").trim(),
        TOKEN
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the token file is the owner's alone");
        let config = dir.path().join("frontdesk.toml");
        let mode = std::fs::metadata(&config)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "a service user may read the config");
    }
    assert!(
        dir.path().join("responses/README.md").is_file(),
        "the default rules were written"
    );
    assert_reads_match_discords_spec(&sim);

    let o = frontdesk(
        dir.path(),
        vec!["check".into(), "--config".into(), "frontdesk.toml".into()],
        None,
    )
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("config     frontdesk.toml ok"),
        "{}",
        text(&o)
    );

    // `run` with only the config: the token comes from the token file, the API from `api`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["run", "--config", "frontdesk.toml"])
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .env_remove("CREDENTIALS_DIRECTORY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn run");
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("stderr");
    let sink = Arc::clone(&log);
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut l = sink.lock().unwrap_or_else(|e| e.into_inner());
            l.push_str(&line);
            l.push('\n');
        }
    });
    assert!(sim.wait_for_connected(WAIT).await, "run connected");
    let id = sim
        .post_message(demo::ALICE, demo::HELP, "hello, is my order shipped?")
        .await;
    wait_ack(&sim, id).await;
    let identified = sim.identified_token().unwrap_or_default();
    assert!(
        identified.ends_with(TOKEN),
        "the token from the file: {identified}"
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    assert!(
        dir.path().join("state").is_dir(),
        "the database is where --data-dir said"
    );
    let log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(
        !log.contains("frontdesk doctor:"),
        "nothing to report on a correct server: {log}"
    );
    sim.shutdown().await;
}

/// A server nickname is the name the server shows: it comes before the display name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_is_named_as_the_server_shows_them() {
    let mut world = frontdesk_sim::World::demo();
    for u in world.users.iter_mut().filter(|u| u.id == demo::OWNER) {
        u.nick = Some("Sam (owner)".into());
    }
    let sim = frontdesk_sim::Simulator::start(world, frontdesk_sim::SimConfig::default())
        .await
        .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let o = setup(&sim, dir.path(), DEMO_CHOICES, Some(TOKEN)).await;
    assert!(o.status.success(), "{}", text(&o));
    let config = std::fs::read_to_string(dir.path().join("frontdesk.toml")).expect("config");
    for line in [
        "owner_name = \"Sam (owner)\"".to_string(),
        format!("owners = [\"{}\"]  # Sam (owner)", demo::OWNER),
    ] {
        assert!(
            config.lines().any(|l| l == line),
            "missing {line:?} in:\n{config}"
        );
    }
    sim.shutdown().await;
}
