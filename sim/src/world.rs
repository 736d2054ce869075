//! The static world a simulator starts with: one guild, its channels and roles, the bot and
//! the people. `World::demo()` is the small business used by the demo and the tests.

/// Discord channel types the simulator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    Text,
    Dm,
    PublicThread,
    PrivateThread,
    Forum,
}

impl ChannelKind {
    /// Discord's numeric `type`.
    pub fn code(self) -> u8 {
        match self {
            ChannelKind::Text => 0,
            ChannelKind::Dm => 1,
            ChannelKind::PublicThread => 11,
            ChannelKind::PrivateThread => 12,
            ChannelKind::Forum => 15,
        }
    }

    pub fn is_thread(self) -> bool {
        matches!(self, ChannelKind::PublicThread | ChannelKind::PrivateThread)
    }
}

/// A tag offered by a forum channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimForumTag {
    pub id: u64,
    pub name: String,
}

/// A channel of any kind: guild channel, thread or DM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimChannel {
    pub id: u64,
    pub kind: ChannelKind,
    pub name: String,
    /// Guild of a guild channel or thread; `None` for DMs.
    pub guild_id: Option<u64>,
    /// Parent channel of a thread.
    pub parent_id: Option<u64>,
    pub topic: Option<String>,
    pub position: u16,
    pub available_tags: Vec<SimForumTag>,
    /// Creator of a thread.
    pub owner_id: Option<u64>,
    /// The other person of a DM channel (the bot being the first).
    pub recipient: Option<u64>,
    /// The channel's permission overwrites when the simulator starts (a server's
    /// administration changes them later: see `Simulator::set_channel_overwrite`).
    pub permission_overwrites: Vec<SimOverwrite>,
}

/// Whom an overwrite applies to, with Discord's `type` (0 role, 1 member).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverwriteFor {
    Role(u64),
    Member(u64),
}

/// One entry of a channel's `permission_overwrites`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimOverwrite {
    pub target: OverwriteFor,
    pub allow: u64,
    pub deny: u64,
}

impl SimChannel {
    fn guild_channel(id: u64, kind: ChannelKind, name: &str) -> SimChannel {
        SimChannel {
            id,
            kind,
            name: name.to_string(),
            guild_id: None,
            parent_id: None,
            topic: None,
            position: 0,
            available_tags: Vec::new(),
            owner_id: None,
            recipient: None,
            permission_overwrites: Vec::new(),
        }
    }

    pub fn text(id: u64, name: &str) -> SimChannel {
        SimChannel::guild_channel(id, ChannelKind::Text, name)
    }

    pub fn forum(id: u64, name: &str, tags: Vec<SimForumTag>) -> SimChannel {
        let mut c = SimChannel::guild_channel(id, ChannelKind::Forum, name);
        c.available_tags = tags;
        c
    }

    pub fn with_topic(mut self, topic: &str) -> SimChannel {
        self.topic = Some(topic.to_string());
        self
    }
}

/// A guild role. `id == guild id` is @everyone, as on Discord.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRole {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    pub position: u16,
}

/// A user; `roles` are their roles in the world's guild.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimUser {
    pub id: u64,
    /// The username (unique, lower case).
    pub name: String,
    /// The display name (`global_name`); `None` shows the username, as Discord does.
    pub display_name: Option<String>,
    /// The server nickname, which the server shows before the display name.
    pub nick: Option<String>,
    pub bot: bool,
    pub roles: Vec<u64>,
}

impl SimUser {
    pub fn new(id: u64, name: &str) -> SimUser {
        SimUser {
            id,
            name: name.to_string(),
            display_name: None,
            nick: None,
            bot: false,
            roles: Vec::new(),
        }
    }

    pub fn with_display_name(mut self, name: &str) -> SimUser {
        self.display_name = Some(name.to_string());
        self
    }

    pub fn with_nick(mut self, nick: &str) -> SimUser {
        self.nick = Some(nick.to_string());
        self
    }

    pub fn bot(id: u64, name: &str) -> SimUser {
        SimUser {
            bot: true,
            ..SimUser::new(id, name)
        }
    }

    pub fn with_role(mut self, role: u64) -> SimUser {
        self.roles.push(role);
        self
    }
}

/// The one guild of a world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimGuild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub channels: Vec<SimChannel>,
    pub roles: Vec<SimRole>,
}

/// Permission bits used by the demo roles.
pub mod perms {
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const CREATE_PRIVATE_THREADS: u64 = 1 << 36;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    pub const EVERYONE: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS;
    pub const STAFF: u64 = EVERYONE | MANAGE_MESSAGES | MANAGE_THREADS | CREATE_PRIVATE_THREADS;
    /// The role Discord makes for a bot invited with frontdesk's invite link.
    pub const BOT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | READ_MESSAGE_HISTORY
        | MANAGE_THREADS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | SEND_MESSAGES_IN_THREADS;
}

impl SimGuild {
    /// A guild with only its @everyone role.
    pub fn new(id: u64, name: &str, owner_id: u64) -> SimGuild {
        SimGuild {
            id,
            name: name.to_string(),
            owner_id,
            channels: Vec::new(),
            roles: vec![SimRole {
                id,
                name: "@everyone".to_string(),
                permissions: perms::EVERYONE,
                position: 0,
            }],
        }
    }

