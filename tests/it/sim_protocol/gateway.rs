//! The simulator's gateway through serenity's shard: RESUME, heartbeats, and the
//! message-content intent.

use super::*;

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
