//! Reading `responses/*.toml` into [`Rules`], with every problem reported as file:line + fix.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::RegexSetBuilder;
use serde::Deserialize;
use toml::Spanned;

use super::{
    PlaceScope, Placeholder, Rule, Rules, Source, Template, TimeScope, DISCORD_MESSAGE_LIMIT,
};
use crate::model::{ChannelId, PlaceKind};

/// One problem in one rule file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ResponsesError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole folder.
    pub line: usize,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for ResponsesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: ", self.file.display(), self.line)?;
        } else {
            write!(f, "{}: ", self.file.display())?;
        }
        write!(f, "{}\n  fix: {}", self.problem, self.fix)
    }
}

/// Every problem found while loading the rules.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub struct ResponsesErrors(pub Vec<ResponsesError>);

impl fmt::Display for ResponsesErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<RawRule>,
    /// What the customer is told when someone on staff takes their conversation.
    claimed: Option<RawClaimed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaimed {
    variants: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    topic: Option<String>,
    #[serde(default)]
    priority: i64,
    #[serde(rename = "match")]
    pattern: Option<Spanned<String>>,
    #[serde(rename = "where", default)]
    places: Vec<Spanned<String>>,
    #[serde(default)]
    when: Vec<Spanned<String>>,
    /// `true`: only for a customer who wrote before; `false`: only for a first-timer.
    returning: Option<bool>,
    variants: Spanned<Vec<Spanned<String>>>,
}

/// `dir/file` and its text when it exists (`None`: use the built-in one); a file that
/// cannot be read is an error naming it.
pub(super) fn read_own_file(
    dir: &Path,
    file: &str,
) -> Result<Option<(PathBuf, String)>, ResponsesErrors> {
    let path = dir.join(file);
    if !path.exists() {
        return Ok(None);
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path, text))),
        Err(e) => Err(ResponsesErrors(vec![ResponsesError {
            file: path,
            line: 0,
            problem: format!("cannot read the file: {e}"),
            fix: "make it a readable UTF-8 text file".into(),
        }])),
    }
}

