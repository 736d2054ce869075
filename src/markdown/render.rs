//! What Discord renders as a heading, code or a link in a message's content: a small
//! recogniser for the tests, written from the rules of Discord's markdown (simple-markdown
//! with Discord's additions: headings and `-#` subtext at a line start, also inside a quote;
//! `[label](url)` masked links; `<scheme:/…>` and bare `http(s)://` links; code spans and
//! blocks, in which nothing is escaped; a backslash escapes any character but a letter, a
//! digit or a space).
//!
//! Where unsure it finds more than Discord would (it also looks inside bare URLs, takes a
//! masked link's label and target loosely, and accepts a marker followed by any space, line
//! breaks included), so a test that finds nothing is the stricter for it. No crate parses
//! Discord's flavour: pulldown-cmark and comrak read CommonMark, whose headings, links and
//! escapes differ.

use std::ops::Range;

/// One piece of rendered markup.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Markup {
    /// A heading (`#` to `###`) or subtext (`-#`), with the rest of its line.
    Heading(String),
    /// A code span or block, with what it shows.
    Code(String),
    /// `[label](target)`: shows `label`, opens `target`.
    MaskedLink { label: String, target: String },
    /// A link that shows its own address: `<https://…>` or a bare URL.
    Url(String),
}

/// The markup Discord renders in `content`, in order.
pub fn markup(content: &str) -> Vec<Markup> {
    // Discord reads `\r\n` and `\r` as `\n`, drops form feeds and reads a tab as spaces.
    let source = content
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\u{c}', "")
        .replace('\t', "    ");
    let s: Vec<char> = source.chars().collect();
    let text = |from: usize, to: usize| s[from..to].iter().collect::<String>();
    let mut found = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < s.len() {
        if line_start {
            let j = i + s[i..].iter().take_while(|c| **c == ' ').count();
            let run = |c: char| s[j..].iter().take_while(|x| **x == c).count();
            let spaced = |k: usize| s.get(k).is_some_and(|c| is_js_space(*c));
            // A quote or a list item: what follows is at a line start too.
            let inner = match s.get(j) {
                Some('>') if run('>') == 3 && spaced(j + 3) => Some(j + 4),
                Some('>') if spaced(j + 1) => Some(j + 2),
                Some('-' | '*' | '+') if spaced(j + 1) => Some(j + 2),
                Some(c) if c.is_ascii_digit() => {
                    let d = j + s[j..].iter().take_while(|c| c.is_ascii_digit()).count();
                    (s.get(d) == Some(&'.') && spaced(d + 1)).then_some(d + 2)
                }
                _ => None,
            };
            if let Some(next) = inner {
                i = next;
                continue;
            }
            let heading = match s.get(j) {
                Some('#') => (1..=3).contains(&run('#')) && spaced(j + run('#')),
                Some('-') => s.get(j + 1) == Some(&'#') && spaced(j + 2),
                _ => false,
            };
            if heading {
                let end = line_end(&s, j);
                found.push(Markup::Heading(text(j, end)));
                i = end;
                continue;
            }
        }
        line_start = false;
        match s[i] {
            '\n' => {
                line_start = true;
                i += 1;
            }
            '\\' if s
                .get(i + 1)
                .is_some_and(|c| !c.is_ascii_alphanumeric() && !is_js_space(*c)) =>
            {
                i += 2;
            }
            '`' => {
                let n = s[i..].iter().take_while(|c| **c == '`').count();
                match closing_ticks(&s, i + n, n) {
                    Some(close) => {
                        found.push(Markup::Code(text(i + n, close)));
                        i = close + n;
                    }
                    None => i += n,
                }
            }
            '[' => match masked_link(&s, i) {
                Some((label, target)) => {
                    i = target.end + 1;
                    found.push(Markup::MaskedLink {
                        label: text(label.start, label.end),
                        target: text(target.start, target.end),
                    });
                }
                None => i += 1,
            },
            '<' => match angle_link(&s, i) {
                Some(end) => {
                    found.push(Markup::Url(text(i + 1, end - 1)));
                    i = end;
                }
                None => i += 1,
            },
            _ => {
                if let Some(len) = bare_url(&s[i..]) {
                    found.push(Markup::Url(text(i, i + len)));
                }
                // Not skipped: what a URL holds is read too, in case Discord ends it sooner.
                i += 1;
            }
        }
    }
    found
}

/// JavaScript's `\s`.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}'
}

fn line_end(s: &[char], from: usize) -> usize {
    s[from..]
        .iter()
        .position(|c| *c == '\n')
        .map_or(s.len(), |p| from + p)
}

/// Where a run of exactly `n` backticks starts at or after `from`, with something before it:
/// the end of a code span (`` `x` ``) or block (```` ```x``` ````).
fn closing_ticks(s: &[char], from: usize, n: usize) -> Option<usize> {
    let mut k = from + 1;
    while k < s.len() {
        if s[k] == '`' {
            let run = s[k..].iter().take_while(|c| **c == '`').count();
            if run == n {
                return Some(k);
            }
            k += run;
        } else {
            k += 1;
        }
    }
    None
}

/// `[label](target)` at `at`: the label's and the target's ranges (the link ends after the
/// target's `)`). The label may hold anything (escapes included: Discord's rule does not
/// read them there), the target anything up to the first `)`.
fn masked_link(s: &[char], at: usize) -> Option<(Range<usize>, Range<usize>)> {
    let k = at + 1 + s[at + 1..].windows(2).position(|w| w == [']', '('])?;
    let start = k + 2;
    let close = start + s[start..].iter().position(|c| *c == ')')?;
    Some((at + 1..k, start..close))
}

