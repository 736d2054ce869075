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
use frontdesk::export::{self, Format};
use frontdesk::store::Store;

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
    /// Run the loopback Discord simulator alone, for `frontdesk run --discord-api` and scripts.
    Sim {
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Validate the config and responses/; with --try, show the acknowledgement for a message.
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
            ExitCode::from(1)
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
            at,
            place,
            late,
            away,
        } => {
            let req = CheckRequest {
                config,
                responses,
                try_text,
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
            let store = Store::open(&dir)?;
            let count = match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    let mut w = std::io::BufWriter::new(file);
                    let n = export::export(&store, format, &mut w)?;
                    w.flush()?;
                    n
                }
                None => export::export(&store, format, &mut std::io::stdout().lock())?,
            };
            eprintln!("exported {count} conversation(s) from {}", dir.display());
            Ok(())
        }
        Command::Run {
            config,
            discord_api,
        } => {
            let config = frontdesk::config::Config::load(&config)?;
            let token = frontdesk::config::load_token(
                std::env::var("DISCORD_TOKEN").ok(),
                config
                    .discord
                    .token_file
                    .as_ref()
                    .map(|f| config.resolve(f))
                    .as_deref(),
            )?;
            let mut opts = BotOptions::new(config, token, Arc::new(SystemClock));
            if let Some(api) = discord_api {
                opts.api = Some(api.trim_end_matches('/').to_string());
            }
            runtime()?.block_on(frontdesk::app::run(opts, shutdown_signal()))?;
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
            if !dir.is_dir() {
                anyhow::bail!(
                    "no data directory at {}\n  fix: start the bot first (`frontdesk run`); the link works only while it runs",
                    dir.display()
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
