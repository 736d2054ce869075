//! Customers found by name (`names` tree): each word of a conversation's customer name,
//! lower-cased, keyed with the conversation's id, written when the conversation is stored
//! first. A search by name reads the keys starting with what was typed: no conversation is
//! decoded to find them. A customer renamed since is found by the name they had when they
//! opened the conversation (the list shows the current one); a database from before this
//! index gets it built once, at the first open.

use super::keys;
use super::records::ConversationRecord;
use super::{from_json, Store, StoreError};
use crate::core::ConversationId;
use crate::model::MessageId;

/// `meta` key marking the index as built for every stored conversation.
const BUILT: &str = "names_built";

/// How many conversations one name search collects at most before reading the newest.
const MAX_HITS: usize = 10_000;

/// The words of a name as the index keys them: lower-case runs of letters and digits.
pub(super) fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn key(word: &str, id: ConversationId) -> Vec<u8> {
    let mut k = Vec::with_capacity(word.len() + 9);
    k.extend_from_slice(word.as_bytes());
    k.push(0);
    k.extend_from_slice(&keys::id(id.0));
    k
}

impl Store {
    /// Indexes a new conversation's customer name.
    pub(super) fn index_name(&self, id: ConversationId, name: &str) -> Result<(), StoreError> {
        for w in words(name) {
            self.names.insert(key(&w, id), &[])?;
        }
        Ok(())
    }

    /// Takes a deleted conversation out of the name index.
    pub(super) fn unindex_name(&self, id: ConversationId, name: &str) -> Result<(), StoreError> {
        for w in words(name) {
            self.names.remove(key(&w, id))?;
        }
        Ok(())
    }

    /// Conversations whose customer's name has a word starting with each word of `query`,
    /// newest first (at most [`MAX_HITS`] looked at).
    pub fn find_by_name(&self, query: &str) -> Result<Vec<ConversationId>, StoreError> {
        let wanted = words(query);
        // The longest word narrows most; the others are checked on the names found.
        let Some(longest) = wanted.iter().max_by_key(|w| w.len()) else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        for k in self
            .names
            .scan_prefix(longest.as_bytes())
            .keys()
            .take(MAX_HITS)
        {
            let k = k?;
            if let Some(id) = k.len().checked_sub(8).and_then(|at| keys::read_u64(&k, at)) {
                ids.push(MessageId(id));
            }
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        Ok(ids)
    }

    /// Builds the index for a database written before it existed: once, at open.
    pub(super) fn build_names_once(&self) -> Result<(), StoreError> {
        if self.meta.get(BUILT)?.is_some() {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let mut n = 0;
        for entry in self.conversations.iter() {
            let (_, v) = entry?;
            if let Ok(r) = from_json::<ConversationRecord>(&v, "conversation") {
                self.index_name(r.id, &r.customer_name)?;
                n += 1;
            }
        }
        self.meta.insert(BUILT, &[1])?;
        if n > 0 {
            tracing::info!(
                conversations = n,
                secs = started.elapsed().as_secs_f64(),
                "built the index of customer names"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn a_name_is_keyed_by_its_lower_case_words() {
        assert_eq!(words("Ana-María  O'Neil"), ["ana", "maría", "neil", "o"]);
        assert_eq!(words("**bob**"), ["bob"]);
        assert!(words(" _ ").is_empty());
    }
}
