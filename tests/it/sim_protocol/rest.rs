//! The simulator's REST answers as serenity and plain HTTP see them: rate limits, Discord's
//! error codes, nonces, and the server's lifecycle.

use super::*;

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
        // A real gap, not a wait for work: the 200 ms the interaction accepts a callback
        // must pass.
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
        let resp = crate::support::eventually("the simulator answered on its port", async || {
            reqwest::get(&url).await.ok()
        })
        .await;
        let body = json_of(resp).await;
        assert_eq!(body["url"], format!("ws://{addr}"));
        let _ = stop.send(());
        assert!(server.await.expect("joined").is_ok());
    })
    .await
    .expect("in time");
}
