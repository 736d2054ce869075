//! The web page's search and resolved list against a full scan of a seeded store: a name is
//! found by the start of its words, the resolved list's pages together are the resolved
//! conversations newest first, and a search stops at its budget, says so, and goes on from
//! there on the next page, all pages together finding what a scan finds.

use super::*;
use frontdesk::core::Command;
use frontdesk::desk::SearchPage;

/// 120 conversations, one customer each, every third resolved; a few customers share
/// names, and every fifth asked about a parcel.
fn seeded(dir: &Path) -> Desk {
    let d = desk(dir);
    for i in 0..120u64 {
        let name = match i % 40 {
            0 => "Ana López".to_string(),
            1 => "Anders".to_string(),
            _ => format!("customer{i}"),
        };
        let text = if i % 5 == 0 {
            format!("where is my PARCEL #{i}?")
        } else {
            format!("question {i}")
        };
        let mut m = message(1_000 + i, 5_000 + i, 10, &text, t("10:00"));
        m.author.name = name;
        stored(
            d.handle_message(&m, ME, t("10:00"), Arrival::Live)
                .expect("store"),
        );
        if i % 3 == 0 {
            d.command(
                MessageId(1_000 + i),
                Command::Resolve { by: UserId(OWNER) },
                t("10:01"),
            )
            .expect("resolve");
        }
    }
    d
}

fn ids(page: &SearchPage) -> Vec<u64> {
    page.results.iter().map(|c| c.id.0).collect()
}

fn newest_first(d: &Desk, keep: impl Fn(&Conversation) -> bool) -> Vec<u64> {
    let mut all: Vec<Conversation> = d.all_conversations().into_iter().filter(keep).collect();
    all.sort_by_key(|c| std::cmp::Reverse(c.id));
    all.iter().map(|c| c.id.0).collect()
}

#[test]
fn names_are_found_by_the_start_of_their_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = seeded(dir.path());
    let named = |q: &str| ids(&d.search_within(q, false, None, 50, 1_000).expect("search"));
    let anas = newest_first(&d, |c| c.customer_name == "Ana López");
    assert_eq!(anas.len(), 3);
    assert_eq!(named("ana"), anas, "a word's start, case aside");
    assert_eq!(named("lóp"), anas);
    assert_eq!(named("ana lop"), Vec::<u64>::new(), "ó is not o");
    let ands = newest_first(&d, |c| c.customer_name.starts_with("An"));
    assert_eq!(named("an"), ands);
    assert_eq!(named("customer17"), vec![1_017]);
    // Resolved only.
    let resolved_anas: Vec<u64> = anas
        .iter()
        .copied()
        .filter(|id| (id - 1_000) % 3 == 0)
        .collect();
    let page = d
        .search_within("ana", true, None, 50, 1_000)
        .expect("search");
    assert_eq!(ids(&page), resolved_anas);
}

#[test]
fn the_resolved_list_pages_through_the_heads_and_agrees_with_a_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = seeded(dir.path());
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = d.resolved_page(before, 7).expect("page");
        assert!(page.results.len() <= 7);
        seen.extend(ids(&page));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, newest_first(&d, |c| c.state == State::Resolved));
    assert_eq!(seen.len(), 40);
    // Looking at 10 conversations a page: 3 resolved among them, and where to go on.
    let short = d.resolved_page_within(None, 50, 10).expect("page");
    assert!(short.cut_short);
    assert_eq!(ids(&short), vec![1_117, 1_114, 1_111]);
    assert_eq!(short.next, Some(MessageId(1_110)));
    let on = d.resolved_page_within(short.next, 50, 10).expect("page");
    assert_eq!(ids(&on), vec![1_108, 1_105, 1_102]);
}

#[test]
fn a_text_search_stops_at_its_budget_says_so_and_goes_on_from_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = seeded(dir.path());
    let first = d
        .search_within("parcel", false, None, 50, 30)
        .expect("search");
    assert!(first.cut_short, "30 of 120 read");
    assert_eq!(first.next, Some(MessageId(1_090)), "the 30th newest");
    assert_eq!(ids(&first), vec![1_115, 1_110, 1_105, 1_100, 1_095, 1_090]);
    let mut seen = ids(&first);
    let mut before = first.next;
    while let Some(b) = before {
        let page = d
            .search_within("parcel", false, Some(b), 50, 30)
            .expect("search");
        seen.extend(ids(&page));
        before = page.next;
    }
    let said: Vec<u64> = newest_first(&d, |c| (c.id.0 - 1_000) % 5 == 0);
    assert_eq!(seen, said, "all pages together find what a scan finds");
    // A full page stops too, and says where.
    let full = d
        .search_within("question", false, None, 10, 1_000)
        .expect("search");
    assert_eq!(full.results.len(), 10);
    assert!(!full.cut_short);
    assert_eq!(full.next, full.results.last().map(|c| c.id));
}
