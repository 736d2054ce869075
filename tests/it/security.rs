//! Security under hostile content: nobody but the intended person is ever pingable, the DM
//! relay reaches only the conversation's own customer, `/status` shows nothing of other
//! customers, the token appears in no log, and the data directory is private.
//!
//! Staff-only commands and buttons refused to customers are in the commands and
//! notifications modules; this one covers what those do not.

use std::collections::HashMap;
use std::time::Duration;

use crate::support::{
    quiet_period, wait_ack, wait_interaction, wait_staff_thread, Bot, QUIET, WAIT,
};
use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};
use serde_json::{json, Value};

/// A customer whose display name is itself an attack on the templates and the notices.
const MALLORY: u64 = 100_000_000_000_000_666;

fn hostile_world() -> World {
    World::demo().with_user(SimUser::new(
        MALLORY,
        "@everyone <@&100000000000000020> {eta} \u{202E}lla",
    ))
}

fn nitro_text() -> String {
    // 4000 characters, as Nitro allows, full of mentions and odd unicode.
    let piece = "@here <@&100000000000000020> <@100000000000000100> e\u{301}\u{302} \u{200D}\u{200B}\u{200F}مرحبا 👩\u{200D}👩\u{200D}👧 ";
    piece.chars().cycle().take(4000).collect()
}

