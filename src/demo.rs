//! `frontdesk demo`: the simulator and the real bot in one process, a short scripted day, and
//! a transcript of what each person saw. Also the config the tests use for the demo world.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use crate::app::{run, BotError, BotOptions, RetryPolicy};
use crate::clock::{Clock, ManualClock};
use crate::config::{Config, Secret};
use crate::desk::{DeskError, Records};
use frontdesk_sim::demo as ids;
use frontdesk_sim::{SimConfig, SimError, SimMessage, Simulator, World};

/// The TOML of [`demo_config`], for a `frontdesk run --config` child process.
pub fn demo_config_text(data_dir: &Path, responses: &Path, extra: &str) -> String {
    format!(
        r#"
business_name = "Maple & Thread"
owner_name = "Sam"
responses = {responses}
data_dir = {data}

[discord]
guild = "{guild}"
owners = ["{owner}"]
staff_roles = ["{staff_role}"]
staff_channel = "{staff}"
message_content = true

[watch]
channels = ["{help}"]
forums = ["{questions}"]
dms = true

{extra}
"#,
        // Quoted by toml itself, so any path (quotes, backslashes) stays a valid string.
        responses = toml::Value::String(responses.display().to_string()),
        data = toml::Value::String(data_dir.display().to_string()),
        guild = ids::GUILD,
        owner = ids::OWNER,
        staff_role = ids::STAFF_ROLE,
        staff = ids::STAFF,
        help = ids::HELP,
        questions = ids::QUESTIONS,
    )
}

/// A config for the simulator's demo world: #help watched, the #questions forum watched, DMs
/// on, the owner and the Staff role as staff, #staff as fallback for notifications.
pub fn demo_config(data_dir: &Path, responses: &Path, extra: &str) -> Config {
    let text = demo_config_text(data_dir, responses, extra);
    Config::parse(&text, Path::new("demo.toml"))
        .unwrap_or_else(|e| unreachable!("the demo config is fixed and valid: {e}"))
}

