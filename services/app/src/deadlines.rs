//! The deadline scheduler: finds clocks that have run out and has the domain mark
//! them overdue (and escalate), and likewise resolutions' assignments past due. It keeps no state of its own: the armed deadlines
//! are a read model of the log, the decider refuses a clock that is already marked,
//! and the events' ids derive from the issue and the due instant, so a restart
//! neither loses nor repeats a deadline.

use std::sync::Arc;
use std::time::Duration;

use roundtable_domain::{Actor, DomainError, Issue, IssueCommand, Resolution, ResolutionCommand};
use serde_json::json;

use crate::{App, AppError};

/// Marks every deadline due by the app's clock now; returns how many it marked.
pub async fn sweep(app: &App) -> Result<usize, AppError> {
    let due = app.projections.issues().due(app.clock.now());
    let envelope = json!({"id": "system", "role": "deadline_scheduler"});
    let mut marked = 0;
    for (issue, at) in due {
        let key = format!("overdue:{at}");
        let result = app
            .execute::<Issue>(
                &issue,
                IssueCommand::MarkOverdue { due: at },
                &Actor::anonymous(),
                Some(envelope.clone()),
                Some(&key),
            )
            .await;
        match result {
            Ok(outcome) => marked += usize::from(!outcome.replayed),
            // Another writer changed the clock meanwhile (an answer, a referral):
            // nothing is due any more.
            Err(AppError::Domain(DomainError::Conflict(reason))) => {
                tracing::debug!(%issue, %reason, "deadline no longer due")
            }
            Err(e) => return Err(e),
        }
    }
    let assignments = app.projections.meetings().due(app.clock.now());
    for (resolution, assignment, at) in assignments {
        let key = format!("overdue:{assignment}:{at}");
        let result = app
            .execute::<Resolution>(
                &resolution,
                ResolutionCommand::MarkAssignmentOverdue {
                    assignment,
                    due: at,
                },
                &Actor::anonymous(),
                Some(envelope.clone()),
                Some(&key),
            )
            .await;
        match result {
            Ok(outcome) => marked += usize::from(!outcome.replayed),
            Err(AppError::Domain(DomainError::Conflict(reason))) => {
                tracing::debug!(%resolution, assignment, %reason, "assignment no longer due")
            }
            Err(e) => return Err(e),
        }
    }
    Ok(marked)
}

/// Sweeps every `every` until the task is dropped.
pub async fn run(app: Arc<App>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match sweep(&app).await {
            Ok(0) => {}
            Ok(marked) => tracing::info!(marked, "deadlines passed"),
            Err(e) => tracing::error!(error = %e, "deadline sweep failed; retrying"),
        }
    }
}
