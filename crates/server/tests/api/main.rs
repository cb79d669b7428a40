//! Integration tests: each starts the real server on 127.0.0.1:0 with a temporary data dir
//! and talks to it only over HTTP and WebSocket, like any client.

#[path = "../../../media/tests/support/client.rs"]
#[allow(dead_code)] // Shared with the relay's own tests, which use more of it.
mod client;
#[path = "../support/form.rs"]
mod form;
mod helpers;
#[path = "../support/media.rs"]
mod media_person;
#[path = "../support/process.rs"]
#[allow(dead_code)] // Each suite uses a part.
mod process;
#[path = "../support/socket.rs"]
#[allow(dead_code)] // Each suite uses a part.
mod socket;

mod admin;
mod assets;
mod bad_input;
mod chat;
mod crowd;
mod db_outage;
mod demo;
mod hardening;
mod map_import;
mod media;
mod openapi;
mod ops;
mod restart;
mod sessions;
mod shutdown;
mod signup;
mod space_elements;
mod space_rules;
mod spaces;
mod users;
mod ws_join;
mod ws_live_changes;
mod ws_move;
mod ws_robustness;
