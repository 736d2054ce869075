//! The owners' notification texts as posted: wording, links, digests cut between customers,
//! promise reminders, and none of a customer's or staff member's markup rendered.

use super::*;
use crate::markdown::render::{assert_adds_no_markup, hostile};
use crate::model::{ChannelId, GuildId, MessageId, UserId};

fn conv() -> Conversation {
    let t: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
    let place = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(10),
        thread: None,
    };
    let mut c = Conversation::new(
        MessageId(1001),
        UserId(42),
        "Ana @everyone".into(),
        place,
        t,
    );
    c.topic = "pricing".into();
    c.rule = "pricing".into();
    c.waiting_since = Some(t);
    c.waits = 1;
    c
}

fn promise(by_name: &str) -> Promise {
    let t: Timestamp = "2026-11-23T10:05:00Z".parse().expect("time");
    Promise {
        by: UserId(7),
        by_name: by_name.into(),
        words: "Let me check with the **supplier**".into(),
        message: Some(MessageId(1002)),
        made_at: t,
        due: t,
        reminders_sent: 0,
        next_reminder_at: Some(t),
        note: None,
    }
}

#[test]
fn a_promise_reminder_quotes_their_words_and_links_the_conversation() {
    let now: Timestamp = "2026-11-24T10:05:00Z".parse().expect("time");
    let text = promise_reminder(&conv(), &promise("Sam"), 0, now);
    assert_eq!(
        text,
        "🤝 Promise reminder: 1 day ago you promised **Ana @\u{200B}everyone** an answer in <#10> · pricing\n> Let me check with the \\*\\*supplier\\*\\*\nNobody on the team has posted there since. Post there when you have news, or `/resolve` it.\nhttps://discord.com/channels/1/10/1001"
    );
    assert_eq!(promise_head(&text), "🤝 Promise reminder:");
    let second = promise_reminder(&conv(), &promise("Sam"), 1, now);
    assert_eq!(promise_head(&second), "🤝 Promise reminder 2:");
    let overdue = promise_overdue(&conv(), &promise("Sam"), 4, now);
    assert!(
        overdue.starts_with("⏫ Overdue promise, reminder 5: **Sam** (<@7>) promised **Ana"),
        "{overdue}"
    );
    assert_eq!(promise_head(&overdue), "⏫ Overdue promise, reminder 5:");
    assert!(overdue.ends_with("\nhttps://discord.com/channels/1/10/1001"));
}

#[test]
fn an_opened_notice_shows_who_where_what_and_a_link() {
    let now: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
    let text = describe(
        NoticeKind::Opened,
        &conv(),
        Some("how much? <@&5> @here"),
        now,
    );
    assert_eq!(
        text,
        "📨 New: **Ana @\u{200B}everyone** (<@42>) in <#10> · pricing\n> how much? <@\u{200B}&5> @\u{200B}here\nhttps://discord.com/channels/1/10/1001"
    );
}

#[test]
fn a_reminder_says_how_long_the_customer_has_waited() {
    let now: Timestamp = "2026-11-23T11:05:00Z".parse().expect("time");
    let text = describe(NoticeKind::Reminder(1), &conv(), Some("ignored"), now);
    assert!(text.starts_with("⏰ Reminder 2: **Ana"), "{text}");
    assert!(
        text.contains("has been waiting 1 h 5 min in <#10>"),
        "{text}"
    );
    assert!(!text.contains("ignored"));
}

#[test]
fn an_escalated_reminder_says_who_was_reminded_and_how_long_the_wait_is() {
    let now: Timestamp = "2026-11-23T14:00:00Z".parse().expect("time");
    let text = escalated(
        NoticeKind::Reminder(2),
        &conv(),
        &[crate::model::UserId(7)],
        now,
    );
    assert!(
        text.starts_with("⏫ Escalated to you. ⏰ Reminder 3: **Ana"),
        "{text}"
    );
    assert!(text.contains("has been waiting 4 h in <#10>"), "{text}");
    assert!(
        text.ends_with("Already reminded: <@7> (3 reminders so far)"),
        "{text}"
    );
}

#[test]
fn a_posted_notice_is_recognised_by_its_kind_and_link_alone() {
    let now: Timestamp = "2026-11-23T11:05:00Z".parse().expect("time");
    let c = conv();
    let link = c.place.jump_link(c.id);
    let opened = describe(NoticeKind::Opened, &c, Some("hi\n\nthere"), now);
    let reminder = describe(NoticeKind::Reminder(0), &c, None, now);
    let posted = digest(&[vec![opened.clone(), reminder]], 2000)[0]
        .text
        .clone();
    assert!(shows(&posted, NoticeKind::Opened, &link));
    assert!(shows(&posted, NoticeKind::Reminder(0), &link));
    assert!(!shows(&posted, NoticeKind::Reminder(1), &link));
    assert!(!shows(&posted, NoticeKind::FollowUp, &link));
    assert!(!shows(
        &opened,
        NoticeKind::Opened,
        "https://discord.com/channels/1/10/9"
    ));
    assert!(shows(&format!("<@7> {opened}"), NoticeKind::Opened, &link));
    let follow = describe(NoticeKind::FollowUp, &c, Some("more"), now);
    assert!(shows(&follow, NoticeKind::FollowUp, &link));
}

