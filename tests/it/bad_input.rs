//! Bad input, as properties: templates, rule files, config files, message bodies and customer
//! messages built from hostile pieces (mentions, right-to-left and zero-width marks, combining
//! characters, braces, huge texts) never panic, never ping anyone but the intended person,
//! never exceed Discord's limits, and every refusal names its cause and its fix.
//!
//! Case counts are modest so the file runs in seconds; `PROPTEST_CASES=5000` runs more.

use std::path::{Path, PathBuf};

use frontdesk::config::Config;
use frontdesk::desk::{Arrival, Desk, Handled};
use frontdesk::discord::outbound::{message_body, Outbound};
use frontdesk::model::{Author, ChannelId, GuildId, Incoming, MessageId, Place, UserId};
use frontdesk::responses::template::{Template, Values, DISCORD_MESSAGE_LIMIT};
use frontdesk::responses::{Moment, Placeholder, Rules};
use frontdesk::store::{OutboxItem, Store};
use frontdesk_sim::schema::ApiSchema;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::json;

/// Pieces that have broken chat bots before.
const HOSTILE: &[&str] = &[
    "@everyone",
    "@here",
    "<@&100000000000000020>",
    "<@100000000000000100>",
    "<@!42>",
    "<#100000000000000010>",
    "\u{202E}",               // right-to-left override
    "\u{200F}",               // right-to-left mark
    "\u{200D}",               // zero-width joiner
    "\u{200B}",               // zero-width space
    "\u{FEFF}",               // byte-order mark
    "e\u{301}\u{302}\u{303}", // stacked combining marks
    "👩\u{200D}👩\u{200D}👧",
    "🏳️‍🌈",
    "مرحبا",
    "שלום",
    "ß",
    "ﬃ",
    "İ",
    "{eta}",
    "{customer}",
    "{owner}",
    "{nope}",
    "{",
    "}",
    "{{",
    "}}",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "```",
    "> ",
    "||spoiler||",
    "\\",
    "\"",
    "'''",
    "\u{FFFD}",
    "𝔘𝔫𝔦",
];

fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        1 => any::<String>(),
        1 => proptest::collection::vec(proptest::sample::select(&['a', 'z', ' ', '?', '.'][..]), 0..20)
            .prop_map(String::from_iter),
    ];
    let short = proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat());
    prop_oneof![
        8 => short.clone(),
        // Nitro allows 4000 characters; some values are longer still.
        1 => short.prop_map(|s| s.repeat(400).chars().take(4500).collect()),
    ]
}

fn placeholder_names() -> Vec<&'static str> {
    Placeholder::ALL.iter().map(|(n, _)| *n).collect()
}

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(n),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn values_from<'a>(v: &'a [String; 10]) -> Values<'a> {
    Values {
        customer_mention: &v[0],
        customer_name: &v[1],
        owner: &v[2],
        business: &v[3],
        topic: &v[4],
        eta: &v[5],
        opens: &v[6],
        back: &v[7],
        away_note: &v[8],
        staff: &v[9],
    }
}

