//! End-to-end checks of the Discord simulator with the real serenity 0.12.5 client: every
//! payload the simulator sends must reach serenity's handler (serenity drops what it cannot
//! deserialize), and every REST answer must be what serenity expects. `clients`: discord.py and
//! discord.js bots against it too.

mod clients;
mod gateway;
mod rest;

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
