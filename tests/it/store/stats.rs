//! The reply-time statistics the desk keeps as conversations open and get answered: what
//! `/stats` reads, across a restart, and built once on a database that predates them.

use super::{desk, message, stored, t, ME, OWNER};
use frontdesk::desk::Arrival;
use frontdesk::model::MessageId;
use jiff::SignedDuration;

/// Customer 1 opens at 09:00 and the owner answers at 09:20; customer 2 opens at 09:30
/// and waits.
fn two_conversations(dir: &std::path::Path) {
    let d = desk(dir);
    let first = message(1, 501, 10, "where is my order?", t("09:00"));
    stored(
        d.handle_message(&first, ME, first.at, Arrival::Live)
            .expect("first"),
    );
    let mut answer = message(2, OWNER, 10, "on its way", t("09:20"));
    answer.reply_to = Some(MessageId(1));
    stored(
        d.handle_message(&answer, ME, answer.at, Arrival::Live)
            .expect("answer"),
    );
    let second = message(3, 502, 10, "hello, a question about returns", t("09:30"));
    stored(
        d.handle_message(&second, ME, second.at, Arrival::Live)
            .expect("second"),
    );
    // A follow-up changes nothing the statistics count.
    let again = message(4, 501, 10, "thanks!", t("09:40"));
    d.handle_message(&again, ME, again.at, Arrival::Live)
        .expect("follow-up");
    d.store().flush().expect("flush");
}

fn check(d: &frontdesk::desk::Desk) {
    let s = d.stats_summary(1, t("12:00"));
    assert_eq!(s.all.count, 2, "{s:?}");
    assert_eq!(s.all.still_waiting, 1);
    assert_eq!(s.all.median(), Some(SignedDuration::from_mins(20)));
    // Answered in 20 min; the other has waited 2.5 h, past the hour's target.
    assert_eq!((s.all.within_target, s.all.decided), (1, 2));
    assert_eq!(s.busy_hours.iter().flatten().sum::<u32>(), 2);
    assert_eq!(d.waiting_now(), vec![MessageId(3)]);
}

#[test]
fn statistics_follow_the_desk_and_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    two_conversations(dir.path());
    check(&desk(dir.path()));
    // Opened again: read from the stored entries, not counted twice.
    check(&desk(dir.path()));
}

#[test]
fn a_database_without_statistics_builds_them_once_at_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    two_conversations(dir.path());
    // What a database written before the statistics were kept looks like.
    {
        let db = sled::open(dir.path()).expect("sled");
        db.drop_tree("stats").expect("drop");
        db.open_tree("meta")
            .expect("meta")
            .remove("stats_built")
            .expect("unmark");
        db.flush().expect("flush");
    }
    check(&desk(dir.path()));
    check(&desk(dir.path()));
}
