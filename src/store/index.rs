//! The lookups every message needs, held in memory: the latest conversation of each place
//! and customer, each customer's conversations, and when each conversation next wakes up.
//!
//! They are rebuilt at open from the `heads` tree: one small fixed-size record per
//! conversation holding exactly these fields, rewritten only when one of them changes. A new
//! conversation so costs one index write instead of three (a tree each, as layout 1 had),
//! and lookups cost no disk read. Why not rebuild from the conversation records themselves:
//! a full scan of sled keeps every page it reads (its LRU only evicts after 64 accesses per
//! shard); with 100,000 conversations that made the bot 114 MiB at READY, against 55–56 MiB
//! reading the heads (46 MiB since the sets are packed and sled's cache is smaller;
//! BENCHMARKS.md §3).

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;

use crate::core::{ConversationId, ConversationKey};
use crate::model::{ChannelId, MessageId, UserId};

/// What the index knows of one conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Head {
    pub id: ConversationId,
    pub customer: UserId,
    /// Where its customer writes (channel and customer, thread, or DM).
    pub key: ConversationKey,
    pub thread: Option<ChannelId>,
    pub relay: Option<ChannelId>,
    pub wake_at: Option<Timestamp>,
}

/// Encoded size of a head: customer, key (tag and two ids), thread, relay, wake-up.
const HEAD_LEN: usize = 8 + 17 + 8 + 8 + 17;

impl Head {
    /// The keys under which later messages find this conversation.
    fn keys(&self) -> impl Iterator<Item = ConversationKey> {
        let threads = [self.thread, self.relay].into_iter().flatten();
        std::iter::once(self.key).chain(threads.map(ConversationKey::Thread))
    }

    /// The stored value (the key is the conversation id). Ids are never 0, so 0 is "none".
    pub fn encode(&self) -> [u8; HEAD_LEN] {
        let mut out = [0u8; HEAD_LEN];
        let (tag, a, b) = match self.key {
            ConversationKey::ChannelCustomer(c, u) => (b'c', c.0, u.0),
            ConversationKey::Thread(t) => (b't', t.0, 0),
            ConversationKey::Dm(u) => (b'd', u.0, 0),
        };
        out[..8].copy_from_slice(&self.customer.0.to_be_bytes());
        out[8] = tag;
        out[9..17].copy_from_slice(&a.to_be_bytes());
        out[17..25].copy_from_slice(&b.to_be_bytes());
        out[25..33].copy_from_slice(&self.thread.map_or(0, |c| c.0).to_be_bytes());
        out[33..41].copy_from_slice(&self.relay.map_or(0, |c| c.0).to_be_bytes());
        if let Some(at) = self.wake_at {
            out[41] = 1;
            out[42..].copy_from_slice(&at.as_nanosecond().to_be_bytes());
        }
        out
    }

    /// Reads a stored head; `None` if it is not one this version wrote.
    pub fn decode(id: ConversationId, v: &[u8]) -> Option<Head> {
        if v.len() != HEAD_LEN {
            return None;
        }
        let u = |at: usize| u64::from_be_bytes(v[at..at + 8].try_into().unwrap_or_default());
        let some = |n: u64| (n != 0).then_some(ChannelId(n));
        let key = match v[8] {
            b'c' => ConversationKey::ChannelCustomer(ChannelId(u(9)), UserId(u(17))),
            b't' => ConversationKey::Thread(ChannelId(u(9))),
            b'd' => ConversationKey::Dm(UserId(u(9))),
            _ => return None,
        };
        let wake_at = match v[41] {
            0 => None,
            _ => Some(
                Timestamp::from_nanosecond(i128::from_be_bytes(v[42..].try_into().ok()?)).ok()?,
            ),
        };
        Some(Head {
            id,
            customer: UserId(u(0)),
            key,
            thread: some(u(25)),
            relay: some(u(33)),
            wake_at,
        })
    }
}

#[derive(Default)]
pub(super) struct Index {
    latest: Latest,
    by_customer: BTreeSet<(UserId, ConversationId)>,
    /// By [`wake_key`]: 16 bytes an entry, where a `Timestamp` made it 24.
    wake: BTreeSet<(i64, ConversationId)>,
}

