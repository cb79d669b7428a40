//! Whether the server is saturated: its CPU time over the cores it may use, sampled ten
//! times a second. Socket writers read it to decide how they write.
//!
//! Each write to a socket costs a system call whose price barely depends on its size. A
//! server with CPU to spare writes every frame at once. A saturated one falls behind
//! anyway, so there each writer waits a short while (the linger) to send several frames in
//! one write, which is what lets it catch up: writes per frame go down as load goes up.

use std::sync::atomic::{AtomicBool, Ordering};
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
    /// How long a writer waits to gather frames while saturated; zero turns batching off.
    linger: Duration,
}

impl Saturation {
    pub fn new(linger: Duration) -> Arc<Self> {
        Arc::new(Self { saturated: AtomicBool::new(false), linger })
    }

    /// How long a writer should wait before writing what is queued: the linger when the
    /// server is saturated, else nothing.
    pub fn write_delay(&self) -> Option<Duration> {
        (self.saturated.load(Ordering::Relaxed) && !self.linger.is_zero()).then_some(self.linger)
    }

    /// Samples the process's CPU time until `stop` changes, updating the state (and the
    /// `gather_saturated` gauge through `on_change`).
    pub async fn monitor(self: Arc<Self>, mut stop: watch::Receiver<bool>, on_change: impl Fn(bool)) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        // Each sample spans a whole period, even after the runtime stalled: a burst of
        // catch-up ticks would make samples of microseconds that count like full ones.
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + SAMPLE_EVERY, SAMPLE_EVERY);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last = (Instant::now(), process_cpu_time());
        let mut trend = Trend::default();
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stop.changed() => return,
            }
            let now = (Instant::now(), process_cpu_time());
            let before = std::mem::replace(&mut last, now);
            let (Some(cpu_before), Some(cpu_now)) = (before.1, now.1) else { continue };
            let wall = now.0.duration_since(before.0).as_secs_f64();
            if wall <= 0.0 {
                continue;
            }
            let share = cpu_now.saturating_sub(cpu_before).as_secs_f64() / (wall * cores);
            let was = self.saturated.load(Ordering::Relaxed);
            let is = trend.next(was, share);
            if is != was {
                self.saturated.store(is, Ordering::Relaxed);
                tracing::info!(cpu_share = share, saturated = is, "server saturation changed");
                on_change(is);
            }
        }
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
    fn writers_wait_only_while_saturated_and_batching_is_on() {
        let gauge = Saturation::new(Duration::from_millis(30));
        assert_eq!(gauge.write_delay(), None);
        gauge.saturated.store(true, Ordering::Relaxed);
        assert_eq!(gauge.write_delay(), Some(Duration::from_millis(30)));
        let off = Saturation::new(Duration::ZERO);
        off.saturated.store(true, Ordering::Relaxed);
        assert_eq!(off.write_delay(), None);
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let before = process_cpu_time().unwrap();
        let mut x = 0u64;
        while process_cpu_time().unwrap() - before < Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(x > 0);
    }

    #[tokio::test]
    async fn a_busy_process_is_found_saturated() {
        let gauge = Saturation::new(Duration::from_millis(30));
        let (stop_tx, stop) = watch::channel(false);
        let (changes_tx, mut changes) = tokio::sync::mpsc::unbounded_channel();
        let monitor = tokio::spawn(gauge.clone().monitor(stop, move |is| {
            let _ = changes_tx.send(is);
        }));
        // Spin every core this process may use, for up to ten seconds.
        let spin = Arc::new(AtomicBool::new(true));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let spinners: Vec<_> = (0..cores)
            .map(|_| {
                let spin = spin.clone();
                std::thread::spawn(move || {
                    let deadline = Instant::now() + Duration::from_secs(10);
                    while spin.load(Ordering::Relaxed) && Instant::now() < deadline {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        let saturated = tokio::time::timeout(Duration::from_secs(10), changes.recv()).await;
        spin.store(false, Ordering::Relaxed);
        spinners.into_iter().for_each(|s| s.join().unwrap());
        assert_eq!(saturated.ok().flatten(), Some(true), "never saw the spinning threads");
        assert!(gauge.write_delay().is_some());
        let calm = tokio::time::timeout(Duration::from_secs(10), changes.recv()).await;
        assert_eq!(calm.ok().flatten(), Some(false), "never calmed down");
        stop_tx.send_replace(true);
        monitor.await.unwrap();
    }
}
