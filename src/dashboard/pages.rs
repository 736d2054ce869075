//! The dashboard's HTML, server-rendered with maud (checked at compile time, every value
//! escaped unless marked otherwise). No JavaScript: links and forms only, so it works on a
//! phone and in any browser. Accessible markup: one `h1` per page, landmarks, labelled
//! fields, tables with header cells and captions.

use jiff::Timestamp;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::core::Conversation;
use crate::duration::{due_words, Humane};
use crate::hours::BusinessHours;
use crate::model::{ChannelId, Place};
use crate::names::ChannelNames;

/// A small stylesheet, inline: one request per page, nothing to build.
const CSS: &str = r#"
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#5b5b5b;--line:#d6d6d6;--accent:#2457c5;--tint:#f3f6fc
;--wait-fg:#7a4b00;--wait-bg:#fff1d6;--ans-fg:#1d4ea8;--ans-bg:#e4eeff;--res-fg:#1e6b2f;--res-bg:#e3f4e6}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#161616;--muted:#b0b0b0;--line:#3a3a3a;--accent:#8fb0ff;--tint:#1d2330
;--wait-fg:#ffd37a;--wait-bg:#3a2c08;--ans-fg:#b3ccff;--ans-bg:#15264a;--res-fg:#9be0a8;--res-bg:#143220}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
body>header{border-bottom:1px solid var(--line);padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header nav a[aria-current=page]{font-weight:700;text-decoration:none}
main{padding:1rem;max-width:64rem}h1{font-size:1.5rem;margin:.25rem 0 .5rem}h2{font-size:1.125rem;margin:1.25rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
.alert{border:2px solid #c62828;border-radius:4px;padding:.5rem .75rem;margin:0 0 1rem}
.muted{color:var(--muted)}.small{font-size:.875rem}.note{border-left:4px solid var(--accent);padding:.25rem .75rem;margin:0 0 1rem}
.summary{border-bottom:1px solid var(--line);padding:0 0 .75rem}.lead{margin:0 0 .25rem}.topic{font-weight:600;margin-right:.25rem}
.place{color:var(--muted)}.place a,.nowrap{white-space:nowrap}.badge{display:inline-block;font-size:.8125rem;font-weight:700;letter-spacing:.02em;border-radius:999px;padding:.05rem .6rem;margin-right:.25rem;vertical-align:.05em}
.badge.waiting{color:var(--wait-fg);background:var(--wait-bg)}.badge.answered{color:var(--ans-fg);background:var(--ans-bg)}.badge.resolved{color:var(--res-fg);background:var(--res-bg)}
.facts{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0 .6rem}.facts li+li::before{content:"·";color:var(--muted);margin-right:.6rem}
.actions{margin:.75rem 0 0}
ol.transcript{list-style:none;padding:0;margin:0}ol.transcript li{margin:0 0 .5rem}
.msg{border-left:3px solid var(--line);padding:.35rem .75rem}.msg.staff{border-left-color:var(--accent);background:var(--tint)}
.msg.internal{border-left:3px dashed var(--wait-fg);background:var(--wait-bg)}textarea{font:inherit;width:100%;max-width:40rem;padding:.35rem .6rem}
.meta{display:flex;flex-wrap:wrap;gap:0 .5rem;align-items:baseline}.who{font-weight:700}.meta time,.event time{color:var(--muted);font-size:.875rem}
.role{font-size:.75rem;border:1px solid var(--line);border-radius:999px;padding:0 .45rem;color:var(--muted)}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.15rem 0 0}
.bot,.event{margin-left:1.5rem;font-size:.875rem;color:var(--muted)}.bot{padding:0 .75rem}.bot .who{font-weight:600}.bot .text{margin:0}
.event{padding:0 .75rem}.event span::before{content:"— "}
form.inline{display:inline-block;margin:0 .5rem .5rem 0}button,input,select{font:inherit;padding:.35rem .6rem}
label{margin-right:.25rem}figure{margin:1rem 0}svg{max-width:100%;height:auto}
@media (max-width:40rem){table.list thead{display:none}table.list tr{display:block;border-bottom:1px solid var(--line);padding:.5rem 0}
table.list td{display:block;border:0;padding:.1rem 0}table.list td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}
main{padding:.75rem}.place{display:block}.facts{display:block}.facts li+li::before{content:none}.bot,.event{margin-left:.75rem}}
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

/// Where a conversation is, in words: `#help`, `“Order #1042” in #questions`, a thread in
/// `#help`, or `DM`. A name frontdesk has not seen (an archived post after a restart, a
/// deleted channel) falls back to words and the id.
pub(super) fn place_text(place: &Place, names: &ChannelNames) -> String {
    let channel = |id: ChannelId| match names.get(id) {
        Some(name) => format!("#{name}"),
        None => format!("a channel no longer there ({id})"),
    };
    match *place {
        Place::Channel {
            channel: c,
            thread: Some(t),
            ..
        } => match names.get(t) {
            Some(name) => format!("thread “{name}” in {}", channel(c)),
            None => format!("a thread in {}", channel(c)),
        },
        Place::Channel { channel: c, .. } => channel(c),
        Place::Forum { forum, post, .. } => match names.get(post) {
            Some(title) => format!("“{title}” in {}", channel(forum)),
            None => format!("a post in {}", channel(forum)),
        },
        Place::Dm { .. } => "DM".to_string(),
    }
}

/// A link into Discord, when staff can open it (not a customer's DM with the bot).
pub(super) fn discord_link(c: &Conversation) -> Option<String> {
    match c.place {
        Place::Dm { .. } => None,
        _ => Some(c.place.jump_link(c.id)),
    }
}

pub struct QueueView<'a> {
    pub waiting: &'a [Conversation],
    pub names: &'a ChannelNames,
    /// Conversations with an open promise, soonest due first.
    pub promised: &'a [Conversation],
    pub hours: &'a BusinessHours,
    pub now: Timestamp,
    /// Only the signed-in person's conversations (`?mine=1`).
    pub mine: bool,
}

