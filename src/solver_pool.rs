//! The solver's own rayon pools and the admission control in front of them. Solves are
//! CPU-bound for up to their time budget: on the async workers they would stall every
//! other request, so they run here, and when too many are queued the next request is
//! told to come back (503) instead of waiting unboundedly.
//!
//! Two lanes, so that no client can starve the others: ordinary requests, and costly
//! ones (by the request's estimated cost, `plan::effort`). The costly lane has its own
//! threads at a lower CPU priority (Linux nice, `solver.costly_nice`): when both lanes
//! have work the ordinary plans take the cores, and the costly ones use what is left.
//! Each client may have `solver.costly_per_client` costly plans in flight (the next is
//! 429, saying what to reduce); each lane admits a bounded number at once (the next is
//! 503). A lane's plans wait in a FIFO queue for their turn, at most
//! `solver.max_queue_wait_ms`; the wait is not part of the planning budget, which is
//! counted from when the plan enters the pool (less what the request spent before:
//! the drive search and the tiles).
//!
//! Plans enter a lane's pool only a few at a time (`concurrent`): each plan is itself
//! parallel across trailheads, and a rayon thread that waits inside one plan would
//! otherwise pick up a whole queued plan and run it nested on its stack, so the first
//! plan's answer waits for the second's.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use prometheus::IntGauge;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use trailloop_solver::Limits;

use crate::client::ClientAddr;
use crate::metrics::Metrics;
use crate::settings::SolverSettings;

/// How long past its deadline a job may take before the request stops waiting for it.
/// Every phase of a plan checks the deadline between its steps (the search every few
/// thousand work units), so a job ends well within this; a job that does not is a bug
/// the request does not wait on.
pub const DEADLINE_GRACE: Duration = Duration::from_millis(300);

/// Which lane a request plans in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Day hikes and short trips: most requests.
    Ordinary,
    /// Requests whose estimated cost is at least `solver.costly_units`.
    Costly,
}

impl Lane {
    fn label(self) -> &'static str {
        match self {
            Lane::Ordinary => "ordinary",
            Lane::Costly => "costly",
        }
    }
}

/// Why a job did not answer.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// As many jobs as the lane holds are admitted already, or the job waited its
    /// longest for its turn; the detail says which and what to do.
    #[error("the planner is busy: {0}")]
    Overloaded(String),
    /// The client has as many costly plans in flight as it may; the detail says what
    /// to reduce to plan at once.
    #[error("{0}")]
    ClientBusy(String),
    /// The deadline passed before the job ran or answered.
    #[error("the deadline passed")]
    TimeBudget,
    /// The job panicked, or the pool is gone: a bug.
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl crate::codes::ErrorCode for PoolError {
    fn error_code(&self) -> crate::codes::Code {
        use crate::codes::Code;
        match self {
            PoolError::Overloaded(_) => Code::Overloaded,
            PoolError::ClientBusy(_) => Code::TooManyRequests,
            PoolError::TimeBudget => Code::TimeBudgetExceeded,
            PoolError::Internal(_) => Code::Internal,
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            PoolError::Overloaded(d) | PoolError::ClientBusy(d) => Some(d.clone()),
            _ => None,
        }
    }
}

/// One lane: its threads, its admission bound, its plans running at once, its budget.
struct LanePool {
    lane: Lane,
    pool: rayon::ThreadPool,
    /// Plans admitted, running or queued.
    admitted: Arc<Semaphore>,
    /// Plans inside the rayon pool.
    running: Arc<Semaphore>,
    budget: Duration,
}

/// How many costly plans each client has in flight.
#[derive(Default)]
struct ClientCounts(Mutex<HashMap<Option<ClientAddr>, usize>>);

impl ClientCounts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Option<ClientAddr>, usize>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Bounded queues in front of the two lanes' thread pools.
pub struct SolverPool {
    /// A request estimated to cost this many units or more plans in the costly lane.
    costly_units: f64,
    ordinary: LanePool,
    costly: LanePool,
    clients: Arc<ClientCounts>,
    per_client: usize,
    max_wait: Duration,
    metrics: Metrics,
}

