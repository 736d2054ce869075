//! The lookups every message needs, held in memory: the latest conversation of each place
//! and customer, each customer's conversations, when each conversation next wakes up, and
//! which conversations wait for a reply (the dashboard's queue).
//!
//! They are rebuilt at open from the `heads` tree: one small record per conversation holding
//! exactly these fields, rewritten only when one of them changes, so lookups cost no disk
//! read. Not from the conversation records themselves: sled keeps every page a full scan
//! reads, and the records are many times larger than the heads.

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
    /// Waiting for a personal reply (layout 5): the queue reads these without a scan.
    pub waiting: bool,
    /// Holds a staff member's open promise (layout 6): the queue's promises, without a scan.
    pub promised: bool,
    /// Resolved (layout 6): the resolved list pages through the heads, not the records.
    pub resolved: bool,
}

/// A head's first byte: the kind of place in the low bits, and which optional fields follow.
const CHANNEL: u8 = 1;
const THREAD: u8 = 2;
const DM: u8 = 3;
const KIND: u8 = 0x03;
/// In the flags byte of a stored head: the conversation is resolved.
pub(super) const RESOLVED: u8 = 0x04;
const HAS_WAKE: u8 = 0x80;
const HAS_THREAD: u8 = 0x40;
const HAS_RELAY: u8 = 0x20;
const WAITING: u8 = 0x10;
const PROMISED: u8 = 0x08;
/// The longest head: flags, customer, place id, wake-up (5 bytes), thread, relay.
const HEAD_MAX: usize = 1 + 8 + 8 + 5 + 8 + 8;

/// A head as stored: [`HEAD_MAX`] bytes at most, usually 22 or fewer.
pub(super) struct Encoded {
    bytes: [u8; HEAD_MAX],
    len: usize,
}

impl AsRef<[u8]> for Encoded {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl Encoded {
    fn put(&mut self, bytes: &[u8]) {
        self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// A wake-up time as kept in a head: whole seconds, rounded up, so a conversation is never
/// due before its own time (the tick it gets may come up to a second late).
pub(super) fn wake_second(at: Timestamp) -> Timestamp {
    let up = at.as_second() + i64::from(at.subsec_nanosecond() > 0);
    Timestamp::from_second(up).unwrap_or(at)
}

/// Seconds since 1970 in five bytes (until the year 36812), clamped.
fn wake_bytes(at: Timestamp) -> [u8; 5] {
    let s = at.as_second().clamp(0, (1 << 40) - 1) as u64;
    let b = s.to_be_bytes();
    [b[3], b[4], b[5], b[6], b[7]]
}

/// Reads big-endian fields front to back; `None` once the value is too short.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take::<8>().map(u64::from_be_bytes)
    }
}

impl Head {
    /// The keys under which later messages find this conversation.
    fn keys(&self) -> impl Iterator<Item = ConversationKey> {
        let threads = [self.thread, self.relay].into_iter().flatten();
        std::iter::once(self.key).chain(threads.map(ConversationKey::Thread))
    }

    /// The stored value (the key is the conversation id): a flags byte, the customer, the
    /// channel or thread of a server conversation, then the wake-up (whole seconds), thread
    /// and relay when set: 22 bytes or fewer unless a channel conversation has its own
    /// thread. The key's customer is the head's own (as `ConversationKey::of` makes it), so
    /// it is stored once. (Measured against fixed-size heads, this saves no peak memory; it
    /// stays because databases already hold heads in this layout.)
    pub fn encode(&self) -> Encoded {
        let mut out = Encoded {
            bytes: [0; HEAD_MAX],
            len: 1,
        };
        let (kind, place) = match self.key {
            ConversationKey::ChannelCustomer(c, _) => (CHANNEL, Some(c.0)),
            ConversationKey::Thread(t) => (THREAD, Some(t.0)),
            ConversationKey::Dm(_) => (DM, None),
        };
        out.put(&self.customer.0.to_be_bytes());
        if let Some(p) = place {
            out.put(&p.to_be_bytes());
        }
        let mut flags = kind;
        if let Some(at) = self.wake_at {
            flags |= HAS_WAKE;
            out.put(&wake_bytes(at));
        }
        if let Some(t) = self.thread {
            flags |= HAS_THREAD;
            out.put(&t.0.to_be_bytes());
        }
        if let Some(r) = self.relay {
            flags |= HAS_RELAY;
            out.put(&r.0.to_be_bytes());
        }
        if self.waiting {
            flags |= WAITING;
        }
        if self.promised {
            flags |= PROMISED;
        }
        if self.resolved {
            flags |= RESOLVED;
        }
        out.bytes[0] = flags;
        out
    }

