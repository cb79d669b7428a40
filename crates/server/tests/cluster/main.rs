//! Several Gather nodes sharing spaces: people on different nodes see each other join,
//! move, chat and leave under one set of rules, and the cluster survives the death of a
//! space's owner and an outage of the link between nodes.
//!
//! Every case runs twice: in one process (nodes on an in-process link and one SQLite store,
//! on every `cargo test`, no services needed), and as real `gather` processes on Redis and
//! PostgreSQL (with `GATHER_TEST_DATABASE_URL` and `GATHER_TEST_REDIS_URL`; skipped
//! without them unless `GATHER_REQUIRE_SERVICES` is set, as in CI).

mod cases;
#[path = "../../../media/tests/support/client.rs"]
#[allow(dead_code)] // Shared with the relay's own tests, which use more of it.
mod client;
mod clients;
#[path = "../support/form.rs"]
mod form;
mod harness;
#[path = "../support/media.rs"]
#[allow(dead_code)] // The single-node suite uses more of it.
mod media_person;
#[path = "../support/process.rs"]
mod process;
#[path = "../support/proxy.rs"]
mod proxy;
#[path = "../support/socket.rs"]
#[allow(dead_code)] // Each suite uses a part.
mod socket;

use harness::{InProcess, Processes};

/// One test per transport for each case in `cases`.
macro_rules! on_every_transport {
    ($($case:ident),* $(,)?) => {
        mod in_process {
            $(#[tokio::test]
            async fn $case() {
                crate::cases::$case(crate::InProcess::start).await;
            })*
        }
        mod processes {
            $(#[tokio::test]
            async fn $case() {
                if !crate::Processes::available() {
                    return;
                }
                crate::cases::$case(crate::Processes::start).await;
            })*
        }
    };
}

on_every_transport!(
    people_on_two_nodes_share_a_space,
    racing_moves_from_two_nodes_never_share_a_tile,
    signing_out_on_one_node_closes_the_socket_on_another,
    when_the_owner_dies_the_survivors_take_the_space_over_without_ghosts,
    nodes_ride_out_a_link_outage,
    people_on_two_nodes_hear_each_other_with_the_owner_on_either,
    a_kick_or_ban_through_one_node_removes_someone_connected_to_another,
    an_image_uploaded_through_one_node_is_served_by_every_node,
    a_dropped_socket_resumes_on_its_node_while_another_node_owns_the_space,
    when_the_owner_dies_its_people_resume_on_a_survivor_without_a_false_leave,
    after_the_node_link_restarts_everyone_sees_the_space_as_it_is,
);

#[test]
fn a_cluster_refuses_to_share_an_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gather"))
        .args(["--addr", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .env("GATHER_REDIS_URL", "redis://127.0.0.1:6379")
        .env_remove("GATHER_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs PostgreSQL"));
}

#[test]
fn a_cluster_refuses_to_keep_uploads_in_a_local_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gather"))
        .args(["--addr", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .env("GATHER_REDIS_URL", "redis://127.0.0.1:6379")
        // Never reached: the asset store is checked first.
        .env("GATHER_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env_remove("GATHER_ASSET_STORE")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs an S3 asset store"), "{output:?}");
}