/// An admitted plan: holds its lane's queue slot (and its client's costly share) and
/// counts in the in-flight gauge until the job ends (or the request gives up before
/// the job started). Taken before any work for the request starts, so a full queue
/// turns requests away before they cost anything.
pub struct Admission {
    lane: Lane,
    at: Instant,
    _permit: OwnedSemaphorePermit,
    _client: Option<ClientShare>,
    in_flight: IntGauge,
}

impl Admission {
    /// The lane the plan was admitted to.
    pub fn lane(&self) -> Lane {
        self.lane
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.in_flight.dec();
    }
}

/// One of a client's costly plans in flight.
struct ClientShare {
    counts: Arc<ClientCounts>,
    client: Option<ClientAddr>,
}

impl Drop for ClientShare {
    fn drop(&mut self) {
        let mut counts = self.counts.lock();
        if let Some(n) = counts.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

/// Raises the cancel flag when the request stops waiting (the client went away and the
/// handler future was dropped, or it gave up on time), so the solver stops too.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// How a job's time went.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Waiting for its turn in the lane.
    pub queued: Duration,
    /// From entering the pool to its answer.
    pub planning: Duration,
    /// The planning budget it had (the lane's, less what the request spent before).
    pub budget: Duration,
}

/// Lowers the calling thread's CPU priority by `nice` (a thread's own niceness on Linux;
/// raising it needs no privilege). A failure costs only the priority: logged.
fn lower_priority(nice: i32) {
    if nice == 0 {
        return;
    }
    let tid = rustix::thread::gettid();
    // Relative to what the thread inherited: a service started at nice 5 runs its
    // costly lane at 15, not at 10.
    let inherited = rustix::process::getpriority_process(Some(tid)).unwrap_or(0);
    if let Err(e) = rustix::process::setpriority_process(Some(tid), (inherited + nice).min(19)) {
        tracing::warn!(error = %e, nice, "could not lower a costly solver thread's priority");
    }
}

impl SolverPool {
    /// The two lanes as `settings` ask.
    pub fn new(settings: &SolverSettings, metrics: Metrics) -> anyhow::Result<SolverPool> {
        let threads = settings.effective_threads().max(1);
        let lane = |lane: Lane, queue: usize, concurrent: usize, budget_ms: u64, nice: i32| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(move |i| format!("solver-{}-{i}", lane.label()))
                .start_handler(move |_| lower_priority(nice))
                .build()
                .with_context(|| format!("starting the {} solver pool", lane.label()))?;
            Ok::<_, anyhow::Error>(LanePool {
                lane,
                pool,
                admitted: Arc::new(Semaphore::new(queue.max(1))),
                running: Arc::new(Semaphore::new(concurrent.max(1))),
                budget: Duration::from_millis(budget_ms),
            })
        };
        let ordinary = lane(
            Lane::Ordinary,
            settings.effective_max_queue(),
            settings.effective_concurrent_plans(),
            settings.time_budget_ms,
            0,
        )?;
        let costly = lane(
            Lane::Costly,
            settings.effective_costly_max_queue(),
            1,
            settings.costly_time_budget_ms,
            settings.costly_nice,
        )?;
        metrics
            .solver_capacity
            .set((settings.effective_max_queue() + settings.effective_costly_max_queue()) as i64);
        Ok(SolverPool {
            costly_units: settings.costly_units,
            ordinary,
            costly,
            clients: Arc::default(),
            per_client: settings.costly_per_client.max(1),
            max_wait: Duration::from_millis(settings.max_queue_wait_ms),
            metrics,
        })
    }

    fn lane(&self, lane: Lane) -> &LanePool {
        match lane {
            Lane::Ordinary => &self.ordinary,
            Lane::Costly => &self.costly,
        }
    }

    /// The lane of a request estimated to cost `units`.
    pub fn lane_for(&self, units: f64) -> Lane {
        if units >= self.costly_units {
            Lane::Costly
        } else {
            Lane::Ordinary
        }
    }

    /// The units from which a request is costly.
    pub fn costly_units(&self) -> f64 {
        self.costly_units
    }

