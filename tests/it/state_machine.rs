//! The conversation state machine, driven by scripts of events with injected time.
//! Each test reads as: events in, the effects rendered as one line each.

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
    }
}

#[test]
fn a_customer_message_opens_a_conversation_with_one_ack_and_a_notice() {
    let mut d = Desk::new();
    assert_eq!(
        d.customer("how much is the blue scarf?"),
        [
            "ack in #10 replying to 1001 pinging 42 [pricing]: Prices: Sam will tell you soon, <@42>.",
            "notify: opened"
        ]
    );
    let c = d.conv.as_ref().expect("opened");
    assert_eq!(c.state, State::Waiting);
    assert_eq!(c.topic, "pricing");
    assert_eq!(c.next_reminder_at, Some(t("10:15")));
}

#[test]
fn follow_up_messages_while_waiting_are_stored_not_acknowledged() {
    let mut d = Desk::new();
    d.customer("hello");
    assert_eq!(
        d.at("10:01").customer("are you there?"),
        Vec::<String>::new()
    );
    assert_eq!(d.at("10:02").customer("hello??"), Vec::<String>::new());
    assert_eq!(d.conv.as_ref().map(|c| c.customer_messages), Some(3));
    assert_eq!(d.state(), State::Waiting);
}

#[test]
fn staff_reply_answers_and_stops_reminders() {
    let mut d = Desk::new();
    d.customer("hello");
    assert_eq!(d.at("10:05").staff("Hi Ana!"), Vec::<String>::new());
    let c = d.conv.clone().expect("conv");
    assert_eq!(c.state, State::Answered);
    assert_eq!(c.first_reply_at, Some(t("10:05")));
    assert_eq!(c.answered_by, Some(UserId(SAM)));
    assert_eq!(c.next_reminder_at, None);
    assert_eq!(d.at("11:00").tick(), Vec::<String>::new());
}

#[test]
fn reminders_escalate_on_schedule() {
    let mut d = Desk::new();
    d.customer("hello");
    assert_eq!(d.at("10:14").tick(), Vec::<String>::new());
    assert_eq!(d.at("10:15").tick(), ["notify: reminder 0"]);
    assert_eq!(d.at("10:16").tick(), Vec::<String>::new());
    assert_eq!(d.at("11:00").tick(), ["notify: reminder 1"]);
    assert_eq!(d.at("14:00").tick(), ["notify: reminder 2"]);
    assert_eq!(
        d.conv.as_ref().and_then(|c| c.next_reminder_at),
        Some(t("10:00") + SignedDuration::from_hours(28))
    );
}

#[test]
fn after_downtime_one_reminder_fires_not_a_burst() {
    let mut d = Desk::new();
    d.customer("hello");
    assert_eq!(d.at("15:00").tick(), ["notify: reminder 0"]);
    assert_eq!(d.at("15:01").tick(), Vec::<String>::new());
    let c = d.conv.clone().expect("conv");
    assert_eq!(c.reminders_sent, 3, "the missed steps count as past");
    assert_eq!(
        c.next_reminder_at,
        Some(t("10:00") + SignedDuration::from_hours(28))
    );
}

#[test]
fn snooze_defers_reminders_and_a_staff_reply_still_ends_them() {
    let mut d = Desk::new();
    d.customer("hello");
    d.at("10:10");
    let until = t("12:00");
    assert_eq!(
        d.run(Input::Command(Command::Snooze {
            by: UserId(SAM),
            until
        })),
        Vec::<String>::new()
    );
    assert_eq!(d.at("10:15").tick(), Vec::<String>::new());
    assert_eq!(d.at("11:00").tick(), Vec::<String>::new());
    assert_eq!(d.at("12:00").tick(), ["notify: reminder 0"]);
    d.at("12:05").staff("sorry for the wait!");
    assert_eq!(d.state(), State::Answered);
}

#[test]
fn thanks_after_an_answer_does_not_reopen_or_acknowledge() {
    let mut d = Desk::new();
    d.customer("hello");
    d.at("10:05").staff("Hi!");
    assert_eq!(d.at("10:06").customer("thanks! 🙏"), Vec::<String>::new());
    assert_eq!(d.state(), State::Answered);
}

