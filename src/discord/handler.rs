//! serenity's events, turned into desk calls and deliveries. One span per handled event, with
//! ids as fields; message text only at debug level.

use std::sync::{Arc, OnceLock};

use serenity::all as dc;
use serenity::async_trait;
use tracing::Instrument;

use super::commands;
use super::delivery::Delivery;
use super::outbound::no_mentions;
use super::places::Places;
use crate::clock::Clock;
use crate::core::role_of;
use crate::desk::{Desk, Handled};
use crate::model::{GuildId, UserId};

/// How many messages may be in the desk (a blocking thread each) at once. serenity spawns
/// one task per event, so a burst of 1,000 messages would otherwise start hundreds of
/// blocking threads (each with its stack and malloc arena: tens of MiB of RSS) that only
/// fight over two cores and one database. With a few, the rest wait in arrival order (the
/// semaphore is fair), and group commit still lets the ones inside share an fsync.
const DESK_SLOTS: usize = 32;

/// State shared by every handler invocation (serenity runs them concurrently).
pub struct Shared {
    pub desk: Arc<Desk>,
    pub delivery: Arc<Delivery>,
    pub places: Places,
    pub clock: Arc<dyn Clock>,
    pub guild: Option<GuildId>,
    pub me: OnceLock<UserId>,
    registered: OnceLock<()>,
    desk_slots: tokio::sync::Semaphore,
}

impl Shared {
    pub fn new(
        desk: Arc<Desk>,
        delivery: Arc<Delivery>,
        places: Places,
        clock: Arc<dyn Clock>,
        guild: Option<GuildId>,
    ) -> Shared {
        Shared {
            desk,
            delivery,
            places,
            clock,
            guild,
            me: OnceLock::new(),
            registered: OnceLock::new(),
            desk_slots: tokio::sync::Semaphore::new(DESK_SLOTS),
        }
    }
}

pub struct Handler(pub Arc<Shared>);

#[async_trait]
impl dc::EventHandler for Handler {
    async fn ready(&self, ctx: dc::Context, ready: dc::Ready) {
        let me = UserId(ready.user.id.get());
        let _ = self.0.me.set(me);
        self.0.delivery.set_me(me);
        tracing::info!(bot = me.0, user = %ready.user.name, "connected to Discord");
        // `ready` fires again after every re-identify: register commands only once.
        if self.0.registered.set(()).is_ok() {
            let result = match self.0.guild {
                Some(g) => dc::GuildId::new(g.0.max(1))
                    .set_commands(&ctx.http, commands::definitions())
                    .await
                    .map(|_| ()),
                None => dc::Command::set_global_commands(&ctx.http, commands::definitions())
                    .await
                    .map(|_| ()),
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not register slash commands");
            }
        }
        let delivery = self.0.delivery.clone();
        tokio::spawn(async move { delivery.sweep().await });
    }

    async fn guild_create(&self, _ctx: dc::Context, guild: dc::Guild, _is_new: Option<bool>) {
        self.0.places.learn_guild(&guild);
    }

    async fn thread_create(&self, _ctx: dc::Context, thread: dc::GuildChannel) {
        self.0.places.learn_channel(&thread);
    }

    async fn message(&self, ctx: dc::Context, msg: dc::Message) {
        let span = tracing::info_span!(
            "message",
            id = msg.id.get(),
            channel = msg.channel_id.get(),
            author = msg.author.id.get()
        );
        self.on_message(ctx, msg).instrument(span).await;
    }

    async fn interaction_create(&self, ctx: dc::Context, interaction: dc::Interaction) {
        if let dc::Interaction::Command(cmd) = interaction {
            let span =
                tracing::info_span!("command", name = %cmd.data.name, user = cmd.user.id.get());
            self.on_command(ctx, cmd).instrument(span).await;
        }
    }
}

impl Handler {
    async fn on_message(&self, ctx: dc::Context, msg: dc::Message) {
        let Some(me) = self.0.me.get().copied() else {
            return;
        };
        let Some((place, tags)) = self.0.places.place_of(&ctx.http, &msg).await else {
            return;
        };
        let now = self.0.clock.now();
        let incoming = self.0.places.incoming(&msg, place, tags, me, now);
        tracing::debug!(content = ?incoming.content, "received");
        if let crate::model::Place::Dm { channel } = place {
            if let Err(e) = self
                .0
                .desk
                .store()
                .remember_dm_channel(incoming.author.id, channel)
            {
                tracing::warn!(error = %e, "could not remember a DM channel");
            }
        }
        let desk = self.0.desk.clone();
        // Never closed, so acquiring only waits; on the impossible error, go on unlimited.
        let slot = self.0.desk_slots.acquire().await.ok();
        let handled =
            tokio::task::spawn_blocking(move || desk.handle_message(&incoming, me, now, false))
                .await;
        drop(slot);
        match handled {
            Ok(Ok(Handled::Stored {
                conversation,
                deliver,
            })) => {
                tracing::info!(
                    conversation = conversation.0,
                    deliveries = deliver.len(),
                    "stored"
                );
                self.0.delivery.deliver(deliver).await;
            }
            Ok(Ok(other)) => tracing::debug!(?other, "nothing to do"),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "could not store a message; catch-up will retry it")
            }
            Err(e) => tracing::error!(error = %e, "message handler failed"),
        }
    }

    async fn on_command(&self, ctx: dc::Context, cmd: dc::CommandInteraction) {
        let now = self.0.clock.now();
        let user = UserId(cmd.user.id.get());
        let roles: Vec<crate::model::RoleId> = cmd
            .member
            .as_ref()
            .map(|m| {
                m.roles
                    .iter()
                    .map(|r| crate::model::RoleId(r.get()))
                    .collect()
            })
            .unwrap_or_default();
        let author = crate::model::Author {
            id: user,
            name: cmd.user.name.clone(),
            bot: cmd.user.bot,
            roles,
        };
        let me = self.0.me.get().copied().unwrap_or(UserId(0));
        let is_staff = role_of(&author, me, self.0.desk.staff()) == crate::core::Role::Staff;
        let desk = self.0.desk.clone();
        let text = match cmd.data.name.as_str() {
            "status" => tokio::task::spawn_blocking(move || status(&desk, user, is_staff, now))
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
            other => Err(format!("unknown command /{other}")),
        };
        let text = text.unwrap_or_else(|e| {
            tracing::error!(error = %e, "command failed");
            "Sorry, something went wrong on our side. Please try again in a minute.".to_string()
        });
        let answer = dc::CreateInteractionResponse::Message(
            dc::CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(no_mentions()),
        );
        if let Err(e) = cmd.create_response(&ctx.http, answer).await {
            tracing::warn!(error = %e, "could not answer a command");
        }
    }
}

fn status(
    desk: &Desk,
    user: UserId,
    is_staff: bool,
    now: jiff::Timestamp,
) -> Result<String, String> {
    let store = desk.store();
    if is_staff {
        let open: Vec<_> = store
            .conversations()
            .filter_map(Result::ok)
            .filter(|c| c.is_open())
            .collect();
        return Ok(commands::staff_status(&open, now));
    }
    let mine = store
        .customer_conversations(user)
        .map_err(|e| e.to_string())?;
    let eta = desk.eta(now).map_err(|e| e.to_string())?;
    Ok(commands::customer_status(
        &mine,
        &desk.policy().owner_name,
        &eta,
        now,
    ))
}
