//! How long to wait before trying again.

use crate::config::AdapterConfig;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The wait after the `attempt`-th failed attempt: the base doubled for each earlier retry, at
/// most the cap, of which a random half is dropped so that many clients that failed together do
/// not come back together.
pub fn backoff(config: &AdapterConfig, attempt: u32) -> Duration {
    let doubled = config
        .backoff_base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let full = doubled.min(config.backoff_cap);
    let half = full / 2;
    half + half.mul_f64(rand::random::<f64>())
}

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let config = AdapterConfig::new("http://x")
            .backoff(Duration::from_millis(100), Duration::from_millis(300));
        for _ in 0..20 {
            let first = backoff(&config, 1);
            assert!((50..=100).contains(&first.as_millis()), "{first:?}");
            let second = backoff(&config, 2);
            assert!((100..=200).contains(&second.as_millis()), "{second:?}");
            let capped = backoff(&config, 30);
            assert!((150..=300).contains(&capped.as_millis()), "{capped:?}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T04:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Sun, 06 Dec 2026 04:00:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after("Sun, 06 Dec 2026 03:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
