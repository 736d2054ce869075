//! The promise rules of `responses/promises.toml`: which staff replies promise a later answer
//! ("let me check with the supplier", "I'll get back to you by Friday") and which [`When`]
//! their words name. Owns that file's format and its file:line errors; the acknowledgement
//! rules' loader leaves the file alone. Knows no Discord, clock or store: `hours` turns a
//! [`When`] into a moment.

use std::path::Path;

use jiff::civil::Weekday;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

use super::load::one_line;
use super::{line_of, ResponsesError, ResponsesErrors, Source};
pub use crate::hours::When;

/// The file in the responses folder that holds the promise rules.
pub const FILE: &str = "promises.toml";

/// Where a `weekday` rule's `match` names the day.
const WEEKDAY: &str = "{weekday}";

/// What `{weekday}` stands for: a day's name, whole or cut short, as one word. Saturday and
/// Sunday are not cut short: "sat" and "sun" are words of their own ("it sat at the depot").
/// Each use gets its own group (`weekday0`, `weekday1`, …): a regex may not repeat a name.
fn weekday_group(n: usize) -> String {
    format!(
        r"\b(?P<weekday{n}>monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|saturday|sunday)\b"
    )
}

/// Stands in for `{weekday}` when checking that a rule cannot match without naming a day:
/// a class of no characters, which nothing matches.
const NO_WEEKDAY: &str = r"[^\s\S]";

/// The promise a staff message makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromiseMatch {
    /// The `id` of the rule that matched.
    pub rule: String,
    pub when: When,
}

/// What a rule's `when` says, before the text names a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Later,
    Tomorrow,
    Weekday,
}

/// One `[[rule]]` of `promises.toml`.
#[derive(Clone, Debug)]
pub struct PromiseRule {
    pub id: String,
    /// The regex as written, `{weekday}` and all.
    pub pattern: String,
    pub source: Source,
    kind: Kind,
    regex: Regex,
}

impl PromiseRule {
    /// `when` as the file writes it: "later", "tomorrow" or "weekday".
    pub fn when(&self) -> &'static str {
        match self.kind {
            Kind::Later => "later",
            Kind::Tomorrow => "tomorrow",
            Kind::Weekday => "weekday",
        }
    }

    fn find(&self, text: &str) -> Option<PromiseMatch> {
        let when = match self.kind {
            Kind::Later => self.regex.is_match(text).then_some(When::Later)?,
            Kind::Tomorrow => self.regex.is_match(text).then_some(When::Tomorrow)?,
            Kind::Weekday => {
                // The loader made sure every match names a day; the first group that took
                // part is the day.
                let caps = self.regex.captures(text)?;
                let day = self
                    .regex
                    .capture_names()
                    .flatten()
                    .filter(|n| n.starts_with("weekday"))
                    .find_map(|n| caps.name(n))
                    .and_then(|m| weekday(m.as_str()))?;
                When::Weekday(day)
            }
        };
        Some(PromiseMatch {
            rule: self.id.clone(),
            when,
        })
    }
}

/// A day's name, whole or cut short: its first two letters tell the seven apart.
fn weekday(name: &str) -> Option<Weekday> {
    let start: String = name.chars().take(2).collect::<String>().to_lowercase();
    Some(match start.as_str() {
        "mo" => Weekday::Monday,
        "tu" => Weekday::Tuesday,
        "we" => Weekday::Wednesday,
        "th" => Weekday::Thursday,
        "fr" => Weekday::Friday,
        "sa" => Weekday::Saturday,
        "su" => Weekday::Sunday,
        _ => return None,
    })
}

/// The loaded promise rules, in file order.
#[derive(Clone, Debug)]
pub struct PromiseRules {
    rules: Vec<PromiseRule>,
}

impl PromiseRules {
    /// The built-in rules (the text of the shipped responses/promises.toml, compiled in).
    /// Compiled once per process: their regexes take a while to build, and a clone shares
    /// them.
    pub fn builtin() -> PromiseRules {
        static BUILT_IN: std::sync::LazyLock<PromiseRules> = std::sync::LazyLock::new(|| {
            let text = super::builtin::FILES
                .iter()
                .find(|(name, _)| *name == FILE)
                .map_or("", |(_, text)| text);
            // The shipped file is checked by a test; failing here is a build that skipped them.
            PromiseRules::parse(&Path::new("(built-in)").join(FILE), text)
                .unwrap_or_else(|e| panic!("the built-in promise rules must load:\n{e}"))
        });
        BUILT_IN.clone()
    }