pub(super) fn load_dir(dir: &Path) -> Result<Rules, ResponsesErrors> {
    let fail = |problem: String, fix: &str| {
        ResponsesErrors(vec![ResponsesError {
            file: dir.to_path_buf(),
            line: 0,
            problem,
            fix: fix.to_string(),
        }])
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        fail(
            format!("cannot read the responses folder: {e}"),
            "point `responses` in the config (or --responses) at the folder holding your *.toml rule files; the project ships one named `responses/`",
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        // The promise rules and saved replies are other formats, read by their own loaders.
        .filter(|p| {
            p.file_name()
                .is_none_or(|n| n != super::promises::FILE && n != super::replies::FILE)
        })
        .collect();
    paths.sort();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path, text)),
            Err(e) => errors.push(ResponsesError {
                file: path,
                line: 0,
                problem: format!("cannot read the file: {e}"),
                fix: "make it a readable UTF-8 text file".into(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ResponsesErrors(errors));
    }
    if files.is_empty() {
        return Err(fail(
            "no rule files (*.toml) in the responses folder".into(),
            "copy the project's responses/ folder here, or point `responses` at it",
        ));
    }
    from_sources(&files)
}

pub(super) fn from_sources(files: &[(PathBuf, String)]) -> Result<Rules, ResponsesErrors> {
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let mut patterns = Vec::new();
    let mut claimed: Option<(Vec<Template>, Source)> = None;
    for (file, text) in files {
        let err = |span: Range<usize>, problem: String, fix: &str| ResponsesError {
            file: file.clone(),
            line: line_of(text, span.start),
            problem,
            fix: fix.to_string(),
        };
        let raw: RawFile = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                errors.push(err(
                    e.span().unwrap_or(0..0),
                    format!("not valid rule TOML: {}", e.message().trim()),
                    "each rule is a [[rule]] table with `id` and `variants`, and optionally `topic`, `priority`, `match`, `where`, `when`; see responses/README.md",
                ));
                continue;
            }
        };
        if let Some(c) = raw.claimed {
            let here = Source {
                file: file.clone(),
                line: line_of(text, c.variants.span().start),
            };
            if let Some((_, first)) = &claimed {
                errors.push(err(
                    c.variants.span(),
                    format!(
                        "[claimed] is written twice (first at {}:{})",
                        first.file.display(),
                        first.line
                    ),
                    "keep one [claimed] table in the whole folder",
                ));
            } else if c.variants.get_ref().is_empty() {
                errors.push(err(
                    c.variants.span(),
                    "[claimed] has no variants".into(),
                    "add at least one text to `variants = [ ... ]`, or remove [claimed] to use the built-in one",
                ));
            } else {
                let variants = c
                    .variants
                    .get_ref()
                    .iter()
                    .filter_map(|v| variant(file, text, "[claimed]", v, &mut errors))
                    .collect();
                claimed = Some((variants, here));
            }
        }
        for r in raw.rule {
            let before = errors.len();
            let id = r.id.get_ref().trim().to_string();
            if id.is_empty() {
                errors.push(err(
                    r.id.span(),
                    "a rule has an empty `id`".into(),
                    "give it a short name such as \"shipping\"",
                ));
            }
            if let Some(first) = rules.iter().find(|x: &&Rule| x.id == id) {
                errors.push(err(
                    r.id.span(),
                    format!(
                        "rule id {id:?} is used twice (first at {}:{})",
                        first.source.file.display(),
                        first.source.line
                    ),
                    "rename one of them: ids name rules in `check` and in the owner's notifications",
                ));
            }
            let pattern = r.pattern.as_ref().and_then(|p| {
                // Compile alone first so the error points at this rule, not at the whole set.
                match regex::RegexBuilder::new(p.get_ref())
                    .case_insensitive(true)
                    .build()
                {
                    Ok(_) => {
                        patterns.push(p.get_ref().clone());
                        Some((p.get_ref().clone(), patterns.len() - 1))
                    }
                    Err(e) => {
                        errors.push(err(
                            p.span(),
                            format!("bad regex in `match`: {}", one_line(&e.to_string())),
                            "fix the pattern (https://docs.rs/regex/latest/regex/#syntax); matching ignores case; to match a literal `(`, `.`, `?` or `+`, put a backslash before it — in a '...' string one backslash, in a \"...\" string two",
                        ));
                        None
                    }
                }
            });
            let mut places = Vec::new();
            for p in &r.places {
                match parse_place(p.get_ref()) {
                    Some(scope) => places.push(scope),
                    None => errors.push(err(
                        p.span(),
                        format!("unknown place {:?} in `where`", p.get_ref()),
                        "use \"channel\", \"forum\", \"dm\", \"channel:<channel id>\", \"forum:<forum id>\" or \"tag:<forum tag name>\"",
                    )),
                }
            }
            let mut times = Vec::new();
            for w in &r.when {
                match w.get_ref().trim().to_ascii_lowercase().as_str() {
                    "open" => times.push(TimeScope::Open),
                    "closed" => times.push(TimeScope::Closed),
                    "away" => times.push(TimeScope::Away),
                    "late" => times.push(TimeScope::Late),
                    other => errors.push(err(
                        w.span(),
                        format!("unknown time {other:?} in `when`"),
                        "use \"open\", \"closed\", \"away\" or \"late\"",
                    )),
                }
            }
            if r.variants.get_ref().is_empty() {
                errors.push(err(
                    r.variants.span(),
                    format!("rule {id:?} has no variants"),
                    "add at least one acknowledgement text to `variants = [ ... ]`",
                ));
            }
            let mut variants = Vec::new();
            for v in r.variants.get_ref() {
                let Some(t) = variant(file, text, &format!("rule {id:?}"), v, &mut errors) else {
                    continue;
                };
                if t.uses(Placeholder::Staff) {
                    errors.push(err(
                        v.span(),
                        format!("a variant of rule {id:?} uses {{staff}}"),
                        "{staff} names who took a conversation, which nobody has when it is acknowledged; use it in [claimed] only",
                    ));
                } else {
                    variants.push(t);
                }
            }
            if errors.len() == before {
                rules.push(Rule {
                    topic: r.topic.unwrap_or_else(|| id.clone()),
                    id,
                    priority: r.priority,
                    pattern,
                    places,
                    times,
                    returning: r.returning,
                    variants,
                    source: Source {
                        file: file.clone(),
                        line: line_of(text, r.id.span().start),
                    },
                });
            }
        }
    }
    if errors.is_empty() && !rules.iter().any(Rule::is_fallback) {
        errors.push(ResponsesError {
            file: files
                .first()
                .map_or_else(PathBuf::new, |(f, _)| f.parent().unwrap_or(f).to_path_buf()),
            line: 0,
            problem: "no fallback rule: some messages would get no acknowledgement (for example every message when Discord withholds message content)".into(),
            fix: "keep one rule with no `match`, no `where` and no `when`, like `general` in the shipped responses/general.toml".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ResponsesErrors(errors));
    }
    let set = RegexSetBuilder::new(&patterns)
        .case_insensitive(true)
        .build()
        .map_err(|e| {
            ResponsesErrors(vec![ResponsesError {
                file: PathBuf::from("responses"),
                line: 0,
                problem: format!(
                    "the rules' regexes are too large together: {}",
                    one_line(&e.to_string())
                ),
                fix: "simplify the longest `match` patterns".into(),
            }])
        })?;
    // Stable sort: equal priorities keep the order of the files and of the rules in them.
    rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
    let fallback = rules.iter().position(Rule::is_fallback).unwrap_or(0);
    let claimed = match claimed {
        Some((variants, _)) => variants,
        None => builtin_claimed(),
    };
    Ok(Rules {
        rules,
        set,
        fallback,
        claimed,
    })
}

