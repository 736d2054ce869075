//! The texts `step` writes around a customer's own words — the acknowledgement's
//! `{customer_name}` and the DM relay into the staff thread — render none of the customer's
//! markup, whatever their name and message.

use std::path::PathBuf;

use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::discord::outbound::{message_body, Outbound};
use crate::hours::BusinessHours;
use crate::markdown::render::{assert_adds_no_markup, hostile, shown};
use crate::model::{Author, ChannelId, Incoming, MessageId, Place, UserId};
use crate::responses::Rules;

fn policy() -> Policy {
    Policy {
        business_name: "Maple & Thread".into(),
        owner_name: "Sam".into(),
        hours: BusinessHours::always_open(jiff::tz::TimeZone::UTC),
        reminders: ReminderSchedule::default(),
        auto_resolve_after: None,
        threads: false,
        closing_text: "Closing.".into(),
        quiet_hours: None,
        relay_dms: true,
        ratings: RatingPolicy::default(),
        escalation: None,
        promises: PromisePolicy::default(),
        claims: Default::default(),
    }
}

/// The customer's name mid-line and at a line start.
fn rules() -> Rules {
    let src = "[[rule]]\nid = \"general\"\nvariants = [\"Thanks {customer_name} ({customer})! {owner} will reply {eta}.\\n{customer_name}\"]\n";
    Rules::from_sources(&[(PathBuf::from("r.toml"), src.to_string())]).expect("rules")
}

/// The acknowledgement's text and the relay's body content for a first DM.
fn texts(name: &str, content: &str) -> (String, String) {
    let at: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
    let msg = Incoming {
        id: MessageId(1001),
        place: Place::Dm {
            channel: ChannelId(77),
        },
        author: Author {
            id: UserId(42),
            name: name.into(),
            bot: false,
            roles: Vec::new(),
        },
        content: Some(content.into()),
        reply_to: None,
        at,
        tags: Vec::new(),
    };
    let (policy, rules) = (policy(), rules());
    let cx = Context {
        now: at,
        policy: &policy,
        rules: &rules,
        promises: &crate::responses::promises::PromiseRules::builtin(),
        away: None,
        eta: "soon",
        late: false,
        earlier_conversations: 0,
    };
    let out = step(None, Input::Customer(&msg), &cx);
    let mut ack = None;
    let mut relay = None;
    for effect in out.effects {
        match effect {
            Effect::Acknowledge(a) => ack = Some(a.text),
            Effect::RelayIn { text, .. } => relay = Some(text),
            _ => {}
        }
    }
    let relay = relay.expect("a relay");
    let body = message_body(&Outbound {
        text: &relay,
        ping: None,
        reply_to: None,
        nonce: "i1001".into(),
        buttons: Vec::new(),
    });
    let content = body["content"].as_str().unwrap_or_default().to_string();
    (ack.expect("an acknowledgement"), content)
}

#[test]
fn the_relay_reads_like_the_customers_message() {
    let (ack, relay) = texts("ana_b", "Hi! Is the *blue* one in stock?\n# Order 12");
    assert_eq!(
        relay,
        "**ana_b**: Hi! Is the \\*blue\\* one in stock?\n\\# Order 12"
    );
    assert_eq!(
        shown(&relay),
        "**ana_b**: Hi! Is the *blue* one in stock?\n# Order 12"
    );
    assert!(ack.starts_with("Thanks ana_b (<@42>)!"), "{ack}");
    let (ack, relay) = texts("[refund](https://evil.example)", "plain words");
    assert!(
        ack.starts_with("Thanks \\[refund](https://evil.example) (<@42>)!"),
        "{ack}"
    );
    assert!(
        relay.starts_with("**\\[refund](https://evil.example)**: plain"),
        "{relay}"
    );
}

proptest! {
    #[test]
    fn acknowledgements_and_relays_render_none_of_the_customers_markup(
        name in hostile(),
        content in hostile(),
    ) {
        prop_assume!(!content.trim().is_empty());
        let (ack, relay) = texts(&name, &content);
        let (plain_ack, plain_relay) = texts("Ana", "hello there");
        assert_adds_no_markup(&ack, &plain_ack);
        assert_adds_no_markup(&relay, &plain_relay);
    }
}
