//! The sled store on a real database in a temporary directory, including close and reopen.

mod schema;
mod search;
mod stats;

use std::path::Path;

use frontdesk::config::Config;
use frontdesk::core::{Conversation, ConversationKey, NoticeKind, State};
use frontdesk::desk::{Arrival, Desk, Handled};
use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use frontdesk::responses::Rules;
use frontdesk::store::{
    Change, Committed, ConversationRecord, MessageRecord, OpeningRecord, OutboxItem, Store,
    StoreError, SCHEMA_VERSION,
};
use jiff::{SignedDuration, Timestamp};

const ME: UserId = UserId(99);
const OWNER: u64 = 7;

fn t(s: &str) -> Timestamp {
    format!("2026-11-23T{s}:00Z").parse().expect("time")
}

fn config() -> Config {
    Config::parse(
        &format!("owner_name = \"Sam\"\n[discord]\nowners = [\"{OWNER}\"]\n"),
        Path::new("test.toml"),
    )
    .expect("config")
}

fn rules() -> Rules {
    Rules::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("responses")).expect("rules")
}

fn desk(dir: &Path) -> Desk {
    Desk::new(Store::open(dir).expect("open"), &config(), rules())
}

fn message(id: u64, author: u64, channel: u64, text: &str, at: Timestamp) -> Incoming {
    Incoming {
        id: MessageId(id),
        place: Place::Channel {
            guild: GuildId(1),
            channel: ChannelId(channel),
            thread: None,
        },
        author: Author {
            id: UserId(author),
            name: format!("user{author}"),
            bot: false,
            roles: Vec::new(),
        },
        content: Some(text.to_string()),
        reply_to: None,
        at,
        tags: Vec::new(),
    }
}

fn stored(h: Handled) -> (MessageId, Vec<frontdesk::store::Pending>) {
    match h {
        Handled::Stored {
            conversation,
            deliver,
        } => (conversation, deliver),
        other => panic!("expected Stored, got {other:?}"),
    }
}

/// Handles `m` as a live message in a fresh desk, flushes, and closes the database.
fn store_and_close(dir: &Path, m: &Incoming) {
    let d = desk(dir);
    stored(d.handle_message(m, ME, m.at, Arrival::Live).expect("first"));
    d.store().flush().expect("flush");
}

/// A stored conversation's messages, as `export` lists them.
fn messages(store: &Store, id: MessageId) -> Vec<MessageRecord> {
    let conversation = store.conversation(id).expect("read").expect("stored");
    store.messages(&conversation).expect("messages")
}

/// The schema version stamped in a closed database.
fn schema_version(dir: &Path) -> Vec<u8> {
    let db = sled::open(dir).expect("sled");
    let version = db
        .open_tree("meta")
        .expect("meta")
        .get("schema_version")
        .expect("read")
        .expect("stamped");
    version.to_vec()
}

#[test]
fn a_conversation_and_its_outbox_survive_close_and_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conv_id;
    {
        let d = desk(dir.path());
        let m = message(1001, 42, 10, "how much is shipping?", t("10:00"));
        let (id, deliver) = stored(
            d.handle_message(&m, ME, t("10:00"), Arrival::Live)
                .expect("handle"),
        );
        conv_id = id;
        let kinds: Vec<_> = deliver.iter().map(|p| &p.record.item).collect();
        assert!(matches!(kinds[0], OutboxItem::Ack { rule, .. } if rule == "orders"));
        assert!(matches!(
            kinds[1],
            OutboxItem::Notice {
                kind: NoticeKind::Opened
            }
        ));
        // The ack is delivered; the notice is not yet when the process "dies".
        d.store().complete(&deliver[0].key).expect("complete");
    }
    let store = Store::open(dir.path()).expect("reopen");
    let conv = store.conversation(conv_id).expect("read").expect("kept");
    assert_eq!(conv.state, State::Waiting);
    assert_eq!(conv.topic, "orders & shipping");
    assert_eq!(conv.customer, UserId(42));
    let pending = store.pending().expect("pending");
    assert_eq!(pending.len(), 1, "the undelivered notice is still pending");
    assert!(matches!(
        pending[0].record.item,
        OutboxItem::Notice {
            kind: NoticeKind::Opened
        }
    ));
    let messages = messages(&store, conv_id);
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].content.as_deref(),
        Some("how much is shipping?")
    );
    // Live messages do not move the catch-up cursor: only catch-up, which reads history
    // without gaps, does.
    assert_eq!(store.checkpoint(ChannelId(10)).expect("checkpoint"), None);
    store
        .advance_checkpoint(ChannelId(10), MessageId(1001))
        .expect("advance");
    drop(store);
    let store = Store::open(dir.path()).expect("reopen again");
    assert_eq!(
        store.checkpoint(ChannelId(10)).expect("checkpoint"),
        Some(MessageId(1001))
    );
    assert_eq!(
        store
            .latest_for(&ConversationKey::ChannelCustomer(ChannelId(10), UserId(42)))
            .expect("lookup")
            .map(|c| c.id),
        Some(conv_id)
    );
}

