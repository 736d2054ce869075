//! The web page's search and resolved list, a page at a time and without reading every
//! conversation: the resolved list comes from the heads' flags, and a search (names and
//! message text) reads at most [`SCAN_BUDGET`] conversations a page, newest first, then says
//! where it stopped so the next page goes on from there. A sled index of names answered a
//! name in 0.3 ms instead of about 0.2 s, but cost 14 MiB of peak memory after 500 new
//! customers at 100,000 stored (BENCHMARKS.md), against a memory budget already missed.

use super::{Desk, DeskError};
use crate::core::{Conversation, ConversationId, State};

/// How many conversations one page of the resolved list looks at most: a byte of each
/// one's head, about 10 ms for 25,000 (BENCHMARKS.md).
pub const HEADS_BUDGET: usize = 25_000;

/// How many conversations one page of a text search reads at most: about 0.2 s at 100,000
/// stored (BENCHMARKS.md), so a page answers in time however large the database.
pub const SCAN_BUDGET: usize = 20_000;

/// One page of results.
#[derive(Clone, Debug, Default)]
pub struct SearchPage {
    /// Newest first.
    pub results: Vec<Conversation>,
    /// Where the next page starts (older than this), when there may be more.
    pub next: Option<ConversationId>,
    /// Whether the text search stopped at its budget before filling the page.
    pub cut_short: bool,
}

impl Desk {
    /// The resolved conversations opened before `before`, newest first, `limit` a page,
    /// looking at [`HEADS_BUDGET`] conversations at most.
    pub fn resolved_page(
        &self,
        before: Option<ConversationId>,
        limit: usize,
    ) -> Result<SearchPage, DeskError> {
        self.resolved_page_within(before, limit, HEADS_BUDGET)
    }

    /// [`Desk::resolved_page`] looking at `budget` conversations at most.
    pub fn resolved_page_within(
        &self,
        before: Option<ConversationId>,
        limit: usize,
        budget: usize,
    ) -> Result<SearchPage, DeskError> {
        let (ids, next) = self.store.resolved_page(before, limit, budget)?;
        let mut page = SearchPage::default();
        for id in ids {
            page.results.extend(self.store.conversation(id)?);
        }
        page.cut_short = next.is_some() && page.results.len() < limit;
        page.next = next;
        Ok(page)
    }

    /// Conversations matching `query` (case-insensitive), newest first, `limit` a page:
    /// those whose customer's name has words starting with the query's, or whose messages
    /// contain it, read from `before` on (from the newest when `None`), at most
    /// [`SCAN_BUDGET`] of them a page. `resolved_only` keeps resolved ones only.
    pub fn search(
        &self,
        query: &str,
        resolved_only: bool,
        before: Option<ConversationId>,
        limit: usize,
    ) -> Result<SearchPage, DeskError> {
        self.search_within(query, resolved_only, before, limit, SCAN_BUDGET)
    }

    /// [`Desk::search`] reading at most `budget` conversations (tests set it; the web page
    /// uses [`SCAN_BUDGET`]).
    pub fn search_within(
        &self,
        query: &str,
        resolved_only: bool,
        before: Option<ConversationId>,
        limit: usize,
        budget: usize,
    ) -> Result<SearchPage, DeskError> {
        let needle = query.trim().to_lowercase();
        let mut page = SearchPage::default();
        if needle.is_empty() {
            return Ok(page);
        }
        let fits = |c: &Conversation| !resolved_only || c.state == State::Resolved;
        let mut examined = 0;
        let mut last = None;
        for conv in self.store.conversations_before(before) {
            let conv = match conv {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "skipping an unreadable conversation");
                    continue;
                }
            };
            if page.results.len() >= limit {
                page.next = last;
                return Ok(page);
            }
            if examined == budget {
                page.next = last;
                page.cut_short = true;
                return Ok(page);
            }
            examined += 1;
            last = Some(conv.id);
            if !fits(&conv) {
                continue;
            }
            let hit = name_matches(&needle, &conv.customer_name)
                || self.store.messages(&conv)?.iter().any(|m| {
                    m.content
                        .as_deref()
                        .is_some_and(|t| t.to_lowercase().contains(&needle))
                });
            if hit {
                page.results.push(conv);
            }
        }
        Ok(page)
    }
}

/// Whether every word of `needle` starts a word of `name`.
fn name_matches(needle: &str, name: &str) -> bool {
    let words: Vec<String> = split(name);
    split(needle)
        .iter()
        .all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
}

fn split(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn a_name_matches_when_each_typed_word_starts_one_of_its_words() {
        assert!(name_matches("ana", "Ana-María López"));
        assert!(name_matches("mar lóp", "Ana-María López"));
        assert!(!name_matches("mar lop", "Ana-María López"), "ó is not o");
        assert!(!name_matches("ría", "Ana-María López"));
        assert!(!name_matches("ana bob", "Ana-María López"));
    }
}
