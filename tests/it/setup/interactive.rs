//! The interactive form, driven as a person would through a pseudo-terminal: it waits for the
//! invite to be accepted, offers the server's channels and roles by name, and writes the same
//! file as the flag form given the same answers.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};

use super::*;
use crate::support::{demo_sim, WAIT};

/// A child on the slave side of a pseudo-terminal, and what it has written so far.
struct Terminal {
    master: std::fs::File,
    output: Arc<Mutex<Vec<u8>>>,
    /// How much of the (plain-text) output earlier expectations consumed.
    seen: usize,
}

impl Terminal {
    fn spawn(cmd: &mut Command) -> (Child, Terminal) {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let name = ptsname(&master, Vec::new()).expect("ptsname");
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name.to_str().expect("utf-8 name"))
            .expect("open the slave");
        rustix::termios::tcsetwinsize(
            &slave,
            rustix::termios::Winsize {
                ws_row: 40,
                ws_col: 160,
                ws_xpixel: 0,
                ws_ypixel: 0,
            },
        )
        .expect("window size");
        let child = cmd
            .stdin(Stdio::from(slave.try_clone().expect("clone")))
            .stdout(Stdio::from(slave.try_clone().expect("clone")))
            .stderr(Stdio::from(slave))
            .spawn()
            .expect("spawn in the terminal");
        let master = std::fs::File::from(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&output);
        let mut reader = master.try_clone().expect("clone master");
        // Reads until the child's side closes (EIO on Linux).
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&buf[..n]);
            }
        });
        let term = Terminal {
            master,
            output,
            seen: 0,
        };
        (child, term)
    }

    fn screen(&self) -> String {
        let raw = self
            .output
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        strip_ansi(&String::from_utf8_lossy(&raw))
    }

    /// Waits until `needle` appears after what was already consumed.
    fn expect(&mut self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if let Some(at) = screen.get(self.seen..).and_then(|s| s.find(needle)) {
                self.seen += at + needle.len();
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; the terminal shows:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).expect("type");
        self.master.flush().expect("flush");
    }

    fn answer(&mut self, prompt: &str, keys: &str) {
        self.expect(prompt);
        self.send(keys);
    }
}

/// The text without terminal escape sequences (colours, cursor moves, line clears).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.next_if_eq(&'[').is_some() {
            // Parameters, then one final byte in @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

/// The questions after the staff channel, each answered with its default (the Staff role
/// picked, the time zone typed).
fn answer_the_rest(term: &mut Terminal) {
    term.answer("Staff roles", " \r");
    term.answer("Owner to notify and remind", "\r");
    term.answer("Business name", "\r");
    term.answer("How acknowledgements name the owner", "\r");
    term.answer("Time zone", "Europe/London\r");
    term.answer("Business hours", "\r");
    term.answer("Where should the token be kept?", "\r");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prompts_write_the_same_file_as_the_flags() {
    let sim = demo_sim().await;
    sim.set_bot_in_guild(false);
    let asked = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
    cmd.args(["setup", "--discord-api", &sim.base_url()])
        .current_dir(asked.path())
        .env_remove("RUST_LOG")
        .env_remove("DISCORD_TOKEN")
        .env("TERM", "xterm-256color");
    let driver_sim = sim.clone();
    let (status, screen) = tokio::task::spawn_blocking(move || {
        let (mut child, mut term) = Terminal::spawn(&mut cmd);
        term.answer("Bot token", "pty-token\r");
        term.expect("Token ok");
        // The bot is in no server yet: setup shows the invite link and waits for it.
        term.expect("scope=bot+applications.commands");
        term.expect("Waiting for it to join");
        driver_sim.set_bot_in_guild(true);
        term.answer("Channels where customers write", " \r");
        term.answer("Forums where each post is a question", " \r");
        // The list marks #help as public and offers the private #staff by default; picking #help
        // is explained, with the fix, and another channel may be picked instead.
        term.expect("The private staff channel");
        term.expect("#help (every member can see it)");
        term.answer("#staff", "k\r");
        term.expect("Warning: the staff channel #help is visible to @everyone");
        term.expect("turn on Private Channel");
        term.answer("#help is not private. What now?", "j\r");
        term.answer("The private staff channel", "\r");
        answer_the_rest(&mut term);
        term.expect("doctor     no problems found");
        let status = child.wait().expect("setup ends");
        (status, term.screen())
    })
    .await
    .expect("the terminal session");
    assert!(status.success(), "{screen}");
    assert!(
        !screen.contains("pty-token"),
        "the token input is hidden: {screen}"
    );

    let flagged = tempfile::tempdir().expect("tempdir");
    let o = setup(&sim, flagged.path(), DEMO_CHOICES, Some("pty-token")).await;
    assert!(o.status.success(), "{}", text(&o));
    let read = |dir: &Path, name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    assert_eq!(
        read(asked.path(), "frontdesk.toml"),
        read(flagged.path(), "frontdesk.toml")
    );
    assert_eq!(
        read(asked.path(), "frontdesk.token"),
        read(flagged.path(), "frontdesk.token")
    );
    sim.shutdown().await;
}

/// The owner picks a public channel for staff, makes it private on Discord while setup waits,
/// and has setup check again: it reads the channel anew and goes on with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_channel_made_private_meanwhile_is_checked_again() {
    use frontdesk::core::permissions::VIEW_CHANNEL;
    use frontdesk_sim::{demo, OverwriteFor};
    let sim = demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
    cmd.args(["setup", "--discord-api", &sim.base_url()])
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .env_remove("DISCORD_TOKEN")
        .env("TERM", "xterm-256color");
    let driver_sim = sim.clone();
    let (status, screen) = tokio::task::spawn_blocking(move || {
        let (mut child, mut term) = Terminal::spawn(&mut cmd);
        term.answer("Bot token", "pty-token\r");
        term.answer("Channels where customers write", " \r");
        term.answer("Forums where each post is a question", " \r");
        term.expect("The private staff channel");
        term.answer("#staff", "k\r");
        term.expect("Warning: the staff channel #help is visible to @everyone");
        // The fix, done on Discord: @everyone denied, Staff and the bot allowed.
        let view = VIEW_CHANNEL.bit;
        driver_sim.set_channel_overwrite(demo::HELP, OverwriteFor::Role(demo::GUILD), 0, view);
        driver_sim.set_channel_overwrite(demo::HELP, OverwriteFor::Role(demo::STAFF_ROLE), view, 0);
        driver_sim.set_channel_overwrite(demo::HELP, OverwriteFor::Role(demo::BOT_ROLE), view, 0);
        term.answer("#help is not private. What now?", "\r");
        answer_the_rest(&mut term);
        term.expect("doctor     no problems found");
        let status = child.wait().expect("setup ends");
        (status, term.screen())
    })
    .await
    .expect("the terminal session");
    assert!(status.success(), "{screen}");
    assert_eq!(
        screen.matches("Warning:").count(),
        1,
        "private once checked again: {screen}"
    );
    let config = std::fs::read_to_string(dir.path().join("frontdesk.toml")).expect("config");
    let line = format!("staff_channel = \"{}\"  # #help", demo::HELP);
    assert!(config.lines().any(|l| l == line), "{config}");
    sim.shutdown().await;
}
