//! Ratings as people see them: the customer's answer to a button press, and the ratings
//! section of `/stats` (average, count and share of 4–5, overall and per topic). Pure.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use crate::core::{Conversation, Rated, RatingRefused};
use crate::desk::RatingOutcome;

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

#[derive(Default)]
struct Scores {
    count: usize,
    sum: usize,
    good: usize,
}

impl Scores {
    fn add(&mut self, score: u8) {
        self.count += 1;
        self.sum += usize::from(score);
        if score >= 4 {
            self.good += 1;
        }
    }

    fn line(&self) -> String {
        let tenths = self.sum * 10 / self.count.max(1);
        format!(
            "average {}.{}/5 from {} ({}% gave 4–5)",
            tenths / 10,
            tenths % 10,
            self.count,
            self.good * 100 / self.count.max(1)
        )
    }
}

/// The ratings of conversations opened in the last `days` days before `now`; empty when
/// none was rated, so `/stats` stays as it was for a business that does not ask.
pub fn ratings_section(conversations: &[Conversation], days: u32, now: Timestamp) -> String {
    let since = now
        .checked_sub(SignedDuration::from_hours(24 * i64::from(days)))
        .unwrap_or(Timestamp::MIN);
    let mut all = Scores::default();
    let mut by_topic: BTreeMap<&str, Scores> = BTreeMap::new();
    for c in conversations
        .iter()
        .filter(|c| c.opened_at >= since && c.opened_at <= now)
    {
        let Some(score) = c.rating.and_then(|r| r.score) else {
            continue;
        };
        all.add(score);
        let topic = if c.topic.is_empty() {
            "general"
        } else {
            &c.topic
        };
        by_topic.entry(topic).or_default().add(score);
    }
    if all.count == 0 {
        return String::new();
    }
    let mut lines = vec![format!("Customer ratings: {}", all.line())];
    let mut topics: Vec<(&str, Scores)> = by_topic.into_iter().collect();
    topics.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    for (topic, s) in topics {
        lines.push(format!("• {topic}: {}", s.line()));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::super::testing::conversation;
    use super::*;
    use crate::core::Rating;

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
        assert_eq!(ratings_section(&[rated(1, "orders", None)], 30, now), "");
        let all = [
            rated(1, "orders", Some(5)),
            rated(2, "orders", Some(4)),
            rated(3, "orders", Some(1)),
            rated(4, "pricing", Some(3)),
            rated(5, "pricing", None),
        ];
        assert_eq!(
            ratings_section(&all, 30, now),
            "Customer ratings: average 3.2/5 from 4 (50% gave 4–5)\n\
             • orders: average 3.3/5 from 3 (66% gave 4–5)\n\
             • pricing: average 3.0/5 from 1 (0% gave 4–5)"
        );
    }
}