    /// `dir/promises.toml` when it exists, else the built-in rules. A bad file is an error
    /// naming file and line (like the acknowledgement rules' errors).
    pub fn load(dir: &Path) -> Result<PromiseRules, ResponsesErrors> {
        match super::load::read_own_file(dir, FILE)? {
            Some((path, text)) => PromiseRules::parse(&path, &text),
            None => Ok(PromiseRules::builtin()),
        }
    }

    /// Reads the rules of one file's text; `file` names it in errors.
    pub fn parse(file: &Path, text: &str) -> Result<PromiseRules, ResponsesErrors> {
        parse(file, text)
    }

    /// The promise a staff message makes, if any (first matching rule wins, in file order).
    pub fn find(&self, text: &str) -> Option<PromiseMatch> {
        self.rules.iter().find_map(|r| r.find(text))
    }

    pub fn iter(&self) -> impl Iterator<Item = &PromiseRule> {
        self.rules.iter()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

/// Every field optional here, so that a missing one is reported with its rule's line and the
/// fix, like every other mistake.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<Spanned<String>>,
    #[serde(rename = "match")]
    pattern: Option<Spanned<String>>,
    when: Option<Spanned<String>>,
}

const FORMAT: &str = "each rule is a [[rule]] table with `id`, `match` and `when` (\"later\", \"tomorrow\" or \"weekday\"); see responses/README.md";

fn parse(file: &Path, text: &str) -> Result<PromiseRules, ResponsesErrors> {
    let err = |at: usize, problem: String, fix: &str| ResponsesError {
        file: file.to_path_buf(),
        line: line_of(text, at),
        problem,
        fix: fix.to_string(),
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        ResponsesErrors(vec![err(
            e.span().map_or(0, |s| s.start),
            format!("not valid promise-rule TOML: {}", e.message().trim()),
            FORMAT,
        )])
    })?;
    let mut errors = Vec::new();
    let mut rules: Vec<PromiseRule> = Vec::new();
    for spanned in raw.rule {
        let at = spanned.span().start;
        let r = spanned.into_inner();
        let before = errors.len();
        let (Some(id), Some(pattern), Some(when)) = (&r.id, &r.pattern, &r.when) else {
            let missing: Vec<&str> = [
                ("`id`", r.id.is_none()),
                ("`match`", r.pattern.is_none()),
                ("`when`", r.when.is_none()),
            ]
            .into_iter()
            .filter_map(|(name, absent)| absent.then_some(name))
            .collect();
            errors.push(err(
                at,
                format!("a promise rule has no {}", missing.join(" and no ")),
                FORMAT,
            ));
            continue;
        };
        let name = id.get_ref().trim().to_string();
        if name.is_empty() {
            errors.push(err(
                id.span().start,
                "a promise rule has an empty `id`".into(),
                "give it a short name such as \"get-back-to-you\"",
            ));
        }
        if let Some(first) = rules.iter().find(|x| x.id == name) {
            errors.push(err(
                id.span().start,
                format!(
                    "promise rule id {name:?} is used twice (first at line {})",
                    first.source.line
                ),
                "rename one of them: `check --try-promise` names rules by id",
            ));
        }
        let kind = match when.get_ref().trim().to_ascii_lowercase().as_str() {
            "later" => Some(Kind::Later),
            "tomorrow" => Some(Kind::Tomorrow),
            "weekday" => Some(Kind::Weekday),
            other => {
                errors.push(err(
                    when.span().start,
                    format!("unknown `when` {other:?} in promise rule {name:?}"),
                    "use \"later\" ([promises] remind_after of open time), \"tomorrow\" (the next open day's opening) or \"weekday\" (the day named where {weekday} stands in `match`)",
                ));
                None
            }
        };
        let regex = kind.and_then(|kind| match compile(pattern.get_ref(), kind) {
            Ok(regex) => Some(regex),
            Err((problem, fix)) => {
                errors.push(err(
                    pattern.span().start,
                    format!("in promise rule {name:?}: {problem}"),
                    &fix,
                ));
                None
            }
        });
        if let (Some(kind), Some(regex), true) = (kind, regex, errors.len() == before) {
            rules.push(PromiseRule {
                id: name,
                pattern: pattern.get_ref().clone(),
                source: Source {
                    file: file.to_path_buf(),
                    line: line_of(text, at),
                },
                kind,
                regex,
            });
        }
    }
    if errors.is_empty() {
        Ok(PromiseRules { rules })
    } else {
        Err(ResponsesErrors(errors))
    }
}

