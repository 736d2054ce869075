//! serenity's events, turned into desk calls and deliveries. One span per handled event, with
//! ids as fields; message text only at debug level.

use std::sync::{Arc, OnceLock};

use serenity::all as dc;
use serenity::async_trait;
use tracing::Instrument;

use super::bot::Bot;
use super::catchup::CatchUp;
use super::commands;
use super::outbound::{action_rows, no_mentions, Action};
use super::pace::Priority;
use super::places::role_ids;
use crate::core::{role_of, Command};
use crate::desk::Received;
use crate::model::{GuildId, RoleId, UserId};
use crate::sync::RwLockExt;

/// How long a DM command waits for the caller's roles: Discord wants an answer within 3 s.
const DM_ROLE_LOOKUP: std::time::Duration = std::time::Duration::from_millis(1500);

/// What the handler reaches while attached: the bot, its catch-up, and whether slash
/// commands are registered.
struct Attached {
    bot: Arc<Bot>,
    catch_up: Arc<CatchUp>,
    /// `ready` fires again after every re-identify: commands are registered once.
    registered: OnceLock<()>,
}

/// serenity's event handler. It reaches the bot through a slot the gateway empties when it
/// stops: serenity 0.12.5 can leave a shard runner connected after `shutdown_all` (one it
/// restarted after unanswered heartbeats), and that runner must neither act on events after
/// the final flush nor keep the database open (sled's lock) for the rest of the process.
pub struct Handler(std::sync::RwLock<Option<Arc<Attached>>>);

impl Handler {
    pub fn new(bot: Arc<Bot>, catch_up: Arc<CatchUp>) -> Handler {
        Handler(std::sync::RwLock::new(Some(Arc::new(Attached {
            bot,
            catch_up,
            registered: OnceLock::new(),
        }))))
    }

    /// Stops handling events for good and lets go of the bot's state.
    pub fn detach(&self) {
        *self.0.writing() = None;
    }

    fn live(&self) -> Option<Events> {
        self.0.reading().clone().map(Events)
    }

    /// What the server's channel events teach: where each channel is, its name, its tags.
    fn learn(&self, learn: impl FnOnce(&super::places::Places)) {
        if let Some(h) = self.live() {
            learn(&h.0.bot.places);
        }
    }
}

#[async_trait]
impl dc::EventHandler for Handler {
    async fn ready(&self, ctx: dc::Context, ready: dc::Ready) {
        if let Some(h) = self.live() {
            h.ready(ctx, ready).await;
        }
    }

    async fn guild_create(&self, _ctx: dc::Context, guild: dc::Guild, _is_new: Option<bool>) {
        self.learn(|places| places.learn_guild(&guild));
    }

    async fn thread_create(&self, _ctx: dc::Context, thread: dc::GuildChannel) {
        self.learn(|places| places.learn_channel(&thread));
    }

    async fn channel_create(&self, _ctx: dc::Context, channel: dc::GuildChannel) {
        self.learn(|places| places.learn_channel(&channel));
    }

    async fn channel_update(
        &self,
        _ctx: dc::Context,
        _old: Option<dc::GuildChannel>,
        new: dc::GuildChannel,
    ) {
        self.learn(|places| places.learn_channel(&new));
    }

    async fn channel_delete(
        &self,
        _ctx: dc::Context,
        channel: dc::GuildChannel,
        _messages: Option<Vec<dc::Message>>,
    ) {
        self.learn(|places| places.forget_channel(channel.id.get()));
    }

    async fn thread_update(
        &self,
        _ctx: dc::Context,
        _old: Option<dc::GuildChannel>,
        new: dc::GuildChannel,
    ) {
        self.learn(|places| places.learn_channel(&new));
    }

    async fn thread_delete(
        &self,
        _ctx: dc::Context,
        thread: dc::PartialGuildChannel,
        _full: Option<dc::GuildChannel>,
    ) {
        self.learn(|places| places.forget_channel(thread.id.get()));
    }

    async fn message(&self, ctx: dc::Context, msg: dc::Message) {
        if let Some(h) = self.live() {
            h.message(ctx, msg).await;
        }
    }

