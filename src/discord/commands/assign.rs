//! `/assign user [conversation]`: staff give a conversation to someone on staff (or move it
//! from whoever had it); the customer is told, as for a claim. Someone who is not on staff is
//! refused, saying why: only the team answers customers.

use serenity::all as dc;

use super::request::{get, target, user_of, Arg, CommandError};
use super::slash::{apply, conversation_option, find, staff, whose, Answer, Invocation, Slash};
use crate::core::{Command, Conversation, Staff};
use crate::markdown::literal;
use crate::model::UserId;

pub const COMMAND: Slash = Slash {
    name: "assign",
    everyone: false,
    slow: false,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    // Discord lists required options first.
    staff(
        "assign",
        "Give a conversation to someone on the team: its reminders go to them",
    )
    .add_option(Opt::new(T::User, "user", "Who takes it (someone on the team)").required(true))
    .add_option(conversation_option())
}

/// Who is to have it, and the name the customer is told; refused unless they are on staff.
fn assignee(arg: Option<&Arg>, staff: &Staff) -> Result<(UserId, String), CommandError> {
    let (user, name, roles, bot) = match arg {
        Some(Arg::Member(m)) => (UserId(m.id), m.name.clone(), m.roles.as_slice(), m.bot),
        // Not resolved as a member of this server: only an owner or backup (by id) counts.
        other => {
            let user = user_of(other, "assign")?;
            (user, format!("<@{user}>"), &[][..], false)
        }
    };
    if bot || !staff.includes(user, roles) {
        return Err(CommandError::NotOnStaff { user });
    }
    Ok((user, name))
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let (to, name) = assignee(get(inv.args, "user"), inv.desk.staff())?;
    let conv = find(inv.desk, target(inv.args, inv.caller.channel)?, "assign")?;
    let cmd = Command::Assign {
        by: inv.caller.user,
        to,
        name,
    };
    let (after, deliver) = apply(inv.desk, &conv, cmd, inv.now)?;
    Ok(Answer {
        buttons: Vec::new(),
        text: assigned(&after),
        deliver,
    })
}

/// What staff are told after it, given the conversation after it.
pub fn assigned(after: &Conversation) -> String {
    match &after.assignee {
        Some(a) => format!(
            "✋ **{}** has {} now; its reminders go to them.",
            literal(&a.name),
            whose(after)
        ),
        None => format!("Nobody has {}.", whose(after)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::request::Picked;
    use super::*;
    use crate::model::RoleId;

    #[test]
    fn only_someone_on_staff_can_be_given_a_conversation() {
        let staff = Staff {
            owners: vec![UserId(1)],
            roles: vec![RoleId(20)],
            backups: Vec::new(),
        };
        let member = |id, roles: Vec<u64>, bot| {
            Arg::Member(Picked {
                id,
                name: "Ana".into(),
                roles: roles.into_iter().map(RoleId).collect(),
                bot,
            })
        };
        let (user, name) = assignee(Some(&member(5, vec![20], false)), &staff).expect("staff");
        assert_eq!((user, name.as_str()), (UserId(5), "Ana"));
        assert!(
            assignee(Some(&Arg::User(1)), &staff).is_ok(),
            "an owner by id"
        );
        let refused = assignee(Some(&member(6, vec![21], false)), &staff)
            .expect_err("not staff")
            .to_string();
        assert!(refused.contains("<@6> isn't on the team"), "{refused}");
        assert!(
            assignee(Some(&member(7, vec![20], true)), &staff).is_err(),
            "a bot"
        );
        assert!(assignee(None, &staff).is_err(), "nobody picked");
    }
}
