//! Any text as an outbound message: only the intended user is pingable, the content fits.
#![no_main]

use frontdesk::discord::outbound::{message_body, Outbound};
use frontdesk::model::{ChannelId, MessageId, UserId};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|text: &str| {
    let body = message_body(&Outbound {
        text,
        ping: Some(UserId(42)),
        reply_to: Some((ChannelId(10), MessageId(1001))),
        nonce: text.to_string(),
        buttons: Vec::new(),
    });
    assert_eq!(
        body["allowed_mentions"],
        json!({"parse": [], "users": ["42"], "roles": [], "replied_user": false})
    );
    assert!(body["content"].as_str().is_some_and(|c| c.chars().count() <= 2000));
    assert!(body["nonce"].as_str().is_some_and(|n| n.chars().count() <= 25));
});
