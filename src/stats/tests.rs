//! The summary of a small period, and its charts: valid SVG with a title and a description,
//! drawn into a PNG of the chart's size.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::core::{Conversation, State};
use crate::hours::BusinessHours;
use crate::model::{ChannelId, GuildId, MessageId, Place, UserId};

fn at(text: &str) -> Timestamp {
    text.parse().expect("time")
}

fn conversation(id: u64, topic: &str, opened: &str, reply_mins: Option<i64>) -> Conversation {
    let place = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(10),
        thread: None,
    };
    let opened = at(opened);
    let mut c = Conversation::new(MessageId(id), UserId(100 + id), "c".into(), place, opened);
    c.topic = topic.into();
    if let Some(m) = reply_mins {
        c.state = State::Answered;
        c.first_reply_at = Some(opened + SignedDuration::from_mins(m));
    }
    c
}

fn sample() -> (Aggregate, BusinessHours) {
    let hours = BusinessHours::always_open(TimeZone::UTC);
    let mut agg = Aggregate::default();
    for c in [
        conversation(1, "orders", "2026-11-30T09:10:00Z", Some(10)),
        conversation(2, "orders", "2026-11-30T09:40:00Z", Some(30)),
        conversation(3, "returns", "2026-12-01T14:00:00Z", Some(120)),
        conversation(4, "", "2026-12-02T09:05:00Z", None),
        conversation(5, "returns", "2026-12-02T23:30:00Z", Some(5)),
    ] {
        agg.replace(None, &Entry::of(&c, &hours));
    }
    (agg, hours)
}

#[test]
fn a_period_by_day_topic_and_hour() {
    let (agg, hours) = sample();
    let now = at("2026-12-03T12:00:00Z");
    let w = Window::last_days(7, SignedDuration::from_hours(1), &hours, now);
    let s = Summary::compute(&agg, &w);
    assert_eq!(s.all.count, 5);
    assert_eq!(s.all.still_waiting, 1);
    assert_eq!(s.all.median(), Some(SignedDuration::from_mins(10)));
    assert_eq!(s.all.p90(), Some(SignedDuration::from_mins(120)));
    // Four answered (three within the hour) and one unanswered for over an hour.
    assert_eq!((s.all.within_target, s.all.decided), (3, 5));
    assert_eq!(s.days.len(), 8, "every day of the period, empty ones too");
    let nov30 = s.days.iter().find(|d| d.date.day() == 30).expect("30 Nov");
    assert_eq!(nov30.tally.count, 2);
    assert_eq!(nov30.tally.median(), Some(SignedDuration::from_mins(10)));
    let names: Vec<&str> = s.topics.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["orders", "returns", "general"]);
    // 30 Nov 2026 is a Monday.
    assert_eq!(s.busy_hours[0][9], 2);
    assert_eq!(s.busy_hours[2][23], 1);
    assert_eq!(
        s.slowest.first(),
        Some(&(MessageId(3), SignedDuration::from_mins(120)))
    );
    assert_eq!(s.slowest.len(), 3);
}

#[test]
fn promises_kept_are_counted_in_their_period_and_follow_their_conversation() {
    let (mut agg, hours) = sample();
    let now = at("2026-12-03T12:00:00Z");
    let w = Window::last_days(7, SignedDuration::from_hours(1), &hours, now);
    assert_eq!(Summary::compute(&agg, &w).all.promises_line(), None);
    let mut c = conversation(2, "orders", "2026-11-30T09:40:00Z", Some(30));
    let before = Entry::of(&c, &hours);
    c.promises_kept = crate::core::Kept {
        on_time: 3,
        late: 1,
    };
    let after = Entry::of(&c, &hours);
    agg.replace(Some(&before), &after);
    let mut old = conversation(9, "orders", "2026-10-01T09:00:00Z", Some(5));
    old.promises_kept.late = 5;
    agg.replace(None, &Entry::of(&old, &hours));
    let s = Summary::compute(&agg, &w);
    assert_eq!(
        (s.all.promises_on_time, s.all.promises_late),
        (3, 1),
        "only the period's"
    );
    assert_eq!(
        s.all.promises_line().as_deref(),
        Some("Promises of a later answer kept: 4, 3 on time (75%)")
    );
    assert_eq!(s.all.count, 5, "the conversation is counted once");
    // Its entry replaced again (one more kept on time): counted once, with the new figures.
    c.promises_kept.on_time = 4;
    agg.replace(Some(&after), &Entry::of(&c, &hours));
    let s = Summary::compute(&agg, &w);
    assert_eq!((s.all.promises_on_time, s.all.promises_late), (4, 1));
}

