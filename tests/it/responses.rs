//! The rule format: the shipped set, selection, rotation, and load errors with file:line + fix.

use std::path::{Path, PathBuf};

use frontdesk::model::{ChannelId, GuildId, Place};
use frontdesk::responses::{Moment, Rules};

fn shipped() -> Rules {
    Rules::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("responses"))
        .unwrap_or_else(|e| panic!("shipped responses must load:\n{e}"))
}

fn channel() -> Place {
    Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(10),
        thread: None,
    }
}

const OPEN: Moment = Moment {
    open: true,
    away: false,
    late: false,
    returning: false,
};

fn pick(rules: &Rules, text: &str, moment: Moment) -> (String, String) {
    let s = rules.select(text, &channel(), &[], moment);
    (s.rule.id.clone(), s.topic.to_string())
}

fn load(files: &[(&str, &str)]) -> Result<Rules, String> {
    let files: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(n, t)| (PathBuf::from(format!("responses/{n}")), t.to_string()))
        .collect();
    Rules::from_sources(&files).map_err(|e| e.to_string())
}

#[test]
fn shipped_rules_answer_common_questions() {
    let rules = shipped();
    let table = [
        (
            "how much is shipping to Canada?",
            "orders",
            "orders & shipping",
        ),
        (
            "What are your prices for a custom quilt?",
            "pricing",
            "pricing",
        ),
        (
            "My parcel arrived DAMAGED",
            "problems",
            "refunds & problems",
        ),
        ("the checkout page shows an error", "bugs", "bug reports"),
        ("hello!", "general", "general"),
        ("", "general", "general"),
        ("I love surprises", "general", "general"),
    ];
    for (text, rule, topic) in table {
        assert_eq!(
            pick(&rules, text, OPEN),
            (rule.to_string(), topic.to_string()),
            "{text:?}"
        );
    }
}

#[test]
fn time_scopes_outrank_topics_but_keep_the_topic() {
    let rules = shipped();
    let closed = Moment {
        open: false,
        ..OPEN
    };
    assert_eq!(
        pick(&rules, "where is my order?", closed),
        ("closed".into(), "orders & shipping".into())
    );
    let away = Moment { away: true, ..OPEN };
    assert_eq!(pick(&rules, "hi", away).0, "away");
    let late = Moment {
        late: true,
        ..closed
    };
    assert_eq!(pick(&rules, "hi", late).0, "late");
}

#[test]
fn a_regular_is_welcomed_back_and_a_first_timer_is_not() {
    let rules = shipped();
    let regular = Moment {
        returning: true,
        ..OPEN
    };
    assert_eq!(pick(&rules, "hello!", OPEN).0, "general");
    assert_eq!(pick(&rules, "hello!", regular).0, "welcome-back");
    // The topic still comes from the question; closing time still says so.
    assert_eq!(
        pick(&rules, "where is my order?", regular),
        ("welcome-back".into(), "orders & shipping".into())
    );
    let closed = Moment {
        open: false,
        ..regular
    };
    assert_eq!(pick(&rules, "hello!", closed).0, "closed");
    // `returning = false` is for first-timers only.
    let rules = load(&[(
        "a.toml",
        r#"
[[rule]]
id = "fallback"
variants = ["hi"]

[[rule]]
id = "first-time"
priority = 5
returning = false
variants = ["welcome, new friend"]
"#,
    )])
    .expect("rules");
    assert_eq!(pick(&rules, "x", OPEN).0, "first-time");
    assert_eq!(pick(&rules, "x", regular).0, "fallback");
}

#[test]
fn place_scopes_limit_rules() {
    let rules = load(&[(
        "a.toml",
        r#"
[[rule]]
id = "fallback"
variants = ["hi"]

[[rule]]
id = "dm-only"
priority = 5
where = ["dm"]
variants = ["dm"]

[[rule]]
id = "bugs-tag"
priority = 5
where = ["tag:Bug"]
variants = ["bug"]

[[rule]]
id = "one-channel"
priority = 4
where = ["channel:10"]
variants = ["ten"]
"#,
    )])
    .expect("valid");
    let dm = Place::Dm {
        channel: ChannelId(5),
    };
    let forum = Place::Forum {
        guild: GuildId(1),
        forum: ChannelId(20),
        post: ChannelId(21),
    };
    assert_eq!(rules.select("x", &dm, &[], OPEN).rule.id, "dm-only");
    assert_eq!(
        rules.select("x", &forum, &["bug".into()], OPEN).rule.id,
        "bugs-tag"
    );
    assert_eq!(rules.select("x", &forum, &[], OPEN).rule.id, "fallback");
    assert_eq!(
        rules.select("x", &channel(), &[], OPEN).rule.id,
        "one-channel"
    );
    let other = Place::Channel {
        guild: GuildId(1),
        channel: ChannelId(11),
        thread: None,
    };
    assert_eq!(rules.select("x", &other, &[], OPEN).rule.id, "fallback");
}

#[test]
fn variants_rotate_per_customer() {
    let rules = shipped();
    let rule = rules.select("hello", &channel(), &[], OPEN).rule;
    assert!(rule.variants.len() >= 3);
    let texts: Vec<String> = (0..rule.variants.len() as u64)
        .map(|nth| rule.variant(42, nth).to_string())
        .collect();
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        texts.len(),
        "a regular sees every variant in turn"
    );
    let firsts: std::collections::BTreeSet<String> = (1..50u64)
        .map(|customer| rule.variant(customer, 0).to_string())
        .collect();
    assert!(firsts.len() > 1, "customers start at different variants");
}

