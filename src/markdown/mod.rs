//! Discord's message markdown, as far as customer text is concerned: [`literal`] turns a
//! customer's name or words into text that Discord shows exactly as typed inside a message
//! frontdesk posts — no masked link, heading, quote, list, code, emphasis or spoiler, and no
//! mention. Pure, so the core (acknowledgements, the DM relay) and `discord/` (notices,
//! command answers) share it.
//!
//! Hand-written: serenity's `MessageBuilder::push_safe` escapes only `*`, `` ` `` and `_`, and
//! no crate here knows Discord's flavour of markdown.

#[cfg(test)]
pub(crate) mod render;
#[cfg(test)]
mod tests;

/// `text` as Discord must show it in one of frontdesk's messages: as typed.
///
/// Mentions are broken with a zero-width space (allowed_mentions already stops every ping;
/// this keeps the text from looking like one). Markup is escaped with backslashes, which
/// Discord hides, and only where a character could start or end markup, so a message stays
/// readable as text too:
/// - `\` before punctuation, a non-ASCII character or the end (it would escape what follows);
/// - every `*`, `` ` `` and `[` (emphasis, code, and `[label](url)` masked links);
/// - `_` next to a non-letter or another `_` (inside a word, as in `snake_case`, Discord
///   keeps it, and inside a bare URL it is part of the link);
/// - `~` and `|` in pairs, or at either end (`~~strike~~`, `||spoiler||`);
/// - at the start of a line, after spaces: `#`, `>`, `-`, `+` and `1.` followed by a space,
///   which start headings, `-#` subtext, quotes and lists. The text's own start counts as a
///   line start, since the text may be placed at one.
///
/// A bare URL stays a plain link, which shows its own address: Discord links it whatever is
/// done. So does `<https://…>`, Discord's way of writing a bare URL without a preview.
/// `<#channel>`, `<:emoji:id>` and `<t:…>` still show as the channel, emoji and time the
/// customer's client put there. Form feeds, which Discord drops before reading markup (they
/// could join a backslash to the character after them), are dropped.
pub fn literal(text: &str) -> String {
    let chars: Vec<char> = neutralise(text).chars().filter(|c| *c != '\u{c}').collect();
    let mut out = String::with_capacity(chars.len() + 8);
    let mut line_start = true;
    // Chars before this index belong to a bare URL.
    let mut url_end = 0;
    // The `.` of a `1.` list marker at this line's start.
    let mut list_dot = None;
    for (i, &c) in chars.iter().enumerate() {
        if i >= url_end {
            url_end = url_end.max(i + url_len(&chars[i..]));
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        if line_start && c.is_ascii_digit() {
            list_dot = ordered_marker(&chars[i..]).map(|len| i + len);
        }
        let escape = match c {
            '\\' => next.is_none_or(|n| !n.is_ascii_alphanumeric() && !is_js_space(n)),
            '*' | '`' | '[' => true,
            '_' => {
                i >= url_end
                    && (prev.is_none_or(|p| !p.is_ascii_alphanumeric())
                        || next.is_none_or(|n| !n.is_ascii_alphanumeric()))
            }
            '~' | '|' => prev.is_none_or(|p| p == c) || next.is_none_or(|n| n == c),
            '#' | '>' | '-' | '+' if line_start => block_marker(&chars[i..]),
            '.' => list_dot == Some(i),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        if matches!(c, '\n' | '\r') {
            line_start = true;
            list_dot = None;
        } else if !is_space(c) {
            line_start = false;
        }
    }
    out
}

/// Breaks `@everyone`, `<@123>` and `<@&5>` so they show as text, not as mentions.
fn neutralise(text: &str) -> String {
    text.replace('@', "@\u{200B}")
}

/// White space as Discord's markdown (JavaScript's `\s`) sees it.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}'
}

/// White space within a line.
fn is_space(c: char) -> bool {
    is_js_space(c) && !matches!(c, '\n' | '\r')
}

/// Whether the text at a line start is a heading (`#`, `##`, `###`), subtext (`-#`), a quote
/// (`>`, `>>>`) or a list item (`-`, `+`), given its first character. Followed by a space or
/// nothing: the text may be followed by a line break of the message around it.
fn block_marker(rest: &[char]) -> bool {
    let after = |n: usize| rest.get(n).is_none_or(|c| is_js_space(*c));
    match rest[0] {
        '#' => after(rest.iter().take_while(|c| **c == '#').count()),
        '>' => after(1) || rest.get(1) == Some(&'>'),
        '-' => after(1) || (rest.get(1) == Some(&'#') && after(2)),
        _ => after(1),
    }
}

/// `1. ` (any number of digits): the offset of its `.`.
fn ordered_marker(rest: &[char]) -> Option<usize> {
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let after = rest.get(digits + 1).is_none_or(|c| is_js_space(*c));
    (rest.get(digits) == Some(&'.') && after).then_some(digits)
}

/// The length of the bare URL `rest` starts with (0 if none): Discord links `http(s)://`
/// and at least two more characters, up to a space or `<`.
fn url_len(rest: &[char]) -> usize {
    let scheme = ["http://", "https://"].into_iter().find(|scheme| {
        rest.len() >= scheme.len()
            && rest
                .iter()
                .zip(scheme.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b))
    });
    let Some(scheme) = scheme else {
        return 0;
    };
    let len = rest
        .iter()
        .take_while(|c| !c.is_whitespace() && **c != '<')
        .count();
    if len >= scheme.len() + 2 {
        len
    } else {
        0
    }
}
