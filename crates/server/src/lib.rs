//! The Gather server: configuration, startup, and the adapters (HTTP, WebSocket, rooms)
//! around `gather-core`'s rules. `main.rs` only parses flags and calls [`App`].

pub mod app;
mod assets;
mod auth;
mod clock;
mod cluster;
pub mod commands;
pub mod config;
mod demo;
mod entry;
mod error;
pub(crate) mod http;
mod media;
mod metered_store;
mod metrics;
mod rooms;
mod saturation;
mod serve;
mod state;
mod web;
mod ws;

pub use app::{App, Parts, RunningApp};
pub use clock::Clock;
pub use config::{AdminSignup, Cli, Config};
