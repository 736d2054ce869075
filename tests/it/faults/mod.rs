//! Faults: the gateway dropped mid-stream (RESUME and re-IDENTIFY), REST 5xx and 429 storms,
//! and the real binary SIGKILLed five times during a burst of 500 customer messages.
//!
//! Every test ends with the same audit, counted on what people actually see in the simulator
//! (not on the requests the bot sent, since a retried send with the same nonce is dropped by
//! Discord): each conversation has exactly one visible acknowledgement, no message has two,
//! and every conversation's owner was notified at least once (named with its link, or, in a
//! burst larger than a digest names, counted). Each test prints its figures
//! (`cargo test --test it faults:: -- --nocapture`) for RELIABILITY.md.

#[cfg(unix)]
mod kills;
#[cfg(target_os = "linux")]
mod limits;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{
    eventually, quiet_period, spawn_frontdesk, wait_for, write_demo_config, Bot, QUIET, WAIT,
};
use frontdesk_sim::{demo, SimConfig, SimUser, Simulator, World};

/// Where a test message went; a conversation is one (channel, customer) pair here, since
/// every forum post is its own channel and nothing in these tests resolves a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Help,
    Forum,
    Dm,
}

#[derive(Clone, Copy, Debug)]
struct Sent {
    id: u64,
    channel: u64,
    customer: u64,
    kind: Kind,
}

/// The demo world plus `extra` customers, so that many conversations can open at once.
fn world(extra: u64) -> (World, Vec<u64>) {
    let mut w = World::demo();
    let mut customers = demo::CUSTOMERS.to_vec();
    for i in 0..extra {
        let id = 100_000_000_000_001_000 + i;
        w = w.with_user(SimUser::new(id, &format!("customer{i}")));
        customers.push(id);
    }
    (w, customers)
}

async fn sim_with(world: World, cfg: SimConfig) -> Simulator {
    Simulator::start(world, cfg).await.expect("simulator")
}

/// No per-channel limit: these tests are about faults, not pacing (pacing under 429 has its
/// own storm test below, and tests/e2e.rs covers the real 5/5 s limit).
fn unlimited() -> SimConfig {
    SimConfig {
        rate_limit: None,
        ..SimConfig::default()
    }
}

async fn help(sim: &Simulator, customer: u64, text: &str) -> Sent {
    let id = sim.post_message(customer, demo::HELP, text).await;
    Sent {
        id,
        channel: demo::HELP,
        customer,
        kind: Kind::Help,
    }
}

async fn forum(sim: &Simulator, customer: u64, text: &str) -> Sent {
    let id = sim
        .create_forum_post(customer, demo::QUESTIONS, "A question", text)
        .await;
    Sent {
        id,
        channel: id,
        customer,
        kind: Kind::Forum,
    }
}

async fn dm(sim: &Simulator, customer: u64, text: &str) -> Sent {
    let id = sim.send_dm(customer, text).await;
    let channel = sim.dm_channel_of(customer).expect("the DM channel exists");
    Sent {
        id,
        channel,
        customer,
        kind: Kind::Dm,
    }
}

/// What people see after a run.
#[derive(Debug, Default)]
struct Audit {
    messages: usize,
    conversations: usize,
    /// Visible acknowledgements per conversation → number of conversations.
    acks_per_conversation: BTreeMap<usize, usize>,
    /// Customer messages with more than one visible acknowledgement.
    double_acked: Vec<u64>,
    /// Conversations whose acknowledgement is not in the owner's DMs or the staff channel.
    not_notified: Vec<u64>,
    /// Customers the owner's digests counted without naming them (a burst larger than a
    /// digest names): the conversations not named must be no more than these.
    counted: usize,
    /// Messages acknowledged with the "late" wording: found by catch-up.
    late: Vec<u64>,
    /// The acknowledged (opening) message of every conversation.
    openers: Vec<(u64, u64)>,
}

impl Audit {
    fn settled(&self) -> bool {
        self.acks_per_conversation.keys().all(|&n| n == 1)
            && self.not_notified.len() <= self.counted
    }