#[test]
fn a_new_question_after_an_answer_waits_again_without_a_second_ack() {
    let mut d = Desk::new();
    d.customer("hello");
    d.at("10:05").staff("Hi!");
    assert_eq!(
        d.at("10:30")
            .customer("thanks, and what about the red one?"),
        ["notify: follow-up"]
    );
    let c = d.conv.clone().expect("conv");
    assert_eq!(c.state, State::Waiting);
    assert_eq!(c.first_reply_at, Some(t("10:05")), "first reply is kept");
    assert_eq!(c.next_reminder_at, Some(t("10:45")));
}

#[test]
fn resolved_conversations_reopen_with_one_new_ack() {
    let mut d = Desk::new();
    d.customer("hello");
    d.at("10:05").staff("Hi!");
    d.at("10:10")
        .run(Input::Command(Command::Resolve { by: UserId(SAM) }));
    assert_eq!(d.state(), State::Resolved);
    assert_eq!(d.at("10:20").customer("ok"), Vec::<String>::new());
    assert_eq!(d.state(), State::Resolved, "a courtesy does not reopen");
    assert_eq!(
        d.at("11:00").customer("one more thing"),
        [
            "ack in #10 replying to 1004 pinging 42 [general]: Hi <@42>, Sam will reply soon.",
            "notify: reopened"
        ]
    );
    assert_eq!(d.state(), State::Waiting);
    assert_eq!(d.conv.as_ref().map(|c| c.times_reopened), Some(1));
    assert_eq!(d.at("11:01").customer("hello?"), Vec::<String>::new());
}

#[test]
fn an_old_resolved_conversation_is_not_reopened_but_a_new_one_starts() {
    let mut d = Desk::new();
    d.customer("hello");
    let first = d.conv.as_ref().map(|c| c.id);
    d.run(Input::Command(Command::Resolve { by: UserId(SAM) }));
    d.now = t("10:00") + SignedDuration::from_hours(24 * 5);
    let effects = d.customer("back again");
    assert_eq!(effects.len(), 2);
    assert_ne!(d.conv.as_ref().map(|c| c.id), first);
    assert_eq!(d.conv.as_ref().map(|c| c.times_reopened), Some(0));
}

#[test]
fn staff_commands_reopen_and_mark_answered() {
    let mut d = Desk::new();
    d.customer("hello");
    assert_eq!(
        d.run(Input::Command(Command::MarkAnswered { by: UserId(SAM) })),
        Vec::<String>::new()
    );
    assert_eq!(d.state(), State::Answered);
    d.run(Input::Command(Command::Resolve { by: UserId(SAM) }));
    assert_eq!(
        d.at("10:30")
            .run(Input::Command(Command::Reopen { by: UserId(SAM) })),
        ["notify: reopened"]
    );
    assert_eq!(d.state(), State::Waiting);
    assert_eq!(
        d.run(Input::Command(Command::Reopen { by: UserId(SAM) })),
        Vec::<String>::new(),
        "reopening an open conversation changes nothing"
    );
}

#[test]
fn answered_conversations_auto_resolve_after_inactivity_waiting_ones_never() {
    let mut d = Desk::new();
    d.customer("hello");
    d.now = t("10:00") + SignedDuration::from_hours(30);
    assert_eq!(
        d.tick(),
        ["notify: reminder 0"],
        "a waiting customer is never closed"
    );
    d.staff("Hi!");
    let answered_at = d.now;
    d.now = answered_at + SignedDuration::from_hours(23);
    assert_eq!(d.tick(), Vec::<String>::new());
    d.now = answered_at + SignedDuration::from_hours(24);
    assert_eq!(
        d.tick(),
        ["close in #10: Closing this; write again any time."]
    );
    assert_eq!(d.state(), State::Resolved);
}

