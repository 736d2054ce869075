//! A customer's page: every conversation they had (newest first, with its state, rating and
//! notes), the notes the team left on them, and whether they are blocked. Linked from each
//! of their transcripts and from the search results.

use maud::{html, Markup};

use super::pages::{count, when};
use crate::desk::CustomerFile;
use crate::hours::BusinessHours;

pub struct CustomerView<'a> {
    pub file: &'a CustomerFile,
    pub hours: &'a BusinessHours,
}

/// The page's address for `customer`.
pub fn path(customer: crate::model::UserId) -> String {
    format!("/customers/{customer}")
}

pub fn page(v: &CustomerView<'_>) -> Markup {
    let f = v.file;
    let n = f.conversations.len() as u64;
    let rated: Vec<u8> = f
        .conversations
        .iter()
        .filter_map(|c| c.rating.and_then(|r| r.score))
        .collect();
    let first = f.conversations.last().map(|c| c.opened_at);
    html! {
        section.summary aria-label="Summary" {
            ul.facts {
                li {
                    (count(n, "conversation", "conversations"))
                    @if let Some(t) = first { " since " (when(t, v.hours)) }
                }
                @if !rated.is_empty() {
                    li { "Rated " (rated.iter().map(|r| format!("{r}/5")).collect::<Vec<_>>().join(", ")) }
                }
                li { (count(f.notes.len() as u64, "note", "notes")) }
                @match &f.blocked {
                    Some(b) => li.blocked {
                        strong { "Blocked" } " since " (when(b.at, v.hours))
                        @if !b.reason.is_empty() { ": " (b.reason) }
                    },
                    None => li { "Not blocked" },
                }
                li { "Discord id " code { (f.customer) } }
            }
        }
        section aria-labelledby="conversations" {
            h2 id="conversations" { "Conversations" }
            table.list {
                caption { "Newest first" }
                thead { tr {
                    th scope="col" { "Opened" }
                    th scope="col" { "Topic" }
                    th scope="col" { "State" }
                    th scope="col" { "Rating" }
                    th scope="col" { "Notes" }
                } }
                tbody {
                    @for c in &f.conversations {
                        tr {
                            th scope="row" { a href=(format!("/conversations/{}", c.id)) { (when(c.opened_at, v.hours)) } }
                            td data-label="Topic" { (c.topic) }
                            td data-label="State" { (c.state.as_str()) }
                            td data-label="Rating" {
                                @match c.rating.and_then(|r| r.score) {
                                    Some(s) => { (s) "/5" },
                                    None => span.muted { "—" },
                                }
                            }
                            td data-label="Notes" { (c.notes) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="notes" {
            h2 id="notes" { "Notes" }
            @if f.notes.is_empty() {
                p.muted { "No notes yet. Add one on any of their conversations." }
            } @else {
                ol.transcript {
                    @for (c, m) in &f.notes {
                        li class="msg internal" {
                            div.meta {
                                span.who { (m.author_name) }
                                " " (when(m.at, v.hours))
                                " · " a href=(format!("/conversations/{}", c.id)) { (c.topic) }
                            }
                            p.text { (m.content.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}
