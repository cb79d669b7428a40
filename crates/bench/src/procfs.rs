//! CPU time and memory of a process, read from /proc (Linux).

use std::time::Duration;

/// User plus system CPU time of `pid` ("self" for this process).
pub fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let (utime, stime): (u64, u64) = (fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?);
    let ticks = 100; // USER_HZ on Linux.
    Some(Duration::from_millis((utime + stime) * 1000 / ticks))
}

/// Resident and peak resident memory of `pid`, in bytes.
pub fn memory(pid: &str) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        assert!(cpu_time("self").is_some());
        let (rss, peak) = memory("self").unwrap();
        assert!(rss > 0 && peak >= rss);
    }
}