    async fn interaction_create(&self, ctx: dc::Context, interaction: dc::Interaction) {
        if let Some(h) = self.live() {
            h.interaction_create(ctx, interaction).await;
        }
    }
}

/// One event's view of the running bot.
struct Events(Arc<Attached>);

impl Events {
    async fn ready(&self, _ctx: dc::Context, ready: dc::Ready) {
        let me = UserId(ready.user.id.get());
        let _ = self.0.bot.me.set(me);
        self.0.bot.delivery.set_me(me);
        tracing::info!(bot = me.0, user = %ready.user.name, "connected to Discord");
        // `ready` fires again after every re-identify: register commands only once.
        if self.0.registered.set(()).is_ok() {
            let result = self
                .0
                .bot
                .delivery
                .api()
                .set_commands(
                    Priority::Later,
                    ready.application.id.get(),
                    self.0.bot.guild,
                    &commands::definitions(),
                )
                .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not register slash commands");
            }
        }
        // Every READY may follow a re-identify that lost events: deliver what is pending, then
        // read the history for what the gateway never sent.
        // Messages created before this session began cannot arrive on it: they are
        // catch-up's. Discord's clock (snowflakes) is the reference, not the business clock.
        let cutoff = jiff::Timestamp::now();
        let expected: Vec<u64> = ready.guilds.iter().map(|g| g.id.get()).collect();
        let attached = self.0.clone();
        tokio::spawn(async move {
            attached.bot.delivery.sweep().await;
            // Catch-up needs to know which channels belong to which guild: wait (briefly)
            // for the GUILD_CREATEs that follow READY.
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
            while tokio::time::Instant::now() < deadline {
                let known = attached.bot.places.guilds();
                if expected.iter().all(|g| known.contains(&GuildId(*g))) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            attached.catch_up.pass(cutoff).await;
        });
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
        if let dc::Interaction::Component(click) = interaction {
            let span = tracing::info_span!("button", id = %click.data.custom_id, user = click.user.id.get());
            self.on_button(ctx, click).instrument(span).await;
        } else if let dc::Interaction::Command(cmd) = interaction {
            let span =
                tracing::info_span!("command", name = %cmd.data.name, user = cmd.user.id.get());
            self.on_command(ctx, cmd).instrument(span).await;
        } else if let dc::Interaction::Autocomplete(typing) = interaction {
            self.on_autocomplete(ctx, typing).await;
        }
    }

