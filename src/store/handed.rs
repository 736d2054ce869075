//! Outbox entries handed out for delivery before their commit is written: a new
//! conversation's acknowledgement goes out first and is stored a moment later (see
//! `Store::hand_out`). Until that commit, this map stands in for the outbox: such an entry is
//! pending, and a delivery mark on it is kept here and applied by the commit.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct HandedOut(Mutex<HashMap<Vec<u8>, bool>>);

impl HandedOut {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, bool>> {
        // Every update is one map operation: a poisoned lock still guards a consistent map.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add(&self, keys: impl IntoIterator<Item = Vec<u8>>) {
        let mut map = self.map();
        for key in keys {
            map.insert(key, false);
        }
    }

    /// Whether `key` is still to be delivered, if it is handed out; `None` if the outbox
    /// itself holds the answer.
    pub fn pending(&self, key: &[u8]) -> Option<bool> {
        self.map().get(key).map(|done| !done)
    }

    /// Records a delivery of a handed-out entry; false if `key` is not one (the outbox
    /// entry itself must be removed then).
    pub fn complete(&self, key: &[u8]) -> bool {
        match self.map().get_mut(key) {
            Some(done) => {
                *done = true;
                true
            }
            None => false,
        }
    }

    /// Ends the hand-out of `key`, once its commit is written (or failed): whether it was
    /// delivered meanwhile, so the written entry must go.
    pub fn settle(&self, key: &[u8]) -> bool {
        self.map().remove(key).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handed_out_entry_is_pending_until_delivered_and_settled_once() {
        let h = HandedOut::default();
        h.add([b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(h.pending(b"a"), Some(true));
        assert_eq!(h.pending(b"c"), None);
        assert!(h.complete(b"a"));
        assert!(!h.complete(b"c"));
        assert_eq!(h.pending(b"a"), Some(false));
        assert!(h.settle(b"a"));
        assert!(!h.settle(b"b"));
        assert_eq!(h.pending(b"a"), None);
        assert!(!h.complete(b"a"), "after the commit the outbox answers");
    }
}