#[test]
fn bad_regex_names_file_line_and_fix() {
    let err = load(&[
        (
            "general.toml",
            "[[rule]]\nid = \"general\"\nvariants = [\"hi\"]\n",
        ),
        (
            "bad.toml",
            "[[rule]]\nid = \"prices\"\nmatch = 'how much (is'\nvariants = [\"x\"]\n",
        ),
    ])
    .expect_err("bad regex");
    assert!(
        err.starts_with("responses/bad.toml:3: bad regex in `match`"),
        "{err}"
    );
    assert!(err.contains("fix:"), "{err}");
}

#[test]
fn unknown_placeholder_names_its_line_and_the_known_ones() {
    let err = load(&[(
        "a.toml",
        "[[rule]]\nid = \"general\"\nvariants = [\n  \"fine {customer}\",\n  \"Hi {custmer}\",\n]\n",
    )])
    .expect_err("unknown placeholder");
    assert!(err.starts_with("responses/a.toml:5: "), "{err}");
    assert!(err.contains("unknown placeholder `{custmer}`"), "{err}");
    assert!(err.contains("{customer}, {customer_name}"), "{err}");
}

#[test]
fn placeholder_error_inside_a_multiline_string_points_at_its_line() {
    let err = load(&[(
        "a.toml",
        "[[rule]]\nid = \"general\"\nvariants = ['''\nline one\nline two {nope}\n''']\n",
    )])
    .expect_err("unknown placeholder");
    assert!(err.starts_with("responses/a.toml:5: "), "{err}");
}

#[test]
fn missing_and_unknown_fields_are_reported_with_lines() {
    let err = load(&[("a.toml", "[[rule]]\nid = \"general\"\n")]).expect_err("missing");
    assert!(err.contains("missing field `variants`"), "{err}");
    assert!(err.starts_with("responses/a.toml:1: "), "{err}");
    let err = load(&[(
        "a.toml",
        "[[rule]]\nid = \"general\"\nvariants = [\"hi\"]\nprority = 3\n",
    )])
    .expect_err("typo");
    assert!(err.starts_with("responses/a.toml:4: "), "{err}");
    assert!(err.contains("prority"), "{err}");
}

#[test]
fn bad_scopes_and_duplicates_are_errors() {
    let err = load(&[(
        "a.toml",
        "[[rule]]\nid = \"general\"\nvariants = [\"hi\"]\n\n[[rule]]\nid = \"x\"\nwhen = [\"weekend\"]\nwhere = [\"telegram\"]\nvariants = [\"a\"]\n\n[[rule]]\nid = \"general\"\nvariants = [\"b\"]\n",
    )])
    .expect_err("bad");
    assert!(err.contains("a.toml:7: unknown time \"weekend\""), "{err}");
    assert!(
        err.contains("a.toml:8: unknown place \"telegram\""),
        "{err}"
    );
    assert!(
        err.contains("a.toml:12: rule id \"general\" is used twice"),
        "{err}"
    );
}

#[test]
fn a_rule_set_without_fallback_is_refused() {
    let err = load(&[(
        "a.toml",
        "[[rule]]\nid = \"prices\"\nmatch = 'price'\nvariants = [\"x\"]\n",
    )])
    .expect_err("no fallback");
    assert!(err.contains("no fallback rule"), "{err}");
}

#[test]
fn missing_folder_says_what_to_do() {
    let err = Rules::load_dir(Path::new("/nonexistent/responses"))
        .expect_err("missing")
        .to_string();
    assert!(err.contains("cannot read the responses folder"), "{err}");
    assert!(err.contains("fix:"), "{err}");
}

#[test]
fn claimed_texts_load_from_the_files_or_are_built_in_and_staff_is_theirs_alone() {
    let values = frontdesk::responses::Values {
        customer_mention: "<@42>",
        staff: "Ana",
        ..Default::default()
    };
    // The shipped folder has a [claimed] table; its texts name who took it.
    let shipped = shipped();
    for nth in 0..2 {
        let text = shipped.claimed(42, nth).expect("shipped").render(&values);
        assert!(text.contains("Ana") && text.contains("<@42>"), "{text}");
    }
    // Without one, the built-in text.
    let general = "[[rule]]\nid = \"general\"\nvariants = [\"Hi {customer}\"]\n";
    let plain = load(&[("general.toml", general)]).expect("loads");
    assert_eq!(
        plain.claimed(1, 0).expect("built in").render(&values),
        "<@42>, Ana is looking after your question now and will reply to you personally."
    );
    let own = format!("{general}\n[claimed]\nvariants = [\"{{staff}} has it, {{customer}}.\"]\n");
    let rules = load(&[("general.toml", &own)]).expect("loads");
    assert_eq!(
        rules.claimed(1, 0).expect("own").render(&values),
        "Ana has it, <@42>."
    );
    // {staff} in an acknowledgement is refused at its line: nobody has it yet.
    let e = load(&[(
        "general.toml",
        "[[rule]]\nid = \"general\"\nvariants = [\"Hi {customer}, {staff} here\"]\n",
    )])
    .expect_err("staff in an ack");
    assert!(e.starts_with("responses/general.toml:3: "), "{e}");
    assert!(e.contains("use it in [claimed] only"), "{e}");
    // Two [claimed] tables, or an empty one, are errors naming where.
    let twice = load(&[
        ("a.toml", &own),
        ("b.toml", "[claimed]\nvariants = [\"x\"]\n"),
    ])
    .expect_err("twice");
    assert!(
        twice.contains("responses/b.toml:2: [claimed] is written twice"),
        "{twice}"
    );
    let empty = load(&[(
        "general.toml",
        &format!("{general}[claimed]\nvariants = []\n"),
    )])
    .expect_err("empty");
    assert!(empty.contains("[claimed] has no variants"), "{empty}");
}
