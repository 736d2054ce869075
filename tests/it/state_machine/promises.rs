//! Staff promises of a later answer: made by a reply or a follow-up, reminded when due and on
//! the schedule, ended by any staff post or a resolve, counted as kept on time or late.

use super::*;

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
