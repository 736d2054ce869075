//! `frontdesk demo`: the simulator and the real bot in one process, a short scripted day, and
//! a transcript of what each person saw. Also the config the tests use for the demo world.

use std::path::Path;

use crate::config::Config;
use crate::sim::demo as ids;

/// A config for the simulator's demo world: #help watched, the #questions forum watched, DMs
/// on, the owner and the Staff role as staff, #staff as fallback for notifications.
pub fn demo_config(data_dir: &Path, responses: &Path, hours: &str) -> Config {
    let text = format!(
        r#"
business_name = "Maple & Thread"
owner_name = "Sam"
responses = "{responses}"
data_dir = "{data}"

[discord]
guild = "{guild}"
owners = ["{owner}"]
staff_roles = ["{staff_role}"]
staff_channel = "{staff}"
message_content = true

[watch]
channels = ["{help}"]
forums = ["{questions}"]
dms = true

{hours}
"#,
        responses = responses.display(),
        data = data_dir.display(),
        guild = ids::GUILD,
        owner = ids::OWNER,
        staff_role = ids::STAFF_ROLE,
        staff = ids::STAFF,
        help = ids::HELP,
        questions = ids::QUESTIONS,
    );
    Config::parse(&text, Path::new("demo.toml"))
        .unwrap_or_else(|e| unreachable!("the demo config is fixed and valid: {e}"))
}
