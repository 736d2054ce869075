//! `frontdesk doctor`: reads the bot, its application and its server from Discord and reports
//! every problem between them and the config, each with its fix. `run` does the same at start,
//! in the background over the bot's own client (so within its global budget), and logs a
//! one-line summary when something is wrong.
//!
//! `findings` decides (pure); this file reads (`discord::inspect`) and reports. `database`
//! reports a database the bot could not write, from the health file it keeps.

pub mod database;
pub mod findings;

use std::io::Write;

pub use findings::{diagnose, summary, Finding, Server, Snapshot};

use crate::config::Config;
use crate::discord::inspect::{InspectError, Inspector};

/// The outcome of a check.
#[derive(Debug)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// What was read, when the token worked.
    pub snapshot: Option<Snapshot>,
}

impl Report {
    pub fn is_healthy(&self) -> bool {
        self.findings.is_empty()
    }
}

/// The invite link for an application: the `bot` and `applications.commands` scopes with
/// exactly the permissions frontdesk uses (`core::permissions`).
pub fn invite_url(application: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application}&scope=bot+applications.commands&permissions={}",
        crate::core::permissions::invite_permissions()
    )
}

/// Reads everything the findings need through `discord`. A token Discord refuses is a
/// finding, not an error; a Discord that cannot be reached is an error.
pub async fn examine(config: &Config, discord: &Inspector) -> Result<Report, InspectError> {
    let data_dir = config.resolve(&config.data_dir);
    let database = database::finding(&data_dir, crate::desk::Health::read(&data_dir).as_ref());
    let bot = match discord.me().await {
        Ok(bot) => bot,
        Err(InspectError::Unauthorized) => {
            let refused = Finding {
                problem: "Discord refuses the bot token (401 Unauthorized): it is mistyped, or was reset".into(),
                fix: "copy a fresh token from the Developer Portal (your application → Bot → Reset Token) into DISCORD_TOKEN or the token file".into(),
            };
            return Ok(Report {
                findings: std::iter::once(refused).chain(database).collect(),
                snapshot: None,
            });
        }
        Err(e) => return Err(e),
    };
    let application = discord.application().await?;
    let guilds: Vec<u64> = discord.guilds().await?.iter().map(|g| g.id).collect();
    let server = match config.discord.guild {
        Some(id) if guilds.contains(&id.0) => read_server(discord, config, id.0, bot.id).await?,
        _ => None,
    };
    let snapshot = Snapshot {
        bot,
        application,
        guilds,
        server,
    };
    let mut findings = diagnose(config, &snapshot, &invite_url(snapshot.application.id));
    findings.extend(database);
    Ok(Report {
        findings,
        snapshot: Some(snapshot),
    })
}

async fn read_server(
    discord: &Inspector,
    config: &Config,
    id: u64,
    bot: u64,
) -> Result<Option<Server>, InspectError> {
    let Some(guild) = discord.guild(id).await? else {
        return Ok(None);
    };
    let (channels, roles, bot_roles) = tokio::join!(
        discord.channels(id),
        discord.roles(id),
        discord.member_roles(id, bot)
    );
    let mut owners = Vec::new();
    for owner in &config.staff.owners {
        owners.push((owner.0, discord.member_roles(id, owner.0).await?.is_some()));
    }
    Ok(Some(Server {
        guild,
        channels: channels?,
        roles: roles?,
        bot_roles: bot_roles?,
        owners,
    }))
}

/// Prints the report: what was checked, then each finding with its fix.
pub fn print(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some(s) = &report.snapshot {
        writeln!(
            out,
            "token      ok: bot \"{}\", application \"{}\"",
            s.bot.display_name(),
            s.application.name
        )?;
        if let Some(server) = &s.server {
            writeln!(
                out,
                "server     \"{}\": {} channels, {} roles",
                server.guild.name,
                server.channels.len(),
                server.roles.len()
            )?;
        }
    }
    if report.findings.is_empty() {
        writeln!(out, "doctor     no problems found")?;
        return Ok(());
    }
    writeln!(out, "doctor     {} problem(s):", report.findings.len())?;
    for f in &report.findings {
        writeln!(out, "\n{f}")?;
    }
    Ok(())
}

/// How long `run`'s check lets the bot's own start (gateway, commands) go first.
const START_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// `run`'s check at start, over the running bot's client: logs the summary when something is
/// wrong. It runs beside the bot, after its start, and its reads take the global budget at
/// its lowest priority, so it never delays an acknowledgement; its own failure is logged at
/// debug level only, because the bot reports an unreachable Discord itself.
pub async fn check_at_start(config: Config, discord: Inspector) {
    tokio::time::sleep(START_DELAY).await;
    match examine(&config, &discord).await {
        Ok(report) if report.is_healthy() => tracing::debug!("doctor: no problems found"),
        Ok(report) => tracing::warn!("{}", summary(&report.findings)),
        Err(e) => tracing::debug!(error = %e, "doctor could not check the server at start"),
    }
}
