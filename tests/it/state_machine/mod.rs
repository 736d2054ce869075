//! The conversation state machine, driven by scripts of events with injected time.
//! Each test reads as: events in, the effects rendered as one line each. Here the scripted
//! desk; the scripts by what they follow: a customer's wait (`waiting`), staff promises
//! (`promises`), who has a conversation (`claims`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use frontdesk::core::{
    notice_recipients, role_of, step, wake_at, Away, ClaimPolicy, Command, Context, Conversation,
    Effect, Escalation, Input, Kept, NoticeKind, Policy, PromisePolicy, RatingPolicy,
    ReminderSchedule, Role, Staff, State,
};
use frontdesk::hours::BusinessHours;
use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, RoleId, UserId};
use frontdesk::responses::promises::PromiseRules;
use frontdesk::responses::Rules;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

mod claims;
mod promises;
mod waiting;

const RULES: &str = r#"
[[rule]]
id = "general"
variants = ["Hi {customer}, {owner} will reply {eta}."]

[[rule]]
id = "pricing"
priority = 10
match = 'price|how much'
variants = ["Prices: {owner} will tell you {eta}, {customer}."]

[[rule]]
id = "closed"
priority = 100
when = ["closed"]
variants = ["Closed, {customer}; back {opens}."]

[[rule]]
id = "away"
priority = 110
when = ["away"]
variants = ["{owner} is away until {back}. {away_note}"]

[[rule]]
id = "late"
priority = 120
when = ["late"]
variants = ["Sorry for the wait, {customer}!"]
"#;

const ANA: u64 = 42;
const SAM: u64 = 7; // owner
const BOT: u64 = 99; // frontdesk itself
const HELP: u64 = 10;

struct Desk {
    rules: Rules,
    promises: PromiseRules,
    policy: Policy,
    away: Option<Away>,
    conv: Option<Conversation>,
    now: Timestamp,
    next_id: u64,
    late: bool,
}

fn t(s: &str) -> Timestamp {
    format!("2026-11-23T{s}:00Z").parse().expect("time")
}

impl Desk {
    fn new() -> Desk {
        let rules = Rules::from_sources(&[(PathBuf::from("r.toml"), RULES.to_string())])
            .unwrap_or_else(|e| panic!("{e}"));
        Desk {
            rules,
            promises: PromiseRules::builtin(),
            policy: Policy {
                business_name: "Maple & Thread".into(),
                owner_name: "Sam".into(),
                hours: BusinessHours::always_open(TimeZone::UTC),
                reminders: ReminderSchedule::default(),
                auto_resolve_after: Some(SignedDuration::from_hours(24)),
                threads: false,
                closing_text: "Closing this; write again any time.".into(),
                quiet_hours: None,
                relay_dms: true,
                // Rating requests have their own tests (`ratings`); these scripts predate them.
                ratings: RatingPolicy {
                    ask: false,
                    ..RatingPolicy::default()
                },
                escalation: None,
                promises: PromisePolicy::default(),
                claims: Default::default(),
            },
            away: None,
            conv: None,
            now: t("10:00"),
            next_id: 1000,
            late: false,
        }
    }

    fn at(&mut self, time: &str) -> &mut Self {
        self.now = t(time);
        self
    }

    fn msg(&mut self, author: u64, text: &str) -> Incoming {
        self.next_id += 1;
        Incoming {
            id: MessageId(self.next_id),
            place: Place::Channel {
                guild: GuildId(1),
                channel: ChannelId(HELP),
                thread: None,
            },
            author: Author {
                id: UserId(author),
                name: if author == ANA { "Ana" } else { "Sam" }.into(),
                bot: false,
                roles: Vec::new(),
            },
            content: Some(text.to_string()),
            reply_to: None,
            at: self.now,
            tags: Vec::new(),
        }
    }

    fn run(&mut self, input: Input<'_>) -> Vec<String> {
        let cx = Context {
            now: self.now,
            policy: &self.policy,
            rules: &self.rules,
            promises: &self.promises,
            away: self.away.as_ref(),
            eta: "soon",
            late: self.late,
            earlier_conversations: 0,
        };
        let out = step(self.conv.as_ref(), input, &cx);
        if let Some(c) = out.conversation {
            self.conv = Some(c);
        }
        out.effects.iter().map(describe).collect()
    }

    fn customer(&mut self, text: &str) -> Vec<String> {
        let m = self.msg(ANA, text);
        self.run(Input::Customer(&m))
    }

    fn staff(&mut self, text: &str) -> Vec<String> {
        let m = self.msg(SAM, text);
        self.run(Input::Staff(&m))
    }

    fn tick(&mut self) -> Vec<String> {
        self.run(Input::Tick)
    }

    fn state(&self) -> State {
        self.conv.as_ref().expect("a conversation").state
    }
}

fn describe(e: &Effect) -> String {
    match e {
        Effect::Acknowledge(a) => format!(
            "ack in #{} replying to {} pinging {} [{}]: {}",
            a.channel, a.reply_to, a.customer, a.rule, a.text
        ),
        Effect::Notify(n) => match n.kind {
            NoticeKind::Opened => "notify: opened".into(),
            NoticeKind::Reopened => "notify: reopened".into(),
            NoticeKind::FollowUp => "notify: follow-up".into(),
            NoticeKind::Reminder(s) => format!("notify: reminder {s}"),
        },
        Effect::Close { channel, text, .. } => format!("close in #{channel}: {text}"),
        Effect::RelayIn { text, .. } => format!("relay to staff thread: {text}"),
        Effect::RelayOut { channel, text, .. } => format!("relay to DM #{channel}: {text}"),
        Effect::AskRating(r) => format!("ask rating in #{}: {}", r.channel, r.text),
        Effect::RemindPromise(r) => format!(
            "remind promise {} step {}{}",
            r.number,
            r.step,
            if r.escalated { ", owners too" } else { "" }
        ),
        Effect::TellClaimed(c) => format!(
            "tell customer #{} claim {} replying to {:?} pinging {}: {}",
            c.channel, c.number, c.reply_to, c.customer, c.text
        ),
        Effect::ShowHolder { change, .. } => format!("show holder on notices, change {change:#x}"),
        Effect::Reply(r) => format!(
            "reply in #{} replying to {:?} pinging {:?}: {}",
            r.channel, r.reply_to, r.ping, r.text
        ),
    }
}
