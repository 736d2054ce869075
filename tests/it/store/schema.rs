//! The database's format over versions: migrations from older schemas, records as written,
//! and refusing what is not frontdesk's or is newer.

use super::*;
use frontdesk::core::Command;

#[test]
fn a_foreign_directory_is_refused_with_a_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("notes.txt"), "my files").expect("write");
    let err = Store::open(dir.path()).err().expect("refused");
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    assert!(err.to_string().contains("fix:"), "{err}");
    assert!(dir.path().join("notes.txt").exists(), "nothing was touched");
}

#[test]
fn a_schema_one_database_is_migrated_and_its_indexes_rebuilt_in_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conv_id;
    {
        let d = desk(dir.path());
        let m = message(1001, 42, 10, "how much is shipping?", t("10:00"));
        conv_id = stored(
            d.handle_message(&m, ME, t("10:00"), Arrival::Live)
                .expect("handle"),
        )
        .0;
        d.store().flush().expect("flush");
    }
    // Layout 1 is layout 2 plus three index trees: put them back, with a stale entry that
    // must not be believed, and stamp the database as version 1.
    {
        let db = sled::open(dir.path()).expect("sled");
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &1u32.to_be_bytes())
            .expect("write");
        for old in ["by_key", "by_customer", "wake"] {
            db.open_tree(old)
                .expect("tree")
                .insert(b"stale", b"stale")
                .expect("write");
        }
        db.flush().expect("flush");
    }
    let d = desk(dir.path());
    let key = ConversationKey::ChannelCustomer(ChannelId(10), UserId(42));
    let found = d.store().latest_for(&key).expect("lookup").map(|c| c.id);
    assert_eq!(found, Some(conv_id));
    assert_eq!(d.store().customer_conversation_count(UserId(42)), 1);
    // The conversation waits for its first reminder, so it is in the wake-up index.
    assert_eq!(d.store().due(t("23:59")), vec![conv_id]);
    // The customer's next message joins the same conversation.
    let next = message(1002, 42, 10, "any news?", t("10:01"));
    let (id, _) = stored(
        d.handle_message(&next, ME, t("10:01"), Arrival::Live)
            .expect("second"),
    );
    assert_eq!(id, conv_id);
    drop(d);
    assert_eq!(schema_version(dir.path()), SCHEMA_VERSION.to_be_bytes());
    let db = sled::open(dir.path()).expect("sled");
    let names: Vec<String> = db
        .tree_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    for old in ["by_key", "by_customer", "wake"] {
        assert!(!names.iter().any(|n| n == old), "{old} dropped: {names:?}");
    }
}

#[test]
fn a_schema_two_database_is_migrated_to_compact_heads_and_keeps_its_claims() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = message(1001, 42, 10, "hi", t("10:00"));
    store_and_close(dir.path(), &m);
    // Put the conversation back as layout 2 wrote it: a 58-byte head (customer, key tag and
    // two ids, thread, relay, wake-up flag and nanoseconds) and a claims entry for the
    // message that opened it.
    {
        let db = sled::open(dir.path()).expect("sled");
        let key = m.id.0.to_be_bytes();
        let record: ConversationRecord =
            serde_json::from_slice(&raw_record(&db, m.id)).expect("record");
        let wake = record.wake_at.expect("waits for a reminder");
        let mut head = Vec::new();
        head.extend(42u64.to_be_bytes());
        head.push(b'c');
        head.extend(10u64.to_be_bytes());
        head.extend(42u64.to_be_bytes());
        head.extend([0u8; 16]);
        head.push(1);
        head.extend(wake.as_nanosecond().to_be_bytes());
        assert_eq!(head.len(), 58);
        db.open_tree("heads")
            .expect("heads")
            .insert(key, head)
            .expect("write");
        db.open_tree("claims")
            .expect("claims")
            .insert(key, &key)
            .expect("write");
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &2u32.to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    {
        let d = desk(dir.path());
        let key = ConversationKey::ChannelCustomer(ChannelId(10), UserId(42));
        assert_eq!(
            d.store().latest_for(&key).expect("lookup").map(|c| c.id),
            Some(m.id)
        );
        assert_eq!(d.store().customer_conversation_count(UserId(42)), 1);
        assert_eq!(d.store().due(t("23:59")), vec![m.id]);
        assert_eq!(
            d.store().conversation_of_message(m.id).expect("read"),
            Some(m.id)
        );
        assert_eq!(
            d.handle_message(&m, ME, t("10:01"), Arrival::Live)
                .expect("again"),
            Handled::Duplicate
        );
    }
    {
        let db = sled::open(dir.path()).expect("sled");
        let head = db
            .open_tree("heads")
            .expect("heads")
            .get(m.id.0.to_be_bytes())
            .expect("read")
            .expect("kept");
        assert!(head.len() <= 22, "rewritten compact: {} bytes", head.len());
    }
    assert_eq!(schema_version(dir.path()), SCHEMA_VERSION.to_be_bytes());
}

