//! [`literal`] on hostile strings: their exact escaped form, and, for any string, text that
//! renders no markup wherever it is placed and shows as typed.

use proptest::prelude::*;

use super::literal;
use super::render::{assert_adds_no_markup, hostile, markup, shown, Markup};

#[test]
fn hostile_strings_are_escaped_where_they_could_render() {
    let cases = [
        // Masked links, autolinks and bare URLs.
        (
            "[refund](https://evil.example)",
            "\\[refund](https://evil.example)",
        ),
        (
            "**Boss** [refund](https://evil.example)",
            "\\*\\*Boss\\*\\* \\[refund](https://evil.example)",
        ),
        ("<https://evil.example>", "<https://evil.example>"),
        (
            "see https://shop.example/_next/a_b?x=__y",
            "see https://shop.example/_next/a_b?x=__y",
        ),
        // Line starts: headings, subtext, quotes, lists.
        (
            "# URGENT `code` [click](https://evil.example)",
            "\\# URGENT \\`code\\` \\[click](https://evil.example)",
        ),
        ("## two\n### three", "\\## two\n\\### three"),
        ("-# small", "\\-# small"),
        ("> quoted\n>>> all", "\\> quoted\n\\>>> all"),
        (
            "- one\n+ two\n* three\n1. four",
            "\\- one\n\\+ two\n\\* three\n1\\. four",
        ),
        ("  # indented", "  \\# indented"),
        ("line\r# after a CR", "line\r\\# after a CR"),
        // Not at a line start, or not followed by a space: plain text.
        ("a # b - c > d 1. e", "a # b - c > d 1. e"),
        ("#hashtag -5 °C >_< 3.14", "#hashtag -5 °C >\\_< 3.14"),
        // Emphasis, strike, spoiler, code.
        ("snake_case_name", "snake_case_name"),
        ("_italic_ __under__", "\\_italic\\_ \\_\\_under\\_\\_"),
        ("~5 min ~~gone~~", "\\~5 min \\~\\~gone\\~\\~"),
        ("a | b ||secret||", "a | b \\|\\|secret\\|\\|"),
        (
            "```rust\nfn main() {}\n```",
            "\\`\\`\\`rust\nfn main() {}\n\\`\\`\\`",
        ),
        // Backslashes: escaped only where they would escape something.
        ("C:\\Users\\ana", "C:\\Users\\ana"),
        ("a\\*b\\", "a\\\\\\*b\\\\"),
        // Mentions, as before.
        (
            "@everyone <@42> <@&5>",
            "@\u{200B}everyone <@\u{200B}42> <@\u{200B}&5>",
        ),
        ("<#7> <:wave:9> <t:1:R>", "<#7> <:wave:9> <t:1:R>"),
        // Form feeds are dropped (Discord drops them before reading markup).
        ("\\\u{c}`x`", "\\\\\\`x\\`"),
    ];
    for (raw, escaped) in cases {
        assert_eq!(literal(raw), escaped, "{raw:?}");
    }
}

#[test]
fn the_issues_example_renders_nothing_but_text() {
    let name = literal("**Boss** [refund](https://evil.example)");
    let text = literal("# URGENT `code` [click](https://evil.example)");
    let body = format!(
        "📨 New: **{name}** (<@42>) in <#10>\n> {text}\nhttps://discord.com/channels/1/10/5"
    );
    let rendered = markup(&body);
    assert!(
        rendered.iter().all(|m| matches!(m, Markup::Url(_))),
        "{rendered:?}"
    );
    assert_eq!(
        shown(&text),
        "# URGENT `code` [click](https://evil.example)"
    );
}

/// Where frontdesk places customer text: inside bold, after a quote marker, at a line start,
/// mid-line, before a line break and before a link.
const PLACES: &[&str] = &[
    "**{}** (<@42>) in <#10>",
    "> {}\nhttps://discord.com/channels/1/10/5",
    "{}",
    "1. **{}** · orders · id `42`",
    "• {}, for 2 h · https://discord.com/channels/1/10/5",
    "Thanks {}! — [your message](https://discord.com/channels/1/10/5)",
];

proptest! {
    #[test]
    fn escaped_text_renders_no_heading_code_or_masked_link_wherever_it_is_placed(
        text in hostile()
    ) {
        for place in PLACES {
            assert_adds_no_markup(
                &place.replace("{}", &literal(&text)),
                &place.replace("{}", "Ana"),
            );
        }
    }

    #[test]
    fn escaped_text_shows_as_typed(text in hostile()) {
        // Inside a URL Discord shows backslashes as they are: URLs are left out here.
        let mut text = text;
        while text.contains("://") {
            text = text.replace("://", ":/");
        }
        let typed = text.replace('@', "@\u{200B}").replace('\u{c}', "");
        prop_assert_eq!(shown(&literal(&text)), typed);
    }
}
