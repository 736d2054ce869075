//! Group commit: handlers that want their writes durable at about the same moment share one
//! fsync instead of queueing one each.
//!
//! Every `Store::flush` takes a ticket. At most one caller (the leader) runs `Db::flush` at
//! a time, and it covers every ticket taken before it started; callers that arrive while an
//! fsync is running wait for it to end, then one of them leads the next fsync for all of
//! them. With one message at a time this is exactly one fsync per message; in a burst, the
//! number of fsyncs drops to about one per fsync-duration, and nobody's acknowledgement
//! waits behind a queue of other people's fsyncs.

use std::sync::{Condvar, Mutex, MutexGuard};

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
    fn lock(&self) -> MutexGuard<'_, Tickets> {
        // The guarded counters are updated in single statements: a panic cannot leave them
        // half-written, so a poisoned lock is safe to keep using.
        self.tickets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Returns once every write made before the call is durable, running `fsync` (the
    /// database's flush) itself or sharing one that another caller runs.
    pub(super) fn flush<E>(&self, fsync: impl Fn() -> Result<(), E>) -> Result<(), E> {
        let mut t = self.lock();
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
                let mut t = self.lock();
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
}
