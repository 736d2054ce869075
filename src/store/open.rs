//! Opening the database: the data directory is frontdesk's own (empty, or sled's files and
//! the marker), owner-only, and the in-memory index and away notice are loaded from it.

use std::path::Path;
use std::sync::Arc;

use super::{index, keys, Store, StoreError, SCHEMA_VERSION};
use crate::model::MessageId;
use crate::sync::RwLockExt;

impl Store {
    /// Opens (or creates, owner-only) the database in `path`, flushed in the background
    /// every [`crate::config::DEFAULT_FLUSH_EVERY`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_flushing_every(path, crate::config::DEFAULT_FLUSH_EVERY)
    }

    /// Whether `path` holds a frontdesk database (the bot has opened it there at least once),
    /// read without opening it: `dashboard-link` writes the dashboard's key only beside one.
    pub fn exists_in(path: &Path) -> bool {
        path.join(MARKER).is_file()
    }

    /// Opens the database; sled makes writes durable in the background every `flush_every`
    /// (besides the explicit [`Store::flush`]es).
    pub fn open_flushing_every(
        path: &Path,
        flush_every: jiff::SignedDuration,
    ) -> Result<Store, StoreError> {
        let flush_ms = u64::try_from(flush_every.as_millis()).unwrap_or(200).max(1);
        // Written once the schema is stamped: sled silently starts empty on a database whose
        // log is unreadable, and without this mark that would pass for a first start.
        let marked = path.join(MARKER).exists();
        if path.is_dir() && !looks_like_sled(path)? {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
            });
        }
        create_private_dir(path).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
            fix: "create the directory yourself or choose one this user may write to".into(),
        })?;
        let open = || {
            sled::Config::new()
                .path(path)
                // Small: what the intake touches is the tails of a few growing trees, and the
                // rest is read rarely (ticks, commands); a bigger cache only holds pages read
                // once at open, as memory, for no intake speed.
                .cache_capacity(4 * 1024 * 1024)
                .flush_every_ms(Some(flush_ms))
                .open()
                .map_err(|e| open_error(path, e))
        };
        // sled's background flusher lets go of the lock up to one flush interval after the
        // last handle is dropped, so a reopen in the same process (a restart of the bot,
        // `demo`, tests) can find it still held: wait that long before calling it in use.
        let patience = 10 + flush_ms / 100;
        let mut tries = 0;
        let db = loop {
            match open() {
                Err(StoreError::Locked { .. }) if tries < patience => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => break other?,
            }
        };
        let tree = |name: &str| db.open_tree(name);
        let heads = tree("heads")?;
        let claims = tree("claims")?;
        let group: Arc<super::group::GroupFlush> = Arc::default();
        let store = Store {
            path: path.to_path_buf(),
            meta: tree("meta")?,
            conversations: tree("conversations")?,
            messages: tree("messages")?,
            heads,
            claims,
            outbox: tree("outbox")?,
            checkpoints: tree("checkpoints")?,
            replies: tree("replies")?,
            dm_channels: tree("dm_channels")?,
            blocked: tree("blocked")?,
            notice_posts: tree("notice_posts")?,
            stats: tree("stats")?,
            aggregate: Arc::default(),
            index: Arc::default(),
            away: Arc::default(),
            blocked_users: Arc::default(),
            group: group.clone(),
            _last: Arc::new(super::group::LastHandle(group)),
            health: Arc::new(super::health::Monitor::open(path)),
            db,
        };
        store.check_schema(marked)?;
        store.load_memory()?;
        store.secure_files();
        if !marked {
            write_marker(path).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                reason: e.to_string(),
                fix: "check that the data directory is writable by this user and the disk is not full".into(),
            })?;
        }
        Ok(store)
    }

    /// Rebuilds the in-memory index from the heads and reads the away notice.
    pub(super) fn load_memory(&self) -> Result<(), StoreError> {
        let mut index = index::Builder::default();
        for entry in self.heads.iter() {
            let (k, v) = entry?;
            // A second access to each head's page, so sled's cache can let go of the pages
            // read here: its LRU only takes in accesses in batches of 64 per shard (of 256),
            // and a plain scan touches each page once, too few for most shards ever to evict.
            self.heads.get(&k)?;
            let head = keys::read_u64(&k, 0).and_then(|id| index::Head::decode(MessageId(id), &v));
            match head {
                Some(h) => index.add(&h),
                None => tracing::error!(
                    key = ?k,
                    "skipping an unreadable conversation head; export the database and report this"
                ),
            }
        }
        *self.index_mut() = index.finish();
        *self.away.writing() = self.read_away()?;
        *self.blocked_users.writing() = self.read_blocked()?;
        self.load_stats()?;
        Ok(())
    }

    /// Makes every file and folder in the data directory the owner's alone. sled creates its
    /// files with the process umask (often 0644); the directory itself is 0700, so this is a
    /// second fence, for a directory later copied or re-permissioned. Called on open and on
    /// shutdown (sled may add snapshot files while running).
    pub fn secure_files(&self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut dirs = vec![self.path.clone()];
            while let Some(dir) = dirs.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let path = entry.path();
                    let Ok(meta) = entry.metadata() else { continue };
                    let mode = if meta.is_dir() {
                        dirs.push(path.clone());
                        0o700
                    } else {
                        0o600
                    };
                    if meta.permissions().mode() & 0o077 != 0 {
                        if let Err(e) =
                            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                        {
                            tracing::warn!(path = %path.display(), error = %e, "cannot make a database file private");
                        }
                    }
                }
            }
        }
    }
}

/// A directory frontdesk may use: empty, or holding sled's own files.
pub(super) fn looks_like_sled(path: &Path) -> Result<bool, StoreError> {
    let entries = std::fs::read_dir(path).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
        fix: "check that this user may read the data directory".into(),
    })?;
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    Ok(names.is_empty()
        || names
            .iter()
            .any(|n| n == "conf" || n == "db" || n == MARKER))
}

/// The file that says "a frontdesk database lives here", next to sled's own files.
pub(super) const MARKER: &str = "FRONTDESK";

pub(super) fn write_marker(dir: &Path) -> std::io::Result<()> {
    let text = format!(
        "A frontdesk database (schema {SCHEMA_VERSION}). Keep this file with the others: without it\na damaged database could not be told from a new one.\n"
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(dir.join(MARKER))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()
}

pub(super) fn create_private_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !path.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(path)?;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(path)
    }
}

pub(super) fn open_error(path: &Path, e: sled::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("lock") {
        return StoreError::Locked {
            path: path.to_path_buf(),
        };
    }
    let fix = match e {
        sled::Error::Corruption { .. } => "the database is damaged (often after a power loss): move the directory aside, restore your latest backup or start empty; frontdesk's catch-up then re-reads recent Discord history",
        sled::Error::Io(_) => "check that the directory exists, is writable by this user, and the disk is not full",
        _ => "move the directory aside and start frontdesk again; report the error if it persists",
    };
    StoreError::Open {
        path: path.to_path_buf(),
        reason: text,
        fix: fix.into(),
    }
}
