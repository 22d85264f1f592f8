//! The `trailloop` binary: one command for the service and its tools.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use trailloop::startup::Application;
use trailloop::{db, healthcheck, import, settings::Settings, telemetry};

#[derive(Parser)]
#[command(name = "trailloop", version, about = "Loop-hike planning service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API: on PostGIS when a database URL is configured, else on the
    /// embedded network built in memory from `[embedded]` (or --pbf/--trails/--dem).
    Serve {
        /// Serve this OSM extract from memory (embedded mode, any database URL ignored);
        /// with --trails, the extract around them.
        #[arg(long)]
        pbf: Option<PathBuf>,
        #[command(flatten)]
        sources: Sources,
    },
    /// Exit 0 when the service answers 200 on /healthz, else 1 (container health check).
    Healthcheck {
        /// Defaults to http://127.0.0.1:{server.port}/healthz.
        #[arg(long)]
        url: Option<String>,
    },
    /// Apply pending database migrations (idempotent).
    Migrate,
    /// Create or update the service's own database login (a member of trailloop_api:
    /// read the network, read and save plans), with the password in the environment
    /// variable TRAILLOOP_API_DB_PASSWORD. Run with the owner's URL, after `migrate`.
    ApiUser {
        /// The login's name.
        #[arg(long)]
        name: String,
    },
    /// Import an OSM extract, own trails, or both as a region, replacing that region
    /// atomically.
    Import {
        /// Region name: lower-case letters, digits, '-' and '_'.
        #[arg(long)]
        region: String,
        /// OSM PBF extract: the network, or with own trails their roads, nature, places
        /// and (when the trails give none) trailheads.
        #[arg(long, required_unless_present_any = ["trails", "trails_sql"])]
        pbf: Option<PathBuf>,
        /// A query over this database giving own trails: a `geom` column (any SRID) and
        /// optionally id, name, foot, surface, highway, sac_scale.
        #[arg(long)]
        trails_sql: Option<String>,
        #[command(flatten)]
        sources: Sources,
    },
}

/// What `serve` and `import` take besides the extract: own trails, elevation, and the
/// own trails' attribution and snapping tolerance.
#[derive(clap::Args)]
struct Sources {
    /// Own trail files (.geojson/.json with OpenTrails files beside, .gpx, .shp, .zip
    /// holding a Shapefile), repeatable.
    #[arg(long)]
    trails: Vec<PathBuf>,
    /// SRTM elevation tiles (.hgt or .hgt.zip), repeatable.
    #[arg(long)]
    dem: Vec<PathBuf>,
    /// Attribution and licence of the own trails, shown with every answer.
    #[arg(long)]
    attribution: Option<String>,
    /// Own trails' line ends within this of another line are joined to it, metres.
    #[arg(long, default_value_t = trailloop_osm::SNAP_TOLERANCE_M)]
    snap_tolerance_m: f64,
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
        Command::Serve {
            pbf,
            sources:
                Sources {
                    trails,
                    dem,
                    attribution,
                    snap_tolerance_m,
                },
        } => {
            let mut settings = settings;
            if pbf.is_some() || !trails.is_empty() {
                settings.embedded.pbf = pbf;
                settings.embedded.trails = trails;
                settings.embedded.dem = dem;
                settings.embedded.attribution = attribution;
                settings.embedded.snap_tolerance_m = snap_tolerance_m;
                settings.database.url = None;
            } else {
                anyhow::ensure!(
                    dem.is_empty() && attribution.is_none(),
                    "--dem and --attribution go with --pbf or --trails"
                );
            }
            let app = Application::build(settings).await?;
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
        Command::Healthcheck { url } => {
            let url =
                url.unwrap_or_else(|| format!("http://127.0.0.1:{}/healthz", settings.server.port));
            // Blocking std I/O with short timeouts: nothing else runs in this process.
            healthcheck::check(&url)?;
        }
        Command::Migrate => {
            let mut client = db::connect(&settings.database).await?;
            let applied = db::migrate(&mut client).await?;
            tracing::info!(applied, "migrations applied");
        }
        Command::ApiUser { name } => {
            let password = std::env::var("TRAILLOOP_API_DB_PASSWORD").map_err(|_| {
                anyhow::anyhow!("set TRAILLOOP_API_DB_PASSWORD to the login's password")
            })?;
            let mut client = db::connect(&settings.database).await?;
            db::roles::ensure_api_user(&mut client, &name, &password).await?;
            tracing::info!(login = %name, role = db::roles::API_ROLE, "service login ready");
        }
        Command::Import {
            region,
            pbf,
            trails_sql,
            sources:
                Sources {
                    trails,
                    dem,
                    attribution,
                    snap_tolerance_m,
                },
        } => {
            let mut client = db::connect(&settings.database).await?;
            let request = import::ImportRequest {
                region,
                pbf,
                trails,
                trails_sql,
                dem,
                attribution,
                snap_tolerance_m,
            };
            let summary = import::run(&mut client, &request).await?;
            println!("{summary}");
        }
    }
    Ok(())
}
