//! Builds the web client (`web/`, with npm and Vite) into OUT_DIR and generates the table
//! of files the server embeds, so `cargo run` serves a current UI with no second step.
//! Without Node.js the server still builds, serving a note instead of the UI; with `CI`
//! set, a failed web build fails the build. `GATHER_WEB_DIST=<dir>` embeds a client
//! built elsewhere instead.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let web = manifest.join("../../web").canonicalize().unwrap_or_else(|_| manifest.join("../../web"));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("web");
    for input in [
        "src",
        "index.html",
        "public",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        // Cargo counts a missing path as changed on every build, which would rebuild the
        // server each time; `public/` is optional (and absent today). One added later is
        // picked up with the next change to another input.
        let path = web.join(input);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    println!("cargo:rerun-if-env-changed=GATHER_SKIP_WEB_BUILD");
    println!("cargo:rerun-if-env-changed=GATHER_WEB_DIST");
    println!("cargo:rerun-if-env-changed=CI");

    let prebuilt = std::env::var_os("GATHER_WEB_DIST").map(PathBuf::from);
    let out = prebuilt.clone().unwrap_or(out);
    let built = if prebuilt.is_some() {
        // A client built elsewhere (e.g. a Docker stage with Node.js): embed it as it is.
        println!("cargo:rerun-if-changed={}", out.display());
        out.join("index.html").exists()
    } else if std::env::var_os("GATHER_SKIP_WEB_BUILD").is_some() {
        println!("cargo:warning=GATHER_SKIP_WEB_BUILD is set: the web client is not embedded");
        false
    } else {
        match build_web(&web, &out) {
            Ok(()) => true,
            Err(e) if std::env::var_os("CI").is_some() => panic!("building the web client failed: {e}"),
            Err(e) => {
                println!("cargo:warning=the web client was not built ({e}); install Node.js 20+ and npm for the browser UI");
                false
            }
        }
    };
    let files = if built { list_files(&out) } else { Vec::new() };
    let mut table = String::from("pub static WEB_ASSETS: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let route = file.strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/");
        writeln!(table, "    ({route:?}, include_bytes!({:?})),", file.display().to_string()).unwrap();
    }
    table.push_str("];\n");
    std::fs::write(PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("web_assets.rs"), table).unwrap();
}

fn build_web(web: &Path, out: &Path) -> Result<(), String> {
    if !web.join("package.json").exists() {
        return Err(format!("{} has no package.json", web.display()));
    }
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (modified(&lock), modified(&installed)) {
        (Some(lock), Some(installed)) => lock > installed,
        _ => true,
    };
    if stale {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(web))?;
    }
    let out_dir = out.to_str().ok_or("OUT_DIR is not UTF-8")?;
    run(Command::new("npm")
        .args(["run", "build", "--", "--outDir", out_dir, "--emptyOutDir"])
        .current_dir(web))
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("could not run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
