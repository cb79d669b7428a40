use clap::Parser;
use gather_bench::{run, Options};

// One thread: the tool is meant to run pinned to one core, where a thread pool only adds
// cross-thread wake-ups.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let report = run(&options).await?;
    println!("{report}");
    if let Some(path) = &options.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