    /// The buttons under an owner's notification: the same staff checks and the same desk
    /// commands as `/snooze`, `/resolve` and `/claim`.
    async fn on_button(&self, ctx: dc::Context, click: dc::ComponentInteraction) {
        let now = self.0.bot.clock.now();
        let user = UserId(click.user.id.get());
        let action = super::outbound::parse_action(&click.data.custom_id);
        // A notice's buttons are pressed in a DM too, which carries no member: the roles are
        // asked of the configured server, as for a command in a DM. Not for a rating.
        let roles = match (&click.member, &action) {
            (Some(m), _) => role_ids(Some(m.roles.as_slice())),
            (None, Some((Action::Rate(_), _)) | None) => Vec::new(),
            (None, Some(_)) => match self.dm_guild() {
                Some(g) => self.roles_in_dm(g, user).await,
                None => Vec::new(),
            },
        };
        let is_staff = self.0.bot.desk.staff().includes(user, &roles);
        if let Some(customer) = commands::forget::parse(&click.data.custom_id) {
            return self.forget_pressed(ctx, click, customer, is_staff).await;
        }
        // Delivered after the answer: Discord waits 3 s for it, and telling the customer or
        // editing notices may take longer.
        let mut deliver = Vec::new();
        let text = match action {
            None => "This button is not one of mine any more.".to_string(),
            // The customer's own buttons: checked against the conversation's customer.
            Some((Action::Rate(score), conversation)) => {
                self.rating_pressed(conversation, user, score, now).await
            }
            Some(_) if !is_staff => {
                "Sorry, only the shop's staff can use these buttons.".to_string()
            }
            Some((action, conversation)) => {
                let cmd = match action {
                    Action::SnoozeHour => Command::Snooze {
                        by: user,
                        until: now + jiff::SignedDuration::from_hours(1),
                    },
                    Action::MarkAnswered => Command::MarkAnswered { by: user },
                    Action::Claim => Command::Claim {
                        by: user,
                        name: super::places::display_name(
                            click.member.as_ref().and_then(|m| m.nick.as_deref()),
                            &click.user,
                        ),
                    },
                    Action::RemindMe => Command::FollowUp {
                        by: user,
                        name: super::places::display_name(
                            click.member.as_ref().and_then(|m| m.nick.as_deref()),
                            &click.user,
                        ),
                        due: None,
                        note: None,
                    },
                    // Answered above: a rating is the customer's, not a staff command.
                    Action::Rate(_) => Command::MarkAnswered { by: user },
                };
                let desk = self.0.bot.desk.clone();
                let result =
                    tokio::task::spawn_blocking(move || desk.command(conversation, cmd, now)).await;
                match result {
                    Ok(Ok(Some((conv, items)))) => {
                        deliver = items;
                        let hours = &self.0.bot.desk.policy().hours;
                        super::commands::button_answer(action, user, &conv, hours, now)
                    }
                    Ok(Ok(None)) => "That conversation no longer exists.".to_string(),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "button failed");
                        "Sorry, something went wrong on our side. Please try again.".to_string()
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "button handler failed");
                        "Sorry, something went wrong on our side. Please try again.".to_string()
                    }
                }
            }
        };
        let answer = dc::CreateInteractionResponse::Message(
            dc::CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(no_mentions()),
        );
        if let Err(e) = click.create_response(&ctx.http, answer).await {
            tracing::warn!(error = %e, "could not answer a button");
        }
        self.0.bot.delivery.deliver(deliver).await;
    }

    /// Suggestions while an option is typed: `/reply saved:` offers the saved replies'
    /// names (nothing else asks for them).
    async fn on_autocomplete(&self, ctx: dc::Context, typing: dc::CommandInteraction) {
        let typed = typing.data.autocomplete().map_or("", |o| o.value);
        let names = match typing.data.name.as_str() {
            "reply" => commands::reply::suggestions(&self.0.bot.desk, typed),
            _ => Vec::new(),
        };
        let choices = names
            .into_iter()
            .fold(dc::CreateAutocompleteResponse::new(), |r, n| {
                r.add_string_choice(n.clone(), n)
            });
        let answer = dc::CreateInteractionResponse::Autocomplete(choices);
        if let Err(e) = typing.create_response(&ctx.http, answer).await {
            tracing::debug!(error = %e, "could not suggest option values");
        }
    }

    /// A press on `/forget`'s "Forget them": the customer's data deleted (staff only), and
    /// the confirmation replaced by what was done, so it cannot be pressed twice.
    async fn forget_pressed(
        &self,
        ctx: dc::Context,
        click: dc::ComponentInteraction,
        customer: UserId,
        is_staff: bool,
    ) {
        let text = if is_staff {
            let desk = self.0.bot.desk.clone();
            let done = tokio::task::spawn_blocking(move || {
                let blocked = desk.block_of(customer).is_some();
                desk.forget(customer).map(|gone| (gone, blocked))
            })
            .await;
            match done {
                Ok(Ok((gone, blocked))) => commands::forget::confirmed(customer, gone, blocked),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "could not forget a customer");
                    "Sorry, something went wrong on our side, and some of it may be left. Run `/forget` again in a minute.".to_string()
                }
                Err(e) => {
                    tracing::error!(error = %e, "forgetting a customer failed");
                    "Sorry, something went wrong on our side. Run `/forget` again in a minute."
                        .to_string()
                }
            }
        } else {
            "Sorry, only the shop's staff can use these buttons.".to_string()
        };
        let answer = dc::CreateInteractionResponse::UpdateMessage(
            dc::CreateInteractionResponseMessage::new()
                .content(text)
                .components(Vec::new())
                .allowed_mentions(no_mentions()),
        );
        if let Err(e) = click.create_response(&ctx.http, answer).await {
            tracing::warn!(error = %e, "could not answer a button");
        }
    }

    /// A press on a "How did we do?" button: stored through the desk, answered ephemerally
    /// (a thank-you, or a polite refusal to anyone but the customer).
    async fn rating_pressed(
        &self,
        conversation: crate::core::ConversationId,
        user: UserId,
        score: u8,
        now: jiff::Timestamp,
    ) -> String {
        let desk = self.0.bot.desk.clone();
        let result =
            tokio::task::spawn_blocking(move || desk.rate(conversation, user, score, now)).await;
        match result {
            Ok(Ok(outcome)) => super::commands::rating_answer(outcome),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "rating failed");
                "Sorry, something went wrong on our side. Please try again.".to_string()
            }
            Err(e) => {
                tracing::error!(error = %e, "rating handler failed");
                "Sorry, something went wrong on our side. Please try again.".to_string()
            }
        }
    }

    /// A message in a DM conversation's private staff thread: a staff reply to relay.
    /// Anyone else writing there is ignored (the thread is private to staff anyway).
    fn relay_place(&self, msg: &dc::Message) -> Option<(crate::model::Place, Vec<String>)> {
        let guild = msg.guild_id?;
        let thread = crate::model::ChannelId(msg.channel_id.get());
        let conv = self
            .0
            .bot
            .desk
            .conversation_in_thread(thread)
            .ok()
            .flatten()?;
        if conv.relay != Some(thread) {
            return None;
        }
        let roles = role_ids(msg.member.as_ref().map(|m| m.roles.as_slice()));
        if !self
            .0
            .bot
            .desk
            .staff()
            .includes(UserId(msg.author.id.get()), &roles)
        {
            return None;
        }
        Some((
            crate::model::Place::Channel {
                guild: GuildId(guild.get()),
                channel: self.0.bot.staff_channel?,
                thread: Some(thread),
            },
            Vec::new(),
        ))
    }

    async fn on_message(&self, _ctx: dc::Context, msg: dc::Message) {
        let Some(me) = self.0.bot.me.get().copied() else {
            return;
        };
        let api = self.0.bot.delivery.api();
        let resolved = match self.0.bot.places.place_of(api, Priority::Now, &msg).await {
            Some(found) => Some(found),
            None => self.relay_place(&msg),
        };
        let Some((place, tags)) = resolved else {
            return;
        };
        let now = self.0.bot.clock.now();
        let incoming = self.0.bot.places.incoming(&msg, place, tags, me, now, &[]);
        tracing::debug!(content = ?incoming.content, "received");
        // Run here, on the event's own task, not on a blocking thread: nothing is flushed
        // before the acknowledgement, so the intake is CPU and sled's in-memory work, and a
        // hop to another thread and back costs more than it. A burst then starts no blocking
        // threads either (each one a stack and a malloc arena of RSS).
        let delivery = &self.0.bot.delivery;
        let received = self
            .0
            .bot
            .desk
            .receive(&incoming, me, now, |items| delivery.deliver(items))
            .await;
        match received {
            // Logged once the acknowledgement is out: a log line is a write to stderr, which
            // the customer should not wait for.
            Ok(Received::Stored {
                conversation,
                deliveries,
            }) => tracing::info!(conversation = conversation.0, deliveries, "stored"),
            Ok(Received::Nothing(other)) => tracing::debug!(?other, "nothing to do"),
            Err(e) => {
                tracing::error!(error = %e, "could not store a message; catch-up will retry it")
            }
        }
    }

    /// The server whose roles count for a command in a DM: the configured one, or the one
    /// server frontdesk is in.
    fn dm_guild(&self) -> Option<GuildId> {
        let bot = &self.0.bot;
        bot.guild.or_else(|| match bot.places.guilds().as_slice() {
            [only] => Some(*only),
            _ => None,
        })
    }

    /// A command in a DM carries no member: the caller's roles in [`Self::dm_guild`], asked
    /// of Discord each time so a role taken away counts at once. Bounded, so the interaction
    /// can still be answered in time.
    async fn roles_in_dm(&self, guild: GuildId, user: UserId) -> Vec<RoleId> {
        let bot = &self.0.bot;
        let lookup = bot
            .places
            .lookup_roles(bot.delivery.api(), Priority::Now, guild.0, user.0);
        match tokio::time::timeout(DM_ROLE_LOOKUP, lookup).await {
            Ok(roles) => roles,
            Err(_) => {
                tracing::warn!(
                    user = user.0,
                    "member lookup for a DM command timed out; treated as no role"
                );
                Vec::new()
            }
        }
    }

    async fn on_command(&self, ctx: dc::Context, cmd: dc::CommandInteraction) {
        let now = self.0.bot.clock.now();
        let user = UserId(cmd.user.id.get());
        let (guild, roles) = match &cmd.member {
            Some(m) => (
                cmd.guild_id.map(|g| GuildId(g.get())),
                role_ids(Some(m.roles.as_slice())),
            ),
            // The server asked for the roles is also where the dashboard checks them.
            None => match self.dm_guild() {
                Some(g) => (Some(g), self.roles_in_dm(g, user).await),
                None => (None, Vec::new()),
            },
        };
        let author = crate::model::Author {
            id: user,
            name: cmd.user.name.clone(),
            bot: cmd.user.bot,
            roles,
        };
        let me = self.0.bot.me.get().copied().unwrap_or(UserId(0));
        let caller = commands::Caller {
            user,
            name: super::places::display_name(
                cmd.member.as_ref().and_then(|m| m.nick.as_deref()),
                &cmd.user,
            ),
            is_staff: role_of(&author, me, self.0.bot.desk.staff()) == crate::core::Role::Staff,
            channel: crate::model::ChannelId(cmd.channel_id.get()),
            guild,
        };
        let name = cmd.data.name.clone();
        let args = commands::args_of(&cmd.data);
        let budget = commands::answer_budget(&caller, &name);
        let desk = self.0.bot.desk.clone();
        let mut work = tokio::task::spawn_blocking(move || {
            let answer = commands::run(&desk, &caller, &name, &args, now);
            let chart = commands::attachment(&desk, &caller, &name, &args, now);
            (answer, chart)
        });
        // Discord drops an interaction not answered within 3 s: answer directly when the work
        // is done in time, otherwise show "thinking…" and edit the answer in afterwards.
        let early = if budget.is_zero() {
            None
        } else {
            tokio::time::timeout(budget, &mut work).await.ok()
        };
        let deferred = early.is_none();
        if deferred {
            if let Err(e) = cmd.defer_ephemeral(&ctx.http).await {
                tracing::warn!(error = %e, "could not defer a command");
            }
        }
        let answer = match early {
            Some(done) => done,
            None => work.await,
        };
        let (answer, chart) = answer.unwrap_or_else(|e| {
            tracing::error!(error = %e, "command failed");
            let sorry = commands::Answer {
                buttons: Vec::new(),
                text: "Sorry, something went wrong on our side. Please try again in a minute."
                    .to_string(),
                deliver: Vec::new(),
            };
            (sorry, None)
        });
        let file = chart.map(|c| {
            let mut file = dc::CreateAttachment::bytes(c.png, c.filename);
            file.description = Some(c.description);
            file
        });
        let sent = if deferred {
            let mut edit = dc::EditInteractionResponse::new()
                .content(answer.text)
                .allowed_mentions(no_mentions());
            if !answer.buttons.is_empty() {
                edit = edit.components(action_rows(&answer.buttons));
            }
            if let Some(file) = file {
                edit = edit.new_attachment(file);
            }
            cmd.edit_response(&ctx.http, edit).await.map(|_| ())
        } else {
            let mut reply = dc::CreateInteractionResponseMessage::new()
                .content(answer.text)
                .ephemeral(true)
                .allowed_mentions(no_mentions());
            if !answer.buttons.is_empty() {
                reply = reply.components(action_rows(&answer.buttons));
            }
            if let Some(file) = file {
                reply = reply.add_file(file);
            }
            let message = dc::CreateInteractionResponse::Message(reply);
            cmd.create_response(&ctx.http, message).await
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not answer a command");
        }
        // After answering: a reopened conversation notifies the owners.
        self.0.bot.delivery.deliver(answer.deliver).await;
    }
}
