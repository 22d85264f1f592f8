//! The application as tests and `main` build it: settings in, a bound listener and a
//! running server out.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::cors::AllowedOrigins;
use crate::metrics::Metrics;
use crate::plan::Planner;
use crate::settings::Settings;
use crate::solver_pool::SolverPool;
use crate::store::{EmbeddedStore, PgStore, Store};

/// What every handler shares.
pub struct AppState {
    /// The use case: loops, trailheads, saved plans.
    pub planner: Arc<Planner>,
    /// The app's own registry.
    pub metrics: Metrics,
    /// Whether the planning network is loaded (set at once without preloading).
    pub warm: Arc<AtomicBool>,
}

/// Settings the config crate cannot check by type alone.
fn check(settings: &Settings) -> anyhow::Result<()> {
    let circuity = settings.planner.circuity_factor;
    anyhow::ensure!(
        circuity.is_finite() && (1.0..=5.0).contains(&circuity),
        "planner.circuity_factor must be in 1..=5 (roads are never shorter than a straight line), got {circuity}"
    );
    anyhow::ensure!(
        settings.planner.max_trailheads >= 1,
        "planner.max_trailheads must be at least 1"
    );
    anyhow::ensure!(
        settings.solver.time_budget_ms >= 10,
        "solver.time_budget_ms must be at least 10"
    );
    anyhow::ensure!(
        settings.planner.trailhead_candidates >= settings.planner.max_trailheads,
        "planner.trailhead_candidates must be at least planner.max_trailheads"
    );
    anyhow::ensure!(
        settings.network.cache_mib >= 1,
        "network.cache_mib must be at least 1"
    );
    Ok(())
}

/// A bound, not yet awaited, server.
pub struct Application {
    port: u16,
    server: Server,
    planner: Arc<Planner>,
}

impl Application {
    /// Builds the store the settings ask for (PostGIS when a database URL is set, else
    /// the embedded network, loaded off the async workers) and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let store = if settings.database.url.is_some() {
            Store::Postgres(PgStore::new(settings.database.pool()?))
        } else {
            let embedded = settings.embedded.clone();
            tracing::info!(pbf = %embedded.pbf.display(), "building the embedded network");
            let store = tokio::task::spawn_blocking(move || {
                EmbeddedStore::load(&embedded.pbf, &embedded.dem)
            })
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
        let pool = SolverPool::new(
            settings.solver.effective_threads(),
            settings.solver.effective_concurrent_plans(),
            settings.solver.effective_max_queue(),
            metrics.clone(),
        )?;
        let profile = Arc::new(settings.planner.load_profile()?);
        let planner = Arc::new(Planner::new(
            store,
            pool,
            settings.planner.clone(),
            Duration::from_millis(settings.solver.time_budget_ms),
            settings.network.cache_bytes(),
            profile,
            metrics.clone(),
        ));
        let warm = Arc::new(AtomicBool::new(!settings.network.preload));
        if settings.network.preload {
            tokio::spawn(preload(planner.clone(), warm.clone()));
        }
        let state = web::Data::new(AppState {
            planner: planner.clone(),
            metrics,
            warm,
        });
        let server_settings = settings.server.clone();
        let web_settings = settings.web.clone();
        let origins = AllowedOrigins::new(&settings.server.cors_origins);
        let server = HttpServer::new(move || {
            // The last wrapped runs first: request ids and metrics around everything,
            // preflights answered before routing, compression nearest the handlers.
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(crate::middleware::leave_small_bodies))
                .wrap(Compress::default())
                .wrap(from_fn(crate::middleware::unmark_small_bodies))
                .wrap(origins.clone().middleware())
                .wrap(from_fn(crate::middleware::observe))
                .configure(|cfg| crate::routes::configure(cfg, &server_settings, &web_settings))
                .default_service(web::to(crate::error::not_found))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        .listen(listener)?
        .run();
        tracing::info!(port, "listening");
        Ok(Application {
            port,
            server,
            planner,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The planner the app serves (tests look at its cache).
    pub fn planner(&self) -> Arc<Planner> {
        self.planner.clone()
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

/// Loads the network into memory, retrying while the database is away; then says ready.
async fn preload(planner: Arc<Planner>, warm: Arc<AtomicBool>) {
    let mut wait = Duration::from_millis(500);
    loop {
        let started = Instant::now();
        match planner.preload().await {
            Ok(tiles) => {
                tracing::info!(
                    tiles,
                    bytes = planner.cache().bytes_held(),
                    seconds = started.elapsed().as_secs_f64(),
                    "planning network loaded"
                );
                warm.store(true, Ordering::Release);
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
        ] {
            assert!(check(&with(k, v)).is_err(), "{k}={v}");
        }
    }
}
