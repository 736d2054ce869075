//! Outbox entries handed out for delivery before their commit is written: a new
//! conversation's acknowledgement goes out first and is stored a moment later (see
//! `Store::hand_out`). Until that commit, this map stands in for the outbox: such an entry is
//! pending, and a delivery mark on it is kept here and applied by the commit.

use std::collections::HashMap;
use std::sync::Mutex;

use super::keys::OutboxKey;
use crate::sync::LockExt;

#[derive(Debug, Default)]
pub struct HandedOut(Mutex<HashMap<OutboxKey, bool>>);

impl HandedOut {
    pub fn add(&self, keys: impl IntoIterator<Item = OutboxKey>) {
        let mut map = self.0.locked();
        for key in keys {
            map.insert(key, false);
        }
    }

    /// Whether `key` is still to be delivered, if it is handed out; `None` if the outbox
    /// itself holds the answer.
    pub fn pending(&self, key: &OutboxKey) -> Option<bool> {
        self.0.locked().get(key).map(|done| !done)
    }

    /// Records a delivery of a handed-out entry; false if `key` is not one (the outbox
    /// entry itself must be removed then).
    pub fn complete(&self, key: &OutboxKey) -> bool {
        match self.0.locked().get_mut(key) {
            Some(done) => {
                *done = true;
                true
            }
            None => false,
        }
    }

    /// Ends the hand-out of `key`, once its commit is written (or failed): whether it was
    /// delivered meanwhile, so the written entry must go.
    pub fn settle(&self, key: &OutboxKey) -> bool {
        self.0.locked().remove(key).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handed_out_entry_is_pending_until_delivered_and_settled_once() {
        let key = |k: &[u8]| OutboxKey(k.to_vec());
        let (a, b, c) = (key(b"a"), key(b"b"), key(b"c"));
        let h = HandedOut::default();
        h.add([a.clone(), b.clone()]);
        assert_eq!(h.pending(&a), Some(true));
        assert_eq!(h.pending(&c), None);
        assert!(h.complete(&a));
        assert!(!h.complete(&c));
        assert_eq!(h.pending(&a), Some(false));
        assert!(h.settle(&a));
        assert!(!h.settle(&b));
        assert_eq!(h.pending(&a), None);
        assert!(!h.complete(&a), "after the commit the outbox answers");
    }
}
