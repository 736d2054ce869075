//! The dashboard's HTML, server-rendered with maud (checked at compile time, every value
//! escaped unless marked otherwise). No JavaScript: links and forms only, so it works on a
//! phone and in any browser. Accessible markup: one `h1` per page, landmarks, labelled
//! fields, tables with header cells and captions.

use jiff::Timestamp;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::core::{Conversation, State};
use crate::desk::TranscriptEntry;
use crate::duration::Humane;
use crate::hours::BusinessHours;
use crate::model::{Place, Speaker};

/// A small stylesheet, inline: one request per page, nothing to build.
const CSS: &str = r#"
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#5b5b5b;--line:#d6d6d6;--accent:#2457c5}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#161616;--muted:#b0b0b0;--line:#3a3a3a;--accent:#8fb0ff}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px}
header{border-bottom:1px solid var(--line);padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header nav a[aria-current=page]{font-weight:700;text-decoration:none}
main{padding:1rem;max-width:64rem}h1{font-size:1.5rem;margin:.25rem 0 1rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
.alert{border:2px solid #c62828;border-radius:4px;padding:.5rem .75rem;margin:0 0 1rem}
.muted{color:var(--muted)}.note{border-left:4px solid var(--accent);padding:.25rem .75rem;margin:0 0 1rem}
ol.transcript{list-style:none;padding:0}ol.transcript li{border-bottom:1px solid var(--line);padding:.5rem 0}
.who{font-weight:700}.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.25rem 0 0}.event{color:var(--muted);font-style:italic}
form.inline{display:inline-block;margin:0 .5rem .5rem 0}button,input,select{font:inherit;padding:.35rem .6rem}
label{margin-right:.25rem}figure{margin:1rem 0}svg{max-width:100%;height:auto}
@media (max-width:40rem){table.list thead{display:none}table.list tr{display:block;border-bottom:1px solid var(--line);padding:.5rem 0}
table.list td{display:block;border:0;padding:.1rem 0}table.list td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}}
"#;

/// Which page the navigation marks as the current one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Queue,
    Search,
    Stats,
    Export,
    None,
}

/// The frame of every page. `signed_in` adds the navigation and the sign-out button.
pub fn layout(
    business: &str,
    title: &str,
    tab: Tab,
    signed_in: Option<&str>,
    body: Markup,
) -> Markup {
    let item = |t: Tab, href: &str, label: &str| {
        html! { li { a href=(href) aria-current=[(t == tab).then_some("page")] { (label) } } }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · " (business) }
                style { (PreEscaped(CSS)) }
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header {
                    strong { (business) " · front desk" }
                    @if let Some(csrf) = signed_in {
                        nav aria-label="Dashboard" {
                            ul {
                                (item(Tab::Queue, "/queue", "Queue"))
                                (item(Tab::Search, "/search", "Search"))
                                (item(Tab::Stats, "/stats", "Stats"))
                                (item(Tab::Export, "/export", "Export"))
                            }
                        }
                        form.inline method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main id="main" { h1 { (title) } (body) }
            }
        }
    }
}

/// A warning at the top of every page while the database cannot write: the owner sees it
/// where they look, not only in a log.
pub fn health_banner(health: &crate::desk::Health) -> Markup {
    let crate::desk::Health::Failing { since, error } = health else {
        return html! {};
    };
    html! {
        div.alert role="alert" {
            strong { "The bot cannot write its database." }
            " Since " (since.strftime("%Y-%m-%d %H:%M UTC")) ": " (error) ". "
            "New messages are not being stored; once it writes again (after a restart), the bot reads them from Discord and answers them. "
            "Fix: " (health.fix().unwrap_or_default()) "."
        }
    }
}

/// A page that only says something (sign-in problems, refusals).
pub fn message(business: &str, title: &str, text: &str) -> Markup {
    layout(business, title, Tab::None, None, html! { p { (text) } })
}

