//! The sled database: conversations, their messages, the heads the in-memory index that finds
//! them is rebuilt from (`index`), the outbox of things that must reach Discord, per-channel
//! checkpoints, and the schema version.
//!
//! Only this module touches sled. Every change an event causes ends with one commit record
//! (the message's claim, or the head of the conversation it opens), so a crash leaves either
//! all of it or an unclaimed message that catch-up handles again. Writes
//! become durable within the flush interval or at an explicit [`Store::flush`]; checkpoints
//! only ever cover flushed state.

mod ceiling;
mod group;
mod handed;
mod index;
mod keys;
pub mod records;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use jiff::Timestamp;
use sled::{Db, Tree};

use crate::core::{Away, Conversation, ConversationId, ConversationKey, NoticeKind};
use crate::model::{ChannelId, MessageId, UserId};
pub use records::{
    ConversationRecord, MessageRecord, OpeningRecord, OutboxItem, OutboxRecord, ReplyRecord,
    Speaker, RECORD_VERSION,
};

/// The database layout this version reads and writes. 2: the place, customer and wake-up
/// indexes live in memory, rebuilt at open from one small `heads` record per conversation
/// (layout 1 kept three index trees). 3: heads are variable-length, most 22 bytes or fewer
/// (sled's inline size), and the message that opens a conversation is claimed by the
/// conversation's head, not by a `claims` entry (layout 2's such claims stay true). 4: that
/// message is kept in the conversation's record, not in `messages` (layout 3's such messages
/// stay where they are; the stamp keeps older versions, which would drop it, away).
pub const SCHEMA_VERSION: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database at {path} is in use by another frontdesk process\n  fix: stop the running bot first (sled allows one process at a time), or pass another --data directory")]
    Locked { path: PathBuf },
    #[error("cannot open the database at {path}: {reason}\n  fix: {fix}")]
    Open {
        path: PathBuf,
        reason: String,
        fix: String,
    },
    #[error("{path} holds files that are not a frontdesk database\n  fix: point `data_dir` (or --data) at an empty or new directory; frontdesk will not write into someone else's files")]
    Foreign { path: PathBuf },
    #[error("the database at {path} is damaged: sled opened it but its records are gone (often a power loss, a full disk or an incomplete copy)\n  fix: move the directory aside and restore your latest backup, or start with an empty data_dir; frontdesk's catch-up then re-reads the last 24 hours of Discord history")]
    Damaged { path: PathBuf },
    #[error("the database at {path} was written by a newer frontdesk (schema {found}, this version reads up to {supported})\n  fix: run the newer frontdesk, or restore a backup made by this version")]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("database I/O failed: {0}\n  fix: check free disk space and permissions of the data directory; the last flushed state is kept")]
    Io(#[from] sled::Error),
    #[error("database flush failed: {0}\n  fix: check free disk space and permissions of the data directory; the last flushed state is kept, and catch-up rebuilds from Discord what was not written")]
    FlushFailed(String),
    #[error("a stored {what} could not be read ({reason}); it was skipped\n  fix: export the database and report this; other records are unaffected")]
    Corrupt { what: &'static str, reason: String },
}

/// What a committed change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Committed {
    /// Written. `deliver` holds the change's outbox entries as stored: the new ones, or one
    /// already there under the same key (it was not replaced).
    Stored { deliver: Vec<Pending> },
    /// Another handler already claimed this message: nothing was written.
    AlreadyClaimed,
}

/// One event's worth of writes, applied atomically by [`Store::commit`].
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// Claim this message id for the conversation; if it is already claimed, abort everything.
    pub claim: Option<MessageId>,
    pub conversation: Option<Conversation>,
    /// When the conversation next needs a tick.
    pub wake_at: Option<Timestamp>,
    pub message: Option<MessageRecord>,
    pub outbox: Vec<OutboxItem>,
    /// Numbers the outbox items (see [`crate::core::Notice::wait`]).
    pub wait: u32,
    pub checkpoint: Option<(ChannelId, MessageId)>,
    pub now: Option<Timestamp>,
}

/// Outbox entries handed out for delivery before their change is written (see
/// [`Store::hand_out`]). Dropped without [`Store::commit_handed_out`] (a task cancelled at
/// shutdown), it takes them back: they were never stored, and catch-up rebuilds the change.
#[derive(Debug)]
pub struct Handout {
    pub deliver: Vec<Pending>,
    keys: Vec<OutboxKey>,
    handed: Arc<handed::HandedOut>,
}

impl Drop for Handout {
    fn drop(&mut self) {
        for key in &self.keys {
            self.handed.settle(key);
        }
    }
}