#[test]
fn digests_count_their_customers() {
    let text = |blocks: &[Vec<String>]| digest(blocks, 2000)[0].text.clone();
    assert_eq!(text(&[vec!["a".into()]]), "a");
    assert_eq!(
        text(&[vec!["a".into()], vec!["b".into()]]),
        "**2 customers need you**\n\na\n\nb"
    );
    assert!(text(&[vec!["a".into(), "b".into()]]).starts_with("**1 customer needs you**"));
    assert!(digest(&[], 2000).is_empty());
}

#[test]
fn a_forum_post_is_named_by_its_post_and_its_forum() {
    let mut c = conv();
    c.place = Place::Forum {
        guild: GuildId(1),
        forum: ChannelId(11),
        post: ChannelId(1001),
    };
    let now: Timestamp = "2026-11-23T11:00:00Z".parse().expect("time");
    let text = describe(NoticeKind::Reminder(0), &c, None, now);
    assert!(
        text.contains("waiting 1 h in <#1001> in <#11> · pricing"),
        "{text}"
    );
    assert!(text.ends_with("\nhttps://discord.com/channels/1/1001/1001"));
}

#[test]
fn the_customers_words_are_quoted_as_typed() {
    let mut c = conv();
    c.customer_name = "**Boss** [refund](https://evil.example)".into();
    let now: Timestamp = "2026-11-23T10:00:00Z".parse().expect("time");
    let excerpt = "# URGENT `code` [click](https://evil.example)\r> not a quote\n\n- nor a list";
    let text = describe(NoticeKind::Opened, &c, Some(excerpt), now);
    assert_eq!(
        text,
        "📨 New: **\\*\\*Boss\\*\\* \\[refund](https://evil.example)** (<@42>) in <#10> · pricing\n\
         > \\# URGENT \\`code\\` \\[click](https://evil.example)\n\
         > \\> not a quote\n\
         > \n\
         > \\- nor a list\n\
         https://discord.com/channels/1/10/1001"
    );
}

/// `n` customers with a notice of about `size` characters each.
fn blocks(n: usize, size: usize) -> Vec<Vec<String>> {
    (0..n)
        .map(|i| vec![format!("📨 New: c{i} {}\nhttps://x/{i}", "x".repeat(size))])
        .collect()
}

#[test]
fn a_long_digest_is_cut_only_between_customers_five_at_most_per_message() {
    for (n, size) in [(12, 300), (13, 20), (4, 900), (7, 1900)] {
        let blocks = blocks(n, size);
        let messages = pack(&blocks, 1976);
        let mut customers: Vec<usize> = Vec::new();
        for m in &messages {
            assert!(m.text.chars().count() <= 1976, "{n}×{size}");
            assert!(m.customers.len() <= CUSTOMERS_PER_MESSAGE);
            for &c in &m.customers {
                assert!(m.text.contains(&blocks[c][0]), "customer {c} whole");
            }
            customers.extend(&m.customers);
        }
        assert_eq!(customers, (0..n).collect::<Vec<_>>(), "{n}×{size}");
        assert!(messages[0]
            .text
            .starts_with(&format!("**{n} customers need you**")));
    }
    assert_eq!(pack(&blocks(13, 20), 1976).len(), 3, "5 + 5 + 3 rows");
}

#[test]
fn past_ten_customers_a_digest_is_two_messages_five_whole_then_lines_then_a_count() {
    assert_eq!(digest(&blocks(10, 20), 1976), pack(&blocks(10, 20), 1976));
    for (n, size) in [(11, 20), (18, 60), (100, 60), (700, 300)] {
        let blocks = blocks(n, size);
        let messages = digest(&blocks, 1976);
        assert_eq!(messages.len(), 2, "{n}×{size}: one digest, not a flood");
        let mut covered: Vec<usize> = messages.iter().flat_map(|m| m.covers.clone()).collect();
        covered.sort_unstable();
        assert_eq!(
            covered,
            (0..n).collect::<Vec<_>>(),
            "{n}×{size}: everyone covered once"
        );
        assert_eq!(
            messages[0].customers,
            (0..5).collect::<Vec<_>>(),
            "five whole"
        );
        assert!(messages[1].customers.is_empty());
        assert!(messages[0]
            .text
            .starts_with(&format!("**{n} customers need you**")));
        let lines = messages[1]
            .text
            .lines()
            .filter(|l| l.starts_with("• "))
            .count();
        for i in 0..5 + lines {
            let all = format!("{}\n{}\n", messages[0].text, messages[1].text);
            assert!(
                all.contains(&format!("https://x/{i}\n")),
                "{n}×{size}: {i} linked"
            );
        }
        let more = n - 5 - lines;
        let counted = match more {
            0 => None,
            1 => Some("…and 1 more customer needs you".to_string()),
            _ => Some(format!("…and {more} more customers need you")),
        };
        match counted {
            Some(line) => assert!(messages[1].text.contains(&line), "{n}×{size}"),
            None => assert!(!messages[1].text.contains("more customer"), "{n}×{size}"),
        }
        assert!(lines >= 10 || more == 0, "{n}×{size}: {lines} lines fit");
        for m in &messages {
            assert!(m.text.chars().count() <= 1976, "{n}×{size}");
        }
    }
}

