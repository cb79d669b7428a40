use clap::Parser;
use gather_bench::media::{run, MediaOptions};

// One thread, like gather-bench: the tool runs pinned to one core.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let options = MediaOptions::parse();
    let report = run(&options).await?;
    println!("{report}");
    if let Some(path) = &options.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