#[test]
fn closed_hours_away_and_late_pick_their_rules() {
    let tz = TimeZone::UTC;
    let nine_to_five = BusinessHours::parse_day("09:00-17:00").expect("valid");
    let mut d = Desk::new();
    d.policy.hours = BusinessHours::new(
        tz,
        std::array::from_fn(|_| nine_to_five.clone()),
        BTreeSet::new(),
    );
    d.at("20:00");
    assert_eq!(
        d.customer("how much?")[0],
        "ack in #10 replying to 1001 pinging 42 [closed]: Closed, <@42>; back tomorrow at 9:00."
    );
    assert_eq!(d.conv.as_ref().map(|c| c.topic.as_str()), Some("pricing"));

    let mut d = Desk::new();
    d.away = Some(Away {
        until: Some(t("15:00")),
        note: "At a craft fair!".into(),
    });
    assert_eq!(
        d.customer("hi")[0],
        "ack in #10 replying to 1001 pinging 42 [away]: Sam is away until today at 15:00. At a craft fair!"
    );
    let mut d = Desk::new();
    d.away = Some(Away {
        until: Some(t("09:00")),
        note: String::new(),
    });
    assert!(
        d.customer("hi")[0].contains("[general]"),
        "away mode expired"
    );

    let mut d = Desk::new();
    d.late = true;
    assert!(d.customer("hi")[0].contains("[late]: Sorry for the wait, <@42>!"));
}

#[test]
fn threads_are_opened_for_new_channel_conversations_when_configured() {
    let mut d = Desk::new();
    d.policy.threads = true;
    let m = d.msg(ANA, "how much is it?");
    let cx = Context {
        now: d.now,
        policy: &d.policy,
        rules: &d.rules,
        promises: &PromiseRules::builtin(),
        away: None,
        eta: "soon",
        late: false,
        earlier_conversations: 0,
    };
    let out = step(None, Input::Customer(&m), &cx);
    let Some(Effect::Acknowledge(ack)) = out.effects.first() else {
        panic!("expected an ack, got {:?}", out.effects)
    };
    assert_eq!(ack.open_thread.as_deref(), Some("Ana · pricing"));
}

#[test]
fn bots_frontdesk_and_staff_are_told_apart_from_customers() {
    let staff = Staff {
        owners: vec![UserId(SAM)],
        roles: vec![RoleId(5)],
        backups: Vec::new(),
    };
    let me = UserId(BOT);
    let author = |id: u64, bot: bool, roles: Vec<RoleId>| Author {
        id: UserId(id),
        name: "x".into(),
        bot,
        roles,
    };
    assert_eq!(
        role_of(&author(BOT, true, vec![]), me, &staff),
        Role::Myself
    );
    assert_eq!(role_of(&author(3, true, vec![]), me, &staff), Role::Bot);
    assert_eq!(
        role_of(&author(SAM, false, vec![]), me, &staff),
        Role::Staff
    );
    assert_eq!(
        role_of(&author(4, false, vec![RoleId(5)]), me, &staff),
        Role::Staff
    );
    assert_eq!(
        role_of(&author(ANA, false, vec![RoleId(6)]), me, &staff),
        Role::Customer
    );
}

#[test]
fn staff_messages_without_a_conversation_and_ticks_on_nothing_do_nothing() {
    let mut d = Desk::new();
    assert_eq!(d.staff("good morning"), Vec::<String>::new());
    assert!(d.conv.is_none(), "staff never open a conversation");
    assert_eq!(d.tick(), Vec::<String>::new());
}

#[test]
fn hidden_content_still_gets_the_fallback_ack_and_is_never_a_courtesy() {
    let mut d = Desk::new();
    let mut m = d.msg(ANA, "");
    m.content = None;
    let effects = d.run(Input::Customer(&m));
    assert!(effects[0].contains("[general]"), "{effects:?}");
    d.staff("Hi!");
    let mut m = d.msg(ANA, "");
    m.content = None;
    assert_eq!(d.run(Input::Customer(&m)), ["notify: follow-up"]);
}

