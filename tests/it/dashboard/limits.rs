//! What one visitor can hold of the dashboard: a request whose headers never finish and an
//! idle keep-alive connection are closed at the header deadline, connections beyond the cap
//! wait until one closes, and a stop does not wait for any of them.

use std::sync::Arc;
use std::time::Duration;

use frontdesk::clock::SystemClock;
use frontdesk::dashboard::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Served;
use crate::support::{quiet_period, Bot, WAIT};

async fn serve_with(limits: Limits) -> (Served, tempfile::TempDir) {
    let sim = crate::support::demo_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let addr = listener.local_addr().expect("addr");
    let extra = format!("[dashboard]\nlisten = \"{addr}\"\n");
    let bot = Bot::start_custom(
        &sim,
        &dir.path().join("data"),
        &extra,
        Arc::new(SystemClock),
        |o| {
            o.dashboard_listener = Some(listener);
            o.dashboard_limits = Some(limits);
        },
    )
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let served = Served {
        bot,
        base: format!("http://{addr}"),
        http,
    };
    (served, dir)
}

/// A connection that sent the start of a request and stopped.
async fn unfinished(served: &Served) -> TcpStream {
    let addr = served.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET /queue HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    s
}

/// Waits until the server closes `s` (end of stream or a reset), reading whatever comes.
async fn closed_by_server(s: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(WAIT, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server closed the connection in time");
}

fn short(header_timeout: Duration) -> Limits {
    Limits {
        header_timeout,
        shutdown_grace: Duration::from_millis(300),
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_headers_never_finish_is_closed_at_the_deadline() {
    let (served, _dir) = serve_with(short(Duration::from_millis(300))).await;
    let mut s = unfinished(&served).await;
    closed_by_server(&mut s).await;
    // The dashboard still answers everyone else.
    let (status, _) = served.get_anon("/queue").await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    served.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_at_the_deadline() {
    let (served, _dir) = serve_with(short(Duration::from_millis(300))).await;
    let addr = served.base.trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    s.write_all(b"GET /queue HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    // The answer comes, on a connection kept alive (HTTP/1.1) ...
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(WAIT, async {
        while !String::from_utf8_lossy(&answer).contains("</html>") {
            let n = s.read(&mut buf).await.expect("read");
            assert!(n > 0, "the connection stayed open for the answer");
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "the answer arrived in time");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 401"));
    // ... and then closed, since no next request came.
    closed_by_server(&mut s).await;
    served.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_cap_a_connection_waits_until_one_closes() {
    let limits = Limits {
        max_connections: 2,
        header_timeout: Duration::from_secs(60),
        shutdown_grace: Duration::from_millis(300),
        ..Limits::default()
    };
    let (served, _dir) = serve_with(limits).await;
    let first = unfinished(&served).await;
    let _second = unfinished(&served).await;
    let http = served.http.clone();
    let url = served.url("/queue");
    let third = tokio::spawn(async move { http.get(url).send().await.map(|r| r.status()) });
    quiet_period(Duration::from_millis(500)).await;
    assert!(!third.is_finished(), "the third waits while two are open");
    drop(first);
    let status = tokio::time::timeout(WAIT, third)
        .await
        .expect("served once a slot freed")
        .expect("task")
        .expect("answer");
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    // Stopping does not wait for the connection that never finished its request.
    served.bot.stop().await;
}
