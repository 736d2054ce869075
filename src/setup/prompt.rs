//! The interactive form of `setup`: each choice asked at the terminal (dialoguer), with the
//! lists read from the server and a default for everything that has one.

use std::path::{Path, PathBuf};

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

use super::choices::{Choices, HoursPreset, Offer, Places, PublicStaffChannel};
use super::SetupError;
use crate::discord::inspect::{Channel, GuildSummary, Role};

/// Questions at the terminal. Build it only when standard input is a terminal.
pub struct Prompts {
    theme: ColorfulTheme,
}

impl Prompts {
    pub fn new() -> Prompts {
        Prompts {
            theme: ColorfulTheme::default(),
        }
    }
}

impl Default for Prompts {
    fn default() -> Self {
        Prompts::new()
    }
}

fn hashed(list: &[Channel]) -> Vec<String> {
    list.iter().map(|c| format!("#{}", c.name)).collect()
}

impl Choices for Prompts {
    fn token(&mut self) -> Result<String, SetupError> {
        Ok(Password::with_theme(&self.theme)
            .with_prompt(
                "Bot token (Developer Portal → your application → Bot → Reset Token; hidden)",
            )
            .interact()?)
    }

    fn overwrite(&mut self, path: &Path) -> Result<bool, SetupError> {
        Ok(Confirm::with_theme(&self.theme)
            .with_prompt(format!("{} exists. Replace it?", path.display()))
            .default(false)
            .interact()?)
    }

