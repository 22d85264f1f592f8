//! The solver's own rayon pool and the admission control in front of it. Solves are
//! CPU-bound for up to the time budget: on the async workers they would stall every
//! other request, so they run here, and when too many are queued the next request is
//! told to come back (503) instead of waiting unboundedly.
//!
//! Plans wait in a FIFO queue on the async side and enter the pool only a few at a time
//! (`concurrent`): each plan is itself parallel across trailheads, and a rayon thread
//! that waits inside one plan would otherwise pick up a whole queued plan and run it
//! nested on its stack, so the first plan's answer waits for the second's.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use prometheus::IntGauge;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use trailloop_solver::Limits;

use crate::metrics::Metrics;

/// How long past its deadline a solve may take before the request stops waiting; the
/// solver checks its deadline every few thousand work units, this covers the rest.
const DEADLINE_GRACE: Duration = Duration::from_millis(1500);

/// Why a job did not answer.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// As many jobs as the queue holds are admitted already.
    #[error("too many plans in flight")]
    Overloaded,
    /// The deadline passed before the job ran or answered.
    #[error("the deadline passed")]
    TimeBudget,
    /// The job panicked, or the pool is gone: a bug.
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl crate::error::ErrorCode for PoolError {
    fn error_code(&self) -> crate::error::Code {
        use crate::error::Code;
        match self {
            PoolError::Overloaded => Code::Overloaded,
            PoolError::TimeBudget => Code::TimeBudgetExceeded,
            PoolError::Internal(_) => Code::Internal,
        }
    }
}

/// A bounded queue in front of a dedicated thread pool.
pub struct SolverPool {
    pool: rayon::ThreadPool,
    /// Plans admitted, running or queued.
    admitted: Arc<Semaphore>,
    /// Plans inside the rayon pool.
    running: Arc<Semaphore>,
    metrics: Metrics,
}

