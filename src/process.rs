//! The process's open-file limit: raised to what the system allows at start, and read to size
//! what may hold descriptors (the dashboard's connections), so that the database, Discord and
//! the bot's own sockets always have theirs.

/// What the limit is assumed to be where it cannot be read (not Unix).
const UNKNOWN_LIMIT: u64 = 1024;

/// The soft open-file limit of this process.
pub fn open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, Resource};
        getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
    }
    #[cfg(not(unix))]
    {
        UNKNOWN_LIMIT
    }
}

/// Raises the soft open-file limit to the hard one (many systems start services at 1,024
/// with a hard limit far above) and returns the limit now in force.
pub fn raise_open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
        let now = getrlimit(Resource::Nofile);
        if now.current != now.maximum {
            let raised = Rlimit {
                current: now.maximum,
                maximum: now.maximum,
            };
            if let Err(e) = setrlimit(Resource::Nofile, raised) {
                tracing::warn!(error = %e, soft = ?now.current, hard = ?now.maximum, "cannot raise the open-file limit");
            }
        }
        let limit = open_file_limit();
        if limit < UNKNOWN_LIMIT {
            tracing::warn!(
                limit,
                "the open-file limit is low; raise it (LimitNOFILE= in the systemd unit, `ulimit -n`, or the container's nofile ulimit) to 16384"
            );
        }
        limit
    }
    #[cfg(not(unix))]
    {
        UNKNOWN_LIMIT
    }
}
