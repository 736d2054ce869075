//! The conversation page's header and transcript, rendered from a record built here: the
//! words it uses (plurals, names for mentions) and where frontdesk's own lines go.

use jiff::Timestamp;

use super::conversation::{page as conversation, ConversationView};
use super::pages::place_text;
use super::pages::{count, times};
use crate::core::{Conversation, State};
use crate::desk::TranscriptEntry;
use crate::hours::BusinessHours;
use crate::model::{ChannelId, GuildId, MessageId, Place, Speaker, UserId};
use crate::names::ChannelNames;

const ANA: UserId = UserId(42);
const SAM: UserId = UserId(7);
const BOT: UserId = UserId(1);

fn t(s: &str) -> Timestamp {
    format!("2026-11-24T{s}:00Z").parse().expect("time")
}

fn conv() -> Conversation {
    let place = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(10),
        thread: None,
    };
    let mut c = Conversation::new(MessageId(1001), ANA, "Ana".into(), place, t("10:00"));
    c.topic = "orders & shipping".into();
    c.waiting_since = Some(t("10:00"));
    c
}

fn line(
    id: u64,
    author: UserId,
    name: &str,
    speaker: Speaker,
    text: &str,
    at: &str,
) -> TranscriptEntry {
    TranscriptEntry {
        id: MessageId(id),
        author,
        author_name: name.into(),
        speaker,
        content: Some(text.into()),
        at: t(at),
    }
}

fn transcript() -> Vec<TranscriptEntry> {
    vec![
        line(
            1001,
            ANA,
            "Ana",
            Speaker::Customer,
            "Do you ship to Norway?",
            "10:00",
        ),
        line(
            1002,
            BOT,
            "frontdesk",
            Speaker::Frontdesk,
            "Hi <@42>, got it.",
            "10:00",
        ),
        line(1003, SAM, "Sam", Speaker::Staff, "Yes, we do.", "10:20"),
    ]
}

fn render(c: &Conversation, messages: &[TranscriptEntry]) -> String {
    let hours = BusinessHours::always_open(jiff::tz::TimeZone::UTC);
    conversation(&ConversationView {
        conversation: c,
        messages,
        hours: &hours,
        now: t("10:30"),
        csrf: "token",
        done: None,
        saved: &[],
        draft: "",
        signature: "— Sam, Maple & Thread",
        names: &names(),
    })
    .into_string()
}

/// The server's names as the gateway told them: #help (channel 10) and a forum.
fn names() -> ChannelNames {
    let names = ChannelNames::default();
    names.set(ChannelId(10), "help");
    names.set(ChannelId(20), "questions");
    names.set(ChannelId(21), "Order #1042 <b>");
    names
}

#[test]
fn a_place_reads_as_its_names_and_words_where_they_are_not_known() {
    let names = names();
    let forum = Place::Forum {
        guild: GuildId(1),
        forum: ChannelId(20),
        post: ChannelId(21),
    };
    assert_eq!(
        place_text(&forum, &names),
        "“Order #1042 <b>” in #questions"
    );
    let archived = Place::Forum {
        guild: GuildId(1),
        forum: ChannelId(20),
        post: ChannelId(22),
    };
    assert_eq!(place_text(&archived, &names), "a post in #questions");
    let thread = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(10),
        thread: Some(ChannelId(11)),
    };
    assert_eq!(place_text(&thread, &names), "a thread in #help");
    let gone = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(99),
        thread: None,
    };
    assert_eq!(place_text(&gone, &names), "a channel no longer there (99)");
    assert_eq!(
        place_text(
            &Place::Dm {
                channel: ChannelId(5)
            },
            &names
        ),
        "DM"
    );
}

#[test]
fn counts_and_repeats_read_as_words() {
    assert_eq!(count(0, "reminder", "reminders"), "no reminders");
    assert_eq!(count(1, "reminder", "reminders"), "1 reminder");
    assert_eq!(count(3, "reminder", "reminders"), "3 reminders");
    assert_eq!(times(1), "once");
    assert_eq!(times(2), "twice");
    assert_eq!(times(3), "3 times");
}

#[test]
fn the_header_says_the_state_topic_place_wait_and_reminders_in_words() {
    let mut c = conv();
    let page = render(&c, &[]);
    assert!(
        page.contains(r#"<section class="summary" aria-label="Summary">"#),
        "{page}"
    );
    assert!(page.contains(r#"class="badge waiting""#), "{page}");
    assert!(page.contains("orders &amp; shipping"), "{page}");
    assert!(page.contains("#help"), "{page}");
    assert!(page.contains("Waiting 30 min in open hours"), "{page}");
    assert!(page.contains("No reminder yet"), "{page}");
    assert!(
        !page.contains("Reopened"),
        "never reopened, nothing said: {page}"
    );

    c.reminders_sent = 1;
    c.times_reopened = 1;
    assert!(render(&c, &[]).contains("1 reminder in this wait"));
    assert!(render(&c, &[]).contains("Reopened once"));
    c.reminders_sent = 2;
    c.times_reopened = 2;
    assert!(render(&c, &[]).contains("2 reminders in this wait"));
    assert!(render(&c, &[]).contains("Reopened twice"));
    c.times_reopened = 5;
    let page = render(&c, &[]);
    assert!(page.contains("Reopened 5 times"), "{page}");
    assert!(!page.contains("(s)"), "{page}");
}

#[test]
fn an_answered_conversation_says_who_replied_and_after_how_long() {
    let mut c = conv();
    c.state = State::Answered;
    c.waiting_since = None;
    c.first_reply_at = Some(t("10:20"));
    c.answered_by = Some(SAM);
    let page = render(&c, &transcript());
    assert!(page.contains(r#"class="badge answered""#), "{page}");
    assert!(
        page.contains("First personal reply after 20 min by Sam"),
        "{page}"
    );
    assert!(page.contains("First personal reply, by Sam"), "{page}");
    assert!(!page.contains("Waiting 30"), "{page}");
    assert!(
        !page.contains("No reminder yet"),
        "only while waiting: {page}"
    );
}

#[test]
fn frontdesks_own_lines_are_set_apart_from_the_peoples_words() {
    let page = render(&conv(), &transcript());
    // Opened comes before the opening message, the date once, then times only.
    let opened = page.find("Conversation opened").expect("opened");
    let first = page.find("Do you ship to Norway?").expect("first message");
    assert!(opened < first, "{page}");
    assert_eq!(page.matches("Tue 24 Nov 2026").count(), 1, "{page}");
    assert!(page.contains(r#"<li class="msg customer">"#), "{page}");
    assert!(page.contains(r#"<li class="msg staff">"#), "{page}");
    assert!(page.contains(r#"<li class="bot">"#), "{page}");
    assert!(page.contains(r#"<li class="event">"#), "{page}");
    // A mention of someone the page knows reads as a name.
    assert!(page.contains("Hi @Ana, got it."), "{page}");
}

#[test]
fn mentions_of_strangers_and_broken_ones_stay_as_written() {
    let mut lines = transcript();
    lines[0].content = Some("ask <@99> or <@!42> about <@ and <@x>".into());
    let page = render(&conv(), &lines);
    assert!(
        page.contains("ask &lt;@99&gt; or @Ana about &lt;@ and &lt;@x&gt;"),
        "{page}"
    );
}
