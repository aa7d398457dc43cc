//! Running the provider's async requests from the synchronous enrich stage.

use std::future::Future;

use tokio::runtime::{Builder, Handle, RuntimeFlavor};

/// Whether the caller is on a multi-thread Tokio runtime, where
/// [`block_on`] reuses it (and its HTTP connections).
pub(super) fn on_multi_thread_runtime() -> bool {
    Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread)
}

/// Runs `fut` to completion from synchronous code; `None` if it could not
/// run (no runtime could be built, or it panicked).
///
/// - multi-thread runtime: `block_in_place` (the worker's other tasks move
///   to other workers) + `Handle::block_on`;
/// - current-thread runtime: blocking it would starve the tasks `fut` waits
///   for, so a scoped thread runs `fut` on a private runtime;
/// - no runtime: a private current-thread runtime on this thread.
pub(super) fn block_on<F>(fut: F) -> Option<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            Some(tokio::task::block_in_place(|| h.block_on(fut)))
        }
        Ok(_) => std::thread::scope(|s| s.spawn(|| private(fut)).join().ok().flatten()),
        Err(_) => private(fut),
    }
}

fn private<F: Future>(fut: F) -> Option<F::Output> {
    match Builder::new_current_thread().enable_all().build() {
        Ok(rt) => Some(rt.block_on(fut)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot start a runtime for the sentiment provider");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_without_a_runtime() {
        assert_eq!(block_on(async { 1 + 1 }), Some(2));
        assert!(!on_multi_thread_runtime());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn runs_inside_a_current_thread_runtime() {
        let v = block_on(async {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            7
        });
        assert_eq!(v, Some(7));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_inside_a_multi_thread_runtime() {
        assert!(on_multi_thread_runtime());
        let v = block_on(async { tokio::spawn(async { 3 }).await.unwrap() });
        assert_eq!(v, Some(3));
    }
}
