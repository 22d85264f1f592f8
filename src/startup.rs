//! The application as tests and `main` build it: settings in, a bound listener and a
//! running server out.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::client::BehindProxy;
use crate::cors::AllowedOrigins;
use crate::metrics::{Metrics, MetricsPort};
use crate::plan::{PlanLimits, Planner, SavedPlans, Services};
use crate::rate_limit::ClientLimits;
use crate::routes::health::Warm;
use crate::routes::BodyTimeout;
use crate::settings::Settings;
use crate::solver_pool::SolverPool;
use crate::store::{EmbeddedStore, PgStore, Store};
use crate::tokens::PlanTokens;

/// Settings the config crate cannot check by type alone.
fn check(settings: &Settings) -> anyhow::Result<()> {
    let circuity = settings.planner.circuity_factor;
    anyhow::ensure!(
        circuity.is_finite() && (1.0..=5.0).contains(&circuity),
        "planner.circuity_factor must be in 1..=5 (roads are never shorter than a straight line), got {circuity}"
    );
    let margin = settings.planner.daylight_margin_h;
    anyhow::ensure!(
        (0.0..=4.0).contains(&margin),
        "planner.daylight_margin_h must be in 0..=4 hours, got {margin}"
    );
    let (factor, least) = (
        settings.planner.suggest_drive_factor,
        settings.planner.suggest_min_drive_km,
    );
    anyhow::ensure!(
        (factor == 0.0 || (1.0..=10.0).contains(&factor)) && (0.0..=300.0).contains(&least),
        "planner.suggest_drive_factor must be 0 (off) or in 1..=10 and \
         planner.suggest_min_drive_km in 0..=300, got {factor} and {least}"
    );
    let rest = settings.planner.rest_minutes_per_hour;
    anyhow::ensure!(
        (0.0..=crate::domain::TripDates::MAX_REST_MIN_PER_H).contains(&rest),
        "planner.rest_minutes_per_hour must be in 0..=60 minutes, got {rest}"
    );
    anyhow::ensure!(
        settings.planner.max_trailheads >= 1,
        "planner.max_trailheads must be at least 1"
    );
    let solver = &settings.solver;
    anyhow::ensure!(
        solver.time_budget_ms >= 10 && solver.costly_time_budget_ms >= 10,
        "solver.time_budget_ms and solver.costly_time_budget_ms must be at least 10"
    );
    anyhow::ensure!(
        solver.costly_units.is_finite() && solver.costly_units >= 1.0,
        "solver.costly_units must be at least 1 (a 10 km day hike), got {}",
        solver.costly_units
    );
    anyhow::ensure!(
        solver.costly_per_client >= 1,
        "solver.costly_per_client must be at least 1"
    );
    anyhow::ensure!(
        (0..=19).contains(&solver.costly_nice),
        "solver.costly_nice must be in 0..=19, got {}",
        solver.costly_nice
    );
    anyhow::ensure!(
        settings.planner.trailhead_candidates >= settings.planner.max_trailheads,
        "planner.trailhead_candidates must be at least planner.max_trailheads"
    );
    let near = settings.planner.near_drive_km;
    anyhow::ensure!(
        near.is_finite() && (0.0..=1000.0).contains(&near),
        "planner.near_drive_km must be in 0..=1000 (0 for none), got {near}"
    );
    anyhow::ensure!(
        settings.network.cache_mib >= 1,
        "network.cache_mib must be at least 1"
    );
    anyhow::ensure!(
        settings.planner.max_tiles_per_request >= 1,
        "planner.max_tiles_per_request must be at least 1"
    );
    let plans = &settings.plans;
    for (name, value) in [
        ("plans.token_ttl_hours", plans.token_ttl_hours),
        ("plans.retention_days", plans.retention_days),
    ] {
        anyhow::ensure!(
            value.is_finite() && value > 0.0 && value <= 36_500.0 * 24.0,
            "{name} must be a positive number, got {value}"
        );
    }
    let server = &settings.server;
    anyhow::ensure!(
        server.keep_alive_secs >= 1 && server.body_timeout_secs >= 1,
        "server.keep_alive_secs and server.body_timeout_secs must be at least 1"
    );
    anyhow::ensure!(
        server.request_head_timeout_ms >= 100,
        "server.request_head_timeout_ms must be at least 100"
    );
    anyhow::ensure!(
        server.max_connections >= 1,
        "server.max_connections must be at least 1"
    );
    anyhow::ensure!(
        server.metrics_port == 0 || server.metrics_port != server.port,
        "server.metrics_port must differ from server.port (0 serves /metrics on server.port)"
    );
    Ok(())
}

