//! A customer's wait: acknowledged once, reminders on schedule until a staff reply, snoozes,
//! quiet hours, reopening, auto-resolve, the rules for closed hours, away and late, DM relays.

use super::*;

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