    /// The planning budget of `lane`.
    pub fn budget(&self, lane: Lane) -> Duration {
        self.lane(lane).budget
    }

    /// A queue slot in `lane` for `client`'s request, or at once: `ClientBusy` when
    /// the client has its share of costly plans in flight, `Overloaded` when the lane
    /// is full. `reduce` says what would make a costly request ordinary.
    pub fn admit(
        &self,
        lane: Lane,
        client: Option<ClientAddr>,
        reduce: &str,
    ) -> Result<Admission, PoolError> {
        let share = match lane {
            Lane::Ordinary => None,
            Lane::Costly => {
                let mut counts = self.clients.lock();
                let n = counts.entry(client).or_default();
                if *n >= self.per_client {
                    drop(counts);
                    self.metrics.solver_client_refusals.inc();
                    return Err(PoolError::ClientBusy(format!(
                        "{} costly plan(s) of this client are being planned already, as many \
                         as one client may have at once; wait for the answer, or {reduce}",
                        self.per_client
                    )));
                }
                *n += 1;
                Some(ClientShare {
                    counts: self.clients.clone(),
                    client,
                })
            }
        };
        let Ok(permit) = self.lane(lane).admitted.clone().try_acquire_owned() else {
            self.metrics.solver_rejections.inc();
            return Err(PoolError::Overloaded(match lane {
                Lane::Ordinary => "too many plans are in flight; retry shortly".into(),
                Lane::Costly => {
                    format!("too many costly plans are in flight; retry shortly, or {reduce}")
                }
            }));
        };
        self.metrics.solver_in_flight.inc();
        Ok(Admission {
            lane,
            at: Instant::now(),
            _permit: permit,
            _client: share,
            in_flight: self.metrics.solver_in_flight.clone(),
        })
    }