/// A template from literal text (braces escaped) and placeholders, with its placeholders.
fn template_source() -> impl Strategy<Value = (String, Vec<usize>)> {
    let piece = prop_oneof![
        hostile_text().prop_map(|t| (t.replace('{', "{{").replace('}', "}}"), None)),
        (0..10usize).prop_map(|i| (format!("{{{}}}", placeholder_names()[i]), Some(i))),
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|pieces| {
        let text = pieces.iter().map(|(t, _)| t.as_str()).collect::<String>();
        let used = pieces.iter().filter_map(|(_, p)| *p).collect();
        (text, used)
    })
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn parsing_any_text_as_a_template_never_panics(text in hostile_text()) {
        if let Err(e) = Template::parse(&text) {
            prop_assert!(e.offset <= text.len() && text.is_char_boundary(e.offset));
            prop_assert!(!e.problem.is_empty() && !e.fix.is_empty());
        }
    }

    /// Values are inserted once: a customer called `{eta}` stays `{eta}`, and the output always
    /// fits in one Discord message.
    #[test]
    fn rendering_never_re_expands_values_and_fits_discords_limit(
        (source, used) in template_source(),
        values in proptest::array::uniform10(hostile_text()),
        unused in 0..10usize,
    ) {
        let template = Template::parse(&source).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut values = values;
        // One placeholder the template does not use gets a sentinel, and every other value
        // names that placeholder: if a value were expanded again, the sentinel would show.
        let sentinel = "\u{1}SENTINEL\u{1}".to_string();
        let name = placeholder_names()[unused];
        for (i, v) in values.iter_mut().enumerate() {
            if i != unused {
                v.push_str(&format!("{{{name}}}"));
            }
        }
        values[unused] = sentinel.clone();
        let out = template.render(&values_from(&values));
        prop_assert!(out.chars().count() <= DISCORD_MESSAGE_LIMIT);
        if !used.contains(&unused) {
            prop_assert!(!out.contains(&sentinel), "a value was expanded: {out:?}");
        }
        // Parsing what Display prints gives the same template back.
        prop_assert_eq!(Template::parse(&template.to_string()).ok(), Some(template));
    }

    /// The ping rule is allowed_mentions, not string filtering: whatever the text says, only
    /// the intended user can be pinged, and the body is one Discord accepts.
    #[test]
    fn a_message_body_pings_only_the_intended_user_whatever_the_text(
        text in hostile_text(),
        ping in proptest::option::of(1u64..u64::MAX),
        reply in proptest::option::of((1u64..u64::MAX, 1u64..u64::MAX)),
        nonce in hostile_text(),
    ) {
        let body = message_body(&Outbound {
            text: &text,
            ping: ping.map(UserId),
            reply_to: reply.map(|(c, m)| (ChannelId(c), MessageId(m))),
            nonce,
            buttons: Vec::new(),
        });
        let users: Vec<String> = ping.iter().map(u64::to_string).collect();
        prop_assert_eq!(
            &body["allowed_mentions"],
            &json!({"parse": [], "users": users, "roles": [], "replied_user": false})
        );
        let content = body["content"].as_str().unwrap_or("");
        prop_assert!(content.chars().count() <= DISCORD_MESSAGE_LIMIT);
        prop_assert!(body["nonce"].as_str().is_some_and(|n| n.chars().count() <= 25));
        let verdict = ApiSchema::get().validate_request("POST", "/channels/10/messages", &body);
        prop_assert!(verdict.is_ok(), "{verdict:?}");
    }

    #[test]
    fn any_text_as_a_rule_file_is_loaded_or_refused_with_a_fix(text in hostile_text()) {
        check_rules(&[(PathBuf::from("responses/x.toml"), text)])?;
    }

    #[test]
    fn rule_files_built_from_hostile_fields_load_or_are_refused_with_file_line_and_fix(
        files in proptest::collection::vec(rule_file(), 1..3),
    ) {
        let mut files: Vec<(PathBuf, String)> = files
            .into_iter()
            .enumerate()
            .map(|(i, t)| (PathBuf::from(format!("responses/f{i}.toml")), t))
            .collect();
        // A valid fallback in its own file, so the generated rules decide the outcome.
        files.push((
            PathBuf::from("responses/base.toml"),
            "[[rule]]\nid = \"base\"\nvariants = [\"Hi {customer}!\"]\n".to_string(),
        ));
        check_rules(&files)?;
    }

    #[test]
    fn any_text_as_a_config_file_is_loaded_or_refused_with_a_fix(text in hostile_text()) {
        check_config(&text)?;
    }

    #[test]
    fn config_files_built_from_hostile_values_load_or_are_refused_with_line_and_fix(
        text in config_file(),
    ) {
        check_config(&text)?;
    }
}

/// Loads `files`; a refusal names a file, a line inside it and a fix. Loaded rules answer
/// hostile messages without panicking, within Discord's limit.
fn check_rules(files: &[(PathBuf, String)]) -> Result<(), TestCaseError> {
    match Rules::from_sources(files) {
        Ok(rules) => {
            let place = Place::Channel {
                guild: GuildId(1),
                channel: ChannelId(10),
                thread: None,
            };
            for text in ["", "where is my order?", "@everyone \u{202E} {eta}"] {
                let s = rules.select(text, &place, &["orders".into()], Moment::default());
                let values = [(); 10].map(|_| "x".repeat(300));
                let out = s.rule.variant(7, 3).render(&values_from(&values));
                prop_assert!(out.chars().count() <= DISCORD_MESSAGE_LIMIT);
            }
        }
        Err(errors) => {
            prop_assert!(!errors.0.is_empty());
            for e in &errors.0 {
                let lines = files
                    .iter()
                    .find(|(p, _)| *p == e.file)
                    .map_or(0, |(_, t)| t.lines().count() + 1);
                prop_assert!(e.line <= lines, "line {} of {} in {e}", e.line, lines);
                prop_assert!(!e.problem.is_empty() && !e.fix.is_empty(), "{e}");
            }
        }
    }
    Ok(())
}

