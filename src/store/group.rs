//! Group commit with a deadline: callers that want their writes durable at about the same
//! moment share one fsync, and none of them waits longer than the deadline for it.
//!
//! Every flush takes a ticket. One thread at a time (the flusher, started on demand and gone
//! when nobody waits) runs the database's fsync again and again while tickets keep coming;
//! each fsync covers every ticket taken before it started, and its outcome is published to
//! the sync waiters (a condvar) and the async ones (a watch channel) alike. With one message
//! at a time this is one fsync per message; in a burst, about one per fsync-duration.
//!
//! The fsync runs on a thread of its own, never on the caller's, because sled can block in it
//! for good after an I/O error (its writer waits on a condition no one signals once a write
//! failed, e.g. on "Too many open files"): the caller gets [`FlushError::Stalled`] at the
//! deadline instead of hanging a handler, a sign-in or the shutdown. A stuck flusher keeps its
//! thread; later callers time out the same way until the process is restarted.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::sync::LockExt;

/// How long a flush may take before its callers give up on it. sled's fsync takes
/// milliseconds on a healthy disk; a flush this slow is a stuck one.
pub const FLUSH_DEADLINE: Duration = Duration::from_secs(10);

/// Why a flush did not make the writes durable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FlushError {
    /// The fsync answered with an error.
    #[error("{0}")]
    Failed(String),
    /// The fsync did not answer within the deadline.
    #[error("the database did not finish writing within {} s", .0.as_secs())]
    Stalled(Duration),
}

#[derive(Default)]
struct Tickets {
    /// The last ticket handed out.
    taken: u64,
    /// The latest fsync's outcome and the last ticket it covered.
    last: Option<(u64, Result<(), String>)>,
    /// A flusher thread is running fsyncs.
    running: bool,
    /// Flusher threads still holding their fsync, and with it a handle of the database: one
    /// that has just handed over to a new flusher may not have let go yet.
    holders: usize,
}

pub(super) struct GroupFlush {
    tickets: Mutex<Tickets>,
    finished: Condvar,
    /// Bumped after each fsync, for async waiters.
    generation: tokio::sync::watch::Sender<u64>,
    deadline: Duration,
}

impl Default for GroupFlush {
    fn default() -> Self {
        GroupFlush::with_deadline(FLUSH_DEADLINE)
    }
}

impl GroupFlush {
    pub(super) fn with_deadline(deadline: Duration) -> GroupFlush {
        GroupFlush {
            tickets: Mutex::default(),
            finished: Condvar::new(),
            generation: tokio::sync::watch::Sender::new(0),
            deadline,
        }
    }

