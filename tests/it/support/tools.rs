//! The real programs some tests drive besides the bot (Chromium, discord.py, discord.js):
//! installed by the project's own scripts in `tools/` the first time a test needs them, so
//! that `cargo test` works on a fresh machine; a test whose program cannot be installed fails
//! with the script's reason, unless its environment variable asks to skip it.

use std::path::Path;
use std::sync::Mutex;

/// One install at a time: tests run in parallel, and two apt-get or pip runs would collide.
static INSTALLING: Mutex<()> = Mutex::new(());

/// Whether the test is to be skipped (`skip=1`), saying so past the harness's capture.
pub fn skipped(skip: &str, what: &str) -> bool {
    if std::env::var(skip).as_deref() != Ok("1") {
        return false;
    }
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED {what}: {skip}=1");
    true
}

/// Makes sure `present()` holds, running `tools/<script>` once if it does not. Fails the test
/// with the script's own words when it still does not.
pub fn ensure(script: &str, skip: &str, present: impl Fn() -> bool) {
    if present() {
        return;
    }
    let _one = INSTALLING.lock().unwrap_or_else(|p| p.into_inner());
    if present() {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools")
        .join(script);
    let out = std::process::Command::new("bash")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    assert!(
        out.status.success() && present(),
        "tools/{script} could not install what this test needs:\n{}{}\n  fix: run tools/{script} as it says, or set {skip}=1 to skip this test",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
}
