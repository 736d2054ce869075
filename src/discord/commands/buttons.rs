//! What the buttons frontdesk posts answer, ephemerally: a notice's Snooze 1 h, Mark
//! answered, I'll take it and Remind me (to staff), a rating request's scores (to the customer). Pure.

use jiff::Timestamp;

use crate::core::{Conversation, Rated, RatingRefused, State};
use crate::desk::RatingOutcome;
use crate::discord::outbound::Action;
use crate::hours::BusinessHours;
use crate::markdown::literal;
use crate::model::UserId;

/// After a notice's Snooze 1 h, Mark answered or I'll take it button pressed by `by`, given
/// the conversation after it.
pub fn button_answer(
    action: Action,
    by: UserId,
    after: &Conversation,
    hours: &BusinessHours,
    now: Timestamp,
) -> String {
    let who = literal(&after.customer_name);
    match action {
        Action::Claim => super::claim::claimed(by, after),
        Action::RemindMe => super::followup::set(after, hours, now),
        Action::SnoozeHour if after.state == State::Waiting => {
            format!("Snoozed: reminders about **{who}** pause for an hour.")
        }
        Action::SnoozeHour => {
            format!("**{who}**'s conversation is not waiting any more; nothing to snooze.")
        }
        Action::MarkAnswered | Action::Rate(_) => {
            format!("Marked answered: no more reminders about **{who}**.")
        }
    }
}

/// The ephemeral answer to a press on a rating button. None of them reopens anything.
pub fn rating_answer(outcome: RatingOutcome) -> String {
    match outcome {
        RatingOutcome::Rated(Rated::First(n) | Rated::Same(n)) => format!(
            "Thank you! You rated us {n}/5. You can change it for the next 24 hours."
        ),
        RatingOutcome::Rated(Rated::Changed { to, .. }) => {
            format!("Thanks, your rating is now {to}/5.")
        }
        RatingOutcome::Refused(RatingRefused::NotTheCustomer) => {
            "Thanks for wanting to help! Only the customer this question was for can rate this conversation.".to_string()
        }
        RatingOutcome::Refused(RatingRefused::Locked(n)) => format!(
            "Your rating ({n}/5) is final now: ratings can be changed for 24 hours. Thank you!"
        ),
        RatingOutcome::Refused(RatingRefused::NotAsked | RatingRefused::OutOfRange)
        | RatingOutcome::Unknown => "This button is not one of mine any more.".to_string(),
    }
}