/// What the customer is told when someone takes their conversation, when no rule file says:
/// a folder written before `[claimed]` existed still tells them.
pub const BUILTIN_CLAIMED: &str =
    "{customer}, {staff} is looking after your question now and will reply to you personally.";

fn builtin_claimed() -> Vec<Template> {
    // A constant that parses: checked by a test.
    Template::parse(BUILTIN_CLAIMED).map_or_else(|_| Vec::new(), |t| vec![t])
}

/// One variant parsed, or its problem recorded with the line it is on.
pub(super) fn variant(
    file: &Path,
    text: &str,
    whose: &str,
    v: &Spanned<String>,
    errors: &mut Vec<ResponsesError>,
) -> Option<Template> {
    match Template::parse(v.get_ref()) {
        Ok(t) if t.fixed_len() > DISCORD_MESSAGE_LIMIT - 100 => {
            errors.push(ResponsesError {
                file: file.to_path_buf(),
                line: line_of(text, v.span().start),
                problem: format!("a variant of {whose} is {} characters long", t.fixed_len()),
                fix: "Discord allows 2000 characters per message; keep acknowledgements short (under 1900 characters)".into(),
            });
            None
        }
        Ok(t) => Some(t),
        Err(e) => {
            let start = v.span().start;
            let raw = &text[start.min(text.len())..];
            // A multi-line string drops the newline right after its opening quotes.
            let skipped = usize::from(raw.starts_with("'''\n") || raw.starts_with("\"\"\"\n"));
            let inside = v.get_ref()[..e.offset].matches('\n').count();
            errors.push(ResponsesError {
                file: file.to_path_buf(),
                line: line_of(text, start) + skipped + inside,
                problem: format!("in a variant of {whose}: {}", e.problem),
                fix: e.fix,
            });
            None
        }
    }
}

fn parse_place(text: &str) -> Option<PlaceScope> {
    let text = text.trim();
    match text.to_ascii_lowercase().as_str() {
        "channel" => return Some(PlaceScope::Kind(PlaceKind::Channel)),
        "forum" => return Some(PlaceScope::Kind(PlaceKind::Forum)),
        "dm" => return Some(PlaceScope::Kind(PlaceKind::Dm)),
        _ => {}
    }
    let (kind, value) = text.split_once(':')?;
    let value = value.trim();
    match kind.trim().to_ascii_lowercase().as_str() {
        "channel" => value
            .parse()
            .ok()
            .map(|id| PlaceScope::Channel(ChannelId(id))),
        "forum" => value
            .parse()
            .ok()
            .map(|id| PlaceScope::Forum(ChannelId(id))),
        "tag" if !value.is_empty() => Some(PlaceScope::Tag(value.to_string())),
        _ => None,
    }
}

/// The 1-based line of a byte offset in `text`, for "file:line" messages (config uses it too).
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

pub(super) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
