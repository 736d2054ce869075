//! Checks every payload shape against serenity's models (a shape serenity cannot read is
//! silently dropped on the gateway, so these are the first line of defence).

use serde_json::{json, Value};
use serenity::model::prelude::*;

use crate::message::SimMessage;
use crate::payload::*;
use crate::ratelimit::RateLimiter;
use crate::state::{InteractionRec, State};
use crate::world::{demo, ChannelKind, World};

fn state() -> State {
    State::new(World::demo(), RateLimiter::new(None))
}

fn de<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> T {
    match serde_json::from_value::<T>(v.clone()) {
        Ok(t) => t,
        Err(e) => panic!("{what} does not deserialize: {e}\n{v:#}"),
    }
}

#[test]
fn guild_create_is_a_serenity_guild() {
    let mut st = state();
    let id = st.ids.next();
    st.new_thread(
        id,
        demo::QUESTIONS,
        "post",
        ChannelKind::PublicThread,
        demo::ALICE,
    );
    let g: Guild = de("guild", guild_create_json(&st));
    assert_eq!(g.channels.len(), 3);
    assert_eq!(g.threads.len(), 1);
    assert_eq!(g.members.len(), 5);
    assert_eq!(g.roles.len(), 3);
    let forum = &g.channels[&ChannelId::new(demo::QUESTIONS)];
    assert_eq!(forum.kind, ChannelType::Forum);
    assert_eq!(forum.available_tags.len(), 2);
    let _: GuildCreateEvent = de("guild create", guild_create_json(&st));
}

#[test]
fn messages_are_serenity_messages() {
    let mut st = state();
    let id = st.ids.next();
    let m = SimMessage::new(
        id,
        demo::HELP,
        Some(demo::GUILD),
        demo::ALICE,
        "hi <@100000000000000900>",
    );
    st.insert_message(m.clone());
    let msg: Message = de("message", message_json(&st, &m, true));
    assert_eq!(msg.mentions.len(), 1);
    assert_eq!(msg.guild_id, Some(GuildId::new(demo::GUILD)));
    assert!(msg.member.is_some());
    let mut reply = SimMessage::new(
        st.ids.next(),
        demo::HELP,
        Some(demo::GUILD),
        demo::BOT,
        "ok",
    );
    reply.kind = 19;
    reply.message_reference = Some(
        json!({"type": 0, "message_id": id.to_string(), "channel_id": demo::HELP.to_string()}),
    );
    reply.nonce = Some(json!("abc"));
    reply.components = vec![
        json!({"type": 1, "components": [{"type": 2, "style": 1, "label": "Done", "custom_id": "done"}]}),
    ];
    let r: Message = de("reply", message_json(&st, &reply, false));
    assert!(r.referenced_message.is_some());
    assert_eq!(r.components.len(), 1);
}

#[test]
fn channels_are_serenity_channels() {
    let mut st = state();
    let dm = st.dm_channel(demo::ALICE);
    let c = st.channels.get(&dm).cloned().expect("dm");
    let ch: Channel = de("dm", channel_json(&st, &c));
    assert!(matches!(ch, Channel::Private(_)));
    let tid = st.ids.next();
    let t = st.new_thread(
        tid,
        demo::STAFF,
        "private",
        ChannelKind::PrivateThread,
        demo::BOT,
    );
    let ch: GuildChannel = de("thread", channel_json(&st, &t));
    assert_eq!(ch.kind, ChannelType::PrivateThread);
    let _: GuildChannel = de(
        "text",
        channel_json(&st, &st.world.guild.channels[0].clone()),
    );
}

fn rec(st: &mut State, kind: u8, channel: u64) -> InteractionRec {
    InteractionRec {
        id: st.ids.next(),
        kind,
        token: "tok".into(),
        user: demo::ALICE,
        channel,
        guild_id: st.guild_of(channel),
        created: std::time::Instant::now(),
        acknowledged: false,
        ephemeral: false,
        original_message: None,
        message: None,
        responses: vec![],
    }
}

#[test]
fn interactions_are_serenity_interactions() {
    let mut st = state();
    for channel in [demo::HELP, st.dm_channel(demo::BOB)] {
        let r = rec(&mut st, 2, channel);
        let mut v = interaction_base_json(&st, &r);
        v["data"] = json!({"id": "1", "name": "status", "type": 1,
            "options": [{"name": "for", "type": 3, "value": "2h"}]});
        let i: Interaction = de("command", v);
        let Interaction::Command(c) = i else {
            panic!("not a command")
        };
        assert_eq!(c.data.name, "status");
        assert_eq!(c.user.id.get(), demo::ALICE);
    }
    let r = rec(&mut st, 3, demo::HELP);
    let m = SimMessage::new(st.ids.next(), demo::HELP, Some(demo::GUILD), demo::BOT, "x");
    let mut v = interaction_base_json(&st, &r);
    v["data"] = json!({"custom_id": "done", "component_type": 2});
    v["message"] = message_json(&st, &m, false);
    let i: Interaction = de("component", v);
    assert!(matches!(i, Interaction::Component(_)));
}

#[test]
fn users_are_serenity_users() {
    let st = state();
    let u: CurrentUser = de("current user", current_user_json(&st.world.bot));
    assert!(u.bot);
    let _: User = de("user", user_json(&st.world.users[0]));
    let _: Member = de("member", member_json(&st.world, &st.world.users[0]));
}

#[test]
fn message_update_and_thread_create_events_deserialize() {
    let mut st = state();
    let id = st.ids.next();
    let mut m = SimMessage::new(id, demo::HELP, Some(demo::GUILD), demo::BOT, "edited");
    m.edited_timestamp = Some(crate::snowflake::iso_now());
    let v = json!({"op": 0, "s": 3, "t": "MESSAGE_UPDATE", "d": message_json(&st, &m, true)});
    let ev: GatewayEvent = de("message update", v);
    let GatewayEvent::Dispatch(3, Event::MessageUpdate(u)) = ev else {
        panic!("not a MESSAGE_UPDATE: {ev:?}")
    };
    assert_eq!(u.content.as_deref(), Some("edited"));
    let t = st.new_thread(
        id,
        demo::QUESTIONS,
        "post",
        ChannelKind::PublicThread,
        demo::ALICE,
    );
    let mut d = channel_json(&st, &t);
    d["newly_created"] = json!(true);
    let ev: GatewayEvent = de(
        "thread create",
        json!({"op": 0, "s": 4, "t": "THREAD_CREATE", "d": d}),
    );
    assert!(matches!(
        ev,
        GatewayEvent::Dispatch(4, Event::ThreadCreate(_))
    ));
    let ev: GatewayEvent = de(
        "message delete",
        json!({"op": 0, "s": 5, "t": "MESSAGE_DELETE",
               "d": {"id": id.to_string(), "channel_id": demo::HELP.to_string(), "guild_id": demo::GUILD.to_string()}}),
    );
    assert!(matches!(
        ev,
        GatewayEvent::Dispatch(5, Event::MessageDelete(_))
    ));
    let ev: GatewayEvent = de(
        "resumed",
        json!({"op": 0, "s": 6, "t": "RESUMED", "d": {"_trace": []}}),
    );
    assert!(matches!(ev, GatewayEvent::Dispatch(6, Event::Resumed(_))));
}
