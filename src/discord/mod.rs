//! The Discord edge: serenity's gateway client in, frontdesk's paced REST transport out.
//!
//! Only this module (and the simulator) imports serenity. Gateway events become desk calls in
//! `handler`; every outbound message body is built in `outbound`; the outbox is delivered by
//! `delivery` over `rest`. Background loops (clock ticks, outbox sweeps) start here, not in
//! serenity's `ready`, which fires again after every reconnect.

mod catchup;
mod commands;
mod delivery;
mod handler;
pub mod notice;
pub mod outbound;
mod places;
pub mod rest;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serenity::all as dc;

use crate::clock::Clock;
use crate::config::{Config, Secret};
use crate::desk::Desk;
use crate::responses::{ResponsesErrors, Rules};
use crate::store::{Store, StoreError};
pub use rest::RetryPolicy;

/// Everything `run` needs besides the config.
pub struct BotOptions {
    pub config: Config,
    pub token: Secret,
    /// A Discord-compatible API base URL (the simulator, a REST proxy); `None` = discord.com.
    pub api: Option<String>,
    pub clock: Arc<dyn Clock>,
    /// How often reminders and auto-resolve are checked and the outbox swept.
    pub tick_every: Duration,
    /// How often history is read for messages the gateway never delivered (also on READY).
    pub catch_up_every: Duration,
    pub retry: RetryPolicy,
    /// The HTTP client for everything sent to Discord, by serenity and by frontdesk; `None`
    /// builds one with timeouts. Tests use it to resolve discord.com to the simulator.
    pub http_client: Option<reqwest::Client>,
}

