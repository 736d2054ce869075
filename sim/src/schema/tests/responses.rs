//! Response bodies and statuses, as the simulator answers.

use super::{assert_has, errors, schema};
use serde_json::{json, Value};

fn message_json() -> Value {
    json!({
        "type": 0,
        "channel_id": "1111",
        "content": "hello",
        "attachments": [],
        "embeds": [],
        "timestamp": "2024-05-01T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "flags": 0,
        "components": [],
        "id": "2222",
        "author": {
            "id": "3333",
            "username": "owner",
            "avatar": null,
            "discriminator": "0",
            "public_flags": 0,
            "flags": 0,
            "global_name": "Owner",
            "banner": null,
            "accent_color": null,
            "avatar_decoration_data": null,
            "clan": null,
            "primary_guild": null
        },
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": false,
        "pinned": false,
        "tts": false
    })
}

#[test]
fn message_response_passes() {
    let s = schema();
    assert_eq!(
        s.validate_response(
            "POST",
            "/api/v10/channels/1111/messages",
            200,
            &message_json()
        ),
        Ok(())
    );
    assert_eq!(
        s.validate_response(
            "GET",
            "/channels/1111/messages?limit=2",
            200,
            &json!([message_json()])
        ),
        Ok(())
    );
    assert_eq!(
        s.validate_response(
            "PATCH",
            "/webhooks/1/t/messages/@original",
            200,
            &message_json()
        ),
        Ok(())
    );
}

#[test]
fn broken_message_response_fails() {
    let mut m = message_json();
    m["id"] = json!(2222);
    m["timestamp"] = json!("yesterday");
    if let Some(obj) = m.as_object_mut() {
        obj.remove("author");
    }
    let errs = errors(schema().validate_response("POST", "/channels/1/messages", 200, &m));
    assert_has(&errs, "/id: expected string, found integer 2222");
    assert_has(
        &errs,
        "/timestamp: \"yesterday\" is not a valid RFC 3339 date-time",
    );
    assert_has(&errs, "/author: missing required property");
}

#[test]
fn other_responses() {
    let s = schema();
    assert_eq!(
        s.validate_response(
            "GET",
            "/gateway",
            200,
            &json!({"url": "ws://127.0.0.1:4000"})
        ),
        Ok(())
    );
    let bot = json!({"url": "ws://127.0.0.1:4000", "shards": 1,
                     "session_start_limit": {"total": 1000, "remaining": 999,
                                             "reset_after": 0, "max_concurrency": 1}});
    assert_eq!(
        s.validate_response("GET", "/gateway/bot", 200, &bot),
        Ok(())
    );
    let errs = errors(s.validate_response("GET", "/gateway/bot", 200, &json!({"url": "ws://x"})));
    assert_has(&errs, "/shards: missing required property");
    assert_eq!(
        s.validate_response("POST", "/interactions/1/t/callback", 204, &Value::Null),
        Ok(())
    );
    let errs = errors(s.validate_response("POST", "/interactions/1/t/callback", 204, &json!({})));
    assert_has(&errs, "has no body");
    let err = json!({"code": 10003, "message": "Unknown Channel"});
    assert_eq!(s.validate_response("GET", "/channels/9", 404, &err), Ok(()));
    // The spec types `Error.code` as an integer, also inside `errors.*._errors[]`, where
    // real Discord sends string codes such as "BASE_TYPE_MAX_LENGTH". So a faithful
    // 50035 "Invalid Form Body" reply violates the spec; the spec-conforming form passes.
    let real_discord = json!({"code": 50035, "message": "Invalid Form Body",
        "errors": {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                             "message": "Must be 2000 or fewer in length."}]}}});
    let errs = errors(s.validate_response("POST", "/channels/9/messages", 400, &real_discord));
    assert_has(
        &errs,
        "/errors/content/_errors/0/code: expected integer, found string",
    );
    let spec_form = json!({"code": 50035, "message": "Invalid Form Body",
        "errors": {"embeds": {"0": {"title": {"_errors": [{"code": 50035,
                                                            "message": "Too long."}]}}}}});
    assert_eq!(
        s.validate_response("POST", "/channels/9/messages", 400, &spec_form),
        Ok(())
    );
    let rl = json!({"message": "You are being rate limited.", "retry_after": 0.5,
                    "global": false, "code": 0});
    assert_eq!(
        s.validate_response("POST", "/channels/9/messages", 429, &rl),
        Ok(())
    );
    let errs = errors(s.validate_response("GET", "/channels/9", 500, &err));
    assert_has(&errs, "(status): 500 is not a documented response status");
    assert_eq!(
        s.validate_response(
            "GET",
            "/guilds/5/threads/active",
            200,
            &json!({"threads": [], "members": [], "has_more": false})
        ),
        Ok(())
    );
}