/// A bound, not yet awaited, server.
pub struct Application {
    port: u16,
    server: Server,
    planner: Planner,
    plans: SavedPlans,
}

impl Application {
    /// Builds the store the settings ask for (PostGIS when a database URL is set, else
    /// the embedded network, loaded off the async workers) and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let store = if settings.database.url.is_some() {
            Store::Postgres(PgStore::new(crate::db::pool(&settings.database)?))
        } else {
            let embedded = settings.embedded.clone();
            tracing::info!(pbf = ?embedded.pbf, trails = ?embedded.trails, "building the embedded network");
            let store =
                tokio::task::spawn_blocking(move || EmbeddedStore::from_settings(&embedded))
                    .await
                    .context("the embedded network build panicked")?
                    .context("building the embedded network")?;
            Store::Embedded(Arc::new(store))
        };
        Application::build_with_store(settings, store)
    }

    /// Like [`Application::build`] with a store made elsewhere (tests share one network).
    pub fn build_with_store(settings: Settings, store: Store) -> anyhow::Result<Application> {
        check(&settings)?;
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).with_context(|| format!("binding {address}"))?;
        let port = listener.local_addr()?.port();
        let metrics = Metrics::new().context("registering metrics")?;
        let pool = SolverPool::new(&settings.solver, metrics.clone())?;
        let profile = Arc::new(settings.planner.load_profile()?);
        let services = Services::new(
            store,
            pool,
            settings.planner.clone(),
            settings.network.cache_bytes(),
            profile,
            metrics.clone(),
        );
        let planner = services.planner.clone();
        let warm = Warm::new(!settings.network.preload);
        if settings.network.preload {
            tokio::spawn(preload(planner.clone(), warm.clone()));
        }
        let plans = &settings.plans;
        let tokens = PlanTokens::from_settings(
            plans.token_key.as_ref(),
            Duration::from_secs_f64(plans.token_ttl_hours * 3600.0),
        )?;
        let plan_limits = PlanLimits::from_settings(plans)?;
        let limits = ClientLimits::new(&settings.rate_limit)?;
        let metrics_listener = match settings.server.metrics_port {
            0 => None,
            port => {
                let address = format!("{}:{port}", settings.server.host);
                Some(TcpListener::bind(&address).with_context(|| format!("binding {address}"))?)
            }
        };
        let metrics_port = metrics_listener
            .as_ref()
            .map(|l| l.local_addr().map(|a| a.port()))
            .transpose()?;
        tokio::spawn(housekeeping(services.plans.clone(), limits.clone()));
        // Each part of the app gets what it uses as its own data.
        let planner_data = web::Data::new(planner.clone());
        let finder = web::Data::new(services.trailheads);
        let trails = web::Data::new(services.trails);
        let saved = web::Data::new(services.plans.clone());
        let metrics = web::Data::new(metrics);
        let warm = web::Data::new(warm);
        let tokens = web::Data::new(tokens);
        let plan_limits = web::Data::new(plan_limits);
        let behind_proxy = web::Data::new(BehindProxy(settings.server.behind_proxy));
        let limits = web::Data::new(limits);
        let metrics_port = web::Data::new(MetricsPort(metrics_port));
        let server_settings = settings.server.clone();
        let web_settings = settings.web.clone();
        let origins = AllowedOrigins::new(&settings.server.cors_origins);
        let body_timeout = BodyTimeout(Duration::from_secs(settings.server.body_timeout_secs));
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let server = HttpServer::new(move || {
            // The last wrapped runs first: request ids and metrics around everything,
            // preflights answered before the rate limit (a browser's preflight is not a
            // request of its own), compression nearest the handlers.
            App::new()
                .app_data(planner_data.clone())
                .app_data(finder.clone())
                .app_data(trails.clone())
                .app_data(saved.clone())
                .app_data(metrics.clone())
                .app_data(warm.clone())
                .app_data(tokens.clone())
                .app_data(plan_limits.clone())
                .app_data(behind_proxy.clone())
                .app_data(limits.clone())
                .app_data(metrics_port.clone())
                .app_data(body_timeout)
                .wrap(from_fn(crate::middleware::leave_small_bodies))
                .wrap(Compress::default())
                .wrap(from_fn(crate::middleware::unmark_small_bodies))
                .wrap(from_fn(crate::rate_limit::limit))
                .wrap(origins.clone().middleware())
                .wrap(from_fn(crate::middleware::observe))
                .configure(|cfg| crate::routes::configure(cfg, &server_settings, &web_settings))
                .default_service(web::to(crate::error::not_found))
        })
        .workers(workers)
        // Each connection keeps a handle on its socket: a plan stops when its client
        // goes away (`disconnect`).
        .on_connect(crate::disconnect::on_connect)
        // Idle connections outlive the load balancer's (60 s on an ALB): the balancer
        // closes them, so it never sends a request on one the service is closing.
        .keep_alive(Duration::from_secs(settings.server.keep_alive_secs))
        .client_request_timeout(Duration::from_millis(
            settings.server.request_head_timeout_ms,
        ))
        .client_disconnect_timeout(Duration::from_secs(1))
        // Per worker in actix: the total spread over the workers.
        .max_connections(settings.server.max_connections.div_ceil(workers))
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        .listen(listener)?;
        let server = match metrics_listener {
            Some(l) => server.listen(l)?,
            None => server,
        }
        .run();
        tracing::info!(port, "listening");
        Ok(Application {
            port,
            server,
            planner,
            plans: services.plans,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The planner the app serves (tests look at its cache).
    pub fn planner(&self) -> Planner {
        self.planner.clone()
    }

    /// The saved plans the app serves.
    pub fn plans(&self) -> SavedPlans {
        self.plans.clone()
    }

    /// Serves until SIGTERM/SIGINT (or a stop through the server handle); in-flight
    /// requests get `shutdown_timeout_secs` to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// A handle to stop the server gracefully from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// How often expired plans are deleted and idle clients' rate state dropped.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(60);

/// Deletes expired plans and forgets idle clients, every minute, for as long as the
/// process runs (a failure is logged and tried again next time).
async fn housekeeping(plans: SavedPlans, limits: ClientLimits) {
    let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        limits.forget_idle();
        match plans.purge_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(plans = n, "expired plans deleted"),
            Err(e) => tracing::warn!(error = format!("{e:#}"), "deleting expired plans"),
        }
    }
}

