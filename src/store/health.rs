//! Whether the database is writing: the first write or flush error since the last success,
//! kept in memory for the web page and in a small file in the data directory for `doctor`
//! (a separate process, which cannot open the database while the bot holds its lock).
//!
//! The file is opened when the store opens and kept open, because the error worth reporting
//! is often "Too many open files": a report that needed a new file then could not be written.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::sync::LockExt;

/// The health file's name in the data directory.
pub const HEALTH_FILE: &str = "HEALTH";

/// What the store last saw of its own writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Health {
    Ok,
    /// Writes have failed since `since`; `error` is the first failure's cause.
    Failing {
        since: Timestamp,
        error: String,
    },
}

impl Health {
    /// What to do about a failing database, by its cause; `None` while it writes.
    pub fn fix(&self) -> Option<&'static str> {
        let Health::Failing { error, .. } = self else {
            return None;
        };
        let cause = error.to_lowercase();
        let has = |needles: &[&str]| needles.iter().any(|n| cause.contains(n));
        Some(if has(&["too many open files", "os error 24"]) {
            "raise the open-file limit (the shipped systemd unit sets LimitNOFILE=16384; `ulimit -n` in a shell, the nofile ulimit in a container) and look for what holds so many files, then restart frontdesk"
        } else if has(&["no space", "os error 28"]) {
            "free disk space on the data directory's file system, then restart frontdesk"
        } else if has(&["file too large", "os error 27"]) {
            "the process's file-size limit (`ulimit -f`, LimitFSIZE=) is too small for the database: lift it, then restart frontdesk"
        } else if has(&[
            "permission denied",
            "read-only",
            "os error 13",
            "os error 30",
        ]) {
            "make the data directory writable by the bot's user (and its file system writable), then restart frontdesk"
        } else {
            "check free disk space, the data directory's permissions and the open-file limit, then restart frontdesk"
        })
    }

    /// Reads a health file written by a running (or the last) bot; `None` if there is none
    /// or it cannot be read.
    pub fn read(data_dir: &Path) -> Option<Health> {
        let bytes = std::fs::read(data_dir.join(HEALTH_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

pub(super) struct Monitor {
    state: Mutex<Health>,
    file: Option<Mutex<File>>,
}

impl Monitor {
    /// Opens (creating, owner-only) the health file in `dir` and marks the store healthy.
    pub(super) fn open(dir: &Path) -> Monitor {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = match options.open(dir.join(HEALTH_FILE)) {
            Ok(f) => Some(Mutex::new(f)),
            Err(e) => {
                tracing::warn!(error = %e, "cannot create the database's health file; `doctor` will not see write errors");
                None
            }
        };
        let monitor = Monitor {
            state: Mutex::new(Health::Ok),
            file,
        };
        monitor.write(&Health::Ok);
        monitor
    }

    pub(super) fn current(&self) -> Health {
        self.state.locked().clone()
    }

    /// A write or flush failed. Logged and recorded once per failing period.
    pub(super) fn failed(&self, error: &dyn std::fmt::Display) {
        let mut state = self.state.locked();
        if matches!(*state, Health::Failing { .. }) {
            return;
        }
        // The cause only: the error's own "fix:" line is for the log, and `doctor` and the
        // web page give the fix for the cause.
        let error = error.to_string();
        let error = error.lines().next().unwrap_or_default().to_string();
        tracing::error!(%error, "the database cannot write; what is not stored is read again from Discord's history once it can (restart frontdesk after fixing the cause)");
        *state = Health::Failing {
            since: Timestamp::now(),
            error,
        };
        self.write(&state);
    }

    /// A flush succeeded: everything written so far is durable.
    pub(super) fn succeeded(&self) {
        let mut state = self.state.locked();
        if *state == Health::Ok {
            return;
        }
        tracing::info!("the database writes again");
        *state = Health::Ok;
        self.write(&state);
    }

    /// Best effort: the in-memory state is the one that counts while the bot runs.
    fn write(&self, health: &Health) {
        let Some(file) = &self.file else { return };
        let Ok(bytes) = serde_json::to_vec(health) else {
            return;
        };
        let file = file.locked();
        let written = file.set_len(0).and_then(|()| write_at_start(&file, &bytes));
        if let Err(e) = written {
            tracing::warn!(error = %e, "cannot update the database's health file");
        }
    }
}

#[cfg(unix)]
fn write_at_start(file: &File, bytes: &[u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, 0)
}

#[cfg(not(unix))]
fn write_at_start(mut file: &File, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    file.seek(std::io::SeekFrom::Start(0))?;
    file.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_gets_its_own_fix() {
        let fix = |e: &str| {
            Health::Failing {
                since: Timestamp::UNIX_EPOCH,
                error: e.into(),
            }
            .fix()
            .expect("a fix")
        };
        assert!(fix("IO error: Too many open files (os error 24)").contains("LimitNOFILE"));
        assert!(fix("No space left on device (os error 28)").contains("free disk space"));
        assert!(fix("File too large (os error 27)").contains("file-size limit"));
        assert!(fix("Permission denied (os error 13)").contains("writable"));
        assert!(fix("something else").contains("restart frontdesk"));
    }

    #[test]
    fn a_failure_is_recorded_once_in_the_file_and_cleared_by_a_success() {
        let dir = tempfile::tempdir().expect("dir");
        let monitor = Monitor::open(dir.path());
        assert_eq!(Health::read(dir.path()), Some(Health::Ok));
        monitor.failed(&"Too many open files (os error 24)");
        monitor.failed(&"a second error in the same period");
        let Some(Health::Failing { error, .. }) = Health::read(dir.path()) else {
            panic!("failing in the file");
        };
        assert_eq!(error, "Too many open files (os error 24)");
        assert_eq!(monitor.current(), Health::read(dir.path()).expect("file"));
        monitor.succeeded();
        assert_eq!(Health::read(dir.path()), Some(Health::Ok));
        assert_eq!(Health::Ok.fix(), None);
        assert_eq!(monitor.current(), Health::Ok);
    }
}
