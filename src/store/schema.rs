//! The schema version stamped in the database, and the migrations from older layouts.

use super::commit::head_of;
use super::records::ConversationRecord;
use super::{from_json, index, keys, Store, StoreError, SCHEMA_VERSION};
use crate::model::MessageId;

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
        self.db.flush()?;
        for old in ["by_key", "by_customer", "wake"] {
            self.db.drop_tree(old)?;
        }
        Ok(())
    }

    /// Layout 2 → 3: rewrites every head in the compact encoding; flushed before the new
    /// schema number is stamped, so a crash halfway migrates again from the start (a head
    /// already rewritten is recognised and kept).
    pub(super) fn compact_heads(&self) -> Result<(), StoreError> {
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
}