    /// Runs `job` in the admission's lane with a deadline and a cancel flag in its
    /// [`Limits`], in the caller's tracing span, holding `admission` until it ends.
    /// The deadline is the lane's budget from when the job enters the pool, less what
    /// the request spent since its admission (its wait for a turn does not count).
    pub async fn run<T, F>(&self, admission: Admission, job: F) -> Result<(T, Timing), PoolError>
    where
        T: Send + 'static,
        F: FnOnce(&Limits) -> T + Send + 'static,
    {
        let lane = self.lane(admission.lane);
        let before = admission.at.elapsed();
        let waiting = Instant::now();
        // The semaphore is fair: plans enter the pool in arrival order.
        let wait_until = waiting + self.max_wait;
        let running =
            match tokio::time::timeout_at(wait_until.into(), lane.running.clone().acquire_owned())
                .await
            {
                Ok(Ok(p)) => p,
                Ok(Err(_)) => {
                    return Err(PoolError::Internal(anyhow::anyhow!(
                        "the solver pool is closed"
                    )))
                }
                Err(_) => {
                    return Err(PoolError::Overloaded(format!(
                        "the request waited {} ms for its turn; retry shortly",
                        self.max_wait.as_millis()
                    )))
                }
            };
        let entered = Instant::now();
        let queued = entered - waiting;
        self.metrics
            .solver_queue_seconds
            .with_label_values(&[lane.lane.label()])
            .observe(queued.as_secs_f64());
        let budget = lane.budget.saturating_sub(before);
        let deadline = entered + budget;
        let cancel = Arc::new(AtomicBool::new(false));
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let limits = Limits {
            deadline: Some(deadline),
            cancel: Some(cancel),
        };
        let (tx, rx) = oneshot::channel();
        let span = tracing::Span::current();
        lane.pool.spawn(move || {
            // Held until the job ends, not until the request gives up: a cancelled job
            // still occupies a thread until it notices.
            let permits = (admission, running);
            let entered = span.enter();
            // A panic would abort the process from a rayon thread: turn it into a 500.
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| job(&limits)));
            drop(entered);
            // Free the slot before answering, so that whoever reads the answer sees it free.
            drop(permits);
            let _ = tx.send(result);
        });
        let value = match tokio::time::timeout_at((deadline + DEADLINE_GRACE).into(), rx).await {
            Ok(Ok(Ok(value))) => value,
            Ok(Ok(Err(panic))) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                return Err(PoolError::Internal(anyhow::anyhow!(
                    "solver panicked: {msg}"
                )));
            }
            Ok(Err(_)) => {
                return Err(PoolError::Internal(anyhow::anyhow!(
                    "solver job ended without an answer"
                )))
            }
            Err(_) => {
                tracing::warn!(
                    budget_ms = budget.as_millis() as u64,
                    "a plan ran past its budget and the grace after it; the request stops waiting"
                );
                return Err(PoolError::TimeBudget);
            }
        };
        Ok((
            value,
            Timing {
                queued,
                planning: entered.elapsed(),
                budget,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(threads: usize, queue: usize, budget_ms: u64) -> SolverSettings {
        SolverSettings {
            threads,
            concurrent_plans: 1,
            max_queue: queue,
            time_budget_ms: budget_ms,
            costly_units: 8.0,
            costly_time_budget_ms: budget_ms,
            costly_per_client: 1,
            costly_max_queue: queue,
            max_queue_wait_ms: 10_000,
            costly_nice: 10,
        }
    }

    fn pool(threads: usize, queue: usize) -> SolverPool {
        SolverPool::new(&settings(threads, queue, 10_000), Metrics::new().unwrap()).unwrap()
    }

    fn admit(p: &SolverPool) -> Admission {
        p.admit(Lane::Ordinary, None, "").unwrap()
    }

    fn client(n: u8) -> Option<ClientAddr> {
        Some(ClientAddr(std::net::IpAddr::from([10, 0, 0, n])))
    }

    #[tokio::test]
    async fn plans_enter_the_pool_one_at_a_time_in_arrival_order() {
        let p = Arc::new(pool(2, 8));
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..4 {
            let (p, running, order) = (p.clone(), running.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                p.run(admit(&p), move |_| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    order.lock().unwrap().push(i);
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                    now
                })
                .await
            }));
            // Let each request reach the queue before the next one.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().0, 1, "never two plans at once");
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3]);
        assert_eq!(p.metrics.solver_in_flight.get(), 0);
    }

    #[tokio::test]
    async fn the_wait_for_a_turn_is_not_part_of_the_budget_and_is_bounded() {
        let mut s = settings(1, 4, 1000);
        s.max_queue_wait_ms = 400;
        let p = Arc::new(SolverPool::new(&s, Metrics::new().unwrap()).unwrap());
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let busy = {
            let p = p.clone();
            tokio::spawn(async move { p.run(admit(&p), move |_| release_rx.recv().ok()).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Waits 300 ms, then plans with the whole 1 s budget (less a loaded machine's
        // delay in starting it).
        let waiting = {
            let p = p.clone();
            tokio::spawn(async move {
                p.run(admit(&p), |limits: &Limits| {
                    limits.deadline.unwrap() - Instant::now()
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        release_tx.send(()).unwrap();
        let _ = busy.await.unwrap();
        let (left, timing) = waiting.await.unwrap().unwrap();
        assert!(timing.queued >= Duration::from_millis(250), "{timing:?}");
        assert!(left > Duration::from_millis(800), "budget left {left:?}");
        // A wait longer than the longest allowed is 503, saying so.
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let busy = {
            let p = p.clone();
            tokio::spawn(async move { p.run(admit(&p), move |_| release_rx.recv().ok()).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let r = p.run(admit(&p), |_| ()).await;
        assert!(
            matches!(&r, Err(PoolError::Overloaded(d)) if d.contains("waited 400 ms")),
            "{r:?}"
        );
        release_tx.send(()).unwrap();
        assert!(busy.await.unwrap().is_ok());
        assert_eq!(p.metrics.solver_in_flight.get(), 0);
    }

    #[tokio::test]
    async fn jobs_run_on_their_lanes_threads_and_answer() {
        let p = pool(1, 2);
        for (lane, name) in [
            (Lane::Ordinary, "solver-ordinary-0"),
            (Lane::Costly, "solver-costly-0"),
        ] {
            let (thread, _) = p
                .run(p.admit(lane, None, "").unwrap(), |_| {
                    std::thread::current().name().map(String::from)
                })
                .await
                .unwrap();
            assert_eq!(thread.as_deref(), Some(name));
        }
    }

    #[tokio::test]
    async fn the_costly_lane_runs_at_a_lower_priority() {
        let p = pool(1, 2);
        let nice = |lane| {
            let p = &p;
            async move {
                p.run(p.admit(lane, None, "").unwrap(), |_| {
                    rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
                })
                .await
                .unwrap()
                .0
            }
        };
        let (ordinary, costly) = (nice(Lane::Ordinary).await, nice(Lane::Costly).await);
        assert_eq!(
            costly,
            ordinary + 10,
            "ordinary {ordinary}, costly {costly}"
        );
    }

    #[tokio::test]
    async fn a_client_has_one_costly_plan_at_a_time_and_others_are_not_held_up() {
        let p = pool(1, 8);
        let first = p.admit(Lane::Costly, client(1), "ask for less").unwrap();
        let again = p.admit(Lane::Costly, client(1), "ask for less");
        assert!(
            matches!(&again, Err(PoolError::ClientBusy(d)) if d.contains("ask for less")),
            "{:?}",
            again.err()
        );
        assert_eq!(p.metrics.solver_client_refusals.get(), 1);
        // Another client's costly plan, and the same client's ordinary ones, are admitted.
        let other = p.admit(Lane::Costly, client(2), "").unwrap();
        let ordinary = p.admit(Lane::Ordinary, client(1), "").unwrap();
        drop((other, ordinary));
        // Its share comes back when the plan ends.
        drop(first);
        assert!(p.admit(Lane::Costly, client(1), "").is_ok());
        assert!(
            p.clients.lock().is_empty(),
            "no client held after its plans end"
        );
    }

    #[tokio::test]
    async fn a_full_queue_answers_overloaded_and_counts_it() {
        let p = Arc::new(pool(1, 1));
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let busy = {
            let p = p.clone();
            tokio::spawn(async move { p.run(admit(&p), move |_| release_rx.recv().ok()).await })
        };
        while p.metrics.solver_in_flight.get() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(matches!(
            p.admit(Lane::Ordinary, None, ""),
            Err(PoolError::Overloaded(_))
        ));
        assert_eq!(p.metrics.solver_rejections.get(), 1);
        // The costly lane has a queue of its own.
        assert!(p.admit(Lane::Costly, None, "").is_ok());
        release_tx.send(()).unwrap();
        assert!(busy.await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_internal_error_and_the_pool_survives() {
        let p = pool(1, 2);
        let r = p.run(admit(&p), |_| -> () { panic!("boom") }).await;
        assert!(matches!(r, Err(PoolError::Internal(e)) if e.to_string().contains("boom")));
        assert_eq!(p.run(admit(&p), |_| 7).await.unwrap().0, 7);
    }

    #[tokio::test]
    async fn a_job_that_overruns_its_budget_is_not_waited_for() {
        let p = SolverPool::new(&settings(1, 2, 50), Metrics::new().unwrap()).unwrap();
        let started = Instant::now();
        let r = p
            .run(admit(&p), |_| std::thread::sleep(Duration::from_secs(2)))
            .await;
        assert!(matches!(r, Err(PoolError::TimeBudget)), "{r:?}");
        let waited = started.elapsed();
        // Not the job's 2 s (with room for a loaded machine's timer delays).
        assert!(waited < Duration::from_millis(50) + DEADLINE_GRACE + Duration::from_millis(1000));
    }

    #[tokio::test]
    async fn a_request_that_stops_waiting_cancels_its_job() {
        let p = pool(1, 2);
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let fut = p.run(admit(&p), move |limits: &Limits| {
            while !limits.cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            seen_tx.send(()).unwrap();
        });
        // Dropping the future is what happens when the client disconnects.
        let _ = tokio::time::timeout(Duration::from_millis(50), fut).await;
        seen_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }
}
