//! The Stats page: the last 30 days from the statistics the desk keeps up to date (never a
//! read of every conversation), as the three charts of `crate::stats::render`, inline SVG
//! with their own titles and descriptions, and the figures in a table below them.

use jiff::Timestamp;
use maud::{html, Markup, PreEscaped};

use super::pages::count;
use crate::desk::Desk;
use crate::duration::Humane;
use crate::stats::{render, Tally};

const DAYS: u32 = 30;

fn or_dash(d: Option<jiff::SignedDuration>) -> String {
    d.map_or_else(|| "–".to_string(), |d| Humane(d).to_string())
}

fn percent(t: &Tally) -> String {
    t.within_percent()
        .map_or_else(|| "–".to_string(), |p| format!("{p}%"))
}

pub fn page(desk: &Desk, now: Timestamp) -> Markup {
    let s = desk.stats_summary(DAYS, now);
    let all = &s.all;
    html! {
        p { "The last " (DAYS) " days: " (count(all.count as u64, "conversation", "conversations")) ", " (all.still_waiting) " still waiting. Reply times count open hours only; the target is " (Humane(s.target)) "." }
        @if let Some(line) = all.promises_line() { p { (line) "." } }
        @if all.count == 0 {
            p { "No conversations in this period yet." }
        } @else {
            // The charts come from the svg crate, which escapes every text it holds.
            figure { (PreEscaped(render::first_reply_chart(&s))) }
            figure { (PreEscaped(render::within_target_by_topic(&s))) }
            figure { (PreEscaped(render::busy_hours_heatmap(&s))) }
            table {
                caption { "First personal reply by topic, last " (DAYS) " days" }
                thead { tr {
                    th scope="col" { "Topic" }
                    th scope="col" { "Conversations" }
                    th scope="col" { "Median" }
                    th scope="col" { "p90" }
                    th scope="col" { "Within target" }
                } }
                tbody {
                    tr {
                        th scope="row" { "All" }
                        td { (all.count) }
                        td { (or_dash(all.median())) }
                        td { (or_dash(all.p90())) }
                        td { (percent(all)) }
                    }
                    @for (topic, t) in &s.topics {
                        tr {
                            th scope="row" { (topic) }
                            td { (t.count) }
                            td { (or_dash(t.median())) }
                            td { (or_dash(t.p90())) }
                            td { (percent(t)) }
                        }
                    }
                }
            }
        }
    }
}
