//! Starting the real `gather` binary and learning the address it bound. With
//! `GATHER_TEST_NODE_LOGS=<dir>`, each process's log is kept there for debugging.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Spawns `command` (a `gather serve` on port 0) and waits for its "listening on" line.
/// Kills it and panics if it does not report an address in time.
pub fn spawn_gather(mut command: Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("gather starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut log = std::env::var_os("GATHER_TEST_NODE_LOGS").and_then(|dir| {
        std::fs::File::create(std::path::Path::new(&dir).join(format!("gather-{}.log", child.id()))).ok()
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(log) = &mut log {
                let _ = writeln!(log, "{line}");
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(addr) => (child, addr),
        Err(_) => {
            let _ = child.kill();
            panic!("gather did not report its address");
        }
    }
}
