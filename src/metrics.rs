//! Prometheus metrics, in a registry each app owns (parallel test apps must not share
//! counters). Requests are labelled by route pattern, never by raw path, so that ids in
//! paths cannot blow up the series count.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

/// Every metric the service exports.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Requests by method, route pattern and status.
    pub http_requests: IntCounterVec,
    /// Request latency by method and route pattern.
    pub http_duration: HistogramVec,
    /// Wall time of one plan (all trailheads of a request).
    pub solver_seconds: Histogram,
    /// Solver work units, summed over requests.
    pub solver_work: IntCounter,
    /// Trailheads solved per request.
    pub solver_trailheads: Histogram,
    /// Plans cut short by the time budget.
    pub solver_deadline_hits: IntCounter,
    /// Plans admitted to the solver pool (running or queued).
    pub solver_in_flight: IntGauge,
    /// The admission limit.
    pub solver_capacity: IntGauge,
    /// Requests turned away with 503 because the pool was full.
    pub solver_rejections: IntCounter,
    /// Time a plan waited for its turn in the solver pool, by lane (`ordinary`,
    /// `costly`): not part of its planning budget.
    pub solver_queue_seconds: HistogramVec,
    /// Costly requests answered 429 because their client had as many in flight as it may.
    pub solver_client_refusals: IntCounter,
    /// Plans stopped because their client closed the connection.
    pub plans_cancelled: IntCounter,
    /// 1 while the database cannot be reached and plans are made from the network held
    /// in memory, else 0.
    pub store_degraded: IntGauge,
    /// Connections the database pool holds.
    pub db_pool_size: IntGauge,
    /// Idle connections in the pool.
    pub db_pool_available: IntGauge,
    /// Requests waiting for a connection.
    pub db_pool_waiting: IntGauge,
    /// Tile requests answered from memory.
    pub network_cache_hits: IntCounter,
    /// Tile requests that had to load the tile.
    pub network_cache_misses: IntCounter,
    /// Tiles dropped, by reason: `lru` (over the byte bound) or `import` (a newer
    /// import of the region).
    pub network_cache_evictions: IntCounterVec,
    /// Bytes of tiles held.
    pub network_cache_bytes: IntGauge,
    /// The byte bound.
    pub network_cache_capacity_bytes: IntGauge,
    /// Tiles held.
    pub network_cache_tiles: IntGauge,
    /// Edges of the tiles held (bytes / edges: what an edge costs in memory).
    pub network_cache_edges: IntGauge,
    /// Time to load one tile (read and build), by region.
    pub network_tile_load_seconds: HistogramVec,
    /// Time of the trailhead query.
    pub trailhead_query_seconds: Histogram,
}

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> prometheus::Result<Metrics> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| -> prometheus::Result<IntCounter> {
            let c = IntCounter::new(name, help)?;
            registry.register(Box::new(c.clone()))?;
            Ok(c)
        };
        let gauge = |name: &str, help: &str| -> prometheus::Result<IntGauge> {
            let g = IntGauge::new(name, help)?;
            registry.register(Box::new(g.clone()))?;
            Ok(g)
        };
        let histogram = |name: &str, help: &str, buckets: Vec<f64>| {
            let h = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))?;
            registry.register(Box::new(h.clone()))?;
            Ok::<_, prometheus::Error>(h)
        };
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern and status",
            ),
            &["method", "route", "status"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route pattern",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )?;
        registry.register(Box::new(http_duration.clone()))?;
        let network_cache_evictions = IntCounterVec::new(
            Opts::new(
                "network_cache_evictions_total",
                "Tiles dropped from memory, by reason (lru, import)",
            ),
            &["reason"],
        )?;
        registry.register(Box::new(network_cache_evictions.clone()))?;
        let network_tile_load_seconds = HistogramVec::new(
            HistogramOpts::new(
                "network_tile_load_seconds",
                "Time to read and build one tile of the planning network, by region",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["region"],
        )?;
        registry.register(Box::new(network_tile_load_seconds.clone()))?;
        let solver_queue_seconds = HistogramVec::new(
            HistogramOpts::new(
                "solver_queue_seconds",
                "Time a plan waited for its turn in the solver pool, by lane",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["lane"],
        )?;
        registry.register(Box::new(solver_queue_seconds.clone()))?;
        Ok(Metrics {
            http_requests,
            http_duration,
            solver_seconds: histogram(
                "solver_seconds",
                "Wall time of planning one request",
                LATENCY_BUCKETS.to_vec(),
            )?,
            solver_work: counter("solver_work_total", "Solver work units spent")?,
            solver_trailheads: histogram(
                "solver_trailheads",
                "Trailheads solved per request",
                vec![0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
            )?,
            solver_deadline_hits: counter(
                "solver_deadline_hits_total",
                "Plans cut short by the per-request time budget",
            )?,
            solver_in_flight: gauge(
                "solver_pool_in_flight",
                "Plans admitted to the solver pool, running or queued",
            )?,
            solver_capacity: gauge(
                "solver_pool_capacity",
                "Plans the solver pool admits at once",
            )?,
            solver_rejections: counter(
                "solver_pool_rejections_total",
                "Requests answered 503 because the solver pool was full",
            )?,
            solver_queue_seconds,
            solver_client_refusals: counter(
                "solver_client_refusals_total",
                "Costly requests refused (429) while their client had its share in flight",
            )?,
            plans_cancelled: counter(
                "plans_cancelled_total",
                "Plans stopped because the client closed its connection",
            )?,
            store_degraded: gauge(
                "store_degraded",
                "1 while the database is unreachable and plans come from memory",
            )?,
            db_pool_size: gauge("db_pool_connections", "Connections held by the pool")?,
            db_pool_available: gauge("db_pool_available", "Idle connections in the pool")?,
            db_pool_waiting: gauge("db_pool_waiting", "Requests waiting for a connection")?,
            network_cache_hits: counter(
                "network_cache_hits_total",
                "Tile requests answered from memory",
            )?,
            network_cache_misses: counter(
                "network_cache_misses_total",
                "Tile requests that loaded the tile",
            )?,
            network_cache_evictions,
            network_cache_bytes: gauge("network_cache_bytes", "Bytes of tiles held")?,
            network_cache_capacity_bytes: gauge(
                "network_cache_capacity_bytes",
                "Most bytes of tiles held",
            )?,
            network_cache_tiles: gauge("network_cache_tiles", "Tiles held")?,
            network_cache_edges: gauge("network_cache_edges", "Edges of the tiles held")?,
            network_tile_load_seconds,
            trailhead_query_seconds: histogram(
                "trailhead_query_seconds",
                "Time of the trailhead query",
                LATENCY_BUCKETS.to_vec(),
            )?,
            registry,
        })
    }

    /// The text exposition, with the database pool's gauges as `pool` says now (none
    /// without a database).
    pub fn render(
        &self,
        pool: Option<deadpool_postgres::Status>,
    ) -> Result<String, prometheus::Error> {
        if let Some(status) = pool {
            self.db_pool_size.set(status.size as i64);
            self.db_pool_available.set(status.available as i64);
            self.db_pool_waiting.set(status.waiting as i64);
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// The port `/metrics` is served on alone, when not the API's (`server.metrics_port`):
/// the app's own data, read by the rate limit (that port serves nothing else) and by the
/// metrics route (not served on the API's port then).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetricsPort(pub Option<u16>);

impl MetricsPort {
    /// Whether a request that arrived on `port` came in on the metrics' own port.
    pub fn is(self, port: u16) -> bool {
        self.0 == Some(port)
    }

    /// Whether the metrics have a port of their own.
    pub fn is_set(self) -> bool {
        self.0.is_some()
    }
}
