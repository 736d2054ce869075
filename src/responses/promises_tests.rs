//! The promise rules: the shipped set on replies staff write, the folder they share with the
//! acknowledgement rules, and load errors with file:line + fix.

use std::path::{Path, PathBuf};

use jiff::civil::Weekday;

use super::promises::{PromiseMatch, PromiseRules, When};
use super::Rules;

fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("responses")
}

fn shipped() -> PromiseRules {
    PromiseRules::load(&shipped_dir()).unwrap_or_else(|e| panic!("shipped promises load:\n{e}"))
}

fn parse(text: &str) -> Result<PromiseRules, String> {
    PromiseRules::parse(Path::new("responses/promises.toml"), text).map_err(|e| e.to_string())
}

#[test]
fn the_shipped_rules_tell_promises_from_other_replies() {
    let rules = shipped();
    let friday = When::Weekday(Weekday::Friday);
    let promises: &[(&str, &str, When)] = &[
        (
            "Let me check with the supplier and I'll get back to you",
            "get-back-to-you",
            When::Later,
        ),
        ("I'll get back to you tomorrow", "tomorrow", When::Tomorrow),
        (
            "Tomorrow I'll ask the supplier.",
            "tomorrow",
            When::Tomorrow,
        ),
        (
            "We'll have it ready first thing tomorrow",
            "tomorrow",
            When::Tomorrow,
        ),
        ("You'll have it by Friday", "by-weekday", friday),
        (
            "I'll check and get back to you by Fri",
            "by-weekday",
            friday,
        ),
        ("Friday at the latest.", "by-weekday", friday),
        (
            "I'll call the courier on monday",
            "by-weekday",
            When::Weekday(Weekday::Monday),
        ),
        (
            "We will send it before Thursday",
            "by-weekday",
            When::Weekday(Weekday::Thursday),
        ),
        ("I'll look into it", "look-into-it", When::Later),
        ("Let me have a quick look", "look-into-it", When::Later),
        ("we're looking into it now", "look-into-it", When::Later),
        ("I'll let you know", "let-you-know", When::Later),
        ("Thanks! Will let you know", "let-you-know", When::Later),
        ("Let me check", "let-me-check", When::Later),
        (
            "I\u{2019}ll double-check the order",
            "let-me-check",
            When::Later,
        ),
        (
            "I'm checking with the warehouse",
            "let-me-check",
            When::Later,
        ),
        ("I'll find out", "find-out", When::Later),
        ("I'll see what I can do", "find-out", When::Later),
        ("I'll ask the supplier", "ask-someone", When::Later),
        ("I'll sort it out", "follow-up", When::Later),
    ];
    for (text, rule, when) in promises {
        assert_eq!(
            rules.find(text),
            Some(PromiseMatch {
                rule: rule.to_string(),
                when: *when
            }),
            "{text:?}"
        );
    }
    let replies = [
        "Check out our website!",
        "You can check the tracking page",
        "Let me know if you have any other questions",
        "We'll be closed tomorrow",
        "We're closed tomorrow, back on Monday",
        "It shipped on Monday",
        "Please reply by Friday",
        "The parcel sat at the depot; I checked.",
        "No need to get back to me",
        "Well, thanks for your patience",
        "All sorted, glad it arrived!",
        "",
    ];
    for text in replies {
        assert_eq!(rules.find(text), None, "{text:?} is not a promise");
    }
}

#[test]
fn the_built_in_rules_are_the_shipped_file_and_stand_in_for_a_missing_one() {
    assert_eq!(PromiseRules::builtin().len(), shipped().len());
    assert!(shipped().len() >= 9);
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = PromiseRules::load(dir.path()).expect("no file: the built-in rules");
    assert_eq!(rules.len(), PromiseRules::builtin().len());
    assert!(rules
        .iter()
        .all(|r| r.source.file.starts_with("(built-in)")));
}

#[test]
fn the_acknowledgement_loader_leaves_promises_toml_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("general.toml"),
        "[[rule]]\nid = \"general\"\nvariants = [\"Hi {customer}\"]\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("promises.toml"),
        "[[rule]]\nid = \"x\"\nmatch = 'get back to you'\nwhen = \"later\"\n",
    )
    .expect("write");
    let rules = Rules::load_dir(dir.path()).expect("promises.toml is not read as a rule file");
    assert_eq!(rules.len(), 1);
    let promises = PromiseRules::load(dir.path()).expect("the folder's own promises");
    assert_eq!(promises.len(), 1);
    assert_eq!(
        promises.iter().next().map(|r| r.source.line),
        Some(1),
        "rules remember their line"
    );
}

