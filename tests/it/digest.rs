//! The weekly digest: each owner's DM at the week's first opening, with last week's figures
//! and the chart, sent once per week — also when the bot restarts that week.

use std::sync::Arc;

use frontdesk::clock::ManualClock;
use frontdesk_sim::{demo, RecordedRequest, Simulator};
use jiff::civil::{Time, Weekday};
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::support::{customer_asks_owner_replies, eventually, quiet_period, Bot, QUIET};

/// Open 09:00-17:00 on weekdays, London time.
const HOURS: &str = "[hours]\ntime_zone = \"Europe/London\"\nmonday = \"09:00-17:00\"\ntuesday = \"09:00-17:00\"\nwednesday = \"09:00-17:00\"\nthursday = \"09:00-17:00\"\nfriday = \"09:00-17:00\"\n";

/// Next week's Monday, 09:00 in London: its first opening.
fn next_monday_opening(now: Timestamp) -> Timestamp {
    let london = now.in_tz("Europe/London").expect("tz");
    let back = i64::from(london.weekday().to_monday_zero_offset());
    let monday = london.date() - back.days() + 7.days();
    assert_eq!(monday.weekday(), Weekday::Monday);
    monday
        .to_datetime(Time::constant(9, 0, 0, 0))
        .in_tz("Europe/London")
        .expect("a time in London")
        .timestamp()
}

/// The digests posted so far: messages with a file whose text opens the digest.
fn digests(sim: &Simulator) -> Vec<RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| {
            r.is("POST", "/messages")
                && r.status < 300
                && r.body.as_ref().is_some_and(|b| {
                    b["content"]
                        .as_str()
                        .is_some_and(|c| c.starts_with("**Last week at Maple & Thread**"))
                })
        })
        .collect()
}

async fn wait_digests(sim: &Simulator, n: usize) -> Vec<RecordedRequest> {
    eventually(format!("{n} weekly digest(s) were sent"), async || {
        let d = digests(sim);
        (d.len() >= n).then_some(d)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_digest_goes_out_once_a_week_across_a_restart() {
    let sim = crate::support::demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let now = Timestamp::now();
    let clock = Arc::new(ManualClock::new(now));
    let bot = Bot::start_with(&sim, &data, HOURS, clock.clone()).await;
    // This week: one customer, answered by the owner.
    customer_asks_owner_replies(
        &sim,
        demo::ALICE,
        "How much is shipping to Canada?",
        "£8.50, Alice!",
    )
    .await;
    quiet_period(QUIET).await;
    assert!(digests(&sim).is_empty(), "no digest before next week");

    let monday = next_monday_opening(now);
    clock.set(monday - SignedDuration::from_mins(1));
    quiet_period(QUIET).await;
    assert!(
        digests(&sim).is_empty(),
        "not before the week's first opening"
    );
    clock.set(monday);
    let first = wait_digests(&sim, 1).await.remove(0);
    let dm = sim.dm_channel_of(demo::OWNER).expect("the owner's DM");
    assert_eq!(first.path, format!("/channels/{dm}/messages"), "by DM");
    let text = first.body.as_ref().expect("payload_json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        text.contains("**1 conversation** (0 still waiting)"),
        "{text}"
    );
    assert!(
        text.contains("Answered within the 1 h target: 1 of 1 (100%)"),
        "{text}"
    );
    assert!(text.contains("Slowest first replies:\n• "), "{text}");
    assert!(text.contains("Nobody is waiting now."), "{text}");
    assert_eq!(first.files.len(), 1, "the chart is attached");
    let png = png::Decoder::new(std::io::Cursor::new(first.files[0].data.to_vec()));
    let info = png.read_info().expect("a PNG");
    assert_eq!((info.info().width, info.info().height), (720, 360));

    // A restart the same Monday sends nothing again.
    bot.stop().await;
    let bot = Bot::start_with(&sim, &data, HOURS, clock.clone()).await;
    quiet_period(QUIET).await;
    assert_eq!(digests(&sim).len(), 1, "sent once this week");

    // The week after: the next one, about a week without conversations.
    clock.set(monday + SignedDuration::from_hours(24 * 7));
    let both = wait_digests(&sim, 2).await;
    let second = both[1].body.as_ref().expect("json")["content"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(second.contains("No new conversations."), "{second}");
    quiet_period(QUIET).await;
    assert_eq!(digests(&sim).len(), 2, "one a week");
    bot.stop().await;
}
