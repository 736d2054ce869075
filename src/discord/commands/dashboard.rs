//! `/dashboard`: a one-time sign-in link for the web dashboard, in an answer only the caller
//! sees.

use super::request::CommandError;
use serenity::all as dc;

use super::slash::{staff, Answer, Invocation, Slash};

pub const COMMAND: Slash = Slash {
    name: "dashboard",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

/// Offered in the server and in a DM with the bot: a sign-in link is best asked for where
/// nobody else is reading, and the caller is checked for staff either way when it runs.
fn definition() -> dc::CreateCommand {
    staff(
        "dashboard",
        "A one-time sign-in link for the web dashboard, shown only to you",
    )
    .contexts(vec![
        dc::InteractionContext::Guild,
        dc::InteractionContext::BotDm,
    ])
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let desk = inv.desk;
    // The link is a credential: it goes only into this ephemeral answer, never a log.
    Ok(Answer::text(match desk.login_link(inv.caller.user, inv.caller.guild, inv.now) {
        Some(link) => format!(
            "Your sign-in link for the dashboard (works once, for the next 10 minutes; do not share it):\n<{link}>"
        ),
        None if desk.dashboard_on() => "Sorry, no sign-in link could be made just now: the bot's log says why (often the `dashboard.key` file in the data directory). Try again, or ask whoever runs the bot.".to_string(),
        None => "The web dashboard is off. Turn it on with a `[dashboard]` section in the config (see frontdesk.example.toml).".to_string(),
    }))
}
