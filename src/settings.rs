//! Layered settings: the defaults (`config/default.toml`, compiled in), then a TOML
//! file, then `TRAILLOOP__SECTION__KEY` environment variables. Secrets are wrapped so
//! that they never reach a log line.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The defaults of every setting: `config/default.toml`, as shipped.
pub const DEFAULTS_TOML: &str = include_str!("../config/default.toml");

/// Everything the service reads at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP listener.
    pub server: ServerSettings,
    /// PostGIS; without a URL the service runs embedded.
    pub database: DatabaseSettings,
    /// The in-memory network used when no database is configured.
    pub embedded: EmbeddedSettings,
    /// How requests become solver input.
    pub planner: PlannerSettings,
    /// The planning network held in memory.
    pub network: NetworkSettings,
    /// The solver pool and its admission control.
    pub solver: SolverSettings,
    /// The map page at `/`.
    pub web: WebSettings,
    /// Requests per client.
    pub rate_limit: RateLimitSettings,
    /// Saved plans: tokens, retention, quotas.
    pub plans: PlanSettings,
}

/// A token bucket per client address in front of every route but the health checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Requests a client may make per second, sustained; 0 turns the limit off.
    pub per_second: f64,
    /// Requests a client may make at once after being idle (the bucket's size).
    pub burst: u32,
}

/// Saved plans.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSettings {
    /// Key of the HMAC that vouches for a loop the service answered (at least 32
    /// characters; the same on every task). Unset: a random key for this process only,
    /// so loops answered by another task or before a restart cannot be saved.
    pub token_key: Option<SecretString>,
    /// How long after it was answered a loop may be saved, hours.
    pub token_ttl_hours: f64,
    /// How long a saved plan is kept, days; then it is gone.
    pub retention_days: f64,
    /// Plans one client address may save per 24 hours.
    pub quota_per_day: u32,
    /// Unexpired plans stored at most, of all clients; a save beyond is refused (503
    /// `plan-store-full` with Retry-After).
    pub max_stored: u64,
}

impl PlanSettings {
    /// What the plan settings must be that their types do not say.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.max_stored >= 1,
            "plans.max_stored must be at least 1, got {}",
            self.max_stored
        );
        Ok(())
    }
}

/// The map page served at `/`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// Raster tile URL template (`{z}/{x}/{y}`); empty for none (the page then draws
    /// the trails and loops on a plain background).
    pub tile_url: String,
    /// Attribution shown with the tiles (HTML).
    pub tile_attribution: String,
    /// Highest zoom the tile server has.
    pub tile_max_zoom: u8,
}

/// How a request becomes solver input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannerSettings {
    /// Driving distance = straight-line distance times this factor (roads wind).
    pub circuity_factor: f64,
    /// Trailheads solved per request: the most promising of those in range.
    pub max_trailheads: usize,
    /// Most trailheads weighed per request: should the drive reach more, the nearest
    /// this many by drive time (the answer says so).
    pub trailhead_candidates: usize,
    /// The near drive, km: a request whose drive reaches farther also solves the
    /// trailheads the same request within this drive would, so that a longer drive
    /// never answers a worse best loop than this one; 0 for none.
    pub near_drive_km: f64,
    /// Most network tiles (0.25 degrees square) one loop request may read: the solved
    /// trailheads are the best ones whose surroundings fit (the first always does).
    pub max_tiles_per_request: usize,
    /// A hiking profile (TOML, as `osm/profiles/hiking.toml`) instead of the shipped one.
    pub profile: Option<PathBuf>,
    /// A dated plan's days end this many hours before sunset at the latest.
    pub daylight_margin_h: f64,
    /// Minutes of rest per walking hour a dated plan's days count when the request
    /// says none (its days last their walking and these rests).
    pub rest_minutes_per_hour: f64,
    /// When the best loop within the drive is mostly on roads, a longer drive whose
    /// best loop is on trails is searched for out to this many times the asked drive...
    pub suggest_drive_factor: f64,
    /// ... and at least this far, km (minutes, for a drive asked by time).
    pub suggest_min_drive_km: f64,
}

impl PlannerSettings {
    /// The profile named by `profile`, or the shipped one.
    pub fn load_profile(&self) -> anyhow::Result<trailloop_osm::Profile> {
        match &self.profile {
            None => Ok(trailloop_osm::Profile::hiking()),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the profile {}", path.display()))?;
                trailloop_osm::Profile::from_toml(&text)
                    .with_context(|| format!("the profile {}", path.display()))
            }
        }
    }
}