#[test]
fn the_acknowledgement_never_exceeds_discords_limit() {
    let mut d = Desk::new();
    let mut m = d.msg(ANA, "hi");
    m.author.name = "{eta}".repeat(1000);
    let cx = Context {
        now: d.now,
        policy: &d.policy,
        rules: &d.rules,
        promises: &PromiseRules::builtin(),
        away: None,
        eta: &"x".repeat(5000),
        late: false,
        earlier_conversations: 0,
    };
    let out = step(None, Input::Customer(&m), &cx);
    let Some(Effect::Acknowledge(ack)) = out.effects.first() else {
        panic!("no ack")
    };
    assert!(ack.text.chars().count() <= 2000);
}

#[test]
fn quiet_hours_defer_reminders_until_they_end() {
    let mut d = Desk::new();
    d.policy.quiet_hours = Some(frontdesk::hours::QuietHours::parse("22:00-07:00").expect("valid"));
    d.at("21:50").customer("hello");
    assert_eq!(
        d.at("22:05").tick(),
        Vec::<String>::new(),
        "quiet: no reminder"
    );
    let next = d.conv.as_ref().and_then(|c| c.next_reminder_at);
    assert_eq!(next, Some("2026-11-24T07:00:00Z".parse().expect("time")));
    d.now = "2026-11-24T07:00:00Z".parse().expect("time");
    assert_eq!(d.tick(), ["notify: reminder 0"]);
}

#[test]
fn dm_conversations_are_mirrored_to_staff_and_staff_replies_relayed_back() {
    let mut d = Desk::new();
    let mut m = d.msg(ANA, "do you gift wrap?");
    m.place = Place::Dm {
        channel: ChannelId(77),
    };
    let effects = d.run(Input::Customer(&m));
    assert_eq!(effects.len(), 3, "{effects:?}");
    assert_eq!(
        effects[2],
        "relay to staff thread: **Ana**: do you gift wrap?"
    );
    // Staff answer in the relay thread.
    let thread = ChannelId(500);
    if let Some(c) = d.conv.as_mut() {
        c.relay = Some(thread);
    }
    let mut reply = d.at("10:20").msg(SAM, "Yes, for free!");
    reply.place = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(12),
        thread: Some(thread),
    };
    assert_eq!(
        d.run(Input::Staff(&reply)),
        ["relay to DM #77: Yes, for free!\n— Sam, Maple & Thread"]
    );
    let c = d.conv.clone().expect("conv");
    assert_eq!(c.state, State::Answered);
    assert_eq!(
        c.first_reply_at,
        Some(t("10:20")),
        "the relayed reply is the first reply"
    );
    // Her next DM is relayed too, without a new acknowledgement.
    let mut again = d.at("10:25").msg(ANA, "thanks!");
    again.place = m.place;
    assert_eq!(
        d.run(Input::Customer(&again)),
        ["relay to staff thread: **Ana**: thanks!"]
    );
    // A staff message elsewhere (not the relay thread) is never sent to her.
    let mut elsewhere = d.msg(SAM, "internal note");
    elsewhere.place = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(12),
        thread: Some(ChannelId(501)),
    };
    assert_eq!(d.run(Input::Staff(&elsewhere)), Vec::<String>::new());
}

#[test]
fn a_customer_message_written_before_the_answer_but_handled_after_it_does_not_reopen() {
    // serenity dispatches events concurrently: the staff answer may be handled first.
    let mut d = Desk::new();
    d.customer("hello");
    let earlier = d.msg(ANA, "any news?");
    let answer = d.msg(SAM, "Found it!");
    d.run(Input::Staff(&answer));
    assert_eq!(d.run(Input::Customer(&earlier)), Vec::<String>::new());
    assert_eq!(d.state(), State::Answered);
    let later = d.msg(ANA, "and the other parcel?");
    assert_eq!(d.run(Input::Customer(&later)), ["notify: follow-up"]);
    assert_eq!(d.state(), State::Waiting);
}

/// A day and `h:m` after the 10:05 promise of the promise scripts.
fn after_promise(hours: i64, mins: i64) -> Timestamp {
    t("10:05") + SignedDuration::from_hours(24 + hours) + SignedDuration::from_mins(mins)
}

const PROMISE: &str = "Let me check with the supplier and I'll get back to you";

