//! `/applications/…`: the bot's application and its slash commands.

use serenity::all as dc;

use super::{Api, ApiError};
use crate::discord::pace::Priority;
use crate::discord::route::Route;
use crate::model::GuildId;

impl Api {
    /// `GET /applications/@me`: the application, with its flags (the intents switched on).
    pub async fn application(
        &self,
        priority: Priority,
    ) -> Result<dc::CurrentApplicationInfo, ApiError> {
        self.fetch(priority, &Route::get("/applications/@me", &[]), None)
            .await
    }

    /// `PUT /applications/{application_id}/guilds/{guild_id}/commands` (or the global
    /// `/applications/{application_id}/commands` without a server): replaces the bot's slash
    /// commands with `commands`.
    pub async fn set_commands(
        &self,
        priority: Priority,
        application: u64,
        guild: Option<GuildId>,
        commands: &[dc::CreateCommand],
    ) -> Result<(), ApiError> {
        let route = match guild {
            Some(g) => Route::put(
                "/applications/{application_id}/guilds/{guild_id}/commands",
                &[application, g.0],
            ),
            None => Route::put("/applications/{application_id}/commands", &[application]),
        };
        let body = serde_json::to_value(commands).map_err(|e| ApiError::Encode {
            route: route.to_string(),
            reason: e.to_string(),
        })?;
        self.send(priority, &route, Some(&body)).await
    }
}