    /// Returns once every write made before the call is durable (the outcome of an fsync that
    /// started after the call), or at the deadline.
    pub(super) fn flush<F>(self: &Arc<Self>, fsync: F) -> Result<(), FlushError>
    where
        F: Fn() -> Result<(), String> + Send + 'static,
    {
        let until = Instant::now() + self.deadline;
        let mine = self.ticket(fsync)?;
        let mut t = self.tickets.locked();
        loop {
            if let Some(outcome) = outcome_for(&t, mine) {
                return outcome;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(FlushError::Stalled(self.deadline));
            }
            t = self
                .finished
                .wait_timeout(t, left)
                .map(|(t, _)| t)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// [`GroupFlush::flush`] for async callers: they wait on a watch channel, not in a thread
    /// each.
    pub(super) async fn flush_async<F>(self: &Arc<Self>, fsync: F) -> Result<(), FlushError>
    where
        F: Fn() -> Result<(), String> + Send + 'static,
    {
        let until = tokio::time::Instant::now() + self.deadline;
        let mut seen = self.generation.subscribe();
        let mine = self.ticket(fsync)?;
        loop {
            seen.borrow_and_update();
            if let Some(outcome) = outcome_for(&self.tickets.locked(), mine) {
                return outcome;
            }
            // The sender lives in `self`, which the caller holds: never closed here.
            match tokio::time::timeout_at(until, seen.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return Err(FlushError::Stalled(self.deadline)),
            }
        }
    }

    /// Takes a ticket, starting the flusher if none runs.
    fn ticket<F>(self: &Arc<Self>, fsync: F) -> Result<u64, FlushError>
    where
        F: Fn() -> Result<(), String> + Send + 'static,
    {
        let mut t = self.tickets.locked();
        t.taken += 1;
        let mine = t.taken;
        if !t.running {
            t.running = true;
            t.holders += 1;
            let this = self.clone();
            // A plain thread, not tokio's blocking pool: a runtime waits for its blocking
            // tasks when it shuts down, and a stuck fsync must not hold the process.
            let started = std::thread::Builder::new()
                .name("frontdesk-flush".into())
                .spawn(move || this.run(fsync));
            if let Err(e) = started {
                t.running = false;
                t.holders -= 1;
                return Err(FlushError::Failed(format!("cannot start a thread: {e}")));
            }
        }
        Ok(mine)
    }

    /// The flusher: fsyncs while tickets keep coming, then ends.
    fn run(&self, fsync: impl Fn() -> Result<(), String>) {
        loop {
            // Everyone who took a ticket so far had finished writing before taking it, so
            // this fsync covers them all.
            let covers = self.tickets.locked().taken;
            let result = fsync();
            let done = {
                let mut t = self.tickets.locked();
                let done = t.taken == covers;
                if done {
                    t.running = false;
                }
                done
            };
            if done {
                // `fsync` holds a handle of the database: let go of it before anyone hears
                // back, so a store dropped right after its last flush closes (and frees its
                // lock) at once.
                drop(fsync);
                self.tickets.locked().holders -= 1;
                self.publish(covers, result);
                return;
            }
            self.publish(covers, result);
        }
    }

    /// Waits (at most `within`) until no flusher holds the database any more. The last handle
    /// of a store calls it: a caller answered by one fsync may drop its store while the next
    /// fsync, for someone else's ticket, still runs; the database must be closed (its lock
    /// free) when the store is gone, so that it can be opened again at once.
    pub(super) fn wait_released(&self, within: Duration) {
        let until = Instant::now() + within;
        let mut t = self.tickets.locked();
        while t.holders > 0 {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            t = self
                .finished
                .wait_timeout(t, left)
                .map(|(t, _)| t)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    fn publish(&self, covers: u64, result: Result<(), String>) {
        {
            let mut t = self.tickets.locked();
            // A flusher started after this one ended may have published a later fsync.
            if t.last.as_ref().is_none_or(|(c, _)| *c < covers) {
                t.last = Some((covers, result));
            }
        }
        self.finished.notify_all();
        self.generation.send_modify(|g| *g += 1);
    }
}

/// Held by every clone of a store: the last one to go waits until no flusher holds the
/// database ([`GroupFlush::wait_released`]), so a store dropped is a database closed.
pub(super) struct LastHandle(pub(super) Arc<GroupFlush>);

impl Drop for LastHandle {
    fn drop(&mut self) {
        self.0.wait_released(RELEASE_WAIT);
    }
}

/// How long the last handle of a store waits for the flusher: a healthy fsync takes
/// milliseconds, and a stuck one (see above) must not hold a stop up for its whole deadline.
const RELEASE_WAIT: Duration = Duration::from_secs(1);

/// The outcome for ticket `mine`, once an fsync that covers it has finished. A failed fsync
/// is the answer for the tickets it covered; a later caller gets a new attempt.
fn outcome_for(t: &Tickets, mine: u64) -> Option<Result<(), FlushError>> {
    match &t.last {
        Some((covers, result)) if *covers >= mine => {
            Some(result.clone().map_err(FlushError::Failed))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    #[test]
    fn no_flusher_holds_the_database_once_released() {
        let group = Arc::new(GroupFlush::default());
        // Stands for the database handle each fsync closure keeps.
        let db = Arc::new(());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (group, db) = (group.clone(), db.clone());
                std::thread::spawn(move || {
                    let handle = db.clone();
                    drop(db);
                    group.flush(move || {
                        let _held = &handle;
                        std::thread::sleep(Duration::from_millis(2));
                        Ok(())
                    })
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().expect("thread"), Ok(()));
        }
        group.wait_released(FLUSH_DEADLINE);
        assert_eq!(
            Arc::strong_count(&db),
            1,
            "every flusher let go of its handle"
        );
    }

    #[test]
    fn concurrent_callers_share_fsyncs_and_all_return_after_one_that_started_after_them() {
        let group = Arc::new(GroupFlush::default());
        // `written` counts writes; each fsync records how many it covered.
        let written = Arc::new(AtomicU64::new(0));
        let fsynced = Arc::new(AtomicU64::new(0));
        let fsyncs = Arc::new(AtomicU64::new(0));
        let running = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (group, written, fsynced, fsyncs, running) = (
                    group.clone(),
                    written.clone(),
                    fsynced.clone(),
                    fsyncs.clone(),
                    running.clone(),
                );
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let mine = written.fetch_add(1, Ordering::SeqCst) + 1;
                        let (w, f, n, r) = (
                            written.clone(),
                            fsynced.clone(),
                            fsyncs.clone(),
                            running.clone(),
                        );
                        group
                            .flush(move || {
                                assert_eq!(r.fetch_add(1, Ordering::SeqCst), 0, "one at a time");
                                let covered = w.load(Ordering::SeqCst);
                                std::thread::sleep(Duration::from_micros(200));
                                f.fetch_max(covered, Ordering::SeqCst);
                                n.fetch_add(1, Ordering::SeqCst);
                                r.fetch_sub(1, Ordering::SeqCst);
                                Ok(())
                            })
                            .expect("flush");
                        assert!(
                            fsynced.load(Ordering::SeqCst) >= mine,
                            "write {mine} durable"
                        );
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert!(fsyncs.load(Ordering::SeqCst) < 800, "fsyncs were shared");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn async_callers_share_fsyncs_and_each_waits_for_one_after_it() {
        let group = Arc::new(GroupFlush::default());
        let written = Arc::new(AtomicU64::new(0));
        let fsynced = Arc::new(AtomicU64::new(0));
        let fsyncs = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (group, written, fsynced, fsyncs) = (
                    group.clone(),
                    written.clone(),
                    fsynced.clone(),
                    fsyncs.clone(),
                );
                tokio::spawn(async move {
                    for _ in 0..10 {
                        let mine = written.fetch_add(1, Ordering::SeqCst) + 1;
                        let (w, f, n) = (written.clone(), fsynced.clone(), fsyncs.clone());
                        group
                            .flush_async(move || {
                                let covered = w.load(Ordering::SeqCst);
                                std::thread::sleep(Duration::from_micros(300));
                                f.fetch_max(covered, Ordering::SeqCst);
                                n.fetch_add(1, Ordering::SeqCst);
                                Ok(())
                            })
                            .await
                            .expect("flush");
                        assert!(
                            fsynced.load(Ordering::SeqCst) >= mine,
                            "write {mine} durable"
                        );
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
        assert!(fsyncs.load(Ordering::SeqCst) < 640, "fsyncs were shared");
    }

    #[tokio::test]
    async fn a_failed_fsync_is_reported_to_the_callers_it_covered_and_the_next_tries_again() {
        let group = Arc::new(GroupFlush::default());
        // One disk for every call, as in the store: the flusher may still be running the
        // first caller's closure when the second caller arrives, and runs it again for it.
        let full = Arc::new(AtomicBool::new(true));
        let fsync = |full: Arc<AtomicBool>| {
            move || match full.load(Ordering::SeqCst) {
                true => Err("disk full".to_string()),
                false => Ok(()),
            }
        };
        let failed = Err(FlushError::Failed("disk full".into()));
        assert_eq!(group.flush_async(fsync(full.clone())).await, failed);
        assert_eq!(group.flush(fsync(full.clone())), failed);
        full.store(false, Ordering::SeqCst);
        assert_eq!(group.flush_async(fsync(full.clone())).await, Ok(()));
        assert_eq!(group.flush(fsync(full.clone())), Ok(()));
    }

    /// sled's fsync can block for good after an I/O error: its callers get an error at the
    /// deadline, sync and async alike, and so does everyone after them while it is stuck.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stuck_fsync_fails_its_callers_at_the_deadline_instead_of_hanging_them() {
        let deadline = Duration::from_millis(200);
        let group = Arc::new(GroupFlush::with_deadline(deadline));
        let (release, stuck) = std::sync::mpsc::channel::<()>();
        let stuck = Arc::new(Mutex::new(stuck));
        let fsync = move || {
            let _ = stuck.locked().recv();
            Ok(())
        };
        let started = Instant::now();
        let sync = {
            let group = group.clone();
            let fsync = fsync.clone();
            tokio::task::spawn_blocking(move || group.flush(fsync))
        };
        let stalled = Err(FlushError::Stalled(deadline));
        assert_eq!(group.flush_async(fsync.clone()).await, stalled);
        assert_eq!(sync.await.expect("thread"), stalled);
        assert_eq!(group.flush_async(fsync.clone()).await, stalled);
        assert!(started.elapsed() < Duration::from_secs(5), "bounded");
        // Once sled answers, the flusher catches up and the next caller is served.
        release.send(()).expect("release");
        release.send(()).expect("release");
        drop(release);
        assert_eq!(group.flush_async(fsync).await, Ok(()));
    }
}