fn check_config(text: &str) -> Result<(), TestCaseError> {
    if let Err(e) = Config::parse(text, Path::new("frontdesk.toml")) {
        let shown = e.to_string();
        prop_assert!(shown.contains("fix: "), "no fix in {shown}");
        prop_assert!(shown.starts_with("frontdesk.toml"), "no file in {shown}");
    }
    Ok(())
}

/// A TOML basic string. Written by hand: toml_write 0.1.2 (behind `toml::Value`'s Display)
/// overflows a u8 counter on 256 quotes in a row, which this file's inputs produce. frontdesk
/// itself never writes TOML.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A field value: mostly plausible, sometimes hostile, sometimes the wrong type.
fn field(plausible: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(plausible).prop_map(toml_string),
        2 => hostile_text().prop_map(|t| toml_string(&t)),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => Just("true".to_string()),
        1 => proptest::collection::vec(proptest::sample::select(plausible), 0..4)
            .prop_map(|v| format!("[{}]", v.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", "))),
    ]
}

fn rule_file() -> impl Strategy<Value = String> {
    let rule = (
        field(&["general", "orders", "x", "", "a b"]),
        proptest::option::of(field(&["orders", "", "ünïcode"])),
        proptest::option::of(prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            Just("9223372036854775808".to_string()),
        ]),
        proptest::option::of(field(&[
            "(?i)ship",
            "(",
            "a{99999}",
            "\\p{Greek}+",
            "(a|b|c|d)*$",
            "[",
            "\\",
            "",
            ".*",
            "(?P<x>a)(?P<x>b)",
        ])),
        proptest::option::of(field(&["dm", "channel", "forum", "channel:10", "forum:11", "tag:orders", "nowhere", "channel:x"])),
        proptest::option::of(field(&["open", "closed", "away", "late", "sometimes"])),
        prop_oneof![
            3 => proptest::collection::vec(
                proptest::sample::select(&[
                    "Hi {customer}!",
                    "{owner} replies {eta}.",
                    "{nope}",
                    "{",
                    "}",
                    "",
                    "{{literal}}",
                    "opens {opens}, back {back}: {away_note}",
                ][..]),
                0..4,
            )
            .prop_map(|v| format!("[{}]", v.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", "))),
            1 => Just(format!("[{}]", toml_string(&"long ".repeat(500)))),
            1 => field(&["not a list"]),
        ],
        proptest::option::of(Just("surprise = 1".to_string())),
    )
        .prop_map(|(id, topic, priority, pattern, places, when, variants, extra)| {
            let mut s = format!("[[rule]]\nid = {id}\n");
            if let Some(t) = topic {
                s += &format!("topic = {t}\n");
            }
            if let Some(p) = priority {
                s += &format!("priority = {p}\n");
            }
            if let Some(p) = pattern {
                s += &format!("match = {p}\n");
            }
            if let Some(p) = places {
                s += &format!("where = {p}\n");
            }
            if let Some(w) = when {
                s += &format!("when = {w}\n");
            }
            s += &format!("variants = {variants}\n");
            if let Some(e) = extra {
                s += &format!("{e}\n");
            }
            s
        });
    proptest::collection::vec(rule, 0..4).prop_map(|rules| rules.join("\n"))
}

