//! What every handler can reach. Cheap to clone: all shared parts sit behind `Arc`s.

use std::sync::Arc;

use gather_bus::Bus;
use gather_store::Store;
use tokio::sync::watch;

use crate::auth::{Passwords, Tokens};
use crate::config::Config;
use crate::rooms::Rooms;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub tokens: Arc<Tokens>,
    pub passwords: Passwords,
    pub rooms: Rooms,
    /// Flips to true when the server starts shutting down; sockets watch it to say goodbye.
    pub shutdown: watch::Receiver<bool>,
}
