//! The config `setup` writes: `frontdesk.example.toml` (built into the binary) with the chosen
//! values put in place of the example's, so both carry the same comments and cannot drift.

use std::collections::BTreeMap;

/// The commented example config, which is also the template.
pub const TEMPLATE: &str = include_str!("../../frontdesk.example.toml");

/// The header line `setup` writes instead of the example's "copy me" line.
const HEADER: &str = "# frontdesk configuration, written by `frontdesk setup`. `frontdesk check` validates it and\n# `frontdesk doctor` checks it against Discord.";

/// A value for one key, rendered as TOML.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Strs(Vec<String>),
    Bool(bool),
    /// Discord ids, each with the name it has on Discord, written as a comment after the
    /// value (`staff_channel = "…"  # #staff`) so the file reads without Discord open.
    Ids(Vec<(u64, String)>),
    /// One id and its name.
    Id(u64, String),
}

impl Value {
    fn render(&self) -> String {
        let s = |v: &str| toml::Value::String(v.to_string()).to_string();
        let list = |items: Vec<String>| format!("[{}]", items.join(", "));
        match self {
            Value::Str(v) => s(v),
            Value::Bool(b) => b.to_string(),
            Value::Strs(items) => list(items.iter().map(|v| s(v)).collect()),
            Value::Id(id, name) => format!("{}{}", s(&id.to_string()), comment(&[name])),
            Value::Ids(items) => {
                let names: Vec<&String> = items.iter().map(|(_, n)| n).collect();
                format!(
                    "{}{}",
                    list(items.iter().map(|(id, _)| s(&id.to_string())).collect()),
                    comment(&names)
                )
            }
        }
    }
}

/// `  # a, b` for the names, nothing for none. A TOML comment may hold any character but
/// control characters, so those (a newline in a name) become spaces.
fn comment(names: &[&String]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let text = names
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>();
    format!("  # {}", text.trim())
}

/// Chosen values by `(section, key)`; the section of a top-level key is `""`.
pub type Values = BTreeMap<(&'static str, &'static str), Value>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the config template has no key `{key}` in [{section}]")]
pub struct MissingKey {
    pub section: String,
    pub key: String,
}

/// The template with each chosen key's line (set, or commented out like `# api = …`) replaced
/// by `key = value`. Every chosen key must be in the template.
pub fn render(values: &Values) -> Result<String, MissingKey> {
    let mut out = String::with_capacity(TEMPLATE.len() + 256);
    let mut section = "";
    let mut used = Vec::new();
    let mut lines = TEMPLATE.lines().peekable();
    // The example's first line tells a reader to copy it; a written config says where it came from.
    if lines
        .next_if(|l| l.starts_with("# frontdesk configuration"))
        .is_some()
    {
        out.push_str(HEADER);
        out.push('\n');
    }
    for line in lines {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = TEMPLATE_SECTIONS
                .iter()
                .find(|s| **s == name)
                .copied()
                .unwrap_or("?");
        }
        let key_part = trimmed.strip_prefix("# ").unwrap_or(trimmed);
        let key = key_part.split_once(" = ").map(|(k, _)| k.trim());
        let chosen = key.and_then(|k| {
            values
                .iter()
                .find(|((s, name), _)| *s == section && *name == k)
        });
        match chosen {
            Some(((s, k), v)) => {
                out.push_str(&format!("{k} = {}\n", v.render()));
                used.push((*s, *k));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if let Some((s, k)) = values.keys().find(|key| !used.contains(key)) {
        return Err(MissingKey {
            section: s.to_string(),
            key: k.to_string(),
        });
    }
    Ok(out)
}

/// The template's sections (kept `'static` so values can name them).
const TEMPLATE_SECTIONS: &[&str] = &["discord", "watch", "hours", "reminders", "conversations"];

#[cfg(test)]
mod tests {
    use super::*;

    fn example_values() -> Values {
        let mut v = Values::new();
        v.insert(("", "business_name"), Value::Str("Maple & Thread".into()));
        v.insert(("", "owner_name"), Value::Str("Sam".into()));
        v.insert(
            ("discord", "guild"),
            Value::Id(1100000000000000001, "Maple & Thread".into()),
        );
        v.insert(
            ("discord", "owners"),
            Value::Ids(vec![(1100000000000000100, "Sam".into())]),
        );
        v.insert(
            ("discord", "staff_channel"),
            Value::Id(1100000000000000012, "#staff".into()),
        );
        v.insert(("discord", "message_content"), Value::Bool(true));
        v.insert(
            ("watch", "forums"),
            Value::Ids(vec![(1100000000000000011, "#questions".into())]),
        );
        v.insert(("hours", "sunday"), Value::Str("closed".into()));
        v
    }

    #[test]
    fn the_examples_own_values_give_back_the_example() {
        let text = render(&example_values()).expect("keys exist");
        let body = |t: &str| {
            t.lines()
                .skip_while(|l| l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(body(&text), body(TEMPLATE));
        assert!(text.starts_with("# frontdesk configuration, written by `frontdesk setup`"));
    }

    #[test]
    fn commented_keys_are_set_and_values_are_quoted() {
        let mut v = Values::new();
        v.insert(
            ("discord", "api"),
            Value::Str("http://127.0.0.1:3000".into()),
        );
        v.insert(("discord", "token_file"), Value::Str("fd \"token\"".into()));
        v.insert(("watch", "channels"), Value::Strs(vec![]));
        let text = render(&v).expect("keys exist");
        assert!(
            text.contains("\napi = \"http://127.0.0.1:3000\"\n"),
            "{text}"
        );
        // A quote inside the value stays a valid TOML string (toml picks a literal string).
        assert!(text.contains("\ntoken_file = 'fd \"token\"'\n"), "{text}");
        assert!(text.contains("\nchannels = []\n"), "{text}");
        // Comments stay; the key of another section is untouched.
        assert!(text.contains("# Text channels where every customer message"));
        assert!(text.contains("\nforums = [\"1100000000000000011\"]  # #questions\n"));
    }

    #[test]
    fn ids_carry_their_names_as_comments_and_the_file_still_parses() {
        let mut v = Values::new();
        v.insert(
            ("discord", "staff_roles"),
            Value::Ids(vec![(1, "@Staff".into()), (2, "@Night\nshift".into())]),
        );
        v.insert(("discord", "staff_channel"), Value::Id(3, "#staff".into()));
        v.insert(("watch", "channels"), Value::Ids(vec![]));
        let text = render(&v).expect("keys exist");
        assert!(
            text.contains("\nstaff_roles = [\"1\", \"2\"]  # @Staff, @Night shift\n"),
            "a control character in a name cannot end the comment: {text}"
        );
        assert!(
            text.contains("\nstaff_channel = \"3\"  # #staff\n"),
            "{text}"
        );
        assert!(
            text.contains("\nchannels = []\n"),
            "no names, no comment: {text}"
        );
        let parsed: toml::Table = toml::from_str(&text).expect("still TOML");
        assert_eq!(parsed["discord"]["staff_channel"].as_str(), Some("3"));
    }

    #[test]
    fn a_key_missing_from_the_template_is_an_error() {
        let mut v = Values::new();
        v.insert(("watch", "guild"), Value::Str("1".into()));
        assert_eq!(
            render(&v),
            Err(MissingKey {
                section: "watch".into(),
                key: "guild".into()
            })
        );
    }
}
