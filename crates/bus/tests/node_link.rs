//! The node-link contract, run on every link: the in-process hub always, and Redis when
//! `GATHER_TEST_REDIS_URL` names one (skipped without it, unless `GATHER_REQUIRE_SERVICES`
//! is set, as in CI).

use std::future::Future;
use std::time::Duration;

use gather_bus::{Inbound, LinkHub, NodeLink};
use tokio::sync::mpsc::Receiver;

type Joined<L> = (L, Receiver<Inbound>);

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", gather_core::UserId::new())
}

async fn recv(inbox: &mut Receiver<Inbound>) -> Option<Inbound> {
    tokio::time::timeout(Duration::from_secs(2), inbox.recv()).await.expect("a message within 2 s")
}

async fn nodes_reach_each_other_directly_and_by_broadcast<L: NodeLink>(a: Joined<L>, b: Joined<L>) {
    let ((a, mut a_in), (b, mut b_in)) = (a, b);
    a.wait_connected().await;
    b.wait_connected().await;
    a.send(b.node(), b"hello b").await.unwrap();
    assert_eq!(recv(&mut b_in).await, Some(Inbound::Direct(b"hello b".to_vec())));

    b.broadcast(b"to all").await.unwrap();
    for inbox in [&mut a_in, &mut b_in] {
        assert_eq!(recv(inbox).await, Some(Inbound::Broadcast(b"to all".to_vec())));
    }
    assert!(a_in.try_recv().is_err(), "a direct message for b never reaches a");
}

/// `pass` lets the lease's time to live go by.
async fn a_lease_has_one_holder_until_released_or_expired<L: NodeLink, F: Future<Output = ()>>(
    a: L,
    b: L,
    pass: impl Fn(Duration) -> F,
) {
    let space = unique("space");
    let ttl = Duration::from_millis(300);
    assert_eq!(a.claim(&space, ttl).await.unwrap(), a.node());
    assert_eq!(b.claim(&space, ttl).await.unwrap(), a.node());
    assert!(a.renew(&space, ttl).await.unwrap());
    assert!(!b.renew(&space, ttl).await.unwrap());
    b.release(&space).await.unwrap();
    assert_eq!(b.owner(&space).await.unwrap().as_deref(), Some(a.node()), "only the holder can release");

    pass(Duration::from_millis(400)).await;
    assert_eq!(b.owner(&space).await.unwrap(), None, "an unrenewed lease expires");
    assert_eq!(b.claim(&space, ttl).await.unwrap(), b.node());
    b.release(&space).await.unwrap();
    assert_eq!(a.owner(&space).await.unwrap(), None);
}

mod in_process {
    use super::*;

    #[tokio::test]
    async fn nodes_reach_each_other_directly_and_by_broadcast() {
        let hub = LinkHub::new();
        super::nodes_reach_each_other_directly_and_by_broadcast(hub.join("a"), hub.join("b")).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_lease_has_one_holder_until_released_or_expired() {
        let hub = LinkHub::new();
        let ((a, _a_in), (b, _b_in)) = (hub.join("a"), hub.join("b"));
        super::a_lease_has_one_holder_until_released_or_expired(a, b, tokio::time::advance).await;
    }

    #[tokio::test]
    async fn a_link_outage_fails_every_call_and_forgets_the_leases() {
        let hub = LinkHub::new();
        let ((a, _a_in), (b, mut b_in)) = (hub.join("a"), hub.join("b"));
        assert_eq!(a.claim("space", Duration::from_secs(60)).await.unwrap(), "a");
        hub.set_down(true);
        assert!(!a.connected() && a.connected_for().is_none());
        assert!(a.send("b", b"lost").await.is_err());
        assert!(a.owner("space").await.is_err());
        hub.set_down(false);
        assert!(a.connected());
        assert_eq!(b.owner("space").await.unwrap(), None, "the link came back without its leases");
        a.send("b", b"after").await.unwrap();
        assert_eq!(recv(&mut b_in).await, Some(Inbound::Direct(b"after".to_vec())));
    }

    #[tokio::test(start_paused = true)]
    async fn a_severed_node_hears_nothing_and_its_leases_run_out() {
        let hub = LinkHub::new();
        let ((a, mut a_in), (b, _b_in)) = (hub.join("a"), hub.join("b"));
        let ttl = Duration::from_secs(3);
        a.claim("space", ttl).await.unwrap();
        hub.sever("a");
        assert!(!a.connected());
        assert!(a.renew("space", ttl).await.is_err());
        b.broadcast(b"to all").await.unwrap();
        assert_eq!(a_in.recv().await, None, "nothing reaches a severed node");
        tokio::time::advance(ttl).await;
        assert_eq!(b.claim("space", ttl).await.unwrap(), "b");
    }
}

#[cfg(feature = "redis")]
mod redis {
    use gather_bus::RedisLink;

    fn redis_url() -> Option<String> {
        match std::env::var("GATHER_TEST_REDIS_URL") {
            Ok(url) => Some(url),
            Err(_) => {
                assert!(
                    std::env::var_os("GATHER_REQUIRE_SERVICES").is_none(),
                    "GATHER_REQUIRE_SERVICES is set but GATHER_TEST_REDIS_URL is not"
                );
                eprintln!(
                    "skipping: set GATHER_TEST_REDIS_URL=redis://127.0.0.1:6379 to test the Redis link"
                );
                None
            }
        }
    }

    async fn node(url: &str, name: &str) -> super::Joined<RedisLink> {
        RedisLink::connect(url, &super::unique(name)).await.unwrap()
    }

    #[tokio::test]
    async fn nodes_reach_each_other_directly_and_by_broadcast() {
        let Some(url) = redis_url() else { return };
        super::nodes_reach_each_other_directly_and_by_broadcast(node(&url, "a").await, node(&url, "b").await)
            .await;
    }

    #[tokio::test]
    async fn a_lease_has_one_holder_until_released_or_expired() {
        let Some(url) = redis_url() else { return };
        let ((a, _a_in), (b, _b_in)) = (node(&url, "a").await, node(&url, "b").await);
        super::a_lease_has_one_holder_until_released_or_expired(a, b, tokio::time::sleep).await;
    }
}