#[test]
fn a_promise_keeps_the_conversation_open_and_reminds_the_one_who_promised() {
    let mut d = Desk::new();
    d.customer("where is my order?");
    assert_eq!(d.at("10:05").staff(PROMISE), Vec::<String>::new());
    let c = d.conv.clone().expect("conv");
    assert_eq!(c.state, State::Answered, "the first reply still counts");
    let p = c.promise.clone().expect("a promise");
    assert_eq!(
        (p.by, p.by_name.as_str(), p.words.as_str()),
        (UserId(SAM), "Sam", PROMISE)
    );
    assert_eq!(p.due, after_promise(0, 0), "a day of open time later");
    assert_eq!(wake_at(&c, &d.policy), Some(p.due));
    // Answered and quiet for a day, but promised: reminded, not closed for inactivity.
    d.now = after_promise(0, 0) - SignedDuration::from_mins(1);
    assert_eq!(d.tick(), Vec::<String>::new());
    d.now = after_promise(0, 0);
    assert_eq!(d.tick(), ["remind promise 1 step 0"]);
    assert_eq!(d.state(), State::Answered);
    // Then on the reminder schedule, counted from when it fell due.
    d.now = after_promise(0, 14);
    assert_eq!(d.tick(), Vec::<String>::new());
    d.now = after_promise(0, 15);
    assert_eq!(d.tick(), ["remind promise 1 step 1"]);
    d.now = after_promise(1, 0);
    assert_eq!(d.tick(), ["remind promise 1 step 2"]);
    d.now = after_promise(4, 0);
    assert_eq!(d.tick(), ["remind promise 1 step 3"]);
    // A day past due, the owners hear of it too.
    d.now = after_promise(28, 0);
    assert_eq!(d.tick(), ["remind promise 1 step 4, owners too"]);
}

#[test]
fn any_staff_post_ends_a_promise_and_a_promising_one_starts_the_next() {
    let mut d = Desk::new();
    d.customer("where is my order?");
    d.at("10:05").staff(PROMISE);
    d.at("11:00").staff("I'll look into it and let you know");
    let c = d.conv.clone().expect("conv");
    assert_eq!(c.promises_made, 2);
    assert_eq!(c.promise.as_ref().map(|p| p.made_at), Some(t("11:00")));
    d.now = t("11:00") + SignedDuration::from_hours(24);
    assert_eq!(d.tick(), ["remind promise 2 step 0"], "numbered apart");

    // News posted: the promise is kept, nobody is reminded, and the quiet answered
    // conversation closes as any other does.
    d.now += SignedDuration::from_mins(5);
    assert_eq!(
        d.staff("Found it: your parcel ships Monday."),
        Vec::<String>::new()
    );
    let c = d.conv.clone().expect("conv");
    assert!(c.promise.is_none());
    assert_eq!(
        c.promises_kept,
        Kept {
            on_time: 1,
            late: 1
        },
        "the first kept by the second (before its time), the second five minutes late"
    );
    let posted = d.now;
    d.now = posted + SignedDuration::from_hours(23);
    assert_eq!(d.tick(), Vec::<String>::new());
    d.now = posted + SignedDuration::from_hours(24);
    assert_eq!(
        d.tick(),
        ["close in #10: Closing this; write again any time."]
    );
}

#[test]
fn resolving_or_blocking_ends_a_promise_and_a_customer_message_does_not() {
    let mut d = Desk::new();
    d.customer("where is my order?");
    d.at("10:05").staff(PROMISE);
    d.at("10:30")
        .customer("ok, and can you also check the colour?");
    assert_eq!(d.state(), State::Waiting);
    assert!(
        d.conv.as_ref().is_some_and(|c| c.promise.is_some()),
        "the customer writing again does not end it"
    );
    d.run(Input::Command(Command::Resolve { by: UserId(SAM) }));
    let c = d.conv.clone().expect("conv");
    assert!(c.promise.is_none());
    assert_eq!(c.promises_kept.on_time, 1, "resolved in time: kept");
    assert_eq!(wake_at(&c, &d.policy), None);

    let mut d = Desk::new();
    d.customer("where is my order?");
    d.at("10:05").staff(PROMISE);
    d.run(Input::Command(Command::Block { by: UserId(SAM) }));
    assert!(d.conv.as_ref().is_some_and(|c| c.promise.is_none()));
}

