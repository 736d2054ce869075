//! Core intake per message: `Desk::handle_message` (rule selection, the core's transition,
//! one commit of plain sled writes) with 100,000 conversations already stored, and the same
//! followed by an fsync, so what durable-first would cost is visible next to it.
//!
//! Run: `cargo bench --bench intake`. Seeding the database is not timed; it is done once,
//! outside the measured closures, with one flush at the end. Between measured messages (not
//! timed) the previous one's outbox entries are marked delivered, as in production.

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use divan::Bencher;
use frontdesk::desk::{Arrival, Desk, Handled};
use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use frontdesk::responses::Rules;
use frontdesk::store::{Pending, Store};
use jiff::Timestamp;

/// Conversations stored before anything is measured.
const STORED: u64 = 100_000;
/// Customers spread over this many watched channels.
const CHANNELS: u64 = 50;
const BOT: UserId = UserId(900);
const GUILD: GuildId = GuildId(1);

struct Fixture {
    desk: Desk,
    /// Makes every measured message a new customer's first message (a new conversation with
    /// an acknowledgement and an owner notice: the path a customer waits on).
    next: AtomicU64,
    base: u64,
    _dir: tempfile::TempDir,
}

fn incoming(base: u64, n: u64, now: Timestamp) -> Incoming {
    Incoming {
        id: MessageId(base + n),
        place: Place::Channel {
            guild: GUILD,
            channel: ChannelId(10_000 + n % CHANNELS),
            thread: None,
        },
        author: Author {
            id: UserId(1_000_000 + n),
            name: format!("customer{n}"),
            bot: false,
            roles: Vec::new(),
        },
        content: Some(format!(
            "Hi! How much is shipping to Canada for order #{n}? It has not arrived yet."
        )),
        reply_to: None,
        at: now,
        tags: Vec::new(),
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let responses = Path::new(env!("CARGO_MANIFEST_DIR")).join("responses");
        let config = frontdesk::demo::demo_config(&dir.path().join("data"), &responses, "");
        let rules = Rules::load_dir(&responses).expect("rules");
        let store = Store::open(&config.resolve(&config.data_dir)).expect("store");
        let desk = Desk::new(store, &config, rules);
        let now = Timestamp::now();
        let base = MessageId::first_at(now).0;
        let started = Instant::now();
        for n in 0..STORED {
            // The real path, without a flush per message; the acknowledgements and notices
            // are marked delivered, as they would be a moment later in production.
            if let Handled::Stored { deliver, .. } = desk
                .handle_message(&incoming(base, n, now), BOT, now, Arrival::Live)
                .expect("seed")
            {
                for p in deliver {
                    desk.store().complete(&p.key).expect("complete");
                }
            }
        }
        desk.store().flush().expect("flush");
        eprintln!(
            "seeded {} conversations in {:.1} s",
            desk.store().conversation_count(),
            started.elapsed().as_secs_f64()
        );
        Fixture {
            desk,
            next: AtomicU64::new(STORED),
            base,
            _dir: dir,
        }
    })
}

fn main() {
    divan::main();
}

fn one(bencher: Bencher, flush: bool) {
    let f = fixture();
    // What the previous message stored for delivery is marked delivered before the next one
    // arrives (not timed), as delivery does in production a moment after the intake: left
    // pending, the outbox would grow by two entries a message, which it never does.
    let delivered: RefCell<Vec<Pending>> = RefCell::default();
    bencher
        .with_inputs(|| {
            for p in delivered.borrow_mut().drain(..) {
                f.desk.store().complete(&p.key).expect("complete");
            }
            let n = f.next.fetch_add(1, Ordering::Relaxed);
            incoming(f.base, n, Timestamp::now())
        })
        .bench_local_refs(|msg| {
            let now = msg.at;
            let handled = f.desk.handle_message(msg, BOT, now, Arrival::Live);
            if flush {
                f.desk.store().flush().expect("flush");
            }
            match handled {
                Ok(Handled::Stored { deliver, .. }) => delivered.borrow_mut().extend(deliver),
                other => panic!("expected a stored conversation, got {other:?}"),
            }
        });
}

/// The intake of a new customer's message as the bot runs it: rule selection, transition,
/// transaction (durable within `flush_every`, not before the acknowledgement).
#[divan::bench(sample_count = 2000, sample_size = 1)]
fn handle_message(bencher: Bencher) {
    one(bencher, false);
}

/// The same followed by an fsync: what design (a), durable first, would put on the path.
#[divan::bench(sample_count = 1000, sample_size = 1)]
fn handle_message_then_flush(bencher: Bencher) {
    one(bencher, true);
}

/// An fsync alone with nothing new to write (sled returns early) versus after one small
/// write: the floor of the flushed variant.
#[divan::bench(sample_count = 1000, sample_size = 1)]
fn flush_after_one_write(bencher: Bencher) {
    let f = fixture();
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        f.desk
            .store()
            .remember_dm_channel(UserId(i), ChannelId(i))
            .expect("write");
        f.desk.store().flush().expect("flush");
    });
}
