//! Session checks on the hot path. Every request and every WebSocket join asks whether a
//! token's session is still live; the answer is cached for a short time, and revocations
//! made here evict the cache at once and are announced to open sockets, which close.
//! A later networked backend publishes the same announcements between nodes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gather_core::{SessionId, UserId};
use gather_store::{Session, Store, StoreError, StoreResult};
use tokio::sync::broadcast;

use super::Bearer;
use gather_protocol::node::NodeMessage;

use crate::clock::Clock;
use crate::cluster::Cluster;

/// How long a session known to be live is trusted without asking the store again.
const CACHE_TTL: Duration = Duration::from_secs(30);
/// Cached sessions above which stale entries are swept.
const CACHE_SWEEP_AT: usize = 10_000;
/// How stale a session's "last seen" may get before a check refreshes it.
const TOUCH_EVERY_MS: i64 = 60_000;
/// How long sessions seen are gathered before their "last seen" is written.
const TOUCH_BATCH: Duration = Duration::from_secs(1);
/// Revocations an open socket may fall behind by before it re-checks from the store.
const REVOCATION_BACKLOG: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("this session has been signed out; sign in again")]
    Revoked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct SessionGate {
    store: Arc<dyn Store>,
    /// Revocations are announced to every node.
    cluster: Arc<Cluster>,
    // std Mutex: lookups and inserts only, never held across an await.
    live: Mutex<HashMap<SessionId, (UserId, Instant)>>,
    /// Sessions seen since the last write of "last seen"; written together.
    seen: Arc<Mutex<HashSet<SessionId>>>,
    revoked: broadcast::Sender<SessionId>,
    clock: Clock,
}

impl SessionGate {
    pub fn new(store: Arc<dyn Store>, cluster: Arc<Cluster>, clock: Clock) -> Self {
        let revoked = broadcast::channel(REVOCATION_BACKLOG).0;
        Self { store, cluster, live: Mutex::default(), seen: Arc::default(), revoked, clock }
    }

    /// Opens a session for a sign-in.
    pub async fn open(&self, user: UserId, user_agent: &str) -> StoreResult<Bearer> {
        let now = self.clock.unix_ms();
        let session = Session {
            id: SessionId::new(),
            user_id: user,
            created_at: now,
            last_seen_at: now,
            user_agent: user_agent.chars().take(256).collect(),
            revoked: false,
        };
        self.store.create_session(&session).await?;
        self.remember(session.id, user);
        Ok(Bearer { user, session: session.id })
    }

    /// Ok when the token's session exists, belongs to its user and is not revoked.
    pub async fn check(&self, bearer: Bearer) -> Result<(), SessionError> {
        if self.cached(bearer) {
            return Ok(());
        }
        match self.store.session(bearer.session).await? {
            Some(session) if !session.revoked && session.user_id == bearer.user => {
                let now = self.clock.unix_ms();
                if now - session.last_seen_at > TOUCH_EVERY_MS {
                    self.note_seen(session.id);
                }
                self.remember(session.id, session.user_id);
                Ok(())
            }
            _ => Err(SessionError::Revoked),
        }
    }

    /// "Last seen" is for people reading their session list: written off every join's
    /// path, and for all the sessions seen within [`TOUCH_BATCH`] at once, so a crowd
    /// joining costs one write rather than thousands queued before everyone else's.
    fn note_seen(&self, id: SessionId) {
        let first = {
            let mut seen = self.seen.lock().expect("seen sessions poisoned");
            let first = seen.is_empty();
            seen.insert(id);
            first
        };
        if !first {
            return; // A write is already on its way, and takes this one too.
        }
        let (store, seen, clock) = (self.store.clone(), self.seen.clone(), self.clock.clone());
        tokio::spawn(async move {
            tokio::time::sleep(TOUCH_BATCH).await;
            let batch: Vec<SessionId> =
                std::mem::take(&mut *seen.lock().expect("seen sessions poisoned")).into_iter().collect();
            // One time for all: "last seen" to within the batch's second.
            if let Err(e) = store.touch_sessions(&batch, clock.unix_ms()).await {
                tracing::debug!(error = %e, sessions = batch.len(), "could not record sessions as seen");
            }
        });
    }

    pub async fn revoke(&self, id: SessionId) -> StoreResult<()> {
        self.store.revoke_session(id).await?;
        self.forget(id);
        Ok(())
    }

    /// Revokes every session of `user` except `keep`.
    pub async fn revoke_others(&self, user: UserId, keep: SessionId) -> StoreResult<()> {
        for id in self.store.revoke_other_sessions(user, keep).await? {
            self.forget(id);
        }
        Ok(())
    }

    /// Announcements of revoked sessions, for open sockets to close theirs.
    pub fn revocations(&self) -> broadcast::Receiver<SessionId> {
        self.revoked.subscribe()
    }

    fn cached(&self, bearer: Bearer) -> bool {
        let now = self.clock.now();
        let live = self.live.lock().expect("session cache poisoned");
        live.get(&bearer.session).is_some_and(|(user, checked)| *user == bearer.user && fresh(*checked, now))
    }

    fn remember(&self, id: SessionId, user: UserId) {
        let now = self.clock.now();
        let mut live = self.live.lock().expect("session cache poisoned");
        if live.len() >= CACHE_SWEEP_AT {
            live.retain(|_, (_, checked)| fresh(*checked, now));
        }
        live.insert(id, (user, now));
    }

    fn forget(&self, id: SessionId) {
        self.forget_here(id);
        // This node included, which forgets it a second time: harmless.
        self.cluster.broadcast(&NodeMessage::Revoked { session: id });
    }

    /// Forgets a session revoked here or announced by another node, and closes its sockets
    /// on this node.
    pub fn forget_here(&self, id: SessionId) {
        self.live.lock().expect("session cache poisoned").remove(&id);
        // Nobody listening (no open sockets) is fine.
        let _ = self.revoked.send(id);
    }
}

/// Whether a check made at `checked` may still be trusted at `now`.
fn fresh(checked: Instant, now: Instant) -> bool {
    now.saturating_duration_since(checked) < CACHE_TTL
}
