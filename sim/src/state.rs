//! `State`: the simulator's mutable world (channels, histories, interactions, sessions, the
//! request log, injected faults), all behind one mutex in the `Simulator`. The mutations here
//! are shared by REST handlers and by the "acting as people" methods.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use serde_json::Value;

use crate::message::SimMessage;
use crate::ratelimit::RateLimiter;
use crate::record::RecordedRequest;
use crate::session::{Event, Sessions};
use crate::snowflake::IdGen;
use crate::world::{ChannelKind, SimChannel, World};

/// An interaction the simulator sent to the bot, and what the bot answered.
#[derive(Clone, Debug)]
pub struct InteractionRec {
    pub id: u64,
    /// 2 application command, 3 message component.
    pub kind: u8,
    pub token: String,
    pub user: u64,
    pub channel: u64,
    pub guild_id: Option<u64>,
    pub created: Instant,
    /// Set once the initial callback arrived.
    pub acknowledged: bool,
    pub ephemeral: bool,
    /// The message holding the original response, once there is one.
    pub original_message: Option<u64>,
    /// The message holding the clicked component (component interactions).
    pub message: Option<u64>,
    /// Callback, follow-up and edit bodies, in arrival order.
    pub responses: Vec<Value>,
}

/// A fault injected with `fail_next`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub route_contains: String,
    pub status: u16,
    pub remaining: u32,
    /// Carry the request out, but never answer it (a response lost on the way back).
    pub lose_answer: bool,
}

pub struct State {
    pub world: World,
    pub application_id: u64,
    pub ids: IdGen,
    /// Guild channels, threads and DM channels by id.
    pub channels: BTreeMap<u64, SimChannel>,
    /// Messages per channel, oldest first.
    pub history: HashMap<u64, Vec<SimMessage>>,
    /// Which channel each message is in.
    pub message_channel: HashMap<u64, u64>,
    pub dm_of_user: HashMap<u64, u64>,
    /// Ephemeral interaction messages: only the invoking user sees them.
    pub ephemeral: HashMap<u64, SimMessage>,
    pub interactions: HashMap<u64, InteractionRec>,
    pub interaction_by_token: HashMap<String, u64>,
    pub requests: Vec<RecordedRequest>,
    pub sessions: Sessions,
    pub dispatched_at: HashMap<u64, Instant>,
    pub faults: Vec<Fault>,
    pub dm_blocked: HashSet<u64>,
    pub heartbeat_acks: bool,
    /// A stalled gateway answers no HEARTBEAT and holds each IDENTIFY here until it recovers.
    pub stalled: bool,
    pub held_identifies: Vec<HeldIdentify>,
    pub rate: RateLimiter,
    /// (author, nonce) → (message id, when).
    pub nonces: HashMap<(u64, String), (u64, Instant)>,
    pub global_commands: Vec<Value>,
    pub guild_commands: HashMap<u64, Vec<Value>>,
    pub token: Option<String>,
    /// Overwrites, the intent flag, membership and reset tokens (see `admin`).
    pub admin: crate::admin::Admin,
    /// Every attached file by attachment id, with its channel, for `GET /attachments/...`.
    pub attachments: HashMap<u64, (u64, crate::SimAttachment)>,
}

/// An IDENTIFY received while the gateway was stalled, answered when it recovers.
#[derive(Debug)]
pub struct HeldIdentify {
    pub conn: u64,
    pub tx: tokio::sync::mpsc::UnboundedSender<crate::session::Outbound>,
    pub payload: Value,
}

impl State {
    pub fn new(world: World, rate: RateLimiter) -> State {
        let channels = world
            .guild
            .channels
            .iter()
            .map(|c| (c.id, c.clone()))
            .collect();
        let admin = crate::admin::Admin::new(&world, true);
        State {
            application_id: world.bot.id,
            world,
            ids: IdGen::default(),
            channels,
            history: HashMap::new(),
            message_channel: HashMap::new(),
            dm_of_user: HashMap::new(),
            ephemeral: HashMap::new(),
            interactions: HashMap::new(),
            interaction_by_token: HashMap::new(),
            requests: Vec::new(),
            sessions: Sessions::default(),
            dispatched_at: HashMap::new(),
            faults: Vec::new(),
            dm_blocked: HashSet::new(),
            heartbeat_acks: true,
            stalled: false,
            held_identifies: Vec::new(),
            rate,
            nonces: HashMap::new(),
            global_commands: Vec::new(),
            guild_commands: HashMap::new(),
            token: None,
            admin,
            attachments: HashMap::new(),
        }
    }

    pub fn bot_id(&self) -> u64 {
        self.world.bot.id
    }

    pub fn threads(&self) -> impl Iterator<Item = &SimChannel> {
        self.channels.values().filter(|c| c.kind.is_thread())
    }

    pub fn last_message_id(&self, channel: u64) -> Option<u64> {
        self.history
            .get(&channel)
            .and_then(|h| h.last())
            .map(|m| m.id)
    }

    pub fn message(&self, id: u64) -> Option<&SimMessage> {
        let channel = self.message_channel.get(&id)?;
        self.history.get(channel)?.iter().find(|m| m.id == id)
    }

    /// A message from a channel history or an ephemeral interaction response.
    pub fn any_message(&self, id: u64) -> Option<&SimMessage> {
        self.message(id).or_else(|| self.ephemeral.get(&id))
    }

    pub fn message_mut(&mut self, id: u64) -> Option<&mut SimMessage> {
        let channel = self.message_channel.get(&id)?;
        self.history
            .get_mut(channel)?
            .iter_mut()
            .find(|m| m.id == id)
    }

    /// The guild a channel belongs to (`None` for DMs and unknown channels).
    pub fn guild_of(&self, channel: u64) -> Option<u64> {
        self.channels.get(&channel).and_then(|c| c.guild_id)
    }

    /// The DM channel between the bot and `user`, created on first use (no event: Discord
    /// sends CHANNEL_CREATE for DMs only lazily, and serenity does not need it).
    pub fn dm_channel(&mut self, user: u64) -> u64 {
        if let Some(id) = self.dm_of_user.get(&user) {
            return *id;
        }
        let id = self.ids.next();
        self.channels.insert(
            id,
            SimChannel {
                id,
                kind: ChannelKind::Dm,
                name: String::new(),
                guild_id: None,
                parent_id: None,
                topic: None,
                position: 0,
                available_tags: Vec::new(),
                owner_id: None,
                recipient: Some(user),
                permission_overwrites: Vec::new(),
            },
        );
        self.dm_of_user.insert(user, id);
        id
    }

    /// Sends an event to every session that may receive it.
    pub fn dispatch(&mut self, event: Event) {
        let bot = self.bot_id();
        self.sessions.dispatch(event, bot);
    }

    /// Creates a thread channel (no event; callers dispatch THREAD_CREATE when the thread's
    /// content is in place).
    pub fn new_thread(
        &mut self,
        id: u64,
        parent: u64,
        name: &str,
        kind: ChannelKind,
        owner: u64,
    ) -> SimChannel {
        let guild_id = self.guild_of(parent);
        let thread = SimChannel {
            id,
            kind,
            name: name.to_string(),
            guild_id,
            parent_id: Some(parent),
            topic: None,
            position: 0,
            available_tags: Vec::new(),
            owner_id: Some(owner),
            recipient: None,
            permission_overwrites: Vec::new(),
        };
        self.channels.insert(id, thread.clone());
        thread
    }
}
