//! `/channels/{channel_id}…`: a channel, its history, posting in it, and threads.
//!
//! Posting has one route, [`create_message`]: the lane asks its bucket's window
//! ([`Api::post_window`]) and posts through the same bucket, while a history read is a
//! bucket of its own and cannot move that window.

use serde_json::{json, Value};
use serenity::all as dc;

use super::{Api, ApiError};
use crate::discord::pace::Priority;
use crate::discord::rest::{FilePart, Window};
use crate::discord::route::Route;
use crate::model::{ChannelId, MessageId};

/// `POST /channels/{channel_id}/messages`
fn create_message(channel: ChannelId) -> Route {
    Route::post("/channels/{channel_id}/messages", &[channel.0])
}

/// A thread kept for a week without activity (Discord's longest).
const ARCHIVE_AFTER_MINUTES: u32 = 10080;
/// `PRIVATE_THREAD`
const PRIVATE_THREAD: u8 = 12;

/// One page of a channel's history.
pub struct Page {
    /// Oldest first. A message serenity cannot read is left out (and logged).
    pub messages: Vec<dc::Message>,
    /// Whether the page was full, so more may follow.
    pub full: bool,
}

impl Api {
    /// `GET /channels/{channel_id}`: a channel or thread (a thread names its parent).
    pub async fn channel(
        &self,
        priority: Priority,
        channel: ChannelId,
    ) -> Result<dc::Channel, ApiError> {
        let route = Route::get("/channels/{channel_id}", &[channel.0]);
        self.fetch(priority, &route, None).await
    }

    /// `GET /channels/{channel_id}/messages?after=…&limit=…`: up to `limit` (at most 100)
    /// messages after `after`.
    pub async fn history(
        &self,
        priority: Priority,
        channel: ChannelId,
        after: MessageId,
        limit: u8,
    ) -> Result<Page, ApiError> {
        let route = Route::get("/channels/{channel_id}/messages", &[channel.0])
            .query(&[("after", after.0), ("limit", u64::from(limit))]);
        let raw: Vec<Value> = self.fetch(priority, &route, None).await?;
        let full = raw.len() >= usize::from(limit);
        let mut messages: Vec<dc::Message> = raw
            .into_iter()
            .filter_map(|m| match serde_json::from_value::<dc::Message>(m) {
                Ok(m) => Some(m),
                Err(e) => {
                    tracing::warn!(channel = channel.0, error = %e, "a message in the history could not be read; skipped");
                    None
                }
            })
            .collect();
        // Discord answers newest first.
        messages.sort_by_key(|m| m.id);
        Ok(Page { messages, full })
    }

    /// Waits until posting in `channel` may go now, and says what its current window still
    /// allows (`remaining: None`: no answer has announced one yet).
    pub async fn post_window(&self, channel: ChannelId) -> Window {
        self.rest.ready(&create_message(channel).bucket()).await
    }

    /// `POST /channels/{channel_id}/messages` with `body` (built by `outbound`).
    pub async fn post_message(
        &self,
        priority: Priority,
        channel: ChannelId,
        body: &Value,
    ) -> Result<dc::Message, ApiError> {
        self.fetch(priority, &create_message(channel), Some(body))
            .await
    }

    /// [`Api::post_message`] with files attached.
    pub async fn post_message_with_files(
        &self,
        priority: Priority,
        channel: ChannelId,
        body: &Value,
        files: &[FilePart],
    ) -> Result<dc::Message, ApiError> {
        self.fetch_with_files(priority, &create_message(channel), Some(body), files)
            .await
    }

    /// `PATCH /channels/{channel_id}/messages/{message_id}` with `body` (built by
    /// `outbound`): changes one of frontdesk's own messages.
    pub async fn edit_message(
        &self,
        priority: Priority,
        channel: ChannelId,
        message: MessageId,
        body: &Value,
    ) -> Result<dc::Message, ApiError> {
        let route = Route::patch(
            "/channels/{channel_id}/messages/{message_id}",
            &[channel.0, message.0],
        );
        self.fetch(priority, &route, Some(body)).await
    }

    /// `POST /channels/{channel_id}/messages/{message_id}/threads`: a public thread on
    /// `message`, which gets the message's id.
    pub async fn start_thread_on(
        &self,
        priority: Priority,
        channel: ChannelId,
        message: MessageId,
        name: &str,
    ) -> Result<ChannelId, ApiError> {
        let route = Route::post(
            "/channels/{channel_id}/messages/{message_id}/threads",
            &[channel.0, message.0],
        );
        let body = json!({ "name": name, "auto_archive_duration": ARCHIVE_AFTER_MINUTES });
        let thread: dc::GuildChannel = self.fetch(priority, &route, Some(&body)).await?;
        Ok(ChannelId(thread.id.get()))
    }

    /// `POST /channels/{channel_id}/threads`: a private thread in `channel` that only those
    /// added (and staff who may manage threads) see, nobody invited by others.
    pub async fn start_private_thread(
        &self,
        priority: Priority,
        channel: ChannelId,
        name: &str,
    ) -> Result<ChannelId, ApiError> {
        let route = Route::post("/channels/{channel_id}/threads", &[channel.0]);
        let body = json!({
            "name": name,
            "type": PRIVATE_THREAD,
            "invitable": false,
            "auto_archive_duration": ARCHIVE_AFTER_MINUTES,
        });
        let thread: dc::GuildChannel = self.fetch(priority, &route, Some(&body)).await?;
        Ok(ChannelId(thread.id.get()))
    }
}
