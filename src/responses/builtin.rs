//! The default rules, built into the binary so that a frontdesk installed on its own (`cargo
//! install`, the container, a copied file) works without the source tree: `setup` writes them
//! next to the config, and `run` and `check` fall back to them when the default folder
//! (`responses` next to the config) does not exist. A folder the config names otherwise must
//! exist: its absence is a mistake to report, not a reason to answer with other texts.

use std::path::{Path, PathBuf};

use super::{ResponsesErrors, Rules};

/// `responses/` as shipped: (file name, contents), the README first.
pub const FILES: &[(&str, &str)] = &[
    ("README.md", include_str!("../../responses/README.md")),
    ("general.toml", include_str!("../../responses/general.toml")),
    ("hours.toml", include_str!("../../responses/hours.toml")),
    ("orders.toml", include_str!("../../responses/orders.toml")),
    ("pricing.toml", include_str!("../../responses/pricing.toml")),
    (
        "problems.toml",
        include_str!("../../responses/problems.toml"),
    ),
    (
        "promises.toml",
        include_str!("../../responses/promises.toml"),
    ),
    ("replies.toml", include_str!("../../responses/replies.toml")),
];

/// The built-in acknowledgement rules, as if read from a folder named `(built-in)`
/// (`promises.toml` is `PromiseRules::builtin`, `replies.toml` `SavedReplies::builtin`).
pub fn rules() -> Result<Rules, ResponsesErrors> {
    let files: Vec<(PathBuf, String)> = FILES
        .iter()
        .filter(|(name, _)| {
            name.ends_with(".toml")
                && *name != super::promises::FILE
                && *name != super::replies::FILE
        })
        .map(|(name, text)| (Path::new("(built-in)").join(name), text.to_string()))
        .collect();
    Rules::from_sources(&files)
}

/// The folder name a config means when it names none.
pub const DEFAULT_DIR: &str = "responses";

/// The rules in `dir`; when `dir` is the default folder and does not exist, the built-in ones
/// and a note saying so.
pub fn load_or_builtin(
    dir: &Path,
    is_default: bool,
) -> Result<(Rules, Option<String>), ResponsesErrors> {
    if dir.exists() || !is_default {
        return Ok((Rules::load_dir(dir)?, None));
    }
    let note = format!(
        "no rules folder at {}: using the built-in rules (`frontdesk setup` writes them there to edit)",
        dir.display()
    );
    Ok((rules()?, Some(note)))
}

/// Writes the default rules into `dir` (created), leaving a file that already exists alone.
/// They are readable by all, like the config: a service user must read what root wrote.
pub fn write_to(dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    readable(dir, 0o755)?;
    let mut written = 0;
    for (name, text) in FILES {
        let path = dir.join(name);
        if !path.exists() {
            std::fs::write(&path, text)?;
            readable(&path, 0o644)?;
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(unix)]
fn readable(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn readable(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_rules_are_the_shipped_folder() {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("responses");
        let mut names: Vec<String> = std::fs::read_dir(&shipped)
            .expect("responses/")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut built_in: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
        built_in.sort();
        assert_eq!(names, built_in, "add a new rule file to FILES too");
        let from_dir = Rules::load_dir(&shipped).expect("valid");
        assert_eq!(rules().expect("valid").len(), from_dir.len());
    }

    #[test]
    fn written_defaults_load_and_nothing_is_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("responses");
        std::fs::create_dir(&target).expect("mkdir");
        std::fs::write(target.join("README.md"), "mine").expect("write");
        assert_eq!(write_to(&target).expect("write"), FILES.len() - 1);
        assert_eq!(
            std::fs::read_to_string(target.join("README.md")).expect("read"),
            "mine"
        );
        assert!(Rules::load_dir(&target).is_ok());
        let (_, note) = load_or_builtin(&dir.path().join("missing"), true).expect("built-in");
        assert!(note.is_some_and(|n| n.contains("built-in")));
        let named = load_or_builtin(&dir.path().join("missing"), false).map(|_| ());
        assert!(named.is_err(), "a folder the config names must exist");
    }
}
