//! The conversation page: its summary, the actions on it, its transcript (messages, internal
//! notes and what happened to it, in time order) and the box for a new internal note.

use jiff::Timestamp;
use maud::{html, Markup};

use super::pages::{count, datetime, discord_link, place_text, times, when};
use crate::core::{Conversation, State, NOTE_LIMIT};
use crate::desk::TranscriptEntry;
use crate::duration::{due_words, Humane};
use crate::hours::BusinessHours;
use crate::model::{Speaker, UserId};

/// One line of a transcript: a message, or something that happened to the conversation.
enum Entry<'a> {
    Message(&'a TranscriptEntry),
    Event(Timestamp, String),
}

impl Entry<'_> {
    fn at(&self) -> Timestamp {
        match self {
            Entry::Message(m) => m.at,
            Entry::Event(at, _) => *at,
        }
    }
}

/// The names a transcript knows: the customer's and every author's.
struct Names<'a> {
    customer: (UserId, &'a str),
    messages: &'a [TranscriptEntry],
}

impl Names<'_> {
    fn of(&self, user: UserId) -> Option<&str> {
        if user == self.customer.0 {
            return Some(self.customer.1);
        }
        self.messages
            .iter()
            .find(|m| m.author == user)
            .map(|m| m.author_name.as_str())
    }

    /// Discord's `<@id>` mentions as `@name`, for the people the transcript knows.
    fn mentions(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("<@") {
            out.push_str(&rest[..at]);
            let tail = &rest[at + 2..];
            let tail = tail.strip_prefix('!').unwrap_or(tail);
            let name = tail.find('>').and_then(|end| {
                let id = tail[..end].parse().ok()?;
                Some((self.of(UserId(id))?, end))
            });
            match name {
                Some((name, end)) => {
                    out.push('@');
                    out.push_str(name);
                    rest = &tail[end + 1..];
                }
                None => {
                    out.push_str("<@");
                    rest = &rest[at + 2..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The state changes a conversation's record keeps, as transcript lines.
/// (A snooze is in the header: the record keeps when it ends, not when it was asked for.)
fn events(c: &Conversation, names: &Names<'_>) -> Vec<Entry<'static>> {
    let mut out = vec![];
    if let (Some(at), Some(by)) = (c.first_reply_at, c.answered_by) {
        let by = names
            .of(by)
            .map_or_else(|| format!("user {by}"), str::to_string);
        out.push(Entry::Event(at, format!("First personal reply, by {by}")));
    }
    if let Some(at) = c.waiting_since.filter(|at| *at > c.opened_at) {
        out.push(Entry::Event(at, "Waiting for a reply again".into()));
    }
    for at in &c.reminded_at {
        out.push(Entry::Event(*at, "Reminder sent to the owner".into()));
    }
    if let Some(at) = c.resolved_at.filter(|_| c.state == State::Resolved) {
        out.push(Entry::Event(at, "Resolved".into()));
    }
    out
}

pub struct ConversationView<'a> {
    pub conversation: &'a Conversation,
    pub messages: &'a [TranscriptEntry],
    pub hours: &'a BusinessHours,
    pub now: Timestamp,
    pub csrf: &'a str,
    /// What an action just did, to confirm it.
    pub done: Option<&'a str>,
    /// The saved replies' names, to start a reply from.
    pub saved: &'a [String],
    /// The reply box's text: a saved reply picked, filled in for this customer.
    pub draft: &'a str,
    /// How a reply is signed (`— Sam, Maple & Thread`).
    pub signature: &'a str,
    /// The server's channel names.
    pub names: &'a crate::names::ChannelNames,
}

/// The conversation at a glance: its state as a badge, its topic and place, then a line of
/// facts in words. Only what the record holds; a fact that does not apply is left out.
fn summary(v: &ConversationView<'_>, names: &Names<'_>) -> Markup {
    let c = v.conversation;
    let open = |from, to| Humane(v.hours.open_time_between(from, to));
    let mut facts: Vec<Markup> = vec![];
    if c.state == State::Waiting {
        let since = c.waiting_since.unwrap_or(c.opened_at);
        facts.push(html! {
            "Waiting " (open(since, v.now)) " in open hours"
            span.muted { " (" (Humane(v.now.duration_since(since))) " in all)" }
        });
    }
    if let (Some(at), Some(by)) = (c.first_reply_at, c.answered_by) {
        facts.push(html! {
            "First personal reply after " (open(c.opened_at, at))
            @if let Some(name) = names.of(by) { " by " (name) }
        });
    }
    let reminders = u64::from(c.reminders_sent);
    match c.state {
        State::Waiting => facts.push(html! {
            @if reminders == 0 { "No reminder yet" }
            @else { (count(reminders, "reminder", "reminders")) " in this wait" }
        }),
        _ if reminders > 0 => {
            facts.push(html! { (count(reminders, "reminder", "reminders")) " in its last wait" })
        }
        _ => {}
    }
    if let Some(until) = c.snoozed_until.filter(|u| *u > v.now) {
        facts.push(html! { "Reminders snoozed until " (when(until, v.hours)) });
    }
    if c.times_reopened > 0 {
        facts.push(html! { "Reopened " (times(c.times_reopened)) });
    }
    if let Some(a) = &c.assignee {
        facts.push(html! {
            (a.name) " has it"
            span.muted { " (since " (when(a.at, v.hours)) ")" }
        });
    }
    if let Some(p) = &c.promise {
        facts.push(html! {
            "Promised by " (p.by_name) " " (Humane(v.now.duration_since(p.made_at))) " ago, "
            (due_words(p.due, v.now)) ": “" (p.words) "”"
        });
    }
    html! {
        section.summary aria-label="Summary" {
            p.lead {
                span class={ "badge " (c.state.as_str()) } { span.vh { "State: " } (state_word(c.state)) }
                " "
                span.topic { span.vh { "Topic: " } (c.topic) }
                " "
                span.place {
                    span.vh { "Place: " } (place_text(&c.place, v.names))
                    @if let Some(link) = discord_link(c) { " · " a href=(link) { "Open in Discord" } }
                }
            }
            ul.facts { @for f in facts { li { (f) } } }
            p.small { a href=(super::customer::path(c.customer)) { "All of " (c.customer_name) "'s conversations and notes" } }
        }
    }
}

fn state_word(s: State) -> &'static str {
    match s {
        State::Waiting => "Waiting",
        State::Answered => "Answered",
        State::Resolved => "Resolved",
    }
}

pub fn page(v: &ConversationView<'_>) -> Markup {
    let c = v.conversation;
    let names = Names {
        customer: (c.customer, &c.customer_name),
        messages: v.messages,
    };
    // Opened first, then the messages, then what followed from them: the stable sort keeps
    // that order between lines of the same second.
    let mut entries = vec![Entry::Event(c.opened_at, "Conversation opened".into())];
    entries.extend(v.messages.iter().map(Entry::Message));
    entries.extend(events(c, &names));
    entries.sort_by_key(Entry::at);
    let action = |name: &str| format!("/conversations/{}/{name}", c.id);
    let tz = v.hours.time_zone();
    let mut day = None;
    html! {
        @if let Some(done) = v.done { p.note role="status" { (done) } }
        (summary(v, &names))
        section.actions aria-labelledby="actions" {
            h2.vh id="actions" { "Actions" }
            @if c.state == State::Resolved {
                form.inline method="post" action=(action("reopen")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    button type="submit" { "Reopen" }
                }
            } @else {
                form.inline method="post" action=(action("resolve")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    button type="submit" { "Resolve" }
                }
            }
            @if c.assignee.is_some() {
                form.inline method="post" action=(action("unclaim")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    button type="submit" { "Unclaim" }
                }
            } @else {
                form.inline method="post" action=(action("claim")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    button type="submit" { "Claim" }
                }
            }
            @if c.state == State::Waiting {
                form.inline method="post" action=(action("snooze")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    label for="snooze-for" { "Snooze reminders for" }
                    span.nowrap {
                        select id="snooze-for" name="duration" {
                            option value="1h" { "1 hour" }
                            option value="4h" { "4 hours" }
                            option value="1d" { "1 day" }
                        }
                        " "
                        button type="submit" { "Snooze" }
                    }
                }
            }
        }
        section aria-labelledby="transcript" {
            h2 id="transcript" { "Transcript" }
            ol.transcript {
                @for e in &entries {
                    @let at = e.at().to_zoned(tz.clone());
                    // The date once a day, then the time only.
                    @let stamp = if day == Some(at.date()) {
                        at.strftime("%H:%M").to_string()
                    } else {
                        day = Some(at.date());
                        at.strftime("%a %d %b %Y, %H:%M").to_string()
                    };
                    @let time = html! { time datetime=(datetime(e.at())) { (stamp) } };
                    @match e {
                        Entry::Message(m) => {
                            li class=(speaker_class(m.speaker)) {
                                div.meta {
                                    span.who { (author_label(m)) }
                                    @if m.speaker == Speaker::Staff { " " span.role { "staff" } }
                                    @if m.speaker == Speaker::Note { " " span.role { "internal note" } }
                                    " " (time)
                                }
                                p.text {
                                    @match &m.content {
                                        Some(text) => (names.mentions(text)),
                                        None => span.muted { "(text withheld by Discord: no message-content intent)" },
                                    }
                                }
                            }
                        }
                        Entry::Event(_, text) => li.event { (time) " " span { (text) } },
                    }
                }
            }
        }
        (reply_box(v))
        section aria-labelledby="add-note" {
            h2 id="add-note" { "Add an internal note" }
            form method="post" action=(action("note")) {
                input type="hidden" name="csrf" value=(v.csrf);
                p.small.muted id="note-help" {
                    "Only the team sees notes: never the customer. A note is not a reply, so the reminders go on."
                }
                label.vh for="note-text" { "Note" }
                textarea id="note-text" name="text" rows="3" required
                    maxlength=(NOTE_LIMIT) aria-describedby="note-help" {}
                p { button type="submit" { "Add note" } }
            }
        }
        p.muted.small { "Conversation id " code { (c.id) } }
    }
}

/// The reply box: start from a saved reply (a plain GET that fills the box, no script),
/// edit, send as the signed-in staff member.
fn reply_box(v: &ConversationView<'_>) -> Markup {
    let c = v.conversation;
    let here = format!("/conversations/{}", c.id);
    let dm = matches!(c.place, crate::model::Place::Dm { .. });
    html! {
        section aria-labelledby="reply" {
            h2 id="reply" { "Reply to " (c.customer_name) }
            @if c.blocked {
                p.muted { (c.customer_name) " is blocked: replies are not sent." }
            } @else {
                @if !v.saved.is_empty() {
                    form.inline method="get" action=(here) {
                        label for="saved" { "Start from a saved reply" }
                        span.nowrap {
                            select id="saved" name="saved" {
                                @for name in v.saved { option value=(name) { (name) } }
                            }
                            " "
                            button type="submit" { "Use" }
                        }
                    }
                }
                form method="post" action=(format!("{here}/reply")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    p.small.muted id="reply-help" {
                        "Sent as you, signed “" (v.signature) "”"
                        @if dm { ", to their DMs." } @else { ", answering their latest message and pinging only them." }
                        " It counts as the personal reply."
                    }
                    label.vh for="reply-text" { "Reply" }
                    textarea id="reply-text" name="text" rows="5" required
                        maxlength=(NOTE_LIMIT) aria-describedby="reply-help" { (v.draft) }
                    p { button type="submit" { "Send reply" } }
                }
            }
        }
    }
}

fn speaker_class(s: Speaker) -> &'static str {
    match s {
        Speaker::Customer => "msg customer",
        Speaker::Staff => "msg staff",
        Speaker::Frontdesk => "bot",
        Speaker::Note => "msg internal",
    }
}

fn author_label(m: &TranscriptEntry) -> &str {
    match m.speaker {
        Speaker::Customer | Speaker::Staff | Speaker::Note => &m.author_name,
        Speaker::Frontdesk => "frontdesk",
    }
}
