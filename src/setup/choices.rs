//! The choices `setup` makes, and where they come from: flags (`FromFlags`) or questions
//! (`prompt::Prompts`), behind one trait so that the flow is the same for both. Names are
//! matched here: `#help`, `help` and the id all pick the same channel.

use std::path::{Path, PathBuf};

use crate::discord::inspect::{Channel, GuildSummary, Role};

use super::SetupError;

/// Business hours offered as one simple choice; finer ones are edited in the config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum HoursPreset {
    /// Monday to Friday, 09:00–17:00.
    #[default]
    Weekdays,
    /// Monday to Friday 09:00–17:00, Saturday 10:00–14:00.
    WeekdaysAndSaturday,
    /// Every day, 09:00–17:00.
    EveryDay,
    /// Always open: the "closed" rules never answer.
    Always,
}

impl HoursPreset {
    pub const ALL: [HoursPreset; 4] = [
        HoursPreset::Weekdays,
        HoursPreset::WeekdaysAndSaturday,
        HoursPreset::EveryDay,
        HoursPreset::Always,
    ];

    pub fn label(self) -> &'static str {
        match self {
            HoursPreset::Weekdays => "Monday–Friday 09:00–17:00",
            HoursPreset::WeekdaysAndSaturday => "Monday–Friday 09:00–17:00, Saturday 10:00–14:00",
            HoursPreset::EveryDay => "every day 09:00–17:00",
            HoursPreset::Always => "always open",
        }
    }

    /// Monday first, as the config's day keys.
    pub fn week(self) -> [&'static str; 7] {
        const NINE_TO_FIVE: &str = "09:00-17:00";
        match self {
            HoursPreset::Weekdays => [
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                "closed",
                "closed",
            ],
            HoursPreset::WeekdaysAndSaturday => [
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                NINE_TO_FIVE,
                "10:00-14:00",
                "closed",
            ],
            HoursPreset::EveryDay => [NINE_TO_FIVE; 7],
            HoursPreset::Always => ["00:00-00:00"; 7],
        }
    }
}

/// Where the places to watch are picked from.
pub struct Offer<'a> {
    pub text: &'a [Channel],
    pub forums: &'a [Channel],
}

/// What the owner picked to watch.
pub struct Places {
    pub channels: Vec<u64>,
    pub forums: Vec<u64>,
}

/// What to do about a staff channel every member can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicStaffChannel {
    /// Its permissions were changed on Discord meanwhile: read them again.
    CheckAgain,
    PickAnother,
    /// Keep it anyway (`doctor` keeps reporting it).
    Keep,
}

/// The decisions of a setup, asked in this order.
pub trait Choices {
    /// The token, when DISCORD_TOKEN is not set.
    fn token(&mut self) -> Result<String, SetupError>;
    /// Whether an existing config may be replaced.
    fn overwrite(&mut self, path: &Path) -> Result<bool, SetupError>;
    /// The server among those the bot is in (at least one).
    fn guild<'a>(&mut self, guilds: &'a [GuildSummary]) -> Result<&'a GuildSummary, SetupError>;
    fn places(&mut self, offer: &Offer<'_>) -> Result<Places, SetupError>;
    /// The staff channel among the text channels; `public` are those every member sees.
    fn staff_channel(&mut self, text: &[Channel], public: &[u64]) -> Result<u64, SetupError>;
    /// The picked staff channel is visible to `@everyone` (setup printed why and the fix).
    fn public_staff_channel(&mut self, channel: &str) -> Result<PublicStaffChannel, SetupError>;
    /// Roles to pick from: the server's, without `@everyone` and bots' own roles.
    fn staff_roles(&mut self, roles: &[Role]) -> Result<Vec<u64>, SetupError>;
    /// The owner's user id; `default` is the server's owner.
    fn owner(&mut self, default: u64, default_name: &str) -> Result<u64, SetupError>;
    fn business_name(&mut self, default: &str) -> Result<String, SetupError>;
    fn owner_name(&mut self, default: &str) -> Result<String, SetupError>;
    fn time_zone(&mut self, default: &str) -> Result<String, SetupError>;
    fn hours(&mut self) -> Result<HoursPreset, SetupError>;
    /// Where to keep the token (`None`: nowhere, DISCORD_TOKEN at each start).
    fn token_file(&mut self, suggested: &Path) -> Result<Option<PathBuf>, SetupError>;
    /// Whether an existing token file holding something else may be replaced.
    fn replace_token_file(&mut self, path: &Path) -> Result<bool, SetupError>;
    /// Whether the flow may wait for the bot to be invited (else it stops with the link).
    fn can_wait(&self) -> bool;
}

/// The choices given as flags. A required choice that is missing is an error naming its flag.
#[derive(Clone, Debug, Default)]
pub struct FromFlags {
    pub force: bool,
    pub guild: Option<String>,
    pub watch: Vec<String>,
    pub forums: Vec<String>,
    pub staff_channel: Option<String>,
    pub staff_roles: Vec<String>,
    pub owner: Option<String>,
    pub business_name: Option<String>,
    pub owner_name: Option<String>,
    pub time_zone: Option<String>,
    pub hours: Option<HoursPreset>,
    pub token_file: Option<PathBuf>,
}

impl Choices for FromFlags {
    fn token(&mut self) -> Result<String, SetupError> {
        Err(SetupError::NoToken)
    }

