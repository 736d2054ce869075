//! The sled database: conversations, their messages, the heads the in-memory index that finds
//! them is rebuilt from (`index`), the outbox of things that must reach Discord, per-channel
//! checkpoints, and the schema version.
//!
//! By what it holds: `open` finds, opens and secures the data directory; `schema` stamps and
//! migrates the layout; `commit` applies one event's writes; `outbox` keeps what must reach
//! Discord;
//! `conversations` answers reads; `checkpoints` holds catch-up's cursors and DM channels;
//! `away` the owner's away notice.
//!
//! Only this module touches sled. Every change an event causes ends with one commit record
//! (the message's claim, or the head of the conversation it opens), so a crash leaves either
//! all of it or an unclaimed message that catch-up handles again. Writes
//! become durable within the flush interval or at an explicit [`Store::flush`]; checkpoints
//! only ever cover flushed state.

mod away;
mod blocked;
mod checkpoints;
mod commit;
mod conversations;
mod digest;
mod forget;
mod group;
mod health;
mod index;
mod keys;
mod logins;
mod notice_posts;
mod open;
mod outbox;
pub mod records;
mod schema;
mod stats;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use jiff::Timestamp;
use sled::{Db, Tree};

use crate::core::{Away, Conversation};
use crate::model::{ChannelId, MessageId};
use crate::sync::RwLockExt;
pub use blocked::BlockRecord;
pub use forget::Forgotten;
pub use group::FLUSH_DEADLINE;
pub use health::{Health, HEALTH_FILE};
pub use keys::OutboxKey;
pub use notice_posts::NoticePost;
pub use records::{
    ConversationRecord, MessageRecord, OpeningRecord, OutboxItem, OutboxRecord, RatingFormRecord,
    RatingRecord, ReplyRecord, RECORD_VERSION,
};

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
    #[error("the database did not finish writing within {secs} s (its disk or its open files: see the earlier errors in the log)\n  fix: check free disk space, the data directory's permissions and the open-file limit (LimitNOFILE), then restart frontdesk; the last flushed state is kept, and catch-up rebuilds from Discord what was not written")]
    FlushStalled { secs: u64 },
    #[error("a stored {what} could not be read ({reason}); it was skipped\n  fix: export the database and report this; other records are unaffected")]
    Corrupt { what: &'static str, reason: String },
}

/// The database layout this version reads and writes. 2: the place, customer and wake-up
/// indexes live in memory, rebuilt at open from one small `heads` record per conversation
/// (layout 1 kept three index trees). 3: heads are variable-length, most 22 bytes or fewer
/// (sled's inline size), and the message that opens a conversation is claimed by the
/// conversation's head, not by a `claims` entry (layout 2's such claims stay true). 4: that
/// message is kept in the conversation's record, not in `messages` (layout 3's such messages
/// stay where they are; the stamp keeps older versions, which would drop it, away). 5: a head
/// says whether its conversation waits for a reply (the dashboard's queue, without a scan);
/// older heads are rewritten from the records once. 6: a head says whether its conversation
/// holds an open promise (the queue's promises, without a scan) and whether it is resolved
/// (the resolved list pages through the heads); rewritten the same way.
pub const SCHEMA_VERSION: u32 = 6;

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
    /// The conversation's line in the statistics, when the desk computed it.
    pub stats: Option<crate::stats::Entry>,
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
    outbox: Tree,
    checkpoints: Tree,
    replies: Tree,
    dm_channels: Tree,
    /// Blocked users (see `blocked`).
    blocked: Tree,
    /// The notice messages showing each conversation's row (see `notice_posts`).
    notice_posts: Tree,
    /// One statistics entry per conversation (see `stats`).
    stats: Tree,
    /// Read from `stats` at open, updated by every commit that carries an entry.
    aggregate: Arc<RwLock<crate::stats::Aggregate>>,
    /// Read from `heads` at open, updated by every commit.
    index: Arc<RwLock<index::Index>>,
    /// The owner's away notice, read by every customer message: kept next to its record.
    away: Arc<RwLock<Option<Away>>>,
    /// The `blocked` tree, read by every customer message: kept in memory too.
    blocked_users: Arc<RwLock<std::collections::BTreeMap<crate::model::UserId, BlockRecord>>>,
    /// Shared by every clone, so all handlers join the same group commit.
    group: Arc<group::GroupFlush>,
    /// The last clone to go waits for the flusher to let go of the database.
    _last: Arc<group::LastHandle>,
    /// The first write error since the last good flush, for the web page and `doctor`.
    health: Arc<health::Monitor>,
}

impl Store {
    // The guarded values are replaced or updated by single calls that cannot panic halfway,
    // so a poisoned lock still guards a consistent value.
    fn index(&self) -> RwLockReadGuard<'_, index::Index> {
        self.index.reading()
    }

    fn index_mut(&self) -> RwLockWriteGuard<'_, index::Index> {
        self.index.writing()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every write so far durable (fsync). Concurrent callers share one fsync (group
    /// commit, see `group`): the answer still comes only after an fsync that started after
    /// this call, or an error at [`FLUSH_DEADLINE`].
    pub fn flush(&self) -> Result<(), StoreError> {
        let result = self.group.flush(self.fsync());
        self.noted(result.map_err(StoreError::from))
    }

    /// [`Store::flush`] for async code: the waiters are futures, not threads.
    ///
    /// Not sled's own `flush_async`: each of those occupies one of sled's few I/O threads
    /// while it waits for the log to become stable, and a burst of them (one per delivered
    /// acknowledgement) took every thread, leaving none to write the log: sled hung.
    pub async fn flush_async(&self) -> Result<(), StoreError> {
        let result = self.group.flush_async(self.fsync()).await;
        self.noted(result.map_err(StoreError::from))
    }

    fn fsync(&self) -> impl Fn() -> Result<(), String> + Send + 'static {
        let db = self.db.clone();
        move || db.flush().map(|_| ()).map_err(|e| e.to_string())
    }

    /// Whether the database is writing (see `health`).
    pub fn health(&self) -> Health {
        self.health.current()
    }

    /// Records a flush's outcome in the store's health: success clears it, failure sets it.
    fn noted<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match &result {
            Ok(_) => self.health.succeeded(),
            Err(e) => self.health.failed(e),
        }
        result
    }

    /// Records a write that failed for I/O in the store's health (a good flush clears it).
    pub(super) fn note_write<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(e @ StoreError::Io(_)) = &result {
            self.health.failed(e);
        }
        result
    }
}

impl From<group::FlushError> for StoreError {
    fn from(e: group::FlushError) -> StoreError {
        match e {
            group::FlushError::Failed(reason) => StoreError::FlushFailed(reason),
            group::FlushError::Stalled(d) => StoreError::FlushStalled { secs: d.as_secs() },
        }
    }
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        what: "record",
        reason: e.to_string(),
    })
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        what,
        reason: e.to_string(),
    })
}