/// Every message frontdesk posted in this run, with the one user each was allowed to ping.
fn assert_nobody_else_was_pingable(sim: &Simulator) -> usize {
    // Who wrote each message, so an acknowledgement may ping exactly that author.
    let mut authors: HashMap<String, u64> = HashMap::new();
    for c in [demo::HELP, demo::STAFF]
        .into_iter()
        .chain(sim.threads().iter().map(|t| t.id))
        .chain(
            [demo::ALICE, demo::BOB, demo::CAROL, MALLORY]
                .iter()
                .filter_map(|u| sim.dm_channel_of(*u)),
        )
    {
        for m in sim.messages_in(c) {
            authors.insert(m.id.to_string(), m.author_id);
        }
    }
    let mut checked = 0;
    for r in sim.requests() {
        if r.status >= 300 || r.method == "GET" {
            continue;
        }
        let Some(body) = r.body.as_ref() else {
            continue;
        };
        // Message posts, and interaction answers (nested under `data`), and their edits.
        let mentions = if r.is("POST", "/messages") || r.path.contains("/webhooks/") {
            &body["allowed_mentions"]
        } else if r.path.contains("/callback") {
            &body["data"]["allowed_mentions"]
        } else {
            continue;
        };
        if r.path.contains("/callback") && body["type"] != json!(4) {
            continue; // a deferral carries no message
        }
        checked += 1;
        assert_eq!(mentions["parse"], json!([]), "{} {body}", r.path);
        assert_eq!(mentions["roles"], json!([]), "{} {body}", r.path);
        assert_ne!(mentions["replied_user"], json!(true), "{body}");
        let users: Vec<&Value> = mentions["users"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let merged = crate::support::acked_by_request(&r);
        if merged.len() > 1 {
            // A merged acknowledgement pings exactly the authors of the messages it links.
            let mut pinged: Vec<u64> = users
                .iter()
                .map(|u| u.as_str().and_then(|s| s.parse().ok()).expect("id"))
                .collect();
            pinged.sort_unstable();
            let mut expected: Vec<u64> = merged
                .iter()
                .map(|id| {
                    authors
                        .get(&id.to_string())
                        .copied()
                        .expect("a known message")
                })
                .collect();
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(pinged, expected, "{body}");
            assert!(body.get("message_reference").is_none(), "{body}");
        } else {
            assert!(users.len() <= 1, "{body}");
            if let Some(user) = users.first() {
                let user: u64 = user.as_str().and_then(|s| s.parse().ok()).expect("id");
                let replied = body["message_reference"]["message_id"]
                    .as_str()
                    .unwrap_or("");
                let allowed = authors.get(replied).copied() == Some(user)
                    // The staff-channel fallback pings the owner it could not DM.
                    || (r.path.contains(&demo::STAFF.to_string()) && user == demo::OWNER);
                assert!(allowed, "pings {user} in {}: {body}", r.path);
            }
        }
        if let Some(content) = body["content"]
            .as_str()
            .or(body["data"]["content"].as_str())
        {
            assert!(content.chars().count() <= 2000, "{}", content.len());
        }
    }
    checked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_content_is_acknowledged_normally_and_pings_only_its_author() {
    let sim = Simulator::start(hostile_world(), SimConfig::default())
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start(&sim, &dir.path().join("data")).await;

    let texts = [
        "@everyone @here <@&100000000000000020> <@100000000000000100> help!".to_string(),
        "\u{202E}?gnippihs si hcum woH \u{200F}".to_string(),
        "z\u{0351}\u{0358}\u{0360}a\u{0300}\u{0301}\u{0302}\u{0303}l\u{0334}g\u{0335}o".to_string(),
        "👩\u{200D}👩\u{200D}👧\u{200D}\u{200B}\u{FEFF}{customer}{{eta}}".to_string(),
        nitro_text(),
    ];
    let mut sent = Vec::new();
    sent.push((
        demo::HELP,
        sim.post_message(MALLORY, demo::HELP, &texts[0]).await,
    ));
    sent.push((
        demo::HELP,
        sim.post_message(demo::ALICE, demo::HELP, &texts[1]).await,
    ));
    for (who, text) in [(demo::BOB, &texts[2]), (MALLORY, &texts[4])] {
        let post = sim
            .create_forum_post(who, demo::QUESTIONS, "ok\u{202E}", text)
            .await;
        sent.push((post, post));
    }
    let dm = sim.send_dm(demo::CAROL, &texts[3]).await;
    let carol_dm = sim.dm_channel_of(demo::CAROL).expect("carol's DM");
    sent.push((carol_dm, dm));
    for (_, id) in &sent {
        wait_ack(&sim, *id).await;
    }

    // The owner answers Carol in the relay thread, trying to reach Alice and everyone.
    let thread = wait_staff_thread(&sim).await;
    sim.post_message(
        demo::OWNER,
        thread,
        &format!(
            "@everyone <@{}> <@&{}> yes, gift wrap is free",
            demo::ALICE,
            demo::STAFF_ROLE
        ),
    )
    .await;
    sim.wait_for_message(carol_dm, |m| m.content.contains("gift wrap is free"), WAIT)
        .await
        .expect("relayed to Carol");

    // /status for Alice shows nothing of Bob's, Carol's or Mallory's conversations.
    let status = sim
        .invoke_command(demo::ALICE, demo::HELP, "status", json!([]))
        .await;
    let answer = wait_interaction(&sim, status).await[0]["data"]["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(answer.contains("(1)"), "{answer}");
    for secret in [
        "bob",
        "carol",
        "everyone",
        &demo::BOB.to_string(),
        &demo::CAROL.to_string(),
        &MALLORY.to_string(),
        &carol_dm.to_string(),
        &sent[2].0.to_string(),
        &sent[3].0.to_string(),
        "gift",
    ] {
        assert!(
            !answer.contains(secret),
            "{secret} leaked into Alice's /status: {answer}"
        );
    }
    // A second acknowledgement of any of them would come after the first.
    quiet_period(QUIET).await;
    bot.stop().await;

    // Exactly one acknowledgement each, as for any message.
    let me = sim.bot_id();
    for (channel, id) in &sent {
        let acks = sim
            .messages_in(*channel)
            .iter()
            .filter(|m| m.author_id == me && crate::support::acked_by_message(m).contains(id))
            .count();
        assert_eq!(acks, 1, "message {id}");
    }
    // The relay reached Carol only: frontdesk opened no DM with anyone but the owner, and
    // nothing of it went anywhere else.
    for r in sim
        .requests()
        .iter()
        .filter(|r| r.is("POST", "/users/@me/channels"))
    {
        assert_eq!(
            r.body.as_ref().map(|b| b["recipient_id"].clone()),
            Some(json!(demo::OWNER.to_string())),
            "a DM opened with someone else"
        );
    }
    let copies = sim
        .requests()
        .iter()
        .filter(|r| {
            r.is("POST", "/messages") && r.status < 300 && r.body_text.contains("gift wrap is free")
        })
        .map(|r| r.path.clone())
        .collect::<Vec<_>>();
    assert_eq!(copies, vec![format!("/channels/{carol_dm}/messages")]);
    let checked = assert_nobody_else_was_pingable(&sim);
    println!("FIGURES security: {checked} bot messages and answers checked for allowed_mentions");
}

/// The real binary at debug level with a distinctive token: the token shows up in no log
/// line and in no error, while Discord (the simulator) did receive it.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_appears_in_no_log_and_no_error_and_the_data_is_private() {
    use std::os::unix::fs::PermissionsExt;
    const TOKEN: &str = "FDTOKEN.zq9x-7Kp2Lm4Nw8Rt6Yv";
    let sim = crate::support::demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("frontdesk.toml");
    std::fs::write(
        &config,
        format!(
            "owner_name = \"Sam\"\nresponses = \"{}\"\ndata_dir = \"data\"\n[discord]\nguild = \"{}\"\nowners = [\"{}\"]\n[watch]\nchannels = [\"{}\"]\n",
            crate::support::responses().display(),
            demo::GUILD,
            demo::OWNER,
            demo::HELP
        ),
    )
    .expect("config");
    let run = |api: &str, token: &str| {
        crate::support::run_frontdesk(&config, api)
            .env("DISCORD_TOKEN", token)
            .env("RUST_LOG", "debug")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let child = crate::support::ready(&sim, || run(&sim.base_url(), TOKEN)).await;
    let msg = sim
        .post_message(demo::ALICE, demo::HELP, "is my token safe?")
        .await;
    wait_ack(&sim, msg).await;
    let _ = std::process::Command::new("sh")
        // The shell builtin: a slim CI image may lack /bin/kill.
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("output");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        sim.identified_token().is_some_and(|t| t.ends_with(TOKEN)),
        "the token was used"
    );
    assert!(log.lines().count() > 20, "debug logs were written:\n{log}");
    assert!(!log.contains(TOKEN), "the token leaked into the logs");
    assert!(
        !log.contains("zq9x-7Kp2Lm4Nw8Rt6Yv"),
        "part of the token leaked"
    );

    // An API that refuses everything: the errors name the problem, never the token.
    let dead = run("http://127.0.0.1:9", TOKEN);
    let (dead_out, stopping) = tokio::task::spawn_blocking(move || {
        // A real gap, not a wait for work: two seconds of failing to reach Discord, so the
        // log holds the connection errors that must not carry the token.
        std::thread::sleep(Duration::from_secs(2));
        let _ = std::process::Command::new("sh")
            // The shell builtin: a slim CI image may lack /bin/kill.
            .args(["-c", &format!("kill -TERM {}", dead.id())])
            .status();
        let t = std::time::Instant::now();
        (dead.wait_with_output(), t.elapsed())
    })
    .await
    .expect("join");
    let dead_out = dead_out.expect("output");
    // A stop does not wait for deliveries retrying against an unreachable Discord.
    assert!(
        stopping < Duration::from_secs(10),
        "SIGTERM took {stopping:?}"
    );
    let dead_log = String::from_utf8_lossy(&dead_out.stderr).to_string();
    assert!(
        !dead_log.contains(TOKEN),
        "the token leaked into an error:\n{dead_log}"
    );

    // Debug output of what holds configuration and the token.
    let secret = frontdesk::config::Secret::new(TOKEN);
    assert!(!format!("{secret:?} {secret}").contains(TOKEN));
    let cfg = frontdesk::config::Config::load(&config).expect("config");
    assert!(!format!("{cfg:?}").contains(TOKEN));

    // Everything in the data directory is the owner's alone.
    let data = dir.path().join("data");
    let mut paths = vec![data.clone()];
    let mut files = 0;
    while let Some(p) = paths.pop() {
        let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is {:o}", p.display(), mode & 0o777);
        if p.is_dir() {
            paths.extend(
                std::fs::read_dir(&p)
                    .expect("list")
                    .map(|e| e.expect("entry").path()),
            );
        } else {
            files += 1;
        }
    }
    assert!(files >= 2, "the database files were checked");
}