/// What the `messages` tree of a closed database holds, by key.
fn logged_message_keys(dir: &Path) -> Vec<(u64, u64)> {
    let db = sled::open(dir).expect("sled");
    let tree = db.open_tree("messages").expect("messages");
    tree.iter()
        .keys()
        .map(|k| {
            let k = k.expect("key");
            let half =
                |r: std::ops::Range<usize>| u64::from_be_bytes(k[r].try_into().expect("8 bytes"));
            (half(0..8), half(8..16))
        })
        .collect()
}

/// A stored conversation record as written, from an open database.
fn raw_record(db: &sled::Db, id: MessageId) -> sled::IVec {
    db.open_tree("conversations")
        .expect("conversations")
        .get(id.0.to_be_bytes())
        .expect("read")
        .expect("stored")
}

/// Rewrites a stored conversation record in place, in an open database.
fn edit_record(db: &sled::Db, id: MessageId, edit: impl FnOnce(&mut ConversationRecord)) {
    let mut record: ConversationRecord =
        serde_json::from_slice(&raw_record(db, id)).expect("record");
    edit(&mut record);
    let json = serde_json::to_vec(&record).expect("json");
    db.open_tree("conversations")
        .expect("conversations")
        .insert(id.0.to_be_bytes(), json)
        .expect("write");
}

#[test]
fn the_opening_message_is_kept_in_the_conversation_record_through_its_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = message(1001, 42, 10, "is my order shipped?", t("10:00"));
    let mut next = message(1002, 42, 10, "any news?", t("10:05"));
    next.author.name = "renamed".into();
    {
        let d = desk(dir.path());
        stored(
            d.handle_message(&first, ME, t("10:00"), Arrival::Live)
                .expect("first"),
        );
        stored(
            d.handle_message(&next, ME, t("10:05"), Arrival::Live)
                .expect("next"),
        );
        d.store().flush().expect("flush");
    }
    // The log holds the second message only: the first travels in the record, which the
    // second message rewrote.
    assert_eq!(logged_message_keys(dir.path()), vec![(1001, 1002)]);
    let store = Store::open(dir.path()).expect("reopen");
    let messages = messages(&store, first.id);
    let seen: Vec<_> = messages
        .iter()
        .map(|m| {
            (
                m.id,
                m.author,
                m.author_name.as_str(),
                m.content.as_deref(),
                m.at,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                first.id,
                UserId(42),
                "user42",
                Some("is my order shipped?"),
                t("10:00")
            ),
            (
                next.id,
                UserId(42),
                "renamed",
                Some("any news?"),
                t("10:05")
            ),
        ]
    );
}

#[test]
fn a_schema_three_database_keeps_its_opening_messages_in_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = message(1001, 42, 10, "hi", t("10:00"));
    store_and_close(dir.path(), &m);
    // Put the conversation back as layout 3 wrote it: the opening message in the log, not
    // in the record.
    let opening = {
        let db = sled::open(dir.path()).expect("sled");
        let mut opening = None;
        edit_record(&db, m.id, |r| {
            opening = MessageRecord::opening_of(&r.clone().into_conversation());
            r.opening = None;
        });
        let opening = opening.expect("layout 4 keeps it");
        let key = m.id.0.to_be_bytes();
        assert!(!String::from_utf8_lossy(&raw_record(&db, m.id)).contains("opening"));
        let mut log_key = key.to_vec();
        log_key.extend(key);
        db.open_tree("messages")
            .expect("messages")
            .insert(log_key, serde_json::to_vec(&opening).expect("json"))
            .expect("write");
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &3u32.to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
        opening
    };
    {
        let d = desk(dir.path());
        assert_eq!(messages(d.store(), m.id), vec![opening.clone()]);
        let next = message(1002, 42, 10, "any news?", t("10:05"));
        stored(
            d.handle_message(&next, ME, t("10:05"), Arrival::Live)
                .expect("next"),
        );
        let messages = messages(d.store(), m.id);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!(messages[0], opening);
        assert_eq!(messages[1].id, next.id);
        d.store().flush().expect("flush");
    }
    assert_eq!(schema_version(dir.path()), SCHEMA_VERSION.to_be_bytes());
    // A layout 3 change cut short left the message in the log, and catch-up stored it again
    // under layout 4: it is listed once.
    {
        let db = sled::open(dir.path()).expect("sled");
        edit_record(&db, m.id, |r| {
            r.opening = Some(OpeningRecord {
                author_name: opening.author_name.clone(),
                content: opening.content.clone(),
            });
        });
        db.flush().expect("flush");
    }
    let store = Store::open(dir.path()).expect("reopen");
    let ids: Vec<MessageId> = messages(&store, m.id).iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![MessageId(1001), MessageId(1002)]);
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let db = sled::open(dir.path()).expect("sled");
        db.open_tree("meta")
            .expect("meta")
            .insert("schema_version", &(SCHEMA_VERSION + 1).to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    let err = Store::open(dir.path()).err().expect("refused");
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
    assert!(err.to_string().contains("newer frontdesk"), "{err}");
    // Left as it was: still the newer layout, nothing migrated into it.
    assert_eq!(
        schema_version(dir.path()),
        (SCHEMA_VERSION + 1).to_be_bytes()
    );
    let db = sled::open(dir.path()).expect("sled");
    assert!(db.open_tree("heads").expect("heads").is_empty());
}

