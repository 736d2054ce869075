//! Saved replies (`responses/replies.toml`): named texts staff send in their own name, with
//! the usual placeholders, by `/reply saved:<name>` in a conversation's staff thread or
//! place, or from the web page's reply box. Owns that file's format and its file:line
//! errors; the acknowledgement rules' loader leaves the file alone.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::load::variant;
use super::{line_of, ResponsesError, ResponsesErrors, Source, Template, Values};

/// The file in the responses folder that holds the saved replies.
pub const FILE: &str = "replies.toml";

/// Discord shows at most this many suggestions for an option.
pub const SUGGESTIONS: usize = 25;

/// One saved reply.
#[derive(Clone, Debug)]
pub struct SavedReply {
    /// What staff type after `saved:`: lower-case letters, digits and dashes.
    pub name: String,
    pub template: Template,
    pub source: Source,
}

impl SavedReply {
    pub fn render(&self, values: &Values<'_>) -> String {
        self.template.render(values).trim_end().to_string()
    }
}

/// The loaded saved replies, in file order.
#[derive(Clone, Debug, Default)]
pub struct SavedReplies {
    replies: Vec<SavedReply>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    reply: Vec<RawReply>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReply {
    name: Spanned<String>,
    text: Spanned<String>,
}

impl SavedReplies {
    /// The shipped ones (the text of responses/replies.toml, compiled in).
    pub fn builtin() -> SavedReplies {
        let text = super::builtin::FILES
            .iter()
            .find(|(name, _)| *name == FILE)
            .map_or("", |(_, text)| text);
        // The shipped file is checked by a test.
        SavedReplies::parse(&Path::new("(built-in)").join(FILE), text).unwrap_or_default()
    }

    /// `dir/replies.toml` when it exists, else the shipped ones. A bad file is an error
    /// naming file and line.
    pub fn load(dir: &Path) -> Result<SavedReplies, ResponsesErrors> {
        match super::load::read_own_file(dir, FILE)? {
            Some((path, text)) => SavedReplies::parse(&path, &text),
            None => Ok(SavedReplies::builtin()),
        }
    }

    /// Reads one file's text; `file` names it in errors, all of them at once.
    pub fn parse(file: &Path, text: &str) -> Result<SavedReplies, ResponsesErrors> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(text, s.start));
            ResponsesErrors(vec![ResponsesError {
                file: file.to_path_buf(),
                line,
                problem: e.message().to_string(),
                fix: "each saved reply is a [[reply]] table with a `name` and a `text`".into(),
            }])
        })?;
        let mut errors = Vec::new();
        let mut replies: Vec<SavedReply> = Vec::new();
        for r in raw.reply {
            let name = r.name.get_ref().trim().to_string();
            let line = line_of(text, r.name.span().start);
            let err = |problem: String, fix: &str| ResponsesError {
                file: file.to_path_buf(),
                line,
                problem,
                fix: fix.to_string(),
            };
            if !valid_name(&name) {
                errors.push(err(
                    format!("the saved reply name {name:?} cannot be typed after `saved:`"),
                    "use 1 to 40 lower-case letters, digits and dashes, e.g. \"shipping-times\"",
                ));
                continue;
            }
            if replies.iter().any(|s| s.name == name) {
                errors.push(err(
                    format!("two saved replies are named {name:?}"),
                    "give each saved reply its own name",
                ));
                continue;
            }
            let whose = format!("saved reply {name:?}");
            if let Some(template) = variant(file, text, &whose, &r.text, &mut errors) {
                replies.push(SavedReply {
                    name,
                    template,
                    source: Source {
                        file: file.to_path_buf(),
                        line,
                    },
                });
            }
        }
        if errors.is_empty() {
            Ok(SavedReplies { replies })
        } else {
            Err(ResponsesErrors(errors))
        }
    }

    pub fn find(&self, name: &str) -> Option<&SavedReply> {
        let name = name.trim();
        self.replies
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }

    /// The names that contain `typed`, those starting with it first; at most
    /// [`SUGGESTIONS`]. What `/reply saved:` suggests as the name is typed.
    pub fn suggest(&self, typed: &str) -> Vec<&str> {
        let typed = typed.trim().to_lowercase();
        let (mut first, rest): (Vec<&str>, Vec<&str>) = self
            .replies
            .iter()
            .map(|r| r.name.as_str())
            .filter(|n| n.contains(&typed))
            .partition(|n| n.starts_with(&typed));
        first.extend(rest);
        first.truncate(SUGGESTIONS);
        first
    }

    /// Every name, in file order, for an answer listing them.
    pub fn names(&self) -> Vec<&str> {
        self.replies.iter().map(|r| r.name.as_str()).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &SavedReply> {
        self.replies.iter()
    }

    pub fn len(&self) -> usize {
        self.replies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.replies.is_empty()
    }
}

fn valid_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SavedReplies, String> {
        SavedReplies::parse(Path::new("responses/replies.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn the_shipped_replies_load() {
        let text = super::super::builtin::FILES
            .iter()
            .find(|(n, _)| *n == FILE)
            .expect("shipped")
            .1;
        let shipped = parse(text).expect("the shipped file loads");
        assert!(shipped.len() >= 3, "{:?}", shipped.names());
    }

    #[test]
    fn mistakes_are_named_with_file_line_and_fix() {
        let unknown =
            parse("[[reply]]\nname = \"hi\"\ntext = \"Hello {customer_name}, {nope}!\"\n")
                .expect_err("unknown placeholder");
        assert!(unknown.contains("responses/replies.toml:3"), "{unknown}");
        assert!(unknown.contains("{nope}"), "{unknown}");
        let named =
            parse("[[reply]]\nname = \"Shipping Times\"\ntext = \"x\"\n").expect_err("bad name");
        assert!(
            named.contains(":2") && named.contains("lower-case"),
            "{named}"
        );
        let twice = parse(
            "[[reply]]\nname = \"a\"\ntext = \"x\"\n\n[[reply]]\nname = \"a\"\ntext = \"y\"\n",
        )
        .expect_err("twice");
        assert!(
            twice.contains(":6") && twice.contains("two saved replies"),
            "{twice}"
        );
        let missing = parse("[[reply]]\nname = \"a\"\n").expect_err("no text");
        assert!(missing.contains("text"), "{missing}");
    }

    #[test]
    fn names_are_suggested_as_they_are_typed() {
        let replies = parse(
            "[[reply]]\nname = \"shipping-times\"\ntext = \"a\"\n[[reply]]\nname = \"free-shipping\"\ntext = \"b\"\n[[reply]]\nname = \"hours\"\ntext = \"c\"\n",
        )
        .expect("loads");
        assert_eq!(replies.suggest("ship"), ["shipping-times", "free-shipping"]);
        assert_eq!(
            replies.suggest(""),
            ["shipping-times", "free-shipping", "hours"]
        );
        assert!(replies.find("HOURS").is_some());
        assert!(replies.find("nope").is_none());
    }
}
