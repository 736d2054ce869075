//! The schema version stamped in the database, and the migrations from older layouts.

use super::commit::head_of;
use super::records::ConversationRecord;
use super::{from_json, Store, StoreError, SCHEMA_VERSION};

impl Store {
    pub(super) fn check_schema(&self, marked: bool) -> Result<(), StoreError> {
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
                    // Writes this layout's heads directly.
                    self.migrate_to_heads()?;
                } else if found < 6 {
                    // Layout 2's heads become compact (3), and every head learns whether its
                    // conversation waits (5), holds a promise and is resolved (6): all by
                    // rewriting the heads from the records.
                    self.heads_from_records()?;
                }
                if found < SCHEMA_VERSION {
                    tracing::info!(
                        from = found,
                        to = SCHEMA_VERSION,
                        "migrated the database layout"
                    );
                    self.meta
                        .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                    self.flush()?;
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
                self.flush()?;
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
    pub(super) fn migrate_to_heads(&self) -> Result<(), StoreError> {
        for entry in self.conversations.iter() {
            let (_, v) = entry?;
            match from_json::<ConversationRecord>(&v, "conversation") {
                Ok(r) => {
                    self.put_head(&head_of(&r))?;
                }
                Err(e) => tracing::error!(error = %e, "skipping unreadable conversation"),
            }
        }
        self.flush()?;
        for old in ["by_key", "by_customer", "wake"] {
            self.db.drop_tree(old)?;
        }
        Ok(())
    }

    /// Layouts 2 to 4 → 5: rewrites every head from its conversation's record (which says
    /// whether it waits). A one-time read of every record, flushed before the new schema
    /// number is stamped, so a crash halfway migrates again from the start.
    pub(super) fn heads_from_records(&self) -> Result<(), StoreError> {
        for entry in self.conversations.iter() {
            let (_, v) = entry?;
            match from_json::<ConversationRecord>(&v, "conversation") {
                Ok(r) => self.put_head(&head_of(&r))?,
                Err(e) => tracing::error!(error = %e, "skipping unreadable conversation"),
            }
        }
        self.flush()?;
        Ok(())
    }
}
