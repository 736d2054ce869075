//! The statistics' entries (`stats` tree, one per conversation, keyed by its id) and the
//! in-memory [`Aggregate`] loaded from them at open and updated by every commit that
//! carries an entry. An entry is rewritten only when it changes: on opening, the first
//! personal reply, and a change of waiting state.
//!
//! A database written before this tree existed gets its entries once, from the stored
//! conversations ([`Store::build_stats`], called by the desk, which knows the business hours
//! the entries are counted in); the `meta` key `stats_built` records that it was done.

use super::{keys, Store, StoreError};
use crate::core::Conversation;
use crate::model::MessageId;
use crate::stats::{Aggregate, Entry};
use crate::sync::RwLockExt;

const BUILT: &str = "stats_built";

impl Store {
    /// Reads every entry into the in-memory aggregate (at open).
    pub(super) fn load_stats(&self) -> Result<(), StoreError> {
        let mut agg = Aggregate::default();
        for item in self.stats.iter() {
            let (k, v) = item?;
            // A second access to each entry's page, so sled's cache lets go of the pages this
            // scan reads, as for the heads (`load_memory`): 10–11 MiB less at 100,000.
            self.stats.get(&k)?;
            let entry = keys::read_u64(&k, 0).and_then(|id| Entry::decode(MessageId(id), &v));
            match entry {
                Some(e) => agg.replace(None, &e),
                None => tracing::error!(key = ?k, "skipping an unreadable statistics entry"),
            }
        }
        *self.aggregate.writing() = agg;
        Ok(())
    }

    /// Writes a conversation's entry if it changed, and updates the aggregate.
    pub(super) fn put_stats(&self, entry: &Entry) -> Result<(), StoreError> {
        let key = keys::id(entry.conversation.0);
        let bytes = entry.encode();
        let old = self.stats.get(key)?;
        if old.as_deref() == Some(bytes.as_slice()) {
            return Ok(());
        }
        self.stats.insert(key, bytes)?;
        let old = old.and_then(|v| Entry::decode(entry.conversation, &v));
        self.aggregate.writing().replace(old.as_ref(), entry);
        Ok(())
    }

    /// A forgotten conversation's entry stays, counted; it waits for nobody any more.
    pub(super) fn forget_stats_wait(
        &self,
        id: crate::core::ConversationId,
    ) -> Result<(), StoreError> {
        let Some(v) = self.stats.get(keys::id(id.0))? else {
            return Ok(());
        };
        if let Some(mut entry) = Entry::decode(id, &v).filter(|e| e.waiting) {
            entry.waiting = false;
            self.put_stats(&entry)?;
        }
        Ok(())
    }

    /// Whether the entries were built for every stored conversation.
    pub fn stats_built(&self) -> Result<bool, StoreError> {
        Ok(self.meta.get(BUILT)?.is_some())
    }

    /// Writes an entry for every stored conversation (`entry_of` counts it), then marks the
    /// statistics built; flushed before the mark, so a crash halfway builds them again.
    pub fn build_stats(
        &self,
        entry_of: impl Fn(&Conversation) -> Entry,
    ) -> Result<usize, StoreError> {
        let mut n = 0;
        for c in self.conversations() {
            match c {
                Ok(c) => {
                    self.put_stats(&entry_of(&c))?;
                    n += 1;
                }
                Err(e) => tracing::error!(error = %e, "skipping an unreadable conversation"),
            }
        }
        self.flush()?;
        self.meta.insert(BUILT, &[1])?;
        self.flush()?;
        Ok(n)
    }

    /// Reads the aggregate.
    pub fn with_stats<R>(&self, read: impl FnOnce(&Aggregate) -> R) -> R {
        read(&self.aggregate.reading())
    }
}