/// The latest conversation under each key: a map per kind of key, whose slots take 24 and
/// 16 bytes where one map of the whole enum took 32 (a megabyte at 100,000 conversations).
#[derive(Default)]
struct Latest {
    channel_customer: HashMap<(ChannelId, UserId), ConversationId>,
    thread: HashMap<ChannelId, ConversationId>,
    dm: HashMap<UserId, ConversationId>,
}

impl Latest {
    /// Makes `id` the key's conversation unless a newer one holds it.
    fn offer(&mut self, key: ConversationKey, id: ConversationId) {
        let latest = match key {
            ConversationKey::ChannelCustomer(c, u) => {
                self.channel_customer.entry((c, u)).or_insert(id)
            }
            ConversationKey::Thread(t) => self.thread.entry(t).or_insert(id),
            ConversationKey::Dm(u) => self.dm.entry(u).or_insert(id),
        };
        *latest = (*latest).max(id);
    }

    fn get(&self, key: &ConversationKey) -> Option<ConversationId> {
        match key {
            ConversationKey::ChannelCustomer(c, u) => self.channel_customer.get(&(*c, *u)),
            ConversationKey::Thread(t) => self.thread.get(t),
            ConversationKey::Dm(u) => self.dm.get(u),
        }
        .copied()
    }
}

