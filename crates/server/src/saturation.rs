//! Whether the server is saturated: its CPU time over the cores it may use, sampled ten
//! times a second. Socket writers read it to decide how they write.
//!
//! Each write to a socket costs a system call whose price barely depends on its size. A
//! server with CPU to spare writes every frame at once. A saturated one falls behind
//! anyway, so there each writer waits a short while (the linger) to send several frames in
//! one write, which is what lets it catch up: writes per frame go down as load goes up.
//!
//! The linger is only as long as the load needs ([`Linger`]): at each sample, with the CPU
//! (nearly) all used or ready tasks running late (the sampler's own tick), it grows: fewer,
//! bigger writes free CPU. With room to spare it shrinks again, towards writing at once. A
//! fixed linger made every frame wait its whole length even when a fraction of it would
//! have kept up.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// How often the CPU time is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);
/// Share of the usable cores above which the server counts as saturated, for this many
/// samples in a row (a lone burst, such as one password hash, is not saturation)...
const ENTER: f64 = 0.85;
const ENTER_SAMPLES: u32 = 3;
/// ...and below which it no longer does, for this many in a row. The gap keeps it from
/// flapping: batching itself lowers the load, and a saturated server has short lulls.
const LEAVE: f64 = 0.5;
const LEAVE_SAMPLES: u32 = 10;

pub struct Saturation {
    saturated: AtomicBool,
    /// The longest a writer waits to gather frames while saturated; zero turns batching off.
    max_linger: Duration,
    /// How long it waits now, in microseconds (see [`Linger`]).
    linger_us: AtomicU64,
}

impl Saturation {
    pub fn new(max_linger: Duration) -> Arc<Self> {
        let start = Linger::new(max_linger).current;
        Arc::new(Self {
            saturated: AtomicBool::new(false),
            max_linger,
            linger_us: AtomicU64::new(start.as_micros() as u64),
        })
    }

    /// How long a writer should wait before writing what is queued: the linger when the
    /// server is saturated, else nothing.
    pub fn write_delay(&self) -> Option<Duration> {
        if !self.saturated.load(Ordering::Relaxed) || self.max_linger.is_zero() {
            return None;
        }
        Some(Duration::from_micros(self.linger_us.load(Ordering::Relaxed)))
    }

    /// Samples the process's CPU time until `stop` changes, updating the state (and the
    /// `gather_saturated` gauge through `on_change`).
    pub async fn monitor(self: Arc<Self>, mut stop: watch::Receiver<bool>, on_change: impl Fn(bool)) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        // Each sample spans a whole period, even after the runtime stalled: a burst of
        // catch-up ticks would make samples of microseconds that count like full ones.
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + SAMPLE_EVERY, SAMPLE_EVERY);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let (mut meter, mut trend) = (Meter::new(cores), Trend::default());
        let mut linger = Linger::new(self.max_linger);
        meter.share_since_last(Instant::now(), process_cpu_time());
        loop {
            let due = tokio::select! {
                due = ticks.tick() => due,
                _ = stop.changed() => return,
            };
            // How late this ready task ran: the runtime's backlog, which every writer waits in.
            let lag = tokio::time::Instant::now().saturating_duration_since(due);
            let Some(share) = meter.share_since_last(Instant::now(), process_cpu_time()) else {
                continue;
            };
            if let Some(is) = self.observe(&mut trend, share) {
                tracing::info!(cpu_share = share, saturated = is, "server saturation changed");
                on_change(is);
                linger = Linger::new(self.max_linger);
                self.linger_us.store(linger.current.as_micros() as u64, Ordering::Relaxed);
            } else if self.saturated.load(Ordering::Relaxed) {
                let now = linger.adjust(lag, share);
                self.linger_us.store(now.as_micros() as u64, Ordering::Relaxed);
            }
        }
    }

    /// Takes one sample's CPU share; returns the new state if it changed.
    fn observe(&self, trend: &mut Trend, cpu_share: f64) -> Option<bool> {
        let was = self.saturated.load(Ordering::Relaxed);
        let is = trend.next(was, cpu_share);
        (is != was).then(|| {
            self.saturated.store(is, Ordering::Relaxed);
            is
        })
    }
}

/// The linger while saturated, steered at each sample by the headroom left: up by half
/// when the CPU is nearly all used ([`Linger::FULL`]) or the runtime runs ready tasks late
/// ([`Linger::BEHIND`]), since then only bigger writes free CPU; down by a tenth of the
/// longest when there is room ([`Linger::ROOMY`]) and nothing waits; between
/// [`Linger::SHORTEST`] and the configured longest. It starts at a third of the longest on
/// each entry into saturation. Late tasks alone would not do: a room's inbox (one task for
/// a whole space) backs up while the writers around it still run on time.
struct Linger {
    current: Duration,
    longest: Duration,
}

