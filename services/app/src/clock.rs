//! Time comes from outside the domain; tests and the demo can set it.

use std::sync::atomic::{AtomicI64, Ordering};

use roundtable_ledger::Timestamp;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp::from_unix_millis(ms)
    }
}

/// A clock that moves only when told to (tests).
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock(AtomicI64::new(at.unix_millis()))
    }

    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.0.load(Ordering::SeqCst))
    }
}

/// The system clock moved forward by a settable offset: `serve --test-clock` uses
/// it so black-box tests can let deadlines pass.
#[derive(Default)]
pub struct ShiftedClock(AtomicI64);

impl ShiftedClock {
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets how far ahead of (or, negative, behind) the system clock this one runs.
    pub fn set_offset(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }

    /// Sets the clock to read `at` now.
    pub fn set_to(&self, at: Timestamp) {
        let real = SystemClock.now().unix_millis();
        self.set_offset(at.unix_millis().saturating_sub(real));
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        let real = SystemClock.now().unix_millis();
        Timestamp::from_unix_millis(real.saturating_add(self.0.load(Ordering::SeqCst)))
    }
}