/// `<scheme:/…>` at `at`: where it ends.
fn angle_link(s: &[char], at: usize) -> Option<usize> {
    let scheme = s[at + 1..]
        .iter()
        .take_while(|c| !matches!(c, ':' | ' ' | '>') && !c.is_whitespace())
        .count();
    let colon = at + 1 + scheme;
    if scheme == 0 || s.get(colon) != Some(&':') || s.get(colon + 1) != Some(&'/') {
        return None;
    }
    let rest = s[colon + 2..]
        .iter()
        .take_while(|c| **c != '>' && !c.is_whitespace())
        .count();
    let end = colon + 2 + rest;
    (s.get(end) == Some(&'>')).then_some(end + 1)
}

/// A bare `http(s)://` URL at the start of `s`: its length. Discord takes what follows up to
/// a space or `<`, less a last character among `.,:;"')]`.
fn bare_url(s: &[char]) -> Option<usize> {
    let scheme = ["https://", "http://"].into_iter().find(|p| {
        s.len() >= p.len()
            && s.iter()
                .zip(p.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b))
    })?;
    let mut len = s
        .iter()
        .take_while(|c| !c.is_whitespace() && **c != '<')
        .count();
    while len > scheme.len() && ".,:;\"')]".contains(s[len - 1]) {
        len -= 1;
    }
    (len >= scheme.len() + 2).then_some(len)
}

/// Customer text as a test generates it: any string, or one built from the pieces of
/// Discord's markup, mentions, URLs, line breaks and odd spaces.
pub fn hostile() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    const PIECES: &[&str] = &[
        "*",
        "**",
        "_",
        "__",
        "~",
        "~~",
        "|",
        "||",
        "`",
        "```",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "](",
        "<",
        ">",
        "> ",
        ">>> ",
        "# ",
        "## ",
        "### ",
        "#",
        "-# ",
        "- ",
        "+ ",
        "* ",
        "1. ",
        "12.",
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\u{c}",
        "\u{feff}",
        "\u{200b}",
        "a",
        "Ana",
        "é",
        "x_y",
        ":",
        "/",
        "https://",
        "https://evil.example",
        "HTTP://e.example/_a_",
        "[refund](https://evil.example)",
        "[x](<https://evil.example>)",
        "<https://evil.example>",
        "<#1>",
        "<@1>",
        "<@&2>",
        "@everyone",
        "<t:1:R>",
        "`code`",
        "|| spoiler ||",
    ];
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(proptest::sample::select(PIECES), 0..24)
            .prop_map(|pieces| pieces.concat()),
    ]
}

/// What Discord shows of text without markup: each escaping backslash hidden.
pub fn shown(content: &str) -> String {
    let mut out = String::new();
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&n) if c == '\\' && !n.is_ascii_alphanumeric() && !is_js_space(n) => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Panics unless `hostile`, a body built around customer text, renders the same headings,
/// code and masked links as `harmless`, the same body built around plain words, and every
/// link of `harmless`: customer text adds none but links that show their own address.
pub fn assert_adds_no_markup(hostile: &str, harmless: &str) {
    let sorted = |content: &str, urls: bool| {
        let mut m: Vec<Markup> = markup(content)
            .into_iter()
            .filter(|m| matches!(m, Markup::Url(_)) == urls)
            .collect();
        m.sort();
        m
    };
    assert_eq!(
        sorted(hostile, false),
        sorted(harmless, false),
        "customer text renders as markup in:\n{hostile}"
    );
    let mut urls = sorted(hostile, true);
    for url in sorted(harmless, true) {
        let at = urls.iter().position(|u| *u == url);
        assert!(
            at.is_some(),
            "the customer's text broke {url:?} in:\n{hostile}"
        );
        at.map(|a| urls.remove(a));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(label: &str, target: &str) -> Markup {
        Markup::MaskedLink {
            label: label.into(),
            target: target.into(),
        }
    }

    #[test]
    fn it_finds_what_discord_renders() {
        let cases: &[(&str, Vec<Markup>)] = &[
            ("# Title", vec![Markup::Heading("# Title".into())]),
            ("a\n  ## b", vec![Markup::Heading("## b".into())]),
            ("> # quoted", vec![Markup::Heading("# quoted".into())]),
            (">>> -# small", vec![Markup::Heading("-# small".into())]),
            ("- ### item", vec![Markup::Heading("### item".into())]),
            ("#### four", vec![]),
            ("#tag", vec![]),
            ("a # b", vec![]),
            ("\\# no", vec![]),
            ("1\\. # no", vec![]),
            ("`x`", vec![Markup::Code("x".into())]),
            ("```\nfn\n```", vec![Markup::Code("\nfn\n".into())]),
            ("`a\\`", vec![Markup::Code("a\\".into())]),
            ("\\`a\\`", vec![]),
            ("``a`b``", vec![Markup::Code("a`b".into())]),
            (
                "[x](https://e.example)",
                vec![link("x", "https://e.example")],
            ),
            (
                "[x\\](https://e.example)",
                vec![link("x\\", "https://e.example")],
            ),
            (
                "\\[x](https://e.example)",
                vec![Markup::Url("https://e.example".into())],
            ),
            (
                "<https://e.example>",
                vec![Markup::Url("https://e.example".into())],
            ),
            (
                "see https://e.example/a.",
                vec![Markup::Url("https://e.example/a".into())],
            ),
            ("<#123> <@1> <t:5:R>", vec![]),
        ];
        for (content, want) in cases {
            assert_eq!(&markup(content), want, "{content:?}");
        }
    }

    #[test]
    fn escapes_are_hidden_except_before_letters_digits_and_spaces() {
        assert_eq!(
            shown("\\*a\\_b\\\\ \\n \\1 \\ x\\"),
            "*a_b\\ \\n \\1 \\ x\\"
        );
    }
}
