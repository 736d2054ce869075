//! The database read as the owner's records: every conversation with its transcript, for
//! `export` (the command, beside no running bot, or the dashboard's download from the running
//! one) and the demo's closing summary.

use std::path::Path;

use super::views::{ExportRow, TranscriptEntry};
use super::{Desk, DeskError};
use crate::core::Conversation;
use crate::store::Store;

/// A read-only view of the records. Cheap to make: it shares the store's handle.
pub struct Records {
    store: Store,
}

impl Records {
    /// Opens the database in `data_dir` for reading, when no bot holds it (sled allows one
    /// process at a time: the error says to stop the bot).
    pub fn open(data_dir: &Path) -> Result<Records, DeskError> {
        Ok(Records {
            store: Store::open(data_dir)?,
        })
    }

    /// Whether `data_dir` holds a frontdesk database (a bot has run there).
    pub fn exists_in(data_dir: &Path) -> bool {
        Store::exists_in(data_dir)
    }

    /// Every readable conversation, oldest first; an unreadable one is logged and skipped, so
    /// one damaged record does not cost the owner the rest.
    pub fn conversations(&self) -> impl Iterator<Item = Conversation> + '_ {
        self.store.conversations().filter_map(|c| {
            c.map_err(|e| tracing::error!(error = %e, "skipping an unreadable conversation"))
                .ok()
        })
    }

    /// A conversation's messages, oldest first.
    pub fn transcript(&self, conv: &Conversation) -> Result<Vec<TranscriptEntry>, DeskError> {
        Ok(self
            .store
            .messages(conv)?
            .into_iter()
            .map(TranscriptEntry::from)
            .collect())
    }

    /// Every readable conversation as an export row, oldest first, read one at a time (an
    /// export of 100,000 conversations does not sit in memory); with its transcript when
    /// `transcripts` is set.
    pub fn export_rows(
        &self,
        transcripts: bool,
    ) -> impl Iterator<Item = Result<ExportRow, DeskError>> + '_ {
        self.conversations().map(move |conv| {
            let messages = if transcripts {
                self.transcript(&conv)?
            } else {
                Vec::new()
            };
            Ok(ExportRow::of(&conv, messages))
        })
    }

    /// How many outbox entries are stored but not yet delivered.
    pub fn undelivered(&self) -> Result<usize, DeskError> {
        Ok(self.store.pending()?.len())
    }
}

impl Desk {
    /// The records of the running bot's database, for the dashboard's export.
    pub fn records(&self) -> Records {
        Records {
            store: self.store.clone(),
        }
    }
}
