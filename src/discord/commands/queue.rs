//! `/queue`: the customers waiting for a personal reply, oldest first, a page at a time, each
//! with a jump link, who has it, and the id that `/resolve`, `/reopen`, `/snooze` and `/claim`
//! accept; `mine:true` lists only the caller's.

use jiff::Timestamp;
use serenity::all as dc;

use super::request::{get, number, Arg, CommandError};
use super::slash::{open_conversations, staff, Answer, Invocation, Slash};
use crate::core::{Conversation, Promise, State};
use crate::duration::{ago, due_words, Humane};
use crate::markdown::literal;
use crate::model::Place;

/// Lines per page: ten entries with links stay well under Discord's 2000 characters.
pub const PAGE_SIZE: usize = 10;

pub const COMMAND: Slash = Slash {
    name: "queue",
    everyone: false,
    slow: true,
    definition: Some(definition),
    run,
    picture: None,
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff(
        "queue",
        "Customers waiting for a personal reply, oldest first",
    )
    .add_option(
        Opt::new(T::Integer, "page", "Which page of the list (10 per page)").min_int_value(1),
    )
    .add_option(Opt::new(
        T::Boolean,
        "mine",
        "Only the conversations you have (claimed or assigned to you)",
    ))
}

/// The page asked for, from 1, and whether only the caller's conversations are listed.
fn options(args: &[(String, Arg)]) -> Result<(u32, bool), CommandError> {
    let page = number(
        get(args, "page"),
        1,
        1,
        i64::from(u32::MAX),
        ("queue", "page", 2),
    )?;
    let mine = matches!(get(args, "mine"), Some(Arg::Bool(true)));
    Ok((page as u32, mine))
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let (page, mine) = options(inv.args)?;
    let mut open = open_conversations(inv.desk);
    if !mine {
        return Ok(Answer::text(queue_page(&open, page, inv.now)));
    }
    open.retain(|c| {
        c.assignee
            .as_ref()
            .is_some_and(|a| a.user == inv.caller.user)
    });
    Ok(Answer::text(format!(
        "Yours only (`/queue` lists everyone's):\n{}",
        queue_page(&open, page, inv.now)
    )))
}

/// One page of the queue: the waiting customers, and on the first page the open promises
/// apart. `open` may hold any conversations. `page` counts from 1.
pub fn queue_page(open: &[Conversation], page: u32, now: Timestamp) -> String {
    let waiting = waiting_page(open, page, now);
    if page > 1 {
        return waiting;
    }
    match promised(open, now) {
        Some(promises) => format!("{waiting}\n\n{promises}"),
        None => waiting,
    }
}

/// Promises shown on the first page; `/queue`'s answer stays under Discord's 2,000
/// characters with ten waiting customers.
const PROMISES_SHOWN: usize = 5;

/// The open promises, soonest due first: who promised, how long ago, when it falls due.
fn promised(open: &[Conversation], now: Timestamp) -> Option<String> {
    let mut promised: Vec<(&Conversation, &Promise)> = open
        .iter()
        .filter_map(|c| c.promise.as_ref().map(|p| (c, p)))
        .collect();
    if promised.is_empty() {
        return None;
    }
    promised.sort_by_key(|(c, p)| (p.due, c.id));
    let mut lines = vec![format!(
        "**{} on a promise**, soonest due first",
        promised.len()
    )];
    for (c, p) in promised.iter().take(PROMISES_SHOWN) {
        let due = due_words(p.due, now);
        lines.push(format!(
            "• **{}** · {} · promised by {} {}, {due} · {} · id `{}`",
            literal(&c.customer_name),
            c.topic,
            literal(&p.by_name),
            ago(p.made_at, now),
            place(c),
            c.id
        ));
    }
    if promised.len() > PROMISES_SHOWN {
        lines.push(format!(
            "…and {} more: the web dashboard lists them all.",
            promised.len() - PROMISES_SHOWN
        ));
    }
    Some(lines.join("\n"))
}

fn waiting_page(open: &[Conversation], page: u32, now: Timestamp) -> String {
    let mut waiting: Vec<&Conversation> =
        open.iter().filter(|c| c.state == State::Waiting).collect();
    if waiting.is_empty() {
        return "✅ Nobody is waiting for a reply.".to_string();
    }
    waiting.sort_by_key(|c| (c.waiting_since.unwrap_or(c.opened_at), c.id));
    let pages = waiting.len().div_ceil(PAGE_SIZE);
    let page = page.max(1) as usize;
    if page > pages {
        return format!(
            "There is no page {page}: the queue has {} waiting, {pages} page{}. Try `/queue page:{pages}`.",
            waiting.len(),
            plural(pages)
        );
    }
    let first = (page - 1) * PAGE_SIZE;
    let mut lines = vec![format!(
        "**{} waiting**, oldest first · page {page} of {pages}",
        waiting.len()
    )];
    for (i, c) in waiting.iter().enumerate().skip(first).take(PAGE_SIZE) {
        lines.push(format!("{}. {}", i + 1, entry(c, now)));
    }
    if page < pages {
        lines.push(format!("More: `/queue page:{}`", page + 1));
    }
    lines.join("\n")
}

