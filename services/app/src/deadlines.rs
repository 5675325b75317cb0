//! The deadline scheduler: finds clocks that have run out and has the domain mark
//! them overdue (and escalate), and likewise resolutions' assignments past due,
//! mediation cases (consent deadlines, time limits) and service requests. It keeps
//! no state of its own: the armed deadlines are a read model of the log, the
//! decider refuses a clock that is already marked, and the events' ids derive from
//! the issue and the due instant, so a restart neither loses nor repeats a deadline.

use std::sync::Arc;
use std::time::Duration;

use roundtable_domain::{
    Actor, Aggregate, Dispute, DisputeCommand, DomainError, Issue, IssueCommand, Resolution,
    ResolutionCommand, ServiceRequest, ServiceRequestCommand,
};
use roundtable_projections::CaseDeadline;
use serde_json::json;

use crate::{App, AppError};

/// Marks every deadline due by the app's clock now; returns how many it marked.
pub async fn sweep(app: &App) -> Result<usize, AppError> {
    // Each list is taken before the first await: the read models' locks are not
    // held while the log is written.
    let issues = app.projections.issues().due(app.clock.now());
    let assignments = app.projections.meetings().due(app.clock.now());
    let cases = app.projections.disputes().due_by(app.clock.now());
    let requests = app.projections.requests().due_by(app.clock.now());
    let mut marked = 0;
    for (issue, due) in issues {
        let command = IssueCommand::MarkOverdue { due };
        marked += mark::<Issue>(app, &issue, command, format!("overdue:{due}")).await?;
    }
    for (resolution, assignment, due) in assignments {
        let command = ResolutionCommand::MarkAssignmentOverdue { assignment, due };
        let key = format!("overdue:{assignment}:{due}");
        marked += mark::<Resolution>(app, &resolution, command, key).await?;
    }
    for (dispute, deadline) in cases {
        let (command, key) = match deadline {
            CaseDeadline::Consent(due) => {
                (DisputeCommand::LapseConsent { due }, format!("lapse:{due}"))
            }
            CaseDeadline::Mediation(due) => (
                DisputeCommand::MarkOverdue { due },
                format!("overdue:{due}"),
            ),
        };
        marked += mark::<Dispute>(app, &dispute, command, key).await?;
    }
    for (request, due) in requests {
        let command = ServiceRequestCommand::MarkOverdue { due };
        marked += mark::<ServiceRequest>(app, &request, command, format!("overdue:{due}")).await?;
    }
    Ok(marked)
}

/// Has the scheduler mark one deadline; returns 1 if that wrote an event. A
/// conflict means another writer changed the clock meanwhile (an answer, a
/// referral): nothing is due any more.
async fn mark<A: Aggregate>(
    app: &App,
    id: &A::Id,
    command: A::Command,
    key: String,
) -> Result<usize, AppError> {
    let envelope = json!({"id": "system", "role": "deadline_scheduler"});
    let result = app
        .execute::<A>(id, command, &Actor::anonymous(), Some(envelope), Some(&key))
        .await;
    match result {
        Ok(outcome) => Ok(usize::from(!outcome.replayed)),
        Err(AppError::Domain(DomainError::Conflict(reason))) => {
            tracing::debug!(%id, %reason, "deadline no longer due");
            Ok(0)
        }
        Err(e) => Err(e),
    }
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
