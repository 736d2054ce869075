//! The real binary SIGKILLed at random moments during a burst, and what must hold after.

use super::*;
use crate::support::{ready, Child};

/// A tiny deterministic generator (xorshift64*), so a failing run can be replayed with
/// `FAULTS_SEED=<seed>` without another dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.below(hi - lo + 1))
    }
}

/// 500 customer messages while the real binary is SIGKILLed at random moments and restarted,
/// five times. The messages are spread over #help (23 customers: the first message of each
/// opens their conversation, the rest are follow-ups that must be stored, not acknowledged),
/// forum posts (each one a new conversation) and DMs (follow-ups in 5 DM conversations opened
/// before the burst, each relayed to the staff thread).
///
/// The simulator runs without its per-channel rate limit: with Discord's 5 per 5 s, the owner's
/// DM channel and #help would make the run take minutes of waiting that test pacing, not
/// crash safety (pacing under 429s is `rest_5xx_and_429_storms_...` in the parent module).
///
/// DM channels are opened before the burst on purpose: a bot cannot list its DM channels, so a
/// customer whose very first DM arrives while frontdesk is down is found only when they write
/// again (see RELIABILITY.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_sigkills_during_a_burst_of_500_messages_lose_nothing_and_ack_once() {
    const MESSAGES: usize = 500;
    const KILLS: usize = 5;
    let started = Instant::now();
    let seed = std::env::var("FAULTS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    println!("FAULTS_SEED={seed}");
    let mut rng = Rng(seed);
    let (w, customers) = world(20);
    let sim = sim_with(w, unlimited()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_demo_config(dir.path(), "");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    let mut spawned = 0usize;
    let mut spawn = || {
        spawned += 1;
        let log = std::fs::File::create(logs.join(format!("run-{spawned}.log"))).expect("log");
        Child(spawn_frontdesk(&config, &sim, log))
    };

    let mut child = ready(&sim, &mut spawn).await;
    let dm_customers: Vec<u64> = customers[..5].to_vec();
    let mut warm = Vec::new();
    for &c in &dm_customers {
        warm.push(dm(&sim, c, &format!("hello from {c}, a first DM")).await);
    }
    for s in &warm {
        crate::support::wait_ack(&sim, s.id).await;
    }

    // The burst runs on its own task while this one kills and restarts the bot.
    let burst = {
        let sim = sim.clone();
        let customers = customers.clone();
        let dm_customers = dm_customers.clone();
        let mut rng = Rng(seed.rotate_left(17) | 1);
        tokio::spawn(async move {
            let mut sent = Vec::with_capacity(MESSAGES);
            for i in 0..MESSAGES {
                let pick =
                    |rng: &mut Rng, from: &[u64]| from[rng.below(from.len() as u64) as usize];
                let s = match rng.below(10) {
                    0..=3 => {
                        let c = pick(&mut rng, &customers);
                        forum(&sim, c, &format!("burst #{i}: do you have this in blue?")).await
                    }
                    4..=7 => {
                        let c = pick(&mut rng, &customers);
                        help(&sim, c, &format!("burst #{i}: when does my order ship?")).await
                    }
                    _ => {
                        let c = pick(&mut rng, &dm_customers);
                        dm(&sim, c, &format!("burst #{i}: one more detail")).await
                    }
                };
                sent.push(s);
                // A real gap: the burst is spread over the kills.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            sent
        })
    };
    let mut kills = Vec::new();
    let burst_started = Instant::now();
    for _ in 0..KILLS {
        // Real gaps: the bot runs for a random while, then stays down for one.
        tokio::time::sleep(rng.millis(700, 2200)).await;
        child.0.kill().expect("SIGKILL");
        let _ = child.0.wait();
        kills.push(burst_started.elapsed());
        tokio::time::sleep(rng.millis(0, 400)).await;
        child = spawn();
    }
    let mut sent = warm;
    sent.extend(burst.await.expect("the burst task"));
    let burst_took = burst_started.elapsed();

    let a = settle(&sim, &sent, Duration::from_secs(90), Duration::from_secs(1)).await;
    // Relays go out behind acknowledgements (both paced to Discord's global limit), so they
    // may still be on their way when the acknowledgements settle: wait for them before the
    // graceful stop. Missing or doubled ones fail the checks below.
    wait_for(Duration::from_secs(60), async || {
        relay_counts(&sim, &sent)
            .iter()
            .all(|(_, n)| *n > 0)
            .then_some(())
    })
    .await;
    // A graceful stop at the end (SIGTERM), so the last run's shutdown path is covered too.
    let _ = std::process::Command::new("sh")
        // The shell builtin: a slim CI image may lack /bin/kill.
        .args(["-c", &format!("kill -TERM {}", child.0.id())])
        .status();
    let status = wait_for(WAIT, async || child.0.try_wait().expect("wait")).await;

    let relay_counts = relay_counts(&sim, &sent);
    let relay_threads = sim
        .threads()
        .iter()
        .filter(|t| t.parent_id == Some(demo::STAFF))
        .count();
    let mut panics = 0;
    for entry in std::fs::read_dir(&logs).expect("logs") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
        panics += text.matches("panicked").count();
        if text.contains("panicked") {
            eprintln!("{text}");
        }
    }
    // Sends repeated after a kill (same nonce): the simulator, like Discord, shows one message.
    let mut nonces: HashMap<String, usize> = HashMap::new();
    for r in sim.requests() {
        if r.is("POST", "/messages") && r.status < 300 {
            if let Some(n) = r.body.as_ref().and_then(|b| b["nonce"].as_str()) {
                *nonces.entry(n.to_string()).or_default() += 1;
            }
        }
    }
    let resent = nonces.values().filter(|&&n| n > 1).count();
    let by_kind = |k: Kind| sent.iter().filter(|s| s.kind == k).count();
    print_figures(
        "SIGKILL x5",
        &format!(
            "{KILLS} SIGKILLs at {:?} into a {:.1} s burst, then SIGTERM; {spawned} processes; \
             {} #help / {} forum / {} DM messages; relay threads {relay_threads} for {} DM \
             conversations; DM texts relayed (copies → messages): {:?}; sends repeated after a kill \
             and de-duplicated by nonce: {resent}; panics: {panics}; seed {seed}",
            kills
                .iter()
                .map(|d| format!("{:.1}s", d.as_secs_f64()))
                .collect::<Vec<_>>(),
            burst_took.as_secs_f64(),
            by_kind(Kind::Help),
            by_kind(Kind::Forum),
            by_kind(Kind::Dm),
            dm_customers.len(),
            relay_counts.iter().fold(BTreeMap::new(), |mut m, (_, n)| {
                *m.entry(*n).or_insert(0usize) += 1;
                m
            }),
        ),
        &a,
        started.elapsed(),
    );
    assert_eq!(panics, 0, "no run of the bot panicked");
    assert!(
        status.is_some_and(|s| s.success()),
        "SIGTERM stops the last run cleanly: {status:?}"
    );
    a.assert_exactly_once();
    let unrelayed: Vec<u64> = relay_counts
        .iter()
        .filter(|(_, n)| *n == 0)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        unrelayed.is_empty(),
        "DMs never relayed to staff: {unrelayed:?}"
    );
    assert_store_holds(&dir.path().join("data"), &sent, &a);
}

/// For every DM follow-up sent, how many of frontdesk's messages in the staff channel's
/// threads carry its text: each must reach the staff exactly once.
fn relay_counts(sim: &Simulator, sent: &[Sent]) -> Vec<(u64, usize)> {
    let bot = sim.bot_id();
    let relayed: Vec<String> = sim
        .threads()
        .iter()
        .filter(|t| t.parent_id == Some(demo::STAFF))
        .flat_map(|t| sim.messages_in(t.id))
        .filter(|m| m.author_id == bot)
        .map(|m| m.content)
        .collect();
    sent.iter()
        .filter(|s| s.kind == Kind::Dm)
        .map(|s| {
            let text = sim.message(s.id).map(|m| m.content).unwrap_or_default();
            (s.id, relayed.iter().filter(|r| r.contains(&text)).count())
        })
        .collect()
}