/// The planning network held in memory, tile by tile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// Most memory the tiles may hold, MiB; the least recently used go first.
    pub cache_mib: usize,
    /// Load every region's tiles (up to the bound) at start-up; `/readyz` answers 503
    /// until that is done.
    pub preload: bool,
}

impl NetworkSettings {
    /// The bound in bytes.
    pub fn cache_bytes(&self) -> usize {
        self.cache_mib.saturating_mul(1 << 20)
    }
}

/// The solver's own thread pool and the queue in front of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolverSettings {
    /// Solver threads; 0 means one per core.
    pub threads: usize,
    /// Plans inside the pool at once; each is parallel across its trailheads already.
    /// 0 means one per four threads (at least one).
    pub concurrent_plans: usize,
    /// Requests admitted to the solver at once (running or waiting); the next one gets
    /// 503. 0 means 16 per solver thread.
    pub max_queue: usize,
    /// Planning budget of an ordinary request, milliseconds from its arrival, not
    /// counting its wait in the queue.
    pub time_budget_ms: u64,
    /// A request estimated to cost at least this many units (a 10 km day hike is one;
    /// see `plan::effort`) is costly: it plans in the costly lane, at a lower CPU
    /// priority, with `costly_time_budget_ms`, at most `costly_per_client` at once per
    /// client.
    pub costly_units: f64,
    /// Planning budget of a costly request, milliseconds, not counting its wait.
    pub costly_time_budget_ms: u64,
    /// Costly plans one client may have in flight at once; the next gets 429.
    pub costly_per_client: usize,
    /// Costly requests admitted at once, running or queued; 0 means 4 per solver thread.
    pub costly_max_queue: usize,
    /// Longest a request waits for its turn in the pool, milliseconds; then 503.
    pub max_queue_wait_ms: u64,
    /// How much lower the costly lane's threads run (Linux nice, 0..=19): ordinary
    /// plans take the cores first when both lanes have work.
    pub costly_nice: i32,
}

impl SolverSettings {
    /// Threads after resolving 0 to the number of cores.
    pub fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    }

    /// Plans inside the pool at once after resolving 0.
    pub fn effective_concurrent_plans(&self) -> usize {
        if self.concurrent_plans > 0 {
            self.concurrent_plans
        } else {
            (self.effective_threads() / 4).max(1)
        }
    }

    /// Admission limit after resolving 0.
    pub fn effective_max_queue(&self) -> usize {
        if self.max_queue > 0 {
            self.max_queue
        } else {
            16 * self.effective_threads()
        }
    }

    /// The costly lane's admission limit after resolving 0.
    pub fn effective_costly_max_queue(&self) -> usize {
        if self.costly_max_queue > 0 {
            self.costly_max_queue
        } else {
            4 * self.effective_threads()
        }
    }
}

/// HTTP listener settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind, e.g. `0.0.0.0`.
    pub host: String,
    /// Port to bind; 0 picks a free one (tests).
    pub port: u16,
    /// How long in-flight requests may run after SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Largest request body for planning requests, bytes.
    pub max_body_bytes: usize,
    /// Largest body of a saved plan (a loop with its geometry), bytes.
    pub max_plan_bytes: usize,
    /// Origins (`https://app.example.org`) whose pages may call the API from a browser;
    /// empty: same origin only; `*`: any origin, for the routes that only read.
    pub cors_origins: Vec<String>,
    /// Seconds an idle keep-alive connection stays open: above the load balancer's idle
    /// timeout (60 s on an ALB), so that the balancer, not the service, closes it.
    pub keep_alive_secs: u64,
    /// Time a client has to send a request's head after connecting, milliseconds.
    pub request_head_timeout_ms: u64,
    /// Time a client has to send a request's whole body, seconds; then 408.
    pub body_timeout_secs: u64,
    /// Most connections open at once, over all workers; more wait in the listen queue.
    pub max_connections: usize,
    /// The service runs behind a proxy (an ALB) that appends the client's address to
    /// `X-Forwarded-For`: the client is its rightmost entry. Off: the peer address.
    pub behind_proxy: bool,
    /// Serve `/metrics` on this port only (not on `port`); 0: on `port` with the API.
    pub metrics_port: u16,
    /// Serve the API documentation (`/docs`, `/openapi.json`).
    pub docs: bool,
}

