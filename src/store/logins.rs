//! The dashboard's used login links: each link works once, so the running bot records the
//! link's nonce when it is presented. Kept in `meta` (a handful of small entries, each
//! dropped once its link has expired anyway), so a restart does not make a used link work again.

use jiff::Timestamp;

use super::{Store, StoreError};

const PREFIX: &[u8] = b"login_used:";

impl Store {
    /// Records a login link's nonce as used; `false` if it was already used. `expires` is
    /// when the link stops working: entries older than `now` are dropped here.
    pub fn use_login(
        &self,
        nonce: &[u8],
        expires: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        for entry in self.meta.scan_prefix(PREFIX) {
            let (k, v) = entry?;
            let until = <[u8; 8]>::try_from(v.as_ref())
                .map(i64::from_be_bytes)
                .unwrap_or(0);
            if until < now.as_second() {
                self.meta.remove(k)?;
            }
        }
        let mut key = PREFIX.to_vec();
        key.extend_from_slice(nonce);
        let first = self
            .meta
            .compare_and_swap(
                key,
                None as Option<&[u8]>,
                Some(&expires.as_second().to_be_bytes()[..]),
            )?
            .is_ok();
        // Durable before the session starts: a crash right after must not revive the link.
        self.flush()?;
        Ok(first)
    }
}
