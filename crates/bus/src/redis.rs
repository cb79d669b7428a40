//! Messages between Gather nodes over Redis. Each node subscribes to one channel of its own
//! (`gather:node:<id>`) and to one broadcast channel; nothing is subscribed per space, so
//! the cost of a space is paid only by nodes with members in it (they are the ones sent
//! to). Space ownership is a lease: a key holding the owner's node id, with a TTL the
//! owner keeps renewing. The link reconnects by itself; `connected()` says whether it is up.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Client, Script};
use tokio::sync::{mpsc, watch};

/// What arrives for this node: on its own channel, or broadcast to all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    Direct(Vec<u8>),
    Broadcast(Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
#[error("redis: {0}")]
pub struct LinkError(#[from] redis::RedisError);

const BROADCAST: &str = "gather:broadcast";
/// Messages for this node may queue this deep before the subscriber waits for the node.
const INBOX: usize = 8192;

fn node_channel(node: &str) -> String {
    format!("gather:node:{node}")
}

fn lease_key(space: &str) -> String {
    format!("gather:lease:{space}")
}

#[derive(Clone)]
pub struct RedisLink {
    node: String,
    publisher: ConnectionManager,
    connected: watch::Receiver<bool>,
}

impl RedisLink {
    /// Connects and starts listening; messages for this node arrive on the returned receiver.
    pub async fn connect(url: &str, node: &str) -> Result<(Self, mpsc::Receiver<Inbound>), LinkError> {
        let client = Client::open(url)?;
        let publisher = ConnectionManager::new(client.clone()).await?;
        let (inbox, inbound) = mpsc::channel(INBOX);
        let (up, connected) = watch::channel(false);
        tokio::spawn(listen(client, node_channel(node), inbox, up));
        Ok((Self { node: node.to_owned(), publisher, connected }, inbound))
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// Whether the subscription is live right now.
    pub fn connected(&self) -> bool {
        *self.connected.borrow()
    }

    /// Waits until the subscription is live (messages sent from now on will arrive).
    pub async fn wait_connected(&self) {
        let mut connected = self.connected.clone();
        let _ = connected.wait_for(|up| *up).await;
    }

    pub async fn send(&self, to: &str, payload: &[u8]) -> Result<(), LinkError> {
        let _: i64 = self.publisher.clone().publish(node_channel(to), payload).await?;
        Ok(())
    }

    pub async fn broadcast(&self, payload: &[u8]) -> Result<(), LinkError> {
        let _: i64 = self.publisher.clone().publish(BROADCAST, payload).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), LinkError> {
        let _: String = redis::cmd("PING").query_async(&mut self.publisher.clone()).await?;
        Ok(())
    }

    /// Takes the lease of `space` if nobody holds it; returns the holder either way.
    pub async fn claim(&self, space: &str, ttl: Duration) -> Result<String, LinkError> {
        let key = lease_key(space);
        let mut conn = self.publisher.clone();
        for _ in 0..3 {
            let set: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(&self.node)
                .arg("NX")
                .arg("PX")
                .arg(ttl.as_millis() as u64)
                .query_async(&mut conn)
                .await?;
            if set.is_some() {
                return Ok(self.node.clone());
            }
            // Held by someone; it may expire between the two calls, hence the retry.
            if let Some(owner) = conn.get::<_, Option<String>>(&key).await? {
                return Ok(owner);
            }
        }
        Ok(self.node.clone())
    }

    /// Extends our lease; false when it is no longer ours.
    pub async fn renew(&self, space: &str, ttl: Duration) -> Result<bool, LinkError> {
        let script = Script::new(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
        );
        let renewed: i64 = script
            .key(lease_key(space))
            .arg(&self.node)
            .arg(ttl.as_millis() as u64)
            .invoke_async(&mut self.publisher.clone())
            .await?;
        Ok(renewed == 1)
    }

    /// Gives the lease up, if it is still ours.
    pub async fn release(&self, space: &str) -> Result<(), LinkError> {
        let script = Script::new(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
        );
        let _: i64 =
            script.key(lease_key(space)).arg(&self.node).invoke_async(&mut self.publisher.clone()).await?;
        Ok(())
    }

    pub async fn owner(&self, space: &str) -> Result<Option<String>, LinkError> {
        Ok(self.publisher.clone().get(lease_key(space)).await?)
    }
}

/// Keeps a subscription to this node's channel and the broadcast channel, reconnecting
/// with backoff, until the node's receiver is dropped.
async fn listen(client: Client, channel: String, inbox: mpsc::Sender<Inbound>, up: watch::Sender<bool>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match subscribe(&client, &channel).await {
            Ok(mut stream) => {
                up.send_replace(true);
                backoff = Duration::from_millis(100);
                use futures_util::StreamExt;
                while let Some(message) = stream.next().await {
                    let payload = message.get_payload_bytes().to_vec();
                    let inbound = if message.get_channel_name() == BROADCAST {
                        Inbound::Broadcast(payload)
                    } else {
                        Inbound::Direct(payload)
                    };
                    if inbox.send(inbound).await.is_err() {
                        return; // The node is gone.
                    }
                }
                tracing::warn!("lost the Redis subscription; reconnecting");
            }
            Err(e) => tracing::warn!(error = %e, "cannot subscribe to Redis; retrying in {backoff:?}"),
        }
        up.send_replace(false);
        if inbox.is_closed() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn subscribe(client: &Client, channel: &str) -> Result<redis::aio::PubSubStream, redis::RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    pubsub.subscribe(BROADCAST).await?;
    Ok(pubsub.into_on_message())
}
