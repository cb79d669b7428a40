//! Latency histogram with logarithmic buckets (about 2% wide): cheap to record per frame,
//! mergeable across clients, and exact enough for percentiles.

const GROWTH: f64 = 1.02;
const BUCKETS: usize = 1000; // 1.02^1000 µs ≈ 4e8 µs: far beyond any run.

#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max_us: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self { counts: vec![0; BUCKETS], total: 0, max_us: 0 }
    }
}

impl Histogram {
    pub fn record(&mut self, micros: u64) {
        let bucket = if micros <= 1 { 0 } else { ((micros as f64).ln() / GROWTH.ln()) as usize };
        self.counts[bucket.min(BUCKETS - 1)] += 1;
        self.total += 1;
        self.max_us = self.max_us.max(micros);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max_us = self.max_us.max(other.max_us);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value at quantile `q` (0..=1), in microseconds (upper edge of its bucket).
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((self.total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return (GROWTH.powi(bucket as i32 + 1) as u64).min(self.max_us.max(1));
            }
        }
        self.max_us
    }

    pub fn max(&self) -> u64 {
        self.max_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_land_within_a_few_percent() {
        let mut h = Histogram::default();
        for us in 1..=10_000 {
            h.record(us);
        }
        for (q, expected) in [(0.5, 5_000.0), (0.9, 9_000.0), (0.99, 9_900.0)] {
            let got = h.quantile(q) as f64;
            assert!((got - expected).abs() / expected < 0.03, "q{q}: {got} vs {expected}");
        }
        assert_eq!(h.max(), 10_000);
        let mut merged = Histogram::default();
        merged.merge(&h);
        merged.merge(&h);
        assert_eq!(merged.count(), 20_000);
        assert_eq!(Histogram::default().quantile(0.5), 0);
    }
}
