//! The composition root: opens the store, builds the desk and the Discord edge around it,
//! runs the background loops (clock ticks and outbox sweeps, owner notices, catch-up) and
//! shuts everything down in order, sled flushed last.
//!
//! Loops start here, not in serenity's `ready`, which fires again after every reconnect.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::{Config, Secret};
use crate::desk::Desk;
use crate::discord::api::Api;
use crate::discord::inspect::Inspector;
use crate::discord::pace::Pacer;
pub use crate::discord::RetryPolicy;
use crate::discord::DISCORD_API;
use crate::discord::{Bot, CatchUpHandle, Delivery, Gateway, GatewayError};
use crate::responses::ResponsesErrors;
use crate::store::{Store, StoreError};

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
    /// The global budget every request to Discord takes a slot of: Discord's global limit
    /// ([`Pacer::discord`]). Only a benchmark of frontdesk's own overhead, against a simulator
    /// without limits, raises it; tests keep a clone to count the slots taken.
    pub budget: Pacer,
    /// Whether `doctor`'s check runs at start, beside the bot and over its client, logging a
    /// summary when something is wrong (`frontdesk run` turns it on).
    pub check_at_start: bool,
    /// A socket already bound for the dashboard (tests bind port 0); `None` binds
    /// `[dashboard] listen`.
    pub dashboard_listener: Option<std::net::TcpListener>,
    /// How often the dashboard checks again that a signed-in person is on the staff.
    pub dashboard_recheck_every: jiff::SignedDuration,
    /// The dashboard's connection cap and timeouts; `None` sizes them by the process's
    /// open-file limit.
    pub dashboard_limits: Option<crate::dashboard::Limits>,
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
            budget: Pacer::discord(),
            check_at_start: false,
            dashboard_listener: None,
            dashboard_recheck_every: crate::dashboard::RECHECK_EVERY,
            dashboard_limits: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("{0}")]
    Responses(#[from] ResponsesErrors),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Discord(#[from] GatewayError),
    #[error("{0}")]
    Dashboard(#[from] crate::dashboard::DashboardError),
    #[error("{0}")]
    DashboardKey(#[from] crate::dashboard::KeyError),
}

/// Runs the bot until `shutdown` completes (or the gateway fails for good), then flushes sled.
pub async fn run(opts: BotOptions, shutdown: impl Future<Output = ()>) -> Result<(), BotError> {
    let config = &opts.config;
    let (rules, note) = crate::responses::builtin::load_or_builtin(
        &config.resolve(&config.responses),
        config.responses == std::path::Path::new(crate::responses::builtin::DEFAULT_DIR),
    )?;
    if let Some(note) = note {
        tracing::warn!("{note}");
    }
    let store = Store::open_flushing_every(&config.resolve(&config.data_dir), config.flush_every)?;
    tracing::info!(
        conversations = store.conversation_count(),
        rules = rules.len(),
        data = %store.path().display(),
        "frontdesk starting"
    );
    let promises =
        crate::responses::promises::PromiseRules::load(&config.resolve(&config.responses))?;
    let saved = crate::responses::replies::SavedReplies::load(&config.resolve(&config.responses))?;
    let desk = Arc::new(
        Desk::new(store.clone(), config, rules)
            .with_promises(promises)
            .with_saved_replies(saved),
    );
    let base = opts.api.as_deref().unwrap_or(DISCORD_API);
    let http_client = match &opts.http_client {
        Some(c) => c.clone(),
        None => crate::discord::http_client(&opts.retry)
            .map_err(|e| GatewayError::Client(e.to_string()))?,
    };
    // The one client of every request frontdesk makes itself, shared by all its parts.
    let api = Api::new(
        http_client.clone(),
        base,
        &opts.token,
        opts.retry.clone(),
        opts.budget.clone(),
    );
    let delivery = Arc::new(Delivery::new(
        api.clone(),
        desk.clone(),
        opts.clock.clone(),
        config.staff.owners.clone(),
        config.discord.staff_channel,
    ));
    // Written by the gateway's channel events, read by the web page.
    let names = Arc::new(crate::names::ChannelNames::default());
    let dashboard = match &config.dashboard {
        Some(settings) => {
            let parts = dashboard_parts(&opts, &desk, &delivery, settings, &api, &names);
            Some(parts.await?)
        }
        None => None,
    };
    let bot = Arc::new(Bot::new(
        desk.clone(),
        delivery.clone(),
        opts.clock.clone(),
        config,
        names,
    ));
    let gateway = Gateway::connect(
        bot,
        &opts.token,
        opts.api.as_deref(),
        http_client,
        config.discord.message_content,
    )
    .await?;

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
    let web = dashboard.map(|(dashboard, listener)| {
        let mut stop = stop_rx.clone();
        let limits = opts.dashboard_limits.clone().unwrap_or_else(|| {
            crate::dashboard::Limits::for_open_files(crate::process::open_file_limit())
        });
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.changed().await;
            };
            crate::dashboard::serve(dashboard, listener, limits, stopped).await;
        })
    });
    let catcher = tokio::spawn(catch_up_loop(
        gateway.catch_up(),
        opts.catch_up_every,
        stop_rx,
    ));

    let doctor = opts.check_at_start.then(|| {
        tokio::spawn(crate::doctor::check_at_start(
            config.clone(),
            Inspector::over(api.clone()),
        ))
    });

    let outcome = gateway.run(shutdown).await;
    if let Some(doctor) = doctor {
        doctor.abort();
    }
    let _ = stop_tx.send(true);
    let _ = ticker.await;
    let _ = catcher.await;
    let _ = notifier.await;
    if let Some(web) = web {
        let _ = web.await;
    }
    // Last: whatever was accepted is on disk before the process ends. Bounded: a database
    // that cannot write fails the stop with its cause instead of hanging it.
    let flushed = store.flush_async().await;
    store.secure_files();
    flushed?;
    tracing::info!("stopped; database flushed");
    outcome.map_err(BotError::from)
}