    fn guild<'a>(&mut self, guilds: &'a [GuildSummary]) -> Result<&'a GuildSummary, SetupError> {
        if guilds.len() == 1 {
            return Ok(&guilds[0]);
        }
        let names: Vec<&str> = guilds.iter().map(|g| g.name.as_str()).collect();
        let i = Select::with_theme(&self.theme)
            .with_prompt("The bot is in several servers. Which one is yours?")
            .items(&names)
            .default(0)
            .interact()?;
        Ok(&guilds[i])
    }

    fn places(&mut self, offer: &Offer<'_>) -> Result<Places, SetupError> {
        loop {
            let mut places = Places {
                channels: Vec::new(),
                forums: Vec::new(),
            };
            if !offer.text.is_empty() {
                let picked = MultiSelect::with_theme(&self.theme)
                    .with_prompt("Channels where customers write (space picks, enter confirms)")
                    .items(hashed(offer.text))
                    .interact()?;
                places.channels = picked.iter().map(|i| offer.text[*i].id).collect();
            }
            if !offer.forums.is_empty() {
                let picked = MultiSelect::with_theme(&self.theme)
                    .with_prompt(
                        "Forums where each post is a question (space picks, enter confirms)",
                    )
                    .items(hashed(offer.forums))
                    .interact()?;
                places.forums = picked.iter().map(|i| offer.forums[*i].id).collect();
            }
            if !places.channels.is_empty() || !places.forums.is_empty() {
                return Ok(places);
            }
            eprintln!(
                "Pick at least one channel or forum: frontdesk answers only where it watches."
            );
        }
    }

    fn staff_channel(&mut self, text: &[Channel], public: &[u64]) -> Result<u64, SetupError> {
        let items: Vec<String> = text
            .iter()
            .map(|c| match public.contains(&c.id) {
                true => format!("#{} (every member can see it)", c.name),
                false => format!("#{}", c.name),
            })
            .collect();
        let private = |c: &Channel| !public.contains(&c.id);
        let staff = |c: &Channel| c.name.contains("staff");
        let default = text
            .iter()
            .position(|c| private(c) && staff(c))
            .or_else(|| text.iter().position(private))
            .or_else(|| text.iter().position(staff))
            .unwrap_or(0);
        let i = Select::with_theme(&self.theme)
            .with_prompt(
                "The private staff channel (notices when DMs are closed, DM relay threads)",
            )
            .items(&items)
            .default(default)
            .interact()?;
        Ok(text[i].id)
    }

    fn public_staff_channel(&mut self, channel: &str) -> Result<PublicStaffChannel, SetupError> {
        let items = [
            format!("I made #{channel} private: check again"),
            "Pick another channel".to_string(),
            format!("Keep #{channel} (every member will read the notices)"),
        ];
        let i = Select::with_theme(&self.theme)
            .with_prompt(format!("#{channel} is not private. What now?"))
            .items(&items)
            .default(0)
            .interact()?;
        Ok(match i {
            0 => PublicStaffChannel::CheckAgain,
            1 => PublicStaffChannel::PickAnother,
            _ => PublicStaffChannel::Keep,
        })
    }

    fn staff_roles(&mut self, roles: &[Role]) -> Result<Vec<u64>, SetupError> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = roles.iter().map(|r| format!("@{}", r.name)).collect();
        let picked = MultiSelect::with_theme(&self.theme)
            .with_prompt("Staff roles: their replies count as answers (space picks, enter confirms; none is fine)")
            .items(&names)
            .interact()?;
        Ok(picked.iter().map(|i| roles[*i].id).collect())
    }

    fn owner(&mut self, default: u64, default_name: &str) -> Result<u64, SetupError> {
        let answer: String = Input::with_theme(&self.theme)
            .with_prompt(format!("Owner to notify and remind (Enter keeps the server owner, {default_name}; or a user id)"))
            .default(default.to_string())
            .validate_with(|s: &String| {
                s.trim()
                    .parse::<u64>()
                    .map(|_| ())
                    .map_err(|_| "a user id is a number (Developer Mode on, right-click the person → Copy User ID)")
            })
            .interact_text()?;
        Ok(answer.trim().parse().unwrap_or(default))
    }

    fn business_name(&mut self, default: &str) -> Result<String, SetupError> {
        Ok(Input::with_theme(&self.theme)
            .with_prompt("Business name, as acknowledgements say it")
            .default(default.to_string())
            .interact_text()?)
    }

    fn owner_name(&mut self, default: &str) -> Result<String, SetupError> {
        Ok(Input::with_theme(&self.theme)
            .with_prompt("How acknowledgements name the owner (never a ping)")
            .default(default.to_string())
            .interact_text()?)
    }

    fn time_zone(&mut self, default: &str) -> Result<String, SetupError> {
        Ok(Input::with_theme(&self.theme)
            .with_prompt("Time zone (IANA name)")
            .default(default.to_string())
            .validate_with(|s: &String| {
                jiff::tz::TimeZone::get(s.trim())
                    .map(|_| ())
                    .map_err(|_| "an IANA name such as Europe/London or America/Toronto")
            })
            .interact_text()?)
    }

    fn hours(&mut self) -> Result<HoursPreset, SetupError> {
        let labels: Vec<&str> = HoursPreset::ALL.iter().map(|h| h.label()).collect();
        let i = Select::with_theme(&self.theme)
            .with_prompt("Business hours (outside them the \"closed\" texts answer; edit the config for more)")
            .items(&labels)
            .default(0)
            .interact()?;
        Ok(HoursPreset::ALL[i])
    }

    fn token_file(&mut self, suggested: &Path) -> Result<Option<PathBuf>, SetupError> {
        let items = [
            format!(
                "in {} (readable only by you), named in the config",
                suggested.display()
            ),
            "nowhere: I will set DISCORD_TOKEN each time".to_string(),
        ];
        let i = Select::with_theme(&self.theme)
            .with_prompt("Where should the token be kept?")
            .items(&items)
            .default(0)
            .interact()?;
        Ok((i == 0).then(|| suggested.to_path_buf()))
    }

    fn replace_token_file(&mut self, path: &Path) -> Result<bool, SetupError> {
        Ok(Confirm::with_theme(&self.theme)
            .with_prompt(format!(
                "{} exists and holds something else. Replace it with this token?",
                path.display()
            ))
            .default(false)
            .interact()?)
    }

    fn can_wait(&self) -> bool {
        true
    }
}