/// The identity of one outbox entry: made by the store, handed back to it to mark the entry
/// delivered. Opaque elsewhere, except as stable bytes (for Discord nonces).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutboxKey(Vec<u8>);

impl OutboxKey {
    /// The key's bytes: the same for the same entry across restarts.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A pending outbox entry with the key that completes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub key: OutboxKey,
    pub record: OutboxRecord,
}

#[derive(Clone)]
pub struct Store {
    db: Db,
    path: PathBuf,
    meta: Tree,
    conversations: Tree,
    messages: Tree,
    /// Per conversation, what the in-memory index needs (see `index`).
    heads: Tree,
    claims: Tree,
    /// The newest ids `heads` and `claims` hold: a live message's lookups stop here.
    heads_top: Arc<ceiling::Ceiling>,
    claims_top: Arc<ceiling::Ceiling>,
    outbox: Tree,
    checkpoints: Tree,
    replies: Tree,
    dm_channels: Tree,
    /// Read from `heads` at open, updated by every commit.
    index: Arc<RwLock<index::Index>>,
    /// The owner's away notice, read by every customer message: kept next to its record.
    away: Arc<RwLock<Option<Away>>>,
    /// Outbox entries being delivered before their commit is written.
    handed: Arc<handed::HandedOut>,
    /// Shared by every clone, so all handlers join the same group commit.
    group: Arc<group::GroupFlush>,
    async_group: Arc<group::AsyncGroupFlush>,
}