/// The page a login link opens: one button, so that link previews and scanners, which
/// only fetch the page, do not use up the link.
pub fn login(business: &str, token: &str) -> Markup {
    let body = html! {
        p { "This link signs you in to the front desk on this browser. It works once." }
        form method="post" action="/login" {
            input type="hidden" name="t" value=(token);
            button type="submit" { "Sign in" }
        }
    };
    layout(business, "Sign in", Tab::None, None, body)
}

fn place_text(place: &Place) -> String {
    match place {
        Place::Channel {
            channel,
            thread: Some(t),
            ..
        } => format!("thread {t} in channel {channel}"),
        Place::Channel { channel, .. } => format!("channel {channel}"),
        Place::Forum { forum, .. } => format!("forum {forum}"),
        Place::Dm { .. } => "direct message".to_string(),
    }
}

/// A link into Discord, when staff can open it (not a customer's DM with the bot).
fn discord_link(c: &Conversation) -> Option<String> {
    match c.place {
        Place::Dm { .. } => None,
        _ => Some(c.place.jump_link(c.id)),
    }
}

pub struct QueueView<'a> {
    pub waiting: &'a [Conversation],
    pub hours: &'a BusinessHours,
    pub now: Timestamp,
}

pub fn queue(v: &QueueView<'_>) -> Markup {
    html! {
        @if v.waiting.is_empty() {
            p { "Nobody is waiting for a reply." }
        } @else {
            table.list {
                caption { (v.waiting.len()) " waiting for a personal reply, longest first" }
                thead { tr {
                    th scope="col" { "Customer" }
                    th scope="col" { "Waiting (open hours)" }
                    th scope="col" { "Reminders" }
                    th scope="col" { "Topic" }
                    th scope="col" { "Place" }
                    th scope="col" { "Discord" }
                } }
                tbody {
                    @for c in v.waiting {
                        @let since = c.waiting_since.unwrap_or(c.opened_at);
                        tr {
                            th scope="row" { a href=(format!("/conversations/{}", c.id)) { (c.customer_name) } }
                            td data-label="Waiting" {
                                (Humane(v.hours.open_time_between(since, v.now)))
                                span.muted { " (" (Humane(v.now.duration_since(since))) " in all)" }
                            }
                            td data-label="Reminders" { (c.reminders_sent) }
                            td data-label="Topic" { (c.topic) }
                            td data-label="Place" { (place_text(&c.place)) }
                            td data-label="Discord" {
                                @if let Some(link) = discord_link(c) { a href=(link) { "Open in Discord" } }
                                @else { span.muted { "DM (reply in its staff thread)" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn when(t: Timestamp, hours: &BusinessHours) -> String {
    t.to_zoned(hours.time_zone().clone())
        .strftime("%a %d %b %Y %H:%M")
        .to_string()
}

fn datetime(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

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

/// The state changes a conversation's record keeps, as transcript lines.
fn events(c: &Conversation, now: Timestamp) -> Vec<Entry<'static>> {
    let mut out = vec![Entry::Event(c.opened_at, "Conversation opened".into())];
    if let (Some(at), Some(by)) = (c.first_reply_at, c.answered_by) {
        out.push(Entry::Event(
            at,
            format!("First personal reply (by user {by})"),
        ));
    }
    if let Some(at) = c.waiting_since.filter(|at| *at > c.opened_at) {
        out.push(Entry::Event(at, "Waiting for a reply again".into()));
    }
    for at in &c.reminded_at {
        out.push(Entry::Event(*at, "Reminder sent to the owner".into()));
    }
    if let Some(until) = c.snoozed_until.filter(|u| *u > now) {
        out.push(Entry::Event(
            now,
            format!("Reminders snoozed until {}", datetime(until)),
        ));
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
}

pub fn conversation(v: &ConversationView<'_>) -> Markup {
    let c = v.conversation;
    let mut entries: Vec<Entry<'_>> = v.messages.iter().map(Entry::Message).collect();
    entries.extend(events(c, v.now));
    entries.sort_by_key(Entry::at);
    let action = |name: &str| format!("/conversations/{}/{name}", c.id);
    html! {
        @if let Some(done) = v.done { p.note role="status" { (done) } }
        dl {
            dt { "State" } dd { (c.state.as_str()) }
            dt { "Topic" } dd { (c.topic) }
            dt { "Place" } dd {
                (place_text(&c.place))
                @if let Some(link) = discord_link(c) { " · " a href=(link) { "Open in Discord" } }
            }
            dt { "Reminders sent in this wait" } dd { (c.reminders_sent) }
            dt { "Reopened" } dd { (c.times_reopened) " time(s)" }
            dt { "Id" } dd { code { (c.id) } }
        }
        section aria-labelledby="actions" {
            h2 id="actions" { "Actions" }
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
            @if c.state == State::Waiting {
                form.inline method="post" action=(action("snooze")) {
                    input type="hidden" name="csrf" value=(v.csrf);
                    label for="snooze-for" { "Snooze reminders for" }
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
        section aria-labelledby="transcript" {
            h2 id="transcript" { "Transcript" }
            ol.transcript {
                @for e in &entries {
                    li {
                        time datetime=(datetime(e.at())) { (when(e.at(), v.hours)) }
                        " · "
                        @match e {
                            Entry::Message(m) => {
                                span.who { (speaker(m)) }
                                p.text {
                                    @match &m.content {
                                        Some(text) => (text),
                                        None => span.muted { "(text withheld by Discord: no message-content intent)" },
                                    }
                                }
                            }
                            Entry::Event(_, text) => span.event { (text) },
                        }
                    }
                }
            }
        }
    }
}

fn speaker(m: &TranscriptEntry) -> String {
    match m.speaker {
        Speaker::Customer => m.author_name.clone(),
        Speaker::Staff => format!("{} (staff)", m.author_name),
        Speaker::Frontdesk => "frontdesk".to_string(),
    }
}

pub struct SearchView<'a> {
    pub query: &'a str,
    pub resolved_only: bool,
    pub results: &'a [Conversation],
    pub limit: usize,
    pub hours: &'a BusinessHours,
}

pub fn search(v: &SearchView<'_>) -> Markup {
    let asked = !v.query.is_empty() || v.resolved_only;
    html! {
        form method="get" action="/search" role="search" {
            label for="q" { "Customer name or text" }
            input id="q" type="search" name="q" value=(v.query);
            " "
            input id="resolved" type="checkbox" name="state" value="resolved" checked[v.resolved_only];
            label for="resolved" { "Resolved only" }
            " "
            button type="submit" { "Search" }
        }
        p { a href="/search?state=resolved" { "List resolved conversations" } }
        @if asked {
            @if v.results.is_empty() {
                p { "No conversation matches." }
            } @else {
                table.list {
                    caption {
                        (v.results.len()) " conversation(s), newest first"
                        @if v.results.len() >= v.limit { " (the first " (v.limit) ")" }
                    }
                    thead { tr {
                        th scope="col" { "Customer" }
                        th scope="col" { "Opened" }
                        th scope="col" { "State" }
                        th scope="col" { "Topic" }
                    } }
                    tbody {
                        @for c in v.results {
                            tr {
                                th scope="row" { a href=(format!("/conversations/{}", c.id)) { (c.customer_name) } }
                                td data-label="Opened" { (when(c.opened_at, v.hours)) }
                                td data-label="State" { (c.state.as_str()) }
                                td data-label="Topic" { (c.topic) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn export() -> Markup {
    html! {
        p { "Every conversation with its messages, as " code { "frontdesk export" } " writes it. The bot keeps running." }
        ul {
            li { a href="/export.csv" download { "CSV (one row per conversation)" } }
            li { a href="/export.jsonl" download { "JSON lines (with the messages)" } }
        }
    }
}
