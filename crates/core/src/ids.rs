//! Ids generated in the application, not by database sequences (so the same code runs on
//! SQLite, PostgreSQL and, later, distributed PostgreSQL). An id is milliseconds since
//! 2024-01-01 shifted left by 20 bits plus a per-process counter that starts at a random
//! value: ordered by time, unique within a process, and unlikely to collide between
//! processes (a CLI import running beside the server).

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

const EPOCH_MS: u64 = 1_704_067_200_000;
const COUNTER_BITS: u32 = 20;

static LAST: Mutex<u64> = Mutex::new(0);

pub fn new_id() -> i64 {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(EPOCH_MS)
        .saturating_sub(EPOCH_MS);
    let candidate = (now_ms << COUNTER_BITS) | (rand::random::<u64>() & 0x3FF);
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let next = if candidate > *last {
        candidate
    } else {
        *last + 1
    };
    *last = next;
    next as i64
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_increase() {
        let mut previous = super::new_id();
        for _ in 0..10_000 {
            let id = super::new_id();
            assert!(id > previous);
            previous = id;
        }
    }
}
