//! Messages between Gather nodes over Redis. Each node subscribes to one channel of its own
//! (`gather:node:<id>`) and to one broadcast channel; nothing is subscribed per space, so
//! the cost of a space is paid only by nodes with members in it (they are the ones sent
//! to). Space ownership is a lease: a key holding the owner's node id, with a TTL the
//! owner keeps renewing. The link reconnects by itself; `connected()` says whether it is up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::MultiplexedConnection;
use redis::{Client, Script};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::link::{Inbound, LinkError, NodeLink, Uptime};

impl From<redis::RedisError> for LinkError {
    fn from(error: redis::RedisError) -> Self {
        Self(format!("redis: {error}"))
    }
}

const BROADCAST: &str = "gather:broadcast";
/// Messages for this node may queue this deep before the subscriber waits for the node.
const INBOX: usize = 8192;
/// How long one command may take before its connection is deemed dead.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(1);

fn node_channel(node: &str) -> String {
    format!("gather:node:{node}")
}

fn lease_key(space: &str) -> String {
    format!("gather:lease:{space}")
}

#[derive(Clone)]
pub struct RedisLink {
    node: String,
    commands: Commands,
    /// Whether the subscription is live, and since when.
    uptime: Uptime,
}

impl RedisLink {
    /// Connects and starts listening; messages for this node arrive on the returned receiver.
    pub async fn connect(url: &str, node: &str) -> Result<(Self, mpsc::Receiver<Inbound>), LinkError> {
        let client = Client::open(url)?;
        let commands = Commands { client: client.clone(), conn: Arc::default() };
        commands.connection().await?;
        let (inbox, inbound) = mpsc::channel(INBOX);
        let (up, uptime) = Uptime::new(false);
        tokio::spawn(listen(client, node_channel(node), inbox, up));
        Ok((Self { node: node.to_owned(), commands, uptime }, inbound))
    }
}

#[async_trait]
impl NodeLink for RedisLink {
    fn node(&self) -> &str {
        &self.node
    }

    fn uptime(&self) -> &Uptime {
        &self.uptime
    }

    async fn send(&self, to: &str, payload: &[u8]) -> Result<(), LinkError> {
        let _: i64 = self.commands.run(redis::cmd("PUBLISH").arg(node_channel(to)).arg(payload)).await?;
        Ok(())
    }

    async fn broadcast(&self, payload: &[u8]) -> Result<(), LinkError> {
        let _: i64 = self.commands.run(redis::cmd("PUBLISH").arg(BROADCAST).arg(payload)).await?;
        Ok(())
    }

    async fn claim(&self, space: &str, ttl: Duration) -> Result<String, LinkError> {
        let key = lease_key(space);
        let millis = ttl.as_millis() as u64;
        for _ in 0..3 {
            let set: Option<String> = self
                .commands
                .run(redis::cmd("SET").arg(&key).arg(&self.node).arg("NX").arg("PX").arg(millis))
                .await?;
            if set.is_some() {
                return Ok(self.node.clone());
            }
            // Held by someone; it may expire between the two calls, hence the retry.
            if let Some(owner) = self.commands.run::<Option<String>>(redis::cmd("GET").arg(&key)).await? {
                return Ok(owner);
            }
        }
        Ok(self.node.clone())
    }

    async fn renew(&self, space: &str, ttl: Duration) -> Result<bool, LinkError> {
        let script = Script::new(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
        );
        let mut invocation = script.key(lease_key(space));
        invocation.arg(&self.node).arg(ttl.as_millis() as u64);
        let renewed: i64 = self.commands.run_script(&invocation).await?;
        Ok(renewed == 1)
    }

    async fn release(&self, space: &str) -> Result<(), LinkError> {
        let script = Script::new(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
        );
        let mut invocation = script.key(lease_key(space));
        invocation.arg(&self.node);
        let _: i64 = self.commands.run_script(&invocation).await?;
        Ok(())
    }

    async fn owner(&self, space: &str) -> Result<Option<String>, LinkError> {
        Ok(self.commands.run(redis::cmd("GET").arg(lease_key(space))).await?)
    }
}

/// Commands over one multiplexed connection, dropped whenever a command fails or stalls:
/// while Redis is away every call fails within a second, and the first call after it
/// returns connects afresh.
#[derive(Clone)]
struct Commands {
    client: Client,
    // std Mutex: only swapped or cloned, never held across an await.
    conn: Arc<Mutex<Option<MultiplexedConnection>>>,
}

impl Commands {
    async fn connection(&self) -> redis::RedisResult<MultiplexedConnection> {
        if let Some(conn) = self.conn.lock().expect("redis connection poisoned").clone() {
            return Ok(conn);
        }
        let connect = self.client.get_multiplexed_async_connection();
        let conn = tokio::time::timeout(COMMAND_TIMEOUT, connect).await.map_err(|_| timed_out())??;
        *self.conn.lock().expect("redis connection poisoned") = Some(conn.clone());
        Ok(conn)
    }

    async fn run<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> redis::RedisResult<T> {
        let mut conn = self.connection().await?;
        self.settle(tokio::time::timeout(COMMAND_TIMEOUT, command.query_async(&mut conn)).await)
    }

    async fn run_script<T: redis::FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> redis::RedisResult<T> {
        let mut conn = self.connection().await?;
        self.settle(tokio::time::timeout(COMMAND_TIMEOUT, invocation.invoke_async(&mut conn)).await)
    }

    /// Forgets the connection when a command failed or stalled.
    fn settle<T>(
        &self,
        outcome: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
    ) -> redis::RedisResult<T> {
        let result = outcome.unwrap_or_else(|_| Err(timed_out()));
        if result.is_err() {
            *self.conn.lock().expect("redis connection poisoned") = None;
        }
        result
    }
}

fn timed_out() -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::IoError, "Redis did not answer in time"))
}

/// Keeps a subscription to this node's channel and the broadcast channel, reconnecting
/// with backoff, until the node's receiver is dropped.
async fn listen(
    client: Client,
    channel: String,
    inbox: mpsc::Sender<Inbound>,
    up: watch::Sender<Option<Instant>>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match subscribe(&client, &channel).await {
            Ok(mut stream) => {
                up.send_replace(Some(Instant::now()));
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
        up.send_replace(None);
        if inbox.is_closed() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn subscribe(client: &Client, channel: &str) -> Result<redis::aio::PubSubStream, redis::RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    pubsub.subscribe(BROADCAST).await?;
    Ok(pubsub.into_on_message())
}