#[test]
fn the_same_message_delivered_twice_is_handled_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = message(1001, 42, 10, "hi", t("10:00"));
    {
        let d = desk(dir.path());
        stored(
            d.handle_message(&m, ME, t("10:00"), Arrival::Live)
                .expect("first"),
        );
        assert_eq!(
            d.handle_message(&m, ME, t("10:00"), Arrival::Live)
                .expect("second"),
            Handled::Duplicate
        );
    }
    // The message that opens a conversation is claimed by the conversation's head, not by a
    // claims entry: after a restart, catch-up's check, a staff reply to it and a third
    // delivery must all still find it.
    let d = desk(dir.path());
    assert!(d.store().is_claimed(m.id).expect("read"));
    assert!(!d.store().is_claimed(MessageId(1002)).expect("read"));
    assert_eq!(
        d.store().conversation_of_message(m.id).expect("read"),
        Some(m.id)
    );
    assert_eq!(
        d.handle_message(&m, ME, t("10:01"), Arrival::Live)
            .expect("third"),
        Handled::Duplicate
    );
}

#[test]
fn a_new_conversation_cut_short_before_its_head_is_stored_again_whole() {
    // sled recovers a prefix of its log and the head is a new conversation's last write: a
    // crash just before it leaves the record, its message log and outbox entries, but no
    // head. Catch-up then finds the message unclaimed and stores it again; the conversation
    // must come back into every index (it was never in them).
    let dir = tempfile::tempdir().expect("tempdir");
    let m = message(1001, 42, 10, "hi", t("10:00"));
    store_and_close(dir.path(), &m);
    {
        let db = sled::open(dir.path()).expect("sled");
        let head = db
            .open_tree("heads")
            .expect("heads")
            .remove(m.id.0.to_be_bytes())
            .expect("remove");
        assert!(head.is_some(), "the head was written");
        db.flush().expect("flush");
    }
    let d = desk(dir.path());
    assert!(!d.store().is_claimed(m.id).expect("read"));
    let key = ConversationKey::ChannelCustomer(ChannelId(10), UserId(42));
    assert_eq!(d.store().latest_for(&key).expect("lookup"), None);
    let late = Arrival::Late {
        acknowledged: true,
        answered: false,
    };
    let (id, _) = stored(d.handle_message(&m, ME, t("10:05"), late).expect("again"));
    assert_eq!(id, m.id);
    assert!(d.store().is_claimed(m.id).expect("read"));
    assert_eq!(
        d.store().latest_for(&key).expect("lookup").map(|c| c.id),
        Some(m.id)
    );
    assert_eq!(d.store().customer_conversation_count(UserId(42)), 1);
    assert_eq!(d.store().due(t("23:59")), vec![m.id]);
    drop(d);
    let d = desk(dir.path());
    assert_eq!(d.store().customer_conversation_count(UserId(42)), 1);
    assert_eq!(d.store().due(t("23:59")), vec![m.id]);
}

#[test]
fn racing_handlers_for_one_message_store_it_exactly_once() {
    // serenity runs handlers concurrently: a forum post's THREAD_CREATE and its starter
    // MESSAGE_CREATE carry the same id and may arrive together.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = std::sync::Arc::new(desk(dir.path()));
    for round in 0..20u64 {
        let m = message(5000 + round, 100 + round, 10, "hello", t("10:00"));
        let results: Vec<Handled> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let d = d.clone();
                    let m = m.clone();
                    s.spawn(move || {
                        d.handle_message(&m, ME, t("10:00"), Arrival::Live)
                            .expect("handle")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("join"))
                .collect()
        });
        let acks: usize = results
            .iter()
            .map(|r| match r {
                Handled::Stored { deliver, .. } => deliver
                    .iter()
                    .filter(|p| matches!(p.record.item, OutboxItem::Ack { .. }))
                    .count(),
                _ => 0,
            })
            .sum();
        assert_eq!(acks, 1, "round {round}: {results:?}");
    }
}

