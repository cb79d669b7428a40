//! The open-file limit: every connection is a file descriptor, and the usual soft limit
//! (1,024) is far below what a server holds. Raised to the hard limit at start.

/// File descriptors kept free of connections for the database pool, Redis, the log and
/// files the server opens itself.
const RESERVED: u64 = 128;

#[derive(Debug, Clone, Copy)]
pub struct FileLimit {
    pub soft_before: u64,
    pub soft: u64,
    pub hard: u64,
}

impl FileLimit {
    /// Connections that fit under the limit with the reserve left free.
    pub fn connections(self) -> usize {
        usize::try_from(self.soft.saturating_sub(RESERVED).max(16)).unwrap_or(usize::MAX)
    }
}

/// Raises the soft open-file limit to the hard one; says what it was and what it is.
pub fn raise() -> FileLimit {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return FileLimit { soft_before: 1024, soft: 1024, hard: 1024 };
        }
        let before = limit.rlim_cur;
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
        FileLimit { soft_before: before, soft: limit.rlim_cur, hard: limit.rlim_max }
    }
}
