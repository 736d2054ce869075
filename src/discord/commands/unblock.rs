//! `/unblock user`: their next message is answered as anyone's again.

use serenity::all as dc;

use super::request::{get, user_of, CommandError};
use super::slash::{staff, Answer, Invocation, Slash};
use crate::model::UserId;

pub const COMMAND: Slash = Slash {
    name: "unblock",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff("unblock", "Unblock someone")
        .add_option(Opt::new(T::User, "user", "Who to unblock").required(true))
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let user = user_of(get(inv.args, "user"), "unblock")?;
    Ok(Answer::text(unblocked(user, inv.desk.unblock(user)?)))
}

pub fn unblocked(user: UserId, was: bool) -> String {
    if was {
        format!("✅ Unblocked <@{user}>: their next message is answered as anyone's.")
    } else {
        format!("<@{user}> was not blocked.")
    }
}