#[test]
fn a_late_older_staff_message_neither_makes_nor_ends_a_promise() {
    let mut d = Desk::new();
    d.customer("where is my order?");
    let older = d.at("10:04").msg(SAM, "Hi! Let me check.");
    let newer = d.at("10:05").msg(SAM, PROMISE);
    d.run(Input::Staff(&newer));
    d.run(Input::Staff(&older));
    let c = d.conv.clone().expect("conv");
    assert_eq!(c.promises_made, 1);
    assert_eq!(c.promise.and_then(|p| p.message), Some(newer.id));
}

#[test]
fn promises_switched_off_are_never_read() {
    let mut d = Desk::new();
    d.policy.promises.enabled = false;
    d.customer("where is my order?");
    d.at("10:05").staff(PROMISE);
    assert!(d.conv.as_ref().is_some_and(|c| c.promise.is_none()));
}

const ANA_STAFF: u64 = 8;

fn claim(by: u64, name: &str) -> Command {
    Command::Claim {
        by: UserId(by),
        name: name.into(),
    }
}

#[test]
fn the_first_claim_wins_and_the_customer_is_told_once_per_new_holder() {
    let mut d = Desk::new();
    d.customer("hello");
    assert_eq!(
        d.at("10:02").run(Input::Command(claim(ANA_STAFF, "Ana"))),
        ["tell customer #10 claim 1 replying to Some(MessageId(1001)) pinging 42: <@42>, Ana is looking after your question now and will reply to you personally."]
    );
    let holder = d
        .conv
        .as_ref()
        .and_then(|c| c.assignee.clone())
        .expect("claimed");
    assert_eq!((holder.user, holder.at), (UserId(ANA_STAFF), t("10:02")));
    // A second claimer changes nothing; claiming again what one has says nothing again.
    assert!(d
        .at("10:03")
        .run(Input::Command(claim(SAM, "Sam")))
        .is_empty());
    assert!(d.run(Input::Command(claim(ANA_STAFF, "Ana"))).is_empty());
    assert_eq!(
        d.conv
            .as_ref()
            .and_then(|c| c.assignee.as_ref())
            .map(|a| a.user),
        Some(UserId(ANA_STAFF))
    );
    // /assign moves it, and tells the customer of the new holder.
    let moved = d.run(Input::Command(Command::Assign {
        by: UserId(ANA_STAFF),
        to: UserId(SAM),
        name: "Sam".into(),
    }));
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(
        moved[0].starts_with("tell customer #10 claim 2"),
        "{moved:?}"
    );
    assert!(d
        .run(Input::Command(Command::Unclaim { by: UserId(SAM) }))
        .is_empty());
    assert_eq!(d.conv.as_ref().and_then(|c| c.assignee.clone()), None);
    assert!(
        d.run(Input::Command(Command::Unclaim { by: UserId(SAM) }))
            .is_empty()
            && d.conv.as_ref().map(|c| c.claims_made) == Some(2)
    );
}

#[test]
fn resolving_and_reopening_keep_the_holder_and_a_closed_conversation_tells_nobody() {
    let mut d = Desk::new();
    d.customer("hello");
    d.run(Input::Command(claim(ANA_STAFF, "Ana")));
    d.at("10:05")
        .run(Input::Command(Command::Resolve { by: UserId(SAM) }));
    assert_eq!(d.state(), State::Resolved);
    let kept = |d: &Desk| {
        d.conv
            .as_ref()
            .and_then(|c| c.assignee.as_ref())
            .map(|a| a.user)
    };
    assert_eq!(kept(&d), Some(UserId(ANA_STAFF)), "history");
    assert!(
        d.run(Input::Command(Command::Assign {
            by: UserId(SAM),
            to: UserId(SAM),
            name: "Sam".into()
        }))
        .is_empty(),
        "nobody is waiting to hear"
    );
    d.at("10:06")
        .run(Input::Command(Command::Reopen { by: UserId(SAM) }));
    assert_eq!(d.state(), State::Waiting);
    assert_eq!(kept(&d), Some(UserId(SAM)));
}

