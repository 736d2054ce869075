//! The weekly digest, sent to one owner by DM: last week's figures, its slowest first
//! replies, who is still waiting, and the first-reply chart as a PNG. Its figures are read
//! when it is sent; the outbox entry (queued by the desk) makes it go out once per owner.

use jiff::{SignedDuration, Timestamp};

use super::{Delivery, DeliveryError};
use crate::desk::{DigestReport, Pending};
use crate::discord::outbound::{message_body, short_hash, with_attachments, Outbound};
use crate::discord::pace::Priority;
use crate::discord::rest::FilePart;
use crate::duration::Humane;
use crate::hours::BusinessHours;
use crate::markdown::literal;
use crate::model::UserId;
use crate::responses::template::{truncate_chars, DISCORD_MESSAGE_LIMIT};
use crate::stats::{png, render};

impl Delivery {
    pub(super) async fn digest(
        &self,
        p: &Pending,
        owner: UserId,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<(), DeliveryError> {
        let now = self.clock.now();
        let report = self.desk.digest_report(since, until, now)?;
        let policy = self.desk.policy();
        let text = digest_text(&report, &policy.business_name, &policy.hours, now);
        let chart = match png::render(&render::first_reply_chart(&report.week)) {
            Ok(data) => Some(FilePart {
                filename: "first-reply.png".into(),
                content_type: "image/png",
                data,
            }),
            Err(e) => {
                // The figures stand on their own.
                tracing::error!(error = %e, "could not draw the digest's chart");
                None
            }
        };
        let description = render::first_reply_description(&report.week);
        let body = message_body(&Outbound {
            text: &text,
            ping: None,
            reply_to: None,
            nonce: format!("w{}", short_hash(p.key.as_bytes())),
            buttons: Vec::new(),
        });
        let files: Vec<FilePart> = chart.into_iter().collect();
        let body = match files.first() {
            Some(f) => with_attachments(body, &[(&f.filename, &description)]),
            None => body,
        };
        let channel = self.dm_channel(owner).await?;
        self.api
            .post_message_with_files(Priority::Soon, channel, &body, &files)
            .await?;
        Ok(())
    }
}

/// The digest's text (at most one Discord message).
fn digest_text(r: &DigestReport, business: &str, hours: &BusinessHours, now: Timestamp) -> String {
    let tz = hours.time_zone();
    let first = r.week.since.to_zoned(tz.clone()).date();
    let last = r.week.until.to_zoned(tz.clone()).date();
    let all = &r.week.all;
    let mut lines = vec![format!(
        "**Last week at {business}** ({} {} – {} {})",
        first.day(),
        month(first.month()),
        last.day(),
        month(last.month())
    )];
    lines.push(match all.count {
        0 => "No new conversations.".to_string(),
        1 => format!("**1 conversation** ({} still waiting)", all.still_waiting),
        n => format!(
            "**{n} conversations** ({} still waiting)",
            all.still_waiting
        ),
    });
    if all.count > 0 {
        lines.push(match all.median().zip(all.p90()) {
            Some((m, p)) => format!(
                "First personal reply (open hours): median {}, p90 {}",
                Humane(m),
                Humane(p)
            ),
            None => "First personal reply: none yet".to_string(),
        });
        let target = Humane(r.week.target);
        lines.push(match all.within_percent() {
            Some(p) => format!(
                "Answered within the {target} target: {} of {} ({p}%)",
                all.within_target, all.decided
            ),
            None => format!("Answered within the {target} target: too early to tell"),
        });
        lines.extend(all.promises_line());
    }
    if !r.slowest.is_empty() {
        lines.push("Slowest first replies:".to_string());
        for (c, took) in &r.slowest {
            lines.push(format!(
                "• {} — {} · {}",
                literal(&c.customer_name),
                Humane(*took),
                c.place.jump_link(c.id)
            ));
        }
    }
    match r.waiting_total {
        0 => lines.push("Nobody is waiting now.".to_string()),
        n => {
            lines.push(format!("Still waiting now: {n}"));
            for c in &r.waiting {
                let since = c.waiting_since.unwrap_or(c.opened_at);
                let waited = now.duration_since(since).max(SignedDuration::ZERO);
                lines.push(format!(
                    "• {}, for {} · {}",
                    literal(&c.customer_name),
                    Humane(waited),
                    c.place.jump_link(c.id)
                ));
            }
            if n > r.waiting.len() {
                lines.push(format!("…and {} more (see /queue)", n - r.waiting.len()));
            }
        }
    }
    truncate_chars(lines.join("\n"), DISCORD_MESSAGE_LIMIT)
}

fn month(m: i8) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS[usize::try_from(m - 1).unwrap_or(0).min(11)]
}

