//! Mediation cases across the log and the vault: a case's private texts are sealed
//! in the vault (by the commitment the log will carry) before the event that
//! commits to them is appended, so nothing acknowledged lacks its text (and a
//! refused command takes its texts out again); erasing a
//! case's records destroys them after `dispute.records_erased` is appended, and
//! the next start finishes any erasure a crash interrupted.

use roundtable_domain::{
    Actor, Dispute, DisputeCommand, DisputeId, Issue, IssueCommand, MAX_PRIVATE_TEXT, Sealed,
};

use crate::operations::blocking;
use crate::{App, AppError, Outcome};

/// A fresh 128-bit nonce for a commitment, as 32 hex digits.
fn nonce() -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The private texts a command commits to.
fn texts(command: &DisputeCommand) -> Vec<&Sealed> {
    match command {
        DisputeCommand::Raise(raise) => vec![&raise.claim],
        DisputeCommand::Answer { claim, .. } => claim.iter().collect(),
        DisputeCommand::RecordSession { record, .. } => vec![record],
        DisputeCommand::DraftAgreement { terms } => vec![terms],
        DisputeCommand::FollowUp { note, .. } => vec![note],
        DisputeCommand::LapseConsent { .. }
        | DisputeCommand::AssignMediator { .. }
        | DisputeCommand::ObjectToMediator { .. }
        | DisputeCommand::Escalate
        | DisputeCommand::MarkOverdue { .. }
        | DisputeCommand::ScheduleSession { .. }
        | DisputeCommand::ConfirmAgreement { .. }
        | DisputeCommand::Close { .. }
        | DisputeCommand::ApplyForConfirmation { .. }
        | DisputeCommand::RecordRuling { .. }
        | DisputeCommand::Reopen
        | DisputeCommand::Refer { .. }
        | DisputeCommand::EraseRecords { .. } => vec![],
    }
}

impl App {
    /// A private text with a fresh nonce, checked as the domain checks it.
    pub fn seal_text(&self, field: &'static str, text: &str) -> Result<Sealed, AppError> {
        Ok(Sealed::new(&nonce()?, text, field, MAX_PRIVATE_TEXT)?)
    }

    /// Runs a command on a case: its texts go into the vault first; a raise from an
    /// issue then marks the issue; an erasure then destroys the case's texts.
    pub async fn on_dispute(
        &self,
        actor: &Actor,
        id: &DisputeId,
        command: DisputeCommand,
        key: Option<&str>,
    ) -> Result<Outcome, AppError> {
        let mut kept = Vec::new();
        for text in texts(&command) {
            let (dispute, text) = (id.clone(), text.clone());
            let commitment = text.commitment().to_string();
            if blocking(&self.vault, move |v| v.keep_dispute_text(&dispute, &text)).await? {
                kept.push(commitment);
            }
        }
        let from_issue = match &command {
            DisputeCommand::Raise(raise) => raise.from_issue.clone(),
            _ => None,
        };
        let erase = matches!(command, DisputeCommand::EraseRecords { .. });
        let outcome = match self.execute::<Dispute>(id, command, actor, None, key).await {
            Ok(outcome) => outcome,
            Err(e) => {
                // Refused: the texts it brought are named by no event; nothing stays.
                let dispute = id.clone();
                blocking(&self.vault, move |v| {
                    kept.iter()
                        .try_for_each(|c| v.forget_dispute_text(&dispute, c))
                })
                .await?;
                return Err(e);
            }
        };
        if let Some(issue) = from_issue {
            let link = format!("mediation:{id}");
            let command = IssueCommand::SendToMediation {
                dispute: id.clone(),
            };
            self.execute::<Issue>(&issue, command, actor, None, Some(&link))
                .await?;
        }
        if erase {
            let dispute = id.clone();
            blocking(&self.vault, move |v| v.erase_dispute(&dispute)).await?;
        }
        Ok(outcome)
    }

    /// Destroys the vault texts of every case the log says was erased (idempotent).
    pub async fn finish_dispute_erasures(&self) -> Result<usize, AppError> {
        let erased: Vec<DisputeId> = self
            .projections
            .disputes()
            .all()
            .into_iter()
            .filter(|(_, c)| c.state.records_erased)
            .map(|(id, _)| id.clone())
            .collect();
        blocking(&self.vault, move |v| {
            let mut n = 0;
            for id in &erased {
                n += usize::from(v.erase_dispute(id)?);
            }
            Ok(n)
        })
        .await
    }
}
