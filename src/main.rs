//! The `trailloop` binary: one command for the service and its tools.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use trailloop::{db, import, settings::Settings, telemetry};

#[derive(Parser)]
#[command(name = "trailloop", version, about = "Loop-hike planning service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending database migrations (idempotent).
    Migrate,
    /// Import an OSM extract as a region, replacing that region atomically.
    Import {
        /// Region name: lower-case letters, digits, '-' and '_'.
        #[arg(long)]
        region: String,
        /// OSM PBF extract.
        #[arg(long)]
        pbf: PathBuf,
        /// SRTM elevation tiles (.hgt or .hgt.zip), repeatable.
        #[arg(long)]
        dem: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("trailloop: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "failed");
            eprintln!("trailloop: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    match command {
        Command::Migrate => {
            let mut client = db::connect(&settings.database).await?;
            let applied = db::migrate(&mut client).await?;
            tracing::info!(applied, "migrations applied");
        }
        Command::Import { region, pbf, dem } => {
            let mut client = db::connect(&settings.database).await?;
            let request = import::ImportRequest { region, pbf, dem };
            let summary = import::run(&mut client, &request).await?;
            println!("{summary}");
        }
    }
    Ok(())
}