impl Store {
    /// Opens (or creates, owner-only) the database in `path`, flushed in the background
    /// every [`crate::config::DEFAULT_FLUSH_EVERY`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_flushing_every(path, crate::config::DEFAULT_FLUSH_EVERY)
    }

    /// Opens the database; sled makes writes durable in the background every `flush_every`
    /// (besides the explicit [`Store::flush`]es).
    pub fn open_flushing_every(
        path: &Path,
        flush_every: jiff::SignedDuration,
    ) -> Result<Store, StoreError> {
        let flush_ms = u64::try_from(flush_every.as_millis()).unwrap_or(200).max(1);
        // Written once the schema is stamped: sled silently starts empty on a database whose
        // log is unreadable, and without this mark that would pass for a first start.
        let marked = path.join(MARKER).exists();
        if path.is_dir() && !looks_like_sled(path)? {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
            });
        }
        create_private_dir(path).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
            fix: "create the directory yourself or choose one this user may write to".into(),
        })?;
        let open = || {
            sled::Config::new()
                .path(path)
                // Small: what the intake touches is the tails of a few growing trees, and the
                // rest is read rarely (ticks, commands). 16 MiB cost ~5 MiB more RSS at 100,000
                // conversations, mostly pages read once at open, for no intake speed
                // (BENCHMARKS.md §3).
                .cache_capacity(4 * 1024 * 1024)
                .flush_every_ms(Some(flush_ms))
                .open()
                .map_err(|e| open_error(path, e))
        };
        // sled's background flusher lets go of the lock up to one flush interval after the
        // last handle is dropped, so a reopen in the same process (a restart of the bot,
        // `demo`, tests) can find it still held: wait that long before calling it in use.
        let patience = 10 + flush_ms / 100;
        let mut tries = 0;
        let db = loop {
            match open() {
                Err(StoreError::Locked { .. }) if tries < patience => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => break other?,
            }
        };
        let tree = |name: &str| db.open_tree(name);
        let heads = tree("heads")?;
        let claims = tree("claims")?;
        let store = Store {
            path: path.to_path_buf(),
            meta: tree("meta")?,
            conversations: tree("conversations")?,
            messages: tree("messages")?,
            heads_top: Arc::new(ceiling::Ceiling::of(&heads)?),
            claims_top: Arc::new(ceiling::Ceiling::of(&claims)?),
            heads,
            claims,
            outbox: tree("outbox")?,
            checkpoints: tree("checkpoints")?,
            replies: tree("replies")?,
            dm_channels: tree("dm_channels")?,
            index: Arc::default(),
            away: Arc::default(),
            handed: Arc::default(),
            group: Arc::default(),
            async_group: Arc::default(),
            db,
        };
        store.check_schema(marked)?;
        store.load_memory()?;
        store.secure_files();
        if !marked {
            write_marker(path).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                reason: e.to_string(),
                fix: "check that the data directory is writable by this user and the disk is not full".into(),
            })?;
        }
        Ok(store)
    }

    fn check_schema(&self, marked: bool) -> Result<(), StoreError> {
        match self.meta.get("schema_version")? {
            Some(v) => {
                let found = v
                    .as_ref()
                    .try_into()
                    .map(u32::from_be_bytes)
                    .unwrap_or(u32::MAX);
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        path: self.path.clone(),
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                // Older layouts are brought up to this one. Layouts 1 and 2 get layout 3's
                // heads; 3 → 4 rewrites nothing, as layout 3's records are read as they are.
                if found < 2 {
                    // Writes layout 3's heads directly.
                    self.migrate_to_heads()?;
                } else if found == 2 {
                    self.compact_heads()?;
                }
                if found < SCHEMA_VERSION {
                    tracing::info!(
                        from = found,
                        to = SCHEMA_VERSION,
                        "migrated the database layout"
                    );
                    self.meta
                        .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                    self.db.flush()?;
                }
                Ok(())
            }
            // Marked as holding a frontdesk database, yet no schema: the records were lost.
            None if marked => Err(StoreError::Damaged {
                path: self.path.clone(),
            }),
            None if self.conversations.is_empty() => {
                self.meta
                    .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                self.meta
                    .insert("created_by", env!("CARGO_PKG_VERSION").as_bytes())?;
                self.db.flush()?;
                Ok(())
            }
            None => Err(StoreError::Foreign {
                path: self.path.clone(),
            }),
        }
    }

    /// Layout 1 → 2: one head per conversation replaces the three index trees. Reads every
    /// conversation once (a one-time cost in time and memory, on the first start of this
    /// version); the heads are flushed before the old trees go.
    fn migrate_to_heads(&self) -> Result<(), StoreError> {
        for entry in self.conversations.iter() {
            let (_, v) = entry?;
            match from_json::<ConversationRecord>(&v, "conversation") {
                Ok(r) => {
                    self.put_head(&head_of(&r))?;
                }
                Err(e) => tracing::error!(error = %e, "skipping unreadable conversation"),
            }
        }
        self.db.flush()?;
        for old in ["by_key", "by_customer", "wake"] {
            self.db.drop_tree(old)?;
        }
        Ok(())
    }

    /// Layout 2 → 3: rewrites every head in the compact encoding; flushed before the new
    /// schema number is stamped, so a crash halfway migrates again from the start (a head
    /// already rewritten is recognised and kept).
    fn compact_heads(&self) -> Result<(), StoreError> {
        for entry in self.heads.iter() {
            let (k, v) = entry?;
            let Some(id) = keys::read_u64(&k, 0).map(MessageId) else {
                continue;
            };
            match index::Head::decode_layout_2(id, &v) {
                Some(h) => {
                    self.put_head(&h)?;
                }
                None if index::Head::decode(id, &v).is_some() => {}
                None => tracing::error!(key = ?k, "skipping an unreadable conversation head"),
            }
        }
        self.db.flush()?;
        Ok(())
    }

    /// Rebuilds the in-memory index from the heads and reads the away notice.
    fn load_memory(&self) -> Result<(), StoreError> {
        let mut index = index::Builder::default();
        for entry in self.heads.iter() {
            let (k, v) = entry?;
            // A second access to each head's page, so sled's cache can let go of the pages
            // read here: its LRU only takes in accesses in batches of 64 per shard (of 256),
            // and a plain scan touches each of ~11,700 pages (at 100,000 conversations) once,
            // too few for most shards ever to evict. ~2 MiB less at READY for ~25 ms
            // (BENCHMARKS.md §3).
            self.heads.get(&k)?;
            let head = keys::read_u64(&k, 0).and_then(|id| index::Head::decode(MessageId(id), &v));
            match head {
                Some(h) => index.add(&h),
                None => tracing::error!(
                    key = ?k,
                    "skipping an unreadable conversation head; export the database and report this"
                ),
            }
        }
        *self.index_mut() = index.finish();
        *self.away.write().unwrap_or_else(|p| p.into_inner()) = self.read_away()?;
        Ok(())
    }

    // The guarded values are replaced or updated by single calls that cannot panic halfway,
    // so a poisoned lock still guards a consistent value.
    fn index(&self) -> RwLockReadGuard<'_, index::Index> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn index_mut(&self) -> RwLockWriteGuard<'_, index::Index> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every write so far durable (fsync). Concurrent callers share one fsync (group
    /// commit, see `group`): the answer still comes only after an fsync that started after
    /// this call.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.group.flush(|| self.db.flush().map(|_| ()))?;
        Ok(())
    }

    /// [`Store::flush`] for async code: a group commit whose waiters are futures, with one
    /// blocking thread at most doing the fsyncs.
    ///
    /// Not sled's own `flush_async`: each of those occupies one of sled's few I/O threads
    /// while it waits for the log to become stable, and a burst of them (one per delivered
    /// acknowledgement) took every thread, leaving none to write the log: sled hung. Nor a
    /// blocking thread per call: a burst of deliveries started hundreds of them.
    pub async fn flush_async(&self) -> Result<(), StoreError> {
        let db = self.db.clone();
        self.async_group
            .flush(move || db.flush().map(|_| ()))
            .await
            .map_err(StoreError::FlushFailed)
    }

    /// Makes every file and folder in the data directory the owner's alone. sled creates its
    /// files with the process umask (often 0644); the directory itself is 0700, so this is a
    /// second fence, for a directory later copied or re-permissioned. Called on open and on
    /// shutdown (sled may add snapshot files while running).
    pub fn secure_files(&self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut dirs = vec![self.path.clone()];
            while let Some(dir) = dirs.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let path = entry.path();
                    let Ok(meta) = entry.metadata() else { continue };
                    let mode = if meta.is_dir() {
                        dirs.push(path.clone());
                        0o700
                    } else {
                        0o600
                    };
                    if meta.permissions().mode() & 0o077 != 0 {
                        if let Err(e) =
                            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                        {
                            tracing::warn!(path = %path.display(), error = %e, "cannot make a database file private");
                        }
                    }
                }
            }
        }
    }

    /// Applies one event's writes, the commit record last (see the comment inside).
    pub fn commit(&self, change: &Change) -> Result<Committed, StoreError> {
        let conv_record = change
            .conversation
            .as_ref()
            .map(|c| ConversationRecord::new(c, change.wake_at));
        let conv_json = conv_record.as_ref().map(to_json).transpose()?;
        // The message that opens a conversation travels in its record (layout 4); the log
        // holds the rest.
        let logged = change.message.as_ref().filter(|m| {
            change
                .conversation
                .as_ref()
                .is_none_or(|c| m.id != c.id || c.opening.is_none())
        });
        let message_json = logged.map(to_json).transpose()?;
        let mut outbox = Vec::new();
        for (key, record) in outbox_records(change) {
            let json = to_json(&record)?;
            outbox.push((key, record, json));
        }
        let reply_json = conv_record
            .as_ref()
            .and_then(|r| {
                r.first_reply_at.map(|at| ReplyRecord {
                    v: RECORD_VERSION,
                    conversation: r.id,
                    topic: r.topic.clone(),
                    opened_at: r.opened_at,
                    first_reply_at: at,
                })
            })
            .map(|r| to_json(&r))
            .transpose()?;

        // No sled transaction (nor batch): both take a process-wide write lock that, once used,
        // turns every later read into a shared-lock acquisition, and under load that lock
        // deadlocked against sled's own flusher (BENCHMARKS.md §4). Instead:
        // - Isolation comes from the desk's locks: every change to one conversation, and every
        //   claim of one message, happens under the same stripe lock, so check-then-write is
        //   safe here.
        // - Crash atomicity comes from order: sled recovers a prefix of its log, and one write,
        //   the commit record, comes last, so a durable commit record means the whole change
        //   is durable. A change cut short leaves its message unclaimed, and catch-up stores
        //   it again. The commit record is the message's claim; for the message that opens a
        //   conversation it is the conversation's head instead (a conversation's id is its
        //   first message's id), which saves a write on the path of every new customer.
        let conversation = change.conversation.as_ref().zip(conv_record.as_ref());
        // The head as stored: what the in-memory index holds for this conversation. Read from
        // `heads`, not derived from the old record, so a record left by a change cut short
        // (written, but its head not) counts as new, as the index never saw it.
        let stored_head = match conversation {
            Some((c, _)) => self.stored_head(c.id)?,
            None => None,
        };
        let old_head = stored_head
            .as_ref()
            .zip(conversation)
            .and_then(|(v, (c, _))| decode_head(c.id, v));
        // The message opens this conversation: its head, written below, will be its claim,
        // and the head just read says whether it is already claimed that way.
        let opened_here = conversation.is_some_and(|(c, _)| change.claim == Some(c.id));
        if let Some(msg) = change.claim {
            let claimed = if opened_here {
                self.claimed_besides_head(msg, stored_head.is_some())?
            } else {
                self.is_claimed(msg)?
            };
            if claimed {
                return Ok(Committed::AlreadyClaimed);
            }
        }
        let mut deliver = Vec::new();
        let mut head_write = None;
        if let (Some((c, record)), Some(json)) = (conversation, &conv_json) {
            let id = keys::id(c.id.0);
            let old = self.conversations.insert(id, json.as_slice())?;
            if let (Some(m), Some(json)) = (logged, &message_json) {
                self.messages
                    .insert(keys::pair(c.id.0, m.id.0), json.as_slice())?;
            }
            if let (Some(at), Some(json)) = (c.first_reply_at, &reply_json) {
                // Decoded only when there is a first reply to compare: most changes have none.
                let first_reply_is_new = old
                    .and_then(|o| serde_json::from_slice::<ConversationRecord>(&o).ok())
                    .is_none_or(|o| o.first_reply_at.is_none());
                if first_reply_is_new {
                    self.replies.insert(
                        keys::pair(at.as_millisecond() as u64, c.id.0),
                        json.as_slice(),
                    )?;
                }
            }
            for (key, record, json) in outbox {
                // An entry already there may be on its way to Discord: never replace it.
                let stored =
                    match self
                        .outbox
                        .compare_and_swap(key, None as Option<&[u8]>, Some(json))?
                    {
                        Ok(()) => Some(record),
                        Err(there) => there
                            .current
                            .and_then(|v| from_json(&v, "outbox entry").ok()),
                    };
                deliver.extend(stored.map(|record| Pending {
                    key: OutboxKey(key.to_vec()),
                    record,
                }));
            }
            head_write = Some(head_of(record));
        }
        if let Some((channel, msg)) = change.checkpoint {
            let key = keys::id(channel.0);
            let newer = self
                .checkpoints
                .get(key)?
                .and_then(|v| keys::read_u64(&v, 0))
                .is_none_or(|old| old < msg.0);
            if newer {
                self.checkpoints.insert(key, &keys::id(msg.0))?;
            }
        }
        if let Some(head) = head_write {
            // Rewritten only when the index would change: most updates leave it alone.
            if old_head.as_ref() != Some(&head) {
                self.put_head(&head)?;
            }
            self.index_mut().record(&head, old_head.as_ref());
        }
        if let Some(msg) = change.claim.filter(|_| !opened_here) {
            let owner = change.conversation.as_ref().map_or(msg, |c| c.id);
            self.put_claim(msg, owner)?;
        }
        Ok(Committed::Stored { deliver })
    }

    /// The outbox entries `change` would store, for delivery before the change is written:
    /// `None` if its message is claimed already. The entries count as pending (and their
    /// delivery marks are kept) until [`Store::commit_handed_out`] writes the change. The
    /// caller makes sure nothing else commits for the same conversation or message in
    /// between (the desk holds the customer's place for it).
    pub fn hand_out(&self, change: &Change) -> Result<Option<Handout>, StoreError> {
        if let Some(msg) = change.claim {
            if self.is_claimed(msg)? {
                return Ok(None);
            }
        }
        let deliver: Vec<Pending> = outbox_records(change)
            .into_iter()
            .map(|(key, record)| Pending {
                key: OutboxKey(key.to_vec()),
                record,
            })
            .collect();
        let keys: Vec<OutboxKey> = deliver.iter().map(|p| p.key.clone()).collect();
        self.handed.add(keys.iter().cloned());
        Ok(Some(Handout {
            deliver,
            keys,
            handed: self.handed.clone(),
        }))
    }

    /// Commits a change whose outbox entries were handed out: entries delivered meanwhile
    /// are removed once written, the rest stay pending as after [`Store::commit`].
    pub fn commit_handed_out(
        &self,
        change: &Change,
        mut handout: Handout,
    ) -> Result<Committed, StoreError> {
        let committed = self.commit(change);
        let mut removed = Ok(());
        for key in std::mem::take(&mut handout.keys) {
            if self.handed.settle(&key) && committed.is_ok() {
                removed = removed.and(self.outbox.remove(key.0).map(|_| ()));
            }
        }
        let committed = committed?;
        removed?;
        Ok(committed)
    }

    /// Records a DM conversation's private staff thread, so staff messages there find it.
    pub fn set_relay(&self, id: ConversationId, thread: ChannelId) -> Result<(), StoreError> {
        self.update(id, |c| c.relay = Some(thread))
    }

    /// Records that a conversation got its own thread, so messages there find it.
    pub fn set_thread(&self, id: ConversationId, thread: ChannelId) -> Result<(), StoreError> {
        self.update(id, |c| c.thread = Some(thread))
    }

    /// Changes a stored conversation outside the core's events (what Discord assigned to it),
    /// keeping its wake-up time and indexes consistent.
    fn update(
        &self,
        id: ConversationId,
        change: impl FnOnce(&mut Conversation),
    ) -> Result<(), StoreError> {
        let Some(record) = self.record(id)? else {
            return Ok(());
        };
        let wake_at = record.wake_at;
        let mut conv = record.into_conversation();
        change(&mut conv);
        self.commit(&Change {
            conversation: Some(conv),
            wake_at,
            ..Change::default()
        })?;
        Ok(())
    }

    fn record(&self, id: ConversationId) -> Result<Option<ConversationRecord>, StoreError> {
        self.conversations
            .get(keys::id(id.0))?
            .map(|v| from_json(&v, "conversation"))
            .transpose()
    }

    pub fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        Ok(self.record(id)?.map(ConversationRecord::into_conversation))
    }

    /// The latest conversation for a place and customer, whatever its state.
    pub fn latest_for(&self, key: &ConversationKey) -> Result<Option<Conversation>, StoreError> {
        let latest = self.index().latest(key);
        match latest {
            Some(id) => self.conversation(id),
            None => Ok(None),
        }
    }

    /// The conversation a message was claimed for, if any: the one it opened, or the one
    /// its claim names.
    pub fn conversation_of_message(
        &self,
        msg: MessageId,
    ) -> Result<Option<ConversationId>, StoreError> {
        if self.stored_head(msg)?.is_some() {
            return Ok(Some(msg));
        }
        Ok(self
            .claim(msg)?
            .and_then(|v| keys::read_u64(&v, 0))
            .map(MessageId))
    }

    /// Whether a message is stored: it opened a conversation or was claimed for one.
    pub fn is_claimed(&self, msg: MessageId) -> Result<bool, StoreError> {
        let opened = self.stored_head(msg)?.is_some();
        self.claimed_besides_head(msg, opened)
    }

    /// `is_claimed` for a caller that has already looked for the message's head.
    fn claimed_besides_head(&self, msg: MessageId, has_head: bool) -> Result<bool, StoreError> {
        Ok(has_head || self.claim(msg)?.is_some())
    }

    /// A conversation's head as stored, undecoded.
    fn stored_head(&self, id: ConversationId) -> Result<Option<sled::IVec>, StoreError> {
        if !self.heads_top.may_hold(id.0) {
            return Ok(None);
        }
        Ok(self.heads.get(keys::id(id.0))?)
    }

    // Every write to `heads` and `claims` goes through these two, which raise the ceiling
    // first: a key above it would be invisible to the lookups above.
    fn put_head(&self, head: &index::Head) -> Result<(), StoreError> {
        self.heads_top.raise(head.id.0);
        self.heads
            .insert(keys::id(head.id.0), head.encode().as_ref())?;
        Ok(())
    }

    fn put_claim(&self, msg: MessageId, owner: ConversationId) -> Result<(), StoreError> {
        self.claims_top.raise(msg.0);
        self.claims.insert(keys::id(msg.0), &keys::id(owner.0))?;
        Ok(())
    }

    /// A message's claim entry: the conversation it was stored for.
    fn claim(&self, msg: MessageId) -> Result<Option<sled::IVec>, StoreError> {
        if !self.claims_top.may_hold(msg.0) {
            return Ok(None);
        }
        Ok(self.claims.get(keys::id(msg.0))?)
    }

    /// How many conversations a customer has had.
    pub fn customer_conversation_count(&self, customer: UserId) -> u64 {
        self.index().of_customer(customer).count() as u64
    }

    /// A customer's conversations, newest first.
    pub fn customer_conversations(
        &self,
        customer: UserId,
    ) -> Result<Vec<Conversation>, StoreError> {
        let ids: Vec<ConversationId> = self.index().of_customer(customer).rev().collect();
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.conversation(id)?);
        }
        Ok(out)
    }

    /// Conversations whose wake-up time is at or before `now`.
    pub fn due(&self, now: Timestamp) -> Vec<ConversationId> {
        self.index().due(now)
    }

    /// Everything stored but not yet delivered to Discord, oldest conversation first.
    pub fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let mut out = Vec::new();
        for entry in self.outbox.iter() {
            let (k, v) = entry?;
            match from_json::<OutboxRecord>(&v, "outbox entry") {
                Ok(record) => out.push(Pending {
                    key: OutboxKey(k.to_vec()),
                    record,
                }),
                Err(e) => tracing::error!(error = %e, "skipping unreadable outbox entry"),
            }
        }
        Ok(out)
    }

    pub fn is_pending(&self, key: &OutboxKey) -> Result<bool, StoreError> {
        if let Some(pending) = self.handed.pending(key) {
            return Ok(pending);
        }
        Ok(self.outbox.contains_key(&key.0)?)
    }

    /// What is stored but not yet delivered for one conversation. Outbox keys start with the
    /// conversation id, so this reads only that conversation's entries: a backlog of other
    /// conversations (a burst, an outage) does not slow down the next acknowledgement.
    pub fn pending_for(&self, conversation: ConversationId) -> Result<Vec<Pending>, StoreError> {
        let mut out = Vec::new();
        for entry in self.outbox.scan_prefix(keys::id(conversation.0)) {
            let (k, v) = entry?;
            match from_json::<OutboxRecord>(&v, "outbox entry") {
                Ok(record) => out.push(Pending {
                    key: OutboxKey(k.to_vec()),
                    record,
                }),
                Err(e) => tracing::error!(error = %e, "skipping unreadable outbox entry"),
            }
        }
        Ok(out)
    }

    /// Marks an outbox entry delivered.
    pub fn complete(&self, key: &OutboxKey) -> Result<(), StoreError> {
        if self.handed.complete(key) {
            return Ok(());
        }
        self.outbox.remove(&key.0)?;
        Ok(())
    }

    /// Logs a message frontdesk itself sent into a conversation.
    pub fn log_message(
        &self,
        conversation: ConversationId,
        record: &MessageRecord,
    ) -> Result<(), StoreError> {
        self.messages
            .insert(keys::pair(conversation.0, record.id.0), to_json(record)?)?;
        self.put_claim(record.id, conversation)
    }

    /// A conversation's messages, oldest first: the opening one (carried by the conversation,
    /// or from the log for conversations stored before layout 4), then the log. Takes the
    /// conversation its callers have already read, so its record is not read again.
    pub fn messages(&self, conversation: &Conversation) -> Result<Vec<MessageRecord>, StoreError> {
        let mut out: Vec<MessageRecord> = MessageRecord::opening_of(conversation)
            .into_iter()
            .collect();
        for entry in self.messages.scan_prefix(keys::id(conversation.id.0)) {
            let (_, v) = entry?;
            let m: MessageRecord = from_json(&v, "message")?;
            // In the record and in the log: a change cut short before layout 4 logged it,
            // and catch-up stored it again since.
            if out.first().is_none_or(|o| o.id != m.id) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Every conversation, oldest first.
    pub fn conversations(&self) -> impl Iterator<Item = Result<Conversation, StoreError>> + '_ {
        self.conversations.iter().map(|entry| {
            let (_, v) = entry?;
            from_json::<ConversationRecord>(&v, "conversation")
                .map(ConversationRecord::into_conversation)
        })
    }

    pub fn conversation_count(&self) -> usize {
        self.conversations.len()
    }

    /// The most recent first replies, newest first.
    pub fn recent_replies(&self, limit: usize) -> Result<Vec<ReplyRecord>, StoreError> {
        let mut out = Vec::new();
        for entry in self.replies.iter().rev().take(limit) {
            let (_, v) = entry?;
            out.push(from_json(&v, "reply")?);
        }
        Ok(out)
    }

    /// First replies at or after `since`, oldest first.
    pub fn replies_since(&self, since: Timestamp) -> Result<Vec<ReplyRecord>, StoreError> {
        let start = keys::pair(since.as_millisecond().max(0) as u64, 0);
        let mut out = Vec::new();
        for entry in self.replies.range(start.as_slice()..) {
            let (_, v) = entry?;
            out.push(from_json(&v, "reply")?);
        }
        Ok(out)
    }

    pub fn checkpoint(&self, channel: ChannelId) -> Result<Option<MessageId>, StoreError> {
        Ok(self
            .checkpoints
            .get(keys::id(channel.0))?
            .and_then(|v| keys::read_u64(&v, 0))
            .map(MessageId))
    }

    /// Moves a channel's catch-up cursor forward (never back), over durable state only.
    ///
    /// Everything catch-up saw up to `to` was committed before this call (stored now or
    /// claimed by a live handler earlier), but maybe not flushed. Flushing first means a
    /// durable checkpoint never points past a message whose conversation a crash could
    /// still lose: after a crash, catch-up re-reads from the checkpoint and rebuilds it.
    pub fn advance_checkpoint(&self, channel: ChannelId, to: MessageId) -> Result<(), StoreError> {
        self.flush()?;
        self.commit(&Change {
            checkpoint: Some((channel, to)),
            ..Change::default()
        })?;
        Ok(())
    }

    /// Remembers a customer's DM channel: bots cannot list their DM channels later.
    /// Returns whether it was new (the caller makes that durable before answering: without
    /// it, catch-up could not find this DM after a crash).
    pub fn remember_dm_channel(
        &self,
        user: UserId,
        channel: ChannelId,
    ) -> Result<bool, StoreError> {
        let value = keys::id(channel.0);
        let old = self.dm_channels.insert(keys::id(user.0), &value)?;
        Ok(old.as_deref() != Some(value.as_slice()))
    }

    pub fn dm_channels(&self) -> Result<Vec<(UserId, ChannelId)>, StoreError> {
        let mut out = Vec::new();
        for entry in self.dm_channels.iter() {
            let (k, v) = entry?;
            if let (Some(u), Some(c)) = (keys::read_u64(&k, 0), keys::read_u64(&v, 0)) {
                out.push((UserId(u), ChannelId(c)));
            }
        }
        Ok(out)
    }

    pub fn away(&self) -> Option<Away> {
        self.away.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn read_away(&self) -> Result<Option<Away>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Raw {
            until: Option<Timestamp>,
            note: String,
        }
        Ok(self
            .meta
            .get("away")?
            .map(|v| from_json::<Raw>(&v, "away setting"))
            .transpose()?
            .map(|r| Away {
                until: r.until,
                note: r.note,
            }))
    }

    pub fn set_away(&self, away: Option<&Away>) -> Result<(), StoreError> {
        // Held across the write, so the record and the copy in memory change together.
        let mut cached = self.away.write().unwrap_or_else(|p| p.into_inner());
        match away {
            Some(a) => {
                let json = serde_json::json!({ "until": a.until, "note": a.note });
                self.meta.insert("away", to_json(&json)?)?;
            }
            None => {
                self.meta.remove("away")?;
            }
        }
        *cached = away.cloned();
        Ok(())
    }
}

