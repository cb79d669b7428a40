//! With PostgreSQL behind a connection we can cut: requests answer 503 while the database
//! is away, the process keeps running, and it recovers by itself when the database returns.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::spawn_app_with;

/// A TCP forwarder to PostgreSQL that can be cut (dropping live connections and refusing
/// new ones) and restored.
struct CuttableProxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    cuts: watch::Sender<u64>,
}

impl CuttableProxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (cuts, _) = watch::channel(0u64);
        let (accept_up, accept_cuts) = (up.clone(), cuts.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accept_up.load(Ordering::SeqCst) {
                    continue; // Dropped at once: the database is "down".
                }
                let target = target.clone();
                let mut cut = accept_cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { addr, up, cuts }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn postgres_url() -> Option<String> {
    match std::env::var("GATHER_TEST_DATABASE_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("GATHER_REQUIRE_SERVICES").is_none(),
                "GATHER_REQUIRE_SERVICES is set but GATHER_TEST_DATABASE_URL is not"
            );
            eprintln!("skipping: set GATHER_TEST_DATABASE_URL=postgres://... to test PostgreSQL outages");
            None
        }
    }
}

#[tokio::test]
async fn requests_answer_503_while_postgres_is_away_and_recover_after() {
    let Some(server_url) = postgres_url() else { return };
    // postgres://user@host:port/db → host:port, and a schema of our own for isolation.
    let rest = server_url.split_once("://").unwrap().1;
    let host_port = rest.rsplit_once('@').map_or(rest, |(_, h)| h).split('/').next().unwrap().to_owned();
    let schema = format!("gather_outage_{}", gather_core::UserId::new().to_string().replace('-', ""));
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(&server_url).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut admin).await.unwrap();

    let proxy = CuttableProxy::start(host_port.clone()).await;
    let via_proxy = server_url.replacen(&host_port, &proxy.addr.to_string(), 1);
    let separator = if via_proxy.contains('?') { '&' } else { '?' };
    let url = format!("{via_proxy}{separator}options=-c%20search_path%3D{schema}");
    let app = spawn_app_with(move |c| {
        c.database_url = Some(url);
        c.db_acquire_timeout_secs = 1;
    })
    .await;
    let root = |path: &str| format!("http://{}{path}", app.addr);
    app.signup("before", "password1", "user").await.ok();
    assert_eq!(app.http.get(root("/readyz")).send().await.unwrap().status(), 200);

    proxy.cut();
    assert_eq!(app.http.get(root("/readyz")).send().await.unwrap().status(), 503);
    assert_eq!(app.signup("during", "password1", "user").await.error(503), "unavailable");
    assert_eq!(app.signin("before", "password1").await.error(503), "unavailable");
    assert_eq!(app.http.get(root("/healthz")).send().await.unwrap().status(), 200, "the process lives on");

    proxy.restore();
    // Each check asks the database (waiting up to the acquire timeout), so asking again at
    // once is no busy loop.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.http.get(root("/readyz")).send().await.unwrap().status() != 200 {
        assert!(Instant::now() < deadline, "readiness did not come back by itself");
    }
    app.signin("before", "password1").await.ok();
    app.signup("after", "password1", "user").await.ok();
    let listed = app.get("/user/metadata/bulk?ids=[]", None).await.ok();
    assert_eq!(listed["avatars"], json!([]));

    drop(app);
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&mut admin).await.unwrap();
}