#[cfg(test)]
mod tests {
    use jiff::tz::TimeZone;

    use super::*;
    use crate::core::{Conversation, State};
    use crate::markdown::render::{assert_adds_no_markup, hostile};
    use crate::model::{ChannelId, GuildId, MessageId, Place};
    use crate::stats::{Aggregate, Entry, Summary, Window};

    fn at(text: &str) -> Timestamp {
        text.parse().expect("time")
    }

    fn conversation(id: u64, name: &str, opened: &str, reply_mins: Option<i64>) -> Conversation {
        let place = Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(10),
            thread: None,
        };
        let opened = at(opened);
        let mut c = Conversation::new(MessageId(id), UserId(id), name.into(), place, opened);
        c.waiting_since = Some(opened);
        if let Some(m) = reply_mins {
            c.state = State::Answered;
            c.waiting_since = None;
            c.first_reply_at = Some(opened + SignedDuration::from_mins(m));
        }
        c
    }

    /// Last week's digest text for customers named `names` (two answered, one waiting).
    fn digest_for(names: [&str; 3]) -> String {
        let hours = BusinessHours::always_open(TimeZone::UTC);
        let list = [
            conversation(1, names[0], "2026-11-30T09:00:00Z", Some(20)),
            conversation(2, names[1], "2026-12-01T09:00:00Z", Some(90)),
            conversation(3, names[2], "2026-12-04T16:00:00Z", None),
        ];
        let mut agg = Aggregate::default();
        for c in &list {
            agg.replace(None, &Entry::of(c, &hours));
        }
        let now = at("2026-12-07T09:00:00Z");
        let w = Window {
            since: at("2026-11-30T00:00:00Z"),
            until: at("2026-12-06T23:59:59Z"),
            target: SignedDuration::from_hours(1),
            hours: &hours,
            now,
        };
        let report = DigestReport {
            week: Summary::compute(&agg, &w),
            slowest: vec![
                (list[1].clone(), SignedDuration::from_mins(90)),
                (list[0].clone(), SignedDuration::from_mins(20)),
            ],
            waiting: vec![list[2].clone()],
            waiting_total: 1,
        };
        digest_text(&report, "Bench & Co", &hours, now)
    }

    #[test]
    fn the_digest_names_the_slowest_and_the_waiting() {
        let text = digest_for(["ann", "bob", "cy"]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "**Last week at Bench & Co** (30 Nov – 6 Dec)");
        assert_eq!(lines[1], "**3 conversations** (1 still waiting)");
        assert_eq!(
            lines[2],
            "First personal reply (open hours): median 20 min, p90 1 h 30 min"
        );
        assert_eq!(lines[3], "Answered within the 1 h target: 1 of 3 (33%)");
        assert_eq!(lines[4], "Slowest first replies:");
        assert!(
            lines[5].starts_with("• bob — 1 h 30 min · https://discord.com/channels/1/10/2"),
            "{text}"
        );
        assert_eq!(lines[7], "Still waiting now: 1");
        assert!(lines[8].starts_with("• cy, for 2 d 17 h"), "{text}");
    }

    proptest::proptest! {
        #[test]
        fn the_digest_renders_none_of_the_customers_markup(name in hostile()) {
            assert_adds_no_markup(
                &digest_for([&name, &name, &name]),
                &digest_for(["ann", "bob", "cy"]),
            );
        }
    }
}
