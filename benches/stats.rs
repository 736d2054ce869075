//! `/stats` with 100,000 stored conversations: the summary read from the statistics
//! aggregate (the part that grows with the database), the first-reply chart as SVG and as
//! PNG, and the other two charts; plus, printed once, the aggregate's memory and the one-time
//! build of the statistics from the stored conversations (a database that predates them).
//!
//! Run: `cargo bench --bench stats`. Seeding is not timed: 100,000 conversations opened
//! through `Desk::handle_message` over the last 30 days (all inside `/stats`' default window,
//! its worst case), four in five answered by the owner 1 to 240 minutes later.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use frontdesk::desk::{Arrival, Desk, Handled};
use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use frontdesk::responses::Rules;
use frontdesk::stats::{png, render, Summary};
use frontdesk::store::Store;
use frontdesk_sim::demo;
use jiff::{SignedDuration, Timestamp};

const STORED: u64 = 100_000;
const CHANNELS: u64 = 50;
const SPREAD_DAYS: i64 = 30;
const BOT: UserId = UserId(900);

const TEXTS: [&str; 4] = [
    "Hi! How much is shipping to Canada? My order has not arrived yet.",
    "I would like to return a jumper, it is too small.",
    "Do you have this in blue?",
    "hello",
];

struct Fixture {
    desk: Desk,
    now: Timestamp,
    summary: Summary,
    first_svg: String,
    _dir: tempfile::TempDir,
}

fn message(id: u64, author: UserId, channel: u64, text: &str, at: Timestamp) -> Incoming {
    Incoming {
        id: MessageId(id),
        place: Place::Channel {
            guild: GuildId(demo::GUILD),
            channel: ChannelId(channel),
            thread: None,
        },
        author: Author {
            id: author,
            name: format!("user{}", author.0),
            bot: false,
            roles: Vec::new(),
        },
        content: Some(text.to_string()),
        reply_to: None,
        at,
        tags: Vec::new(),
    }
}

/// A deterministic spread: a simple hash of `n`.
fn mix(n: u64) -> u64 {
    n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
}

fn seed(desk: &Desk, now: Timestamp) {
    let span = SignedDuration::from_hours(24 * SPREAD_DAYS).as_secs();
    let base = MessageId::first_at(now).0;
    for n in 0..STORED {
        // Oldest first, as they would have arrived.
        let opened = now - SignedDuration::from_secs(span - (span * n as i64) / STORED as i64);
        let channel = 10_000 + n % CHANNELS;
        let customer = UserId(1_000_000 + n);
        let text = TEXTS[(mix(n) % TEXTS.len() as u64) as usize];
        let m = message(base + 2 * n, customer, channel, text, opened);
        if let Handled::Stored { deliver, .. } = desk
            .handle_message(&m, BOT, opened, Arrival::Live)
            .expect("seed")
        {
            for p in deliver {
                desk.store().complete(&p.key).expect("complete");
            }
        }
        if !mix(n).is_multiple_of(5) {
            let after = SignedDuration::from_mins(1 + (mix(n) % 240) as i64);
            let mut reply = message(
                base + 2 * n + 1,
                UserId(demo::OWNER),
                channel,
                "Thanks, on it!",
                opened + after,
            );
            reply.reply_to = Some(m.id);
            desk.handle_message(&reply, BOT, opened + after, Arrival::Live)
                .expect("reply");
        }
    }
    desk.store().flush().expect("flush");
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let responses = Path::new(env!("CARGO_MANIFEST_DIR")).join("responses");
        let config = frontdesk::demo::demo_config(&dir.path().join("data"), &responses, "");
        let data = config.resolve(&config.data_dir);
        let rules = || Rules::load_dir(&responses).expect("rules");
        let now = Timestamp::now();
        let started = Instant::now();
        {
            let desk = Desk::new(Store::open(&data).expect("store"), &config, rules());
            seed(&desk, now);
        }
        eprintln!(
            "seeded {STORED} conversations in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // The one-time build a database that predates the statistics gets at its first open.
        {
            let db = sled::open(&data).expect("sled");
            db.drop_tree("stats").expect("drop");
            db.open_tree("meta")
                .expect("meta")
                .remove("stats_built")
                .expect("unmark");
            db.flush().expect("flush");
        }
        let store = Store::open(&data).expect("store");
        let built = Instant::now();
        let desk = Desk::new(store, &config, rules());
        eprintln!(
            "built the statistics of {} conversations from their records in {:.2} s",
            desk.store().conversation_count(),
            built.elapsed().as_secs_f64()
        );
        let summary = desk.stats_summary(30, now);
        eprintln!(
            "aggregate: {} conversations, about {:.2} MiB in memory; last 30 days: {} conversations, median {:?}, p90 {:?}",
            summary.all.count,
            desk.stats_memory() as f64 / (1024.0 * 1024.0),
            summary.all.count,
            summary.all.median(),
            summary.all.p90(),
        );
        let first_svg = render::first_reply_chart(&summary);
        Fixture {
            desk,
            now,
            summary,
            first_svg,
            _dir: dir,
        }
    })
}

fn main() {
    divan::main();
}

/// What `/stats` computes before formatting: the last 30 days (all 100,000 conversations).
#[divan::bench(sample_count = 50)]
fn stats_summary_30_days() -> Summary {
    let f = fixture();
    f.desk.stats_summary(30, f.now)
}

/// `/stats days:7`: only the last week's days are read.
#[divan::bench(sample_count = 100)]
fn stats_summary_7_days() -> Summary {
    let f = fixture();
    f.desk.stats_summary(7, f.now)
}

#[divan::bench(sample_count = 200)]
fn first_reply_chart_svg() -> String {
    render::first_reply_chart(&fixture().summary)
}

/// The PNG `/stats` attaches, from the SVG (parse, text layout with the bundled font, draw,
/// encode).
#[divan::bench(sample_count = 50)]
fn first_reply_chart_png() -> Vec<u8> {
    png::render(&fixture().first_svg).expect("png")
}

#[divan::bench(sample_count = 200)]
fn topics_and_heatmap_svg() -> (String, String) {
    let s = &fixture().summary;
    (
        render::within_target_by_topic(s),
        render::busy_hours_heatmap(s),
    )
}

/// For comparison: what `/stats` read before the statistics were kept, every stored
/// conversation decoded.
#[divan::bench(sample_count = 10)]
fn every_conversation_read() -> usize {
    fixture().desk.all_conversations().len()
}