impl BotOptions {
    pub fn new(config: Config, token: Secret, clock: Arc<dyn Clock>) -> BotOptions {
        BotOptions {
            api: config.discord.api.clone(),
            config,
            token,
            clock,
            tick_every: Duration::from_secs(20),
            catch_up_every: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            http_client: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("{0}")]
    Responses(#[from] ResponsesErrors),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Rest(#[from] rest::RestError),
    #[error("Discord refused the privileged message-content intent\n  fix: enable \"Message Content Intent\" for your bot in the Discord Developer Portal (Bot tab), or set message_content = false in [discord]")]
    ContentIntent,
    #[error("Discord rejected the bot token\n  fix: copy a fresh token from the Developer Portal (Bot → Reset Token) into DISCORD_TOKEN or your token_file")]
    BadToken,
    #[error("the Discord client stopped: {0}")]
    Client(String),
}

/// Runs the bot until `shutdown` completes (or the gateway fails for good), then flushes sled.
pub async fn run(opts: BotOptions, shutdown: impl Future<Output = ()>) -> Result<(), BotError> {
    let config = &opts.config;
    let rules = Rules::load_dir(&config.resolve(&config.responses))?;
    let store = Store::open_flushing_every(&config.resolve(&config.data_dir), config.flush_every)?;
    tracing::info!(
        conversations = store.conversation_count(),
        rules = rules.len(),
        data = %store.path().display(),
        "frontdesk starting"
    );
    let desk = Arc::new(Desk::new(store.clone(), config, rules));
    let base = opts.api.as_deref().unwrap_or("https://discord.com");
    let http_client = match &opts.http_client {
        Some(c) => c.clone(),
        None => rest::http_client(&opts.retry).map_err(|e| BotError::Client(e.to_string()))?,
    };
    let rest = rest::Rest::with_client(http_client.clone(), base, &opts.token, opts.retry.clone());
    let delivery = Arc::new(delivery::Delivery::new(
        rest,
        desk.clone(),
        opts.clock.clone(),
        config.staff.owners.clone(),
        config.discord.staff_channel,
    ));
    let mut shared = handler::Shared::new(
        desk.clone(),
        delivery.clone(),
        places::Places::new(config.watch.clone(), config.discord.message_content),
        opts.clock.clone(),
        config.discord.guild,
    );
    shared.staff_channel = config.discord.staff_channel;
    let shared = Arc::new(shared);

    let mut http = dc::HttpBuilder::new(opts.token.expose())
        .client(http_client)
        .default_allowed_mentions(dc::CreateAllowedMentions::new());
    if let Some(api) = &opts.api {
        // serenity honours a proxy only with its own rate limiter off; our REST transport
        // paces what frontdesk sends.
        http = http.proxy(api.clone()).ratelimiter_disabled(true);
    }
    let mut intents = dc::GatewayIntents::GUILDS
        | dc::GatewayIntents::GUILD_MESSAGES
        | dc::GatewayIntents::DIRECT_MESSAGES;
    if config.discord.message_content {
        intents |= dc::GatewayIntents::MESSAGE_CONTENT;
    }
    let events = Arc::new(handler::Handler::new(shared.clone()));
    let mut client = dc::ClientBuilder::new_with_http(http.build(), intents)
        .event_handler_arc(events.clone())
        .await
        .map_err(|e| BotError::Client(e.to_string()))?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ticker = tokio::spawn(tick_loop(
        desk.clone(),
        delivery.clone(),
        opts.clock.clone(),
        opts.tick_every,
        stop_rx.clone(),
    ));
    let notifier = {
        let delivery = delivery.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move { delivery.notice_loop(stop).await })
    };
    let catcher = tokio::spawn(catch_up_loop(
        shared.clone(),
        client.http.clone(),
        opts.catch_up_every,
        stop_rx,
    ));

    let shards = client.shard_manager.clone();
    let outcome = tokio::select! {
        r = client.start() => r.map_err(client_error),
        () = shutdown => {
            tracing::info!("shutting down");
            shards.shutdown_all().await;
            Ok(())
        }
    };
    // serenity may keep a restarted shard connected after shutdown_all: cut it off from the
    // desk, so nothing is handled after the final flush and the database can be reopened.
    events.detach();
    let _ = stop_tx.send(true);
    let _ = ticker.await;
    let _ = catcher.await;
    let _ = notifier.await;
    // Last: whatever was accepted is on disk before the process ends.
    store.flush_async().await?;
    store.secure_files();
    tracing::info!("stopped; database flushed");
    outcome
}

async fn tick_loop(
    desk: Arc<Desk>,
    delivery: Arc<delivery::Delivery>,
    clock: Arc<dyn Clock>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.changed() => return,
        }
        let now = clock.now();
        let d = desk.clone();
        let work = async {
            match tokio::task::spawn_blocking(move || d.tick(now)).await {
                Ok(Ok(due)) => delivery.deliver(due).await,
                Ok(Err(e)) => tracing::error!(error = %e, "reminder check failed"),
                Err(e) => tracing::error!(error = %e, "reminder check panicked"),
            }
            delivery.sweep().await;
        };
        // With Discord unreachable a sweep retries for up to a minute; a stop must not wait
        // for it. Dropping a delivery half-way is safe: an outbox entry is removed only after
        // Discord accepted it, and its nonce makes the next attempt harmless.
        tokio::select! {
            () = work => {}
            _ = stop.changed() => return,
        }
    }
}

async fn catch_up_loop(
    shared: Arc<handler::Shared>,
    http: Arc<dc::Http>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; READY runs the first pass.
    interval.tick().await;
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.changed() => return,
        }
        // Recent messages are still the gateway's: only older ones count as missed.
        let cutoff = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(10);
        // As for ticks: a stop does not wait for a pass stuck on an unreachable Discord.
        tokio::select! {
            _ = shared.catch_up(&http, cutoff) => {}
            _ = stop.changed() => return,
        }
    }
}

fn client_error(e: dc::Error) -> BotError {
    use dc::GatewayError;
    match e {
        dc::Error::Gateway(GatewayError::DisallowedGatewayIntents) => BotError::ContentIntent,
        dc::Error::Gateway(GatewayError::InvalidAuthentication) => BotError::BadToken,
        other => BotError::Client(other.to_string()),
    }
}