#[test]
fn a_customer_longer_than_a_message_is_cut_between_notices_with_the_buttons_last() {
    let long = vec![
        format!("📨 New: a {}", "x".repeat(1500)),
        format!("⏰ Reminder 1: a {}", "y".repeat(1500)),
    ];
    let messages = digest(&[vec!["📨 New: b".into()], long.clone()], 1976);
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "**2 customers need you**\n\n📨 New: b",
            long[0].as_str(),
            long[1].as_str()
        ]
    );
    let rows: Vec<&[usize]> = messages.iter().map(|m| m.customers.as_slice()).collect();
    assert_eq!(rows, [&[0][..], &[], &[1]]);
    let huge = digest(&[vec![format!("📨 New: z\n{}", "w\n".repeat(3000))]], 1976);
    assert!(huge.len() > 1);
    assert!(huge.iter().all(|m| m.text.chars().count() <= 1976));
    assert_eq!(huge.last().map(|m| m.customers.clone()), Some(vec![0]));
}

proptest::proptest! {
    #[test]
    fn notices_and_digests_render_none_of_the_customers_markup(
        name in hostile(),
        excerpt in hostile(),
    ) {
        let now: Timestamp = "2026-11-23T11:05:00Z".parse().expect("time");
        let with = |name: &str| {
            let mut c = conv();
            c.customer_name = name.to_string();
            c
        };
        let (hostile, harmless) = (with(&name), with("Ana"));
        for kind in [NoticeKind::Opened, NoticeKind::FollowUp, NoticeKind::Reminder(1)] {
            let bodies = |c: &Conversation, excerpt: &str| {
                let one = describe(kind, c, Some(excerpt), now);
                let escalated = escalated(kind, c, &[UserId(7)], now);
                let pair = digest(&[vec![one.clone()], vec![escalated.clone()]], 1976);
                [one, escalated, pair[0].text.clone()].map(|text| posted(&text))
            };
            let bad = bodies(&hostile, &excerpt);
            let good = bodies(&harmless, "hello there");
            for (bad, good) in bad.iter().zip(&good) {
                assert_adds_no_markup(bad, good);
            }
        }
        // A promise's reminders: the customer's and the staff member's names, their words.
        let mut said = promise(&name);
        said.words.clone_from(&excerpt);
        let good = promise("Sam");
        let reminders = |c: &Conversation, p: &Promise| {
            [promise_reminder(c, p, 1, now), promise_overdue(c, p, 1, now)].map(|t| posted(&t))
        };
        let bad = reminders(&hostile, &said);
        let fine = reminders(&harmless, &Promise { words: "hello there".into(), ..good });
        for (bad, good) in bad.iter().zip(&fine) {
            assert_adds_no_markup(bad, good);
        }
    }
}

/// The content of the message frontdesk posts with `text`.
fn posted(text: &str) -> String {
    let body = crate::discord::outbound::message_body(&crate::discord::outbound::Outbound {
        text,
        ping: None,
        reply_to: None,
        nonce: "n1".into(),
        buttons: Vec::new(),
    });
    body["content"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_regulars_notice_says_which_conversation_this_is_and_how_the_last_went() {
    let tz = jiff::tz::TimeZone::UTC;
    let mut last = conv();
    last.topic = "orders & shipping".into();
    last.state = crate::core::State::Resolved;
    last.resolved_at = Some("2026-11-12T15:00:00Z".parse().expect("time"));
    last.rating = Some(crate::core::Rating {
        asked_at: "2026-11-12T15:00:00Z".parse().expect("time"),
        score: Some(5),
        answered_at: None,
    });
    assert_eq!(
        regular(2, &last, &tz),
        "↩️ 3rd conversation · last: orders & shipping, resolved 12 Nov, rated 5/5"
    );
    let mut open = conv();
    open.rating = None;
    assert_eq!(
        regular(1, &open, &tz),
        "↩️ 2nd conversation · last: pricing, opened 23 Nov, still open"
    );
    for (n, text) in [
        (0, "1st"),
        (10, "11th"),
        (11, "12th"),
        (20, "21st"),
        (112, "113th"),
    ] {
        assert!(
            regular(n, &open, &tz).starts_with(&format!("↩️ {text} ")),
            "{n}"
        );
    }
    let now = "2026-11-23T11:00:00Z".parse().expect("time");
    let text = after_head(
        &describe(NoticeKind::Opened, &conv(), Some("hi"), now),
        "↩️ 2nd",
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("📨 New: "), "{text}");
    assert_eq!(lines[1], "↩️ 2nd");
    let link = conv().place.jump_link(conv().id);
    assert!(
        shows(&text, NoticeKind::Opened, &link),
        "still recognised after a restart"
    );
}