/// An admitted plan: holds its queue slot and counts in the in-flight gauge until the
/// job ends (or the request gives up before the job started). Taken before any work
/// for the request starts, so a full queue turns requests away before they cost
/// anything.
pub struct Admission {
    _permit: OwnedSemaphorePermit,
    in_flight: IntGauge,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.in_flight.dec();
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

impl SolverPool {
    /// `threads` solver threads admitting `max_queue` plans, of which `concurrent` run
    /// at once.
    pub fn new(
        threads: usize,
        concurrent: usize,
        max_queue: usize,
        metrics: Metrics,
    ) -> anyhow::Result<SolverPool> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("solver-{i}"))
            .build()
            .context("starting the solver pool")?;
        metrics.solver_capacity.set(max_queue as i64);
        Ok(SolverPool {
            pool,
            admitted: Arc::new(Semaphore::new(max_queue.max(1))),
            running: Arc::new(Semaphore::new(concurrent.max(1))),
            metrics,
        })
    }

    /// A queue slot, or `Overloaded` at once when the queue is full.
    pub fn admit(&self) -> Result<Admission, PoolError> {
        let Ok(permit) = self.admitted.clone().try_acquire_owned() else {
            self.metrics.solver_rejections.inc();
            return Err(PoolError::Overloaded);
        };
        self.metrics.solver_in_flight.inc();
        Ok(Admission {
            _permit: permit,
            in_flight: self.metrics.solver_in_flight.clone(),
        })
    }

    /// Runs `job` on the pool with `deadline` and a cancel flag in its [`Limits`], in the
    /// caller's tracing span, holding `admission` until it ends.
    pub async fn run<T, F>(
        &self,
        admission: Admission,
        deadline: Instant,
        job: F,
    ) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce(&Limits) -> T + Send + 'static,
    {
        // The semaphore is fair: plans enter the pool in arrival order.
        let running =
            match tokio::time::timeout_at(deadline.into(), self.running.clone().acquire_owned())
                .await
            {
                Ok(Ok(p)) => p,
                Ok(Err(_)) => {
                    return Err(PoolError::Internal(anyhow::anyhow!(
                        "the solver pool is closed"
                    )))
                }
                Err(_) => return Err(PoolError::TimeBudget),
            };
        let cancel = Arc::new(AtomicBool::new(false));
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let limits = Limits {
            deadline: Some(deadline),
            cancel: Some(cancel),
        };
        let (tx, rx) = oneshot::channel();
        let span = tracing::Span::current();
        self.pool.spawn(move || {
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
        match tokio::time::timeout_at((deadline + DEADLINE_GRACE).into(), rx).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(panic))) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(PoolError::Internal(anyhow::anyhow!(
                    "solver panicked: {msg}"
                )))
            }
            Ok(Err(_)) => Err(PoolError::Internal(anyhow::anyhow!(
                "solver job ended without an answer"
            ))),
            Err(_) => Err(PoolError::TimeBudget),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize, queue: usize) -> SolverPool {
        SolverPool::new(threads, 1, queue, Metrics::new().unwrap()).unwrap()
    }

    #[tokio::test]
    async fn plans_enter_the_pool_one_at_a_time_in_arrival_order() {
        let p = Arc::new(pool(2, 8));
        let deadline = Instant::now() + Duration::from_secs(10);
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..4 {
            let (p, running, order) = (p.clone(), running.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                p.run(p.admit().unwrap(), deadline, move |_| {
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
            assert_eq!(t.await.unwrap().unwrap(), 1, "never two plans at once");
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3]);
        assert_eq!(p.metrics.solver_in_flight.get(), 0);
    }

    #[tokio::test]
    async fn a_plan_still_queued_at_its_deadline_is_a_time_budget_error() {
        let p = Arc::new(pool(1, 4));
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let long = Instant::now() + Duration::from_secs(10);
        let busy = {
            let p = p.clone();
            tokio::spawn(async move {
                p.run(p.admit().unwrap(), long, move |_| release_rx.recv().ok())
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let soon = Instant::now() + Duration::from_millis(50);
        assert!(matches!(
            p.run(p.admit().unwrap(), soon, |_| ()).await,
            Err(PoolError::TimeBudget)
        ));
        release_tx.send(()).unwrap();
        assert!(busy.await.unwrap().is_ok());
        assert_eq!(p.metrics.solver_in_flight.get(), 0);
    }

    #[tokio::test]
    async fn jobs_run_on_solver_threads_and_answer() {
        let p = pool(1, 2);
        let deadline = Instant::now() + Duration::from_secs(5);
        let name = p
            .run(p.admit().unwrap(), deadline, |_| {
                std::thread::current().name().map(String::from)
            })
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("solver-0"));
    }

    #[tokio::test]
    async fn a_full_queue_answers_overloaded_and_counts_it() {
        let p = Arc::new(pool(1, 1));
        let deadline = Instant::now() + Duration::from_secs(5);
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let busy = {
            let p = p.clone();
            tokio::spawn(async move {
                p.run(p.admit().unwrap(), deadline, move |_| {
                    release_rx.recv().ok()
                })
                .await
            })
        };
        while p.metrics.solver_in_flight.get() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(matches!(p.admit(), Err(PoolError::Overloaded)));
        assert_eq!(p.metrics.solver_rejections.get(), 1);
        release_tx.send(()).unwrap();
        assert!(busy.await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_internal_error_and_the_pool_survives() {
        let p = pool(1, 2);
        let deadline = Instant::now() + Duration::from_secs(5);
        let r = p
            .run(p.admit().unwrap(), deadline, |_| -> () { panic!("boom") })
            .await;
        assert!(matches!(r, Err(PoolError::Internal(e)) if e.to_string().contains("boom")));
        assert_eq!(p.run(p.admit().unwrap(), deadline, |_| 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_request_that_stops_waiting_cancels_its_job() {
        let p = pool(1, 2);
        let deadline = Instant::now() + Duration::from_secs(60);
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let fut = p.run(p.admit().unwrap(), deadline, move |limits: &Limits| {
            let cancel = limits.cancel.clone().unwrap();
            while !cancel.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
            }
            seen_tx.send(()).unwrap();
        });
        // Dropping the future is what actix does when the client disconnects.
        let _ = tokio::time::timeout(Duration::from_millis(50), fut).await;
        seen_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }
}
