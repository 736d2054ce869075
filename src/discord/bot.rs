//! The running bot's shared state: what every event handler and catch-up pass reads. It
//! holds no behaviour of its own, so `handler` and `catchup` both depend on it and not on
//! each other.

use std::sync::{Arc, OnceLock};

use super::delivery::Delivery;
use super::places::Places;
use crate::clock::Clock;
use crate::config::Config;
use crate::desk::Desk;
use crate::model::{ChannelId, GuildId, UserId};
use crate::names::ChannelNames;

pub struct Bot {
    pub desk: Arc<Desk>,
    pub delivery: Arc<Delivery>,
    pub places: Places,
    pub clock: Arc<dyn Clock>,
    /// Where slash commands are registered; `None` registers them globally.
    pub guild: Option<GuildId>,
    /// frontdesk's own user, known from READY on.
    pub me: OnceLock<UserId>,
    /// Where DM conversations are mirrored, each in a private thread.
    pub staff_channel: Option<ChannelId>,
}

impl Bot {
    pub fn new(
        desk: Arc<Desk>,
        delivery: Arc<Delivery>,
        clock: Arc<dyn Clock>,
        config: &Config,
        names: Arc<ChannelNames>,
    ) -> Bot {
        Bot {
            desk,
            delivery,
            places: Places::new(config.watch.clone(), config.discord.message_content, names),
            clock,
            guild: config.discord.guild,
            me: OnceLock::new(),
            staff_channel: config.discord.staff_channel,
        }
    }
}
