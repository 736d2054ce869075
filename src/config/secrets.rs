//! Recognising a secret pasted into the config, so that no error message repeats it: a
//! Discord bot token (three base64url parts joined by dots, the first the bot's user id), or
//! a long random-looking code (a client secret, a token's fragment).

use std::borrow::Cow;
use std::path::Path;

use base64::Engine;

use super::ConfigError;
use crate::responses::line_of;

/// The fix for a bot token found in the config.
pub const TOKEN_FIX: &str = "delete it: a bot token belongs in DISCORD_TOKEN or the token file, never in the config; if this file was shared or copied anywhere, reset the token in the Developer Portal (your application → Bot → Reset Token)";

/// What stands in for a secret in a message.
const HIDDEN: &str = "[hidden]";

fn base64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Whether `word` has the shape of a Discord bot token: `id.timestamp.hmac`, base64url, the
/// first part decoding to a user id (a snowflake, in decimal).
pub fn is_bot_token(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    let [id, stamp, mac] = parts[..] else {
        return false;
    };
    if [id, stamp, mac]
        .iter()
        .any(|p| p.is_empty() || !p.chars().all(base64url))
    {
        return false;
    }
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    engine
        .decode(id)
        .is_ok_and(|d| (15..=20).contains(&d.len()) && d.iter().all(u8::is_ascii_digit))
}

/// Whether `word` looks like a secret: a bot token, or a long mixed-case code of letters and
/// digits (a client secret is 32 such characters). A Discord id (digits only), a name or a
/// path does not.
pub fn looks_secret(word: &str) -> bool {
    let word = word.trim().trim_matches('.');
    if is_bot_token(word) {
        return true;
    }
    word.len() >= 24
        && word.chars().all(base64url)
        && word.chars().any(|c| c.is_ascii_uppercase())
        && word.chars().any(|c| c.is_ascii_lowercase())
        && word.chars().any(|c| c.is_ascii_digit())
}

/// The words of `text` a secret could be: runs of base64url characters and dots.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut out = Vec::new();
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (base64url(c) || c == '.', start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out.into_iter().map(|(at, w)| {
        let trimmed = w.trim_start_matches('.');
        (
            at + (w.len() - trimmed.len()),
            trimmed.trim_end_matches('.'),
        )
    })
}

/// Where the first bot token in `text` starts, if there is one (a comment counts: the file is
/// shared as it is).
pub fn find_token(text: &str) -> Option<usize> {
    words(text).find(|(_, w)| is_bot_token(w)).map(|(at, _)| at)
}

/// The error for a config holding a bot token anywhere, naming its line and key but never the
/// token. Checked before the file is parsed: toml's own messages may quote a value.
pub fn token_in(text: &str, path: &Path) -> Option<ConfigError> {
    let at = find_token(text)?;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let line = line.split('\n').next().unwrap_or_default();
    let before = &line[..at - line_start];
    let place = match before.split_once('=') {
        _ if before.trim_start().starts_with('#') => "a comment".to_string(),
        Some((key, _)) if !key.trim().is_empty() => format!("`{}`", key.trim()),
        _ => "this line".to_string(),
    };
    Some(ConfigError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, at),
        problem: format!("{place} holds what looks like a bot token (not shown here)"),
        fix: TOKEN_FIX.to_string(),
    })
}

/// `text` with every secret-looking word replaced by `[hidden]`: for messages built from the
/// file's values (toml's own included, which may quote the value).
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets: Vec<(usize, usize)> = words(text)
        .filter(|(_, w)| looks_secret(w))
        .map(|(at, w)| (at, at + w.len()))
        .collect();
    if secrets.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (start, end) in secrets {
        out.push_str(&text[from..start]);
        out.push_str(HIDDEN);
        from = end;
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of a real token (user id 110000000000000900), made up.
    pub const TOKEN: &str =
        "MTEwMDAwMDAwMDAwMDAwOTAw.GxYz12.abcDEFghiJKLmnoPQRstuVWXyz0123456789_-";

    #[test]
    fn a_bot_token_is_recognised_by_its_shape() {
        assert!(is_bot_token(TOKEN));
        assert!(looks_secret(TOKEN));
        for not in [
            "MTIz.abc",                           // two parts
            "MTIz.abc.def",                       // "123": too short for an id
            "aGVsbG8gd29ybGQgaGVsbG8.abc.def",    // not digits
            "desk.example.com",                   // a host name
            "1100000000000000012",                // an id
            "Maple.and.Thread",                   // a name
            "MTEwMDAwMDAwMDAwMDAwOTAw.Gx Yz.abc", // not one word
        ] {
            assert!(!is_bot_token(not), "{not}");
        }
    }

    #[test]
    fn long_mixed_codes_look_secret_but_ids_names_and_paths_do_not() {
        assert!(looks_secret("Zk3_q9XwT2vB7nLpR4sY8uHcJ1mA6eDf")); // a client secret
        for not in [
            "1100000000000000012",
            "Europe/London",
            "my_config_file_2024_backup",
            "http://127.0.0.1:3000",
            "#help",
        ] {
            assert!(!looks_secret(not), "{not}");
        }
    }

    #[test]
    fn find_and_redact() {
        let text = format!("[discord]\nguild = \"{TOKEN}\"\n");
        assert_eq!(find_token(&text), Some(text.find("MTEw").expect("in")));
        assert_eq!(find_token(&format!("# {TOKEN}.")), Some(2));
        assert_eq!(find_token("guild = \"1100000000000000001\"\n"), None);
        let message = format!("invalid type: string \"{TOKEN}\", expected a boolean");
        assert_eq!(
            redact(&message),
            "invalid type: string \"[hidden]\", expected a boolean"
        );
        assert_eq!(
            redact("unknown time zone \"Mars/Base\""),
            "unknown time zone \"Mars/Base\""
        );
    }
}