#[test]
fn a_customers_second_message_is_logged_without_a_second_ack() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = desk(dir.path());
    let (id, deliver) = stored(
        d.handle_message(
            &message(1, 42, 10, "hi", t("10:00")),
            ME,
            t("10:00"),
            Arrival::Live,
        )
        .expect("first"),
    );
    assert_eq!(deliver.len(), 2);
    for p in &deliver {
        d.store().complete(&p.key).expect("complete");
    }
    let (id2, deliver) = stored(
        d.handle_message(
            &message(2, 42, 10, "hello?", t("10:01")),
            ME,
            t("10:01"),
            Arrival::Live,
        )
        .expect("second"),
    );
    assert_eq!(id2, id);
    assert!(deliver.is_empty(), "{deliver:?}");
    assert_eq!(messages(d.store(), id).len(), 2);
    assert_eq!(d.store().customer_conversation_count(UserId(42)), 1);
}

#[test]
fn staff_reply_by_discord_reply_answers_the_right_conversation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = desk(dir.path());
    let (ana, _) = stored(
        d.handle_message(
            &message(1, 42, 10, "hi", t("10:00")),
            ME,
            t("10:00"),
            Arrival::Live,
        )
        .expect("ana"),
    );
    let (ben, _) = stored(
        d.handle_message(
            &message(2, 43, 10, "hey", t("10:01")),
            ME,
            t("10:01"),
            Arrival::Live,
        )
        .expect("ben"),
    );
    let mut reply = message(3, OWNER, 10, "Hi Ben!", t("10:05"));
    reply.reply_to = Some(MessageId(2));
    stored(
        d.handle_message(&reply, ME, t("10:05"), Arrival::Live)
            .expect("staff"),
    );
    let store = d.store();
    assert_eq!(
        store.conversation(ben).expect("read").map(|c| c.state),
        Some(State::Answered)
    );
    assert_eq!(
        store.conversation(ana).expect("read").map(|c| c.state),
        Some(State::Waiting)
    );
    let plain = message(4, OWNER, 10, "morning all", t("10:06"));
    assert_eq!(
        d.handle_message(&plain, ME, t("10:06"), Arrival::Live)
            .expect("plain"),
        Handled::NotAConversation
    );
    let bot = Incoming {
        author: Author {
            bot: true,
            ..plain.author.clone()
        },
        id: MessageId(5),
        ..plain.clone()
    };
    assert_eq!(
        d.handle_message(&bot, ME, t("10:06"), Arrival::Live)
            .expect("bot"),
        Handled::Ignored
    );
    let own = Incoming {
        author: Author {
            id: ME,
            ..plain.author.clone()
        },
        id: MessageId(6),
        ..plain
    };
    assert_eq!(
        d.handle_message(&own, ME, t("10:06"), Arrival::Live)
            .expect("own"),
        Handled::Ignored
    );
}

#[test]
fn due_reminders_come_from_the_wake_index_and_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id;
    {
        let d = desk(dir.path());
        id = stored(
            d.handle_message(
                &message(1, 42, 10, "hi", t("10:00")),
                ME,
                t("10:00"),
                Arrival::Live,
            )
            .expect("open"),
        )
        .0;
        assert!(d.tick(t("10:14")).expect("tick").is_empty());
    }
    let d = desk(dir.path());
    let due = d.tick(t("10:15")).expect("tick");
    let reminders: Vec<_> = due
        .iter()
        .filter(|p| {
            matches!(
                p.record.item,
                OutboxItem::Notice {
                    kind: NoticeKind::Reminder(0)
                }
            )
        })
        .collect();
    assert_eq!(reminders.len(), 1, "{due:?}");
    for p in &due {
        d.store().complete(&p.key).expect("complete");
    }
    assert!(
        d.tick(t("10:16")).expect("tick").is_empty(),
        "no second reminder"
    );
    assert_eq!(
        d.store()
            .conversation(id)
            .expect("read")
            .map(|c| c.reminders_sent),
        Some(1)
    );
}

