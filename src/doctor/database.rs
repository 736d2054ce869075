//! Whether the bot could write its database: read from the health file the running (or the
//! last) bot keeps in the data directory, since `doctor` cannot open a database that the bot
//! holds. Pure: the caller reads the file.

use super::Finding;
use crate::desk::Health;

/// The finding for a database that was failing to write, with the fix its cause calls for.
pub fn finding(data_dir: &std::path::Path, health: Option<&Health>) -> Option<Finding> {
    let health = health?;
    let (Health::Failing { since, error }, Some(fix)) = (health, health.fix()) else {
        return None;
    };
    Some(Finding {
        problem: format!(
            "the bot could not write its database in {} since {since}: {error}",
            data_dir.display()
        ),
        fix: format!("{fix}; catch-up then answers from Discord's history every customer message that was not stored"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_healthy_or_unknown_database_is_no_finding() {
        assert_eq!(finding(Path::new("data"), None), None);
        assert_eq!(finding(Path::new("data"), Some(&Health::Ok)), None);
    }

    #[test]
    fn a_failing_database_says_since_when_why_and_what_to_do() {
        let failing = Health::Failing {
            since: "2026-12-07T10:00:00Z".parse().expect("time"),
            error: "IO error: Too many open files (os error 24)".into(),
        };
        let f = finding(Path::new("data"), Some(&failing)).expect("finding");
        assert_eq!(
            f.problem,
            "the bot could not write its database in data since 2026-12-07T10:00:00Z: IO error: Too many open files (os error 24)"
        );
        assert!(f.fix.contains("LimitNOFILE"), "{}", f.fix);
        assert!(f.fix.contains("catch-up"), "{}", f.fix);
    }
}
