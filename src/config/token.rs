//! The bot token: where it comes from (`DISCORD_TOKEN`, the systemd credential, the token
//! file named in the config) and the [`Secret`] that holds it, which never prints.

use std::fmt;
use std::path::{Path, PathBuf};

use super::Config;

/// A secret (the bot token) that never prints: `Debug` and `Display` show `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The only way to read it: name the call site when auditing where the token goes.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Reads the bot token: `DISCORD_TOKEN` first, then the configured token file.
pub fn load_token(env: Option<String>, file: Option<&Path>) -> Result<Secret, TokenError> {
    if let Some(t) = env.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
        return Ok(Secret(t));
    }
    let Some(file) = file else {
        return Err(TokenError::Missing);
    };
    let text = std::fs::read_to_string(file).map_err(|e| TokenError::Unreadable {
        path: file.to_path_buf(),
        reason: e.to_string(),
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(TokenError::Empty {
            path: file.to_path_buf(),
        });
    }
    Ok(Secret(token.to_string()))
}

/// The name of the systemd credential holding the token (`LoadCredential=discord-token:…`).
pub const CREDENTIAL_NAME: &str = "discord-token";

/// The token file systemd hands the service (`$CREDENTIALS_DIRECTORY/discord-token`), if any.
pub fn credential_file() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY")?;
    let file = Path::new(&dir).join(CREDENTIAL_NAME);
    file.is_file().then_some(file)
}

/// The token for a config: `DISCORD_TOKEN`, else the systemd credential, else `token_file`.
pub fn token_for(config: &Config) -> Result<Secret, TokenError> {
    let file = credential_file().or_else(|| {
        config
            .discord
            .token_file
            .as_ref()
            .map(|f| config.resolve(f))
    });
    load_token(std::env::var("DISCORD_TOKEN").ok(), file.as_deref())
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no bot token\n  fix: set DISCORD_TOKEN, or put the token alone in a file and name it in the config as `token_file`, or let `frontdesk setup` do it (Developer Portal → your app → Bot → Reset Token)")]
    Missing,
    #[error("cannot read token file {path}: {reason}\n  fix: check the path in `token_file` and that this user may read it")]
    Unreadable { path: PathBuf, reason: String },
    #[error("token file {path} is empty\n  fix: paste the bot token (Developer Portal → your app → Bot) into it")]
    Empty { path: PathBuf },
}
