//! `/guilds/{guild_id}…`: a server, its channels, roles and members, and its active threads.
//! [`Api::member_roles`] is the one answer to "which roles does this member have".

use serenity::all as dc;

use super::{absent_as_none, Api, ApiError};
use crate::discord::pace::Priority;
use crate::discord::route::Route;
use crate::model::{GuildId, RoleId, UserId};

impl Api {
    /// `GET /guilds/{guild_id}`; `None` when it does not exist or the bot is not in it.
    pub async fn guild(
        &self,
        priority: Priority,
        guild: GuildId,
    ) -> Result<Option<dc::PartialGuild>, ApiError> {
        let route = Route::get("/guilds/{guild_id}", &[guild.0]);
        absent_as_none(self.fetch(priority, &route, None).await, &[403, 404])
    }

    /// `GET /guilds/{guild_id}/channels`, with their permission overwrites.
    pub async fn channels(
        &self,
        priority: Priority,
        guild: GuildId,
    ) -> Result<Vec<dc::GuildChannel>, ApiError> {
        let route = Route::get("/guilds/{guild_id}/channels", &[guild.0]);
        self.fetch(priority, &route, None).await
    }

    /// `GET /guilds/{guild_id}/roles`
    pub async fn roles(
        &self,
        priority: Priority,
        guild: GuildId,
    ) -> Result<Vec<dc::Role>, ApiError> {
        let route = Route::get("/guilds/{guild_id}/roles", &[guild.0]);
        self.fetch(priority, &route, None).await
    }

    /// `GET /guilds/{guild_id}/members/{user_id}`; `None` when they are not a member (never
    /// were, left, or were removed).
    pub async fn member(
        &self,
        priority: Priority,
        guild: GuildId,
        user: UserId,
    ) -> Result<Option<dc::Member>, ApiError> {
        let route = Route::get("/guilds/{guild_id}/members/{user_id}", &[guild.0, user.0]);
        absent_as_none(self.fetch(priority, &route, None).await, &[404])
    }

    /// The roles `user` has in `guild` now, asked of Discord; `None` when they are not a
    /// member. Staff are told apart by role, and neither history, DMs nor serenity (which runs
    /// without a cache) say it otherwise.
    pub async fn member_roles(
        &self,
        priority: Priority,
        guild: GuildId,
        user: UserId,
    ) -> Result<Option<Vec<RoleId>>, ApiError> {
        let member = self.member(priority, guild, user).await?;
        Ok(member.map(|m| m.roles.iter().map(|r| RoleId(r.get())).collect()))
    }

    /// `GET /guilds/{guild_id}/threads/active`: the server's active threads.
    pub async fn active_threads(
        &self,
        priority: Priority,
        guild: GuildId,
    ) -> Result<Vec<dc::GuildChannel>, ApiError> {
        let route = Route::get("/guilds/{guild_id}/threads/active", &[guild.0]);
        let data: dc::ThreadsData = self.fetch(priority, &route, None).await?;
        Ok(data.threads)
    }
}