pub fn queue(v: &QueueView<'_>) -> Markup {
    html! {
        p {
            @if v.mine {
                "Only yours · " a href="/queue" { "Everyone's" }
            } @else {
                "Everyone's · " a href="/queue?mine=1" { "Only mine" }
            }
        }
        @if v.waiting.is_empty() {
            p { "Nobody is waiting for a reply." }
        } @else {
            table.list {
                caption { (v.waiting.len()) " waiting for a personal reply, longest first" }
                thead { tr {
                    th scope="col" { "Customer" }
                    th scope="col" { "Waiting (open hours)" }
                    th scope="col" { "Reminders" }
                    th scope="col" { "Has it" }
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
                            td data-label="Has it" {
                                @if let Some(a) = &c.assignee { (a.name) } @else { span.muted { "nobody" } }
                            }
                            td data-label="Topic" { (c.topic) }
                            td data-label="Place" { (place_text(&c.place, v.names)) }
                            td data-label="Discord" { (discord_cell(c)) }
                        }
                    }
                }
            }
        }
        @if !v.promised.is_empty() {
            table.list {
                caption { (count(v.promised.len() as u64, "promise", "promises")) " of a later answer, soonest due first" }
                thead { tr {
                    th scope="col" { "Customer" }
                    th scope="col" { "Promised by" }
                    th scope="col" { "When" }
                    th scope="col" { "Their words" }
                    th scope="col" { "Topic" }
                    th scope="col" { "Discord" }
                } }
                tbody {
                    @for c in v.promised {
                        @if let Some(p) = &c.promise {
                            tr {
                                th scope="row" { a href=(format!("/conversations/{}", c.id)) { (c.customer_name) } }
                                td data-label="Promised by" {
                                    (p.by_name)
                                    span.muted { " (" (Humane(v.now.duration_since(p.made_at))) " ago)" }
                                }
                                td data-label="When" { (due_words(p.due, v.now)) }
                                td data-label="Their words" { (p.words) }
                                td data-label="Topic" { (c.topic) }
                                td data-label="Discord" { (discord_cell(c)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn discord_cell(c: &Conversation) -> Markup {
    html! {
        @if let Some(link) = discord_link(c) { a href=(link) { "Open in Discord" } }
        @else { span.muted { "DM (reply in its staff thread)" } }
    }
}

pub(super) fn when(t: Timestamp, hours: &BusinessHours) -> String {
    t.to_zoned(hours.time_zone().clone())
        .strftime("%a %d %b %Y %H:%M")
        .to_string()
}

pub(super) fn datetime(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `n` things in words: "no reminders", "1 reminder", "3 reminders".
pub fn count(n: u64, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// How often, in words: "once", "twice", "3 times".
pub fn times(n: u32) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

pub struct SearchView<'a> {
    pub query: &'a str,
    pub resolved_only: bool,
    pub page: &'a crate::desk::SearchPage,
    /// Whether this is a later page (the search went on from an older conversation).
    pub later: bool,
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
            @if v.page.cut_short {
                p.note role="status" {
                    @if v.query.is_empty() {
                        "Looked through " (crate::desk::HEADS_BUDGET) " conversations"
                    } @else {
                        "Searched " (crate::desk::SCAN_BUDGET) " conversations"
                    }
                    @if v.later { " from where the last page stopped" } @else { ", the most recent" }
                    "; older ones were not read yet."
                }
            }
            @if v.page.results.is_empty() {
                p { "No conversation matches" @if v.page.cut_short { " so far" } "." }
            } @else {
                table.list {
                    caption {
                        (count(v.page.results.len() as u64, "conversation", "conversations")) ", newest first"
                        @if v.later { " (a later page)" }
                    }
                    thead { tr {
                        th scope="col" { "Customer" }
                        th scope="col" { "Opened" }
                        th scope="col" { "State" }
                        th scope="col" { "Topic" }
                    } }
                    tbody {
                        @for c in &v.page.results {
                            tr {
                                th scope="row" {
                                    a href=(format!("/conversations/{}", c.id)) { (c.customer_name) }
                                    " " a.small href=(super::customer::path(c.customer)) { "(customer)" }
                                }
                                td data-label="Opened" { (when(c.opened_at, v.hours)) }
                                td data-label="State" { (c.state.as_str()) }
                                td data-label="Topic" { (c.topic) }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = v.page.next {
                p { a href=(more_link(v, next)) { "Older conversations →" } }
            }
        }
    }
}

/// The next page of a search or of the resolved list: the same question, from `next` on.
fn more_link(v: &SearchView<'_>, next: crate::core::ConversationId) -> String {
    let mut link = format!("/search?before={next}");
    if !v.query.is_empty() {
        link.push_str("&q=");
        link.push_str(&percent(v.query));
    }
    if v.resolved_only {
        link.push_str("&state=resolved");
    }
    link
}

/// `text` as a URL query value.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
