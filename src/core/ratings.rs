//! "How did we do?": whether a resolved conversation asks its customer for a rating, and
//! what a button press on that request does. Pure: the caller passes the time.

use jiff::{SignedDuration, Timestamp};

use super::conversation::{Conversation, Rating};
use super::effects::{Effect, RatingRequest};
use super::policy::{Policy, RatingForm, RatingPolicy};
use crate::model::{Place, UserId};

/// A rating may be changed for this long after the customer first gave it, then it is
/// locked: the owner's figures stop moving, and an old request cannot be abused later.
pub const CHANGE_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// Whether resolving `conv` now asks its customer for a rating: only after a personal staff
/// reply in Discord (a "Mark answered" is not one), never twice, never for a blocked customer.
pub fn should_ask(conv: &Conversation, policy: &RatingPolicy) -> bool {
    policy.ask && !conv.blocked && conv.rating.is_none() && conv.last_staff_message.is_some()
}

/// Called as `next` becomes resolved: marks it asked and returns the request, if one is due.
pub fn ask_on_resolve(next: &mut Conversation, policy: &Policy, now: Timestamp) -> Option<Effect> {
    if !should_ask(next, &policy.ratings) {
        return None;
    }
    next.rating = Some(Rating {
        asked_at: now,
        score: None,
        answered_at: None,
    });
    let reply_to = match next.place {
        Place::Channel { thread: None, .. } if next.thread.is_none() => Some(next.id),
        _ => None,
    };
    let hint = match policy.ratings.form {
        RatingForm::FiveStars => "Tap a number: 1 = poor, 5 = great.",
        RatingForm::TwoChoices => "Did we help?",
    };
    Some(Effect::AskRating(RatingRequest {
        conversation: next.id,
        channel: next.channel(),
        reply_to,
        customer: next.customer,
        text: format!(
            "<@{}>, how did we do? {hint} It helps {}.",
            next.customer, policy.business_name
        ),
        form: policy.ratings.form,
    }))
}

/// What a press on a rating button did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rated {
    /// The customer's first answer.
    First(u8),
    /// A different answer within the change window.
    Changed { from: u8, to: u8 },
    /// The same answer again: nothing to store.
    Same(u8),
}

/// Why a press on a rating button changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingRefused {
    /// Someone other than the conversation's customer pressed it.
    NotTheCustomer,
    /// No request was ever sent for this conversation (a forged or stale button).
    NotAsked,
    /// Not a score the request offers.
    OutOfRange,
    /// The change window has passed; the rating stays as it is.
    Locked(u8),
}

/// Applies `by`'s press of `score` at `now`. Does not touch the conversation's state: a
/// rating never reopens it.
pub fn rate(
    conv: &Conversation,
    by: UserId,
    score: u8,
    now: Timestamp,
) -> Result<(Conversation, Rated), RatingRefused> {
    if by != conv.customer {
        return Err(RatingRefused::NotTheCustomer);
    }
    let Some(rating) = conv.rating else {
        return Err(RatingRefused::NotAsked);
    };
    if !(1..=5).contains(&score) {
        return Err(RatingRefused::OutOfRange);
    }
    let mut next = conv.clone();
    let outcome = match (rating.score, rating.answered_at) {
        (Some(old), Some(first)) if now.duration_since(first) >= CHANGE_WINDOW => {
            return Err(RatingRefused::Locked(old));
        }
        (Some(old), _) if old == score => Rated::Same(score),
        (Some(old), _) => Rated::Changed {
            from: old,
            to: score,
        },
        (None, _) => Rated::First(score),
    };
    next.rating = Some(Rating {
        asked_at: rating.asked_at,
        score: Some(score),
        answered_at: Some(rating.answered_at.unwrap_or(now)),
    });
    Ok((next, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChannelId, GuildId, MessageId};

    fn t(s: &str) -> Timestamp {
        format!("2026-11-23T{s}:00Z").parse().expect("time")
    }

    fn conv() -> Conversation {
        let place = Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(10),
            thread: None,
        };
        Conversation::new(MessageId(1001), UserId(42), "Ana".into(), place, t("10:00"))
    }

    #[test]
    fn only_a_conversation_with_a_staff_reply_is_asked_and_only_once() {
        let policy = RatingPolicy::default();
        let mut c = conv();
        assert!(!should_ask(&c, &policy), "no staff reply yet");
        c.last_staff_message = Some(MessageId(1002));
        assert!(should_ask(&c, &policy));
        assert!(!should_ask(
            &c,
            &RatingPolicy {
                ask: false,
                ..policy
            }
        ));
        c.blocked = true;
        assert!(!should_ask(&c, &policy), "blocked customers are not asked");
        c.blocked = false;
        c.rating = Some(Rating {
            asked_at: t("11:00"),
            score: None,
            answered_at: None,
        });
        assert!(!should_ask(&c, &policy), "asked already");
    }

    #[test]
    fn a_rating_is_changeable_for_a_day_then_locked() {
        let mut c = conv();
        c.rating = Some(Rating {
            asked_at: t("10:00"),
            score: None,
            answered_at: None,
        });
        let (c, r) = rate(&c, UserId(42), 4, t("10:05")).expect("first");
        assert_eq!(r, Rated::First(4));
        let (c, r) = rate(&c, UserId(42), 4, t("10:06")).expect("same");
        assert_eq!(r, Rated::Same(4));
        let (c, r) = rate(&c, UserId(42), 2, t("20:00")).expect("changed");
        assert_eq!(r, Rated::Changed { from: 4, to: 2 });
        assert_eq!(c.rating.and_then(|r| r.answered_at), Some(t("10:05")));
        let next_day = t("10:05") + CHANGE_WINDOW;
        assert_eq!(
            rate(&c, UserId(42), 5, next_day),
            Err(RatingRefused::Locked(2))
        );
        assert_eq!(
            rate(&c, UserId(7), 5, t("10:07")),
            Err(RatingRefused::NotTheCustomer)
        );
        assert_eq!(
            rate(&c, UserId(42), 6, t("10:07")),
            Err(RatingRefused::OutOfRange)
        );
        assert_eq!(
            rate(&conv(), UserId(42), 5, t("10:07")),
            Err(RatingRefused::NotAsked)
        );
    }
}