    /// Reads a stored head; `None` if it is not one this version wrote.
    pub fn decode(id: ConversationId, v: &[u8]) -> Option<Head> {
        let (&flags, rest) = v.split_first()?;
        let mut r = Reader(rest);
        let customer = UserId(r.u64()?);
        let key = match flags & KIND {
            CHANNEL => ConversationKey::ChannelCustomer(ChannelId(r.u64()?), customer),
            THREAD => ConversationKey::Thread(ChannelId(r.u64()?)),
            DM => ConversationKey::Dm(customer),
            _ => return None,
        };
        let wake_at = match flags & HAS_WAKE {
            0 => None,
            _ => {
                let [a, b, c, d, e] = r.take::<5>()?;
                let s = u64::from_be_bytes([0, 0, 0, a, b, c, d, e]);
                Some(Timestamp::from_second(s as i64).ok()?)
            }
        };
        let thread = match flags & HAS_THREAD {
            0 => None,
            _ => Some(ChannelId(r.u64()?)),
        };
        let relay = match flags & HAS_RELAY {
            0 => None,
            _ => Some(ChannelId(r.u64()?)),
        };
        r.0.is_empty().then_some(Head {
            id,
            customer,
            key,
            thread,
            relay,
            wake_at,
            waiting: flags & WAITING != 0,
            promised: flags & PROMISED != 0,
            resolved: flags & RESOLVED != 0,
        })
    }
}

#[derive(Default)]
pub(super) struct Index {
    /// The latest conversation under each key.
    latest: HashMap<ConversationKey, ConversationId>,
    by_customer: BTreeSet<(UserId, ConversationId)>,
    /// By [`wake_key`]: 16 bytes an entry, where a `Timestamp` made it 24.
    wake: BTreeSet<(i64, ConversationId)>,
    /// Conversations waiting for a personal reply.
    waiting: BTreeSet<ConversationId>,
    /// Conversations with an open promise.
    promised: BTreeSet<ConversationId>,
}

/// A wake-up time as nanoseconds since 1970, saturating (at years 1677 and 2262), which a
/// wake-up never comes near. Compared only with other wake keys.
fn wake_key(at: Timestamp) -> i64 {
    let ns = at.as_nanosecond();
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

/// Builds the index from every stored head, as read at open. The two ordered sets are built
/// from sorted lists, which packs their nodes full: inserted one by one in id order, their
/// keys arrive in random order and leave nodes about two-thirds full, which shows in the peak
/// memory at 100,000 conversations (BENCHMARKS.md, mechanisms).
#[derive(Default)]
pub(super) struct Builder {
    index: Index,
    by_customer: Vec<(UserId, ConversationId)>,
    wake: Vec<(i64, ConversationId)>,
}

impl Builder {
    pub fn add(&mut self, head: &Head) {
        if head.waiting {
            self.index.waiting.insert(head.id);
        }
        if head.promised {
            self.index.promised.insert(head.id);
        }
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
        if now.waiting {
            self.waiting.insert(now.id);
        } else {
            self.waiting.remove(&now.id);
        }
        if now.promised {
            self.promised.insert(now.id);
        } else {
            self.promised.remove(&now.id);
        }
        self.record_keys(now);
    }

    /// Forgets a deleted conversation: it is found by no lookup any more.
    pub fn remove(&mut self, head: &Head) {
        if let Some(at) = head.wake_at {
            self.wake.remove(&(wake_key(at), head.id));
        }
        self.by_customer.remove(&(head.customer, head.id));
        self.waiting.remove(&head.id);
        self.promised.remove(&head.id);
        for key in head.keys() {
            if self.latest.get(&key) == Some(&head.id) {
                self.latest.remove(&key);
            }
        }
    }

    /// The conversations with an open promise, by id.
    pub fn promised(&self) -> Vec<ConversationId> {
        self.promised.iter().copied().collect()
    }

    /// The conversations waiting for a personal reply, by id (oldest opened first).
    pub fn waiting(&self) -> Vec<ConversationId> {
        self.waiting.iter().copied().collect()
    }

    /// Points each of the head's keys at it, unless a newer conversation holds the key.
    fn record_keys(&mut self, now: &Head) {
        for key in now.keys() {
            // The newest conversation wins: updating an older one (a late message, a
            // thread recorded late) must not take its place back from a newer one.
            let latest = self.latest.entry(key).or_insert(now.id);
            *latest = (*latest).max(now.id);
        }
    }

    pub fn latest(&self, key: &ConversationKey) -> Option<ConversationId> {
        self.latest.get(key).copied()
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
            waiting: false,
            promised: false,
            resolved: false,
        }
    }

    #[test]
    fn a_head_reads_back_as_written() {
        let h = head(5, 42, Some(77), Some(1_800_000_000));
        assert_eq!(Head::decode(h.id, h.encode().as_ref()), Some(h.clone()));
        for key in [
            ConversationKey::Thread(ChannelId(9)),
            ConversationKey::Dm(UserId(42)),
        ] {
            for (wake_at, waiting) in [(None, false), (h.wake_at, true), (None, true)] {
                let h = Head {
                    key,
                    relay: Some(ChannelId(8)),
                    wake_at,
                    waiting,
                    ..h.clone()
                };
                assert_eq!(Head::decode(h.id, h.encode().as_ref()), Some(h.clone()));
            }
        }
        assert_eq!(Head::decode(h.id, b"not a head"), None);
        assert_eq!(Head::decode(h.id, &[]), None);
        let mut long = h.encode().as_ref().to_vec();
        long.push(0);
        assert_eq!(Head::decode(h.id, &long), None, "trailing bytes");
    }

    #[test]
    fn a_usual_head_fits_in_sleds_inline_value() {
        // A channel or forum conversation waiting for a reply, and a relayed DM.
        let channel = head(5, u64::MAX, None, Some(1_800_000_000));
        let forum = Head {
            key: ConversationKey::Thread(ChannelId(u64::MAX)),
            ..channel.clone()
        };
        let dm = Head {
            key: ConversationKey::Dm(channel.customer),
            relay: Some(ChannelId(u64::MAX)),
            ..channel.clone()
        };
        for h in [channel, forum, dm] {
            assert!(h.encode().as_ref().len() <= 22, "{h:?}");
        }
    }

    #[test]
    fn a_wake_up_is_kept_in_whole_seconds_rounded_up() {
        let at = Timestamp::from_second(1_800_000_000).expect("time");
        assert_eq!(wake_second(at), at);
        let late = at + jiff::SignedDuration::from_nanos(1);
        assert_eq!(wake_second(late), at + jiff::SignedDuration::from_secs(1));
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
    fn the_waiting_set_follows_each_heads_flag() {
        let waiting = |id, customer| Head {
            waiting: true,
            ..head(id, customer, None, Some(100))
        };
        let mut built = Builder::default();
        built.add(&waiting(3, 42));
        built.add(&head(4, 43, None, None));
        let mut index = built.finish();
        assert_eq!(index.waiting(), vec![MessageId(3)]);
        index.record(&waiting(1, 44), None);
        assert_eq!(index.waiting(), vec![MessageId(1), MessageId(3)]);
        // Answered: out of the queue; waiting again: back in.
        index.record(&head(3, 42, None, Some(100)), Some(&waiting(3, 42)));
        assert_eq!(index.waiting(), vec![MessageId(1)]);
        index.record(&waiting(4, 43), Some(&head(4, 43, None, None)));
        assert_eq!(index.waiting(), vec![MessageId(1), MessageId(4)]);
    }

    #[test]
    fn the_promised_set_follows_each_heads_flag_and_reads_back() {
        let promised = |id, customer| Head {
            promised: true,
            ..head(id, customer, Some(9), Some(100))
        };
        let h = promised(7, 42);
        assert_eq!(Head::decode(h.id, h.encode().as_ref()), Some(h.clone()));
        let resolved = Head {
            resolved: true,
            key: ConversationKey::Dm(UserId(42)),
            ..h.clone()
        };
        assert_eq!(
            Head::decode(h.id, resolved.encode().as_ref()),
            Some(resolved)
        );
        let mut built = Builder::default();
        built.add(&h);
        built.add(&head(8, 43, None, None));
        let mut index = built.finish();
        assert_eq!(index.promised(), vec![MessageId(7)]);
        // Kept: out; made again: in; forgotten: out.
        index.record(&head(7, 42, Some(9), Some(100)), Some(&h));
        assert!(index.promised().is_empty());
        index.record(&promised(8, 43), Some(&head(8, 43, None, None)));
        assert_eq!(index.promised(), vec![MessageId(8)]);
        index.remove(&promised(8, 43));
        assert!(index.promised().is_empty() && index.of_customer(UserId(43)).next().is_none());
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