#[test]
fn first_rule_in_file_order_wins_and_any_weekday_use_names_the_day() {
    let rules = parse(
        "[[rule]]\nid = \"soon\"\nmatch = 'soon'\nwhen = \"later\"\n\
         [[rule]]\nid = \"day\"\nmatch = 'by {weekday}|{weekday} at the latest'\nwhen = \"weekday\"\n\
         [[rule]]\nid = \"tomorrow\"\nmatch = 'tomorrow'\nwhen = \"tomorrow\"\n",
    )
    .expect("valid");
    let found = |t: &str| rules.find(t).map(|m| (m.rule, m.when));
    assert_eq!(
        found("soon, by Tuesday"),
        Some(("soon".into(), When::Later))
    );
    assert_eq!(
        found("by wed"),
        Some(("day".into(), When::Weekday(Weekday::Wednesday)))
    );
    assert_eq!(
        found("Thursday at the latest"),
        Some(("day".into(), When::Weekday(Weekday::Thursday)))
    );
    assert_eq!(found("by month's end"), None, "a day is a whole word");
    assert_eq!(found("tomorrow"), Some(("tomorrow".into(), When::Tomorrow)));
}

#[test]
fn each_mistake_names_the_file_the_line_and_the_fix() {
    let rule = |body: &str| format!("# my promises\n[[rule]]\nid = \"mine\"\n{body}");
    let cases = [
        (
            rule("when = \"later\"\nmatch = 'get back (to'\n"),
            "responses/promises.toml:5: in promise rule \"mine\": bad regex in `match`",
        ),
        (
            rule("match = 'get back'\nwhen = \"someday\"\n"),
            "responses/promises.toml:5: unknown `when` \"someday\"",
        ),
        (
            rule("match = 'get back'\n"),
            "responses/promises.toml:2: a promise rule has no `when`",
        ),
        (
            "# mine\n[[rule]]\nwhen = \"later\"\n".to_string(),
            "responses/promises.toml:2: a promise rule has no `id` and no `match`",
        ),
        (
            rule("when = \"weekday\"\nmatch = 'by friday'\n"),
            "responses/promises.toml:5: in promise rule \"mine\": a `weekday` rule needs {weekday}",
        ),
        (
            rule("when = \"weekday\"\nmatch = 'by {weekday}|get back to you'\n"),
            "responses/promises.toml:5: in promise rule \"mine\": this `weekday` rule can match a reply that names no day",
        ),
        (
            rule("when = \"weekday\"\nmatch = '\\bby( {weekday})?'\n"),
            "responses/promises.toml:5: in promise rule \"mine\": this `weekday` rule can match a reply that names no day",
        ),
        (
            rule("when = \"later\"\nmatch = 'by {weekday}'\n"),
            "responses/promises.toml:5: in promise rule \"mine\": {weekday} only means something",
        ),
        (
            rule("when = \"later\"\nmatch = '(soon)?'\n"),
            "responses/promises.toml:5: in promise rule \"mine\": `match` can match an empty text",
        ),
        (
            rule("when = \"later\"\nmatch = 'soon'\nvariants = [\"x\"]\n"),
            "responses/promises.toml:6: not valid promise-rule TOML: unknown field `variants`",
        ),
        (
            format!(
                "{}[[rule]]\nid = \"mine\"\nmatch = 'later'\nwhen = \"later\"\n",
                rule("when = \"later\"\nmatch = 'soon'\n")
            ),
            "responses/promises.toml:7: promise rule id \"mine\" is used twice (first at line 2)",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(&text).expect_err(&text);
        assert!(err.contains(expected), "{text}\n→ {err}");
        assert!(err.contains("\n  fix: "), "{err}");
    }
}

#[test]
fn a_bad_file_on_disk_is_an_error_not_the_built_in_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("promises.toml"), "[[rule]]\nid = 3\n").expect("write");
    let err = PromiseRules::load(dir.path())
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("promises.toml:2"), "{err}");
}
