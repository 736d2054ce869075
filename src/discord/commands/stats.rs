//! `/stats [days]`: how many conversations opened in the window, how fast the first personal
//! reply came (median and p90), the share answered within the reply target, and the same per
//! topic. Pure: the caller passes the period's [`Summary`], read from the statistics the
//! desk keeps up to date (not from every stored conversation).
//!
//! Reply times are counted in open hours, as `{eta}` counts them: a question sent on Friday
//! night and answered first thing Monday is a quick answer, not a 60-hour one.

use crate::duration::Humane;
use crate::stats::{png, render, Summary};

/// The first-reply chart as a PNG, for Discord.
#[derive(Clone, Debug)]
pub struct Chart {
    pub png: Vec<u8>,
    pub filename: &'static str,
    /// Alt text: what the chart shows, in words.
    pub description: String,
}

/// The chart that goes with `/stats`: `None` when there is nothing to draw, or (logged) when
/// drawing failed, as the text figures stand on their own.
pub fn chart(s: &Summary) -> Option<Chart> {
    if s.all.count == 0 {
        return None;
    }
    match png::render(&render::first_reply_chart(s)) {
        Ok(png) => Some(Chart {
            png,
            filename: "first-reply.png",
            description: render::first_reply_description(s),
        }),
        Err(e) => {
            tracing::error!(error = %e, "could not draw the /stats chart");
            None
        }
    }
}

/// The `/stats` answer for the conversations `s` counts, opened in the last `days` days.
pub fn stats_text(s: &Summary, days: u32) -> String {
    let period = match days {
        1 => "the last day".to_string(),
        d => format!("the last {d} days"),
    };
    let all = &s.all;
    if all.count == 0 {
        return format!("No conversations in {period}.");
    }
    let target = Humane(s.target);
    let mut lines = vec![format!(
        "**{}** in {period} ({} still waiting)",
        count(all.count, "conversation"),
        all.still_waiting
    )];
    lines.push(match all.median().zip(all.p90()) {
        Some((median, p90)) => format!(
            "First personal reply (open hours): median {}, p90 {}",
            Humane(median),
            Humane(p90)
        ),
        None => "First personal reply: none yet".to_string(),
    });
    lines.push(match all.decided {
        0 => format!("Answered within the {target} target: too early to tell"),
        n => format!(
            "Answered within the {target} target: {} of {n} ({}%)",
            all.within_target,
            all.within_target * 100 / n
        ),
    });
    lines.push("By topic:".to_string());
    for (topic, t) in &s.topics {
        let reply = match t.median() {
            Some(median) => format!("median {}", Humane(median)),
            None => "no reply yet".to_string(),
        };
        let share = match t.within_percent() {
            None => String::new(),
            Some(p) => format!(", {p}% within target"),
        };
        lines.push(format!("• {topic}: {}, {reply}{share}", t.count));
    }
    lines.join("\n")
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};

    use super::super::testing::conversation;
    use super::*;
    use crate::core::{Conversation, State};
    use crate::hours::BusinessHours;
    use crate::stats::{Aggregate, Entry, Window};

    /// The summary of `list` as the desk's statistics hold it.
    fn summary(list: &[Conversation], days: u32, hours: &BusinessHours, now: Timestamp) -> Summary {
        let mut agg = Aggregate::default();
        for c in list {
            agg.replace(None, &Entry::of(c, hours));
        }
        let w = Window::last_days(days, SignedDuration::from_hours(1), hours, now);
        Summary::compute(&agg, &w)
    }

    fn at(mins: i64) -> Timestamp {
        let base: Timestamp = "2026-11-24T08:00:00Z".parse().expect("time");
        base + SignedDuration::from_mins(mins)
    }

    fn answered(id: u64, topic: &str, opened: i64, reply_after: i64) -> Conversation {
        let mut c = conversation(id, "x", at(opened));
        c.topic = topic.to_string();
        c.state = State::Answered;
        c.waiting_since = None;
        c.first_reply_at = Some(at(opened + reply_after));
        c
    }

    #[test]
    fn counts_median_p90_target_share_and_topics() {
        let hours = BusinessHours::always_open(jiff::tz::TimeZone::UTC);
        let now = at(24 * 60);
        let mut list = vec![
            answered(1, "orders", 0, 10),
            answered(2, "orders", 10, 20),
            answered(3, "returns", 20, 30),
            answered(4, "orders", 30, 90),
            answered(5, "returns", 40, 240),
        ];
        // Waiting past the target: a miss. Waiting for 5 minutes: not decided yet.
        let mut late = conversation(6, "x", at(60));
        late.topic = "pricing".into();
        let mut fresh = conversation(7, "x", now - SignedDuration::from_mins(5));
        fresh.topic = "pricing".into();
        // Opened before the window: not counted.
        let old = answered(8, "orders", -40 * 24 * 60, 5);
        list.extend([late, fresh, old]);
        let text = stats_text(&summary(&list, 30, &hours, now), 30);
        assert_eq!(
            text,
            "**7 conversations** in the last 30 days (2 still waiting)\n\
             First personal reply (open hours): median 30 min, p90 4 h\n\
             Answered within the 1 h target: 3 of 6 (50%)\n\
             By topic:\n\
             • orders: 3, median 20 min, 66% within target\n\
             • pricing: 2, no reply yet, 0% within target\n\
             • returns: 2, median 30 min, 50% within target"
        );
    }

    #[test]
    fn an_empty_window_and_an_undecided_one() {
        let hours = BusinessHours::always_open(jiff::tz::TimeZone::UTC);
        let empty = summary(&[], 1, &hours, at(0));
        assert_eq!(stats_text(&empty, 1), "No conversations in the last day.");
        let fresh = conversation(1, "x", at(-5));
        let text = stats_text(&summary(&[fresh], 1, &hours, at(0)), 1);
        assert!(text.contains("First personal reply: none yet"), "{text}");
        assert!(text.contains("too early to tell"), "{text}");
    }
}
