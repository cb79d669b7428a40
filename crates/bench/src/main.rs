use clap::Parser;
use gather_bench::{run, Options};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let report = run(&options).await?;
    println!("{report}");
    if let Some(path) = &options.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
