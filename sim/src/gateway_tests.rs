//! The gateway on the wire, read frame by frame as a client other than serenity reads it:
//! the root path with `compress=zlib-stream` (discord.py's dial), the old `/gateway` path, and
//! the dials the simulator refuses.

use std::io::Write;
use std::time::Duration;

use flate2::write::ZlibDecoder;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

use crate::world::demo;
use crate::{intents, SimConfig, Simulator, World};

const T: Duration = Duration::from_secs(10);
const SYNC_FLUSH: [u8; 4] = [0, 0, 0xff, 0xff];

/// A bare gateway client: one zlib context for the connection when it asked for zlib-stream.
struct Wire {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    inflate: Option<ZlibDecoder<Vec<u8>>>,
}

impl Wire {
    async fn dial(sim: &Simulator, path_and_query: &str) -> Wire {
        let url = format!("ws://{}{path_and_query}", sim.addr());
        let (ws, _) = timeout(T, connect_async(url))
            .await
            .expect("dialled in time")
            .expect("upgrade accepted");
        let inflate = path_and_query
            .contains("compress=zlib-stream")
            .then(|| ZlibDecoder::new(Vec::new()));
        Wire { ws, inflate }
    }

    /// The next WebSocket message, whatever it is.
    async fn raw(&mut self) -> Message {
        timeout(T, self.ws.next())
            .await
            .expect("a frame in time")
            .expect("connection open")
            .expect("a frame")
    }

    /// The next gateway message, decoded as the dial asked.
    async fn next(&mut self) -> Value {
        let text = match (self.raw().await, self.inflate.as_mut()) {
            (Message::Binary(b), Some(z)) => {
                assert_eq!(
                    b[b.len() - 4..],
                    SYNC_FLUSH,
                    "each message ends a sync flush"
                );
                z.write_all(&b).expect("inflates");
                z.flush().expect("inflates");
                String::from_utf8(std::mem::take(z.get_mut())).expect("utf-8")
            }
            (Message::Text(t), None) => t,
            (other, z) => panic!("unexpected frame {other:?} (zlib-stream: {})", z.is_some()),
        };
        serde_json::from_str(&text).expect("JSON")
    }

    /// The next dispatch named `name` (others skipped).
    async fn dispatch(&mut self, name: &str) -> Value {
        loop {
            let v = self.next().await;
            if v["op"] == 0 && v["t"] == name {
                return v;
            }
        }
    }

    async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string()))
            .await
            .expect("sent");
    }

    /// The close frame the simulator ends the connection with, before any gateway message.
    async fn refused(&mut self) -> (u16, String) {
        match self.raw().await {
            Message::Close(Some(f)) => (u16::from(f.code), f.reason.into_owned()),
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

fn identify(intents: u64) -> Value {
    // discord.py's IDENTIFY, which asks for payload compression too.
    json!({"op": 2, "d": {"token": "any", "intents": intents, "compress": true,
        "large_threshold": 250,
        "properties": {"os": "linux", "browser": "discord.py", "device": "discord.py"}}})
}

async fn sim() -> Simulator {
    Simulator::start(World::demo(), SimConfig::default())
        .await
        .expect("simulator starts")
}

#[tokio::test]
async fn zlib_stream_at_the_root_carries_the_handshake_and_messages() {
    let sim = sim().await;
    // What discord.py 2.x dials (`DEFAULT_GATEWAY` plus its query).
    let dial = "/?v=10&encoding=json&compress=zlib-stream";
    let mut wire = Wire::dial(&sim, dial).await;
    let hello = wire.next().await;
    assert_eq!(hello["op"], 10);
    assert!(hello["d"]["heartbeat_interval"].as_u64().is_some());
    let wanted = intents::GUILDS | intents::GUILD_MESSAGES | intents::MESSAGE_CONTENT;
    wire.send(identify(wanted)).await;
    let ready = wire.dispatch("READY").await;
    assert_eq!(ready["d"]["v"], 10);
    assert_eq!(ready["d"]["user"]["id"], demo::BOT.to_string());
    assert_eq!(
        ready["d"]["resume_gateway_url"],
        format!("ws://{}", sim.addr())
    );
    let guild = wire.dispatch("GUILD_CREATE").await;
    assert_eq!(guild["d"]["id"], demo::GUILD.to_string());
    wire.send(json!({"op": 1, "d": 2})).await;
    assert_eq!(wire.next().await["op"], 11);

    let id = sim
        .post_message(demo::ALICE, demo::HELP, "does this reach discord.py?")
        .await;
    let created = wire.dispatch("MESSAGE_CREATE").await;
    assert_eq!(created["d"]["id"], id.to_string());
    assert_eq!(created["d"]["content"], "does this reach discord.py?");
    assert_eq!(created["s"], 3);
    assert_eq!(sim.gateway_dials(), vec![dial.to_string()]);
    assert_eq!(sim.connected_intents(), Some(wanted));
    sim.shutdown().await;
}

#[tokio::test]
async fn without_compress_the_root_and_the_old_path_answer_in_text() {
    let sim = sim().await;
    for dial in [
        "/?v=10&encoding=json",
        "/gateway?v=10",
        "/",
        "/?v=10&compress=zstd-stream",
    ] {
        let mut wire = Wire::dial(&sim, dial).await;
        assert_eq!(wire.next().await["op"], 10, "{dial}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn etf_and_other_versions_are_refused_before_hello() {
    let sim = sim().await;
    for (dial, code) in [
        ("/?v=10&encoding=etf&compress=zlib-stream", 1003),
        ("/?v=6&encoding=json", 4012),
    ] {
        let mut wire = Wire::dial(&sim, dial).await;
        let (got, reason) = wire.refused().await;
        assert_eq!(got, code, "{dial}: {reason}");
        assert!(!reason.is_empty(), "{dial}: a close reason names the cause");
    }
    assert_eq!(sim.identify_count(), 0);
    sim.shutdown().await;
}
