//! The `frontdesk` binary as a user runs it: `check` (rules, promises, config errors),
//! `export` and a damaged database, `run` (its refusals, logs, the README's "by hand" setup),
//! one file each; the helpers that run the binary here.

use std::path::Path;
use std::process::{Command, Output};

mod check;
mod database;
mod run;

fn frontdesk(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("run frontdesk")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
