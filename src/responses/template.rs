//! Acknowledgement templates: `{placeholder}` parsing at load time and rendering at send time.
//!
//! Rendering is single-pass: inserted values are never scanned again, so a customer named
//! `{eta}` stays literally `{eta}`. Pings are not this module's concern: allowed_mentions on
//! the outbound message decides who can be pinged, whatever the text says.

use std::fmt;

/// Discord refuses message content longer than this many characters.
pub const DISCORD_MESSAGE_LIMIT: usize = 2000;

/// The values a template may use. Adding one here is the only way to add a placeholder.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Placeholder {
    /// A mention of the customer: the one ping an acknowledgement may carry.
    Customer,
    /// The customer's display name, without a ping.
    CustomerName,
    /// The owner's name, without a ping.
    Owner,
    Business,
    /// What the question is about (the matched rule's topic).
    Topic,
    /// How long a reply usually takes, from history ("usually within about 2 hours").
    Eta,
    /// When the business next opens ("tomorrow at 9:00").
    Opens,
    /// When the owner is back from away mode ("on Monday at 9:00").
    Back,
    /// The owner's own away message, if they gave one.
    AwayNote,
    /// The staff member who took the conversation (`[claimed]` only: an acknowledgement is
    /// sent before anyone has).
    Staff,
}

impl Placeholder {
    pub const ALL: [(&'static str, Placeholder); 10] = [
        ("customer", Placeholder::Customer),
        ("customer_name", Placeholder::CustomerName),
        ("owner", Placeholder::Owner),
        ("business", Placeholder::Business),
        ("topic", Placeholder::Topic),
        ("eta", Placeholder::Eta),
        ("opens", Placeholder::Opens),
        ("back", Placeholder::Back),
        ("away_note", Placeholder::AwayNote),
        ("staff", Placeholder::Staff),
    ];

    fn from_name(name: &str) -> Option<Placeholder> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }

    pub fn known_names() -> String {
        Self::ALL
            .iter()
            .map(|(n, _)| format!("{{{n}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Piece {
    Text(String),
    Value(Placeholder),
}

/// A parsed template, ready to render without failing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// What is wrong with a template, and the byte offset inside it where it starts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TemplateError {
    pub offset: usize,
    pub problem: String,
    pub fix: String,
}

/// The values for one acknowledgement (or one "someone has your question" message).
#[derive(Clone, Debug, Default)]
pub struct Values<'a> {
    pub customer_mention: &'a str,
    pub customer_name: &'a str,
    pub owner: &'a str,
    pub business: &'a str,
    pub topic: &'a str,
    pub eta: &'a str,
    pub opens: &'a str,
    pub back: &'a str,
    pub away_note: &'a str,
    pub staff: &'a str,
}

impl Values<'_> {
    fn get(&self, p: Placeholder) -> &str {
        match p {
            Placeholder::Customer => self.customer_mention,
            Placeholder::CustomerName => self.customer_name,
            Placeholder::Owner => self.owner,
            Placeholder::Business => self.business,
            Placeholder::Topic => self.topic,
            Placeholder::Eta => self.eta,
            Placeholder::Opens => self.opens,
            Placeholder::Back => self.back,
            Placeholder::AwayNote => self.away_note,
            Placeholder::Staff => self.staff,
        }
    }
}

impl Template {
    /// Parses `text`; `{{` and `}}` stand for literal braces.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let rest = &text[i + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err(TemplateError {
                            offset: i,
                            problem: "a `{` is never closed".into(),
                            fix:
                                "close the placeholder with `}`, or write `{{` for a literal brace"
                                    .into(),
                        });
                    };
                    let name = &rest[..end];
                    let Some(p) = Placeholder::from_name(name.trim()) else {
                        return Err(TemplateError {
                            offset: i,
                            problem: format!("unknown placeholder `{{{name}}}`"),
                            fix: format!(
                                "use one of {} (or `{{{{` for a literal brace)",
                                Placeholder::known_names()
                            ),
                        });
                    };
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Value(p));
                    while chars.peek().is_some_and(|&(j, _)| j <= i + 1 + end) {
                        chars.next();
                    }
                }
                '}' => {
                    return Err(TemplateError {
                        offset: i,
                        problem: "a `}` has no opening `{`".into(),
                        fix: "write `}}` for a literal brace".into(),
                    })
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template { pieces })
    }

    pub fn uses(&self, p: Placeholder) -> bool {
        self.pieces.contains(&Piece::Value(p))
    }

    /// Characters of fixed text, the part no value can shorten.
    pub fn fixed_len(&self) -> usize {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.chars().count(),
                Piece::Value(_) => 0,
            })
            .sum()
    }

    /// Renders the template, cut to Discord's message limit on a character boundary.
    pub fn render(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Value(p) => {
                    let value = values.get(*p);
                    if starts_sentence(&out) {
                        push_capitalised(&mut out, value);
                    } else {
                        out.push_str(value);
                    }
                }
            }
        }
        truncate_chars(out, DISCORD_MESSAGE_LIMIT)
    }
}

