//! Any text as an acknowledgement template: parsing never panics; a parsed template renders
//! any values (here: slices of the same input) within Discord's 2000 characters.
#![no_main]

use frontdesk::responses::template::{Template, Values, DISCORD_MESSAGE_LIMIT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(template) = Template::parse(text) else {
        return;
    };
    let long = text.repeat(8);
    let values = Values {
        customer_mention: text,
        customer_name: &long,
        owner: text,
        business: text,
        topic: text,
        eta: &long,
        opens: text,
        back: text,
        away_note: &long,
        staff: text,
    };
    let out = template.render(&values);
    assert!(out.chars().count() <= DISCORD_MESSAGE_LIMIT);
    // What Display prints parses back to the same template.
    assert_eq!(Template::parse(&template.to_string()).ok(), Some(template));
});
