//! Rate limits: a token bucket (a burst, then a steady rate; pure, so tested without
//! clocks), and per-user buckets for chat shared by all of a user's sockets.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gather_core::UserId;

#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    pub fn new(burst: u32, per_second: u32, now: Instant) -> Self {
        let capacity = f64::from(burst);
        Self { capacity, per_second: f64::from(per_second), tokens: capacity, updated: now }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated);
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.capacity);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// How long until a token is available, for messages that say when to retry.
    pub fn wait_time(&self) -> Duration {
        Duration::from_secs_f64(((1.0 - self.tokens) / self.per_second).max(0.0))
    }
}

/// Chat messages per user: a burst of 5, then one a second, across all their sockets.
#[derive(Default)]
pub struct ChatLimits {
    // std Mutex: one map lookup per chat message.
    buckets: Mutex<HashMap<UserId, TokenBucket>>,
}

const CHAT_BURST: u32 = 5;
const CHAT_PER_SECOND: u32 = 1;
const CHAT_SWEEP_AT: usize = 10_000;

impl ChatLimits {
    pub fn try_take(&self, user: UserId, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().expect("chat limits poisoned");
        if buckets.len() >= CHAT_SWEEP_AT {
            // A bucket idle long enough to be full again is the same as no bucket.
            let refill = Duration::from_secs(u64::from(CHAT_BURST / CHAT_PER_SECOND));
            buckets.retain(|_, b| now.saturating_duration_since(b.updated) < refill);
        }
        let bucket =
            buckets.entry(user).or_insert_with(|| TokenBucket::new(CHAT_BURST, CHAT_PER_SECOND, now));
        if bucket.try_take(now) {
            Ok(())
        } else {
            Err(bucket.wait_time())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_steady_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(3, 2, start);
        assert!((0..3).all(|_| bucket.try_take(start)));
        assert!(!bucket.try_take(start));
        assert!(bucket.wait_time() > Duration::ZERO);
        assert!(bucket.try_take(start + Duration::from_millis(500)));
        assert!(!bucket.try_take(start + Duration::from_millis(500)));
    }

    #[test]
    fn chat_limits_are_per_user() {
        let limits = ChatLimits::default();
        let (a, b) = (UserId::new(), UserId::new());
        let now = Instant::now();
        assert!((0..CHAT_BURST).all(|_| limits.try_take(a, now).is_ok()));
        assert!(limits.try_take(a, now).is_err());
        assert!(limits.try_take(b, now).is_ok());
        assert!(limits.try_take(a, now + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn idle_time_refills_only_up_to_the_burst() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2, 10, start);
        let later = start + Duration::from_secs(60);
        assert!(bucket.try_take(later) && bucket.try_take(later));
        assert!(!bucket.try_take(later));
    }
}