#[test]
fn an_unanswered_conversation_is_decided_once_past_the_target_in_open_hours() {
    let hours = BusinessHours::always_open(TimeZone::UTC);
    let mut agg = Aggregate::default();
    agg.replace(
        None,
        &Entry::of(&conversation(1, "x", "2026-12-03T10:00:00Z", None), &hours),
    );
    let target = SignedDuration::from_hours(1);
    let judged = |now: &str| {
        let w = Window::last_days(1, target, &hours, at(now));
        Summary::compute(&agg, &w).all.decided
    };
    assert_eq!(judged("2026-12-03T10:59:59Z"), 0);
    assert_eq!(
        judged("2026-12-03T11:00:00Z"),
        0,
        "exactly the target is not past it"
    );
    assert_eq!(judged("2026-12-03T11:00:00.001Z"), 1);
}

#[test]
fn charts_are_valid_svg_with_a_title_and_a_description() {
    let (agg, hours) = sample();
    let w = Window::last_days(
        30,
        SignedDuration::from_hours(1),
        &hours,
        at("2026-12-03T12:00:00Z"),
    );
    let s = Summary::compute(&agg, &w);
    for (svg, id) in [
        (render::first_reply_chart(&s), "first-reply"),
        (render::within_target_by_topic(&s), "within-target"),
        (render::busy_hours_heatmap(&s), "busy-hours"),
    ] {
        assert!(svg.contains(&format!("<title id=\"{id}-title\">")), "{svg}");
        assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")), "{svg}");
        assert!(svg.contains("role=\"img\""), "{svg}");
        let png = png::render(&svg).expect("drawn");
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
        assert!(pixmap.width() > 100 && pixmap.height() > 100);
    }
    // `CHARTS_DUMP=/some/dir` saves the three charts (SVG and PNG) there, to look at them.
    if let Ok(dir) = std::env::var("CHARTS_DUMP") {
        for (name, svg) in [
            ("first", render::first_reply_chart(&s)),
            ("topics", render::within_target_by_topic(&s)),
            ("busy", render::busy_hours_heatmap(&s)),
        ] {
            std::fs::write(format!("{dir}/{name}.svg"), &svg).expect("write");
            std::fs::write(format!("{dir}/{name}.png"), png::render(&svg).expect("png"))
                .expect("write");
        }
    }
    let first = render::first_reply_chart(&s);
    assert!(first.contains("median 10 min and p90 2 h"), "{first}");
    let png = png::render(&first).expect("drawn");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
    assert_eq!((pixmap.width(), pixmap.height()), render::FIRST_REPLY_SIZE);
    // Text is drawn with the bundled font: the title's glyphs darken the top left.
    let dark = (0..300)
        .flat_map(|x| (8..28).map(move |y| (x, y)))
        .filter(|&(x, y)| pixmap.pixel(x, y).is_some_and(|p| p.red() < 100))
        .count();
    assert!(dark > 100, "the title was drawn ({dark} dark pixels)");
}

#[test]
fn a_topic_with_markup_is_escaped() {
    let hours = BusinessHours::always_open(TimeZone::UTC);
    let mut agg = Aggregate::default();
    agg.replace(
        None,
        &Entry::of(
            &conversation(1, "<b>&\"x\"", "2026-12-03T10:00:00Z", Some(5)),
            &hours,
        ),
    );
    let w = Window::last_days(
        1,
        SignedDuration::from_hours(1),
        &hours,
        at("2026-12-03T12:00:00Z"),
    );
    let svg = render::within_target_by_topic(&Summary::compute(&agg, &w));
    assert!(!svg.contains("<b>"), "{svg}");
    assert!(svg.contains("&lt;b&gt;"), "{svg}");
    png::render(&svg).expect("still valid SVG");
}

#[test]
fn an_empty_period_still_draws() {
    let agg = Aggregate::default();
    let hours = BusinessHours::always_open(TimeZone::UTC);
    let w = Window::last_days(
        30,
        SignedDuration::from_hours(1),
        &hours,
        at("2026-12-03T12:00:00Z"),
    );
    let s = Summary::compute(&agg, &w);
    for svg in [
        render::first_reply_chart(&s),
        render::within_target_by_topic(&s),
        render::busy_hours_heatmap(&s),
    ] {
        png::render(&svg).expect("drawn");
    }
}