    pub fn with_channel(mut self, mut channel: SimChannel) -> SimGuild {
        channel.guild_id = Some(self.id);
        channel.position = self.channels.len() as u16;
        self.channels.push(channel);
        self
    }

    /// A private channel, as Discord's "Private Channel" switch makes one: `@everyone` is
    /// denied View Channel and each role of `seen_by` is allowed it.
    pub fn with_private_channel(self, mut channel: SimChannel, seen_by: &[u64]) -> SimGuild {
        channel.permission_overwrites.push(SimOverwrite {
            target: OverwriteFor::Role(self.id),
            allow: 0,
            deny: perms::VIEW_CHANNEL,
        });
        channel
            .permission_overwrites
            .extend(seen_by.iter().map(|role| SimOverwrite {
                target: OverwriteFor::Role(*role),
                allow: perms::VIEW_CHANNEL,
                deny: 0,
            }));
        self.with_channel(channel)
    }

    pub fn with_role(mut self, id: u64, name: &str, permissions: u64) -> SimGuild {
        let position = self.roles.len() as u16;
        self.roles.push(SimRole {
            id,
            name: name.to_string(),
            permissions,
            position,
        });
        self
    }
}

/// Everything the simulator starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct World {
    pub guild: SimGuild,
    pub bot: SimUser,
    /// The people (not the bot), owner included.
    pub users: Vec<SimUser>,
}

/// Fixed ids of `World::demo()`. Readable on purpose, so logs and test failures are easy to
/// follow; simulator-made ids (messages, threads, DMs) are time-based and much larger.
pub mod demo {
    pub const GUILD: u64 = 100_000_000_000_000_001;
    pub const HELP: u64 = 100_000_000_000_000_010;
    pub const QUESTIONS: u64 = 100_000_000_000_000_011;
    pub const STAFF: u64 = 100_000_000_000_000_012;
    pub const TAG_ORDERS: u64 = 100_000_000_000_000_030;
    pub const TAG_RETURNS: u64 = 100_000_000_000_000_031;
    pub const EVERYONE_ROLE: u64 = GUILD;
    pub const STAFF_ROLE: u64 = 100_000_000_000_000_020;
    /// The bot's own role, as Discord creates it when the bot joins through an invite link.
    pub const BOT_ROLE: u64 = 100_000_000_000_000_021;
    pub const OWNER: u64 = 100_000_000_000_000_100;
    pub const ALICE: u64 = 100_000_000_000_000_101;
    pub const BOB: u64 = 100_000_000_000_000_102;
    pub const CAROL: u64 = 100_000_000_000_000_103;
    pub const CUSTOMERS: [u64; 3] = [ALICE, BOB, CAROL];
    pub const BOT: u64 = 100_000_000_000_000_900;
    /// Newer Discord applications share their id with their bot user.
    pub const APPLICATION: u64 = BOT;
}

impl World {
    pub fn new(guild: SimGuild, bot: SimUser) -> World {
        World {
            guild,
            bot,
            users: Vec::new(),
        }
    }

    pub fn with_user(mut self, user: SimUser) -> World {
        self.users.push(user);
        self
    }

    /// "Maple & Thread", a small sewing shop: #help, forum #questions, a private #staff (only
    /// the Staff role and the bot's role see it), a Staff role, the owner Sam (Staff), three
    /// customers and the bot. Ids are in [`demo`].
    pub fn demo() -> World {
        let guild = SimGuild::new(demo::GUILD, "Maple & Thread", demo::OWNER)
            .with_role(demo::STAFF_ROLE, "Staff", perms::STAFF)
            .with_role(demo::BOT_ROLE, "Frontdesk", perms::BOT)
            .with_channel(SimChannel::text(demo::HELP, "help").with_topic("Ask us anything"))
            .with_channel(SimChannel::forum(
                demo::QUESTIONS,
                "questions",
                vec![
                    SimForumTag {
                        id: demo::TAG_ORDERS,
                        name: "orders".to_string(),
                    },
                    SimForumTag {
                        id: demo::TAG_RETURNS,
                        name: "returns".to_string(),
                    },
                ],
            ))
            .with_private_channel(
                SimChannel::text(demo::STAFF, "staff"),
                &[demo::STAFF_ROLE, demo::BOT_ROLE],
            );
        World::new(
            guild,
            SimUser::bot(demo::BOT, "Frontdesk").with_role(demo::BOT_ROLE),
        )
        .with_user(
            SimUser::new(demo::OWNER, "maple_owner")
                .with_display_name("Sam")
                .with_role(demo::STAFF_ROLE),
        )
        .with_user(SimUser::new(demo::ALICE, "alice"))
        .with_user(SimUser::new(demo::BOB, "bob"))
        .with_user(SimUser::new(demo::CAROL, "carol"))
    }

    /// The bot or a person with that id.
    pub fn user(&self, id: u64) -> Option<&SimUser> {
        if self.bot.id == id {
            return Some(&self.bot);
        }
        self.users.iter().find(|u| u.id == id)
    }

    pub fn channel(&self, id: u64) -> Option<&SimChannel> {
        self.guild.channels.iter().find(|c| c.id == id)
    }

    /// Every member of the guild, bot included.
    pub fn members(&self) -> impl Iterator<Item = &SimUser> {
        std::iter::once(&self.bot).chain(self.users.iter())
    }
}
