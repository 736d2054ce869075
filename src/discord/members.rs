//! A member's roles (and name), asked of Discord: how the dashboard learns that someone signed in is
//! still on the staff (serenity runs without a cache, and member updates need a privileged
//! intent).

use super::api::Api;
use super::pace::Priority;
use crate::dashboard::{Members, NameFuture, RolesFuture};
use crate::model::{GuildId, UserId};

/// [`Members`] over the bot's client ([`Api::member_roles`]), within its global budget.
pub struct ApiMembers(pub Api);

impl Members for ApiMembers {
    fn roles(&self, guild: GuildId, user: UserId) -> RolesFuture<'_> {
        Box::pin(async move {
            self.0
                .member_roles(Priority::Soon, guild, user)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn name(&self, guild: GuildId, user: UserId) -> NameFuture<'_> {
        Box::pin(async move {
            let member = self
                .0
                .member(Priority::Soon, guild, user)
                .await
                .map_err(|e| e.to_string())?;
            Ok(member.map(|m| super::places::display_name(m.nick.as_deref(), &m.user)))
        })
    }
}