/// Compiles a rule's `match` with `{weekday}` expanded, after checking it can tell a promise
/// from any reply: it needs some text to match, and a `weekday` rule must name a day in every
/// match. Errors are (problem, fix).
fn compile(pattern: &str, kind: Kind) -> Result<Regex, (String, String)> {
    let uses = pattern.matches(WEEKDAY).count();
    if kind == Kind::Weekday && uses == 0 {
        return Err((
            "a `weekday` rule needs {weekday} in `match`, where the day is named".into(),
            "write it where the day goes, e.g. match = '\\b(by|before) {weekday}', or make it a `when = \"later\"` rule".into(),
        ));
    }
    if kind != Kind::Weekday && uses > 0 {
        return Err((
            "{weekday} only means something in a `when = \"weekday\"` rule".into(),
            "set `when = \"weekday\"` to be reminded on the day named, or write the days out in `match`".into(),
        ));
    }
    let mut n = 0;
    let mut expanded = String::with_capacity(pattern.len());
    for (i, part) in pattern.split(WEEKDAY).enumerate() {
        if i > 0 {
            expanded.push_str(&weekday_group(n));
            n += 1;
        }
        expanded.push_str(part);
    }
    let bad_regex = |e: &dyn std::fmt::Display| {
        (
            format!("bad regex in `match`: {}", one_line(&e.to_string())),
            "fix the pattern (https://docs.rs/regex/latest/regex/#syntax); matching ignores case; to match a literal `(`, `.`, `?` or `+`, put a backslash before it — in a '...' string one backslash, in a \"...\" string two".to_string(),
        )
    };
    let regex = RegexBuilder::new(&expanded)
        .case_insensitive(true)
        .build()
        .map_err(|e| bad_regex(&e))?;
    let shortest = |p: &str| match regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(p)
    {
        Ok(hir) => Ok(shortest_match(&hir)),
        Err(e) => Err(bad_regex(&e)),
    };
    if shortest(&expanded)? == Some(0) {
        return Err((
            "`match` can match an empty text, so every staff reply would count as a promise".into(),
            "make it require words, e.g. '\\bget back to you\\b'".into(),
        ));
    }
    if kind == Kind::Weekday {
        // With {weekday} unable to match anything, whatever still matches names no day.
        let without_day = pattern.replace(WEEKDAY, NO_WEEKDAY);
        if shortest(&without_day)?.is_some() {
            return Err((
                "this `weekday` rule can match a reply that names no day (a part of `match` without {weekday}, or {weekday} made optional)".into(),
                "put {weekday} in every alternative and do not make it optional, e.g. '\\b(by|before) {weekday}'; or move the dayless part to a `when = \"later\"` rule".into(),
            ));
        }
    }
    Ok(regex)
}

/// The length of the shortest text `hir` matches, `None` when it matches nothing. Unlike
/// `Properties::minimum_len`, a branch that matches nothing does not sink its alternation: that
/// is the point here. Assertions (`\b`, `^`) count as matching, so a rule is refused only
/// when some way through it surely avoids the day.
fn shortest_match(hir: &regex_syntax::hir::Hir) -> Option<usize> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(lit) => Some(lit.0.len()),
        HirKind::Class(class) => class.minimum_len(),
        HirKind::Repetition(rep) if rep.min == 0 => Some(0),
        HirKind::Repetition(rep) => {
            shortest_match(&rep.sub).map(|n| n.saturating_mul(rep.min as usize))
        }
        HirKind::Capture(cap) => shortest_match(&cap.sub),
        HirKind::Concat(parts) => parts.iter().try_fold(0usize, |sum, p| {
            Some(sum.saturating_add(shortest_match(p)?))
        }),
        HirKind::Alternation(branches) => branches.iter().filter_map(shortest_match).min(),
    }
}
