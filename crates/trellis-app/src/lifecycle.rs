//! What the process is doing: serving, or draining before it stops. A
//! leaf: the server sets it, readiness reads it.

use std::sync::atomic::{AtomicBool, Ordering};

/// What the process is doing: serving, or draining before it stops.
#[derive(Debug, Default)]
pub struct Lifecycle {
    draining: AtomicBool,
}

impl Lifecycle {
    /// From now on readiness says no, so that load balancers send new
    /// requests elsewhere; requests still arrive and are served.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }
}
