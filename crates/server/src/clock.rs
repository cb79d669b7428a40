//! Time as Gather's decisions see it: an [`Instant`] for deadlines and rates, Unix
//! milliseconds for what is stored and shown. Tests start the server on a manual clock and
//! move it forward themselves instead of waiting for time to pass.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The system clock, or a manual one. Cheap to clone; clones of a manual clock share its
/// time, so a test keeps one and hands a clone to the server.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Manual>>);

/// Stands still at the moment it was made, plus whatever it was advanced by.
struct Manual {
    started: Instant,
    started_unix: Duration,
    advanced_nanos: AtomicU64,
}

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that starts at the real time and then moves only when [`advance`]d.
    ///
    /// [`advance`]: Clock::advance
    pub fn manual() -> Self {
        Self(Some(Arc::new(Manual {
            started: Instant::now(),
            started_unix: system_unix(),
            advanced_nanos: AtomicU64::new(0),
        })))
    }

    /// Moves a manual clock forward.
    ///
    /// # Panics
    /// On the system clock, which nobody may move.
    pub fn advance(&self, by: Duration) {
        let manual = self.0.as_ref().expect("only a manual clock can be advanced");
        let nanos = u64::try_from(by.as_nanos()).expect("an advance of under 584 years");
        manual.advanced_nanos.fetch_add(nanos, Ordering::SeqCst);
    }

    pub fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(manual) => manual.started + manual.advanced(),
        }
    }

    /// Wall-clock time as the API and the store use it: Unix milliseconds.
    pub fn unix_ms(&self) -> i64 {
        i64::try_from(self.unix().as_millis()).unwrap_or(i64::MAX)
    }

    /// Wall-clock time in whole Unix seconds, as tokens carry it.
    pub fn unix_secs(&self) -> u64 {
        self.unix().as_secs()
    }

    fn unix(&self) -> Duration {
        match &self.0 {
            None => system_unix(),
            Some(manual) => manual.started_unix + manual.advanced(),
        }
    }
}

impl Manual {
    fn advanced(&self) -> Duration {
        Duration::from_nanos(self.advanced_nanos.load(Ordering::SeqCst))
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("Clock::system"),
            Some(manual) => write!(f, "Clock::manual(+{:?})", manual.advanced()),
        }
    }
}

fn system_unix() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_its_clones_share_its_time() {
        let clock = Clock::manual();
        let (instant, ms) = (clock.now(), clock.unix_ms());
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!((clock.now(), clock.unix_ms()), (instant, ms), "real time passing moves nothing");
        let handed_out = clock.clone();
        clock.advance(Duration::from_millis(1500));
        assert_eq!(handed_out.now() - instant, Duration::from_millis(1500));
        assert_eq!(handed_out.unix_ms() - ms, 1500);
        assert!(ms > 1_600_000_000_000, "starts at the real time: {ms}");
    }

    #[test]
    fn the_system_clock_follows_real_time() {
        let clock = Clock::system();
        let before = Instant::now();
        let (now, ms) = (clock.now(), clock.unix_ms());
        assert!(now >= before && now <= Instant::now());
        let real = i64::try_from(system_unix().as_millis()).unwrap();
        assert!((real - ms).abs() < 1000, "{ms} vs {real}");
    }

    #[test]
    #[should_panic(expected = "only a manual clock")]
    fn the_system_clock_cannot_be_advanced() {
        Clock::system().advance(Duration::from_secs(1));
    }
}