/// A stored head, or `None` if this version cannot read it: logged, and treated as absent
/// (as at open, where the index never held it), so the next commit rewrites it.
fn decode_head(id: ConversationId, v: &[u8]) -> Option<index::Head> {
    let head = index::Head::decode(id, v);
    if head.is_none() {
        tracing::error!(conversation = %id, "rewriting an unreadable conversation head");
    }
    head
}

fn head_of(r: &ConversationRecord) -> index::Head {
    index::Head {
        id: r.id,
        customer: r.customer,
        key: ConversationKey::of(&r.place, r.customer),
        thread: r.thread,
        relay: r.relay,
        wake_at: r.wake_at.map(index::wake_second),
    }
}

/// The outbox entries a change stores, with their keys.
fn outbox_records(change: &Change) -> Vec<([u8; 21], OutboxRecord)> {
    let Some(c) = &change.conversation else {
        return Vec::new();
    };
    let created_at = change.now.unwrap_or_else(Timestamp::now);
    change
        .outbox
        .iter()
        .map(|item| {
            let (tag, step) = outbox_tag(item);
            let record = OutboxRecord {
                v: RECORD_VERSION,
                conversation: c.id,
                created_at,
                item: item.clone(),
            };
            (keys::outbox(c.id, change.wait, tag, step), record)
        })
        .collect()
}

