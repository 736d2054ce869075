//! The config parser's tests: every key, its defaults, and each mistake's message.

use super::*;

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(text, Path::new("frontdesk.toml")).map_err(|e| e.to_string())
}

#[test]
fn the_example_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("frontdesk.example.toml");
    let c = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!c.staff.owners.is_empty());
    assert!(!c.watch.channels.is_empty());
    assert_eq!(c.reminders, ReminderSchedule::default());
}

#[test]
fn the_flush_interval_defaults_to_200_ms_and_may_be_set() {
    assert_eq!(
        Config::defaults().flush_every,
        SignedDuration::from_millis(200)
    );
    let c = parse("flush_every_ms = 50\n").expect("valid");
    assert_eq!(c.flush_every, SignedDuration::from_millis(50));
}

#[test]
fn the_reply_target_defaults_to_an_hour() {
    assert_eq!(
        Config::defaults().reply_target,
        SignedDuration::from_hours(1)
    );
    let c = parse("[conversations]\nreply_target = \"30m\"\n").expect("valid");
    assert_eq!(c.reply_target, SignedDuration::from_mins(30));
}

#[test]
fn ratings_are_asked_unless_turned_off_and_escalation_needs_someone() {
    let d = Config::defaults();
    assert_eq!(d.ratings, RatingPolicy::default());
    assert!(d.ratings.ask);
    assert_eq!(d.escalation, None);
    let c = parse("[ratings]\nask = false\nform = \"two\"\n").expect("valid");
    assert!(!c.ratings.ask);
    assert_eq!(c.ratings.form, RatingForm::TwoChoices);
    let c = parse("[reminders]\nescalate_to = [\"9\"]\n").expect("valid");
    let e = c.escalation.expect("escalation");
    assert_eq!(
        (e.to, e.after),
        (vec![UserId(9)], SignedDuration::from_hours(4))
    );
    assert!(c.staff.includes(UserId(9), &[]), "backups count as staff");
}

#[test]
fn secrets_never_print() {
    let s = Secret::new("MTIz.secret-token");
    assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
    assert_eq!(s.expose(), "MTIz.secret-token");
}

#[test]
fn a_token_in_the_config_is_refused_without_echoing_it() {
    let err = parse("[discord]\ntoken = \"MTIz.abc\"\n").expect_err("token");
    assert!(err.starts_with("frontdesk.toml:2:"), "{err}");
    assert!(err.contains("DISCORD_TOKEN"), "{err}");
    assert!(!err.contains("MTIz.abc"), "{err}");
}

#[test]
fn bad_values_name_the_line_and_fix() {
    let cases = [
        ("[discord]\nowners = [\"sam\"]\n", 2, "Copy ID"),
        ("[hours]\ntime_zone = \"Mars/Base\"\n", 2, "IANA"),
        (
            "[hours]\ntime_zone = \"UTC\"\nmonday = \"9 to 5\"\n",
            3,
            "09:00-17:00",
        ),
        (
            "[reminders]\nafter = [\"15 minutes\", \"1x\"]\n",
            2,
            "\"30m\"",
        ),
        ("[reminders]\nafter = [\"1h\", \"15m\"]\n", 2, "increasing"),
        ("[watch]\nchanels = []\n", 2, "frontdesk.example.toml"),
        ("[discord]\napi = \"127.0.0.1:3000\"\n", 2, "http://"),
        ("[reminders]\nquiet_hours = \"late\"\n", 2, "22:00-07:00"),
        ("[conversations]\nreply_target = \"soon\"\n", 2, "\"2h\""),
        ("owner_name = \"Sam\"\nflush_every_ms = 60000\n", 2, "10000"),
        ("[ratings]\nform = \"stars\"\n", 2, "\"five\""),
        ("[reminders]\nescalate_to = [\"ann\"]\n", 2, "Copy ID"),
        ("[reminders]\nescalate_after = \"4h\"\n", 2, "escalate_to"),
        (
            "[reminders]\nescalate_to = [\"5\"]\nescalate_after = \"soon\"\n",
            3,
            "\"2h\"",
        ),
        ("[dashboard]\nlisten = \"localhost\"\n", 2, "127.0.0.1:8686"),
        (
            "[dashboard]\nlisten = \"127.0.0.1:8686\"\npublic_url = \"desk.example.com\"\n",
            3,
            "https://",
        ),
    ];
    for (text, line, fix) in cases {
        let err = parse(text).expect_err(text);
        assert!(err.starts_with(&format!("frontdesk.toml:{line}:")), "{err}");
        assert!(err.contains(fix), "{text} → {err}");
    }
}

#[test]
fn the_dashboard_is_off_unless_configured() {
    assert_eq!(parse("").expect("valid").dashboard, None);
    let c = parse("[dashboard]\nlisten = \"0.0.0.0:8686\"\n").expect("valid");
    let d = c.dashboard.expect("on");
    assert_eq!(d.base_url(), "http://0.0.0.0:8686");
    let c = parse(
        "[dashboard]\nlisten = \"127.0.0.1:1\"\npublic_url = \"https://desk.example.com/\"\n",
    )
    .expect("valid");
    assert_eq!(
        c.dashboard.expect("on").base_url(),
        "https://desk.example.com"
    );
    let err = parse("[dashboard]\n").expect_err("no listen");
    assert!(err.contains("listen"), "{err}");
}

