//! `{eta}`: how long a personal reply usually takes, from recent first-reply times, in words.

use jiff::SignedDuration;

/// Below this many answered conversations a typical time would be a guess.
pub const MIN_SAMPLES: usize = 5;

/// What `{eta}` says when history is too short to promise anything.
pub const UNKNOWN_ETA: &str = "as soon as they can";

/// The median of `samples` (open-hours waits of recent conversations), in words that fit after
/// "will reply to you personally …".
pub fn eta_phrase(samples: &[SignedDuration]) -> String {
    let Some(median) = median(samples) else {
        return UNKNOWN_ETA.to_string();
    };
    let mins = (median.as_secs() + 59) / 60;
    match mins {
        ..=10 => "usually within a few minutes".to_string(),
        11..=55 => format!("usually within about {} minutes", round_up(mins, 5)),
        56..=90 => "usually within about an hour".to_string(),
        91..=1440 => format!("usually within about {} hours", (mins + 59) / 60),
        _ => format!("usually within about {} days", (mins + 1439) / 1440),
    }
}

/// The median, or `None` with fewer than [`MIN_SAMPLES`] samples.
pub fn median(samples: &[SignedDuration]) -> Option<SignedDuration> {
    if samples.len() < MIN_SAMPLES {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    Some(percentile_sorted(&sorted, 50))
}

/// The nearest-rank percentile of an already sorted, non-empty slice.
pub fn percentile_sorted(sorted: &[SignedDuration], p: u32) -> SignedDuration {
    if sorted.is_empty() {
        return SignedDuration::ZERO;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn round_up(n: i64, step: i64) -> i64 {
    (n + step - 1) / step * step
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mins(list: &[i64]) -> Vec<SignedDuration> {
        list.iter().map(|m| SignedDuration::from_mins(*m)).collect()
    }

    #[test]
    fn too_little_history_is_honest() {
        assert_eq!(eta_phrase(&mins(&[5, 5, 5, 5])), UNKNOWN_ETA);
    }

    #[test]
    fn median_in_words() {
        assert_eq!(
            eta_phrase(&mins(&[3, 4, 5, 600, 900])),
            "usually within a few minutes"
        );
        assert_eq!(
            eta_phrase(&mins(&[20, 22, 23, 24, 30])),
            "usually within about 25 minutes"
        );
        assert_eq!(
            eta_phrase(&mins(&[50, 60, 70, 80, 90])),
            "usually within about an hour"
        );
        assert_eq!(
            eta_phrase(&mins(&[100, 150, 170, 200, 300])),
            "usually within about 3 hours"
        );
        assert_eq!(
            eta_phrase(&mins(&[2000, 2000, 3000, 3000, 3000])),
            "usually within about 3 days"
        );
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let s = mins(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(percentile_sorted(&s, 50), SignedDuration::from_mins(5));
        assert_eq!(percentile_sorted(&s, 90), SignedDuration::from_mins(9));
        assert_eq!(percentile_sorted(&s, 100), SignedDuration::from_mins(10));
    }
}
