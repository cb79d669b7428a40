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
            tracing::info!(addr = %app.local_addr(), "Gather is listening on http://{}", app.local_addr());
            app.run_until(shutdown_signal()).await
        }
        Command::Migrate(config) => commands::migrate(&config).await,
        Command::Admin(AdminCommand::Create { username, config }) => {
            commands::create_admin(&config, &username).await
        }
        Command::CheckConfig(config) => commands::check_config(&config).await,
    }
}

/// Ctrl-C or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
