//! Signed-in browsers: a random session id in a cookie, held in memory (a restart signs
//! everyone out), the periodic check that the person is still on the staff, and when the
//! cookie is `Secure`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use axum::http::HeaderMap;
use jiff::{SignedDuration, Timestamp};

use crate::core::Staff;
use crate::model::{GuildId, RoleId, UserId};
use crate::sync::LockExt;

/// The session cookie's name.
pub const COOKIE: &str = "frontdesk_session";
/// How long a session lasts.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);

/// A person's roles in a server, `None` if they are not a member (any more).
pub type RolesFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Vec<RoleId>>, String>> + Send + 'a>>;

/// The name a server shows for a person, `None` if they are not a member (any more).
pub type NameFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<String>, String>> + Send + 'a>>;

/// Asks Discord for a member's roles and name (the dashboard does not import the Discord edge).
pub trait Members: Send + Sync {
    fn roles(&self, guild: GuildId, user: UserId) -> RolesFuture<'_>;
    /// What a customer is told when this person takes their conversation on the web page.
    fn name(&self, guild: GuildId, user: UserId) -> NameFuture<'_>;
}

#[derive(Clone, Debug)]
pub struct Session {
    pub user: UserId,
    pub guild: Option<GuildId>,
    pub expires: Timestamp,
    /// When the staff check last passed.
    pub checked_at: Timestamp,
}

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    pub fn insert(&self, id: String, session: Session) {
        let mut map = self.map.locked();
        // Expired ones go when a new one comes: the map stays as small as the team.
        let now = session.checked_at;
        map.retain(|_, s| s.expires > now);
        map.insert(id, session);
    }

    /// The live session with this id.
    pub fn get(&self, id: &str, now: Timestamp) -> Option<Session> {
        let map = self.map.locked();
        map.get(id).filter(|s| s.expires > now).cloned()
    }

    pub fn mark_checked(&self, id: &str, now: Timestamp) {
        if let Some(s) = self.map.locked().get_mut(id) {
            s.checked_at = now;
        }
    }

    pub fn remove(&self, id: &str) {
        self.map.locked().remove(id);
    }
}

/// Whether `user` is on the staff now: an owner from the config, or a member with a staff
/// role in `guild` (asked of Discord).
pub async fn is_staff(
    staff: &Staff,
    members: &dyn Members,
    user: UserId,
    guild: Option<GuildId>,
) -> Result<bool, String> {
    if staff.includes(user, &[]) {
        return Ok(true);
    }
    let Some(guild) = guild else {
        return Ok(false);
    };
    if staff.roles.is_empty() {
        return Ok(false);
    }
    Ok(members
        .roles(guild, user)
        .await?
        .is_some_and(|roles| staff.includes(user, &roles)))
}

/// The session id in a `Cookie` header, if any.
pub fn cookie_value(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then_some(value)
    })
}

/// Whether the session cookie is `Secure`: always when `public_url` is `https://`, otherwise
/// when the reverse proxy in front says the browser came over HTTPS.
pub fn secure(public_https: bool, headers: &HeaderMap) -> bool {
    public_https || over_https(headers)
}

/// Whether a reverse proxy says the browser reached it over HTTPS: the standard `Forwarded`
/// header's `proto` (RFC 7239) or `X-Forwarded-Proto`, either one. Each proxy in a chain
/// appends its own element, so the first element, the hop the browser itself made, is the
/// one that counts. A browser can send an element of its own ahead of the proxy's (when the
/// proxy appends rather than replaces); that decides only its own cookie's flag.
fn over_https(headers: &HeaderMap) -> bool {
    let first = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let https = |proto: &str| proto.trim().eq_ignore_ascii_case("https");
    first("forwarded")
        .and_then(forwarded_proto)
        .is_some_and(|p| https(&p))
        || first("x-forwarded-proto")
            .and_then(|v| v.split(',').next())
            .is_some_and(https)
}

