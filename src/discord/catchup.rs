//! Catch-up: reads the history of every watched channel, active thread and known DM channel
//! after its checkpoint, and handles what the gateway never delivered; also the private staff
//! threads of open DM conversations, for staff replies written there while frontdesk was away.
//!
//! serenity loses events: a re-identify drops everything sent meanwhile, and an event it
//! cannot parse is discarded. So this runs on every READY and periodically. It is idempotent:
//! messages already claimed are skipped by the desk, a message frontdesk already acknowledged
//! (its reply is in the history) gets its conversation rebuilt without a second
//! acknowledgement, and one a staff member already answered is stored quietly.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serenity::all as dc;

use super::api::ApiError;
use super::bot::Bot;
use super::pace::Priority;
use crate::core::{role_of, Role};
use crate::desk::{Arrival, Handled};
use crate::model::{ChannelId, MessageId, UserId};

/// How far back a channel without a checkpoint is read (a first start, or a new channel).
pub const FIRST_LOOKBACK: SignedDuration = SignedDuration::from_hours(24);
/// Discord's page size limit for channel history.
const PAGE: u8 = 100;

/// What one catch-up pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub channels: usize,
    pub read: usize,
    /// Messages that reached the desk and were stored now (missed by the gateway).
    pub recovered: usize,
}

/// Runs catch-up passes, one at a time: READY and the periodic timer may both ask for one.
pub struct CatchUp {
    bot: Arc<Bot>,
    one: tokio::sync::Mutex<()>,
}

impl CatchUp {
    pub fn new(bot: Arc<Bot>) -> CatchUp {
        CatchUp {
            bot,
            one: tokio::sync::Mutex::new(()),
        }
    }

    /// One pass (see [`catch_up`]), after any pass already running.
    pub async fn pass(&self, cutoff: Timestamp) -> Report {
        let _one = self.one.lock().await;
        catch_up(&self.bot, cutoff).await
    }
}

