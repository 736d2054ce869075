//! `/users/@me…`: the bot user, the servers it is in, and a DM channel with someone.

use serde_json::json;
use serenity::all as dc;

use super::{Api, ApiError};
use crate::discord::pace::Priority;
use crate::discord::route::Route;
use crate::model::{ChannelId, UserId};

impl Api {
    /// `GET /users/@me`: the bot user (a bad token is refused with a 401).
    pub async fn me(&self, priority: Priority) -> Result<dc::CurrentUser, ApiError> {
        self.fetch(priority, &Route::get("/users/@me", &[]), None)
            .await
    }

    /// `GET /users/@me/guilds`: the servers the bot is in (the first 200, plenty for a bot
    /// that serves one business).
    pub async fn guilds(&self, priority: Priority) -> Result<Vec<dc::GuildInfo>, ApiError> {
        self.fetch(priority, &Route::get("/users/@me/guilds", &[]), None)
            .await
    }

    /// `POST /users/@me/channels`: the DM channel with `user` (Discord answers the existing
    /// one when there is one).
    pub async fn dm_channel(
        &self,
        priority: Priority,
        user: UserId,
    ) -> Result<ChannelId, ApiError> {
        let body = json!({ "recipient_id": user.to_string() });
        let channel: dc::PrivateChannel = self
            .fetch(
                priority,
                &Route::post("/users/@me/channels", &[]),
                Some(&body),
            )
            .await?;
        Ok(ChannelId(channel.id.get()))
    }
}
