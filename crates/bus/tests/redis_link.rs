//! The Redis link against a real Redis (`GATHER_TEST_REDIS_URL`); skipped without one,
//! unless `GATHER_REQUIRE_SERVICES` is set.

use std::time::Duration;

use gather_bus::{Inbound, RedisLink};

fn redis_url() -> Option<String> {
    match std::env::var("GATHER_TEST_REDIS_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("GATHER_REQUIRE_SERVICES").is_none(),
                "GATHER_REQUIRE_SERVICES is set but GATHER_TEST_REDIS_URL is not"
            );
            eprintln!("skipping: set GATHER_TEST_REDIS_URL=redis://127.0.0.1:6379 to test the Redis link");
            None
        }
    }
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", gather_core::UserId::new())
}

#[tokio::test]
async fn nodes_reach_each_other_directly_and_by_broadcast() {
    let Some(url) = redis_url() else { return };
    let (a, mut a_in) = RedisLink::connect(&url, &unique("a")).await.unwrap();
    let (b, mut b_in) = RedisLink::connect(&url, &unique("b")).await.unwrap();
    a.wait_connected().await;
    b.wait_connected().await;
    a.send(b.node(), b"hello b").await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(2), b_in.recv()).await.unwrap();
    assert_eq!(got, Some(Inbound::Direct(b"hello b".to_vec())));

    b.broadcast(b"to all").await.unwrap();
    for inbox in [&mut a_in, &mut b_in] {
        let got = tokio::time::timeout(Duration::from_secs(2), inbox.recv()).await.unwrap();
        assert_eq!(got, Some(Inbound::Broadcast(b"to all".to_vec())));
    }
    assert!(a_in.try_recv().is_err(), "a direct message for b never reaches a");
}

#[tokio::test]
async fn a_lease_has_one_holder_until_released_or_expired() {
    let Some(url) = redis_url() else { return };
    let (a, _a_in) = RedisLink::connect(&url, &unique("a")).await.unwrap();
    let (b, _b_in) = RedisLink::connect(&url, &unique("b")).await.unwrap();
    let space = unique("space");
    let ttl = Duration::from_millis(300);
    assert_eq!(a.claim(&space, ttl).await.unwrap(), a.node());
    assert_eq!(b.claim(&space, ttl).await.unwrap(), a.node());
    assert!(a.renew(&space, ttl).await.unwrap());
    assert!(!b.renew(&space, ttl).await.unwrap());
    b.release(&space).await.unwrap();
    assert_eq!(b.owner(&space).await.unwrap().as_deref(), Some(a.node()), "only the holder can release");

    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(b.owner(&space).await.unwrap(), None, "an unrenewed lease expires");
    assert_eq!(b.claim(&space, ttl).await.unwrap(), b.node());
    b.release(&space).await.unwrap();
    assert_eq!(a.owner(&space).await.unwrap(), None);
}
