//! End-to-end checks of the Discord simulator with the real serenity 0.12.5 client: every
//! payload the simulator sends must reach serenity's handler (serenity drops what it cannot
//! deserialize), and every REST answer must be what serenity expects.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_sim::{demo, SimConfig, Simulator, World};
use serde_json::{json, Value};
use serenity::all::{
    ChannelId, ChannelType, ClientBuilder, CommandInteraction, Context, CreateAllowedMentions,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage, CreateThread,
    EventHandler, GatewayIntents, Guild, GuildChannel, GuildId, Http, HttpBuilder, Interaction,
    Message, MessageId, Nonce, Ready, ShardManager, UserId,
};
use tokio::sync::mpsc;
use tokio::time::timeout;

const T: Duration = Duration::from_secs(10);

#[derive(Debug)]
enum Ev {
    Ready(Box<Ready>),
    Guild(Box<Guild>),
    Message(Box<Message>),
    Thread(Box<GuildChannel>),
    Interaction(Box<Interaction>),
}

struct Handler {
    tx: mpsc::UnboundedSender<Ev>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _: Context, r: Ready) {
        let _ = self.tx.send(Ev::Ready(Box::new(r)));
    }
    async fn guild_create(&self, _: Context, g: Guild, _: Option<bool>) {
        let _ = self.tx.send(Ev::Guild(Box::new(g)));
    }
    async fn message(&self, _: Context, m: Message) {
        let _ = self.tx.send(Ev::Message(Box::new(m)));
    }
    async fn thread_create(&self, _: Context, t: GuildChannel) {
        let _ = self.tx.send(Ev::Thread(Box::new(t)));
    }
    async fn interaction_create(&self, _: Context, i: Interaction) {
        let _ = self.tx.send(Ev::Interaction(Box::new(i)));
    }
}

/// A serenity client running against a fresh simulator.
struct Bot {
    sim: Simulator,
    http: Arc<Http>,
    rx: mpsc::UnboundedReceiver<Ev>,
    shards: Arc<ShardManager>,
}

impl Bot {
    async fn start(cfg: SimConfig) -> Bot {
        let sim = Simulator::start(World::demo(), cfg)
            .await
            .expect("simulator starts");
        let http = HttpBuilder::new(sim.token())
            .proxy(sim.base_url())
            .ratelimiter_disabled(true)
            .build();
        let intents = GatewayIntents::GUILDS
            | GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::DIRECT_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT;
        let (tx, rx) = mpsc::unbounded_channel();
        let mut client = ClientBuilder::new_with_http(http, intents)
            .event_handler(Handler { tx })
            .await
            .expect("client builds");
        let http = Arc::clone(&client.http);
        let shards = Arc::clone(&client.shard_manager);
        tokio::spawn(async move {
            let _ = client.start().await;
        });
        let mut bot = Bot {
            sim,
            http,
            rx,
            shards,
        };
        assert!(bot.sim.wait_for_connected(T).await, "gateway session");
        bot.next(|e| matches!(e, Ev::Guild(_))).await;
        bot
    }

    /// The next event matching `pred` (others are skipped).
    async fn next(&mut self, pred: impl Fn(&Ev) -> bool) -> Ev {
        let fut = async {
            loop {
                match self.rx.recv().await {
                    Some(e) if pred(&e) => return e,
                    Some(_) => continue,
                    None => panic!("event channel closed"),
                }
            }
        };
        timeout(T, fut).await.expect("expected event in time")
    }

    async fn next_message(&mut self, id: u64) -> Message {
        match self
            .next(|e| matches!(e, Ev::Message(m) if m.id.get() == id))
            .await
        {
            Ev::Message(m) => *m,
            _ => unreachable!(),
        }
    }

    async fn stop(self) {
        self.shards.shutdown_all().await;
        self.sim.shutdown().await;
    }
}

fn default_cfg() -> SimConfig {
    SimConfig::default()
}

/// The status and JSON error code of a failed serenity call.
fn discord_error(e: serenity::Error) -> (u16, isize) {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            (r.status_code.as_u16(), r.error.code)
        }
        other => panic!("expected a Discord error answer, got {other:?}"),
    }
}

