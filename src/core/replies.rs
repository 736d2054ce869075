//! A personal reply written outside a Discord message (the web page's reply box, a saved
//! reply from `/reply`), sent to the customer by frontdesk, signed with the staff member's
//! name. It is a staff reply like one typed in Discord (the waiting clock stops, a promise
//! in it counts, a rating may be asked later), and it goes through the outbox: sent once. A
//! DM's reply is also shown in its staff thread, where the team follows that conversation.

use jiff::Timestamp;

use super::conversation::Conversation;
use super::effects::{Effect, SentReply};
use super::policy::Policy;
use super::step::{step, thread_name, Context, Input, Step};
use crate::markdown::literal;
use crate::model::{Author, Incoming, MessageId, Place, UserId};
use crate::responses::replies::SavedReply;
use crate::responses::Values;

/// A reply as a staff member wrote it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Reply {
    /// Its id in the transcript (a snowflake of when it was written).
    pub id: MessageId,
    pub by: UserId,
    /// Their display name: the reply is signed with it.
    pub name: String,
    pub text: String,
    /// The customer's message it answers (see [`reply_target`]).
    pub reply_to: Option<MessageId>,
}

/// The reply as the customer reads it: `text`, then the signature. In a server channel it
/// starts with the customer's mention, the one ping it carries.
pub fn signed(conv: &Conversation, name: &str, business: &str, text: &str) -> String {
    let signature = format!("\n— {name}, {business}");
    match conv.place {
        Place::Dm { .. } => format!("{text}{signature}"),
        _ => format!("<@{}> {text}{signature}", conv.customer),
    }
}

/// Why `text` cannot be sent as a reply in `conv` signed by `name`: empty, or over
/// Discord's 2,000 characters once signed (the count, and by how much to shorten it; nothing
/// is cut). `None` when it can.
pub fn refused(conv: &Conversation, name: &str, business: &str, text: &str) -> Option<String> {
    if let Some(why) = super::notes::refused("reply", text) {
        return Some(why);
    }
    let n = text.chars().count();
    let total = signed(conv, name, business, text).chars().count();
    let room = super::NOTE_LIMIT - (total - n).min(super::NOTE_LIMIT);
    (total > super::NOTE_LIMIT).then(|| {
        format!(
            "The reply is {n} characters; with your signature Discord allows {room}. Shorten it by {} and send it again (nothing was sent).",
            n - room
        )
    })
}

/// A saved reply's text for `conv`, sent by `staff`: its placeholders filled in (`{staff}`
/// is the sender; `{eta}` and `{away_note}` are empty, as a reply answers rather than
/// promises).
pub fn saved_text(
    conv: &Conversation,
    saved: &SavedReply,
    staff: &str,
    policy: &Policy,
    now: Timestamp,
) -> String {
    let mention = format!("<@{}>", conv.customer);
    let customer_name = literal(&conv.customer_name);
    let staff = literal(staff);
    let opens = policy.hours.describe_next_open(now);
    saved.render(&Values {
        customer_mention: &mention,
        customer_name: &customer_name,
        owner: &policy.owner_name,
        business: &policy.business_name,
        topic: &conv.topic,
        eta: "",
        opens: &opens,
        back: "soon",
        away_note: "",
        staff: &staff,
    })
}

/// Which customer message a reply in `conv` answers, given their latest: in a shared
/// channel, that message; in a thread or forum post, that message unless it is the one the
/// thread was opened on (it sits in the parent channel, and the thread starts on it); in a
/// DM, none (a DM needs no reference).
pub fn reply_target(conv: &Conversation, latest: Option<MessageId>) -> Option<MessageId> {
    match conv.place {
        Place::Dm { .. } => None,
        Place::Channel { thread: None, .. } if conv.thread.is_some() => {
            latest.filter(|m| *m != conv.id)
        }
        _ => latest,
    }
}

/// Sends `reply` in `conv`: what a staff message there does, plus the message itself. A
/// blocked customer's conversation gets nothing.
pub(super) fn send(conv: &Conversation, reply: &Reply, cx: &Context<'_>) -> Step {
    if conv.blocked {
        return Step::default();
    }
    let msg = Incoming {
        id: reply.id,
        place: conv.place,
        author: Author {
            id: reply.by,
            name: reply.name.clone(),
            bot: false,
            roles: Vec::new(),
        },
        content: Some(reply.text.clone()),
        reply_to: reply.reply_to,
        at: cx.now,
        tags: Vec::new(),
    };
    let mut out = step(Some(conv), Input::Staff(&msg), cx);
    let dm = matches!(conv.place, Place::Dm { .. });
    // The team follows a DM in its staff thread: what was sent from elsewhere shows there too.
    if dm && cx.policy.relay_dms {
        out.effects.push(Effect::RelayIn {
            conversation: conv.id,
            source: reply.id,
            text: format!(
                "↩️ **{}** replied to the customer:\n{}",
                literal(&reply.name),
                reply.text
            ),
            thread_name: thread_name(&format!("DM · {}", conv.customer_name), &conv.topic),
        });
    }
    out.effects.push(Effect::Reply(SentReply {
        conversation: conv.id,
        source: reply.id,
        channel: conv.channel(),
        reply_to: reply.reply_to,
        ping: (!dm).then_some(conv.customer),
        text: signed(conv, &reply.name, &cx.policy.business_name, &reply.text),
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChannelId, GuildId};

    fn conversation(place: Place) -> Conversation {
        let at = "2026-11-24T10:00:00Z".parse().expect("time");
        Conversation::new(MessageId(100), UserId(42), "bob".into(), place, at)
    }

    #[test]
    fn a_reply_is_signed_pings_only_in_a_server_and_answers_the_right_message() {
        let dm = conversation(Place::Dm {
            channel: ChannelId(5),
        });
        assert_eq!(signed(&dm, "Ana", "Maple", "Yes!"), "Yes!\n— Ana, Maple");
        assert_eq!(reply_target(&dm, Some(MessageId(120))), None);
        let mut channel = conversation(Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(10),
            thread: None,
        });
        assert_eq!(
            signed(&channel, "Ana", "Maple", "Yes!"),
            "<@42> Yes!\n— Ana, Maple"
        );
        assert_eq!(
            reply_target(&channel, Some(MessageId(120))),
            Some(MessageId(120))
        );
        // In the thread frontdesk opened on the first message, that message is outside it.
        channel.thread = Some(ChannelId(11));
        assert_eq!(reply_target(&channel, Some(MessageId(100))), None);
        assert_eq!(
            reply_target(&channel, Some(MessageId(130))),
            Some(MessageId(130))
        );
    }

    #[test]
    fn a_reply_over_the_limit_once_signed_is_refused_with_the_room_left() {
        let dm = conversation(Place::Dm {
            channel: ChannelId(5),
        });
        // "\n— Ana, Maple" is 13 characters.
        assert_eq!(refused(&dm, "Ana", "Maple", &"x".repeat(1987)), None);
        let why = refused(&dm, "Ana", "Maple", &"x".repeat(1990)).expect("refused");
        assert!(
            why.contains("1990 characters") && why.contains("allows 1987"),
            "{why}"
        );
        assert!(why.contains("Shorten it by 3"), "{why}");
        assert!(refused(&dm, "Ana", "Maple", "  ").is_some());
    }
}