/// One pass over every watched place, for messages created up to `cutoff` (Discord's clock).
/// Newer ones are left to the gateway, which delivers them live; a later pass picks up any
/// it dropped. Without the cutoff a fresh message could be answered with the "late" text.
async fn catch_up(bot: &Bot, cutoff: Timestamp) -> Report {
    let Some(me) = bot.me.get().copied() else {
        return Report::default();
    };
    let mut report = Report::default();
    let now = bot.clock.now();
    let mut sources: Vec<(ChannelId, MessageId, Source)> = Vec::new();
    let desk = &bot.desk;
    let cursor = |channel: ChannelId, default: MessageId| {
        desk.catch_up_cursor(channel)
            .ok()
            .flatten()
            .unwrap_or(default)
    };
    let since = MessageId::first_at(now - FIRST_LOOKBACK);
    for c in &bot.places.watch().channels {
        sources.push((*c, cursor(*c, since), Source::Watched));
    }
    for thread in active_threads(bot).await {
        // A thread's first message has the thread's id (a forum post's starter message).
        sources.push((
            thread,
            cursor(thread, MessageId(thread.0.saturating_sub(1))),
            Source::Watched,
        ));
    }
    if bot.places.watch().dms {
        match desk.known_dm_channels() {
            Ok(list) => {
                for (_, c) in list {
                    sources.push((c, cursor(c, since), Source::Watched));
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list known DM channels"),
        }
        if let Some(staff) = bot.staff_channel {
            match desk.open_relay_threads() {
                Ok(threads) => {
                    for t in threads {
                        // Everything in the thread after its creation, on the first read.
                        sources.push((t, cursor(t, MessageId(t.0)), Source::Relay { staff }));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot list the DM staff threads"),
            }
        }
    }
    for (channel, after, source) in sources {
        report.channels += 1;
        match channel_pass(bot, me, channel, after, cutoff, source).await {
            Ok((read, recovered)) => {
                report.read += read;
                report.recovered += recovered;
            }
            Err(e) => {
                tracing::warn!(channel = channel.0, error = %e, "catch-up of a channel failed; will retry")
            }
        }
    }
    if report.recovered > 0 {
        tracing::info!(?report, "catch-up recovered missed messages");
    }
    report
}

async fn active_threads(bot: &Bot) -> Vec<ChannelId> {
    let mut out = Vec::new();
    for guild in bot.places.guilds() {
        let threads = match bot
            .delivery
            .api()
            .active_threads(Priority::Later, guild)
            .await
        {
            Ok(threads) => threads,
            Err(e) => {
                tracing::warn!(guild = guild.0, error = %e, "cannot list active threads");
                continue;
            }
        };
        for thread in threads {
            bot.places.learn_channel(&thread);
            if bot.places.is_watched_thread(thread.id.get()) {
                out.push(ChannelId(thread.id.get()));
            }
        }
    }
    out
}

/// What a channel read by catch-up is.
#[derive(Clone, Copy)]
enum Source {
    /// A watched channel, thread or forum post, or a customer's DM.
    Watched,
    /// The private thread in `staff` that mirrors an open DM conversation: only staff
    /// replies there matter, which go to the customer.
    Relay { staff: ChannelId },
}

/// Reads one channel page by page, oldest first; returns (read, recovered).
async fn channel_pass(
    bot: &Bot,
    me: UserId,
    channel: ChannelId,
    mut after: MessageId,
    cutoff: Timestamp,
    source: Source,
) -> Result<(usize, usize), ApiError> {
    let (mut read, mut recovered) = (0, 0);
    let api = bot.delivery.api();
    loop {
        let page = api.history(Priority::Later, channel, after, PAGE).await?;
        let messages = page.messages;
        if messages.is_empty() {
            return Ok((read, recovered));
        }
        let is_dm = matches!(source, Source::Watched)
            && !bot.places.watch().channels.contains(&channel)
            && !bot.places.is_watched_thread(channel.0);
        let guild = if is_dm {
            None
        } else {
            let guild = match source {
                Source::Watched => bot.places.guild_of(channel.0),
                // A private thread need not be known: it is in the staff channel's guild.
                Source::Relay { staff } => bot
                    .places
                    .guild_of(channel.0)
                    .or_else(|| bot.places.guild_of(staff.0))
                    .or(bot.guild.map(|g| g.0)),
            };
            match guild {
                Some(g) => Some(g),
                None => {
                    // Not known yet (GUILD_CREATE still on its way): a guild message must not be
                    // mistaken for a DM, so leave this channel to the next pass.
                    tracing::debug!(
                        channel = channel.0,
                        "guild of channel unknown yet; skipping"
                    );
                    return Ok((read, recovered));
                }
            }
        };
        // Only messages up to the cutoff that are not stored yet reach the desk, and only they
        // need to know what was answered: a page of fresh messages (a burst right after
        // READY) costs no member lookups.
        let any_to_handle = messages.iter().any(|m| {
            let id = MessageId(m.id.get());
            id.created_at() <= cutoff
                && m.author.id.get() != me.0
                && !bot.desk.is_stored(id).unwrap_or(false)
        });
        let (acknowledged, answered) = match source {
            Source::Watched if any_to_handle => already_handled(bot, me, guild, &messages).await,
            Source::Watched | Source::Relay { .. } => Default::default(),
        };
        let full = page.full;
        for mut msg in messages {
            let id = MessageId(msg.id.get());
            if id.created_at() > cutoff {
                // Everything from here on is the gateway's to deliver.
                break;
            }
            read += 1;
            if msg.guild_id.is_none() {
                msg.guild_id = guild.map(|g| dc::GuildId::new(g.max(1)));
            }
            if bot.desk.is_stored(id).unwrap_or(false) || msg.author.id.get() == me.0 {
                after = id;
                continue;
            }
            let found = match source {
                Source::Watched => bot.places.place_of(api, Priority::Later, &msg).await,
                Source::Relay { staff } => guild.map(|g| relay_place(g, staff, channel)),
            };
            let Some((place, tags)) = found else {
                after = id;
                continue;
            };
            let roles = match guild {
                Some(g) if msg.member.is_none() && !msg.author.bot => {
                    bot.places
                        .member_roles(api, Priority::Later, g, msg.author.id.get())
                        .await
                }
                _ => Vec::new(),
            };
            let author = UserId(msg.author.id.get());
            if matches!(source, Source::Relay { .. })
                && (msg.author.bot || !bot.desk.staff().includes(author, &roles))
            {
                // As live: only staff replies in a staff thread are relayed.
                after = id;
                continue;
            }
            let at = Timestamp::from_millisecond(msg.timestamp.unix_timestamp() * 1000)
                .unwrap_or_else(|_| id.created_at());
            let incoming = bot.places.incoming(&msg, place, tags, me, at, &roles);
            let arrival = Arrival::Late {
                acknowledged: acknowledged.contains(&id),
                answered: answered.contains(&id),
            };
            let desk = bot.desk.clone();
            let now = bot.clock.now();
            let handled = tokio::task::spawn_blocking(move || {
                desk.handle_message(&incoming, me, now, arrival)
            })
            .await;
            match handled {
                Ok(Ok(Handled::Stored { deliver, .. })) => {
                    recovered += 1;
                    bot.delivery.deliver(deliver).await;
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    // Keep the cursor before this message so the next pass tries it again.
                    tracing::error!(message = id.0, error = %e, "catch-up could not store a message");
                    let _ = bot.desk.advance_catch_up_cursor(channel, after);
                    return Ok((read, recovered));
                }
                Err(e) => {
                    tracing::error!(message = id.0, error = %e, "catch-up handler failed");
                    let _ = bot.desk.advance_catch_up_cursor(channel, after);
                    return Ok((read, recovered));
                }
            }
            after = id;
        }
        if let Err(e) = bot.desk.advance_catch_up_cursor(channel, after) {
            tracing::warn!(error = %e, "cannot save a catch-up checkpoint");
        }
        if !full || after.created_at() >= cutoff {
            return Ok((read, recovered));
        }
    }
}

/// Where a staff message in a DM conversation's private thread belongs: the thread in the
/// staff channel, as the live handler places it.
fn relay_place(
    guild: u64,
    staff: ChannelId,
    thread: ChannelId,
) -> (crate::model::Place, Vec<String>) {
    (
        crate::model::Place::Channel {
            guild: crate::model::GuildId(guild),
            channel: staff,
            thread: Some(thread),
        },
        Vec::new(),
    )
}

/// Which customer messages in a page frontdesk already acknowledged (its own message replies
/// to them or links them, or sits in the thread started on them) and which a staff member already answered
/// (a later staff reply to them, or a later staff message in the same thread).
async fn already_handled(
    bot: &Bot,
    me: UserId,
    guild: Option<u64>,
    page: &[dc::Message],
) -> (HashSet<MessageId>, HashSet<MessageId>) {
    let mut acknowledged = HashSet::new();
    let mut answered = HashSet::new();
    let in_thread = page
        .first()
        .is_some_and(|m| bot.places.is_watched_thread(m.channel_id.get()));
    let mut pending_in_thread: Vec<MessageId> = Vec::new();
    for m in page {
        let replied = m
            .message_reference
            .as_ref()
            .and_then(|r| r.message_id)
            .map(|id| MessageId(id.get()));
        if m.author.id.get() == me.0 {
            acknowledged.extend(replied);
            // A merged acknowledgement replies to nobody; it links each message it answers.
            acknowledged.extend(super::outbound::acknowledged_in(
                &m.content,
                m.channel_id.get(),
            ));
            if in_thread {
                acknowledged.insert(MessageId(m.channel_id.get()));
            }
            continue;
        }
        if m.author.bot {
            continue;
        }
        let roles = match (guild, &m.member) {
            (_, Some(member)) => super::places::role_ids(Some(&member.roles)),
            (Some(g), None) => {
                bot.places
                    .member_roles(bot.delivery.api(), Priority::Later, g, m.author.id.get())
                    .await
            }
            (None, None) => Vec::new(),
        };
        let author = crate::model::Author {
            id: UserId(m.author.id.get()),
            name: String::new(),
            bot: false,
            roles,
        };
        if role_of(&author, me, bot.desk.staff()) == Role::Staff {
            answered.extend(replied);
            if in_thread {
                answered.extend(pending_in_thread.drain(..));
            }
        } else {
            pending_in_thread.push(MessageId(m.id.get()));
        }
    }
    (acknowledged, answered)
}
