//! `/stats [days]`: how many conversations opened in the window, how fast the first personal
//! reply came (median and p90), the share answered within the reply target, and the same per
//! topic. Pure: the caller passes the stored conversations.
//!
//! Reply times are counted in open hours, as `{eta}` counts them: a question sent on Friday
//! night and answered first thing Monday is a quick answer, not a 60-hour one.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use crate::core::eta::percentile_sorted;
use crate::core::{Conversation, State};
use crate::duration::Humane;
use crate::hours::BusinessHours;

/// What the numbers are measured against.
#[derive(Clone, Copy, Debug)]
pub struct Window<'a> {
    pub days: u32,
    pub target: SignedDuration,
    pub hours: &'a BusinessHours,
    pub now: Timestamp,
}

/// Counts for one group of conversations (all of them, or one topic).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Tally {
    count: usize,
    still_waiting: usize,
    /// First-reply times in open hours, of the answered ones.
    replies: Vec<SignedDuration>,
    /// Answered, or past the target without an answer: the ones whose outcome is known.
    decided: usize,
    within_target: usize,
}

impl Tally {
    fn add(&mut self, c: &Conversation, w: &Window<'_>) {
        self.count += 1;
        if c.state == State::Waiting {
            self.still_waiting += 1;
        }
        match c.first_reply_at {
            Some(at) => {
                let took = w.hours.open_time_between(c.opened_at, at);
                self.replies.push(took);
                self.decided += 1;
                if took <= w.target {
                    self.within_target += 1;
                }
            }
            // Not answered yet: a miss once the target has passed (whether it is still waiting
            // or was closed without a reply), undecided before that.
            None => {
                if w.hours.open_time_between(c.opened_at, w.now) > w.target {
                    self.decided += 1;
                }
            }
        }
    }

    fn median_p90(&self) -> Option<(SignedDuration, SignedDuration)> {
        if self.replies.is_empty() {
            return None;
        }
        let mut sorted = self.replies.clone();
        sorted.sort();
        Some((
            percentile_sorted(&sorted, 50),
            percentile_sorted(&sorted, 90),
        ))
    }
}

/// The `/stats` answer for conversations opened in the last `w.days` days.
pub fn stats_text(conversations: &[Conversation], w: &Window<'_>) -> String {
    let since = w
        .now
        .checked_sub(SignedDuration::from_hours(24 * i64::from(w.days)))
        .unwrap_or(Timestamp::MIN);
    let period = match w.days {
        1 => "the last day".to_string(),
        d => format!("the last {d} days"),
    };
    let mut all = Tally::default();
    let mut by_topic: BTreeMap<&str, Tally> = BTreeMap::new();
    for c in conversations
        .iter()
        .filter(|c| c.opened_at >= since && c.opened_at <= w.now)
    {
        all.add(c, w);
        let topic = if c.topic.is_empty() {
            "general"
        } else {
            &c.topic
        };
        by_topic.entry(topic).or_default().add(c, w);
    }
    if all.count == 0 {
        return format!("No conversations in {period}.");
    }
    let target = Humane(w.target);
    let mut lines = vec![format!(
        "**{}** in {period} ({} still waiting)",
        count(all.count, "conversation"),
        all.still_waiting
    )];
    lines.push(match all.median_p90() {
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
    let mut topics: Vec<(&str, Tally)> = by_topic.into_iter().collect();
    // Busiest first; ties by name so the order is stable.
    topics.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    for (topic, t) in topics {
        let reply = match t.median_p90() {
            Some((median, _)) => format!("median {}", Humane(median)),
            None => "no reply yet".to_string(),
        };
        let share = match t.decided {
            0 => String::new(),
            n => format!(", {}% within target", t.within_target * 100 / n),
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
    use super::super::testing::conversation;
    use super::*;

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
        let w = Window {
            days: 30,
            target: SignedDuration::from_hours(1),
            hours: &hours,
            now,
        };
        let text = stats_text(&list, &w);
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
        let w = Window {
            days: 1,
            target: SignedDuration::from_hours(1),
            hours: &hours,
            now: at(0),
        };
        assert_eq!(stats_text(&[], &w), "No conversations in the last day.");
        let fresh = conversation(1, "x", at(-5));
        let text = stats_text(&[fresh], &w);
        assert!(text.contains("First personal reply: none yet"), "{text}");
        assert!(text.contains("too early to tell"), "{text}");
    }
}
