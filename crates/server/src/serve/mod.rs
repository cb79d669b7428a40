//! The HTTP/1 server loop in front of the router: what `axum::serve` does, plus what a
//! server facing the internet needs and it lacks: a deadline for request headers (which
//! also closes idle keep-alive connections), a cap on open connections that makes room by
//! closing the longest-idle one, and a clear refusal when every connection is busy.
//! HTTP/1 only: Gather is reached directly or through a proxy, both speaking HTTP/1.1.

pub mod file_limit;
mod table;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use table::{ConnectionTable, Ticket};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// After a failed accept (e.g. out of file descriptors), wait this long before the next:
/// retrying at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How long a refused connection is given to finish sending before it is closed.
const REFUSAL_LINGER: Duration = Duration::from_millis(500);

/// Sent as is to a connection refused at the cap, then closed.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
retry-after: 1\r\nconnection: close\r\ncontent-length: 91\r\n\r\n\
{\"error\":{\"code\":\"too-many-connections\",\"message\":\"the server is at its connection limit\"}}";

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How long a connection may take to send a request's headers, whether new or idle
    /// between requests.
    pub header_timeout: Duration,
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `stop` resolves, then stops accepting, lets each
/// connection finish its request and waits for them all.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: Settings,
    stop: impl Future<Output = ()>,
) {
    let table = ConnectionTable::new(settings.max_connections);
    let (stopping, stop_rx) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let ticket = match table.admit(Instant::now()) {
            Ok(ticket) => ticket,
            Err(table::Full) => {
                tracing::warn!(capacity = table.capacity(), "refused a connection: every connection is busy");
                tokio::spawn(refuse(tcp));
                continue;
            }
        };
        // Frames are small and latency matters: without TCP_NODELAY, Nagle's algorithm and
        // delayed ACKs hold frames back for up to 40 ms. Writers batch frames themselves.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        tokio::spawn(connection(tcp, peer, ticket, router.clone(), settings, stop_rx.clone()));
    }
    drop((listener, stop_rx));
    let _ = stopping.send(true);
    // Each connection task holds a receiver; all gone means all finished.
    stopping.closed().await;
}

/// Answers 503 and closes. The request is read (briefly) before closing: closing a socket
/// with unread data sends a reset, which can reach the client before the answer.
async fn refuse(mut tcp: TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _ = tcp.write_all(REFUSAL).await;
    let _ = tcp.shutdown().await;
    let mut sink = [0u8; 1024];
    let _ = tokio::time::timeout(REFUSAL_LINGER, async {
        while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    ticket: Ticket,
    router: Router,
    settings: Settings,
    mut stop: watch::Receiver<bool>,
) {
    let evicted = ticket.evicted();
    let activity = ticket.activity();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        // What `into_make_service_with_connect_info` would add: handlers read the peer.
        request.extensions_mut().insert(ConnectInfo(peer));
        let busy = activity.busy();
        let (router, activity) = (router.clone(), activity.clone());
        async move {
            let response = router.oneshot(request).await.unwrap_or_else(|e: Infallible| match e {});
            if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                activity.upgraded();
            }
            drop(busy);
            Ok::<_, Infallible>(response)
        }
    });
    let io = TokioIo::new(Ticketed { _ticket: ticket, tcp });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(settings.header_timeout);
    let conn = builder.serve_connection(io, service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            () = evicted.notified() => {
                tracing::debug!(%peer, "closed an idle connection to make room");
                return;
            }
            changed = stop.changed(), if !stopping => {
                let _ = changed;
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A socket that holds its place in the connection table for as long as it is open,
/// including after it became a WebSocket and left hyper's hands.
struct Ticketed {
    // Dropped before the socket closes: a client that sees its connection closed finds
    // its place free for the next.
    _ticket: Ticket,
    tcp: TcpStream,
}

impl AsyncRead for Ticketed {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Ticketed {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.tcp).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_complete_json_response() {
        let text = std::str::from_utf8(REFUSAL).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"]["code"], "too-many-connections");
    }
}