fn outbox_tag(item: &OutboxItem) -> (u8, u64) {
    match item {
        OutboxItem::Ack { .. } => (b'a', 0),
        OutboxItem::Notice { kind } => match kind {
            NoticeKind::Opened => (b'o', 0),
            NoticeKind::Reopened => (b'r', 0),
            NoticeKind::FollowUp => (b'f', 0),
            NoticeKind::Reminder(n) => (b'm', u64::from(*n)),
        },
        OutboxItem::Close { .. } => (b'c', 0),
        // One per relayed message: the message id keeps them apart and in order.
        OutboxItem::RelayIn { source, .. } => (b'i', source.0),
        OutboxItem::RelayOut { source, .. } => (b'u', source.0),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        what: "record",
        reason: e.to_string(),
    })
}

fn from_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        what,
        reason: e.to_string(),
    })
}

/// A directory frontdesk may use: empty, or holding sled's own files.
fn looks_like_sled(path: &Path) -> Result<bool, StoreError> {
    let entries = std::fs::read_dir(path).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
        fix: "check that this user may read the data directory".into(),
    })?;
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    Ok(names.is_empty()
        || names
            .iter()
            .any(|n| n == "conf" || n == "db" || n == MARKER))
}

/// The file that says "a frontdesk database lives here", next to sled's own files.
const MARKER: &str = "FRONTDESK";

fn write_marker(dir: &Path) -> std::io::Result<()> {
    let text = format!(
        "A frontdesk database (schema {SCHEMA_VERSION}). Keep this file with the others: without it\na damaged database could not be told from a new one.\n"
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(dir.join(MARKER))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()
}

fn create_private_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !path.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(path)?;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(path)
    }
}

fn open_error(path: &Path, e: sled::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("lock") {
        return StoreError::Locked {
            path: path.to_path_buf(),
        };
    }
    let fix = match e {
        sled::Error::Corruption { .. } => "the database is damaged (often after a power loss): move the directory aside, restore your latest backup or start empty; frontdesk's catch-up then re-reads recent Discord history",
        sled::Error::Io(_) => "check that the directory exists, is writable by this user, and the disk is not full",
        _ => "move the directory aside and start frontdesk again; report the error if it persists",
    };
    StoreError::Open {
        path: path.to_path_buf(),
        reason: text,
        fix: fix.into(),
    }
}
