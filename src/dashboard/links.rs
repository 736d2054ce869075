//! Login links and the key that signs them. A link carries who it is for, the server whose
//! staff role counts, when it stops working and a random nonce, signed with HMAC-SHA256.
//!
//! The key's one home is its file in the data directory (`dashboard.key`, mode 0600), so
//! `frontdesk dashboard-link` can sign links while the bot holds the database lock. Every link
//! is signed and checked with what the file holds at that moment (32 bytes, read each time):
//! deleting the file voids every link not yet used, and the next link made, by `/dashboard` or
//! `dashboard-link`, writes a new key that the running bot checks against from then on. The
//! running bot records each nonce when the link is used, so a link works once. CSRF tokens do
//! not use this key: they belong to the sessions, which live in memory, and so does their key
//! (a new key file signs nobody out).

use std::io::Write;
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
    #[error("the dashboard key {path} is damaged (not {KEY_LEN} bytes)\n  fix: delete it; the next sign-in link makes a new one (links already sent stop working)")]
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
    /// The server whose staff roles count (where `/dashboard` ran, or the configured one when
    /// it ran in a DM).
    pub guild: Option<GuildId>,
    pub expires: Timestamp,
    pub nonce: [u8; 16],
}

/// The signing key's file, and the in-memory key of this process's sessions.
pub struct LoginKey {
    path: PathBuf,
    rng: SystemRandom,
    /// Signs CSRF tokens; made at start, like the sessions it protects.
    session_key: hmac::Key,
}

