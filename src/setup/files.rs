//! The files `setup` touches besides its own output: the token file (never through a symbolic
//! link, never replaced without asking, `0600` before the token goes in), the config's mode, and
//! the data directory, which is only checked (it is created by `run`, or by systemd and the
//! container for a service).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::SetupError;
use crate::config::Secret;

/// The config: readable by all (it holds no secret), so that a service user can read a
/// config root wrote. The process umask (owner-only, for customer data) would hide it.
pub fn write_readable(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}

/// What is at the token file's path now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFile {
    /// Nothing: it will be created.
    Absent,
    /// A file holding this very token: rewriting it changes nothing.
    Same,
    /// A file holding something else: replaced only if the owner agrees.
    Other,
}

/// Looks at the token file's path without following a link. A symbolic link is refused: the
/// token would land wherever it points (another user's file, a world-readable one).
pub fn token_file_state(path: &Path, token: &Secret) -> Result<TokenFile, SetupError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TokenFile::Absent),
        Err(e) => return Err(write_error(path, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(SetupError::TokenFileLink {
            path: path.to_path_buf(),
        });
    }
    if !meta.is_file() {
        return Err(SetupError::TokenFileNotAFile {
            path: path.to_path_buf(),
        });
    }
    // A token is under 100 bytes; anything much larger is not a token file.
    let same = meta.len() < 4096
        && std::fs::read_to_string(path).is_ok_and(|t| t.trim() == token.expose());
    Ok(if same {
        TokenFile::Same
    } else {
        TokenFile::Other
    })
}

/// Writes the token file: created readable by its owner only before anything is written
/// into it, never through a symbolic link (`O_NOFOLLOW`, and `O_EXCL` for a new file, so a
/// link made after [`token_file_state`] looked is refused too).
pub fn write_token(path: &Path, token: &Secret, state: TokenFile) -> Result<(), SetupError> {
    let fail = |e: std::io::Error| write_error(path, e);
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if state == TokenFile::Absent {
        options.create_new(true);
    } else {
        options.truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let mut file = options.open(path).map_err(|e| {
        if is_link_refusal(&e) {
            SetupError::TokenFileLink {
                path: path.to_path_buf(),
            }
        } else {
            fail(e)
        }
    })?;
    // An existing file keeps its mode on open: make sure it is private before writing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    writeln!(file, "{}", token.expose()).map_err(fail)
}

/// ELOOP from `O_NOFOLLOW`: the path became a link after it was checked.
#[cfg(unix)]
fn is_link_refusal(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
}

#[cfg(not(unix))]
fn is_link_refusal(_e: &std::io::Error) -> bool {
    false
}

fn write_error(path: &Path, e: std::io::Error) -> SetupError {
    SetupError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// `file` as the config should name it: relative to the config's folder when inside it,
/// else absolute (the config resolves relative paths from its own folder, not from here).
pub fn config_path_of(file: &Path, folder: &Path) -> String {
    let (Ok(file), Ok(folder)) = (std::fs::canonicalize(file), std::fs::canonicalize(folder))
    else {
        return file.display().to_string();
    };
    file.strip_prefix(&folder)
        .unwrap_or(&file)
        .display()
        .to_string()
}

/// Whether `run` will be able to use `dir` as its database folder: an existing folder it may
/// write in (empty is fine: systemd's `StateDirectory` and a container's volume start empty),
/// or one it may create. Nothing is created or left behind. `Ok(Some(note))`: a folder of
/// another (non-root) user, which setup cannot write but the user it belongs to (a service's
/// or a container's) can; `run` must run as them.
pub fn check_data_dir(dir: &Path) -> Result<Option<String>, SetupError> {
    let err = |problem: String, fix: String| SetupError::DataDir {
        path: dir.to_path_buf(),
        problem,
        fix,
    };
    let other =
        "pass --data-dir with a folder this user may write in (it may be empty, or not exist yet)";
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(err(
            "is a file, not a folder".into(),
            format!("{other}; frontdesk keeps several files there"),
        )),
        Ok(m) => writable(dir, &m).map_err(|why| {
            err(
                why.problem,
                why.fix.unwrap_or_else(|| {
                    format!(
                        "let this user write there (`chmod u+w {}`), or {other}",
                        dir.display()
                    )
                }),
            )
        }),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            let Some(parent) = nearest_existing(dir) else {
                return Err(err(
                    "cannot be created: none of its parent folders exists".into(),
                    other.into(),
                ));
            };
            let meta = std::fs::metadata(&parent).map_err(|e| {
                err(
                    format!("cannot be created: {}: {e}", parent.display()),
                    other.into(),
                )
            })?;
            if !meta.is_dir() {
                return Err(err(
                    format!("cannot be created: {} is a file", parent.display()),
                    other.into(),
                ));
            }
            writable(&parent, &meta).map_err(|why| {
                err(
                    format!("cannot be created: {} {}", parent.display(), why.problem),
                    why.fix.unwrap_or_else(|| {
                        format!("create it as a user who may (`sudo mkdir -p {}`) and give it to the user who runs frontdesk, or run setup as that user (with sudo for a system service), or {other}", dir.display())
                    }),
                )
            })
        }
        Err(e) => Err(err(format!("cannot be read: {e}"), other.into())),
    }
}

