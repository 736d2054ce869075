//! The highest id a tree keyed by message id holds, kept in memory: a lookup above it needs
//! no read. A live message has the newest id there is, so the duplicate checks of every new
//! customer's message cost no sled reads; catch-up's older ids are looked up as before.

use std::sync::atomic::{AtomicU64, Ordering};

use sled::Tree;

use super::keys;

#[derive(Debug)]
pub struct Ceiling(AtomicU64);

impl Ceiling {
    /// The ceiling of what `tree` holds now. A last key that is not an id (only a damaged
    /// tree has one) leaves no ceiling at all: every lookup reads.
    pub fn of(tree: &Tree) -> Result<Ceiling, sled::Error> {
        let top = match tree.last()? {
            None => 0,
            Some((k, _)) if k.len() == 8 => keys::read_u64(&k, 0).unwrap_or(u64::MAX),
            Some(_) => u64::MAX,
        };
        Ok(Ceiling(AtomicU64::new(top)))
    }

    /// Called before `id` is written, so the ceiling never falls below a stored key.
    pub fn raise(&self, id: u64) {
        self.0.fetch_max(id, Ordering::SeqCst);
    }

    /// Whether the tree may hold `id`; `false` means it certainly does not.
    pub fn may_hold(&self, id: u64) -> bool {
        id <= self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Tree {
        let db = sled::Config::new().temporary(true).open().expect("sled");
        db.open_tree("t").expect("tree")
    }

    #[test]
    fn only_ids_above_the_newest_stored_one_are_known_absent() {
        let t = tree();
        assert!(!Ceiling::of(&t).expect("empty").may_hold(1));
        t.insert(keys::id(7), b"x").expect("write");
        t.insert(keys::id(300), b"x").expect("write");
        let c = Ceiling::of(&t).expect("ceiling");
        assert!(c.may_hold(7) && c.may_hold(299) && c.may_hold(300));
        assert!(!c.may_hold(301));
        c.raise(500);
        c.raise(400);
        assert!(c.may_hold(500) && !c.may_hold(501));
    }

    #[test]
    fn a_last_key_that_is_no_id_leaves_every_lookup_to_sled() {
        let t = tree();
        t.insert(keys::id(7), b"x").expect("write");
        t.insert([0xff], b"x").expect("write");
        assert!(Ceiling::of(&t).expect("ceiling").may_hold(u64::MAX));
    }
}