#[test]
fn telling_the_customer_can_be_switched_off() {
    let mut d = Desk::new();
    d.policy.claims = ClaimPolicy {
        tell_customer: false,
    };
    d.customer("hello");
    assert!(d.run(Input::Command(claim(ANA_STAFF, "Ana"))).is_empty());
    assert!(d.conv.as_ref().is_some_and(|c| c.assignee.is_some()));
}

#[test]
fn a_claimed_conversations_reminders_go_to_its_holder_then_the_owners_too() {
    let mut d = Desk::new();
    d.customer("hello");
    let owners = [UserId(SAM), UserId(3)];
    let conv = d.conv.clone().expect("opened");
    let at = |h: i64| t("10:00") + SignedDuration::from_hours(h);
    let to = |c: &Conversation, kind, when, policy: &Policy| {
        notice_recipients(c, kind, when, &owners, policy)
    };
    // Unclaimed: everyone, always.
    assert_eq!(to(&conv, NoticeKind::Reminder(0), at(0), &d.policy), owners);
    d.run(Input::Command(claim(ANA_STAFF, "Ana")));
    let conv = d.conv.clone().expect("claimed");
    assert_eq!(
        to(&conv, NoticeKind::Opened, at(0), &d.policy),
        owners,
        "new customers reach everyone"
    );
    assert_eq!(to(&conv, NoticeKind::FollowUp, at(0), &d.policy), owners);
    assert_eq!(
        to(&conv, NoticeKind::Reminder(1), at(1), &d.policy),
        [UserId(ANA_STAFF)]
    );
    // Without [reminders] escalate_after, the owners hear after OWNERS_AFTER (4 h).
    assert_eq!(
        to(&conv, NoticeKind::Reminder(2), at(4), &d.policy),
        [UserId(ANA_STAFF), UserId(SAM), UserId(3)]
    );
    d.policy.escalation = Some(Escalation {
        to: vec![UserId(77)],
        after: SignedDuration::from_hours(2),
    });
    assert_eq!(
        to(&conv, NoticeKind::Reminder(1), at(2), &d.policy),
        [UserId(ANA_STAFF), UserId(SAM), UserId(3)],
        "escalate_after"
    );
    // An owner who has it is not told twice.
    let mut sams = conv.clone();
    if let Some(a) = sams.assignee.as_mut() {
        a.user = UserId(SAM);
    }
    assert_eq!(
        to(&sams, NoticeKind::Reminder(2), at(5), &d.policy),
        [UserId(SAM), UserId(3)]
    );
}

#[test]
fn a_follow_up_is_a_promise_of_whoever_set_it_with_their_note() {
    let mut d = Desk::new();
    d.customer("where is my order?");
    d.at("10:05").staff(PROMISE);
    let follow_up = |due, note: Option<&str>| {
        Input::Command(Command::FollowUp {
            by: UserId(ANA),
            name: "Ana".into(),
            due,
            note: note.map(str::to_string),
        })
    };
    d.at("11:00")
        .run(follow_up(Some(t("15:00")), Some("  check the parcel ")));
    let c = d.conv.clone().expect("conv");
    let p = c.promise.clone().expect("a follow-up");
    assert_eq!(
        (p.by, p.words.as_str(), p.message),
        (UserId(ANA), "check the parcel", None)
    );
    assert_eq!(p.note.as_deref(), Some("check the parcel"));
    assert_eq!(c.promises_made, 2);
    assert_eq!(c.promises_kept, Kept::default(), "replaced, not kept");
    assert_eq!(d.at("15:00").tick(), ["remind promise 2 step 0"]);
    // Without a time: `[promises] remind_after` of open time (a day, always open here).
    d.at("16:00").run(follow_up(None, Some("   ")));
    let p = d.conv.clone().and_then(|c| c.promise).expect("a follow-up");
    assert_eq!(p.due, t("16:00") + SignedDuration::from_hours(24));
    assert_eq!(p.note, None, "a blank note is none");
}