/// Why a folder is not writable, and the fix when it is not the usual one.
struct NotWritable {
    problem: String,
    fix: Option<String>,
}

/// `Ok(None)`: this user may create files in `dir`. `Ok(Some(note))`: it belongs to another
/// user who is not root (a service or container user, who can).
#[cfg(unix)]
fn writable(dir: &Path, meta: &std::fs::Metadata) -> Result<Option<String>, NotWritable> {
    use rustix::fs::Access;
    use std::os::unix::fs::MetadataExt;
    match rustix::fs::access(dir, Access::WRITE_OK | Access::EXEC_OK) {
        Ok(()) => Ok(None),
        Err(rustix::io::Errno::ROFS) => Err(NotWritable {
            problem: "is on a read-only file system".into(),
            fix: Some("pass --data-dir with a folder on a writable file system (a container's volume, /var/lib/frontdesk for a service)".into()),
        }),
        Err(_) if meta.uid() != 0 && meta.uid() != rustix::process::getuid().as_raw() => {
            Ok(Some(format!(
                "Note: {} belongs to another user (uid {}), so this user cannot write there: run frontdesk as that user (a service's or container's own user is).",
                dir.display(),
                meta.uid()
            )))
        }
        Err(e) => Err(NotWritable {
            problem: format!("is not writable by this user ({e})"),
            fix: None,
        }),
    }
}

#[cfg(not(unix))]
fn writable(_dir: &Path, meta: &std::fs::Metadata) -> Result<Option<String>, NotWritable> {
    if meta.permissions().readonly() {
        return Err(NotWritable {
            problem: "is read-only".into(),
            fix: None,
        });
    }
    Ok(None)
}

/// The closest ancestor of `dir` that exists (`dir` itself does not).
fn nearest_existing(dir: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(dir).ok()?;
    absolute
        .ancestors()
        .skip(1)
        .find(|p| std::fs::symlink_metadata(p).is_ok())
        .map(Path::to_path_buf)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn running_as_root() -> bool {
        rustix::process::getuid().is_root()
    }

    #[test]
    fn an_empty_or_missing_data_dir_is_fine_and_nothing_is_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(check_data_dir(dir.path()).expect("empty is fine"), None);
        let deep = dir.path().join("a/b/c");
        assert_eq!(check_data_dir(&deep).expect("creatable"), None);
        assert!(!dir.path().join("a").exists(), "nothing was created");
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }

    #[test]
    fn a_file_or_a_folder_this_user_cannot_write_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("db");
        std::fs::write(&file, "").expect("write");
        let e = check_data_dir(&file).expect_err("a file").to_string();
        assert!(e.contains("is a file, not a folder"), "{e}");
        assert!(e.contains("fix: pass --data-dir"), "{e}");
        let e = check_data_dir(&file.join("under"))
            .expect_err("under a file")
            .to_string();
        assert!(e.contains("is a file"), "{e}");

        if running_as_root() {
            return; // root writes anywhere: the mode cannot refuse it
        }
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).expect("mkdir");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        let e = check_data_dir(&locked).expect_err("read-only").to_string();
        assert!(e.contains("is not writable by this user"), "{e}");
        assert!(e.contains("chmod u+w"), "{e}");
        let e = check_data_dir(&locked.join("db"))
            .expect_err("cannot create")
            .to_string();
        assert!(e.contains("cannot be created"), "{e}");
        assert!(e.contains("sudo mkdir -p"), "{e}");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    #[test]
    fn the_token_file_is_never_written_through_a_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        let token = Secret::new("tok");
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "precious\n").expect("write");
        let link = dir.path().join("frontdesk.token");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let e = token_file_state(&link, &token).expect_err("a link");
        assert!(matches!(e, SetupError::TokenFileLink { .. }), "{e}");
        // Even when the check was passed (a link made in between), the open refuses it.
        let e = write_token(&link, &token, TokenFile::Other).expect_err("O_NOFOLLOW");
        assert!(matches!(e, SetupError::TokenFileLink { .. }), "{e}");
        let e = write_token(&link, &token, TokenFile::Absent).expect_err("O_EXCL");
        assert!(matches!(e, SetupError::Write { .. }), "{e}");
        assert_eq!(
            std::fs::read_to_string(&target).expect("read"),
            "precious\n"
        );
    }

    #[test]
    fn an_existing_token_file_is_told_apart_from_the_same_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("frontdesk.token");
        let token = Secret::new("tok");
        assert_eq!(
            token_file_state(&path, &token).expect("absent"),
            TokenFile::Absent
        );
        write_token(&path, &token, TokenFile::Absent).expect("write");
        assert_eq!(
            token_file_state(&path, &token).expect("same"),
            TokenFile::Same
        );
        assert_eq!(
            token_file_state(&path, &Secret::new("new")).expect("other"),
            TokenFile::Other
        );
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let e = token_file_state(dir.path(), &token).expect_err("a folder");
        assert!(matches!(e, SetupError::TokenFileNotAFile { .. }), "{e}");
    }
}
