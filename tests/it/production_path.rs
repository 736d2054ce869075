//! The production HTTP path: serenity with its own rate limiter ON and every REST call going
//! to `https://discord.com`, which the reqwest client resolves to a TLS front for the
//! simulator, trusted through a test CA made here. (With `--discord-api`, serenity switches
//! its limiter off; this test covers the other mode, the one real Discord uses.)

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{acks_for, wait_ack, Bot};
use frontdesk::clock::SystemClock;
use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// A TLS listener for `discord.com` that forwards each connection to the simulator.
/// Returns the CA certificate (PEM) that signed it, and its address.
async fn tls_front(backend: SocketAddr) -> (String, SocketAddr) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("ca key")).expect("ca");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = CertificateParams::new(vec!["discord.com".to_string()])
        .expect("leaf params")
        .signed_by(&leaf_key, &ca)
        .expect("leaf");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (ca.pem(), addr)
}

/// The demo world with five more customers.
fn world() -> World {
    (1..=5u64).fold(World::demo(), |w, i| {
        w.with_user(SimUser::new(
            200_000_000_000_000_000 + i,
            &format!("customer{i}"),
        ))
    })
}

fn customers() -> Vec<u64> {
    let mut all = vec![demo::ALICE, demo::BOB, demo::CAROL];
    all.extend((1..=5u64).map(|i| 200_000_000_000_000_000 + i));
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_serenitys_rate_limiter_on_a_burst_into_one_channel_is_acknowledged_once_each() {
    let sim = Simulator::start(world(), SimConfig::default())
        .await
        .expect("simulator");
    let (ca_pem, front) = tls_front(sim.addr()).await;
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        // A proxy from the environment would bypass the override.
        .no_proxy()
        .resolve("discord.com", front)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("ca"))
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client");
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start_custom(
        &sim,
        &dir.path().join("data"),
        "",
        Arc::new(SystemClock),
        |o| {
            o.api = None;
            o.http_client = Some(client);
        },
    )
    .await;
    // Everything reached the simulator through TLS as https://discord.com: the gateway
    // lookup and the command registration came in that way.
    assert!(sim.requests().iter().any(|r| r.is("GET", "/gateway")));

    // Eight customers at once into one channel: beyond Discord's 5 per 5 s.
    let mut posted = Vec::new();
    for who in customers() {
        posted.push(sim.post_message(who, demo::HELP, "question!").await);
    }
    for id in &posted {
        wait_ack(&sim, *id).await;
    }
    for id in &posted {
        assert_eq!(acks_for(&sim, *id).len(), 1, "message {id}");
    }
    // frontdesk paced itself by the rate-limit headers instead of running into 429s.
    let limited = sim.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(limited, 0, "no request was refused for the rate limit");
    bot.stop().await;
}
