//! Signed-in browsers: a random session id in a cookie, held in memory (a restart signs
//! everyone out), and the periodic check that the person is still on the staff.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

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

/// Asks Discord for a member's roles (the dashboard does not import the Discord edge).
pub trait Members: Send + Sync {
    fn roles(&self, guild: GuildId, user: UserId) -> RolesFuture<'_>;
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

/// The `Set-Cookie` value that starts a session; `Secure` when the browser came over HTTPS.
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
