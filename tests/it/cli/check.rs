//! `frontdesk check`: the rules with `--try`, the promise rules with `--try-promise`, and
//! config errors said once with their line and fix.

use super::{frontdesk, repo, text};

/// A folder holding `responses/` with one fallback rule (`general.toml`) and `files`; the
/// folder and the `responses` path in it.
fn responses_with(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let responses = dir.path().join("responses");
    std::fs::create_dir(&responses).expect("mkdir");
    let general = "[[rule]]\nid = \"general\"\nvariants = [\"Hi {customer}\"]\n";
    for (name, text) in [("general.toml", general)].iter().chain(files) {
        std::fs::write(responses.join(name), text).expect("write");
    }
    (dir, responses)
}

#[test]
fn check_try_shows_the_rule_and_the_acknowledgement() {
    let o = frontdesk(
        &[
            "check",
            "--config",
            "frontdesk.example.toml",
            "--try",
            "how much is shipping to Canada?",
            "--at",
            "2026-11-24T10:00:00Z",
        ],
        repo(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("config     frontdesk.example.toml ok"),
        "{out}"
    );
    assert!(
        out.contains("rule       orders (responses/orders.toml:3)"),
        "{out}"
    );
    assert!(out.contains("topic      orders & shipping"), "{out}");
    assert!(out.contains("Sam"), "{out}");
    assert!(out.contains("(open)"), "{out}");
}

#[test]
fn check_try_after_hours_uses_the_closed_rule() {
    let o = frontdesk(
        &[
            "check",
            "--config",
            "frontdesk.example.toml",
            "--try",
            "where is my order?",
            "--at",
            "2026-11-24T21:00:00Z",
        ],
        repo(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("rule       closed"), "{out}");
    assert!(out.contains("tomorrow at 9:00"), "{out}");
}

#[test]
fn check_reports_a_bad_regex_with_file_line_and_fix() {
    let (dir, _) = responses_with(&[(
        "prices.toml",
        "# prices\n[[rule]]\nid = \"prices\"\nmatch = 'how much (is'\nvariants = [\"x\"]\n",
    )]);
    let o = frontdesk(&["check", "--responses", "responses"], dir.path());
    let out = text(&o);
    assert!(!o.status.success());
    assert!(
        out.contains("responses/prices.toml:4: bad regex in `match`"),
        "{out}"
    );
    assert!(out.contains("fix:"), "{out}");
}

#[test]
fn check_without_a_config_uses_defaults_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = frontdesk(
        &[
            "check",
            "--responses",
            &repo().join("responses").display().to_string(),
            "--try",
            "hello",
        ],
        dir.path(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("built-in defaults"), "{out}");
    assert!(out.contains("rule       general"), "{out}");
}

#[test]
fn check_try_promise_says_when_the_promiser_is_reminded() {
    // The example's hours: weekdays 9:00-17:00, Saturday 10:00-14:00, Europe/London.
    let cases = [
        (
            "Let me check with the supplier and I'll get back to you",
            "2026-11-27T16:30:00Z",
            "promise    yes, rule get-back-to-you (responses/promises.toml:",
            // Half an hour on Friday, 4 h on Saturday, two 8 h days, then 3.5 h.
            "remind     on Wednesday at 12:30 (Wed 2 Dec 2026 12:30 GMT): 24 h of open time",
        ),
        (
            "I'll get back to you tomorrow",
            "2026-11-27T18:00:00Z",
            "promise    yes, rule tomorrow (",
            "remind     tomorrow at 10:00 (Sat 28 Nov 2026 10:00 GMT)",
        ),
        (
            "You'll have it by Friday",
            "2026-11-24T10:00:00Z",
            "promise    yes, rule by-weekday (",
            "remind     on Friday at 9:00 (Fri 27 Nov 2026 09:00 GMT)",
        ),
    ];
    for (reply, at, rule, remind) in cases {
        let o = frontdesk(
            &[
                "check",
                "--config",
                "frontdesk.example.toml",
                "--try-promise",
                reply,
                "--at",
                at,
            ],
            repo(),
        );
        let out = text(&o);
        assert!(o.status.success(), "{out}");
        assert!(out.contains(&format!("reply      {reply:?}")), "{out}");
        assert!(out.contains(rule), "{reply}: {out}");
        assert!(out.contains(remind), "{reply}: {out}");
    }

    let o = frontdesk(
        &[
            "check",
            "--config",
            "frontdesk.example.toml",
            "--try-promise",
            "Check out our website!",
        ],
        repo(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("promise    no:"), "{out}");
    assert!(
        out.contains("get-back-to-you, "),
        "names the promise rules: {out}"
    );
    assert!(out.contains("responses/promises.toml"), "{out}");
    assert!(!out.contains("remind "), "{out}");
}

#[test]
fn check_validates_promises_toml_and_tries_the_folders_own_rules() {
    let o = frontdesk(&["check", "--config", "frontdesk.example.toml"], repo());
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("promises   9 rules in responses/promises.toml ok"),
        "{out}"
    );

    let (dir, responses) = responses_with(&[]);
    let o = frontdesk(&["check", "--responses", "responses"], dir.path());
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("using the built-in ones"), "{out}");

    std::fs::write(
        responses.join("promises.toml"),
        "# mine\n[[rule]]\nid = \"soon\"\nmatch = '\\bsoon\\b'\nwhen = \"later\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("frontdesk.toml"),
        "[hours]\ntime_zone = \"Europe/London\"\nmonday = \"09:00-17:00\"\n",
    )
    .expect("write");
    let args = [
        "check",
        "--config",
        "frontdesk.toml",
        "--try-promise",
        "I'll answer soon",
        "--at",
        "2026-11-23T10:00:00Z",
    ];
    let o = frontdesk(&args, dir.path());
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("promises   1 rules in responses/promises.toml ok"),
        "{out}"
    );
    assert!(
        out.contains("promise    yes, rule soon (responses/promises.toml:2)"),
        "{out}"
    );
    // Open only on Mondays: 7 h this one, 8 h on each of the next two, the last hour on the
    // fourth.
    assert!(
        out.contains("remind     on 14 December at 10:00 (Mon 14 Dec 2026 10:00 GMT)"),
        "{out}"
    );

    let config = "[promises]\nenabled = false\n";
    std::fs::write(dir.path().join("frontdesk.toml"), config).expect("write");
    let o = frontdesk(&args, dir.path());
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("[promises] enabled = false"), "{out}");
    assert!(out.contains("remind     never"), "{out}");

    std::fs::write(
        responses.join("promises.toml"),
        "# mine\n[[rule]]\nid = \"soon\"\nmatch = 'soon'\nwhen = \"sometime\"\n",
    )
    .expect("write");
    let o = frontdesk(&["check", "--responses", "responses"], dir.path());
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("responses/promises.toml:5: unknown `when` \"sometime\""),
        "{out}"
    );
    assert_eq!(out.matches("fix:").count(), 1, "{out}");
}

#[test]
fn check_says_each_config_error_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("bad.toml"), "[discord]\nguild = 12\n").expect("config");
    let o = frontdesk(&["check", "--config", "bad.toml"], dir.path());
    let out = text(&o);
    assert!(!o.status.success());
    assert!(out.contains("bad.toml:2"), "{out}");
    assert_eq!(out.matches("fix:").count(), 1, "said once: {out}");
}