impl std::fmt::Debug for LoginKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginKey")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LoginKey {
    /// The key in `data_dir`, created (owner-only) if there is none; refuses a damaged one.
    pub fn load_or_create(data_dir: &Path) -> Result<LoginKey, KeyError> {
        let rng = SystemRandom::new();
        let mut session = [0u8; KEY_LEN];
        rng.fill(&mut session).map_err(|_| KeyError::Random)?;
        let key = LoginKey {
            path: data_dir.join(KEY_FILE),
            rng,
            session_key: hmac::Key::new(hmac::HMAC_SHA256, &session),
        };
        key.current_or_create()?;
        Ok(key)
    }

    fn io(&self, e: std::io::Error) -> KeyError {
        KeyError::Io {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }

    /// What the file holds now; `None` when there is no file.
    fn current(&self) -> Result<Option<hmac::Key>, KeyError> {
        match std::fs::read(&self.path) {
            Ok(bytes) if bytes.len() == KEY_LEN => {
                Ok(Some(hmac::Key::new(hmac::HMAC_SHA256, &bytes)))
            }
            Ok(_) => Err(KeyError::Damaged {
                path: self.path.clone(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(e)),
        }
    }

    /// What the file holds, after writing a new key if there is none.
    fn current_or_create(&self) -> Result<hmac::Key, KeyError> {
        if let Some(key) = self.current()? {
            return Ok(key);
        }
        self.create()?;
        self.current()?.ok_or_else(|| {
            self.io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "deleted as soon as it was made",
            ))
        })
    }

    /// Writes a new key under a temporary name and publishes it whole, and only if there is
    /// still none: a hard link fails when the name is taken, so the bot and `dashboard-link`
    /// making one at the same moment both end up with the first.
    fn create(&self) -> Result<(), KeyError> {
        let mut bytes = [0u8; KEY_LEN];
        self.rng.fill(&mut bytes).map_err(|_| KeyError::Random)?;
        let mut tag = [0u8; 9];
        self.rng.fill(&mut tag).map_err(|_| KeyError::Random)?;
        let temp = self
            .path
            .with_file_name(format!("{KEY_FILE}.{}.new", B64.encode(tag)));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options.open(&temp).and_then(|mut file| {
            file.write_all(&bytes)?;
            file.sync_all()
        });
        let published = written.and_then(|()| match std::fs::hard_link(&temp, &self.path) {
            Ok(()) => Ok(true),
            // Someone else's is there now: that one counts.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            // A file system without hard links: a rename, after looking (a race there only
            // voids the link of whoever made the other key).
            Err(_) if self.path.exists() => Ok(false),
            Err(_) => std::fs::rename(&temp, &self.path).map(|()| true),
        });
        let _ = std::fs::remove_file(&temp);
        if published.map_err(|e| self.io(e))? {
            tracing::info!(path = %self.path.display(), "created the dashboard's signing key");
        }
        Ok(())
    }

    /// A new token for `user`, valid for [`LINK_LIFETIME`] from `now`, signed with the key
    /// file as it is now (a new one if it was deleted).
    pub fn mint(
        &self,
        user: UserId,
        guild: Option<GuildId>,
        now: Timestamp,
    ) -> Result<String, KeyError> {
        let key = self.current_or_create()?;
        let mut nonce = [0u8; 16];
        self.rng.fill(&mut nonce).map_err(|_| KeyError::Random)?;
        let expires = now.saturating_add(LINK_LIFETIME).unwrap_or(now);
        let mut payload = Vec::with_capacity(PAYLOAD_LEN);
        payload.extend(expires.as_second().to_be_bytes());
        payload.extend(user.0.to_be_bytes());
        payload.extend(guild.map_or(0, |g| g.0).to_be_bytes());
        payload.extend(nonce);
        let tag = hmac::sign(&key, &payload);
        Ok(format!(
            "{}.{}",
            B64.encode(&payload),
            B64.encode(tag.as_ref())
        ))
    }

    /// Checks a token's signature against the key file as it is now, and its time (not
    /// whether it was used: the store knows that). No key file: no link is valid.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Login, LinkError> {
        let (payload, tag) = token.trim().split_once('.').ok_or(LinkError::Invalid)?;
        let payload = B64.decode(payload).map_err(|_| LinkError::Invalid)?;
        let tag = B64.decode(tag).map_err(|_| LinkError::Invalid)?;
        let key = match self.current() {
            Ok(Some(key)) => key,
            Ok(None) => return Err(LinkError::Invalid),
            Err(e) => {
                tracing::error!(error = %e, "a sign-in link was refused: the key cannot be read");
                return Err(LinkError::Invalid);
            }
        };
        hmac::verify(&key, &payload, &tag).map_err(|_| LinkError::Invalid)?;
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
        B64.encode(hmac::sign(&self.session_key, format!("csrf:{session}").as_bytes()).as_ref())
    }

    /// Whether `token` is the CSRF token of `session` (compared in constant time).
    pub fn csrf_ok(&self, session: &str, token: &str) -> bool {
        B64.decode(token.trim()).is_ok_and(|tag| {
            hmac::verify(
                &self.session_key,
                format!("csrf:{session}").as_bytes(),
                &tag,
            )
            .is_ok()
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
    fn deleting_the_key_voids_its_links_and_the_next_key_counts_at_once() {
        let dir = tempfile::tempdir().expect("dir");
        let bot = LoginKey::load_or_create(dir.path()).expect("key");
        let old = bot.mint(UserId(7), None, at(0)).expect("mint");
        std::fs::remove_file(dir.path().join(KEY_FILE)).expect("delete");
        assert_eq!(bot.verify(&old, at(1)), Err(LinkError::Invalid));
        // `dashboard-link` (another process) makes the next key; the bot accepts its links.
        let cli = LoginKey::load_or_create(dir.path()).expect("new key");
        let new = cli.mint(UserId(7), None, at(2)).expect("mint");
        assert!(bot.verify(&new, at(3)).is_ok());
        assert_eq!(bot.verify(&old, at(3)), Err(LinkError::Invalid));
        // And the other way round: after a second delete, `/dashboard` in the bot makes one.
        std::fs::remove_file(dir.path().join(KEY_FILE)).expect("delete");
        let from_bot = bot.mint(UserId(7), None, at(4)).expect("mint");
        assert!(cli.verify(&from_bot, at(5)).is_ok());
        assert_eq!(cli.verify(&new, at(5)), Err(LinkError::Invalid));
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, [KEY_FILE]);
    }

    #[test]
    fn a_damaged_key_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().expect("dir");
        let key = LoginKey::load_or_create(dir.path()).expect("key");
        let token = key.mint(UserId(7), None, at(0)).expect("mint");
        std::fs::write(dir.path().join(KEY_FILE), b"short").expect("damage");
        assert_eq!(key.verify(&token, at(1)), Err(LinkError::Invalid));
        let err = key.mint(UserId(7), None, at(1)).expect_err("damaged");
        assert!(matches!(err, KeyError::Damaged { .. }), "{err}");
        assert!(err.to_string().contains("fix: delete it"), "{err}");
        assert!(LoginKey::load_or_create(dir.path()).is_err());
    }

    #[test]
    fn a_new_key_file_leaves_csrf_tokens_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let key = LoginKey::load_or_create(dir.path()).expect("key");
        let token = key.csrf_token("abc");
        std::fs::remove_file(dir.path().join(KEY_FILE)).expect("delete");
        key.mint(UserId(7), None, at(0)).expect("a new key");
        assert!(key.csrf_ok("abc", &token));
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