/// PostgreSQL/PostGIS connection and pool settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/database`; `None` means embedded mode.
    pub url: Option<SecretString>,
    /// Largest number of pooled connections.
    pub pool_max_size: usize,
    /// How long to wait for a connection before giving up.
    pub connect_timeout_secs: u64,
    /// Server-side limit on any one statement.
    pub statement_timeout_ms: u64,
    /// PEM file of the CA(s) that sign the database's TLS certificate (e.g. the RDS
    /// bundle); unset: Mozilla's public roots. TLS itself follows the URL's `sslmode`
    /// (see [`crate::db::tls`]).
    pub ca_file: Option<PathBuf>,
}

/// Source files of the embedded network.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedSettings {
    /// OSM PBF extract: the network, or around own trails their roads, nature, places
    /// and trailheads.
    #[serde(default)]
    pub pbf: Option<PathBuf>,
    /// Own trail files (`.geojson`, `.json`, `.gpx`, `.shp`, `.zip`).
    #[serde(default)]
    pub trails: Vec<PathBuf>,
    /// SRTM tiles (`.hgt` or `.hgt.zip`).
    #[serde(default)]
    pub dem: Vec<PathBuf>,
    /// Attribution and licence of the own trails.
    #[serde(default)]
    pub attribution: Option<String>,
    /// Own trails' line ends within this of another line are joined to it, metres.
    #[serde(default = "default_snap_tolerance_m")]
    pub snap_tolerance_m: f64,
    /// Keep the built network in a snapshot beside the extract (`<pbf>.snapshot`) and
    /// start from it while the extract, the tiles and the binary are unchanged.
    pub snapshot: bool,
}

fn default_snap_tolerance_m() -> f64 {
    trailloop_osm::SNAP_TOLERANCE_M
}

impl Settings {
    /// Reads defaults, then the file named by `TRAILLOOP_CONFIG` (else
    /// `config/default.toml` when it exists), then the environment.
    pub fn load() -> anyhow::Result<Settings> {
        let file = std::env::var_os("TRAILLOOP_CONFIG").map(PathBuf::from);
        let file = file.or_else(|| {
            let default = PathBuf::from("config/default.toml");
            default.exists().then_some(default)
        });
        Settings::load_from(file.as_deref(), std::env::vars())
    }

    /// Like [`Settings::load`], with the file and the environment given (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Settings> {
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("TRAILLOOP__"))
            .collect();
        // The shipped file is the one place the defaults are written; compiled in, so a
        // binary without its config folder still has them.
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            DEFAULTS_TOML,
            config::FileFormat::Toml,
        ));
        if let Some(file) = file {
            builder = builder.add_source(config::File::from(file).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("TRAILLOOP")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("embedded.dem")
                .with_list_parse_key("embedded.trails")
                .with_list_parse_key("server.cors_origins")
                .try_parsing(true)
                .source(Some(env)),
        );
        let settings: Settings = builder
            .build()
            .context("reading settings")?
            .try_deserialize()
            .context("invalid settings")?;
        Ok(settings)
    }
}

impl DatabaseSettings {
    /// The database URL, or an error saying how to set it.
    pub fn require_url(&self) -> anyhow::Result<&SecretString> {
        self.url
            .as_ref()
            .context("no database configured: set TRAILLOOP__DATABASE__URL or [database] url")
    }

