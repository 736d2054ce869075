//! A member's roles, asked of Discord: how the dashboard learns that someone signed in is
//! still on the staff (serenity runs without a cache, and member updates need a privileged
//! intent).

use reqwest::Method;
use serde_json::Value;

use super::rest::{Rest, RestError};
use crate::dashboard::{Members, RolesFuture};
use crate::model::{GuildId, RoleId, UserId};

/// [`Members`] over frontdesk's REST transport.
pub struct RestMembers(pub Rest);

impl Members for RestMembers {
    fn roles(&self, guild: GuildId, user: UserId) -> RolesFuture<'_> {
        Box::pin(async move {
            let path = format!("/guilds/{guild}/members/{user}");
            match self
                .0
                .call(Method::GET, &path, &format!("guild:{guild}"), None)
                .await
            {
                Ok(member) => Ok(Some(
                    member
                        .get("roles")
                        .and_then(Value::as_array)
                        .map(|roles| {
                            roles
                                .iter()
                                .filter_map(|r| r.as_str()?.parse().ok().map(RoleId))
                                .collect()
                        })
                        .unwrap_or_default(),
                )),
                // Unknown Member: they left the server (or were removed).
                Err(RestError::Refused { status: 404, .. }) => Ok(None),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}