/// True where the next word begins a sentence, so "the owner" must read "The owner".
fn starts_sentence(before: &str) -> bool {
    let trimmed = before.trim_end();
    trimmed.is_empty() || trimmed.ends_with(['.', '!', '?', '\n'])
}

fn push_capitalised(out: &mut String, value: &str) {
    let mut chars = value.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Cuts `text` to at most `limit` characters, ending with "…" when something was cut.
pub fn truncate_chars(mut text: String, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text;
    }
    let cut = text
        .char_indices()
        .nth(limit.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    text.truncate(cut);
    text.push('…');
    text
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => write!(f, "{}", t.replace('{', "{{").replace('}', "}}"))?,
                Piece::Value(p) => {
                    let name = Placeholder::ALL
                        .iter()
                        .find(|(_, q)| q == p)
                        .map_or("?", |(n, _)| n);
                    write!(f, "{{{name}}}")?
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values<'static> {
        Values {
            customer_mention: "<@42>",
            customer_name: "Ana",
            owner: "Sam",
            business: "Maple & Thread",
            topic: "shipping",
            eta: "usually within about an hour",
            opens: "tomorrow at 9:00",
            back: "on Monday",
            away_note: "",
            staff: "Ana",
        }
    }

    #[test]
    fn renders_every_placeholder_once() {
        let t = Template::parse("Hi {customer}! {owner} at {business} will answer about {topic} {eta}. {{not a placeholder}}")
            .expect("valid");
        assert_eq!(
            t.render(&values()),
            "Hi <@42>! Sam at Maple & Thread will answer about shipping usually within about an hour. {not a placeholder}"
        );
    }

    #[test]
    fn inserted_values_are_never_expanded_again() {
        let t = Template::parse("Hi {customer_name}").expect("valid");
        let mut v = values();
        v.customer_name = "{eta} @everyone";
        assert_eq!(t.render(&v), "Hi {eta} @everyone");
    }

    #[test]
    fn unknown_placeholder_names_the_known_ones() {
        let err = Template::parse("Hello {custmer}!").expect_err("unknown");
        assert_eq!(err.offset, 6);
        assert!(err.problem.contains("{custmer}"));
        assert!(err.fix.contains("{customer}"));
        let err = Template::parse("Hello {customer").expect_err("unclosed");
        assert!(err.problem.contains("never closed"));
        let err = Template::parse("Hello }").expect_err("stray");
        assert!(err.fix.contains("}}"));
    }

    #[test]
    fn rendering_stays_within_discords_limit_on_char_boundaries() {
        let t = Template::parse("{customer_name}{customer_name}").expect("valid");
        let long = "é".repeat(1500);
        let mut v = values();
        v.customer_name = &long;
        let out = t.render(&v);
        assert_eq!(out.chars().count(), DISCORD_MESSAGE_LIMIT);
        assert!(out.ends_with('…'));
    }

    #[test]
    fn values_that_begin_a_sentence_are_capitalised() {
        let t = Template::parse("{owner} will reply. {eta} is typical! {customer_name} ok")
            .expect("valid");
        let mut v = values();
        v.owner = "the owner";
        v.eta = "about an hour";
        v.customer_name = "ana";
        assert_eq!(
            t.render(&v),
            "The owner will reply. About an hour is typical! Ana ok"
        );
    }

    #[test]
    fn display_round_trips() {
        let src = "A {{b}} {customer} c";
        let t = Template::parse(src).expect("valid");
        assert_eq!(t.to_string(), src);
        assert_eq!(Template::parse(&t.to_string()), Ok(t));
    }
}
