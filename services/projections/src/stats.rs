//! Per-place and per-council figures computed from the issues read model, which is
//! itself a fold of the log: anyone holding the log can recompute them.

use roundtable_domain::{IssueStatus, Rating};
use roundtable_ledger::Timestamp;

use crate::IssueView;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct IssueStats {
    pub raised: u64,
    pub triaged: u64,
    pub triaged_on_time: u64,
    pub responded: u64,
    pub responded_on_time: u64,
    /// Closed after a satisfied or basically satisfied rating.
    pub resolved: u64,
    pub rated: u64,
    /// Latest ratings that were satisfied or basically satisfied.
    pub satisfied: u64,
    pub median_hours_to_response: Option<f64>,
    pub referred_more_than_once: u64,
}

impl IssueStats {
    /// Figures over the issues raised in `[from, to)`.
    pub fn of<'a>(
        issues: impl Iterator<Item = &'a IssueView>,
        from: Timestamp,
        to: Timestamp,
    ) -> IssueStats {
        let mut stats = IssueStats::default();
        let mut hours = Vec::new();
        for issue in issues.filter(|i| i.raised_at >= from && i.raised_at < to) {
            stats.raised += 1;
            if let Some((_, on_time)) = issue.triaged {
                stats.triaged += 1;
                stats.triaged_on_time += u64::from(on_time);
            }
            if let Some(first) = issue.responses.first() {
                stats.responded += 1;
                stats.responded_on_time += u64::from(issue.responded_on_time == Some(true));
                let ms = first.at.unix_millis() - issue.raised_at.unix_millis();
                hours.push(ms as f64 / 3_600_000.0);
            }
            if issue.state.status == IssueStatus::Closed {
                stats.resolved += 1;
            }
            if let Some(last) = issue.ratings.last() {
                stats.rated += 1;
                stats.satisfied += u64::from(last.rating != Rating::Unsatisfied);
            }
            if issue.state.referrals > 1 {
                stats.referred_more_than_once += 1;
            }
        }
        hours.sort_by(f64::total_cmp);
        stats.median_hours_to_response = match hours.len() {
            0 => None,
            n if n % 2 == 1 => Some(hours[n / 2]),
            n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
        };
        stats
    }

    /// Share of rated issues whose latest rating was (basically) satisfied.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        (self.rated > 0).then(|| self.satisfied as f64 / self.rated as f64)
    }
}
