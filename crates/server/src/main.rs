use std::io::IsTerminal;

use clap::Parser;
use gather_server::config::{AdminCommand, Command};
use gather_server::{commands, App, Cli};
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    tune_allocator();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

/// glibc keeps freed memory per thread arena and, after large frees, raises its mmap
/// threshold so later large blocks come from those arenas and stay there. Each password
/// hash allocates 19 MiB, so without this an idle server holds hundreds of MB. Fixing the
/// threshold at 1 MiB returns such blocks to the system at once; two arenas are plenty for
/// an async server. Must run before any thread starts.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_ansi(std::io::stdout().is_terminal())
        .init();
    match Cli::parse().command() {
        Command::Serve(config) => {
            let app = App::build(config).await?;
            // Before saying we listen: a SIGTERM sent on reading that line must find the
            // handler in place, not kill the process.
            let stop = shutdown_signal()?;
            tracing::info!(addr = %app.local_addr(), "Gather is listening on http://{}", app.local_addr());
            app.run_until(stop).await
        }
        Command::Migrate(config) => commands::migrate(&config).await,
        Command::Admin(AdminCommand::Create { username, config }) => {
            commands::create_admin(&config, &username).await
        }
        Command::CheckConfig(config) => commands::check_config(&config).await,
    }
}

/// Ctrl-C or SIGTERM, whichever comes first. Both are caught from when this returns, not
/// from when the future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut interrupt, mut terminate) = (signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?);
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}
