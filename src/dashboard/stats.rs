//! The Stats page: first personal replies over the last 30 days, from the replies kept by
//! time (only the window is read, never every conversation).

use jiff::{SignedDuration, Timestamp};
use maud::{html, Markup};

use crate::desk::Desk;
use crate::duration::Humane;

const DAYS: i64 = 30;

pub fn page(desk: &Desk, now: Timestamp) -> Markup {
    let since = now - SignedDuration::from_hours(24 * DAYS);
    let hours = &desk.policy().hours;
    let replies = match desk.first_replies_since(since) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "stats read failed");
            return html! { p { "The figures cannot be read right now; the bot's log says why." } };
        }
    };
    let mut times: Vec<SignedDuration> = replies
        .iter()
        .map(|r| hours.open_time_between(r.opened_at, r.first_reply_at))
        .collect();
    times.sort();
    let target = desk.reply_target();
    let pick = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
    };
    let within = times.iter().filter(|t| **t <= target).count();
    html! {
        section aria-labelledby="first-reply" {
            h2 id="first-reply" { "First personal reply, last " (DAYS) " days" }
            @if times.is_empty() {
                p { "No first replies in the last " (DAYS) " days yet." }
            } @else {
                dl {
                    dt { "Answered" } dd { (times.len()) " conversation(s)" }
                    dt { "Median (open hours)" } dd { (Humane(pick(0.5).unwrap_or_default())) }
                    dt { "90th percentile" } dd { (Humane(pick(0.9).unwrap_or_default())) }
                    dt { "Within the target (" (Humane(target)) ")" }
                    dd { (within * 100 / times.len()) "%" }
                }
            }
        }
    }
}
