//! The `frontdesk` command: parses arguments, sets up logging, maps errors to exit codes.
//! Everything else lives in the library.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use frontdesk::app::BotOptions;
use frontdesk::check::{self, CheckRequest, TryPlace};
use frontdesk::clock::SystemClock;
use frontdesk::desk::Records;
use frontdesk::export::{self, Format};

/// A Discord front desk for small businesses: every customer is acknowledged at once, and the
/// owner is reminded until they have replied in person.
#[derive(Parser)]
#[command(name = "frontdesk", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot against Discord (token from DISCORD_TOKEN or the config's token_file).
    Run {
        /// The config file.
        #[arg(long, default_value = "frontdesk.toml")]
        config: PathBuf,
        /// Talk to this Discord-compatible API instead of discord.com (e.g. `frontdesk sim`).
        #[arg(long, value_name = "URL")]
        discord_api: Option<String>,
    },
    /// Offline demo: a simulated Discord server, the real bot, scripted customers and owner.
    Demo,
    /// First run: check the token, invite the bot, pick channels and people by name, write a
    /// commented config, then validate it and run `doctor`. Asks at the terminal; any choice
    /// flag (or --no-input) gives the choices as flags instead.
    Setup(Box<SetupArgs>),
    /// Check the config against Discord: token, intent, server, channels, roles, owners and the
    /// bot's permissions in each channel. Exit 1 when something is wrong.
    Doctor {
        /// The config file.
        #[arg(long, default_value = "frontdesk.toml")]
        config: PathBuf,
        /// Talk to this Discord-compatible API instead of discord.com.
        #[arg(long, value_name = "URL")]
        discord_api: Option<String>,
    },
    /// Run the loopback Discord simulator alone, for `frontdesk run --discord-api` and scripts.
    Sim {
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Validate the config and responses/; with --try, show the acknowledgement for a message;
    /// with --try-promise, whether a staff reply is a promise and when it would be followed up.
    Check {
        /// The config file [default: frontdesk.toml if present, else built-in defaults].
        #[arg(long)]
        config: Option<PathBuf>,
        /// The rules folder [default: `responses` from the config].
        #[arg(long)]
        responses: Option<PathBuf>,
        /// A customer message to try, e.g. "how much is shipping to Canada?".
        #[arg(long = "try", value_name = "TEXT")]
        try_text: Option<String>,
        /// A staff reply to try, e.g. "Let me check with the supplier": is it a promise (see
        /// responses/promises.toml), and when would its author be reminded?
        #[arg(long = "try-promise", value_name = "TEXT")]
        try_promise: Option<String>,
        /// Pretend it is this moment (RFC 3339, e.g. 2026-11-23T21:00:00Z) [default: now].
        #[arg(long, value_name = "TIME")]
        at: Option<jiff::Timestamp>,
        /// Where the message is posted.
        #[arg(long = "where", value_enum, default_value_t = TryPlace::Channel)]
        place: TryPlace,
        /// As if frontdesk were catching up on a message it missed while offline.
        #[arg(long)]
        late: bool,
        /// As if the owner had switched on away mode.
        #[arg(long)]
        away: bool,
    },
    /// Write every conversation as JSON lines or CSV (stop the bot first: the database allows
    /// one process at a time).
    Export {
        /// The config file (for `data_dir`) [default: frontdesk.toml if present].
        #[arg(long)]
        config: Option<PathBuf>,
        /// The data directory [default: `data_dir` from the config].
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print a sign-in link for the web dashboard (works once, for 10 minutes, while the bot
    /// runs; the same as `/dashboard` in Discord). Needs no database lock.
    DashboardLink {
        /// The config file (for `[dashboard]` and `data_dir`).
        #[arg(long, default_value = "frontdesk.toml")]
        config: PathBuf,
        /// Whose link: a Discord user id [default: the first owner in the config].
        #[arg(long, value_name = "USER_ID")]
        user: Option<u64>,
    },
}

#[derive(clap::Args)]
struct SetupArgs {
    /// Where to write the config.
    #[arg(long, default_value = "frontdesk.toml")]
    out: PathBuf,
    /// Replace an existing config, and an existing token file, without asking.
    #[arg(long)]
    force: bool,
    /// Talk to this Discord-compatible API instead of discord.com (also written into the config).
    #[arg(long, value_name = "URL")]
    discord_api: Option<String>,
    /// The database folder to write as `data_dir`, e.g. /var/lib/frontdesk for the systemd
    /// unit or /data in the container [default: `data` next to the config].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Ask nothing: every choice comes from the flags below (the token from DISCORD_TOKEN).
    #[arg(long)]
    no_input: bool,
    /// The server, by name or id [default: the only one the bot is in].
    #[arg(long, value_name = "SERVER")]
    guild: Option<String>,
    /// A text channel where customers write, by name or id (repeatable).
    #[arg(long, value_name = "CHANNEL")]
    watch: Vec<String>,
    /// A forum where each post is a question, by name or id (repeatable).
    #[arg(long, value_name = "FORUM")]
    forum: Vec<String>,
    /// The private staff channel, by name or id (one every member sees is reported, with the
    /// fix, and setup exits 1).
    #[arg(long, value_name = "CHANNEL")]
    staff_channel: Option<String>,
    /// A staff role, by name or id (repeatable).
    #[arg(long, value_name = "ROLE")]
    staff_role: Vec<String>,
    /// The owner's user id [default: the server's owner].
    #[arg(long, value_name = "USER_ID")]
    owner: Option<String>,
    /// The business name in acknowledgements [default: the server's name].
    #[arg(long, value_name = "NAME")]
    business_name: Option<String>,
    /// How acknowledgements name the owner [default: the owner's name in the server].
    #[arg(long, value_name = "NAME")]
    owner_name: Option<String>,
    /// IANA time zone [default: this machine's].
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// Business hours [default: weekdays].
    #[arg(long, value_enum)]
    hours: Option<frontdesk::setup::choices::HoursPreset>,
    /// Keep the token in this file (created readable only by you; never a symbolic link, and
    /// an existing one only with --force) and name it in the config; without it the token is
    /// stored nowhere and `run` needs DISCORD_TOKEN.
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
}

impl SetupArgs {
    /// The flag form runs when any choice is given as a flag.
    fn has_choices(&self) -> bool {
        self.no_input
            || self.guild.is_some()
            || !self.watch.is_empty()
            || !self.forum.is_empty()
            || self.staff_channel.is_some()
            || !self.staff_role.is_empty()
            || self.owner.is_some()
            || self.business_name.is_some()
            || self.owner_name.is_some()
            || self.time_zone.is_some()
            || self.hours.is_some()
            || self.token_file.is_some()
    }
}

/// Exit code of `doctor` (and `setup`) when the check found problems.
const EXIT_PROBLEMS: u8 = 1;
/// Exit code when `setup` must ask but cannot (standard input is not a terminal).
const EXIT_CANNOT_ASK: u8 = 2;

fn main() -> ExitCode {
    // Everything frontdesk writes (the database, exports) is customer data: owner-only.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    // The demo's transcript is the output; its logs stay quiet unless asked for.
    init_logging(if matches!(cli.command, Command::Demo) {
        "warn,serenity=error"
    } else {
        frontdesk::LOG_FILTER
    });
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", report(&e));
            match e.downcast_ref::<frontdesk::setup::SetupError>() {
                Some(frontdesk::setup::SetupError::NotATerminal) => ExitCode::from(EXIT_CANNOT_ASK),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// The error followed by its causes, as `{:#}` shows them, but without repeating a cause
/// whose text the message already shows: the library's errors embed their cause (`{0}`) so
/// that logs read well, and thiserror also reports it as the source.
fn report(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn init_logging(default: &str) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colour codes only for a person at a terminal: a log file or journald would keep them as
    // escape sequences. NO_COLOR (no-color.org) turns them off there too.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Check {
            config,
            responses,
            try_text,
            try_promise,
            at,
            place,
            late,
            away,
        } => {
            let req = CheckRequest {
                config,
                responses,
                try_text,
                try_promise,
                at,
                place,
                late,
                away,
            };
            let stdout = std::io::stdout();
            check::check(&req, &mut stdout.lock())?;
            Ok(())
        }
        Command::Export {
            config,
            data,
            format,
            out,
        } => {
            let dir = match data {
                Some(d) => d,
                None => {
                    let (config, _) = check::load_config(config.as_deref())?;
                    config.resolve(&config.data_dir)
                }
            };
            if !dir.exists() {
                anyhow::bail!(
                    "no database at {}\n  fix: pass --data with the bot's data directory, or --config with its config file",
                    dir.display()
                );
            }
            let records = Records::open(&dir)?;
            let count = match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    let mut w = std::io::BufWriter::new(file);
                    let n = export::export(&records, format, &mut w)?;
                    w.flush()?;
                    n
                }
                None => export::export(&records, format, &mut std::io::stdout().lock())?,
            };
            eprintln!("exported {count} conversation(s) from {}", dir.display());
            Ok(())
        }
        Command::Run {
            config,
            discord_api,
        } => {
            let config = frontdesk::config::Config::load(&config)?;
            let token = frontdesk::config::token_for(&config)?;
            let mut opts = BotOptions::new(config, token, Arc::new(SystemClock));
            if let Some(api) = discord_api {
                opts.api = Some(api.trim_end_matches('/').to_string());
            }
            // Beside the bot, never before it, over its client: the check must not delay the
            // first answer nor take a request beyond the bot's global budget.
            opts.check_at_start = true;
            frontdesk::process::raise_open_file_limit();
            let rt = runtime()?;
            let outcome = rt.block_on(frontdesk::app::run(opts, shutdown_signal()));
            // A runtime waits for its blocking tasks when dropped; one stuck in a database
            // that cannot write must not keep the process from exiting.
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
            outcome?;
            Ok(())
        }
        Command::Setup(args) => {
            let args = *args;
            use frontdesk::setup::{choices::FromFlags, prompt::Prompts, SetupError, SetupRequest};
            use std::io::IsTerminal;
            let req = SetupRequest {
                out: args.out.clone(),
                api: args.discord_api.clone(),
                token: std::env::var("DISCORD_TOKEN").ok(),
                data_dir: args.data_dir.clone(),
                budget: frontdesk::discord::pace::Pacer::discord(),
            };
            let mut choices: Box<dyn frontdesk::setup::choices::Choices> = if args.has_choices() {
                Box::new(FromFlags {
                    force: args.force,
                    guild: args.guild,
                    watch: args.watch,
                    forums: args.forum,
                    staff_channel: args.staff_channel,
                    staff_roles: args.staff_role,
                    owner: args.owner,
                    business_name: args.business_name,
                    owner_name: args.owner_name,
                    time_zone: args.time_zone,
                    hours: args.hours,
                    token_file: args.token_file,
                })
            } else if std::io::stdin().is_terminal() {
                Box::new(Prompts::new())
            } else {
                return Err(SetupError::NotATerminal.into());
            };
            let stdout = std::io::stdout();
            let outcome = runtime()?.block_on(frontdesk::setup::run(
                &req,
                choices.as_mut(),
                &mut stdout.lock(),
            ))?;
            if !outcome.doctor.is_healthy() {
                eprintln!("setup wrote {}, but doctor found the problems above: fix them, then run `frontdesk doctor --config {}`", outcome.config.display(), outcome.config.display());
                let _ = std::io::stdout().flush();
                std::process::exit(EXIT_PROBLEMS.into());
            }
            Ok(())
        }
        Command::Doctor {
            config,
            discord_api,
        } => {
            let config = frontdesk::config::Config::load(&config)?;
            let token = frontdesk::config::token_for(&config)?;
            let api = discord_api
                .map(|a| a.trim_end_matches('/').to_string())
                .or_else(|| config.discord.api.clone());
            let discord = frontdesk::discord::inspect::Inspector::connect(
                api.as_deref(),
                &token,
                frontdesk::discord::pace::Pacer::discord(),
            )?;
            let report = runtime()?.block_on(frontdesk::doctor::examine(&config, &discord))?;
            frontdesk::doctor::print(&report, &mut std::io::stdout().lock())?;
            if !report.is_healthy() {
                let _ = std::io::stdout().flush();
                std::process::exit(EXIT_PROBLEMS.into());
            }
            Ok(())
        }
        Command::DashboardLink { config, user } => {
            let config = frontdesk::config::Config::load(&config)?;
            let Some(settings) = &config.dashboard else {
                anyhow::bail!(
                    "the dashboard is off in {}\n  fix: add a [dashboard] section with `listen = \"127.0.0.1:8686\"` (see frontdesk.example.toml) and restart the bot",
                    config.path.as_deref().unwrap_or(std::path::Path::new("the config")).display()
                );
            };
            let user = match user.map(frontdesk::model::UserId).or_else(|| config.staff.owners.first().copied()) {
                Some(u) => u,
                None => anyhow::bail!(
                    "no user for the link: the config lists no owners\n  fix: pass --user with your Discord user id, or add yourself to `owners` under [discord]"
                ),
            };
            let dir = config.resolve(&config.data_dir);
            // Not before the first `run`: the link could not be used yet, and a key file alone
            // in a new directory would make `run` refuse it as someone else's.
            if !Records::exists_in(&dir) {
                anyhow::bail!(
                    "no frontdesk database in {} yet\n  fix: start the bot first (`frontdesk run --config {}`), then ask again; the link works only while the bot runs",
                    dir.display(),
                    config.path.as_deref().unwrap_or(std::path::Path::new("frontdesk.toml")).display()
                );
            }
            let key = frontdesk::dashboard::LoginKey::load_or_create(&dir)?;
            let token = key.mint(user, config.discord.guild, jiff::Timestamp::now())?;
            // Only to standard output, for the person who asked: never into a log.
            println!(
                "{}",
                frontdesk::dashboard::login_url(&settings.base_url(), &token)
            );
            eprintln!("This link signs {user} in once, within 10 minutes, while the bot runs. Do not share it.");
            Ok(())
        }
        Command::Demo => {
            runtime()?.block_on(frontdesk::demo::run_demo(&mut std::io::stdout()))?;
            Ok(())
        }
        Command::Sim { port } => {
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            eprintln!("Discord simulator on http://{addr} (demo server \"Maple & Thread\"); Ctrl-C stops it.");
            eprintln!("  bot:      DISCORD_TOKEN=any frontdesk run --config frontdesk.sim.toml --discord-api http://{addr}");
            eprintln!("  customer: curl -s http://{addr}/_sim/messages -H 'content-type: application/json' \\");
            eprintln!("              -d '{{\"author\":\"{}\",\"channel\":\"{}\",\"content\":\"how much is shipping?\"}}'", frontdesk_sim::demo::ALICE, frontdesk_sim::demo::HELP);
            eprintln!(
                "  watch:    curl -s http://{addr}/_sim/channels/{}/messages",
                frontdesk_sim::demo::HELP
            );
            runtime()?.block_on(frontdesk_sim::serve(
                addr,
                frontdesk_sim::World::demo(),
                frontdesk_sim::SimConfig::default(),
                async {
                    let _ = tokio::signal::ctrl_c().await;
                },
            ))?;
            Ok(())
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Completes on Ctrl-C or SIGTERM, so systemd and Docker stops are graceful too.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
