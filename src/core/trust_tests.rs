//! `step` with ratings, blocking and escalation in play: scripts of events with injected time.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::hours::BusinessHours;
use crate::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use crate::responses::Rules;

const ANA: u64 = 42;
const SAM: u64 = 7;

fn t(s: &str) -> Timestamp {
    format!("2026-11-23T{s}:00Z").parse().expect("time")
}

fn policy() -> Policy {
    Policy {
        business_name: "Maple & Thread".into(),
        owner_name: "Sam".into(),
        hours: BusinessHours::always_open(jiff::tz::TimeZone::UTC),
        reminders: ReminderSchedule::default(),
        auto_resolve_after: Some(SignedDuration::from_hours(24)),
        threads: false,
        closing_text: "Closing.".into(),
        quiet_hours: None,
        relay_dms: false,
        ratings: RatingPolicy::default(),
        escalation: None,
        promises: PromisePolicy::default(),
        claims: Default::default(),
    }
}

fn rules() -> Rules {
    let src = "[[rule]]\nid = \"general\"\nvariants = [\"Hi {customer}\"]\n";
    Rules::from_sources(&[(PathBuf::from("r.toml"), src.to_string())]).expect("rules")
}

fn msg(id: u64, author: u64, at: Timestamp) -> Incoming {
    Incoming {
        id: MessageId(id),
        place: Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(10),
            thread: None,
        },
        author: Author {
            id: UserId(author),
            name: "someone".into(),
            bot: false,
            roles: Vec::new(),
        },
        content: Some("hello".into()),
        reply_to: None,
        at,
        tags: Vec::new(),
    }
}

fn run(
    conv: &mut Option<Conversation>,
    input: Input<'_>,
    policy: &Policy,
    now: Timestamp,
) -> Vec<Effect> {
    let rules = rules();
    let cx = Context {
        now,
        policy,
        rules: &rules,
        promises: &crate::responses::promises::PromiseRules::builtin(),
        away: None,
        eta: "soon",
        late: false,
        earlier_conversations: 0,
    };
    let out = step(conv.as_ref(), input, &cx);
    if let Some(c) = out.conversation {
        *conv = Some(c);
    }
    out.effects
}

fn asks(effects: &[Effect]) -> Vec<&RatingRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::AskRating(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn resolving_after_a_staff_reply_asks_once_replying_to_the_customer() {
    let p = policy();
    let mut conv = None;
    run(
        &mut conv,
        Input::Customer(&msg(1001, ANA, t("10:00"))),
        &p,
        t("10:00"),
    );
    run(
        &mut conv,
        Input::Staff(&msg(1002, SAM, t("10:05"))),
        &p,
        t("10:05"),
    );
    let resolve = Input::Command(Command::Resolve { by: UserId(SAM) });
    let effects = run(&mut conv, resolve.clone(), &p, t("10:10"));
    let asked = asks(&effects);
    assert_eq!(asked.len(), 1, "{effects:?}");
    assert_eq!(asked[0].reply_to, Some(MessageId(1001)));
    assert_eq!(asked[0].customer, UserId(ANA));
    assert!(
        asked[0].text.starts_with("<@42>, how did we do?"),
        "{}",
        asked[0].text
    );
    // Reopened by the customer and resolved again: never asked twice.
    run(
        &mut conv,
        Input::Customer(&msg(1003, ANA, t("11:00"))),
        &p,
        t("11:00"),
    );
    run(
        &mut conv,
        Input::Staff(&msg(1004, SAM, t("11:05"))),
        &p,
        t("11:05"),
    );
    assert!(asks(&run(&mut conv, resolve.clone(), &p, t("11:10"))).is_empty());
}

#[test]
fn auto_resolve_asks_but_a_conversation_without_a_staff_reply_is_never_asked() {
    let p = policy();
    let mut conv = None;
    run(
        &mut conv,
        Input::Customer(&msg(1001, ANA, t("10:00"))),
        &p,
        t("10:00"),
    );
    run(
        &mut conv,
        Input::Staff(&msg(1002, SAM, t("10:05"))),
        &p,
        t("10:05"),
    );
    let next_day = t("10:05") + SignedDuration::from_hours(24);
    assert_eq!(asks(&run(&mut conv, Input::Tick, &p, next_day)).len(), 1);

    let mut quiet = None;
    run(
        &mut quiet,
        Input::Customer(&msg(2001, ANA, t("10:00"))),
        &p,
        t("10:00"),
    );
    let marked = Input::Command(Command::MarkAnswered { by: UserId(SAM) });
    run(&mut quiet, marked, &p, t("10:01"));
    let resolve = Input::Command(Command::Resolve { by: UserId(SAM) });
    assert!(asks(&run(&mut quiet, resolve.clone(), &p, t("10:02"))).is_empty());
    let off = Policy {
        ratings: RatingPolicy {
            ask: false,
            ..RatingPolicy::default()
        },
        ..policy()
    };
    let mut c = None;
    run(
        &mut c,
        Input::Customer(&msg(3001, ANA, t("10:00"))),
        &off,
        t("10:00"),
    );
    run(
        &mut c,
        Input::Staff(&msg(3002, SAM, t("10:05"))),
        &off,
        t("10:05"),
    );
    assert!(asks(&run(&mut c, resolve.clone(), &off, t("10:10"))).is_empty());
}

#[test]
fn a_blocked_customer_is_stored_marked_and_answered_by_nobody() {
    let p = policy();
    let mut conv = None;
    let effects = run(
        &mut conv,
        Input::Blocked(&msg(1001, ANA, t("10:00"))),
        &p,
        t("10:00"),
    );
    assert!(effects.is_empty(), "{effects:?}");
    let c = conv.clone().expect("stored");
    assert!(c.blocked);
    assert_eq!(c.state, State::Resolved);
    assert_eq!(wake_at(&c, &p), None, "no reminders");
    let effects = run(
        &mut conv,
        Input::Blocked(&msg(1002, ANA, t("10:01"))),
        &p,
        t("10:01"),
    );
    assert!(effects.is_empty());
    assert_eq!(conv.as_ref().map(|c| c.customer_messages), Some(2));

    // Blocking an answered conversation resolves it without a rating request.
    let mut open = None;
    run(
        &mut open,
        Input::Customer(&msg(2001, ANA, t("10:00"))),
        &p,
        t("10:00"),
    );
    run(
        &mut open,
        Input::Staff(&msg(2002, SAM, t("10:05"))),
        &p,
        t("10:05"),
    );
    let block = Input::Command(Command::Block { by: UserId(SAM) });
    assert!(run(&mut open, block, &p, t("10:06")).is_empty());
    let c = open.expect("stored");
    assert!(c.blocked && c.state == State::Resolved && c.rating.is_none());
}