    fn assert_exactly_once(&self) {
        assert!(
            self.double_acked.is_empty(),
            "messages acknowledged twice: {:?}",
            self.double_acked
        );
        assert_eq!(
            self.acks_per_conversation
                .keys()
                .copied()
                .collect::<Vec<_>>(),
            vec![1],
            "acknowledgements per conversation (count → conversations): {:?}",
            self.acks_per_conversation
        );
        assert!(
            self.not_notified.len() <= self.counted,
            "owner never notified about {:?} (and {} counted in digests)",
            self.not_notified,
            self.counted
        );
    }
}

fn audit(sim: &Simulator, sent: &[Sent]) -> Audit {
    let bot = sim.bot_id();
    let mut bot_messages: HashMap<u64, Vec<frontdesk_sim::SimMessage>> = HashMap::new();
    let mut by_conversation: BTreeMap<(u64, u64), Vec<Sent>> = BTreeMap::new();
    for s in sent {
        bot_messages.entry(s.channel).or_insert_with(|| {
            sim.messages_in(s.channel)
                .into_iter()
                .filter(|m| m.author_id == bot)
                .collect()
        });
        by_conversation
            .entry((s.channel, s.customer))
            .or_default()
            .push(*s);
    }
    // Notices go to the owner's DM, or to the staff channel when DMs fail.
    let mut notices = String::new();
    for channel in sim
        .dm_channel_of(demo::OWNER)
        .into_iter()
        .chain([demo::STAFF])
    {
        for m in sim.messages_in(channel) {
            if m.author_id == bot {
                notices.push_str(&m.content);
                notices.push('\n');
            }
        }
    }
    let mut a = Audit {
        messages: sent.len(),
        conversations: by_conversation.len(),
        counted: counted_in(&notices),
        ..Audit::default()
    };
    for ((channel, _), msgs) in by_conversation {
        let mut total = 0;
        let mut opener = None;
        for s in &msgs {
            let acks: Vec<_> = bot_messages[&channel]
                .iter()
                .filter(|m| crate::support::acked_by_message(m).contains(&s.id))
                .collect();
            if acks.len() > 1 {
                a.double_acked.push(s.id);
            }
            if acks.iter().any(|m| {
                // In a merged acknowledgement, only this customer's own line counts.
                let link = format!("/{channel}/{})", s.id);
                let own = if m.reply_to() == Some(s.id) {
                    m.content.as_str()
                } else {
                    m.content.lines().find(|l| l.contains(&link)).unwrap_or("")
                };
                own.contains("sorry for the slow answer")
            }) {
                a.late.push(s.id);
            }
            if !acks.is_empty() {
                opener = Some(s.id);
            }
            total += acks.len();
        }
        *a.acks_per_conversation.entry(total).or_default() += 1;
        if let Some(id) = opener {
            a.openers.push((channel, id));
            // The notice's jump link ends in /channel/conversation (= the opening message).
            if !notices.contains(&format!("/{channel}/{id}\n")) {
                a.not_notified.push(id);
            }
        }
    }
    a
}

