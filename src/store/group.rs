//! Group commit: handlers that want their writes durable at about the same moment share one
//! fsync instead of queueing one each.
//!
//! Every `Store::flush` takes a ticket. At most one caller (the leader) runs `Db::flush` at
//! a time, and it covers every ticket taken before it started; callers that arrive while an
//! fsync is running wait for it to end, then one of them leads the next fsync for all of
//! them. With one message at a time this is exactly one fsync per message; in a burst, the
//! number of fsyncs drops to about one per fsync-duration, and nobody's acknowledgement
//! waits behind a queue of other people's fsyncs. [`AsyncGroupFlush`] does the same for async
//! callers without a thread per waiter.

use std::sync::{Condvar, Mutex};

use crate::sync::LockExt;

#[derive(Default)]
struct Tickets {
    /// The last ticket handed out.
    taken: u64,
    /// Every ticket up to this one is durable.
    durable: u64,
    /// An fsync is running.
    flushing: bool,
}

#[derive(Default)]
pub(super) struct GroupFlush {
    tickets: Mutex<Tickets>,
    finished: Condvar,
}

impl GroupFlush {
    /// Returns once every write made before the call is durable, running `fsync` (the
    /// database's flush) itself or sharing one that another caller runs.
    pub(super) fn flush<E>(&self, fsync: impl Fn() -> Result<(), E>) -> Result<(), E> {
        let mut t = self.tickets.locked();
        t.taken += 1;
        let mine = t.taken;
        loop {
            if t.durable >= mine {
                return Ok(());
            }
            if !t.flushing {
                t.flushing = true;
                // Everyone who took a ticket so far had finished writing before taking it,
                // so this fsync covers them all.
                let covers = t.taken;
                drop(t);
                let result = fsync();
                let mut t = self.tickets.locked();
                t.flushing = false;
                if result.is_ok() {
                    t.durable = t.durable.max(covers);
                }
                drop(t);
                // On failure the waiters wake with their tickets still not durable: one
                // of them tries again and gets its own answer.
                self.finished.notify_all();
                return result;
            }
            t = self.finished.wait(t).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The same group commit for async callers (delivery marks, one per acknowledgement): they
/// wait on a watch channel, not in a thread each, and one blocking thread at most runs the
/// fsyncs, again and again while new callers keep arriving.
pub(super) struct AsyncGroupFlush {
    tickets: Mutex<AsyncTickets>,
    flushed: tokio::sync::watch::Sender<Flushed>,
}

#[derive(Default)]
struct AsyncTickets {
    taken: u64,
    /// A blocking thread is running fsyncs.
    running: bool,
}

/// The outcome of the latest fsync, and the last ticket it covered.
#[derive(Clone)]
struct Flushed {
    covers: u64,
    result: Result<(), String>,
}

impl Default for AsyncGroupFlush {
    fn default() -> Self {
        AsyncGroupFlush {
            tickets: Mutex::default(),
            flushed: tokio::sync::watch::Sender::new(Flushed {
                covers: 0,
                result: Ok(()),
            }),
        }
    }
}

impl AsyncGroupFlush {
    /// Returns once every write made before the call is durable: the outcome of the first
    /// fsync that started after the call. `fsync` runs on tokio's blocking pool.
    pub(super) async fn flush<E: std::fmt::Display>(
        self: &std::sync::Arc<Self>,
        fsync: impl Fn() -> Result<(), E> + Send + 'static,
    ) -> Result<(), String> {
        let mut seen = self.flushed.subscribe();
        let (mine, lead) = {
            let mut t = self.tickets.locked();
            t.taken += 1;
            let lead = !t.running;
            t.running = true;
            (t.taken, lead)
        };
        if lead {
            let this = self.clone();
            tokio::task::spawn_blocking(move || loop {
                let covers = this.tickets.locked().taken;
                let result = fsync().map_err(|e| e.to_string());
                this.flushed.send_replace(Flushed { covers, result });
                let mut t = this.tickets.locked();
                if t.taken == covers {
                    t.running = false;
                    return;
                }
            });
        }
        loop {
            {
                let now = seen.borrow_and_update();
                if now.covers >= mine {
                    return now.result.clone();
                }
            }
            // The sender lives in `self`, which the caller holds: never closed here.
            if seen.changed().await.is_err() {
                return Err("the flusher stopped".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    #[test]
    fn concurrent_callers_share_fsyncs_and_all_return_after_one_that_started_after_them() {
        let group = Arc::new(GroupFlush::default());
        // `written` counts writes; each fsync records how many it covered.
        let written = Arc::new(AtomicU64::new(0));
        let fsynced = Arc::new(AtomicU64::new(0));
        let fsyncs = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (group, written, fsynced, fsyncs) = (
                    group.clone(),
                    written.clone(),
                    fsynced.clone(),
                    fsyncs.clone(),
                );
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let mine = written.fetch_add(1, Ordering::SeqCst) + 1;
                        group
                            .flush(|| {
                                let covered = written.load(Ordering::SeqCst);
                                std::thread::sleep(std::time::Duration::from_micros(200));
                                fsynced.fetch_max(covered, Ordering::SeqCst);
                                fsyncs.fetch_add(1, Ordering::SeqCst);
                                Ok::<(), ()>(())
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

    #[test]
    fn a_failed_fsync_is_reported_and_the_next_caller_tries_again() {
        let group = GroupFlush::default();
        assert_eq!(group.flush(|| Err::<(), _>("disk full")), Err("disk full"));
        assert_eq!(group.flush(|| Ok::<(), &str>(())), Ok(()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn async_callers_share_fsyncs_on_one_thread_and_each_waits_for_one_after_it() {
        let group = Arc::new(AsyncGroupFlush::default());
        let written = Arc::new(AtomicU64::new(0));
        let fsynced = Arc::new(AtomicU64::new(0));
        let fsyncs = Arc::new(AtomicU64::new(0));
        let running = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (group, written, fsynced, fsyncs, running) = (
                    group.clone(),
                    written.clone(),
                    fsynced.clone(),
                    fsyncs.clone(),
                    running.clone(),
                );
                tokio::spawn(async move {
                    for _ in 0..10 {
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
                                std::thread::sleep(std::time::Duration::from_micros(300));
                                f.fetch_max(covered, Ordering::SeqCst);
                                n.fetch_add(1, Ordering::SeqCst);
                                r.fetch_sub(1, Ordering::SeqCst);
                                Ok::<(), String>(())
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
    async fn an_async_failed_fsync_is_reported_to_the_callers_it_covered() {
        let group = Arc::new(AsyncGroupFlush::default());
        // One disk for both calls, as in the store: the flusher thread may still be running
        // the first caller's closure when the second caller arrives, and runs it again for it.
        let full = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let fsync = |full: Arc<std::sync::atomic::AtomicBool>| {
            move || match full.load(Ordering::SeqCst) {
                true => Err("disk full"),
                false => Ok(()),
            }
        };
        assert_eq!(
            group.flush(fsync(full.clone())).await,
            Err("disk full".to_string())
        );
        full.store(false, Ordering::SeqCst);
        assert_eq!(group.flush(fsync(full.clone())).await, Ok(()));
    }
}
