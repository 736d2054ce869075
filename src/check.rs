//! `frontdesk check`: validates the config and the rules (the promise rules too), with `--try`
//! shows which rule answers a sample message and the exact acknowledgement, and with
//! `--try-promise` whether a staff reply is a promise and when its author would be reminded.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::config::{Config, ConfigError};
use crate::core::{step, Context, Effect, Input};
use crate::desk::policy_from;
use crate::duration::Humane;
use crate::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use crate::responses::promises::{self, PromiseRules, When};
use crate::responses::replies::{self, SavedReplies};
use crate::responses::{ResponsesErrors, Rules};

/// What `check` was asked.
#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    /// `None`: `frontdesk.toml` if it exists, else the built-in defaults.
    pub config: Option<PathBuf>,
    pub responses: Option<PathBuf>,
    pub try_text: Option<String>,
    /// A staff reply to try as a promise.
    pub try_promise: Option<String>,
    pub at: Option<Timestamp>,
    pub place: TryPlace,
    pub late: bool,
    pub away: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TryPlace {
    #[default]
    Channel,
    Forum,
    Dm,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Responses(#[from] ResponsesErrors),
    #[error("cannot write the report: {0}")]
    Output(#[from] std::io::Error),
}

/// Loads the config the way every command does: the named file, else `frontdesk.toml` if it
/// exists, else the defaults. Returns a note to show when defaults were used.
pub fn load_config(path: Option<&Path>) -> Result<(Config, Option<String>), ConfigError> {
    match path {
        Some(p) => Ok((Config::load(p)?, None)),
        None if Path::new("frontdesk.toml").exists() => {
            Ok((Config::load(Path::new("frontdesk.toml"))?, None))
        }
        None => Ok((
            Config::defaults(),
            Some("no frontdesk.toml here, so the built-in defaults apply (always open, owner \"the owner\"); run `frontdesk setup` to write yours".into()),
        )),
    }
}

pub fn check(req: &CheckRequest, out: &mut dyn Write) -> Result<(), CheckError> {
    let (config, note) = load_config(req.config.as_deref())?;
    match (&config.path, note) {
        (Some(p), _) => writeln!(out, "config     {} ok", p.display())?,
        (None, Some(note)) => writeln!(out, "config     {note}")?,
        (None, None) => {}
    }
    if let Some(d) = &config.dashboard {
        let reach = if d.listen.ip().is_loopback() {
            "this machine only"
        } else {
            "beyond this machine: put a TLS reverse proxy in front"
        };
        writeln!(
            out,
            "dashboard  {} ({reach}); links point to {}",
            d.listen,
            d.base_url()
        )?;
    }
    let dir = req
        .responses
        .clone()
        .unwrap_or_else(|| config.resolve(&config.responses));
    let is_default = req.responses.is_none()
        && config.responses == Path::new(crate::responses::builtin::DEFAULT_DIR);
    let (rules, note) = crate::responses::builtin::load_or_builtin(&dir, is_default)?;
    match note {
        None => writeln!(
            out,
            "responses  {} rules in {} ok",
            rules.len(),
            dir.display()
        )?,
        Some(note) => writeln!(out, "responses  {} rules ok; {note}", rules.len())?,
    }
    for r in rules.iter() {
        let mut scope = Vec::new();
        if !r.places.is_empty() {
            scope.push(format!("where {:?}", r.places));
        }
        if !r.times.is_empty() {
            scope.push(format!("when {:?}", r.times).to_lowercase());
        }
        writeln!(
            out,
            "  {:>4}  {:<10} {} variant(s){}{}",
            r.priority,
            r.id,
            r.variants.len(),
            if r.pattern.is_some() { ", regex" } else { "" },
            if scope.is_empty() {
                String::new()
            } else {
                format!(", {}", scope.join(", "))
            }
        )?;
    }
    let promise_rules = PromiseRules::load(&dir)?;
    let file = dir.join(promises::FILE);
    if file.exists() {
        writeln!(
            out,
            "promises   {} rules in {} ok",
            promise_rules.len(),
            file.display()
        )?;
    } else {
        writeln!(
            out,
            "promises   {} rules ok; no {} in {}: using the built-in ones",
            promise_rules.len(),
            promises::FILE,
            dir.display()
        )?;
    }
    if !config.promises.enabled {
        writeln!(
            out,
            "           off: [promises] enabled = false, so no staff reply is followed up"
        )?;
    }
    for r in promise_rules.iter() {
        writeln!(out, "  {:>8}  {}", r.when(), r.id)?;
    }
    let saved = SavedReplies::load(&dir)?;
    let file = dir.join(replies::FILE);
    let from = if file.exists() {
        format!("in {}", file.display())
    } else {
        format!(
            "(no {} in {}: the built-in ones)",
            replies::FILE,
            dir.display()
        )
    };
    writeln!(out, "replies    {} saved replies {from} ok", saved.len())?;
    for r in saved.iter() {
        writeln!(out, "  {}", r.name)?;
    }
    if let Some(text) = &req.try_text {
        try_message(&config, &rules, req, text, out)?;
    }
    if let Some(text) = &req.try_promise {
        try_promise(&config, &promise_rules, &file, req, text, out)?;
    }
    Ok(())
}

/// Whether a staff reply is a promise, by which rule, and when its author would be reminded.
fn try_promise(
    config: &Config,
    rules: &PromiseRules,
    file: &Path,
    req: &CheckRequest,
    text: &str,
    out: &mut dyn Write,
) -> Result<(), CheckError> {
    let now = req.at.unwrap_or_else(Timestamp::now);
    let hours = &config.hours;
    let local = |t: Timestamp| {
        t.to_zoned(hours.time_zone().clone())
            .strftime("%a %-d %b %Y %H:%M %Z")
            .to_string()
    };
    writeln!(out)?;
    writeln!(out, "reply      {text:?}")?;
    writeln!(
        out,
        "said       {} ({})",
        local(now),
        if hours.is_open(now) { "open" } else { "closed" }
    )?;
    let Some(found) = rules.find(text) else {
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        writeln!(
            out,
            "promise    no: no promise rule matches, so nobody is reminded"
        )?;
        writeln!(
            out,
            "           promises are replies like: {} (the rules in {})",
            ids.join(", "),
            file.display()
        )?;
        return Ok(());
    };
    let source = rules
        .iter()
        .find(|r| r.id == found.rule)
        .map_or(String::new(), |r| {
            format!(" ({}:{})", r.source.file.display(), r.source.line)
        });
    writeln!(out, "promise    yes, rule {}{source}", found.rule)?;
    if !config.promises.enabled {
        writeln!(
            out,
            "remind     never: [promises] enabled = false in the config"
        )?;
        return Ok(());
    }
    let remind_after = config.promises.remind_after;
    let due = hours.promise_due(now, found.when, remind_after);
    let why = match found.when {
        When::Later => format!(
            "{} of open time after the reply ([promises] remind_after)",
            in_hours(remind_after)
        ),
        When::Tomorrow => "the next open day's opening (\"tomorrow\")".to_string(),
        When::Weekday(day) => format!(
            "the opening of the next {} (the day named), or the next open moment after it",
            crate::hours::weekday_name(day)
        ),
    };
    writeln!(
        out,
        "remind     {} ({}): {why}",
        hours.describe_moment(now, due),
        local(due)
    )?;
    Ok(())
}

/// Open time in hours ("24 h", "1 h 30 min"): in days it would read as whole calendar days.
fn in_hours(d: jiff::SignedDuration) -> String {
    let (h, m) = (d.as_secs() / 3600, d.as_secs() % 3600 / 60);
    match (h, m) {
        (0, _) => Humane(d).to_string(),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn try_message(
    config: &Config,
    rules: &Rules,
    req: &CheckRequest,
    text: &str,
    out: &mut dyn Write,
) -> Result<(), CheckError> {
    let now = req.at.unwrap_or_else(Timestamp::now);
    let guild = GuildId(1);
    let place = match req.place {
        TryPlace::Channel => Place::Channel {
            guild,
            channel: config
                .watch
                .channels
                .first()
                .copied()
                .unwrap_or(ChannelId(2)),
            thread: None,
        },
        TryPlace::Forum => {
            let forum = config.watch.forums.first().copied().unwrap_or(ChannelId(3));
            Place::Forum {
                guild,
                forum,
                post: ChannelId(4),
            }
        }
        TryPlace::Dm => Place::Dm {
            channel: ChannelId(5),
        },
    };
    let msg = Incoming {
        id: MessageId::first_at(now),
        place,
        author: Author {
            id: UserId(1),
            name: "Customer".into(),
            bot: false,
            roles: Vec::new(),
        },
        content: Some(text.to_string()),
        reply_to: None,
        at: now,
        tags: Vec::new(),
    };
    let policy = policy_from(config);
    let away = req.away.then(|| crate::core::Away {
        until: None,
        note: String::new(),
    });
    let cx = Context {
        now,
        policy: &policy,
        rules,
        promises: &PromiseRules::builtin(),
        away: away.as_ref(),
        eta: crate::core::eta::UNKNOWN_ETA,
        late: req.late,
        earlier_conversations: 0,
    };
    let result = step(None, Input::Customer(&msg), &cx);
    let open = policy.hours.is_open(now);
    writeln!(out)?;
    writeln!(out, "message    {text:?}")?;
    writeln!(
        out,
        "when       {} ({}{}{})",
        now.to_zoned(policy.hours.time_zone().clone())
            .strftime("%a %-d %b %Y %H:%M %Z"),
        if open { "open" } else { "closed" },
        if req.away { ", away" } else { "" },
        if req.late { ", late" } else { "" },
    )?;
    let topic = result
        .conversation
        .as_ref()
        .map_or("", |c| c.topic.as_str());
    for effect in &result.effects {
        if let Effect::Acknowledge(ack) = effect {
            let rule = rules.iter().find(|r| r.id == ack.rule);
            let source = rule.map_or(String::new(), |r| {
                format!(" ({}:{})", r.source.file.display(), r.source.line)
            });
            writeln!(out, "rule       {}{source}", ack.rule)?;
            writeln!(out, "topic      {topic}")?;
            writeln!(
                out,
                "reply      (the customer is pinged as <@{}>; nobody else can be)",
                ack.customer
            )?;
            for line in ack.text.lines() {
                writeln!(out, "  │ {line}")?;
            }
        }
    }
    Ok(())
}