    /// The connection settings of `url`, with the pool's timeouts applied.
    pub fn pg_config(&self) -> anyhow::Result<tokio_postgres::Config> {
        let url = self.require_url()?;
        // The parse error would echo the URL, password included: keep it out.
        let mut config = tokio_postgres::Config::from_str(url.expose_secret()).map_err(|_| {
            if url.expose_secret().contains("sslmode=verify") {
                anyhow::anyhow!(
                    "TRAILLOOP__DATABASE__URL: sslmode must be disable, prefer or require \
                     (require verifies the certificate and the host name, as libpq's verify-full)"
                )
            } else {
                anyhow::anyhow!("TRAILLOOP__DATABASE__URL is not a valid PostgreSQL URL")
            }
        })?;
        config.connect_timeout(Duration::from_secs(self.connect_timeout_secs));
        config.options(format!(
            "-c statement_timeout={}",
            self.statement_timeout_ms
        ));
        config.application_name("trailloop");
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply_without_file_or_environment() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.server.port, 8080);
        assert!(s.database.url.is_none());
        assert_eq!(s.embedded.dem, vec![PathBuf::from("data/N42E001.hgt.zip")]);
        assert_eq!(s.planner.circuity_factor, 1.3);
        assert_eq!(s.solver.time_budget_ms, 2000);
        assert!(s.solver.effective_threads() >= 1);
        assert_eq!(
            s.solver.effective_max_queue(),
            16 * s.solver.effective_threads()
        );
    }

    #[test]
    fn environment_overrides_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.toml");
        std::fs::write(
            &file,
            "[server]\nport = 9000\nhost = \"127.0.0.1\"\n[database]\npool_max_size = 4\nurl = \"postgres://file@h/db\"\n",
        )
        .unwrap();
        let s = Settings::load_from(
            Some(&file),
            env(&[
                ("TRAILLOOP__DATABASE__URL", "postgres://env:pw@db:5432/x"),
                ("TRAILLOOP__DATABASE__POOL_MAX_SIZE", "7"),
                ("TRAILLOOP__EMBEDDED__DEM", "a.hgt,b.hgt.zip"),
                ("UNRELATED", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.port, 9000, "file beats default");
        assert_eq!(s.server.host, "127.0.0.1");
        assert_eq!(s.database.pool_max_size, 7, "environment beats file");
        assert_eq!(
            s.database.url.as_ref().unwrap().expose_secret(),
            "postgres://env:pw@db:5432/x"
        );
        assert_eq!(s.embedded.dem.len(), 2);
        let pg = s.database.pg_config().unwrap();
        assert_eq!(pg.get_dbname(), Some("x"));
    }

    #[test]
    fn the_database_password_never_prints() {
        let s = Settings::load_from(
            None,
            env(&[("TRAILLOOP__DATABASE__URL", "postgres://u:hunter2@h/db")]),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn a_bad_url_is_reported_without_echoing_it() {
        let s = Settings::load_from(
            None,
            env(&[("TRAILLOOP__DATABASE__URL", "mysql://u:hunter2@@")]),
        )
        .unwrap();
        let err = s.database.pg_config().unwrap_err().to_string();
        assert!(err.contains("TRAILLOOP__DATABASE__URL"));
        assert!(!err.contains("hunter2"));
    }

    #[test]
    fn the_url_sslmode_is_read_and_libpq_verify_modes_are_explained() {
        let database = |url: &str| {
            Settings::load_from(None, env(&[("TRAILLOOP__DATABASE__URL", url)]))
                .unwrap()
                .database
        };
        use tokio_postgres::config::SslMode;
        for (url, mode) in [
            ("postgres://u:pw@h/db", SslMode::Prefer),
            ("postgres://u:pw@h/db?sslmode=disable", SslMode::Disable),
            ("postgres://u:pw@h/db?sslmode=prefer", SslMode::Prefer),
            ("postgres://u:pw@h/db?sslmode=require", SslMode::Require),
        ] {
            let config = database(url).pg_config().unwrap();
            assert_eq!(config.get_ssl_mode(), mode, "{url}");
        }
        let err = database("postgres://u:hunter2@h/db?sslmode=verify-full")
            .pg_config()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sslmode must be disable, prefer or require"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn cors_origins_come_as_a_comma_separated_list_and_may_be_empty() {
        let origins = |v: &str| {
            Settings::load_from(None, env(&[("TRAILLOOP__SERVER__CORS_ORIGINS", v)]))
                .unwrap()
                .server
                .cors_origins
        };
        assert_eq!(
            origins("https://a.example,https://b.example"),
            ["https://a.example", "https://b.example"]
        );
        // An empty value is one blank origin, which `cors` reads as none.
        assert!(origins("").iter().all(|o| o.trim().is_empty()));
        assert!(Settings::load_from(None, env(&[]))
            .unwrap()
            .server
            .cors_origins
            .is_empty());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Settings::load_from(None, env(&[("TRAILLOOP__SERVER__PROT", "1")])).unwrap_err();
        assert!(format!("{err:#}").contains("prot"), "{err:#}");
    }
}
