//! What the statistics say about a period: counts, first-reply times (median, p90), the share
//! answered within the reply target, the same per topic and per day, and the busiest hours
//! of the week. Computed from the [`Aggregate`]'s rows of the days in the period only.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::aggregate::{day_date, day_number, Aggregate, Row};
use crate::core::eta::percentile_sorted;
use crate::core::ConversationId;
use crate::hours::BusinessHours;

/// The period measured and what it is measured against.
#[derive(Clone, Copy, Debug)]
pub struct Window<'a> {
    /// Conversations opened at or after this instant…
    pub since: Timestamp,
    /// …and at or before this one.
    pub until: Timestamp,
    pub target: SignedDuration,
    pub hours: &'a BusinessHours,
    /// When an unanswered conversation's outcome is judged (past the target or not yet).
    pub now: Timestamp,
}

impl<'a> Window<'a> {
    /// The last `days` days up to `now`, as `/stats` counts them.
    pub fn last_days(
        days: u32,
        target: SignedDuration,
        hours: &'a BusinessHours,
        now: Timestamp,
    ) -> Window<'a> {
        let since = now
            .checked_sub(SignedDuration::from_hours(24 * i64::from(days)))
            .unwrap_or(Timestamp::MIN);
        Window {
            since,
            until: now,
            target,
            hours,
            now,
        }
    }
}

/// Counts for one group of conversations (all of them, one topic, one day).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: usize,
    pub still_waiting: usize,
    /// First-reply times in open hours of the answered ones, sorted.
    pub replies: Vec<SignedDuration>,
    /// Answered, or past the target without an answer: the ones whose outcome is known.
    pub decided: usize,
    pub within_target: usize,
    /// Customer ratings: how many, their sum, and how many were 4 or 5.
    pub rated: usize,
    pub rating_sum: usize,
    pub rated_well: usize,
    /// Staff promises of a later answer kept on time and late (counted in `Summary::all`
    /// only).
    pub promises_on_time: usize,
    pub promises_late: usize,
}

impl Tally {
    fn add(&mut self, row: &Row, target: SignedDuration, decided_unanswered: bool) {
        self.count += 1;
        if row.waiting() {
            self.still_waiting += 1;
        }
        match row.reply() {
            Some(took) => {
                self.replies.push(took);
                self.decided += 1;
                if took <= target {
                    self.within_target += 1;
                }
            }
            None if decided_unanswered => self.decided += 1,
            None => {}
        }
        if let Some(score) = row.rating() {
            self.rated += 1;
            self.rating_sum += usize::from(score);
            if score >= 4 {
                self.rated_well += 1;
            }
        }
    }

    fn finish(&mut self) {
        self.replies.sort_unstable();
    }

    pub fn median(&self) -> Option<SignedDuration> {
        (!self.replies.is_empty()).then(|| percentile_sorted(&self.replies, 50))
    }

    pub fn p90(&self) -> Option<SignedDuration> {
        (!self.replies.is_empty()).then(|| percentile_sorted(&self.replies, 90))
    }

    /// Promises kept, and how many on time, as one line; `None` when none was kept, so a
    /// business whose staff never promise sees nothing new.
    pub fn promises_line(&self) -> Option<String> {
        let kept = self.promises_on_time + self.promises_late;
        (kept > 0).then(|| {
            format!(
                "Promises of a later answer kept: {kept}, {} on time ({}%)",
                self.promises_on_time,
                self.promises_on_time * 100 / kept
            )
        })
    }

    /// The share answered within the target, in whole percent; `None` before any is decided.
    pub fn within_percent(&self) -> Option<usize> {
        (self.decided > 0).then(|| self.within_target * 100 / self.decided)
    }
}

/// One business day of the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayPoint {
    pub date: Date,
    pub tally: Tally,
}

/// Everything `/stats`, the charts and the digest show about one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub since: Timestamp,
    pub until: Timestamp,
    pub target: SignedDuration,
    pub all: Tally,
    /// By topic ("general" for none), busiest first, ties by name.
    pub topics: Vec<(String, Tally)>,
    /// Every business day of the period, oldest first (days without conversations too).
    pub days: Vec<DayPoint>,
    /// Conversations opened per weekday (Monday first) and hour, business time.
    pub busy_hours: [[u32; 24]; 7],
    /// The slowest first replies of the period, slowest first (at most 3).
    pub slowest: Vec<(ConversationId, SignedDuration)>,
}

impl Window<'_> {
    /// The business days the window's rows may be filed under: its own, and a day either
    /// side, as rows keep the day of the time zone they were counted in, which may differ from
    /// today's.
    pub fn day_range(&self) -> (i32, i32) {
        let (first, last) = self.days();
        (first - 1, last + 1)
    }

    fn days(&self) -> (i32, i32) {
        let tz = self.hours.time_zone();
        (
            day_number(self.since.to_zoned(tz.clone()).date()),
            day_number(self.until.to_zoned(tz.clone()).date()),
        )
    }
}

