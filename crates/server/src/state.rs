//! What every handler can reach. Cheap to clone: all shared parts sit behind `Arc`s.

use std::sync::Arc;

use gather_bus::Bus;
use gather_store::Store;
use tokio::sync::watch;

use crate::assets::Assets;
use crate::auth::{Grants, Passwords, SessionGate, SigninThrottle, Tokens};
use crate::clock::Clock;
use crate::cluster::Cluster;
use crate::config::Config;
use crate::media::MediaNode;
use crate::metrics::Metrics;
use crate::rooms::Rooms;
use crate::saturation::Saturation;
use crate::ws::{ChatLimits, JoinedSockets};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    /// Uploaded images: on disk or in S3, recorded in `store`.
    pub assets: Assets,
    pub bus: Arc<dyn Bus>,
    pub tokens: Arc<Tokens>,
    /// Proofs that someone gave a space's password.
    pub grants: Arc<Grants>,
    pub passwords: Passwords,
    pub sessions: Arc<SessionGate>,
    pub signin_throttle: Arc<SigninThrottle>,
    pub rooms: Rooms,
    pub chat_limits: Arc<ChatLimits>,
    pub joined_sockets: Arc<JoinedSockets>,
    pub metrics: Arc<Metrics>,
    /// What token expiry, rate limits, the sign-in throttle, the session cache and chat
    /// timestamps go by; a manual one in tests.
    pub clock: Clock,
    /// Whether the server is saturated, which makes socket writers batch.
    pub saturation: Arc<Saturation>,
    /// The media relay, unless media is off.
    pub media: Option<MediaNode>,
    /// The link to the other nodes (a link of its own for a single node).
    pub cluster: Arc<Cluster>,
    /// Flips to true when the server starts shutting down; sockets watch it to say goodbye.
    pub shutdown: watch::Receiver<bool>,
}
