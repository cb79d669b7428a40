//! Starting the real `gather` binary and learning the address it bound, and waiting for
//! the line in which a server says it is ready. With `GATHER_TEST_NODE_LOGS=<dir>`, each
//! `gather` process's log is kept there for debugging.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Spawns `command` (a `gather serve` on port 0) and waits for its "listening on" line.
/// Kills it and panics if it does not report an address in time.
pub fn spawn_gather(mut command: Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("gather starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let log = std::env::var_os("GATHER_TEST_NODE_LOGS").and_then(|dir| {
        std::fs::File::create(std::path::Path::new(&dir).join(format!("gather-{}.log", child.id()))).ok()
    });
    let line = first_line_with(stdout, log, "listening on http://", Duration::from_secs(30));
    match line.as_deref().and_then(|line| line.split("listening on http://").nth(1)) {
        Some(rest) => (child, rest.split_whitespace().next().unwrap_or_default().to_owned()),
        None => {
            let _ = child.kill();
            panic!("gather did not report its address");
        }
    }
}

/// Reads a child's output until a line containing `needle`, for at most `within`, and
/// returns that line; `None` when the output ends or the time runs out first. The output
/// is read to its end on a thread of its own (copied to `log` if given), so the child
/// never blocks on a full pipe.
pub fn first_line_with(
    output: impl Read + Send + 'static,
    mut log: Option<File>,
    needle: &str,
    within: Duration,
) -> Option<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let needle = needle.to_owned();
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            if let Some(log) = &mut log {
                let _ = writeln!(log, "{line}");
            }
            if line.contains(&needle) {
                let _ = tx.send(line);
            }
        }
    });
    rx.recv_timeout(within).ok()
}