impl Summary {
    /// Reads the rows of the days that `w` covers ([`Window::day_range`]).
    pub fn compute(agg: &Aggregate, w: &Window<'_>) -> Summary {
        let (first, last) = w.days();
        let decided_until = decided_cutoff(w);
        let mut all = Tally::default();
        let mut topics: Vec<(u16, Tally)> = Vec::new();
        let mut days: Vec<DayPoint> = Vec::new();
        let mut busy_hours = [[0u32; 24]; 7];
        let mut slowest: Vec<(ConversationId, SignedDuration)> = Vec::new();
        let (from, to) = w.day_range();
        for (day, rows) in agg.days(from, to) {
            let mut tally = Tally::default();
            for row in rows {
                let at = row.opened_at();
                if at < w.since || at > w.until {
                    continue;
                }
                let decided = decided_until.is_some_and(|cut| row.opened_ms <= cut);
                all.add(row, w.target, decided);
                tally.add(row, w.target, decided);
                match topics.iter_mut().find(|(t, _)| *t == row.topic) {
                    Some((_, t)) => t.add(row, w.target, decided),
                    None => {
                        let mut t = Tally::default();
                        t.add(row, w.target, decided);
                        topics.push((row.topic, t));
                    }
                }
                busy_hours[usize::from(row.slot / 24)][usize::from(row.slot % 24)] += 1;
                if let Some(took) = row.reply() {
                    slowest.push((row.conversation, took));
                }
            }
            if (first..=last).contains(&day) && tally.count > 0 {
                tally.finish();
                days.push(DayPoint {
                    date: day_date(day),
                    tally,
                });
            }
        }
        for p in agg.promises(from, to) {
            let at = Timestamp::from_millisecond(p.opened_ms).unwrap_or(Timestamp::UNIX_EPOCH);
            if at >= w.since && at <= w.until {
                all.promises_on_time += usize::from(p.kept.on_time);
                all.promises_late += usize::from(p.kept.late);
            }
        }
        all.finish();
        let mut topics: Vec<(String, Tally)> = merge_topics(agg, topics);
        // Busiest first; ties by name so the order is stable.
        topics.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
        slowest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        slowest.truncate(3);
        Summary {
            since: w.since,
            until: w.until,
            target: w.target,
            all,
            topics,
            days: fill_days(days, first, last),
            busy_hours,
            slowest,
        }
    }
}

/// Topic numbers to names; the empty topic and "general" count as one.
fn merge_topics(agg: &Aggregate, topics: Vec<(u16, Tally)>) -> Vec<(String, Tally)> {
    let mut out: Vec<(String, Tally)> = Vec::new();
    for (id, tally) in topics {
        let name = match agg.topic(id) {
            "" => "general",
            t => t,
        };
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, t)) => {
                t.count += tally.count;
                t.still_waiting += tally.still_waiting;
                t.replies.extend(tally.replies);
                t.decided += tally.decided;
                t.within_target += tally.within_target;
                t.rated += tally.rated;
                t.rating_sum += tally.rating_sum;
                t.rated_well += tally.rated_well;
            }
            None => out.push((name.to_string(), tally)),
        }
    }
    for (_, t) in &mut out {
        t.finish();
    }
    out
}

/// One point per day of `first..=last`, empty days included, so a chart's x axis is even.
fn fill_days(counted: Vec<DayPoint>, first: i32, last: i32) -> Vec<DayPoint> {
    let mut counted = counted.into_iter().peekable();
    let mut out = Vec::new();
    // At most a year and a day of points: `/stats` looks back 365 days at most.
    for day in first.max(last - 366)..=last {
        let date = day_date(day);
        match counted.peek() {
            Some(p) if p.date == date => out.extend(counted.next()),
            _ => out.push(DayPoint {
                date,
                tally: Tally::default(),
            }),
        }
    }
    out
}

/// The latest opening instant (in ms) whose conversation, still unanswered at `w.now`, has
/// waited longer than the target in open hours; `None` if none in the window has. Open time
/// to `now` only shrinks as the opening moves later, so a binary search finds it with a few
/// dozen `open_time_between` calls instead of one per unanswered conversation.
fn decided_cutoff(w: &Window<'_>) -> Option<i64> {
    let past_target = |ms: i64| match Timestamp::from_millisecond(ms) {
        Ok(at) => w.hours.open_time_between(at, w.now) > w.target,
        Err(_) => false,
    };
    let mut lo = w.since.as_millisecond();
    let mut hi = w.until.as_millisecond();
    if !past_target(lo) {
        return None;
    }
    if past_target(hi) {
        return Some(hi);
    }
    // past_target(lo) and not past_target(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if past_target(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}