/// Loads the network into memory, retrying while the database is away; then says ready.
async fn preload(planner: Planner, warm: Warm) {
    let mut wait = Duration::from_millis(500);
    loop {
        let started = Instant::now();
        match planner.preload().await {
            Ok(tiles) => {
                let (bytes, edges) = (planner.cache().bytes_held(), planner.cache().edges_held());
                tracing::info!(
                    tiles,
                    bytes,
                    edges,
                    bytes_per_edge = bytes / edges.max(1),
                    seconds = started.elapsed().as_secs_f64(),
                    "planning network loaded"
                );
                warm.set();
                return;
            }
            Err(e) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "loading the planning network; retrying"
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonsensical_planner_settings_are_refused_at_start_up() {
        let with = |k: &str, v: &str| {
            Settings::load_from(None, [(format!("TRAILLOOP__{k}"), v.to_string())]).unwrap()
        };
        assert!(check(&with("SERVER__PORT", "0")).is_ok());
        for (k, v) in [
            ("PLANNER__CIRCUITY_FACTOR", "0.5"),
            ("PLANNER__CIRCUITY_FACTOR", "NaN"),
            ("PLANNER__MAX_TRAILHEADS", "0"),
            ("SOLVER__TIME_BUDGET_MS", "0"),
            ("NETWORK__CACHE_MIB", "0"),
            ("PLANS__RETENTION_DAYS", "0"),
            ("PLANS__TOKEN_TTL_HOURS", "-1"),
            ("SERVER__BODY_TIMEOUT_SECS", "0"),
            ("SERVER__MAX_CONNECTIONS", "0"),
            ("SERVER__METRICS_PORT", "8080"),
        ] {
            assert!(check(&with(k, v)).is_err(), "{k}={v}");
        }
    }
}
