//! Slows down password guessing. Failed sign-ins are counted per username and client
//! address; after a few, each further attempt must wait, twice as long each time, up to a
//! cap. A correct password clears the count. Keying on the address too means an attacker
//! elsewhere slows only themselves, never locking the real user out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before waiting starts.
const FREE_FAILURES: u32 = 5;
const FIRST_WAIT: Duration = Duration::from_secs(1);
const MAX_WAIT: Duration = Duration::from_secs(300);
/// A record untouched this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
const SWEEP_AT: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    locked_until: Instant,
    last_failure: Instant,
}

#[derive(Default)]
pub struct SigninThrottle {
    // std Mutex: short map operations only.
    records: Mutex<HashMap<(String, IpAddr), Record>>,
}

impl SigninThrottle {
    /// `Err(wait)` when this username may not be tried from `ip` for `wait` yet.
    pub fn check(&self, username: &str, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let records = self.records.lock().expect("throttle poisoned");
        match records.get(&key(username, ip)) {
            Some(record) if record.locked_until > now => Err(record.locked_until - now),
            _ => Ok(()),
        }
    }

    pub fn failed(&self, username: &str, ip: IpAddr, now: Instant) {
        let mut records = self.records.lock().expect("throttle poisoned");
        if records.len() >= SWEEP_AT {
            records.retain(|_, r| now.saturating_duration_since(r.last_failure) < FORGET_AFTER);
        }
        let record = records.entry(key(username, ip)).or_insert(Record {
            failures: 0,
            locked_until: now,
            last_failure: now,
        });
        if now.saturating_duration_since(record.last_failure) >= FORGET_AFTER {
            record.failures = 0;
        }
        record.failures += 1;
        record.last_failure = now;
        if record.failures >= FREE_FAILURES {
            let doublings = (record.failures - FREE_FAILURES).min(16);
            record.locked_until = now + (FIRST_WAIT * 2u32.pow(doublings)).min(MAX_WAIT);
        }
    }

    pub fn succeeded(&self, username: &str, ip: IpAddr) {
        self.records.lock().expect("throttle poisoned").remove(&key(username, ip));
    }
}

fn key(username: &str, ip: IpAddr) -> (String, IpAddr) {
    (username.to_lowercase(), ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const ELSEWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));

    #[test]
    fn waiting_starts_after_a_few_failures_and_doubles_up_to_a_cap() {
        let throttle = SigninThrottle::default();
        let t0 = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
            throttle.failed("kim", HOME, t0);
            assert!(throttle.check("kim", HOME, t0).is_ok());
        }
        throttle.failed("Kim", HOME, t0);
        assert_eq!(throttle.check("kim", HOME, t0), Err(FIRST_WAIT));
        throttle.failed("kim", HOME, t0);
        assert_eq!(throttle.check("kim", HOME, t0), Err(FIRST_WAIT * 2));
        for _ in 0..30 {
            throttle.failed("kim", HOME, t0);
        }
        assert_eq!(throttle.check("kim", HOME, t0), Err(MAX_WAIT));
        assert!(throttle.check("kim", HOME, t0 + MAX_WAIT).is_ok(), "never locked out for good");
    }

    #[test]
    fn an_attacker_elsewhere_does_not_lock_out_the_user_and_success_clears() {
        let throttle = SigninThrottle::default();
        let t0 = Instant::now();
        for _ in 0..20 {
            throttle.failed("kim", ELSEWHERE, t0);
        }
        assert!(throttle.check("kim", ELSEWHERE, t0).is_err());
        assert!(throttle.check("kim", HOME, t0).is_ok());
        throttle.succeeded("kim", ELSEWHERE);
        assert!(throttle.check("kim", ELSEWHERE, t0).is_ok());
    }
}
