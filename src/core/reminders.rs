//! The reminder schedule: when a waiting customer's owner is reminded again.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::hours::QuietHours;

/// When reminders go out while a conversation waits, counted from when it started waiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderSchedule {
    pub after: Vec<SignedDuration>,
    /// After the last step of `after`, remind again this often.
    pub then_every: Option<SignedDuration>,
}

impl Default for ReminderSchedule {
    fn default() -> Self {
        ReminderSchedule {
            after: vec![
                SignedDuration::from_mins(15),
                SignedDuration::from_hours(1),
                SignedDuration::from_hours(4),
            ],
            then_every: Some(SignedDuration::from_hours(24)),
        }
    }
}

impl ReminderSchedule {
    /// How long after the wait started reminder number `step` (0-based) is due.
    pub fn offset(&self, step: u32) -> Option<SignedDuration> {
        if let Some(d) = self.after.get(step as usize) {
            return Some(*d);
        }
        let every = self.then_every?;
        let last = self.after.last().copied().unwrap_or(SignedDuration::ZERO);
        let extra = step as i32 - self.after.len() as i32 + 1;
        every.checked_mul(extra).and_then(|d| last.checked_add(d))
    }

    /// The next step from `step` on, counted from `since`, and when it is due. After
    /// downtime several steps may be past: one reminder now, the next one in the future,
    /// never a burst of stale ones.
    pub fn next_step(
        &self,
        since: Timestamp,
        mut step: u32,
        now: Timestamp,
    ) -> (u32, Option<Timestamp>) {
        let at = |n: u32| self.offset(n).and_then(|d| since.checked_add(d).ok());
        let mut due = at(step);
        while due.is_some_and(|t| t <= now) {
            step += 1;
            due = at(step);
        }
        (step, due)
    }
}

/// When the quiet hours that are on at `now` end (in the business's time zone `tz`); `None`
/// outside them. A reminder due inside them waits until then.
pub fn quiet_end(quiet: Option<QuietHours>, tz: &TimeZone, now: Timestamp) -> Option<Timestamp> {
    quiet.and_then(|q| q.end_after(tz, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_offsets_escalate_then_repeat() {
        let r = ReminderSchedule::default();
        let h = SignedDuration::from_hours;
        assert_eq!(r.offset(0), Some(SignedDuration::from_mins(15)));
        assert_eq!(r.offset(2), Some(h(4)));
        assert_eq!(r.offset(3), Some(h(28)));
        assert_eq!(r.offset(4), Some(h(52)));
        let once = ReminderSchedule {
            after: vec![h(1)],
            then_every: None,
        };
        assert_eq!(once.offset(1), None);
    }
}
