//! The business's standing choices, as the core reads them: the [`Policy`] lowered once from
//! the config (hours, reminders, ratings, escalation, promises) and the owner's [`Away`] mode.

use jiff::{SignedDuration, Timestamp};

use super::reminders::ReminderSchedule;
use crate::hours::{BusinessHours, QuietHours};
use crate::model::UserId;

/// The business's standing choices, lowered from the config.
#[derive(Clone, Debug)]
pub struct Policy {
    pub business_name: String,
    pub owner_name: String,
    pub hours: BusinessHours,
    pub reminders: ReminderSchedule,
    pub auto_resolve_after: Option<SignedDuration>,
    /// Open a thread on each new conversation in a text channel.
    pub threads: bool,
    /// Sent in the conversation when it is resolved for inactivity.
    pub closing_text: String,
    /// Reminders due inside these hours (business time zone) wait until they end.
    pub quiet_hours: Option<QuietHours>,
    /// Mirror DM conversations into private staff threads and relay staff replies back
    /// (needs a staff channel).
    pub relay_dms: bool,
    /// Ask customers "How did we do?" when a conversation with a staff reply is resolved.
    pub ratings: RatingPolicy,
    /// Backup people reminded too once a customer has waited long enough.
    pub escalation: Option<Escalation>,
    /// Whether a staff reply that promises a later answer is followed up, and when.
    pub promises: PromisePolicy,
    pub claims: ClaimPolicy,
}

/// The business's choice about claimed conversations (`[claim]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimPolicy {
    /// Tell the customer who took their conversation.
    pub tell_customer: bool,
}

impl Default for ClaimPolicy {
    fn default() -> Self {
        ClaimPolicy {
            tell_customer: true,
        }
    }
}

/// The owner's away mode, set with `/away`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Away {
    pub until: Option<Timestamp>,
    pub note: String,
}

/// Which buttons a rating request shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RatingForm {
    /// Five buttons, 1 (poor) to 5 (great).
    #[default]
    FiveStars,
    /// Two buttons: "Helpful" (counted as 5) and "Not helpful" (counted as 1).
    TwoChoices,
}

impl RatingForm {
    /// The buttons as (score, label), in order.
    pub fn choices(self) -> Vec<(u8, &'static str)> {
        match self {
            RatingForm::FiveStars => vec![(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
            RatingForm::TwoChoices => vec![(5, "👍 Helpful"), (1, "👎 Not helpful")],
        }
    }
}

/// The business's choice about rating requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatingPolicy {
    pub ask: bool,
    pub form: RatingForm,
}

impl Default for RatingPolicy {
    fn default() -> Self {
        RatingPolicy {
            ask: true,
            form: RatingForm::FiveStars,
        }
    }
}

/// Who is reminded too once a customer has waited `after` (see `escalation`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    pub to: Vec<UserId>,
    pub after: SignedDuration,
}

/// `[promises]`: a staff reply that promises a later answer ("I'll get back to you") keeps the
/// conversation open on the promise, and its author is reminded when it falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PromisePolicy {
    /// `false`: staff replies are never treated as promises.
    pub enabled: bool,
    /// How long after a promise that names no day its author is reminded, in open time.
    pub remind_after: SignedDuration,
}

impl Default for PromisePolicy {
    fn default() -> Self {
        PromisePolicy {
            enabled: true,
            remind_after: SignedDuration::from_hours(24),
        }
    }
}