#[test]
fn the_weekly_digest_is_on_unless_turned_off() {
    assert!(Config::defaults().weekly_digest);
    assert!(
        !parse("[digest]\nweekly = false\n")
            .expect("valid")
            .weekly_digest
    );
    let err = parse("[digest]\nweekly = \"no\"\n").expect_err("not a bool");
    assert!(err.starts_with("frontdesk.toml:2:"), "{err}");
    let err = parse("[digest]\nweakly = false\n").expect_err("misspelt");
    assert!(err.contains("frontdesk.example.toml"), "{err}");
}

#[test]
fn promises_are_followed_up_after_a_day_unless_configured_otherwise() {
    let d = Config::defaults().promises;
    assert!(d.enabled);
    assert_eq!(d.remind_after, SignedDuration::from_hours(24));
    let c = parse("[promises]\nenabled = false\nremind_after = \"2d\"\n").expect("valid");
    assert!(!c.promises.enabled);
    assert_eq!(c.promises.remind_after, SignedDuration::from_hours(48));
    assert_eq!(
        crate::desk::policy_from(&c).promises,
        c.promises,
        "the core sees what the config says"
    );
    let err = parse("# mine\n[promises]\nremind_after = \"soon\"\n").expect_err("bad");
    assert!(
        err.starts_with("frontdesk.toml:3: [promises] remind_after: \"soon\" is not a duration"),
        "{err}"
    );
    assert!(err.contains("remind_after = \"24h\""), "{err}");
    let err = parse("[promises]\nremind_after = 24\n").expect_err("not a string");
    assert!(err.starts_with("frontdesk.toml:2:"), "{err}");
}

#[test]
fn token_comes_from_env_then_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("token");
    std::fs::write(&file, "  file-token\n").expect("write");
    let t = load_token(Some("env-token".into()), Some(&file)).expect("env");
    assert_eq!(t.expose(), "env-token");
    let t = load_token(None, Some(&file)).expect("file");
    assert_eq!(t.expose(), "file-token");
    assert!(matches!(load_token(None, None), Err(TokenError::Missing)));
    std::fs::write(&file, "\n").expect("write");
    assert!(matches!(
        load_token(None, Some(&file)),
        Err(TokenError::Empty { .. })
    ));
}

/// The shape of a real bot token (user id 110000000000000900), made up.
const TOKEN: &str = "MTEwMDAwMDAwMDAwMDAwOTAw.GxYz12.abcDEFghiJKLmnoPQRstuVWXyz0123456789_-";
const MAC: &str = "abcDEFghiJKLmnoPQRstuVWXyz0123456789_-";

#[test]
fn a_token_pasted_anywhere_is_named_by_its_line_and_key_but_never_shown() {
    let cases = [
        (
            format!("[discord]\ntoken_file = \"{TOKEN}\"\n"),
            2,
            "`token_file`",
        ),
        (format!("[discord]\nguild = \"{TOKEN}\"\n"), 2, "`guild`"),
        (
            format!("business_name = \"{TOKEN}\"\n"),
            1,
            "`business_name`",
        ),
        (
            format!("[watch]\nchannels = [\"1\", \"{TOKEN}\"]\n"),
            2,
            "`channels`",
        ),
        // Not even TOML: toml's own message would quote the line.
        (format!("[discord]\nguild = {TOKEN}\n"), 2, "`guild`"),
        // The wrong type: serde's message would quote the value.
        (format!("[digest]\nweekly = \"{TOKEN}\"\n"), 2, "`weekly`"),
        (format!("owner_name = \"Sam\"\n# {TOKEN}\n"), 2, "a comment"),
        (format!("{TOKEN} = 1\n"), 1, "this line"),
        (format!("[discord]\ntoken = \"{TOKEN}\"\n"), 2, "`token`"),
    ];
    for (text, line, place) in cases {
        let err = parse(&text).expect_err(&text);
        assert!(
            err.starts_with(&format!(
                "frontdesk.toml:{line}: {place} holds what looks like a bot token"
            )),
            "{err}"
        );
        assert!(
            !err.contains(TOKEN) && !err.contains(MAC) && !err.contains("MTEw"),
            "{err}"
        );
        for needle in ["DISCORD_TOKEN", "never in the config", "Reset Token"] {
            assert!(err.contains(needle), "{needle:?} not in {err}");
        }
    }
}

#[test]
fn a_secret_looking_value_is_not_echoed_by_any_error() {
    const SECRET: &str = "Zk3_q9XwT2vB7nLpR4sY8uHcJ1mA6eDf";
    let err = parse(&format!("[discord]\nowners = [\"{SECRET}\"]\n")).expect_err("not an id");
    assert!(err.starts_with("frontdesk.toml:2: owner holds a long code that is not a Discord id and looks like a secret"), "{err}");
    assert!(
        err.contains("Copy ID") && err.contains("Reset Token"),
        "{err}"
    );
    assert!(!err.contains(SECRET), "{err}");
    // Errors that quote the value, toml's and frontdesk's own, show it hidden.
    for text in [
        format!("[watch]\ndms = \"{SECRET}\"\n"),
        format!("[hours]\ntime_zone = \"{SECRET}\"\n"),
        format!("[discord]\napi = \"{SECRET}\"\n"),
    ] {
        let err = parse(&text).expect_err(&text);
        assert!(err.starts_with("frontdesk.toml:2:"), "{err}");
        assert!(err.contains("[hidden]") && !err.contains(SECRET), "{err}");
    }
    // An ordinary mistake is still quoted, to be found.
    let err = parse("[discord]\nguild = \"#help\"\n").expect_err("not an id");
    assert!(err.contains("\"#help\""), "{err}");
}
