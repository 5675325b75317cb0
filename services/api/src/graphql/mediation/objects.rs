//! Mediation committees and cases as GraphQL objects. What a viewer reads of a
//! case follows `DisputeState::access` (the domain's rule): content fields are
//! null (or empty) unless the viewer is a party, the mediator or an officer.

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, Aggregate, CaseRecord, Directory, Dispute as Decider, DisputeAccess,
    DisputeCommand as C, DisputeId, Language, MemberId, MinutesFormat, Sealed,
};
use roundtable_projections::{CommitteeView, DisputeView};

use super::super::issues::Receipt;
use super::super::types::{
    Jurisdiction, Member, WhyNot, app, caller, display_name, jurisdiction, member,
};
use crate::error::OrGql;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::CommitteeKind")]
pub enum CommitteeKind {
    Peoples,
    Lawyers,
    Industry,
    Medical,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::DisputeKind")]
pub enum DisputeKind {
    Neighbours,
    Family,
    PropertyManagement,
    Labour,
    Consumer,
    Land,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::DisputeStatus")]
pub enum DisputeStatus {
    AwaitingConsent,
    InMediation,
    Agreed,
    Closed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::CaseOutcome")]
pub enum CaseOutcome {
    Declined,
    NoReply,
    NoAgreement,
    PartyAbsent,
    Withdrawn,
    NotPerformed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Advice")]
pub enum Advice {
    Litigation,
    Arbitration,
    Administrative,
    None,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Performance")]
pub enum Performance {
    Performed,
    Partly,
    NotPerformed,
}

/// How much of a case the viewer may read.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CaseAccess {
    /// That it exists: kind, place, committee, status, dates, outcome.
    Exists,
    /// Everything: parties, claims, session records, the agreement's text.
    Content,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AgreementLanguage {
    ZhCn,
    En,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AgreementFormat {
    Markdown,
    Html,
}

pub struct MediationCommittee(pub CommitteeView);

#[derive(SimpleObject)]
pub struct Mediator {
    pub member: Option<Member>,
    /// Officers (主任, 副主任) assign cases.
    pub officer: bool,
}

#[Object]
impl MediationCommittee {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn name(&self) -> &str {
        self.0.name()
    }
    async fn kind(&self) -> CommitteeKind {
        self.0.facts().kind.into()
    }
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, &self.0.facts().jurisdiction)
    }
    /// Days a respondent has to accept or decline.
    async fn consent_days(&self) -> u32 {
        self.0.facts().rules.consent_days
    }
    /// Days from the start of mediation to its end, before it is overdue.
    async fn time_limit_days(&self) -> u32 {
        self.0.facts().rules.time_limit_days
    }
    async fn rules_hash(&self) -> String {
        self.0.facts().rules_hash.to_string()
    }
    /// Mediators are office holders: public, like council seats.
    async fn mediators(&self, ctx: &Context<'_>) -> Vec<Mediator> {
        self.0
            .state
            .mediators
            .iter()
            .map(|(m, officer)| Mediator {
                member: member(ctx, m),
                officer: *officer,
            })
            .collect()
    }
}

pub fn committee(ctx: &Context<'_>, id: &domain::CommitteeId) -> Option<MediationCommittee> {
    app(ctx)
        .projections
        .registry()
        .committees
        .get(id)
        .cloned()
        .map(MediationCommittee)
}

/// A case, as the viewer may read it.
pub struct DisputeCase {
    pub id: DisputeId,
    pub record: CaseRecord,
    pub view: DisputeView,
    pub access: DisputeAccess,
}

/// The case `id`, if the viewer may know it exists.
pub fn dispute_case(ctx: &Context<'_>, id: &DisputeId) -> Option<DisputeCase> {
    let app = app(ctx);
    let actor = caller(ctx);
    let disputes = app.projections.disputes();
    let (record, view) = disputes.case(id)?;
    let access = {
        let directory = app.projections.registry();
        record.state.access(&actor, &*directory)
    };
    (access >= DisputeAccess::Exists).then(|| DisputeCase {
        id: id.clone(),
        record: record.clone(),
        view: view.clone(),
        access,
    })
}

#[derive(SimpleObject)]
pub struct MediationSession {
    pub number: u32,
    pub at: String,
    pub venue: String,
    pub held: bool,
    /// Who attended (content only).
    pub attendance: Vec<Member>,
    /// The session's private record (content only; null once erased).
    pub record: Option<String>,
}

#[derive(SimpleObject)]
pub struct AgreementView {
    pub version: u32,
    /// SHA-256 of the canonical text: what each party confirms.
    pub text_hash: String,
    /// Who confirmed this version (content only).
    pub confirmed_by: Vec<Member>,
    pub signed: bool,
    /// The last day to apply for judicial confirmation, once signed.
    pub confirmation_window_ends: Option<String>,
}

#[derive(SimpleObject)]
pub struct JudicialConfirmationView {
    pub court: String,
    pub applied_on: String,
    /// Null until the court rules.
    pub confirmed: Option<bool>,
}

#[derive(SimpleObject)]
pub struct Answer {
    pub party: Option<Member>,
    pub consented: bool,
}

#[derive(SimpleObject)]
pub struct Claim {
    pub party: Option<Member>,
    pub text: Option<String>,
}

#[derive(SimpleObject)]
pub struct CaseEvent {
    /// The event type (`dispute.raised`, …).
    pub kind: String,
    pub at: String,
    pub index: u64,
}

/// What the viewer may do with the case now (the domain's `permits`).
#[derive(SimpleObject, Default)]
pub struct DisputeCan {
    pub answer: bool,
    /// Respondents whose answer, given by phone, in person or on paper, the
    /// viewer may record for them (only to those who read the case).
    pub record_answer_for: Vec<Member>,
    /// Parties whose confirmation signed on paper the viewer may record.
    pub record_confirmation_for: Vec<Member>,
    pub assign_mediator: bool,
    pub object_to_mediator: bool,
    pub escalate: bool,
    pub schedule_session: bool,
    pub record_session: bool,
    pub draft_agreement: bool,
    pub confirm_agreement: bool,
    /// Why not, when the viewer is a party and cannot confirm.
    pub confirm_why_not: Option<WhyNot>,
    pub close: bool,
    pub withdraw: bool,
    pub apply_for_confirmation: bool,
    pub record_ruling: bool,
    pub follow_up: bool,
    pub reopen: bool,
    pub erase_records: bool,
}

fn placeholder() -> Sealed {
    Sealed {
        nonce: "0".repeat(32),
        text: "-".into(),
    }
}

impl DisputeCase {
    fn content(&self) -> bool {
        self.access == DisputeAccess::Content
    }