/// The customers a digest only counts ("…and 12 more customers need you"), when more came at
/// once than an owner's DMs can name (see `discord::notice::digest`), summed over every digest.
fn counted_in(notices: &str) -> usize {
    notices
        .match_indices("…and ")
        .filter_map(|(at, m)| {
            let rest = &notices[at + m.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let after = &rest[digits.len()..];
            (after.starts_with(" more customer")).then(|| digits.parse::<usize>().ok())?
        })
        .sum()
}

/// Audits until every conversation is acknowledged and notified (or `within` passes), then
/// waits `quiet` more and audits again, so a late duplicate would still be seen.
async fn settle(sim: &Simulator, sent: &[Sent], within: Duration, quiet: Duration) -> Audit {
    // On a timeout the audit's checks name what is missing.
    wait_for(within, async || audit(sim, sent).settled().then_some(())).await;
    quiet_period(quiet).await;
    audit(sim, sent)
}

/// Opens the store after the bot stopped: it must open cleanly and hold every message sent
/// (claimed) and every conversation (under its opening message).
fn assert_store_holds(data: &Path, sent: &[Sent], a: &Audit) {
    let store = frontdesk::store::Store::open(data).expect("the store opens cleanly");
    let lost: Vec<u64> = sent
        .iter()
        .filter(|s| {
            !store
                .is_claimed(frontdesk::model::MessageId(s.id))
                .expect("read")
        })
        .map(|s| s.id)
        .collect();
    assert!(lost.is_empty(), "messages never stored: {lost:?}");
    for (_, id) in &a.openers {
        assert!(
            store
                .conversation(frontdesk::model::MessageId(*id))
                .expect("read")
                .is_some(),
            "conversation {id} is stored"
        );
    }
    assert_eq!(store.conversation_count(), a.conversations);
}

fn print_figures(test: &str, faults: &str, a: &Audit, elapsed: Duration) {
    println!(
        "FIGURES {test}: faults injected: {faults}; messages sent: {}; conversations: {}; \
         acknowledgements per conversation: {:?}; messages acknowledged twice: {}; \
         acknowledged late by catch-up: {}; notified by name: {}, counted in a digest: {}, \
         lost: {}; took {:.1} s",
        a.messages,
        a.conversations,
        a.acks_per_conversation,
        a.double_acked.len(),
        a.late.len(),
        a.openers.len() - a.not_notified.len(),
        a.not_notified.len().min(a.counted),
        a.not_notified.len().saturating_sub(a.counted),
        elapsed.as_secs_f64()
    );
}

fn failed_requests(sim: &Simulator, status: u16) -> usize {
    sim.requests().iter().filter(|r| r.status == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_dropped_mid_stream_resumes_and_loses_nothing() {
    let started = Instant::now();
    let (w, customers) = world(12);
    let sim = sim_with(w, unlimited()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let bot = Bot::start(&sim, &data).await;
    let mut sent = Vec::new();
    let mut c = customers.iter().copied().cycle();
    for round in 1..=3u64 {
        for _ in 0..3 {
            sent.push(help(&sim, c.next().unwrap_or(demo::ALICE), "is the shop open?").await);
            sent.push(
                forum(
                    &sim,
                    c.next().unwrap_or(demo::BOB),
                    "a question about sizes",
                )
                .await,
            );
        }
        // Mid-stream: the close races the bot's handling of what was just posted, and what is
        // posted next is buffered by the session and replayed on RESUME.
        sim.close_gateway(4000);
        for _ in 0..2 {
            sent.push(
                forum(
                    &sim,
                    c.next().unwrap_or(demo::CAROL),
                    "posted while reconnecting",
                )
                .await,
            );
            sent.push(help(&sim, c.next().unwrap_or(demo::ALICE), "and a follow-up").await);
        }
        assert!(sim.wait_for_resumes(round, WAIT).await, "resume {round}");
    }
    let a = settle(&sim, &sent, WAIT, Duration::from_millis(500)).await;
    assert_eq!(
        sim.identify_count(),
        1,
        "every reconnect resumed the session"
    );
    bot.stop().await;
    print_figures(
        "gateway RESUME",
        &format!("3 gateway closes (4000), {} resumes", sim.resume_count()),
        &a,
        started.elapsed(),
    );
    a.assert_exactly_once();
    assert_store_holds(&data, &sent, &a);
}

/// When heartbeats go unanswered, serenity abandons the session and IDENTIFYs afresh: what
/// Discord sent in between is gone for good, and only catch-up (run on every READY) can find
/// those customers. The periodic catch-up is left at its default (5 min), so READY alone must
/// do it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_sent_while_the_session_is_lost_are_caught_up_on_the_new_ready() {
    let started = Instant::now();
    let (w, customers) = world(12);
    let sim = sim_with(
        w,
        SimConfig {
            heartbeat_interval: Duration::from_millis(300),
            ..unlimited()
        },
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let bot = Bot::start(&sim, &data).await;
    let mut c = customers.iter().copied().cycle();
    let mut sent = Vec::new();
    for _ in 0..2 {
        sent.push(help(&sim, c.next().unwrap_or(demo::ALICE), "before the outage").await);
        sent.push(forum(&sim, c.next().unwrap_or(demo::BOB), "before the outage").await);
    }
    // Let a live message race the stall, then wait for the socket to go.
    sim.stall_gateway(true);
    sent.push(forum(&sim, c.next().unwrap_or(demo::BOB), "as the gateway stalls").await);
    eventually("serenity gave up on the silent session", async || {
        sim.connected_intents().is_none().then_some(())
    })
    .await;
    // No session can receive these: the old one is gone, and a new IDENTIFY is held until
    // the stall ends. They can only be buffered for a RESUME that never comes.
    let mut lost = Vec::new();
    for _ in 0..3 {
        lost.push(help(&sim, c.next().unwrap_or(demo::CAROL), "while you were away").await);
        lost.push(forum(&sim, c.next().unwrap_or(demo::ALICE), "a post nobody saw").await);
    }
    sim.stall_gateway(false);
    assert!(
        sim.wait_for_identifies(2, Duration::from_secs(30)).await,
        "a new session"
    );
    sent.extend(lost.iter().copied());
    sent.push(help(&sim, c.next().unwrap_or(demo::BOB), "after the new READY").await);
    let a = settle(
        &sim,
        &sent,
        Duration::from_secs(30),
        Duration::from_millis(500),
    )
    .await;
    bot.stop().await;
    // serenity 0.12.5 may leave the restarted shard connected after shutdown; frontdesk must
    // not act on what it still receives (and must have let go of the database).
    let after = forum(&sim, demo::ALICE, "after the bot stopped").await;
    quiet_period(QUIET).await;
    assert!(
        crate::support::acks_for(&sim, after.id).is_empty(),
        "a stopped bot answers nothing"
    );
    print_figures(
        "gateway re-IDENTIFY",
        &format!(
            "gateway stalled; {} IDENTIFYs, {} resumes; {} messages sent with no connection",
            sim.identify_count(),
            sim.resume_count(),
            lost.len()
        ),
        &a,
        started.elapsed(),
    );
    a.assert_exactly_once();
    let live: Vec<u64> = lost
        .iter()
        .filter(|s| sim.dispatched_at(s.id).is_some())
        .map(|s| s.id)
        .collect();
    assert!(
        live.is_empty(),
        "no session was open, yet the gateway carried {live:?}"
    );
    let missed: Vec<u64> = lost
        .iter()
        .filter(|s| !a.late.contains(&s.id))
        .map(|s| s.id)
        .collect();
    assert!(
        missed.is_empty(),
        "every message sent with no connection is acknowledged by catch-up, with the late \
         wording; not so: {missed:?}"
    );
    assert_store_holds(&data, &sent, &a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_5xx_and_429_storms_still_acknowledge_everyone_exactly_once() {
    let started = Instant::now();
    let (w, customers) = world(20);
    let sim = sim_with(w, unlimited()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let bot = Bot::start(&sim, &data).await;
    let mut c = customers.iter().copied().cycle();
    let mut sent = Vec::new();
    let mut injected = 0;
    // 5xx storms on message posts (acks and notices), on opening the owner's DM and on the
    // history reads; then 429 storms (each asks for a 1 s pause).
    let storms: [(&str, u16, u32); 6] = [
        ("POST /channels", 500, 12),
        ("POST /channels", 502, 12),
        ("POST /users/@me/channels", 503, 6),
        ("POST /channels", 503, 12),
        ("POST /channels", 429, 6),
        ("/messages", 429, 6),
    ];
    for (route, status, count) in storms {
        sim.fail_next(route, status, count);
        injected += count;
        for _ in 0..3 {
            sent.push(forum(&sim, c.next().unwrap_or(demo::ALICE), "storm question").await);
            sent.push(help(&sim, c.next().unwrap_or(demo::BOB), "storm question").await);
        }
        // The storm is over once the bot used it up (the audit below tells if it never did).
        wait_for(WAIT, async || {
            sim.requests()
                .iter()
                .any(|r| r.status == status)
                .then_some(())
        })
        .await;
    }
    let a = settle(
        &sim,
        &sent,
        Duration::from_secs(60),
        Duration::from_millis(500),
    )
    .await;
    let fired: usize = [500, 502, 503, 429]
        .iter()
        .map(|s| failed_requests(&sim, *s))
        .sum();
    bot.stop().await;
    print_figures(
        "REST storms",
        &format!(
            "{injected} faults queued (5xx and 429), {fired} answered with an error \
             (500: {}, 502: {}, 503: {}, 429: {})",
            failed_requests(&sim, 500),
            failed_requests(&sim, 502),
            failed_requests(&sim, 503),
            failed_requests(&sim, 429)
        ),
        &a,
        started.elapsed(),
    );
    a.assert_exactly_once();
    assert!(
        fired >= 40,
        "the storms hit the bot ({fired} errors answered)"
    );
    assert_store_holds(&data, &sent, &a);
}