/// A wake-up time as nanoseconds since 1970, saturating (at years 1677 and 2262), which a
/// wake-up never comes near. Compared only with other wake keys.
fn wake_key(at: Timestamp) -> i64 {
    let ns = at.as_nanosecond();
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

/// Builds the index from every stored head, as read at open. The two ordered sets are built
/// from sorted lists, which packs their nodes full: inserted one by one in id order, their
/// keys arrive in random order and leave nodes about two-thirds full (BENCHMARKS.md §3).
#[derive(Default)]
pub(super) struct Builder {
    index: Index,
    by_customer: Vec<(UserId, ConversationId)>,
    wake: Vec<(i64, ConversationId)>,
}

impl Builder {
    pub fn add(&mut self, head: &Head) {
        self.by_customer.push((head.customer, head.id));
        self.wake
            .extend(head.wake_at.map(|at| (wake_key(at), head.id)));
        self.index.record_keys(head);
    }

    pub fn finish(self) -> Index {
        let Builder {
            mut index,
            by_customer,
            wake,
        } = self;
        index.by_customer = BTreeSet::from_iter(by_customer);
        index.wake = BTreeSet::from_iter(wake);
        index
    }
}

impl Index {
    /// Takes in a conversation's head as now stored, replacing `old`, the one before.
    pub fn record(&mut self, now: &Head, old: Option<&Head>) {
        let old_wake = old.and_then(|o| o.wake_at);
        if old_wake != now.wake_at {
            if let Some(at) = old_wake {
                self.wake.remove(&(wake_key(at), now.id));
            }
            if let Some(at) = now.wake_at {
                self.wake.insert((wake_key(at), now.id));
            }
        }
        if old.is_none() {
            self.by_customer.insert((now.customer, now.id));
        }
        self.record_keys(now);
    }

    /// Points each of the head's keys at it, unless a newer conversation holds the key.
    fn record_keys(&mut self, now: &Head) {
        for key in now.keys() {
            // The newest conversation wins: updating an older one (a late message, a
            // thread recorded late) must not take its place back from a newer one.
            self.latest.offer(key, now.id);
        }
    }

    pub fn latest(&self, key: &ConversationKey) -> Option<ConversationId> {
        self.latest.get(key)
    }

    /// A customer's conversations, oldest first.
    pub fn of_customer(
        &self,
        customer: UserId,
    ) -> impl DoubleEndedIterator<Item = ConversationId> + '_ {
        self.by_customer
            .range((customer, MessageId(0))..=(customer, MessageId(u64::MAX)))
            .map(|&(_, id)| id)
    }

    /// Conversations whose wake-up time is at or before `now`, earliest first.
    pub fn due(&self, now: Timestamp) -> Vec<ConversationId> {
        self.wake
            .range(..=(wake_key(now), MessageId(u64::MAX)))
            .map(|&(_, id)| id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(id: u64, customer: u64, thread: Option<u64>, wake: Option<i64>) -> Head {
        Head {
            id: MessageId(id),
            customer: UserId(customer),
            key: ConversationKey::ChannelCustomer(ChannelId(10), UserId(customer)),
            thread: thread.map(ChannelId),
            relay: None,
            wake_at: wake.map(|s| Timestamp::from_second(s).expect("time")),
        }
    }

    #[test]
    fn a_head_reads_back_as_written() {
        let mut h = head(5, 42, Some(77), Some(1_800_000_000));
        h.wake_at = h.wake_at.map(|t| t + jiff::SignedDuration::from_nanos(123));
        assert_eq!(Head::decode(h.id, &h.encode()), Some(h.clone()));
        for key in [
            ConversationKey::Thread(ChannelId(9)),
            ConversationKey::Dm(UserId(42)),
        ] {
            let h = Head {
                key,
                relay: Some(ChannelId(8)),
                wake_at: None,
                ..h.clone()
            };
            assert_eq!(Head::decode(h.id, &h.encode()), Some(h.clone()));
        }
        assert_eq!(Head::decode(h.id, b"not a head"), None);
    }

    #[test]
    fn an_older_conversation_updated_later_does_not_take_its_place_back() {
        let mut index = Index::default();
        index.record(&head(1, 42, None, None), None);
        index.record(&head(2, 42, None, None), None);
        // The older conversation gets a thread (recorded late): its thread finds it, the
        // channel still finds the newer one.
        index.record(&head(1, 42, Some(77), None), Some(&head(1, 42, None, None)));
        let channel = ConversationKey::ChannelCustomer(ChannelId(10), UserId(42));
        assert_eq!(index.latest(&channel), Some(MessageId(2)));
        assert_eq!(
            index.latest(&ConversationKey::Thread(ChannelId(77))),
            Some(MessageId(1))
        );
        let mine: Vec<_> = index.of_customer(UserId(42)).collect();
        assert_eq!(mine, vec![MessageId(1), MessageId(2)]);
        assert_eq!(index.of_customer(UserId(43)).count(), 0);
    }

    #[test]
    fn a_wake_up_moves_with_its_conversation_and_is_due_in_time_order() {
        let mut index = Index::default();
        index.record(&head(1, 42, None, Some(300)), None);
        index.record(&head(2, 43, None, Some(100)), None);
        index.record(
            &head(1, 42, None, Some(50)),
            Some(&head(1, 42, None, Some(300))),
        );
        let at = |s| Timestamp::from_second(s).expect("time");
        assert_eq!(index.due(at(49)), Vec::<ConversationId>::new());
        assert_eq!(index.due(at(100)), vec![MessageId(1), MessageId(2)]);
        // Resolved: no wake-up any more.
        index.record(&head(1, 42, None, None), Some(&head(1, 42, None, Some(50))));
        assert_eq!(index.due(at(1_000)), vec![MessageId(2)]);
    }

    #[test]
    fn an_index_built_at_open_answers_as_one_recorded_head_by_head() {
        let heads: Vec<Head> = (1..=200u64)
            .map(|id| {
                let mut h = head(
                    id,
                    1_000 + id % 37,
                    (id % 5 == 0).then_some(5_000 + id),
                    None,
                );
                h.wake_at = (id % 3 != 0).then(|| {
                    Timestamp::from_second(1_000 + (id as i64 * 7919) % 500).expect("time")
                });
                if id % 11 == 0 {
                    h.key = ConversationKey::Dm(h.customer);
                }
                h
            })
            .collect();
        let mut built = Builder::default();
        let mut recorded = Index::default();
        for h in &heads {
            built.add(h);
            recorded.record(h, None);
        }
        let built = built.finish();
        for h in &heads {
            for key in h.keys() {
                assert_eq!(built.latest(&key), recorded.latest(&key), "{key:?}");
            }
            let of = |i: &Index| i.of_customer(h.customer).collect::<Vec<_>>();
            assert_eq!(of(&built), of(&recorded));
        }
        for s in [999, 1_000, 1_250, 1_499, 1_500] {
            let at = Timestamp::from_second(s).expect("time");
            assert_eq!(built.due(at), recorded.due(at), "due at {s}");
        }
        assert_eq!(
            recorded
                .due(Timestamp::from_second(1_500).expect("time"))
                .len(),
            134
        );
    }
}
