//! `frontdesk setup` as an owner runs it, against the simulator: the flag form, the
//! interactive form through a pseudo-terminal, and every refusal with its message and exit
//! code. Also the Discord reads it makes, checked against Discord's OpenAPI description.

mod flags;
#[cfg(unix)]
mod interactive;
mod refusals;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use frontdesk_sim::schema::ApiSchema;
use frontdesk_sim::Simulator;

/// The flags that pick the demo world's places and people, as an owner would type them.
pub const DEMO_CHOICES: &[&str] = &[
    "--watch",
    "help",
    "--forum",
    "#questions",
    "--staff-channel",
    "staff",
    "--staff-role",
    "Staff",
    "--time-zone",
    "Europe/London",
    "--token-file",
    "frontdesk.token",
];

/// Runs the binary in `dir` with no standard input (off the async runtime, which serves the
/// simulator meanwhile). `token`: DISCORD_TOKEN, or none.
pub async fn frontdesk(dir: &Path, args: Vec<String>, token: Option<&str>) -> Output {
    let dir = dir.to_path_buf();
    let token = token.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
        cmd.args(&args)
            .current_dir(&dir)
            .env_remove("RUST_LOG")
            .env_remove("DISCORD_TOKEN")
            .env_remove("CREDENTIALS_DIRECTORY")
            .stdin(Stdio::null());
        if let Some(t) = token {
            cmd.env("DISCORD_TOKEN", t);
        }
        cmd.output().expect("run frontdesk")
    })
    .await
    .expect("the command ran")
}

/// `frontdesk setup --discord-api SIM` plus `args`.
pub async fn setup(sim: &Simulator, dir: &Path, args: &[&str], token: Option<&str>) -> Output {
    let mut all = vec![
        "setup".to_string(),
        "--discord-api".to_string(),
        sim.base_url(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    frontdesk(dir, all, token).await
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every answer to the reads setup and doctor make has the shape Discord's description gives.
pub fn assert_reads_match_discords_spec(sim: &Simulator) {
    let schema = ApiSchema::get();
    let mut checked = 0;
    let mut problems = Vec::new();
    for r in sim.requests() {
        let read = ["/users/@me", "/applications/@me", "/guilds/"];
        if r.method != "GET" || r.status >= 300 || !read.iter().any(|p| r.path.starts_with(p)) {
            continue;
        }
        let Some(body) = &r.response else { continue };
        checked += 1;
        if let Err(e) = schema.validate_response(&r.method, &r.path, r.status, body) {
            problems.push(format!("{} {}: {e:?}", r.method, r.path));
        }
    }
    assert!(checked >= 6, "only {checked} reads were recorded");
    assert!(
        problems.is_empty(),
        "answers Discord would not give:\n{}",
        problems.join("\n")
    );
}