fn entry(c: &Conversation, now: Timestamp) -> String {
    let waited = Humane(now.duration_since(c.waiting_since.unwrap_or(c.opened_at)));
    let reminded = match c.reminders_sent {
        0 => String::new(),
        n => format!(", reminded {n}×"),
    };
    let snoozed = match c.snoozed_until.filter(|u| *u > now) {
        Some(until) => format!(", snoozed {} more", Humane(until.duration_since(now))),
        None => String::new(),
    };
    let holder = match &c.assignee {
        Some(a) => format!(" · {} has it", literal(&a.name)),
        None => String::new(),
    };
    format!(
        "**{}** · {} · waiting {waited}{reminded}{snoozed}{holder} · {} · id `{}`",
        literal(&c.customer_name),
        c.topic,
        place(c),
        c.id
    )
}

/// Where a conversation is, as a link. Staff cannot open a customer's DM with the bot, so
/// a DM gets no (dead) link.
fn place(c: &Conversation) -> String {
    match c.place {
        Place::Dm { .. } => "in a DM".to_string(),
        // Angle brackets keep Discord from unfurling every link into a preview.
        _ => format!("<{}>", c.place.jump_link(c.id)),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{args, conversation};
    use super::*;
    use crate::model::ChannelId;

    #[test]
    fn reads_the_page_from_one() {
        assert_eq!(options(&args(&[])).expect("default"), (1, false));
        assert_eq!(
            options(&args(&[("page", Arg::Int(3))])).expect("3"),
            (3, false)
        );
        assert_eq!(
            options(&args(&[("mine", Arg::Bool(true))])).expect("mine"),
            (1, true)
        );
        let e = options(&args(&[("page", Arg::Int(-1))]))
            .expect_err("-1")
            .to_string();
        assert!(e.contains("`/queue page:2`"), "{e}");
    }

    fn at(mins: i64) -> Timestamp {
        let base: Timestamp = "2026-11-24T08:00:00Z".parse().expect("time");
        base + jiff::SignedDuration::from_mins(mins)
    }

    #[test]
    fn oldest_first_with_links_and_ids() {
        let newer = conversation(2, "bob", at(30));
        let mut older = conversation(1, "alice", at(0));
        older.reminders_sent = 2;
        older.assignee = Some(crate::core::Assignee {
            user: crate::model::UserId(7),
            name: "Ana".into(),
            at: at(5),
        });
        let mut dm = conversation(3, "carol@everyone", at(45));
        dm.place = Place::Dm {
            channel: ChannelId(77),
        };
        let mut answered = conversation(4, "dave", at(10));
        answered.state = State::Answered;
        let text = queue_page(&[newer, older, dm, answered], 1, at(60));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "**3 waiting**, oldest first · page 1 of 1");
        assert_eq!(
            lines[1],
            "1. **alice** · orders · waiting 1 h, reminded 2× · Ana has it · <https://discord.com/channels/1/10/1> · id `1`"
        );
        assert!(lines[2].starts_with("2. **bob** · orders · waiting 30 min ·"));
        assert_eq!(
            lines[3],
            "3. **carol@\u{200B}everyone** · orders · waiting 15 min · in a DM · id `3`"
        );
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn long_queues_are_paginated() {
        let all: Vec<Conversation> = (1..=23)
            .map(|i| conversation(i, &format!("c{i}"), at(i as i64)))
            .collect();
        let p1 = queue_page(&all, 1, at(100));
        assert!(p1.starts_with("**23 waiting**, oldest first · page 1 of 3"));
        assert!(p1.contains("\n1. **c1** "));
        assert!(p1.ends_with("More: `/queue page:2`"));
        let p3 = queue_page(&all, 3, at(100));
        assert!(p3.contains("page 3 of 3"));
        assert!(p3.contains("\n21. **c21** ") && p3.contains("\n23. **c23** "));
        assert!(!p3.contains("More:"));
        assert!(p1.chars().count() < 2000);
        let beyond = queue_page(&all, 9, at(100));
        assert!(beyond.contains("no page 9") && beyond.contains("`/queue page:3`"));
    }

    #[test]
    fn open_promises_are_listed_apart_soonest_due_first() {
        let promise = |by: &str, made: i64, due: i64| Promise {
            by: crate::model::UserId(7),
            by_name: by.to_string(),
            words: "let me check".to_string(),
            message: Some(crate::model::MessageId(99)),
            made_at: at(made),
            due: at(due),
            reminders_sent: 0,
            next_reminder_at: Some(at(due)),
            note: None,
        };
        let waiting = conversation(1, "alice", at(0));
        let mut later = conversation(2, "bob", at(0));
        later.state = State::Answered;
        later.promise = Some(promise("Ana", 10, 300));
        let mut overdue = conversation(3, "carol", at(0));
        overdue.state = State::Answered;
        overdue.promise = Some(promise("Sam*", 0, 30));
        let text = queue_page(&[waiting, later, overdue], 1, at(60));
        let (queue, promises) = text.split_once("\n\n").expect("two parts");
        assert!(queue.starts_with("**1 waiting**"), "{queue}");
        let lines: Vec<&str> = promises.lines().collect();
        assert_eq!(lines[0], "**2 on a promise**, soonest due first");
        assert_eq!(
            lines[1],
            "• **carol** · orders · promised by Sam\\* 1 h ago, overdue 30 min · <https://discord.com/channels/1/10/3> · id `3`"
        );
        assert!(lines[2].starts_with("• **bob** · orders · promised by Ana 50 min ago, due in 4 h"));
        let alone = queue_page(&[conversation(4, "dave", at(0))], 2, at(60));
        assert!(!alone.contains("promise"), "only on the first page");
    }

    #[test]
    fn an_empty_queue_says_so() {
        assert_eq!(
            queue_page(&[], 1, at(0)),
            "✅ Nobody is waiting for a reply."
        );
    }
}