#[tokio::test]
async fn ready_and_guild_create_describe_the_guild() {
    timeout(Duration::from_secs(30), async {
        let sim = Simulator::start(World::demo(), default_cfg())
            .await
            .expect("start");
        let http = HttpBuilder::new(sim.token())
            .proxy(sim.base_url())
            .ratelimiter_disabled(true)
            .build();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
            .event_handler(Handler { tx })
            .await
            .expect("client");
        let shards = Arc::clone(&client.shard_manager);
        tokio::spawn(async move {
            let _ = client.start().await;
        });
        let mut ready = None;
        let mut guild = None;
        while ready.is_none() || guild.is_none() {
            match timeout(T, rx.recv()).await.expect("events").expect("open") {
                Ev::Ready(r) => ready = Some(r),
                Ev::Guild(g) => guild = Some(g),
                _ => {}
            }
        }
        let ready = ready.expect("ready");
        assert_eq!(ready.user.id.get(), demo::BOT);
        assert!(ready.user.bot);
        assert_eq!(ready.application.id.get(), demo::APPLICATION);
        assert_eq!(ready.guilds.len(), 1);
        let guild = guild.expect("guild");
        assert_eq!(guild.name, "Maple & Thread");
        // What serenity's cache would hold (frontdesk builds serenity without it).
        assert_eq!(guild.id, GuildId::new(demo::GUILD));
        assert_eq!(guild.channels.len(), 3);
        assert_eq!(
            guild.channels[&ChannelId::new(demo::QUESTIONS)].kind,
            ChannelType::Forum
        );
        assert!(guild.members.contains_key(&UserId::new(demo::BOT)));
        assert!(guild.roles.values().any(|r| r.name == "Staff"));
        assert_eq!(sim.connected_intents(), Some(GatewayIntents::GUILDS.bits()));
        // serenity's startup REST traffic: GET /gateway only.
        let startup: Vec<String> = sim
            .requests()
            .iter()
            .map(|r| format!("{} {} {}", r.method, r.path, r.status))
            .collect();
        assert_eq!(startup, vec!["GET /gateway 200".to_string()]);
        shards.shutdown_all().await;
        sim.shutdown().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn people_events_reach_the_handler() {
    timeout(Duration::from_secs(30), async {
        let mut bot = Bot::start(default_cfg()).await;
        let sim = bot.sim.clone();

        let id = sim
            .post_message(demo::ALICE, demo::HELP, "Where is my order?")
            .await;
        let m = bot.next_message(id).await;
        assert_eq!(m.content, "Where is my order?");
        assert_eq!(m.author.id.get(), demo::ALICE);
        assert_eq!(m.channel_id.get(), demo::HELP);
        assert_eq!(m.guild_id, Some(GuildId::new(demo::GUILD)));
        assert!(m.member.is_some());

        let reply = sim
            .post_reply(demo::OWNER, demo::HELP, "On its way", id)
            .await;
        let r = bot.next_message(reply).await;
        assert_eq!(
            r.message_reference.and_then(|x| x.message_id),
            Some(MessageId::new(id))
        );
        assert_eq!(r.member.map(|m| m.roles.len()), Some(1));

        let post = sim
            .create_forum_post(
                demo::BOB,
                demo::QUESTIONS,
                "Return policy?",
                "Can I return fabric?",
            )
            .await;
        let thread = match bot.next(|e| matches!(e, Ev::Thread(_))).await {
            Ev::Thread(t) => t,
            _ => unreachable!(),
        };
        assert_eq!(thread.id.get(), post);
        assert_eq!(thread.parent_id, Some(ChannelId::new(demo::QUESTIONS)));
        assert_eq!(thread.name, "Return policy?");
        assert_eq!(thread.kind, ChannelType::PublicThread);
        let starter = bot.next_message(post).await;
        assert_eq!(starter.channel_id.get(), post);
        assert_eq!(starter.content, "Can I return fabric?");

        let dm = sim.send_dm(demo::CAROL, "hello in private").await;
        let d = bot.next_message(dm).await;
        assert_eq!(d.guild_id, None);
        assert_eq!(d.content, "hello in private");
        assert_eq!(Some(d.channel_id.get()), sim.dm_channel_of(demo::CAROL));

        let iid = sim
            .invoke_command(demo::OWNER, demo::HELP, "snooze", json!({"for": "2h"}))
            .await;
        let cmd = match bot.next(|e| matches!(e, Ev::Interaction(_))).await {
            Ev::Interaction(i) => i.command().expect("a command"),
            _ => unreachable!(),
        };
        assert_eq!(cmd.id.get(), iid);
        assert_eq!(cmd.data.name, "snooze");
        assert_eq!(cmd.data.options[0].value.as_str(), Some("2h"));
        assert_eq!(cmd.user.id.get(), demo::OWNER);
        assert_eq!(cmd.guild_id, Some(GuildId::new(demo::GUILD)));
        assert!(cmd.member.is_some());

        let dm_cmd = sim
            .invoke_command(
                demo::ALICE,
                sim.dm_channel_of(demo::CAROL).expect("dm"),
                "status",
                json!([]),
            )
            .await;
        let cmd = match bot.next(|e| matches!(e, Ev::Interaction(_))).await {
            Ev::Interaction(i) => i.command().expect("a command"),
            _ => unreachable!(),
        };
        assert_eq!(cmd.id.get(), dm_cmd);
        assert_eq!(cmd.guild_id, None);
        assert_eq!(cmd.user.id.get(), demo::ALICE);
        assert!(sim.dispatched_at(id).is_some());
        bot.stop().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn bot_actions_through_serenity_http() {
    timeout(Duration::from_secs(30), async {
        let mut bot = Bot::start(default_cfg()).await;
        let sim = bot.sim.clone();
        let http = Arc::clone(&bot.http);
        let customer = sim.post_message(demo::ALICE, demo::HELP, "help!").await;
        bot.next_message(customer).await;

        let sent = ChannelId::new(demo::HELP)
            .send_message(
                &*http,
                CreateMessage::new()
                    .content("We got your message")
                    .reference_message((ChannelId::new(demo::HELP), MessageId::new(customer)))
                    .allowed_mentions(CreateAllowedMentions::new().replied_user(false)),
            )
            .await
            .expect("send");
        let echoed = bot.next_message(sent.id.get()).await;
        assert_eq!(echoed.author.id.get(), demo::BOT);
        let stored = sim.messages_in(demo::HELP);
        let last = stored.last().expect("stored");
        assert_eq!(last.content, "We got your message");
        assert_eq!(last.kind, 19);
        assert_eq!(last.reply_to(), Some(customer));
        assert_eq!(
            last.allowed_mentions,
            Some(json!({"parse": [], "users": [], "roles": [], "replied_user": false}))
        );

        let dm = UserId::new(demo::OWNER).create_dm_channel(&*http).await.expect("dm");
        assert_eq!(Some(dm.id.get()), sim.dm_channel_of(demo::OWNER));
        dm.id
            .send_message(&*http, CreateMessage::new().content("New customer waiting"))
            .await
            .expect("dm send");
        assert_eq!(sim.messages_in(dm.id.get()).len(), 1);

        let thread = ChannelId::new(demo::HELP)
            .create_thread_from_message(&*http, MessageId::new(customer), CreateThread::new("alice"))
            .await
            .expect("thread from message");
        assert_eq!(thread.id.get(), customer);
        let t = match bot.next(|e| matches!(e, Ev::Thread(_))).await {
            Ev::Thread(t) => t,
            _ => unreachable!(),
        };
        assert_eq!(t.id.get(), customer);

        let private = ChannelId::new(demo::STAFF)
            .create_thread(
                &*http,
                CreateThread::new("case 1").kind(ChannelType::PrivateThread),
            )
            .await
            .expect("private thread");
        assert_eq!(private.kind, ChannelType::PrivateThread);
        assert_eq!(sim.threads().len(), 2);

        let iid = sim.invoke_command(demo::OWNER, demo::HELP, "queue", json!({})).await;
        let cmd: CommandInteraction = match bot.next(|e| matches!(e, Ev::Interaction(_))).await {
            Ev::Interaction(i) => i.command().expect("command"),
            _ => unreachable!(),
        };
        let answer = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new().content("2 open").ephemeral(true),
        );
        cmd.create_response(&*http, answer.clone()).await.expect("respond");
        let responses = sim.interaction_responses(iid);
        assert_eq!(responses.len(), 1);
        assert_eq!(responses[0]["type"], 4);
        assert_eq!(responses[0]["data"]["content"], "2 open");
        let again = cmd.create_response(&*http, answer).await.expect_err("twice");
        assert_eq!(discord_error(again), (400, 40060));
        let follow = cmd
            .create_followup(
                &*http,
                serenity::all::CreateInteractionResponseFollowup::new().content("more"),
            )
            .await
            .expect("followup");
        assert!(sim.messages_in(demo::HELP).iter().any(|m| m.id == follow.id.get()));

        // Deferred, then the original is edited in.
        let iid = sim.invoke_command(demo::OWNER, demo::HELP, "stats", json!({})).await;
        let cmd: CommandInteraction = match bot.next(|e| matches!(e, Ev::Interaction(_))).await {
            Ev::Interaction(i) => i.command().expect("command"),
            _ => unreachable!(),
        };
        cmd.defer(&*http).await.expect("defer");
        cmd.edit_response(
            &*http,
            serenity::all::EditInteractionResponse::new().content("stats: 3"),
        )
        .await
        .expect("edit original");
        assert_eq!(sim.interaction_responses(iid).len(), 2);
        assert!(sim.messages_in(demo::HELP).iter().any(|m| m.content == "stats: 3"));

        // Command registration.
        GuildId::new(demo::GUILD)
            .set_commands(
                &*http,
                vec![serenity::all::CreateCommand::new("status").description("Conversation status")],
            )
            .await
            .expect("register");
        assert_eq!(sim.commands(Some(demo::GUILD)).len(), 1);
        bot.stop().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn rate_limit_answers_429_with_headers() {
    timeout(Duration::from_secs(30), async {
        let bot = Bot::start(default_cfg()).await;
        let sim = bot.sim.clone();
        for i in 0..5 {
            ChannelId::new(demo::HELP)
                .send_message(&*bot.http, CreateMessage::new().content(format!("n{i}")))
                .await
                .expect("within the limit");
        }
        let err = ChannelId::new(demo::HELP)
            .send_message(&*bot.http, CreateMessage::new().content("n5"))
            .await
            .expect_err("over the limit");
        assert_eq!(discord_error(err).0, 429);

        let resp = reqwest::Client::new()
            .post(format!(
                "{}/api/v10/channels/{}/messages",
                sim.base_url(),
                demo::HELP
            ))
            .header("content-type", "application/json")
            .body(json!({"content": "n6"}).to_string())
            .send()
            .await
            .expect("http");
        assert_eq!(resp.status().as_u16(), 429);
        let h = resp.headers();
        for name in [
            "retry-after",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-ratelimit-reset-after",
            "x-ratelimit-bucket",
        ] {
            assert!(h.contains_key(name), "missing {name}");
        }
        assert_eq!(h["x-ratelimit-scope"], "user");
        assert_eq!(h["x-ratelimit-remaining"], "0");
        let body = json_of(resp).await;
        assert_eq!(body["message"], "You are being rate limited.");
        assert_eq!(body["global"], false);
        assert!(body["retry_after"]
            .as_f64()
            .is_some_and(|s| s > 0.0 && s <= 5.0));
        assert_eq!(sim.messages_in(demo::HELP).len(), 5);
        let limited = sim.requests().iter().filter(|r| r.status == 429).count();
        assert_eq!(limited, 2);
        bot.stop().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn too_long_content_is_rejected_with_50035() {
    timeout(Duration::from_secs(30), async {
        let bot = Bot::start(default_cfg()).await;
        let long = "x".repeat(2001);
        // Raw Http call: serenity's builder would refuse it before sending.
        let err = bot
            .http
            .send_message(
                ChannelId::new(demo::HELP),
                vec![],
                &json!({"content": long}),
            )
            .await
            .expect_err("too long");
        assert_eq!(discord_error(err), (400, 50035));
        let ok = bot
            .http
            .send_message(
                ChannelId::new(demo::HELP),
                vec![],
                &json!({"content": "é".repeat(2000)}),
            )
            .await;
        assert!(ok.is_ok(), "2000 characters are fine");
        bot.stop().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn nonce_with_enforce_nonce_deduplicates() {
    timeout(Duration::from_secs(30), async {
        let bot = Bot::start(default_cfg()).await;
        let send = || {
            ChannelId::new(demo::HELP).send_message(
                &*bot.http,
                CreateMessage::new()
                    .content("ack")
                    .nonce(Nonce::String("12345".into()))
                    .enforce_nonce(true),
            )
        };
        let a = send().await.expect("first");
        let b = send().await.expect("retry");
        assert_eq!(a.id, b.id);
        assert_eq!(bot.sim.messages_in(demo::HELP).len(), 1);
        bot.stop().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn resume_replays_events_missed_while_disconnected() {
    timeout(Duration::from_secs(30), async {
        let mut bot = Bot::start(default_cfg()).await;
        let sim = bot.sim.clone();
        sim.close_gateway(4000);
        let missed = sim
            .post_message(demo::ALICE, demo::HELP, "while you were away")
            .await;
        assert!(sim.wait_for_resumes(1, T).await, "serenity resumes");
        let m = bot.next_message(missed).await;
        assert_eq!(m.content, "while you were away");
        let after = sim
            .post_message(demo::BOB, demo::HELP, "after the resume")
            .await;
        bot.next_message(after).await;
        assert_eq!(sim.identify_count(), 1, "no re-identify");
        bot.stop().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn missing_heartbeat_acks_lead_to_a_reidentify() {
    timeout(Duration::from_secs(40), async {
        let cfg = SimConfig {
            heartbeat_interval: Duration::from_millis(300),
            ..SimConfig::default()
        };
        let mut bot = Bot::start(cfg).await;
        let sim = bot.sim.clone();
        sim.set_heartbeat_acks(false);
        assert!(
            sim.wait_for_identifies(2, Duration::from_secs(20)).await,
            "re-identify"
        );
        sim.set_heartbeat_acks(true);
        bot.next(|e| matches!(e, Ev::Ready(_))).await;
        assert!(sim.wait_for_connected(T).await);
        let id = sim
            .post_message(demo::ALICE, demo::HELP, "are you back?")
            .await;
        bot.next_message(id).await;
        bot.stop().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn without_message_content_other_guild_messages_are_empty() {
    timeout(Duration::from_secs(30), async {
        let sim = Simulator::start(World::demo(), default_cfg())
            .await
            .expect("start");
        let http = HttpBuilder::new(sim.token())
            .proxy(sim.base_url())
            .ratelimiter_disabled(true)
            .build();
        let (tx, rx) = mpsc::unbounded_channel();
        let intents = GatewayIntents::GUILDS
            | GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::DIRECT_MESSAGES;
        let mut client = ClientBuilder::new_with_http(http, intents)
            .event_handler(Handler { tx })
            .await
            .expect("client");
        let mut bot = Bot {
            sim: sim.clone(),
            http: Arc::clone(&client.http),
            rx,
            shards: Arc::clone(&client.shard_manager),
        };
        tokio::spawn(async move {
            let _ = client.start().await;
        });
        assert!(sim.wait_for_connected(T).await);
        // Without MESSAGE_CONTENT the guild still arrives (this used to be checked in
        // serenity's cache, which frontdesk no longer builds).
        bot.next(|e| matches!(e, Ev::Guild(_))).await;
        let plain = sim.post_message(demo::ALICE, demo::HELP, "secret").await;
        assert_eq!(bot.next_message(plain).await.content, "");
        let mention = format!("<@{}> help", demo::BOT);
        let pinged = sim.post_message(demo::ALICE, demo::HELP, &mention).await;
        assert_eq!(bot.next_message(pinged).await.content, mention);
        let dm = sim.send_dm(demo::ALICE, "dm text").await;
        assert_eq!(bot.next_message(dm).await.content, "dm text");
        bot.stop().await;
    })
    .await
    .expect("in time");
}

// ---- plain HTTP checks of the error answers ----

async fn json_of(resp: reqwest::Response) -> Value {
    let text = resp.text().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn post(sim: &Simulator, path: &str, body: Value) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v10{path}", sim.base_url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("http");
    let status = resp.status().as_u16();
    (status, json_of(resp).await)
}

#[tokio::test]
async fn error_answers() {
    timeout(Duration::from_secs(30), async {
        let cfg = SimConfig {
            rate_limit: None,
            interaction_deadline: Duration::from_millis(200),
            ..SimConfig::default()
        };
        let sim = Simulator::start(World::demo(), cfg).await.expect("start");
        let client = reqwest::Client::new();
        let unknown = client
            .get(format!("{}/api/v10/no/such/route", sim.base_url()))
            .send()
            .await
            .expect("http");
        assert_eq!(unknown.status().as_u16(), 404);
        let body = json_of(unknown).await;
        assert_eq!(body, json!({"message": "404: Not Found", "code": 0}));

        let msgs = |c: u64| format!("/channels/{c}/messages");
        assert_eq!(post(&sim, &msgs(42), json!({"content": "x"})).await.1["code"], 10003);
        assert_eq!(post(&sim, &msgs(demo::HELP), json!({"content": ""})).await.1["code"], 50006);
        let (s, b) = post(&sim, &msgs(demo::QUESTIONS), json!({"content": "x"})).await;
        assert_eq!((s, b["code"].clone()), (400, json!(40058)));
        let (s, b) = post(
            &sim,
            &msgs(demo::HELP),
            json!({"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}),
        )
        .await;
        assert_eq!((s, b["code"].clone()), (400, json!(50035)));
        assert!(b["errors"]["allowed_mentions"].is_object());
        let bad_ref = json!({"content": "x", "message_reference": {"message_id": "99"}});
        assert_eq!(post(&sim, &msgs(demo::HELP), bad_ref).await.1["code"], 50035);
        let lenient = json!({"content": "x",
            "message_reference": {"message_id": "99", "fail_if_not_exists": false}});
        let (s, b) = post(&sim, &msgs(demo::HELP), lenient).await;
        assert_eq!(s, 200);
        assert!(b.get("message_reference").is_none());

        let (_, dm) = post(&sim, "/users/@me/channels", json!({"recipient_id": demo::BOB.to_string()})).await;
        let dm_id: u64 = dm["id"].as_str().and_then(|s| s.parse().ok()).expect("dm id");
        sim.set_dm_blocked(demo::BOB, true);
        let (s, b) = post(&sim, &msgs(dm_id), json!({"content": "hi"})).await;
        assert_eq!((s, b["code"].clone()), (403, json!(50007)));

        sim.fail_next("POST /channels/", 503, 1);
        assert_eq!(post(&sim, &msgs(demo::HELP), json!({"content": "x"})).await.0, 503);
        assert_eq!(post(&sim, &msgs(demo::HELP), json!({"content": "x"})).await.0, 200);

        let iid = sim.invoke_command(demo::ALICE, demo::HELP, "status", json!([])).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let token = format!("sim-interaction-token-{iid:x}");
        let (s, b) = post(&sim, &format!("/interactions/{iid}/{token}/callback"),
            json!({"type": 4, "data": {"content": "late"}})).await;
        assert_eq!((s, b["code"].clone()), (404, json!(10062)));

        // History paging: newest first, before/after/limit.
        let ids: Vec<u64> = {
            let mut v = Vec::new();
            for i in 0..5 {
                v.push(sim.post_message(demo::ALICE, demo::STAFF, &format!("m{i}")).await);
            }
            v
        };
        let page = json_of(
            client
            .get(format!("{}/api/v10/channels/{}/messages?after={}&limit=2", sim.base_url(), demo::STAFF, ids[1]))
            .send()
                .await
                .expect("http"),
        )
        .await;
        let got: Vec<String> = page.as_array().expect("array").iter()
            .map(|m| m["content"].as_str().unwrap_or("").to_string()).collect();
        assert_eq!(got, vec!["m3", "m2"]);
        let bad_limit = client
            .get(format!("{}/api/v10/channels/{}/messages?limit=101", sim.base_url(), demo::STAFF))
            .send().await.expect("http");
        assert_eq!(bad_limit.status().as_u16(), 400);

        // Control endpoints.
        let r = json_of(
            client
            .post(format!("{}/_sim/messages", sim.base_url()))
            .header("content-type", "application/json").body(json!({"author": demo::CAROL.to_string(), "channel": demo::HELP, "content": "via control"}).to_string())
            .send()
                .await
                .expect("http"),
        )
        .await;
        assert!(r["id"].is_string());
        let listed = json_of(
            client
            .get(format!("{}/_sim/channels/{}/messages", sim.base_url(), demo::HELP))
            .send()
                .await
                .expect("http"),
        )
        .await;
        assert!(listed.as_array().expect("array").iter().any(|m| m["content"] == "via control"));
        let reqs = json_of(
            client
            .get(format!("{}/_sim/requests", sim.base_url()))
            .send()
                .await
                .expect("http"),
        )
        .await;
        assert!(reqs.as_array().expect("array").len() >= 10);
        let found = sim
            .wait_for_request(|r| r.path == "/no/such/route", Duration::from_millis(10))
            .await;
        assert_eq!(found.map(|r| r.status), Some(404));
        sim.shutdown().await;
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn serve_runs_until_shutdown() {
    timeout(Duration::from_secs(30), async {
        // Find a free port, then serve on it (what `frontdesk sim --port P` does).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(frontdesk_sim::serve(
            addr,
            World::demo(),
            SimConfig::default(),
            async move {
                let _ = stopped.await;
            },
        ));
        let url = format!("http://{addr}/api/v10/gateway");
        let mut body = Value::Null;
        for _ in 0..50 {
            if let Ok(resp) = reqwest::get(&url).await {
                body = json_of(resp).await;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(body["url"], format!("ws://{addr}/gateway"));
        let _ = stop.send(());
        assert!(server.await.expect("joined").is_ok());
    })
    .await
    .expect("in time");
}