fn config_file() -> impl Strategy<Value = String> {
    let ids: &'static [&'static str] = &[
        "100000000000000010",
        "0",
        "-1",
        "18446744073709551616",
        "abc",
        "",
    ];
    let durations: &'static [&'static str] = &[
        "15m",
        "1h",
        "0m",
        "-1h",
        "99999999999d",
        "1h30m",
        "soon",
        "",
    ];
    let line = prop_oneof![
        field(&["Maple & Thread", ""]).prop_map(|v| format!("business_name = {v}")),
        field(&["Sam"]).prop_map(|v| format!("owner_name = {v}")),
        field(&["responses", "/nonexistent", ""]).prop_map(|v| format!("data_dir = {v}")),
        field(&["http://127.0.0.1:1", "not a url", "ftp://x"])
            .prop_map(|v| format!("[discord]\napi = {v}")),
        field(&["secret-token"]).prop_map(|v| format!("[discord]\ntoken = {v}")),
        field(ids).prop_map(|v| format!("[discord]\nguild = {v}")),
        field(ids).prop_map(|v| format!("[discord]\nowners = [{v}]")),
        field(ids).prop_map(|v| format!("[discord]\nstaff_roles = [{v}]\nstaff_channel = {v}")),
        field(ids).prop_map(|v| format!("[watch]\nchannels = [{v}]\nforums = [{v}]")),
        field(&["Europe/Paris", "Mars/Base", "UTC", ""])
            .prop_map(|v| format!("[hours]\ntime_zone = {v}")),
        field(&[
            "9:00-17:00",
            "25:00-1:00",
            "17:00-9:00",
            "closed",
            "9-5",
            "00:00-24:00"
        ])
        .prop_map(|v| format!("[hours]\ntime_zone = \"UTC\"\nmonday = {v}\nsunday = {v}")),
        field(&["2026-12-25", "2026-02-30", "tomorrow"])
            .prop_map(|v| format!("[hours]\ntime_zone = \"UTC\"\nholidays = [{v}]")),
        field(durations).prop_map(|v| format!("[reminders]\nafter = [{v}, {v}]\nthen_every = {v}")),
        field(&["22:00-07:00", "07:00-07:00", "x"])
            .prop_map(|v| format!("[reminders]\nquiet_hours = {v}")),
        field(durations)
            .prop_map(|v| format!("[conversations]\nauto_resolve_after = {v}\nreply_target = {v}")),
        field(&["Closing now.", ""])
            .prop_map(|v| format!("[conversations]\nclosing_message = {v}")),
        Just("[mystery]\nkey = 1".to_string()),
    ];
    proptest::collection::vec(line, 0..6).prop_map(|lines| lines.join("\n"))
}

/// Customer messages of any shape reach the desk like any other: stored, acknowledged within
/// Discord's limit, pinging only their author. One database for all cases (sled is slow to
/// open), each case a new customer.
#[test]
fn hostile_customer_messages_are_stored_and_acknowledged_within_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config::parse(
        "owner_name = \"Sam @everyone\"\nbusiness_name = \"<@&5> {eta}\"\n[discord]\nowners = [\"7\"]\n",
        Path::new("test.toml"),
    )
    .expect("config");
    let rules =
        Rules::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("responses")).expect("rules");
    let desk = Desk::new(Store::open(dir.path()).expect("open"), &config, rules);
    let mut runner = TestRunner::new(RunnerConfig {
        failure_persistence: None,
        ..cases(128)
    });
    let next = std::sync::atomic::AtomicU64::new(1_000);
    let strategy = (hostile_text(), hostile_text(), any::<bool>());
    runner
        .run(&strategy, |(content, name, dm)| {
            let customer = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let place = if dm {
                Place::Dm {
                    channel: ChannelId(500_000 + customer),
                }
            } else {
                Place::Channel {
                    guild: GuildId(1),
                    channel: ChannelId(10),
                    thread: None,
                }
            };
            let msg = Incoming {
                id: MessageId(customer * 10),
                place,
                author: Author {
                    id: UserId(customer),
                    name,
                    bot: false,
                    roles: Vec::new(),
                },
                content: Some(content),
                reply_to: None,
                at: "2026-11-24T10:00:00Z".parse().expect("time"),
                tags: Vec::new(),
            };
            let handled = desk
                .handle_message(&msg, UserId(99), msg.at, Arrival::Live)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let Handled::Stored { deliver, .. } = handled else {
                return Err(TestCaseError::fail(format!("not stored: {handled:?}")));
            };
            let ack = deliver.iter().find_map(|p| match &p.record.item {
                OutboxItem::Ack { text, customer, .. } => Some((text.clone(), *customer)),
                _ => None,
            });
            let (text, to) = ack.ok_or_else(|| TestCaseError::fail("no acknowledgement"))?;
            prop_assert_eq!(to, UserId(customer));
            prop_assert!(text.chars().count() <= DISCORD_MESSAGE_LIMIT);
            let body = message_body(&Outbound {
                text: &text,
                ping: Some(to),
                reply_to: Some((msg.place.channel(), msg.id)),
                nonce: format!("a{}", msg.id),
                buttons: Vec::new(),
            });
            prop_assert_eq!(
                &body["allowed_mentions"]["users"],
                &json!([customer.to_string()])
            );
            prop_assert_eq!(&body["allowed_mentions"]["parse"], &json!([]));
            prop_assert!(desk.store().is_claimed(msg.id).unwrap_or(false));
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
