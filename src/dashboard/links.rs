//! Login links and the key that signs them. A link carries who it is for, when it stops
//! working and a random nonce, signed with HMAC-SHA256. The key lives in its own file in the
//! data directory (`dashboard.key`, mode 0600, created on first use), so `frontdesk
//! dashboard-link` can sign links while the bot holds the database lock; the running bot
//! records each nonce when the link is used, so a link works once.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use crate::model::{GuildId, UserId};

/// How long a login link works.
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_mins(10);
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "dashboard.key";
const KEY_LEN: usize = 32;
const PAYLOAD_LEN: usize = 8 + 8 + 8 + 16;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or create the dashboard key {path}: {reason}\n  fix: check that the data directory exists and this user may write to it (start the bot once first)")]
    Io { path: PathBuf, reason: String },
    #[error("the dashboard key {path} is damaged (not {KEY_LEN} bytes)\n  fix: delete it; a new one is made on the next start (links already sent stop working)")]
    Damaged { path: PathBuf },
    #[error("no random numbers from the operating system")]
    Random,
}

/// Why a link was refused. Shown to the person who opened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("This sign-in link is not valid. Type /dashboard in Discord for a new one.")]
    Invalid,
    #[error("This sign-in link has expired (links work for 10 minutes). Type /dashboard in Discord for a new one.")]
    Expired,
    #[error("This sign-in link was already used (each link works once). Type /dashboard in Discord for a new one.")]
    Used,
}

/// What a valid link says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub user: UserId,
    /// The server the link was asked for in, to check the person's staff role there.
    pub guild: Option<GuildId>,
    pub expires: Timestamp,
    pub nonce: [u8; 16],
}

/// The signing key.
pub struct LoginKey {
    key: hmac::Key,
    rng: SystemRandom,
}

impl std::fmt::Debug for LoginKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginKey([redacted])")
    }
}

impl LoginKey {
    /// Reads the key from `data_dir`, creating it (owner-only) if there is none.
    pub fn load_or_create(data_dir: &Path) -> Result<LoginKey, KeyError> {
        let path = data_dir.join(KEY_FILE);
        let io = |e: std::io::Error| KeyError::Io {
            path: path.clone(),
            reason: e.to_string(),
        };
        let rng = SystemRandom::new();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                let mut bytes = [0u8; KEY_LEN];
                rng.fill(&mut bytes).map_err(|_| KeyError::Random)?;
                file.write_all(&bytes).map_err(io)?;
                file.sync_all().map_err(io)?;
                tracing::info!(path = %path.display(), "created the dashboard's signing key");
            }
            // Made by the bot or an earlier `dashboard-link`: read it below.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(e)),
        }
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(io)?;
        if bytes.len() != KEY_LEN {
            return Err(KeyError::Damaged { path });
        }
        Ok(LoginKey {
            key: hmac::Key::new(hmac::HMAC_SHA256, &bytes),
            rng,
        })
    }

    /// A new token for `user`, valid for [`LINK_LIFETIME`] from `now`.
    pub fn mint(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        now: Timestamp,
    ) -> Result<String, KeyError> {
        let mut nonce = [0u8; 16];
        self.rng.fill(&mut nonce).map_err(|_| KeyError::Random)?;
        let expires = now.saturating_add(LINK_LIFETIME).unwrap_or(now);
        let mut payload = Vec::with_capacity(PAYLOAD_LEN);
        payload.extend(expires.as_second().to_be_bytes());
        payload.extend(user.0.to_be_bytes());
        payload.extend(guild.map_or(0, |g| g.0).to_be_bytes());
        payload.extend(nonce);
        let tag = hmac::sign(&self.key, &payload);
        Ok(format!(
            "{}.{}",
            B64.encode(&payload),
            B64.encode(tag.as_ref())
        ))
    }

    /// Checks a token's signature and time (not whether it was used: the store knows that).
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Login, LinkError> {
        let (payload, tag) = token.trim().split_once('.').ok_or(LinkError::Invalid)?;
        let payload = B64.decode(payload).map_err(|_| LinkError::Invalid)?;
        let tag = B64.decode(tag).map_err(|_| LinkError::Invalid)?;
        hmac::verify(&self.key, &payload, &tag).map_err(|_| LinkError::Invalid)?;
        if payload.len() != PAYLOAD_LEN {
            return Err(LinkError::Invalid);
        }
        let u = |at: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&payload[at..at + 8]);
            u64::from_be_bytes(b)
        };
        let expires = Timestamp::from_second(u(0) as i64).map_err(|_| LinkError::Invalid)?;
        if now >= expires {
            return Err(LinkError::Expired);
        }
        let mut nonce = [0u8; 16];
        nonce.copy_from_slice(&payload[24..]);
        Ok(Login {
            user: UserId(u(8)),
            guild: (u(16) != 0).then_some(GuildId(u(16))),
            expires,
            nonce,
        })
    }

    /// A random id (a session's), URL-safe.
    pub fn random_id(&self) -> Result<String, KeyError> {
        let mut bytes = [0u8; 32];
        self.rng.fill(&mut bytes).map_err(|_| KeyError::Random)?;
        Ok(B64.encode(bytes))
    }

    /// The CSRF token of a session: its id signed, so it need not be stored.
    pub fn csrf_token(&self, session: &str) -> String {
        B64.encode(hmac::sign(&self.key, format!("csrf:{session}").as_bytes()).as_ref())
    }

    /// Whether `token` is the CSRF token of `session` (compared in constant time).
    pub fn csrf_ok(&self, session: &str, token: &str) -> bool {
        B64.decode(token.trim()).is_ok_and(|tag| {
            hmac::verify(&self.key, format!("csrf:{session}").as_bytes(), &tag).is_ok()
        })
    }
}

/// The link people open.
pub fn login_url(base: &str, token: &str) -> String {
    format!("{}/login?t={token}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).expect("time")
    }

    #[test]
    fn a_link_verifies_until_it_expires_and_not_after_tampering() {
        let dir = tempfile::tempdir().expect("dir");
        let key = LoginKey::load_or_create(dir.path()).expect("key");
        let token = key.mint(UserId(7), Some(GuildId(9)), at(0)).expect("mint");
        let login = key.verify(&token, at(599)).expect("valid");
        assert_eq!((login.user, login.guild), (UserId(7), Some(GuildId(9))));
        assert_eq!(key.verify(&token, at(600)), Err(LinkError::Expired));
        let mut bad = token.clone().into_bytes();
        bad[3] = if bad[3] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).expect("ascii");
        assert_eq!(key.verify(&bad, at(1)), Err(LinkError::Invalid));
        assert_eq!(key.verify("nonsense", at(1)), Err(LinkError::Invalid));
        // The same file gives the same key (the CLI and the bot); another key refuses it.
        let again = LoginKey::load_or_create(dir.path()).expect("key");
        assert!(again.verify(&token, at(1)).is_ok());
        let other = tempfile::tempdir().expect("dir");
        let stranger = LoginKey::load_or_create(other.path()).expect("key");
        assert_eq!(stranger.verify(&token, at(1)), Err(LinkError::Invalid));
        assert!(!format!("{key:?}").contains(&token));
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        LoginKey::load_or_create(dir.path()).expect("key");
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_csrf_token_belongs_to_its_session() {
        let dir = tempfile::tempdir().expect("dir");
        let key = LoginKey::load_or_create(dir.path()).expect("key");
        let token = key.csrf_token("abc");
        assert!(key.csrf_ok("abc", &token));
        assert!(!key.csrf_ok("abd", &token));
        assert!(!key.csrf_ok("abc", ""));
    }
}
