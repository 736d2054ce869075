//! Blocked users: one record each in the `blocked` tree, kept in memory too, as every
//! customer message asks whether its author is blocked.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{from_json, keys, to_json, Store, StoreError, RECORD_VERSION};
use crate::model::UserId;
use crate::sync::RwLockExt;

/// Who is blocked, by whom, when and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRecord {
    pub v: u32,
    pub user: UserId,
    pub by: UserId,
    pub at: Timestamp,
    #[serde(default)]
    pub reason: String,
}

impl BlockRecord {
    pub fn new(user: UserId, by: UserId, at: Timestamp, reason: &str) -> BlockRecord {
        BlockRecord {
            v: RECORD_VERSION,
            user,
            by,
            at,
            reason: reason.to_string(),
        }
    }
}

impl Store {
    pub fn is_blocked(&self, user: UserId) -> bool {
        self.blocked_users.reading().contains_key(&user)
    }

    /// Every blocked user, by id.
    pub fn blocked_users(&self) -> Vec<BlockRecord> {
        self.blocked_users.reading().values().cloned().collect()
    }

    pub(super) fn read_blocked(&self) -> Result<BTreeMap<UserId, BlockRecord>, StoreError> {
        let mut out = BTreeMap::new();
        for entry in self.blocked.iter() {
            let (_, v) = entry?;
            match from_json::<BlockRecord>(&v, "blocked user") {
                Ok(r) => {
                    out.insert(r.user, r);
                }
                Err(e) => tracing::error!(error = %e, "skipping an unreadable blocked user"),
            }
        }
        Ok(out)
    }

    /// Blocks a user; returns whether they were blocked already (the record is replaced).
    pub fn block(&self, record: &BlockRecord) -> Result<bool, StoreError> {
        // Held across the write, so the record and the copy in memory change together.
        let mut cached = self.blocked_users.writing();
        self.blocked
            .insert(keys::id(record.user.0), to_json(record)?)?;
        Ok(cached.insert(record.user, record.clone()).is_some())
    }

    /// Unblocks a user; returns whether they were blocked.
    pub fn unblock(&self, user: UserId) -> Result<bool, StoreError> {
        let mut cached = self.blocked_users.writing();
        self.blocked.remove(keys::id(user.0))?;
        Ok(cached.remove(&user).is_some())
    }
}