#[test]
fn the_first_reply_feeds_eta_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = desk(dir.path());
    assert_eq!(d.eta(t("09:00")).expect("eta"), "as soon as they can");
    for i in 0..6u64 {
        let at = t("10:00") + SignedDuration::from_mins(i as i64);
        d.handle_message(
            &message(100 + i, 200 + i, 10, "hi", at),
            ME,
            at,
            Arrival::Live,
        )
        .expect("open");
        let mut reply = message(
            300 + i,
            OWNER,
            10,
            "hello",
            at + SignedDuration::from_mins(30),
        );
        reply.reply_to = Some(MessageId(100 + i));
        d.handle_message(&reply, ME, reply.at, Arrival::Live)
            .expect("reply");
    }
    assert_eq!(d.store().recent_replies(50).expect("replies").len(), 6);
    assert_eq!(
        d.eta(t("12:00")).expect("eta"),
        "usually within about 30 minutes"
    );
}

#[test]
fn a_record_written_by_version_one_still_decodes() {
    // Frozen copy of a v1 record: changing the record type must keep this readable.
    let v1 = r#"{"v":1,"id":"1300000000000000001","customer":"42","customer_name":"Ana","place":{"kind":"channel","guild":"1","channel":"10","thread":null},"state":"waiting","topic":"pricing","rule":"pricing","opened_at":"2026-11-23T10:00:00Z","waiting_since":"2026-11-23T10:00:00Z","last_activity":"2026-11-23T10:00:00Z","first_reply_at":null,"answered_by":null,"resolved_at":null,"reminders_sent":0,"next_reminder_at":"2026-11-23T10:15:00Z","snoozed_until":null,"thread":null,"customer_messages":1,"times_reopened":0,"waits":1,"wake_at":"2026-11-23T10:15:00Z"}"#;
    let record: ConversationRecord = serde_json::from_str(v1).expect("v1 decodes");
    let conv: Conversation = record.into_conversation();
    assert_eq!(conv.id, MessageId(1_300_000_000_000_000_001));
    assert_eq!(conv.state, State::Waiting);
    assert_eq!(conv.next_reminder_at, Some(t("10:15")));
}

#[test]
fn claims_abort_the_whole_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let change = Change {
        claim: Some(MessageId(1)),
        checkpoint: Some((ChannelId(5), MessageId(1))),
        ..Change::default()
    };
    assert_eq!(
        store.commit(&change).expect("first"),
        Committed::Stored {
            deliver: Vec::new()
        }
    );
    let again = Change {
        claim: Some(MessageId(1)),
        checkpoint: Some((ChannelId(6), MessageId(1))),
        ..Change::default()
    };
    assert_eq!(
        store.commit(&again).expect("second"),
        Committed::AlreadyClaimed
    );
    assert_eq!(store.checkpoint(ChannelId(6)).expect("read"), None);
    // Checkpoints only move forward.
    let older = Change {
        checkpoint: Some((ChannelId(5), MessageId(0))),
        ..Change::default()
    };
    store.commit(&older).expect("older");
    assert_eq!(
        store.checkpoint(ChannelId(5)).expect("read"),
        Some(MessageId(1))
    );
}

#[cfg(unix)]
#[test]
fn the_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    Store::open(&data).expect("open");
    let mode = std::fs::metadata(&data).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

/// "Acknowledged" means "stored": whatever a live message hands to delivery (the
/// acknowledgement first), its conversation and its claim are already in the store, and a
/// second delivery of the message meanwhile finds it claimed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_message_is_stored_before_anything_of_it_is_delivered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = std::sync::Arc::new(desk(dir.path()));
    let m = message(4242, 77, 10, "is this in stock?", t("10:00"));
    let me = UserId(999);
    let seen = std::sync::Mutex::new(None);
    let received = d
        .receive(&m, me, t("10:00"), |items| {
            let claimed = d.store().is_claimed(m.id).expect("read");
            let key = ConversationKey::ChannelCustomer(ChannelId(10), UserId(77));
            let conv = d.store().latest_for(&key).expect("lookup").map(|c| c.id);
            let again = d.handle_message(&m, me, t("10:00"), Arrival::Live);
            *seen.lock().expect("lock") = Some((items.len(), claimed, conv, again));
            async {}
        })
        .await
        .expect("received");
    let (items, claimed, conv, again) = seen.into_inner().expect("lock").expect("delivered");
    assert!(items >= 2, "the acknowledgement and the owner's notice");
    assert!(
        claimed,
        "the message is claimed before its acknowledgement goes"
    );
    assert_eq!(conv, Some(m.id), "the conversation is stored before it");
    assert_eq!(again.expect("second delivery"), Handled::Duplicate);
    assert_eq!(
        received,
        frontdesk::desk::Received::Stored {
            conversation: m.id,
            deliveries: items,
        }
    );
}
