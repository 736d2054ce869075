//! serenity's gateway client: built with frontdesk's HTTP client and intents, run until
//! shutdown, then cut off from the bot.

use std::future::Future;
use std::sync::Arc;

use serenity::all as dc;

use super::bot::Bot;
use super::catchup::{CatchUp, Report};
use super::handler::Handler;
use super::pace::Priority;
use crate::config::Secret;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("Discord refused the privileged message-content intent\n  fix: enable \"Message Content Intent\" for your bot in the Discord Developer Portal (Bot tab), or set message_content = false in [discord]")]
    ContentIntent,
    #[error("Discord rejected the bot token\n  fix: copy a fresh token from the Developer Portal (Bot → Reset Token) into DISCORD_TOKEN or your token_file")]
    BadToken,
    #[error("the Discord client stopped: {0}")]
    Client(String),
}

/// The connection to Discord's gateway, not started yet.
pub struct Gateway {
    client: dc::Client,
    events: Arc<Handler>,
    catch_up: Arc<CatchUp>,
}

/// Runs catch-up passes for the periodic timer.
#[derive(Clone)]
pub struct CatchUpHandle {
    catch_up: Arc<CatchUp>,
}

impl CatchUpHandle {
    /// One pass, for messages created up to `cutoff` (see `catchup`).
    pub async fn pass(&self, cutoff: jiff::Timestamp) -> Report {
        self.catch_up.pass(cutoff).await
    }
}

impl Gateway {
    /// Builds serenity's client for `bot`: every request through `http_client`, to `api`
    /// (`None` = discord.com), with no mentions allowed unless a message says otherwise.
    pub async fn connect(
        bot: Arc<Bot>,
        token: &Secret,
        api: Option<&str>,
        http_client: reqwest::Client,
        message_content: bool,
    ) -> Result<Gateway, GatewayError> {
        let mut http = dc::HttpBuilder::new(token.expose())
            .client(http_client)
            .default_allowed_mentions(dc::CreateAllowedMentions::new());
        if let Some(api) = api {
            // serenity honours a proxy only with its own rate limiter off; our REST transport
            // paces what frontdesk sends.
            http = http.proxy(api.to_string()).ratelimiter_disabled(true);
        }
        let mut intents = dc::GatewayIntents::GUILDS
            | dc::GatewayIntents::GUILD_MESSAGES
            | dc::GatewayIntents::DIRECT_MESSAGES;
        if message_content {
            intents |= dc::GatewayIntents::MESSAGE_CONTENT;
        }
        let pacer = bot.delivery.api().pacer().clone();
        let catch_up = Arc::new(CatchUp::new(bot.clone()));
        let events = Arc::new(Handler::new(bot, catch_up.clone()));
        // Building serenity's client sends `GET /gateway`, the one request frontdesk cannot
        // send through its own client: it holds a slot of the global budget meanwhile.
        let slot = pacer.slot(Priority::Later).await;
        let client = dc::ClientBuilder::new_with_http(http.build(), intents)
            .event_handler_arc(events.clone())
            .await
            .map_err(|e| GatewayError::Client(e.to_string()))?;
        drop(slot);
        Ok(Gateway {
            client,
            events,
            catch_up,
        })
    }

    pub fn catch_up(&self) -> CatchUpHandle {
        CatchUpHandle {
            catch_up: self.catch_up.clone(),
        }
    }

    /// Runs the gateway until `shutdown` completes (or it fails for good). When this returns,
    /// no event reaches the bot any more.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) -> Result<(), GatewayError> {
        let shards = self.client.shard_manager.clone();
        let outcome = tokio::select! {
            r = self.client.start() => r.map_err(client_error),
            () = shutdown => {
                tracing::info!("shutting down");
                shards.shutdown_all().await;
                Ok(())
            }
        };
        // serenity may keep a restarted shard connected after shutdown_all: cut it off from
        // the bot, so nothing is handled after the final flush and the database can be
        // reopened.
        self.events.detach();
        outcome
    }
}

fn client_error(e: dc::Error) -> GatewayError {
    use dc::GatewayError as G;
    match e {
        dc::Error::Gateway(G::DisallowedGatewayIntents) => GatewayError::ContentIntent,
        dc::Error::Gateway(G::InvalidAuthentication) => GatewayError::BadToken,
        other => GatewayError::Client(other.to_string()),
    }
}
