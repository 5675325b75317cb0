//! What the store reports at `/metrics`.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

pub struct StoreMetrics {
    /// Events made durable.
    pub events: Counter,
    /// Transactions committed (one per group-commit batch).
    pub batches: Counter,
    /// Events per committed batch.
    pub batch_events: Histogram,
    /// From an append's arrival at the writer to its acknowledgement.
    pub append_seconds: Histogram,
    /// Time spent writing and fsyncing one batch.
    pub commit_seconds: Histogram,
    pub tree_size: Gauge,
    pub checkpoints: Counter,
}

impl Default for StoreMetrics {
    fn default() -> Self {
        StoreMetrics {
            events: Counter::default(),
            batches: Counter::default(),
            batch_events: Histogram::new(exponential_buckets(1.0, 2.0, 15)),
            append_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, 16)),
            commit_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, 16)),
            tree_size: Gauge::default(),
            checkpoints: Counter::default(),
        }
    }
}

impl StoreMetrics {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "roundtable_log_appended_events",
            "Events made durable",
            self.events.clone(),
        );
        registry.register(
            "roundtable_log_batches",
            "Group-commit transactions",
            self.batches.clone(),
        );
        registry.register(
            "roundtable_log_batch_events",
            "Events per group-commit transaction",
            self.batch_events.clone(),
        );
        registry.register(
            "roundtable_log_append_seconds",
            "Latency of an append, from arrival at the writer to durable acknowledgement",
            self.append_seconds.clone(),
        );
        registry.register(
            "roundtable_log_commit_seconds",
            "Time to write and fsync one batch",
            self.commit_seconds.clone(),
        );
        registry.register(
            "roundtable_log_tree_size",
            "Leaves in the Merkle tree",
            self.tree_size.clone(),
        );
        registry.register(
            "roundtable_log_checkpoints_signed",
            "Checkpoints signed",
            self.checkpoints.clone(),
        );
    }
}
