//! Ratings as people see them: the customer's answer to a button press, and the ratings
//! section of `/stats` (average, count and share of 4–5, overall and per topic). Pure.

use crate::core::{Rated, RatingRefused};
use crate::desk::RatingOutcome;
use crate::stats::{Summary, Tally};

/// The ephemeral answer to a press on a rating button. None of them reopens anything.
pub fn rating_answer(outcome: RatingOutcome) -> String {
    match outcome {
        RatingOutcome::Rated(Rated::First(n) | Rated::Same(n)) => format!(
            "Thank you! You rated us {n}/5. You can change it for the next 24 hours."
        ),
        RatingOutcome::Rated(Rated::Changed { to, .. }) => {
            format!("Thanks, your rating is now {to}/5.")
        }
        RatingOutcome::Refused(RatingRefused::NotTheCustomer) => {
            "Thanks for wanting to help! Only the customer this question was for can rate this conversation.".to_string()
        }
        RatingOutcome::Refused(RatingRefused::Locked(n)) => format!(
            "Your rating ({n}/5) is final now: ratings can be changed for 24 hours. Thank you!"
        ),
        RatingOutcome::Refused(RatingRefused::NotAsked | RatingRefused::OutOfRange)
        | RatingOutcome::Unknown => "This button is not one of mine any more.".to_string(),
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

    use super::super::testing::{conversation, summary};
    use super::*;
    use crate::core::Rating;
    use crate::hours::BusinessHours;

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