/// The ids of a list of conversations, in its order.
fn ids<E: std::fmt::Debug>(list: Result<Vec<Conversation>, E>) -> Vec<MessageId> {
    list.expect("conversations").iter().map(|c| c.id).collect()
}

/// Makes `dir` look written by layout `version`, whose heads lack the flag `bit` (set on
/// conversation `id`'s head by this version).
fn as_older_layout(dir: &Path, id: MessageId, bit: u8, version: u32) {
    let db = sled::open(dir).expect("sled");
    let heads = db.open_tree("heads").expect("heads");
    let key = id.0.to_be_bytes();
    let mut head = heads.get(key).expect("read").expect("a head").to_vec();
    assert_eq!(head[0] & bit, bit, "this version sets the flag");
    head[0] &= !bit;
    heads.insert(key, head).expect("write");
    db.open_tree("meta")
        .expect("meta")
        .insert("schema_version", &version.to_be_bytes())
        .expect("write");
    db.flush().expect("flush");
}

#[test]
fn a_schema_four_database_learns_which_conversations_wait() {
    let dir = tempfile::tempdir().expect("tempdir");
    let waiting = message(1001, 42, 10, "hi", t("10:00"));
    store_and_close(dir.path(), &waiting);
    // Layout 4's heads have no waiting flag (the 0x10 bit of their first byte).
    as_older_layout(dir.path(), waiting.id, 0x10, 4);
    let d = desk(dir.path());
    assert_eq!(ids(d.waiting_conversations()), vec![waiting.id]);
    drop(d);
    assert_eq!(schema_version(dir.path()), SCHEMA_VERSION.to_be_bytes());
}

#[test]
fn a_schema_five_database_learns_which_conversations_hold_a_promise_or_are_resolved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let asked = message(1001, 42, 10, "where is my parcel?", t("10:00"));
    store_and_close(dir.path(), &asked);
    {
        let d = desk(dir.path());
        let mut promise = message(
            1002,
            OWNER,
            10,
            "Let me check with the courier and get back to you",
            t("10:05"),
        );
        promise.reply_to = Some(asked.id);
        stored(
            d.handle_message(&promise, ME, t("10:05"), Arrival::Live)
                .expect("promise"),
        );
        assert_eq!(
            ids(d.promised_conversations()),
            vec![asked.id],
            "read from the index"
        );
        let done = message(1003, 43, 10, "thanks, all good", t("10:06"));
        stored(
            d.handle_message(&done, ME, t("10:06"), Arrival::Live)
                .expect("done"),
        );
        d.command(done.id, Command::Resolve { by: UserId(OWNER) }, t("10:07"))
            .expect("resolve");
        d.store().flush().expect("flush");
    }
    // Layout 5's heads have no promise flag nor resolved flag (the 0x08 and 0x04 bits of
    // their first byte).
    as_older_layout(dir.path(), asked.id, 0x08, 5);
    as_older_layout(dir.path(), MessageId(1003), 0x04, 5);
    let d = desk(dir.path());
    assert_eq!(ids(d.promised_conversations()), vec![asked.id]);
    let resolved = d.resolved_page(None, 50).map(|page| page.results);
    assert_eq!(ids(resolved), vec![MessageId(1003)]);
    drop(d);
    assert_eq!(schema_version(dir.path()), SCHEMA_VERSION.to_be_bytes());
}
