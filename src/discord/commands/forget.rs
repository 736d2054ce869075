//! `/forget user`: deletes everything frontdesk keeps of a customer who asks to be
//! forgotten, after a confirmation: the command only says what would go and offers a
//! "Forget them" button, which the handler carries out ([`confirmed`] says what was done).
//! Their conversations, messages and the team's notes on them leave the store; the
//! statistics keep their counts; a block stays.

use serenity::all as dc;

use super::request::{get, user_of, CommandError};
use super::slash::{staff, Answer, Invocation, Slash};
use crate::desk::Forgotten;
use crate::discord::outbound::Button;
use crate::model::UserId;

pub const COMMAND: Slash = Slash {
    name: "forget",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

/// The confirmation button's custom id: `fd:forget:<user>`.
const PREFIX: &str = "fd:forget:";

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff(
        "forget",
        "Delete everything kept of a customer who asks to be forgotten",
    )
    .add_option(Opt::new(T::User, "user", "The customer to forget").required(true))
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let user = user_of(get(inv.args, "user"), "forget")?;
    let kept = inv.desk.footprint(user)?;
    if kept.conversations == 0 {
        return Ok(Answer::text(format!(
            "frontdesk keeps nothing of <@{user}>: no conversation to delete."
        )));
    }
    Ok(Answer {
        text: format!(
            "This deletes everything frontdesk keeps of <@{user}>: {}. The statistics keep only their counts, and what is on Discord stays there. It cannot be undone.\nPress **Forget them** to go ahead, or dismiss this message.",
            amount(kept)
        ),
        deliver: Vec::new(),
        buttons: vec![vec![Button::Danger {
            custom_id: format!("{PREFIX}{user}"),
            label: "Forget them".to_string(),
        }]],
    })
}

/// The customer a "Forget them" button is for.
pub fn parse(custom_id: &str) -> Option<UserId> {
    custom_id
        .strip_prefix(PREFIX)?
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .map(UserId)
}

/// What staff are told once it is done; `blocked`: the customer stays blocked.
pub fn confirmed(user: UserId, gone: Forgotten, blocked: bool) -> String {
    let stays = if blocked { " They stay blocked." } else { "" };
    if gone.conversations == 0 {
        return format!("Nothing left to delete of <@{user}>.{stays}");
    }
    format!(
        "🗑️ Forgotten: {} of <@{user}> deleted. The statistics keep their counts.{stays}",
        amount(gone)
    )
}

fn amount(f: Forgotten) -> String {
    let n = |count: u64, one: &str, many: &str| {
        if count == 1 {
            format!("1 {one}")
        } else {
            format!("{count} {many}")
        }
    };
    format!(
        "{} and {} (their words, the team's replies and notes)",
        n(f.conversations, "conversation", "conversations"),
        n(f.messages, "message", "messages")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_button_names_its_customer_and_the_answer_what_went() {
        assert_eq!(parse("fd:forget:42"), Some(UserId(42)));
        assert_eq!(parse("fd:forget:0"), None);
        assert_eq!(parse("fd:claim:42"), None);
        let gone = Forgotten {
            conversations: 2,
            messages: 1,
        };
        assert_eq!(
            confirmed(UserId(42), gone, true),
            "🗑️ Forgotten: 2 conversations and 1 message (their words, the team's replies and notes) of <@42> deleted. The statistics keep their counts. They stay blocked."
        );
    }
}
