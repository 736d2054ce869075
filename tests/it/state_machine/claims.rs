//! Who has a conversation: the first claim wins, the customer is told once per new holder,
//! and the holder's reminders reach the owners only after the escalation time.

use super::*;

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
        ["tell customer #10 claim 1 replying to Some(MessageId(1001)) pinging 42: <@42>, Ana is looking after your question now and will reply to you personally.",
         "show holder on notices, change 0x1"]
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
    assert_eq!(moved.len(), 2, "{moved:?}");
    assert!(
        moved[0].starts_with("tell customer #10 claim 2"),
        "{moved:?}"
    );
    assert_eq!(moved[1], "show holder on notices, change 0x2");
    // Letting go tells the customer nothing; the notices offer it again.
    assert_eq!(
        d.run(Input::Command(Command::Unclaim { by: UserId(SAM) })),
        ["show holder on notices, change 0x100000002"]
    );
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
    assert_eq!(
        d.run(Input::Command(claim(ANA_STAFF, "Ana"))),
        ["show holder on notices, change 0x1"],
        "the staff's notices still show who has it"
    );
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
