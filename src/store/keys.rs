//! Key encodings. Big-endian numbers, so sled's byte order is numeric and time order.

use crate::core::{ConversationId, ConversationKey};
use crate::model::MessageId;

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

pub fn conversation_key(k: &ConversationKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(17);
    match *k {
        ConversationKey::ChannelCustomer(c, u) => {
            out.push(b'c');
            out.extend_from_slice(&pair(c.0, u.0));
        }
        ConversationKey::Thread(t) => {
            out.push(b't');
            out.extend_from_slice(&id(t.0));
        }
        ConversationKey::Dm(u) => {
            out.push(b'd');
            out.extend_from_slice(&id(u.0));
        }
    }
    out
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

/// A wake-up index entry: the instant in unix milliseconds (shifted to stay unsigned-ordered)
/// then the conversation.
pub fn wake(at_ms: i64, conversation: MessageId) -> [u8; 16] {
    pair((at_ms as u64) ^ (1 << 63), conversation.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wake_keys_sort_by_time_even_before_1970() {
        let mut keys = [
            wake(5, MessageId(1)),
            wake(-5, MessageId(1)),
            wake(0, MessageId(9)),
        ];
        keys.sort();
        assert_eq!(keys[0], wake(-5, MessageId(1)));
        assert_eq!(keys[2], wake(5, MessageId(1)));
    }
}
