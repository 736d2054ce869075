//! The owner's away notice: one record, kept in memory too, as every customer message reads it.

use jiff::Timestamp;

use super::{from_json, to_json, Store, StoreError};
use crate::core::Away;
use crate::sync::RwLockExt;

impl Store {
    pub fn away(&self) -> Option<Away> {
        self.away.reading().clone()
    }

    pub(super) fn read_away(&self) -> Result<Option<Away>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Raw {
            until: Option<Timestamp>,
            note: String,
        }
        Ok(self
            .meta
            .get("away")?
            .map(|v| from_json::<Raw>(&v, "away setting"))
            .transpose()?
            .map(|r| Away {
                until: r.until,
                note: r.note,
            }))
    }

    pub fn set_away(&self, away: Option<&Away>) -> Result<(), StoreError> {
        // Held across the write, so the record and the copy in memory change together.
        let mut cached = self.away.writing();
        match away {
            Some(a) => {
                let json = serde_json::json!({ "until": a.until, "note": a.note });
                self.meta.insert("away", to_json(&json)?)?;
            }
            None => {
                self.meta.remove("away")?;
            }
        }
        *cached = away.cloned();
        Ok(())
    }
}