impl Linger {
    /// Behind by more than this, ready tasks wait on each other.
    const BEHIND: Duration = Duration::from_millis(5);
    /// Shares of the usable cores above which batching must save more, and below which it
    /// may save less.
    const FULL: f64 = 0.9;
    const ROOMY: f64 = 0.8;
    const SHORTEST: Duration = Duration::from_millis(1);

    fn new(longest: Duration) -> Self {
        let shortest = Self::SHORTEST.min(longest);
        Self { current: (longest / 3).max(shortest), longest }
    }

    fn adjust(&mut self, lag: Duration, cpu_share: f64) -> Duration {
        let shortest = Self::SHORTEST.min(self.longest);
        if lag > Self::BEHIND || cpu_share > Self::FULL {
            self.current = (self.current + self.current / 2).max(shortest).min(self.longest);
        } else if cpu_share < Self::ROOMY {
            self.current = self.current.saturating_sub(self.longest / 10).max(shortest);
        }
        self.current
    }
}

/// Turns readings of the process's CPU time into its share of the usable cores.
struct Meter {
    cores: f64,
    last: Option<(Instant, Option<Duration>)>,
}

impl Meter {
    fn new(cores: f64) -> Self {
        Self { cores, last: None }
    }

    /// The share of the cores used between the previous reading and this one, when both
    /// were readable and some time has passed.
    fn share_since_last(&mut self, at: Instant, cpu: Option<Duration>) -> Option<f64> {
        let (before_at, before_cpu) = self.last.replace((at, cpu))?;
        let wall = at.saturating_duration_since(before_at).as_secs_f64();
        if wall <= 0.0 {
            return None;
        }
        Some(cpu?.saturating_sub(before_cpu?).as_secs_f64() / (wall * self.cores))
    }
}

/// Samples in a row on the far side of the threshold that would change the state.
#[derive(Default)]
struct Trend {
    streak: u32,
}

impl Trend {
    fn next(&mut self, saturated: bool, cpu_share: f64) -> bool {
        let (crossing, needed) =
            if saturated { (cpu_share < LEAVE, LEAVE_SAMPLES) } else { (cpu_share > ENTER, ENTER_SAMPLES) };
        self.streak = if crossing { self.streak + 1 } else { 0 };
        if self.streak >= needed {
            self.streak = 0;
            !saturated
        } else {
            saturated
        }
    }
}

