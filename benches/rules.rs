//! Rule selection alone: 50 rules generated in memory with `Rules::from_sources` (49 topic
//! rules with a keyword regex each, plus the fallback), selected with one `RegexSet` pass.
//! For comparison, the same 49 regexes tried one by one.
//!
//! Run: `cargo bench --bench rules`.

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::{black_box, Bencher};
use frontdesk::model::{ChannelId, GuildId, Place};
use frontdesk::responses::{Moment, Rules};

const TOPIC_RULES: usize = 49;

/// Rule `i` matches `word{i}a`, `word{i}b`, ... plus a few shared everyday words, so most
/// messages match several rules, as real topic rules overlap.
fn source() -> String {
    let mut text = String::new();
    for i in 0..TOPIC_RULES {
        let extra = [
            "order", "price", "refund", "shipping", "broken", "size", "gift",
        ][i % 7];
        text.push_str(&format!(
            "[[rule]]\nid = \"topic{i}\"\ntopic = \"topic {i}\"\npriority = {p}\n\
             match = '(?i)\\b(word{i}a|word{i}b|word{i}c|{extra}{suffix})\\b'\n\
             variants = [\"Thanks {{customer}}, {{owner}} will answer {{eta}} (rule {i}).\"]\n\n",
            p = i % 10,
            suffix = if i % 3 == 0 { "s?" } else { "" },
        ));
    }
    text.push_str(
        "[[rule]]\nid = \"general\"\nvariants = [\"Hi {customer}, {owner} will reply {eta}.\"]\n",
    );
    text
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        let rules = Rules::from_sources(&[(PathBuf::from("bench.toml"), source())])
            .unwrap_or_else(|e| panic!("generated rules are valid: {e}"));
        assert_eq!(rules.len(), TOPIC_RULES + 1);
        rules
    })
}

fn separate() -> &'static Vec<regex::Regex> {
    static R: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    R.get_or_init(|| {
        rules()
            .iter()
            .filter_map(|r| r.pattern.as_ref())
            .map(|(p, _)| regex::Regex::new(p).expect("regex"))
            .collect()
    })
}

const PLACE: Place = Place::Channel {
    guild: GuildId(1),
    channel: ChannelId(2),
    thread: None,
};

const TEXTS: [(&str, &str); 3] = [
    (
        "short_match",
        "Hi! What is the price of shipping to Canada?",
    ),
    (
        "short_nomatch",
        "Hello there, is anyone around this afternoon?",
    ),
    (
        "long_nomatch",
        "Hello, I have a long story to tell you about the thing I bought from you a while ago. ",
    ),
];

fn text(name: &str) -> String {
    let (_, t) = TEXTS.iter().find(|(n, _)| *n == name).expect("text");
    if name.starts_with("long") {
        // About 1,700 characters: a long message, close to Discord's 2,000 limit.
        t.repeat(20)
    } else {
        t.to_string()
    }
}

fn main() {
    divan::main();
}

#[divan::bench(args = ["short_match", "short_nomatch", "long_nomatch"])]
fn select_regexset(bencher: Bencher, name: &str) {
    let rules = rules();
    let text = text(name);
    bencher.bench(|| {
        let s = rules.select(black_box(&text), &PLACE, &[], Moment::default());
        black_box(s.rule.id.len())
    });
}

#[divan::bench(args = ["short_match", "short_nomatch", "long_nomatch"])]
fn fifty_separate_regexes(bencher: Bencher, name: &str) {
    let regexes = separate();
    let text = text(name);
    bencher.bench(|| {
        regexes
            .iter()
            .filter(|r| r.is_match(black_box(&text)))
            .count()
    });
}