/// The `proto` of a `Forwarded` header's first element: `for=1.2.3.4;proto="https", for=…`.
/// By hand: the grammar is a few lines (elements by commas, pairs by semicolons, values
/// plain or quoted), and the HTTP crates at hand do not parse this header.
fn forwarded_proto(value: &str) -> Option<String> {
    let element = split_unquoted(value, ',').into_iter().next()?;
    split_unquoted(element, ';').into_iter().find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("proto")
            .then(|| unquote(value.trim()))
    })
}

/// `text` split at each `separator` outside a quoted string.
fn split_unquoted(text: &str, separator: char) -> Vec<&str> {
    let (mut parts, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A header value without its quotes and escapes, if it is a quoted string.
fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().unwrap_or(c)
                } else {
                    c
                });
            }
            out
        }
        None => value.to_string(),
    }
}

/// The `Set-Cookie` value that starts a session; `Secure` as [`secure`] decides.
pub fn set_cookie(id: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={id}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}",
        SESSION_LIFETIME.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that ends it.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others_and_set_safely() {
        assert_eq!(cookie_value("a=1; frontdesk_session=xyz; b=2"), Some("xyz"));
        assert_eq!(cookie_value("frontdesk_session="), None);
        assert_eq!(cookie_value("other=1"), None);
        let c = set_cookie("xyz", true);
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Max-Age=43200"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!set_cookie("xyz", false).contains("Secure"));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().expect("a header value"));
        }
        map
    }

    #[test]
    fn an_https_public_url_makes_the_cookie_secure_whatever_the_headers_say() {
        assert!(secure(true, &headers(&[])));
        assert!(secure(true, &headers(&[("x-forwarded-proto", "http")])));
        assert!(!secure(false, &headers(&[])));
    }

    #[test]
    fn x_forwarded_proto_counts_its_first_element() {
        for (value, https) in [
            ("https", true),
            ("HTTPS", true),
            (" https ", true),
            ("http", false),
            // A chain: the browser's hop comes first.
            ("https, http", true),
            ("https,http,http", true),
            ("http, https", false),
            ("", false),
            ("httpsx", false),
        ] {
            assert_eq!(
                secure(false, &headers(&[("x-forwarded-proto", value)])),
                https,
                "X-Forwarded-Proto: {value}"
            );
        }
    }

    #[test]
    fn forwarded_counts_the_first_elements_proto_plain_or_quoted() {
        for (value, https) in [
            ("proto=https", true),
            ("Proto=HTTPS", true),
            ("for=192.0.2.60;proto=https;by=203.0.113.43", true),
            ("for=192.0.2.60; proto=\"https\"", true),
            // Several elements: the first is the browser's hop.
            (
                "for=192.0.2.60;proto=https, for=198.51.100.17;proto=http",
                true,
            ),
            (
                "for=192.0.2.60;proto=http, for=198.51.100.17;proto=https",
                false,
            ),
            // Commas and semicolons inside quotes do not split.
            ("for=\"[2001:db8:cafe::17]:4711,x;y\";proto=https", true),
            ("for=\"a\\\"b,c\";proto=https", true),
            ("for=\"a,b\", proto=https", false),
            ("for=192.0.2.60", false),
            ("proto=http", false),
            ("proto", false),
            ("", false),
        ] {
            assert_eq!(
                secure(false, &headers(&[("forwarded", value)])),
                https,
                "Forwarded: {value}"
            );
        }
        // Several header lines: the first line holds the first element.
        let two = headers(&[("forwarded", "proto=https"), ("forwarded", "proto=http")]);
        assert!(secure(false, &two));
        // Either header saying https is enough.
        let both = headers(&[("forwarded", "for=x"), ("x-forwarded-proto", "https")]);
        assert!(secure(false, &both));
    }

    #[test]
    fn an_expired_session_is_gone() {
        let sessions = Sessions::default();
        let now = Timestamp::from_second(1_800_000_000).expect("time");
        sessions.insert(
            "s".into(),
            Session {
                user: UserId(1),
                guild: None,
                expires: now + SESSION_LIFETIME,
                checked_at: now,
            },
        );
        assert!(sessions.get("s", now).is_some());
        assert!(sessions.get("s", now + SESSION_LIFETIME).is_none());
        assert!(sessions.get("t", now).is_none());
    }
}
