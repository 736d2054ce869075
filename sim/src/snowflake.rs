//! Snowflake ids and ISO-8601 timestamps, the way Discord derives one from the other, and
//! ids as they cross JSON (Discord writes them as strings).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Hands out strictly increasing snowflakes whose timestamp part is "now", so ids created
/// by the simulator sort by creation time and `created_at()` is meaningful in the bot.
#[derive(Debug, Default)]
pub struct IdGen {
    last: u64,
}

impl IdGen {
    pub fn next(&mut self) -> u64 {
        let from_clock = (now_ms().saturating_sub(DISCORD_EPOCH_MS)) << 22;
        let id = from_clock.max(self.last + 1);
        self.last = id;
        id
    }
}

/// Reads a snowflake sent as a string (Discord's form) or a number.
pub fn as_id(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// A snowflake as Discord writes it in JSON: a decimal string.
pub fn id_str(id: u64) -> Value {
    Value::String(id.to_string())
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Unix milliseconds encoded in a snowflake.
pub fn snowflake_ms(id: u64) -> u64 {
    (id >> 22) + DISCORD_EPOCH_MS
}

/// RFC 3339 / ISO-8601 UTC timestamp for Unix milliseconds, e.g. `2025-01-02T03:04:05.678Z`.
pub fn iso_from_ms(ms: u64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The creation timestamp of a snowflake, as Discord reports it.
pub fn iso_of_snowflake(id: u64) -> String {
    iso_from_ms(snowflake_ms(id))
}

pub fn iso_now() -> String {
    iso_from_ms(now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_carry_time() {
        let mut g = IdGen::default();
        let a = g.next();
        let b = g.next();
        assert!(b > a);
        assert!(snowflake_ms(a).abs_diff(now_ms()) < 5_000);
    }

    #[test]
    fn iso_format() {
        assert_eq!(iso_from_ms(DISCORD_EPOCH_MS), "2015-01-01T00:00:00.000Z");
    }
}