    fn overwrite(&mut self, _path: &Path) -> Result<bool, SetupError> {
        Ok(self.force)
    }

    fn guild<'a>(&mut self, guilds: &'a [GuildSummary]) -> Result<&'a GuildSummary, SetupError> {
        match &self.guild {
            Some(want) => guilds
                .iter()
                .find(|g| {
                    g.id.to_string() == want.trim() || g.name.eq_ignore_ascii_case(want.trim())
                })
                .ok_or_else(|| SetupError::NotFound {
                    flag: "--guild",
                    value: want.clone(),
                    choices: names(guilds.iter().map(|g| g.name.as_str())),
                }),
            None if guilds.len() == 1 => Ok(&guilds[0]),
            None => Err(SetupError::Missing {
                flag: "--guild",
                what: "the bot is in several servers: which one is yours".into(),
                choices: names(guilds.iter().map(|g| g.name.as_str())),
            }),
        }
    }

    fn places(&mut self, offer: &Offer<'_>) -> Result<Places, SetupError> {
        if self.watch.is_empty() && self.forums.is_empty() {
            return Err(SetupError::Missing {
                flag: "--watch",
                what: "no place to watch: name the channels (--watch, repeatable) or forums (--forum) where customers write".into(),
                choices: channel_names(offer.text.iter().chain(offer.forums)),
            });
        }
        Ok(Places {
            channels: self
                .watch
                .iter()
                .map(|w| pick_channel(w, offer.text, "--watch").map(|c| c.id))
                .collect::<Result<_, _>>()?,
            forums: self
                .forums
                .iter()
                .map(|f| pick_channel(f, offer.forums, "--forum").map(|c| c.id))
                .collect::<Result<_, _>>()?,
        })
    }

    fn staff_channel(&mut self, text: &[Channel], _public: &[u64]) -> Result<u64, SetupError> {
        match &self.staff_channel {
            Some(s) => pick_channel(s, text, "--staff-channel").map(|c| c.id),
            None => Err(SetupError::Missing {
                flag: "--staff-channel",
                what: "no staff channel: name a private text channel for notices when an owner's DMs are closed, and for the DM relay threads".into(),
                choices: channel_names(text.iter()),
            }),
        }
    }

    fn staff_roles(&mut self, roles: &[Role]) -> Result<Vec<u64>, SetupError> {
        self.staff_roles
            .iter()
            .map(|want| {
                let w = want.trim().trim_start_matches('@');
                roles
                    .iter()
                    .find(|r| r.id.to_string() == w || r.name.eq_ignore_ascii_case(w))
                    .map(|r| r.id)
                    .ok_or_else(|| SetupError::NotFound {
                        flag: "--staff-role",
                        value: want.clone(),
                        choices: names(roles.iter().map(|r| r.name.as_str())),
                    })
            })
            .collect()
    }

    fn owner(&mut self, default: u64, _default_name: &str) -> Result<u64, SetupError> {
        match &self.owner {
            None => Ok(default),
            Some(o) => o.trim().parse().map_err(|_| SetupError::NotFound {
                flag: "--owner",
                value: o.clone(),
                choices: "a user id (Developer Mode on, right-click the person → Copy User ID)"
                    .into(),
            }),
        }
    }

    fn business_name(&mut self, default: &str) -> Result<String, SetupError> {
        Ok(self
            .business_name
            .clone()
            .unwrap_or_else(|| default.to_string()))
    }

    fn owner_name(&mut self, default: &str) -> Result<String, SetupError> {
        Ok(self
            .owner_name
            .clone()
            .unwrap_or_else(|| default.to_string()))
    }

    fn time_zone(&mut self, default: &str) -> Result<String, SetupError> {
        Ok(self
            .time_zone
            .clone()
            .unwrap_or_else(|| default.to_string()))
    }

    fn hours(&mut self) -> Result<HoursPreset, SetupError> {
        Ok(self.hours.unwrap_or_default())
    }

    fn token_file(&mut self, _suggested: &Path) -> Result<Option<PathBuf>, SetupError> {
        Ok(self.token_file.clone())
    }

    /// The warning is printed and `doctor`'s finding ends setup with exit 1: a script stops
    /// there, with the fix, and the config is ready once the channel is private.
    fn public_staff_channel(&mut self, _channel: &str) -> Result<PublicStaffChannel, SetupError> {
        Ok(PublicStaffChannel::Keep)
    }

    fn replace_token_file(&mut self, _path: &Path) -> Result<bool, SetupError> {
        Ok(self.force)
    }

    fn can_wait(&self) -> bool {
        false
    }
}

/// A channel by id, `#name` or `name` (case-insensitive).
pub fn pick_channel<'a>(
    want: &str,
    among: &'a [Channel],
    flag: &'static str,
) -> Result<&'a Channel, SetupError> {
    let w = want.trim().trim_start_matches('#');
    among
        .iter()
        .find(|c| c.id.to_string() == w || c.name.eq_ignore_ascii_case(w))
        .ok_or_else(|| SetupError::NotFound {
            flag,
            value: want.to_string(),
            choices: channel_names(among.iter()),
        })
}

fn channel_names<'a>(list: impl Iterator<Item = &'a Channel>) -> String {
    names(
        list.map(|c| c.name.as_str())
            .map(|n| format!("#{n}"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    )
}

fn names<'a>(list: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = list.collect();
    if all.is_empty() {
        "(none)".into()
    } else {
        all.join(", ")
    }
}
