//! The clock every rule reads, so tests can stand on any day without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDate;

#[derive(Clone, Default)]
pub struct Clock {
    /// When set, the fixed instant (epoch ms) instead of the system time.
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    pub fn fixed(ms: i64) -> Clock {
        Clock {
            fixed: Some(Arc::new(AtomicI64::new(ms))),
        }
    }

    /// Moves a fixed clock; a system clock ignores it.
    pub fn set(&self, ms: i64) {
        if let Some(f) = &self.fixed {
            f.store(ms, Ordering::SeqCst);
        }
    }

    pub fn now_ms(&self) -> i64 {
        match &self.fixed {
            Some(f) => f.load(Ordering::SeqCst),
            None => shishi_core::time::now_ms(),
        }
    }

    /// Today in Beijing.
    pub fn today(&self) -> NaiveDate {
        shishi_core::time::beijing_date(self.now_ms())
    }
}
