//! `/stats [days]`: how many conversations opened in the window, how fast the first personal
//! reply came (median and p90), the share answered within the reply target, and the same per
//! topic; the customers' ratings (average, count and share of 4–5, overall and per topic);
//! the first-reply chart attached. The texts are pure: the caller passes the period's
//! [`Summary`], read from the statistics the desk keeps up to date (not from every stored
//! conversation).
//!
//! Reply times are counted in open hours, as `{eta}` counts them: a question sent on Friday
//! night and answered first thing Monday is a quick answer, not a 60-hour one.

use serenity::all as dc;

use super::request::{get, number, Arg, CommandError};
use super::slash::{staff, Answer, Chart, Invocation, Slash};
use crate::duration::Humane;
use crate::stats::{png, render, Summary, Tally};

/// `/stats` looks back at most this far.
pub const MAX_STATS_DAYS: i64 = 365;

pub const COMMAND: Slash = Slash {
    name: "stats",
    everyone: false,
    slow: true,
    definition: Some(definition),
    run,
    picture: Some(picture),
};

fn definition() -> dc::CreateCommand {
    use dc::{CommandOptionType as T, CreateCommandOption as Opt};
    staff(
        "stats",
        "Reply times: median, p90, share within the target, per topic",
    )
    .add_option(
        Opt::new(T::Integer, "days", "How many days back (default 30)")
            .min_int_value(1)
            .max_int_value(MAX_STATS_DAYS as u64),
    )
}

/// How many days back.
fn options(args: &[(String, Arg)]) -> Result<u32, CommandError> {
    let days = number(
        get(args, "days"),
        30,
        1,
        MAX_STATS_DAYS,
        ("stats", "days", 7),
    )?;
    Ok(days as u32)
}

fn run(inv: &Invocation<'_>) -> Result<Answer, CommandError> {
    let days = options(inv.args)?;
    let summary = inv.desk.stats_summary(days, inv.now);
    let mut answer = stats_text(&summary, days);
    let rated = ratings_section(&summary);
    if !rated.is_empty() {
        answer = format!("{answer}\n{rated}");
    }
    Ok(Answer::text(answer))
}

fn picture(inv: &Invocation<'_>) -> Option<Chart> {
    let days = options(inv.args).ok()?;
    chart(&inv.desk.stats_summary(days, inv.now))
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
    lines.extend(all.promises_line());
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

/// A tally's ratings as one line: average, count and share of 4–5.
fn scores_line(t: &Tally) -> String {
    let tenths = t.rating_sum * 10 / t.rated.max(1);
    format!(
        "average {}.{}/5 from {} ({}% gave 4–5)",
        tenths / 10,
        tenths % 10,
        t.rated,
        t.rated_well * 100 / t.rated.max(1)
    )
}

/// The ratings of the conversations `summary` covers; empty when none was rated, so `/stats`
/// stays as it was for a business that does not ask.
pub fn ratings_section(summary: &Summary) -> String {
    if summary.all.rated == 0 {
        return String::new();
    }
    let mut lines = vec![format!("Customer ratings: {}", scores_line(&summary.all))];
    let mut topics: Vec<&(String, Tally)> =
        summary.topics.iter().filter(|(_, t)| t.rated > 0).collect();
    topics.sort_by(|a, b| b.1.rated.cmp(&a.1.rated).then(a.0.cmp(&b.0)));
    for (topic, t) in topics {
        lines.push(format!("• {topic}: {}", scores_line(t)));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};

    use super::super::testing::{args, conversation, summary};
    use super::*;
    use crate::core::{Conversation, Rating, State};
    use crate::hours::BusinessHours;

    #[test]
    fn reads_the_days_with_thirty_by_default() {
        assert_eq!(options(&args(&[])).expect("default"), 30);
        assert_eq!(options(&args(&[("days", Arg::Int(7))])).expect("7"), 7);
        let days = options(&args(&[("days", Arg::Int(0))]))
            .expect_err("0")
            .to_string();
        assert_eq!(
            days,
            "`days` must be a whole number from 1 to 365, e.g. `/stats days:7`."
        );
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

    #[test]
    fn ratings_show_average_count_and_share_of_four_and_five_per_topic() {
        let now: Timestamp = "2026-11-24T08:00:00Z".parse().expect("time");
        let rated = |id: u64, topic: &str, score: Option<u8>| {
            let mut c = conversation(id, "ana", now - SignedDuration::from_hours(2));
            c.topic = topic.to_string();
            c.rating = Some(Rating {
                asked_at: now,
                score,
                answered_at: score.map(|_| now),
            });
            c
        };
        let hours = BusinessHours::always_open(jiff::tz::TimeZone::UTC);
        let section = |list: &[_]| ratings_section(&summary(list, 30, &hours, now));
        assert_eq!(section(&[rated(1, "orders", None)]), "");
        let all = [
            rated(1, "orders", Some(5)),
            rated(2, "orders", Some(4)),
            rated(3, "orders", Some(1)),
            rated(4, "pricing", Some(3)),
            rated(5, "pricing", None),
        ];
        let mut blocked = rated(6, "pricing", Some(1));
        blocked.blocked = true;
        let mut all = all.to_vec();
        all.push(blocked);
        assert_eq!(
            section(&all),
            "Customer ratings: average 3.2/5 from 4 (50% gave 4–5)\n\
             • orders: average 3.3/5 from 3 (66% gave 4–5)\n\
             • pricing: average 3.0/5 from 1 (0% gave 4–5)"
        );
    }
}
