//! The layering rules of docs/ARCHITECTURE.md, checked on the source: the core crate does
//! no I/O, and the server's modules import each other without a circle (so the node link
//! knows nothing of rooms). `app`, `state`, `lib` and `main` wire everything together and
//! are left out of the graph: they are the composition root.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOTS: [&str; 4] = ["app", "state", "lib", "main"];

fn server_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level module a file belongs to: `rooms/room.rs` is in `rooms`.
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(server_src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// Top-level modules this source names through `crate::`.
fn imports(source: &str) -> BTreeSet<String> {
    source
        .match_indices("crate::")
        .map(|(at, _)| &source[at + "crate::".len()..])
        .filter_map(|rest| {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&server_src()) {
        let module = module_of(&file);
        if ROOTS.contains(&module.as_str()) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(imports(&source).into_iter().filter(|m| *m != module && !ROOTS.contains(&m.as_str())));
    }
    graph
}

/// A circle through `from`, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    fn walk(graph: &BTreeMap<String, BTreeSet<String>>, at: &str, path: &mut Vec<String>) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if *next == path[0] {
                return true;
            }
            if !path.contains(next) {
                path.push(next.clone());
                if walk(graph, next, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_owned()];
    walk(graph, from, &mut path).then_some(path)
}

#[test]
fn the_server_modules_import_each_other_without_a_circle() {
    let graph = graph();
    assert!(graph.contains_key("rooms") && graph.contains_key("cluster"), "modules not found: {graph:?}");
    for module in graph.keys() {
        if let Some(path) = circle(&graph, module) {
            panic!("an import circle: {} -> {module}", path.join(" -> "));
        }
    }
}

#[test]
fn the_node_link_knows_nothing_of_rooms_or_sockets() {
    let graph = graph();
    let cluster = &graph["cluster"];
    for forbidden in ["rooms", "ws", "http", "sessions"] {
        assert!(!cluster.contains(forbidden), "cluster/ imports crate::{forbidden}");
    }
}

#[test]
fn the_finder_sees_a_circle_when_there_is_one() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("a".into());
    assert_eq!(circle(&graph, "a"), Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(
        imports("use crate::rooms::Rooms; crate::cluster::X"),
        ["cluster", "rooms"].map(String::from).into()
    );
}

#[test]
fn the_core_depends_on_nothing_that_does_io() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/Cargo.toml");
    let manifest = std::fs::read_to_string(manifest).unwrap();
    let dependencies = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    for io in ["tokio", "sqlx", "axum", "redis", "reqwest", "hyper", "gather-store", "gather-bus"] {
        assert!(!dependencies.contains(io), "gather-core depends on {io}");
    }
}