/// The dashboard's pieces: its signing key (also behind `/dashboard`), its socket, bound
/// before the gateway connects so a taken port fails the start.
async fn dashboard_parts(
    opts: &BotOptions,
    desk: &Arc<Desk>,
    delivery: &Arc<Delivery>,
    settings: &crate::config::DashboardSettings,
    api: &Api,
    names: &Arc<crate::names::ChannelNames>,
) -> Result<(crate::dashboard::Dashboard, tokio::net::TcpListener), BotError> {
    use crate::dashboard::{self, LoginKey};
    let config = &opts.config;
    let key = Arc::new(LoginKey::load_or_create(&config.resolve(&config.data_dir))?);
    let listener = match &opts.dashboard_listener {
        Some(l) => {
            let l = l.try_clone().and_then(|l| {
                l.set_nonblocking(true)?;
                tokio::net::TcpListener::from_std(l)
            });
            l.map_err(|e| dashboard::DashboardError::Bind {
                addr: settings.listen,
                reason: e.to_string(),
            })?
        }
        None => dashboard::bind(settings.listen).await?,
    };
    let url = settings.base_url();
    let minter = key.clone();
    desk.set_login_links(Box::new(move |user, guild, now| {
        match minter.mint(user, guild, now) {
            Ok(token) => Some(dashboard::login_url(&url, &token)),
            Err(e) => {
                tracing::error!(error = %e, "cannot make a dashboard link");
                None
            }
        }
    }));
    let deliverer = delivery.clone();
    let deliver: dashboard::Deliver = Arc::new(move |due| {
        let d = deliverer.clone();
        Box::pin(async move { d.deliver(due).await })
    });
    tracing::info!(address = %settings.listen, "dashboard on");
    Ok((
        dashboard::Dashboard {
            desk: desk.clone(),
            key,
            members: Arc::new(crate::discord::ApiMembers(api.clone())),
            names: names.clone(),
            deliver,
            clock: opts.clock.clone(),
            business_name: config.business_name.clone(),
            public_https: settings.base_url().starts_with("https://"),
            recheck_every: opts.dashboard_recheck_every,
        },
        listener,
    ))
}

async fn tick_loop(
    desk: Arc<Desk>,
    delivery: Arc<Delivery>,
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
    catch_up: CatchUpHandle,
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
            _ = catch_up.pass(cutoff) => {}
            _ = stop.changed() => return,
        }
    }
}
