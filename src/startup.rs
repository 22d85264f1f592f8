//! The application as tests and `main` build it: settings in, a bound listener and a
//! running server out.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::metrics::Metrics;
use crate::settings::{PlannerSettings, Settings};
use crate::solve_pool::SolvePool;
use crate::store::{EmbeddedStore, PgStore, Store};

/// What every handler shares.
pub struct AppState {
    /// Where trailheads, networks and plans come from.
    pub store: Store,
    /// Where solves run.
    pub solver: SolvePool,
    /// The app's own registry.
    pub metrics: Metrics,
    /// Circuity factor and trailhead count.
    pub planner: PlannerSettings,
    /// Per-request planning budget.
    pub time_budget_ms: u64,
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
    Ok(())
}

/// A bound, not yet awaited, server.
pub struct Application {
    port: u16,
    server: Server,
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
        let solver = SolvePool::new(
            settings.solver.effective_threads(),
            settings.solver.effective_concurrent_plans(),
            settings.solver.effective_max_queue(),
            metrics.clone(),
        )?;
        let state = web::Data::new(AppState {
            store,
            solver,
            metrics,
            planner: settings.planner.clone(),
            time_budget_ms: settings.solver.time_budget_ms,
        });
        let server_settings = settings.server.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(crate::middleware::observe))
                .configure(|cfg| crate::routes::configure(cfg, &server_settings))
                .default_service(web::to(crate::error::not_found))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        .listen(listener)?
        .run();
        tracing::info!(port, "listening");
        Ok(Application { port, server })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
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
        ] {
            assert!(check(&with(k, v)).is_err(), "{k}={v}");
        }
    }
}
