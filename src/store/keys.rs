//! Key encodings. Big-endian numbers, so sled's byte order is numeric and time order.

use crate::core::ConversationId;

pub fn id(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn pair(a: u64, b: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&a.to_be_bytes());
    k[8..].copy_from_slice(&b.to_be_bytes());
    k
}

/// Reads the big-endian u64 at `at` in a key; `None` for a key too short to hold one.
pub fn read_u64(key: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 8] = key.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// Outbox entries sort by conversation, then wait, then kind and step: one key per thing
/// that must happen once, so storing it twice is harmless.
pub fn outbox(conversation: ConversationId, wait: u32, tag: u8, step: u64) -> [u8; 21] {
    let mut k = [0u8; 21];
    k[..8].copy_from_slice(&conversation.0.to_be_bytes());
    k[8..12].copy_from_slice(&wait.to_be_bytes());
    k[12] = tag;
    k[13..].copy_from_slice(&step.to_be_bytes());
    k
}

/// The identity of one outbox entry: made by the store, handed back to it to mark the entry
/// delivered. Opaque elsewhere, except as stable bytes (for Discord nonces).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutboxKey(pub(super) Vec<u8>);

impl OutboxKey {
    /// The key's bytes: the same for the same entry across restarts.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}