/// CPU time used by every thread of this process so far.
fn process_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec we pass it.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    (status == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds samples through a trend, returning the state after each.
    fn states(saturated: bool, samples: &[f64]) -> Vec<bool> {
        let mut trend = Trend::default();
        let mut state = saturated;
        samples
            .iter()
            .map(|share| {
                state = trend.next(state, *share);
                state
            })
            .collect()
    }

    #[test]
    fn saturation_starts_after_a_run_of_high_samples() {
        assert_eq!(states(false, &[0.8, 0.8, 0.8, 0.8]), [false; 4], "busy but not saturated");
        assert_eq!(states(false, &[0.9, 0.9, 0.2, 0.9, 0.9]), [false; 5], "bursts are not saturation");
        assert_eq!(states(false, &[0.9, 0.95, 1.0, 0.2]), [false, false, true, true]);
    }

    #[test]
    fn saturation_ends_after_a_run_of_low_samples() {
        assert_eq!(states(true, &[0.6; 20]), [true; 20], "batching lowered the load: still saturated");
        let mut lull = vec![0.1; 9];
        lull.push(0.7);
        assert_eq!(states(true, &lull), [true; 10], "a short lull");
        let calm = states(true, &[0.1; 10]);
        assert_eq!(calm.last(), Some(&false));
        assert_eq!(calm[..9], [true; 9]);
    }

    #[test]
    fn the_linger_grows_while_cpu_or_runtime_run_short_and_shrinks_when_there_is_room() {
        let ms = Duration::from_millis;
        let mut linger = Linger::new(ms(30));
        assert_eq!(linger.current, ms(10), "a third of the longest to start");
        assert_eq!(linger.adjust(ms(20), 0.5), ms(15), "tasks run late");
        assert_eq!(linger.adjust(ms(0), 0.97), ms(22) + Duration::from_micros(500), "the CPU is full");
        assert_eq!(linger.adjust(ms(20), 1.0), ms(30), "never past the longest");
        assert_eq!(linger.adjust(ms(1), 0.85), ms(30), "enough: held");
        assert_eq!(linger.adjust(ms(1), 0.6), ms(27), "room to spare");
        for _ in 0..20 {
            linger.adjust(Duration::ZERO, 0.5);
        }
        assert_eq!(linger.current, ms(1), "plenty of room: nearly writing at once");
        assert_eq!(Linger::new(Duration::ZERO).adjust(ms(50), 1.0), Duration::ZERO, "batching off");
    }

    #[test]
    fn writers_wait_only_while_saturated_and_batching_is_on() {
        let gauge = Saturation::new(Duration::from_millis(30));
        assert_eq!(gauge.write_delay(), None);
        gauge.saturated.store(true, Ordering::Relaxed);
        assert_eq!(gauge.write_delay(), Some(Duration::from_millis(10)));
        let off = Saturation::new(Duration::ZERO);
        off.saturated.store(true, Ordering::Relaxed);
        assert_eq!(off.write_delay(), None);
    }

    /// CPU time used by the calling thread so far.
    fn thread_cpu_time() -> Duration {
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime only writes the timespec we pass it.
        assert_eq!(unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) }, 0);
        Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
    }

    /// The process's CPU time as `getrusage` reports it: another reading of the same count.
    fn rusage_cpu_time() -> Duration {
        // SAFETY: rusage is plain integers, for which all zeroes is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: getrusage only writes the struct we pass it, which outlives the call.
        assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) }, 0);
        let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        time(usage.ru_utime) + time(usage.ru_stime)
    }

    #[test]
    fn cpu_time_counts_the_work_of_every_thread_of_the_process() {
        let before = process_cpu_time().unwrap();
        let worked = std::thread::spawn(|| {
            let mut x = 0u64;
            while thread_cpu_time() < Duration::from_millis(30) {
                x = std::hint::black_box(x.wrapping_add(1));
            }
            thread_cpu_time()
        })
        .join()
        .unwrap();
        let grown = process_cpu_time().unwrap() - before;
        assert!(grown >= worked, "the process used {grown:?}, less than one of its threads: {worked:?}");

        // Not the wall clock, nor one thread's time: the kernel's count for the process,
        // which getrusage reports too (in microseconds, hence the slack).
        let slack = Duration::from_millis(1);
        let (low, usage, high) =
            (process_cpu_time().unwrap(), rusage_cpu_time(), process_cpu_time().unwrap());
        assert!(low <= usage + slack && usage <= high + slack, "{usage:?} is not within {low:?}..{high:?}");
    }

    #[test]
    fn a_busy_process_is_found_saturated_and_calm_again() {
        // Two cores, read every 100 ms: 100 ms of CPU a reading is half the machine, 190 ms
        // is 95 % of it, 10 ms is 5 %.
        let gauge = Saturation::new(Duration::from_millis(30));
        let (mut meter, mut trend) = (Meter::new(2.0), Trend::default());
        let (mut at, mut cpu) = (Instant::now(), Duration::from_secs(3));
        assert_eq!(meter.share_since_last(at, Some(cpu)), None, "nothing to compare the first reading with");
        let mut changes = Vec::new();
        let work = [[100].repeat(5), [190].repeat(3), [10].repeat(10)].concat();
        for (reading, used_ms) in work.into_iter().enumerate() {
            at += SAMPLE_EVERY;
            cpu += Duration::from_millis(used_ms);
            let share = meter.share_since_last(at, Some(cpu)).expect("a share of every later reading");
            if let Some(is) = gauge.observe(&mut trend, share) {
                changes.push((reading, is, gauge.write_delay()));
            }
        }
        let linger = Some(Duration::from_millis(10)); // A third of the longest, to start.
        assert_eq!(changes, [(7, true, linger), (17, false, None)]);
    }

    #[test]
    fn readings_that_fail_or_take_no_time_give_no_share() {
        let mut meter = Meter::new(1.0);
        let t0 = Instant::now();
        meter.share_since_last(t0, Some(Duration::from_secs(1)));
        assert_eq!(meter.share_since_last(t0, Some(Duration::from_secs(2))), None, "no time passed");
        assert_eq!(meter.share_since_last(t0 + SAMPLE_EVERY, None), None);
        let t2 = t0 + SAMPLE_EVERY * 2;
        assert_eq!(meter.share_since_last(t2, Some(Duration::from_secs(2))), None, "after a failed one");
        let share = meter.share_since_last(t2 + SAMPLE_EVERY, Some(Duration::from_millis(2050)));
        assert!(share.is_some_and(|s| (s - 0.5).abs() < 1e-9), "{share:?}");
    }
}