/// How long the demo waits for any one thing before it gives up and says what was missing.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the simulator could not start: {0}")]
    Sim(#[from] SimError),
    #[error("the bot failed: {0}")]
    Bot(#[from] BotError),
    #[error("demo step timed out: {0}\n  fix: run again with RUST_LOG=frontdesk=debug to see what the bot did")]
    Timeout(&'static str),
    #[error("cannot write the transcript: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot read the demo database: {0}")]
    Records(#[from] DeskError),
}

/// Who is who, for the transcript; and which channels are threads (forum posts among them),
/// which a client shows by their title, not as `#channel`.
struct Names(HashMap<u64, String>, std::collections::HashSet<u64>);

impl Names {
    /// People by the name the server shows (nickname, display name, username), as a client does.
    fn of(world: &World) -> Names {
        let shown = |u: &frontdesk_sim::SimUser| {
            let name = u
                .nick
                .as_ref()
                .or(u.display_name.as_ref())
                .unwrap_or(&u.name);
            (u.id, name.clone())
        };
        let mut m: HashMap<u64, String> = world.members().map(shown).collect();
        for c in &world.guild.channels {
            m.insert(c.id, c.name.clone());
        }
        Names(m, std::collections::HashSet::new())
    }

    fn name(&self, id: u64) -> &str {
        self.0.get(&id).map_or("someone", String::as_str)
    }

    /// Shows `<@id>` as `@name`, `<#id>` as `#name` and a thread's `<#id>` as “its title”, as a
    /// Discord client would.
    fn readable(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('<') {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let parsed = tail.find('>').and_then(|end| {
                let inner = &tail[1..end];
                let (sigil, id) = if let Some(id) = inner.strip_prefix('@') {
                    ('@', id)
                } else if let Some(id) = inner.strip_prefix('#') {
                    ('#', id)
                } else {
                    return None;
                };
                let id: u64 = id.parse().ok()?;
                let shown = match sigil {
                    '#' if self.1.contains(&id) => format!("“{}”", self.name(id)),
                    _ => format!("{sigil}{}", self.name(id)),
                };
                Some((shown, end + 1))
            });
            match parsed {
                Some((s, len)) => {
                    out.push_str(&s);
                    rest = &tail[len..];
                }
                None => {
                    out.push('<');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

struct Transcript<'a> {
    out: &'a mut dyn Write,
    names: Names,
}

impl Transcript<'_> {
    fn scene(&mut self, clock: &ManualClock, place: &str) -> std::io::Result<()> {
        let local = clock.now().to_zoned(jiff::tz::TimeZone::UTC);
        writeln!(self.out, "\n── {} · {place}", local.strftime("%A %H:%M"))
    }

    fn said(&mut self, who: u64, text: &str) -> std::io::Result<()> {
        let who = self.names.name(who).to_string();
        self.block(&who, text)
    }

    fn block(&mut self, who: &str, text: &str) -> std::io::Result<()> {
        let text = self.names.readable(text);
        for (i, line) in text.lines().enumerate() {
            let label = if i == 0 { who } else { "" };
            writeln!(self.out, "   {label:<12} {line}")?;
        }
        Ok(())
    }

    /// Threads appear during the day; name them as the Discord client shows them.
    fn learn_threads(&mut self, sim: &Simulator) {
        for t in sim.threads() {
            self.names.0.insert(t.id, t.name.clone());
            self.names.1.insert(t.id);
        }
    }

    fn note(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "   {:<12} ({text})", "")
    }
}

/// Runs the scripted day and writes the transcript to `out`.
pub async fn run_demo(out: &mut dyn Write) -> Result<(), DemoError> {
    use frontdesk_sim::demo as ids;
    let world = World::demo();
    let sim = Simulator::start(world.clone(), SimConfig::default()).await?;
    let dir = std::env::temp_dir().join(format!(
        "frontdesk-demo-{}-{}",
        std::process::id(),
        Timestamp::now().as_millisecond()
    ));
    let responses = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("responses");
    let responses = if responses.is_dir() {
        responses
    } else {
        std::path::PathBuf::from("responses")
    };
    let hours = "[hours]\ntime_zone = \"UTC\"\nmonday = \"09:00-17:00\"\ntuesday = \"09:00-17:00\"\nwednesday = \"09:00-17:00\"\nthursday = \"09:00-17:00\"\nfriday = \"09:00-17:00\"\n";
    let config = demo_config(&dir, &responses, hours);
    // A Tuesday morning; the demo moves this clock, the simulator keeps real time.
    let start: Timestamp = "2026-11-24T10:00:00Z"
        .parse()
        .unwrap_or_else(|_| Timestamp::now());
    let clock = Arc::new(ManualClock::new(start));
    let mut opts = BotOptions::new(config, Secret::new("demo-token"), clock.clone());
    opts.api = Some(sim.base_url());
    opts.tick_every = Duration::from_millis(100);
    opts.retry = RetryPolicy {
        first_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = tokio::spawn(run(opts, async move {
        let _ = stopped.await;
    }));

    let mut t = Transcript {
        out,
        names: Names::of(&world),
    };
    writeln!(
        t.out,
        "frontdesk demo: a simulated Discord server (\"Maple & Thread\"), the real bot, no network.\nEvery message below went through serenity and the simulator's gateway and REST API.\n"
    )?;
    if !sim.wait_for_connected(STEP_TIMEOUT).await
        || sim
            .wait_for_request(|r| r.is("PUT", "/commands"), STEP_TIMEOUT)
            .await
            .is_none()
    {
        return Err(DemoError::Timeout("the bot connecting to the simulator"));
    }
    t.note("frontdesk connected; slash commands registered")?;

    // 1. A customer asks in the support channel.
    t.scene(&clock, "#help")?;
    let q1 = "Hi! How much is shipping to Canada?";
    let alice_msg = sim.post_message(ids::ALICE, ids::HELP, q1).await;
    t.said(ids::ALICE, q1)?;
    let ack = wait_reply(&sim, ids::HELP, alice_msg).await?;
    t.said(ids::BOT, &format!("↪ {}", ack.content))?;
    let mut seen = 0;
    let dm = owner_notice(&sim, &mut seen, "alice").await?;
    t.scene(&clock, "Sam's DMs (the owner)")?;
    t.said(ids::BOT, &dm.content)?;

    // 2. A forum post.
    clock.advance(jiff::SignedDuration::from_mins(2));
    t.scene(&clock, "forum #questions, new post \"Order #1042\"")?;
    let body = "I ordered a scarf last week and it still hasn't arrived.";
    let post = sim
        .create_forum_post(ids::BOB, ids::QUESTIONS, "Order #1042", body)
        .await;
    t.said(ids::BOB, body)?;
    let ack = sim
        .wait_for_message(post, |m| m.author_id == ids::BOT, STEP_TIMEOUT)
        .await
        .ok_or(DemoError::Timeout("the forum post's acknowledgement"))?;
    t.learn_threads(&sim);
    t.said(ids::BOT, &ack.content)?;
    let bob_post = post;

    // 3. A direct message.
    clock.advance(jiff::SignedDuration::from_mins(1));
    t.scene(&clock, "carol's DM with the bot")?;
    let q3 = "Do you do gift wrapping?";
    let dm_msg = sim.send_dm(ids::CAROL, q3).await;
    t.said(ids::CAROL, q3)?;
    let channel = sim.dm_channel_of(ids::CAROL).unwrap_or(0);
    let ack = wait_reply(&sim, channel, dm_msg).await?;
    t.said(ids::BOT, &format!("↪ {}", ack.content))?;
    owner_notice(&sim, &mut seen, "carol").await?;
    t.note("Sam got a DM about bob's post and carol's message too")?;

    // 4. A follow-up in an open conversation: stored, not acknowledged again.
    clock.advance(jiff::SignedDuration::from_mins(1));
    t.scene(&clock, "#help")?;
    let q4 = "Also, do you ship on weekends?";
    let follow = sim.post_message(ids::ALICE, ids::HELP, q4).await;
    t.said(ids::ALICE, q4)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let extra = sim
        .messages_in(ids::HELP)
        .iter()
        .filter(|m| m.author_id == ids::BOT && reply_target(m) == Some(follow))
        .count();
    t.note(&format!(
        "stored with Alice's conversation; {} new acknowledgement{}: frontdesk never spams",
        extra,
        if extra == 1 { "" } else { "s" }
    ))?;
    // 5. The owner answers in person.
    clock.advance(jiff::SignedDuration::from_mins(6));
    t.scene(&clock, "#help")?;
    let answer = "Hi Alice! Shipping to Canada is £8.50 and we post Monday to Saturday.";
    sim.post_reply(ids::OWNER, ids::HELP, answer, alice_msg)
        .await;
    t.said(ids::OWNER, &format!("↪ {answer}"))?;
    t.note("a personal reply: Alice's conversation is answered and her reminders stop")?;

    // 6. Time passes: reminders for the two customers still waiting arrive as one digest.
    clock.advance(jiff::SignedDuration::from_mins(10));
    t.scene(&clock, "Sam's DMs")?;
    let digest = owner_notice(&sim, &mut seen, "⏰ Reminder").await?;
    t.said(ids::BOT, &digest.content)?;

    // 7. Sam takes bob's post: bob is told who is looking after him.
    t.scene(
        &clock,
        "forum post \"Order #1042\", Sam types /claim (only Sam sees the answer)",
    )?;
    let interaction = sim
        .invoke_command(ids::OWNER, bob_post, "claim", serde_json::json!([]))
        .await;
    let claimed = wait_interaction(&sim, interaction).await?;
    t.said(ids::BOT, &claimed)?;
    let told = sim
        .wait_for_message(
            bob_post,
            |m| m.author_id == ids::BOT && m.content.contains("your question"),
            STEP_TIMEOUT,
        )
        .await
        .ok_or(DemoError::Timeout("bob being told who has his question"))?;
    t.said(ids::BOT, &told.content)?;

    // 8. The owner promises bob a later answer.
    clock.advance(jiff::SignedDuration::from_mins(2));
    t.scene(&clock, "forum #questions, \"Order #1042\"")?;
    let promise =
        "Sorry about that, Bob! Let me check with the courier and I'll get back to you tomorrow.";
    sim.post_message(ids::OWNER, bob_post, promise).await;
    t.said(ids::OWNER, promise)?;
    t.note("a promise: bob's conversation is answered, and Sam will be reminded tomorrow unless someone posts there first")?;

    // 9. The owner looks at who is still waiting, who has what, and what was promised.
    t.scene(
        &clock,
        "#staff, Sam types /queue (only Sam sees the answer)",
    )?;
    // The promise is read as the reply arrives, a moment after it was posted.
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
    let queue = loop {
        let interaction = sim
            .invoke_command(ids::OWNER, ids::STAFF, "queue", serde_json::json!([]))
            .await;
        let queue = wait_interaction(&sim, interaction).await?;
        if queue.contains("on a promise") {
            break queue;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::Timeout("the promise in /queue"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    t.said(ids::BOT, &queue)?;

    // 10. A customer checks on their question.
    t.scene(
        &clock,
        "#help, bob types /status (only bob sees the answer)",
    )?;
    let interaction = sim
        .invoke_command(ids::BOB, ids::HELP, "status", serde_json::json!([]))
        .await;
    let status = wait_interaction(&sim, interaction).await?;
    t.said(ids::BOT, &status)?;

    // 11. After hours.
    clock.set("2026-11-24T20:30:00Z".parse().unwrap_or(start));
    t.scene(&clock, "forum #questions, new post \"Returns?\"")?;
    let late = "Can I return a jumper that doesn't fit?";
    let post = sim
        .create_forum_post(ids::ALICE, ids::QUESTIONS, "Returns?", late)
        .await;
    t.said(ids::ALICE, late)?;
    let ack = sim
        .wait_for_message(post, |m| m.author_id == ids::BOT, STEP_TIMEOUT)
        .await
        .ok_or(DemoError::Timeout("the after-hours acknowledgement"))?;
    t.said(ids::BOT, &ack.content)?;
    owner_notice(&sim, &mut seen, "Can I return").await?;
    t.note("Sam is notified as always; Alice was told when we open")?;

    // 12. The next day: nobody has posted in bob's post since Sam's promise.
    clock.set("2026-11-25T12:00:00Z".parse().unwrap_or(start));
    t.scene(&clock, "Sam's DMs")?;
    let reminder = owner_notice(&sim, &mut seen, "🤝 Promise reminder").await?;
    t.said(ids::BOT, &reminder.content)?;

    let _ = stop.send(());
    match tokio::time::timeout(STEP_TIMEOUT, bot).await {
        Ok(Ok(result)) => result?,
        Ok(Err(e)) => tracing::error!(error = %e, "bot task failed"),
        Err(_) => return Err(DemoError::Timeout("the bot shutting down")),
    }
    sim.shutdown().await;

    let records = Records::open(&dir)?;
    let conversations: Vec<_> = records.conversations().collect();
    let waiting = conversations
        .iter()
        .filter(|c| c.state == crate::core::State::Waiting)
        .count();
    let pending = records.undelivered()?;
    drop(records);
    writeln!(
        t.out,
        "\n── summary\n   {} conversations stored in sled ({} waiting for Sam, {} answered); {} deliveries still pending.\n   Try it yourself: `frontdesk check --try \"where is my order?\"`, or `frontdesk sim` + `frontdesk run`.",
        conversations.len(),
        waiting,
        conversations.len() - waiting,
        pending
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn reply_target(m: &SimMessage) -> Option<u64> {
    m.message_reference
        .as_ref()
        .and_then(|r| r["message_id"].as_str())
        .and_then(|s| s.parse().ok())
}

async fn wait_reply(sim: &Simulator, channel: u64, to: u64) -> Result<SimMessage, DemoError> {
    // The predicate runs under the simulator's lock: read the bot id before.
    let bot = sim.bot_id();
    sim.wait_for_message(
        channel,
        |m| m.author_id == bot && reply_target(m) == Some(to),
        STEP_TIMEOUT,
    )
    .await
    .ok_or(DemoError::Timeout("an acknowledgement"))
}

/// Waits for the owner's next DM containing `needle`, after the first `seen` messages in it
/// (notices due together arrive as one digest, so one message may cover several customers).
async fn owner_notice(
    sim: &Simulator,
    seen: &mut usize,
    needle: &str,
) -> Result<SimMessage, DemoError> {
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
    loop {
        if let Some(c) = sim.dm_channel_of(frontdesk_sim::demo::OWNER) {
            let all = sim.messages_in(c);
            if let Some((i, m)) = all
                .iter()
                .enumerate()
                .skip(*seen)
                .find(|(_, m)| m.content.contains(needle))
            {
                *seen = i + 1;
                return Ok(m.clone());
            }
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::Timeout("the owner's notification"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_interaction(sim: &Simulator, id: u64) -> Result<String, DemoError> {
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
    loop {
        // A deferred answer ("thinking…") arrives as a later edit: take the last text sent.
        let responses = sim.interaction_responses(id);
        let text = responses.iter().rev().find_map(|b| {
            b["data"]["content"]
                .as_str()
                .or_else(|| b["content"].as_str())
        });
        if let Some(text) = text {
            return Ok(text.to_string());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::Timeout("a slash command's answer"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