    fn text(&self, ctx: &Context<'_>, commitment: &str) -> Result<Option<String>> {
        if !self.content() {
            return Ok(None);
        }
        Ok(app(ctx)
            .vault
            .dispute_text(&self.id, commitment)
            .gql()?
            .map(|s| s.text))
    }

    fn members(
        &self,
        ctx: &Context<'_>,
        ids: impl IntoIterator<Item = domain::MemberId>,
    ) -> Vec<Member> {
        if !self.content() {
            return Vec::new();
        }
        ids.into_iter().filter_map(|m| member(ctx, &m)).collect()
    }
}

#[Object]
impl DisputeCase {
    async fn id(&self) -> &str {
        self.id.as_str()
    }
    async fn access(&self) -> CaseAccess {
        match self.access {
            DisputeAccess::Content => CaseAccess::Content,
            _ => CaseAccess::Exists,
        }
    }
    async fn kind(&self) -> Option<DisputeKind> {
        self.record.state.kind.map(Into::into)
    }
    async fn status(&self) -> Option<DisputeStatus> {
        self.record.state.status.map(Into::into)
    }
    async fn outcome(&self) -> Option<CaseOutcome> {
        self.record.state.outcome.map(|(o, _)| o.into())
    }
    /// Where to go next when it ended without settling.
    async fn advice(&self) -> Option<Advice> {
        self.record.state.outcome.map(|(_, a)| a.into())
    }
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, self.record.state.jurisdiction.as_ref()?)
    }
    async fn committee(&self, ctx: &Context<'_>) -> Option<MediationCommittee> {
        committee(ctx, self.record.state.committee.as_ref()?)
    }
    async fn mediator(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.record.state.mediator.as_ref()?)
    }
    async fn raised_at(&self) -> String {
        self.record.raised_at.to_string()
    }
    async fn consent_due(&self) -> Option<String> {
        self.record.state.consent_due.map(|t| t.to_string())
    }
    /// The running mediation clock.
    async fn due(&self) -> Option<String> {
        self.record.state.due.map(|(t, _)| t.to_string())
    }
    /// Any of its clocks was marked overdue.
    async fn overdue(&self) -> bool {
        self.record.state.ever_overdue
    }
    async fn escalations(&self) -> u32 {
        self.record.state.escalations
    }
    async fn from_issue(&self) -> Option<String> {
        self.record.state.from_issue.as_ref().map(|i| i.to_string())
    }
    async fn records_erased(&self) -> bool {
        self.record.state.records_erased
    }
    async fn sessions(&self, ctx: &Context<'_>) -> Result<Vec<MediationSession>> {
        let mut out = Vec::new();
        for (n, s) in &self.record.state.sessions {
            let (attendance, record) = match &s.held {
                Some((who, hash)) => (
                    self.members(ctx, who.iter().cloned()),
                    self.text(ctx, hash.as_str())?,
                ),
                None => (Vec::new(), None),
            };
            out.push(MediationSession {
                number: *n,
                at: s.at.to_string(),
                venue: s.venue.clone(),
                held: s.held.is_some(),
                attendance,
                record,
            });
        }
        Ok(out)
    }
    async fn agreement(&self, ctx: &Context<'_>) -> Option<AgreementView> {
        let a = self.record.state.agreement.as_ref()?;
        Some(AgreementView {
            version: a.version,
            text_hash: a.text_hash.to_string(),
            confirmed_by: self.members(ctx, a.confirmed.iter().cloned()),
            signed: a.signed.is_some(),
            confirmation_window_ends: a.signed.map(|t| t.to_string()),
        })
    }
    /// The agreement's text (content only), rendered as the parties read it; its
    /// canonical form (`ZH_CN`, `MARKDOWN`, `canonical: true`) hashes to `textHash`.
    async fn agreement_text(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "AgreementLanguage::ZhCn")] language: AgreementLanguage,
        #[graphql(default_with = "AgreementFormat::Markdown")] format: AgreementFormat,
        #[graphql(default)] canonical: bool,
    ) -> Result<Option<String>> {
        let Some(a) = &self.record.state.agreement else {
            return Ok(None);
        };
        if !self.content() {
            return Ok(None);
        }
        let Some(terms) = app(ctx)
            .vault
            .dispute_text(&self.id, a.terms_hash.as_str())
            .gql()?
        else {
            return Ok(None);
        };
        let lang = match language {
            AgreementLanguage::ZhCn => Language::ZhCn,
            AgreementLanguage::En => Language::En,
        };
        let format = match format {
            AgreementFormat::Markdown => MinutesFormat::Markdown,
            AgreementFormat::Html => MinutesFormat::Html,
        };
        if canonical {
            return Ok(Some(domain::render_agreement(
                &self.id,
                &self.record.state,
                a.version,
                &terms,
                Language::ZhCn,
                MinutesFormat::Markdown,
                &domain::AgreementNaming::CANONICAL,
            )));
        }
        let mut names = std::collections::BTreeMap::new();
        for m in self
            .record
            .state
            .parties()
            .chain(&self.record.state.mediator)
        {
            names.insert(m.clone(), display_name(ctx, m).await?);
        }
        let committee_name = self
            .record
            .state
            .committee
            .as_ref()
            .and_then(|c| committee(ctx, c))
            .map(|c| c.0.name().to_owned())
            .unwrap_or_default();
        let naming = domain::AgreementNaming {
            member: &|m| names.get(m).cloned().unwrap_or_else(|| m.to_string()),
            committee: &|_| committee_name.clone(),
        };
        Ok(Some(domain::render_agreement(
            &self.id,
            &self.record.state,
            a.version,
            &terms,
            lang,
            format,
            &naming,
        )))
    }
    async fn judicial_confirmation(&self) -> Option<JudicialConfirmationView> {
        let c = self.record.state.confirmation.as_ref()?;
        Some(JudicialConfirmationView {
            court: c.court.clone(),
            applied_on: c.applied_on.to_string(),
            confirmed: c.confirmed,
        })
    }
    async fn follow_ups(&self) -> Vec<Performance> {
        self.record
            .state
            .follow_ups
            .iter()
            .map(|p| (*p).into())
            .collect()
    }
    /// Follow-up visits' notes (content only).
    async fn follow_up_notes(&self, ctx: &Context<'_>) -> Result<Vec<Option<String>>> {
        if !self.content() {
            return Ok(Vec::new());
        }
        self.view.notes.iter().map(|n| self.text(ctx, n)).collect()
    }
    async fn applicant(&self, ctx: &Context<'_>) -> Option<Member> {
        self.members(ctx, self.record.state.applicant.clone())
            .into_iter()
            .next()
    }
    async fn respondents(&self, ctx: &Context<'_>) -> Vec<Member> {
        self.members(ctx, self.record.state.respondents.clone())
    }
    /// How each respondent answered (content only).
    async fn answers(&self, ctx: &Context<'_>) -> Vec<Answer> {
        if !self.content() {
            return Vec::new();
        }
        self.record
            .state
            .answers
            .iter()
            .map(|(m, consented)| Answer {
                party: member(ctx, m),
                consented: *consented,
            })
            .collect()
    }
    /// What each party asks (content only).
    async fn claims(&self, ctx: &Context<'_>) -> Result<Vec<Claim>> {
        if !self.content() {
            return Ok(Vec::new());
        }
        self.view
            .claims
            .iter()
            .map(|(party, hash)| {
                Ok(Claim {
                    party: member(ctx, party),
                    text: self.text(ctx, hash)?,
                })
            })
            .collect()
    }
    /// The events of the case, oldest first (the latest 200).
    async fn history(&self) -> Vec<CaseEvent> {
        let skip = self
            .view
            .history
            .len()
            .saturating_sub(domain::MAX_CASE_HISTORY);
        self.view
            .history
            .iter()
            .skip(skip)
            .map(|e| CaseEvent {
                kind: e.kind.clone(),
                at: e.time.to_string(),
                index: e.index,
            })
            .collect()
    }
    /// The viewer's receipts: their confirmation of the agreement and the leaf that
    /// froze it (each a `tlog-proof`, checkable offline).
    async fn receipts(&self, ctx: &Context<'_>) -> Vec<Receipt> {
        let Some(me) = caller(ctx).member else {
            return Vec::new();
        };
        if !self.record.state.is_party(&me) {
            return Vec::new();
        }
        self.view
            .receipts(&self.record.state, &me)
            .into_iter()
            .map(Receipt::at)
            .collect()
    }
    async fn viewer_can(&self, ctx: &Context<'_>) -> DisputeCan {
        let app = app(ctx);
        let actor = caller(ctx);
        let Some(me) = actor.member.clone() else {
            return DisputeCan::default();
        };
        let context = domain::Context {
            actor,
            now: app.clock.now(),
        };
        let directory = app.projections.directory();
        let state = &self.record.state;
        let refusal = |command: C, later: &[&str]| {
            Decider::refusal(&self.id, state, command, &context, &directory, later)
        };
        let may = |command: C, later: &[&str]| refusal(command, later).is_none();
        // Assigning is asked with a mediator other than the current one.
        let other_mediator = state
            .committee
            .as_ref()
            .and_then(|c| directory.committee(c))
            .and_then(|c| {
                c.mediators
                    .into_iter()
                    .map(|(m, _)| m)
                    .find(|m| Some(m) != state.mediator.as_ref())
            });
        let reason = domain::Reason::parse("-");
        let confirm = state.agreement.as_ref().map(|a| {
            refusal(
                C::ConfirmAgreement {
                    party: me.clone(),
                    text_hash: a.text_hash.clone(),
                    channel: domain::Channel::Online,
                },
                &[],
            )
        });
        let later = context.now.plus_hours(24);
        // Recording for another party is offered only to those who read the case
        // (the others do not see who the parties are).
        let for_others = |command: &dyn Fn(MemberId) -> C| -> Vec<Member> {
            if !self.content() {
                return Vec::new();
            }
            state
                .parties()
                .filter(|p| **p != me)
                .filter(|p| may(command((*p).clone()), &[]))
                .filter_map(|p| member(ctx, p))
                .collect()
        };
        let record_answer_for = for_others(&|party| C::Answer {
            party,
            consent: true,
            channel: domain::Channel::Phone,
            claim: None,
        });
        let record_confirmation_for = state
            .agreement
            .as_ref()
            .map(|a| {
                for_others(&|party| C::ConfirmAgreement {
                    party,
                    text_hash: a.text_hash.clone(),
                    channel: domain::Channel::Paper,
                })
            })
            .unwrap_or_default();
        DisputeCan {
            record_answer_for,
            record_confirmation_for,
            answer: may(
                C::Answer {
                    party: me.clone(),
                    consent: true,
                    channel: domain::Channel::Online,
                    claim: None,
                },
                &[],
            ),
            assign_mediator: other_mediator
                .is_some_and(|m| may(C::AssignMediator { mediator: m }, &["mediator"])),
            object_to_mediator: reason.clone().is_ok_and(|reason| {
                may(
                    C::ObjectToMediator {
                        party: me.clone(),
                        reason,
                    },
                    &[],
                )
            }),
            escalate: may(C::Escalate, &[]),
            schedule_session: may(
                C::ScheduleSession {
                    at: later,
                    venue: "-".into(),
                },
                &["at", "venue"],
            ),
            record_session: state
                .sessions
                .iter()
                .find(|(_, s)| s.held.is_none())
                .is_some_and(|(n, _)| {
                    may(
                        C::RecordSession {
                            session: *n,
                            attendance: vec![me.clone()],
                            record: placeholder(),
                        },
                        &["attendance"],
                    )
                }),
            draft_agreement: may(
                C::DraftAgreement {
                    terms: placeholder(),
                },
                &[],
            ),
            confirm_agreement: matches!(confirm, Some(None)),
            confirm_why_not: match &confirm {
                Some(Some(e)) if state.is_party(&me) => Some(WhyNot::of(e)),
                _ => None,
            },
            close: may(
                C::Close {
                    outcome: domain::CaseOutcome::NoAgreement,
                    advice: None,
                },
                &[],
            ),
            withdraw: may(
                C::Close {
                    outcome: domain::CaseOutcome::Withdrawn,
                    advice: None,
                },
                &[],
            ),
            apply_for_confirmation: may(
                C::ApplyForConfirmation {
                    court: "-".into(),
                    applied_on: context.now,
                },
                &["appliedOn", "court"],
            ),
            record_ruling: may(C::RecordRuling { confirmed: true }, &[]),
            follow_up: may(
                C::FollowUp {
                    performance: domain::Performance::Performed,
                    note: placeholder(),
                },
                &[],
            ),
            reopen: may(C::Reopen, &[]),
            erase_records: reason.is_ok_and(|reason| may(C::EraseRecords { reason }, &[])),
        }
    }
}
