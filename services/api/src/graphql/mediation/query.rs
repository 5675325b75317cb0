//! Mediation queries: committees (public), cases (as `DisputeState::access`
//! allows), and the figures (public, recomputable by `audit verify`).

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, CommitteeId, DisputeAccess, DisputeId, JurisdictionId, MediationFigures,
};

use super::super::types::{Member, app, caller, connect, in_subtree, member};
use super::objects::*;
use crate::error::OrGql;

/// Most committees one answer lists.
const MAX_COMMITTEES: usize = 50;

#[derive(SimpleObject)]
pub struct Figures {
    pub cases: u32,
    pub consent_settled: u32,
    pub consented: u32,
    pub mediations_ended: u32,
    pub agreed: u32,
    pub on_time: u32,
    pub followed_up: u32,
    pub performed: u32,
    /// consented / consentSettled.
    pub consent_rate: Option<f64>,
    /// agreed / mediationsEnded.
    pub agreement_rate: Option<f64>,
    /// onTime / mediationsEnded.
    pub on_time_share: Option<f64>,
    /// performed / followedUp.
    pub performance_rate: Option<f64>,
    pub median_days_to_agreement: Option<f64>,
}

impl From<&MediationFigures> for Figures {
    fn from(f: &MediationFigures) -> Figures {
        Figures {
            cases: f.cases,
            consent_settled: f.consent_settled,
            consented: f.consented,
            mediations_ended: f.mediations_ended,
            agreed: f.agreed,
            on_time: f.on_time,
            followed_up: f.followed_up,
            performed: f.performed,
            consent_rate: MediationFigures::rate(f.consented, f.consent_settled),
            agreement_rate: MediationFigures::rate(f.agreed, f.mediations_ended),
            on_time_share: MediationFigures::rate(f.on_time, f.mediations_ended),
            performance_rate: MediationFigures::rate(f.performed, f.followed_up),
            median_days_to_agreement: f.median_days_to_agreement(),
        }
    }
}

#[derive(SimpleObject)]
pub struct CommitteeFigures {
    pub committee: Option<MediationCommittee>,
    pub figures: Figures,
}

#[derive(SimpleObject)]
pub struct MediatorFigures {
    pub mediator: Option<Member>,
    pub figures: Figures,
}

#[derive(SimpleObject)]
pub struct KindCount {
    pub kind: DisputeKind,
    pub cases: u32,
}

#[derive(SimpleObject)]
pub struct OutcomeCount {
    pub outcome: CaseOutcome,
    pub cases: u32,
}

/// What the public sees of mediation in an area: counts, kinds, outcomes and
/// durations, never parties or texts.
#[derive(SimpleObject)]
pub struct MediationStats {
    pub all: Figures,
    pub committees: Vec<CommitteeFigures>,
    pub mediators: Vec<MediatorFigures>,
    pub by_kind: Vec<KindCount>,
    pub by_outcome: Vec<OutcomeCount>,
}

#[derive(Default)]
pub struct MediationQuery;

fn parse<T>(raw: Option<&str>, f: fn(&str) -> Result<T, domain::DomainError>) -> Result<Option<T>> {
    raw.map(f).transpose().gql()
}

#[Object]
impl MediationQuery {
    /// Mediation committees at or below `jurisdiction` (all without one), at most 50.
    async fn mediation_committees(
        &self,
        ctx: &Context<'_>,
        jurisdiction: Option<String>,
    ) -> Result<Vec<MediationCommittee>> {
        let within = parse(jurisdiction.as_deref(), JurisdictionId::parse)?;
        let registry = app(ctx).projections.registry();
        Ok(registry
            .committees
            .values()
            .filter(|c| in_subtree(&registry, &c.facts().jurisdiction, within.as_ref()))
            .take(MAX_COMMITTEES)
            .cloned()
            .map(MediationCommittee)
            .collect())
    }

    /// A case, if the viewer may know of it (a party, its mediator, the
    /// committee's officers and mediators, grid workers of the place, staff).
    async fn dispute(&self, ctx: &Context<'_>, id: String) -> Result<Option<DisputeCase>> {
        let id = DisputeId::parse(&id).gql()?;
        Ok(dispute_case(ctx, &id))
    }

    /// The cases the viewer may know of, newest first: with `mine`, those they are
    /// a party to or mediate; with `committee`, that committee's.
    async fn disputes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] mine: bool,
        committee: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, DisputeCase>> {
        let committee = parse(committee.as_deref(), CommitteeId::parse)?;
        let actor = caller(ctx);
        let app = app(ctx);
        let ids: Vec<DisputeId> = {
            let disputes = app.projections.disputes();
            let registry = app.projections.registry();
            let visible = |c: &domain::CaseRecord| {
                c.state.access(&actor, &*registry) >= DisputeAccess::Exists
                    && committee
                        .as_ref()
                        .is_none_or(|k| c.state.committee.as_ref() == Some(k))
            };
            match (&actor.member, mine) {
                (Some(me), true) => disputes
                    .involving(me)
                    .filter(|id| disputes.case(id).is_some_and(|(c, _)| visible(c)))
                    .cloned()
                    .collect(),
                (None, true) => Vec::new(),
                (_, false) => disputes
                    .all()
                    .into_iter()
                    .filter(|(_, c)| visible(c))
                    .map(|(id, _)| id.clone())
                    .collect(),
            }
        };
        // Newest first: the cursor is the reversed raise time with the id.
        let mut cases: Vec<(String, DisputeCase)> = ids
            .iter()
            .filter_map(|id| dispute_case(ctx, id))
            .map(|c| {
                let key = format!(
                    "{:020}|{}",
                    i64::MAX - c.record.raised_at.unix_millis(),
                    c.id
                );
                (key, c)
            })
            .collect();
        cases.sort_by(|a, b| a.0.cmp(&b.0));
        connect(cases, after, first)
    }

    /// Public figures of mediation at or below `jurisdiction` (all without one).
    async fn mediation_stats(
        &self,
        ctx: &Context<'_>,
        jurisdiction: Option<String>,
    ) -> Result<MediationStats> {
        let within = parse(jurisdiction.as_deref(), JurisdictionId::parse)?;
        let app = app(ctx);
        let disputes = app.projections.disputes();
        let registry = app.projections.registry();
        let inside = |c: &domain::CaseRecord| {
            c.state
                .jurisdiction
                .as_ref()
                .is_some_and(|j| in_subtree(&registry, j, within.as_ref()))
        };
        let tally = &disputes.tally;
        let all = tally.figures(inside);
        let by_kind = tally
            .by(|c| c.state.kind.filter(|_| inside(c)))
            .into_iter()
            .map(|(kind, f)| KindCount {
                kind: kind.into(),
                cases: f.cases,
            })
            .collect();
        let mut outcomes = std::collections::BTreeMap::new();
        for (_, c) in tally.cases().filter(|(_, c)| inside(c)) {
            if let Some((o, _)) = c.state.outcome {
                *outcomes.entry(o).or_insert(0u32) += 1;
            }
        }
        let here: Vec<(CommitteeId, Vec<domain::MemberId>)> = registry
            .committees
            .values()
            .filter(|c| in_subtree(&registry, &c.facts().jurisdiction, within.as_ref()))
            .take(MAX_COMMITTEES)
            .map(|c| (c.id.clone(), c.state.mediators.keys().cloned().collect()))
            .collect();
        let per_committee = tally.by_committee();
        let per_mediator = tally.by(|c| c.handled_by.clone().filter(|_| inside(c)));
        let figures =
            |f: Option<&MediationFigures>| Figures::from(f.unwrap_or(&MediationFigures::default()));
        let committee_figures: Vec<(CommitteeId, Figures)> = here
            .iter()
            .map(|(id, _)| (id.clone(), figures(per_committee.get(id))))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let mediator_figures: Vec<(domain::MemberId, Figures)> = here
            .iter()
            .flat_map(|(_, ms)| ms.iter())
            .filter(|m| seen.insert((*m).clone()))
            .take(100)
            .map(|m| (m.clone(), figures(per_mediator.get(m))))
            .collect();
        let all: Figures = (&all).into();
        drop(registry);
        drop(disputes);
        let committees = committee_figures
            .into_iter()
            .map(|(id, figures)| CommitteeFigures {
                committee: committee(ctx, &id),
                figures,
            })
            .collect();
        let mediators = mediator_figures
            .into_iter()
            .map(|(m, figures)| MediatorFigures {
                mediator: member(ctx, &m),
                figures,
            })
            .collect();
        Ok(MediationStats {
            all,
            committees,
            mediators,
            by_kind,
            by_outcome: outcomes
                .into_iter()
                .map(|(o, cases)| OutcomeCount {
                    outcome: o.into(),
                    cases,
                })
                .collect(),
        })
    }
}
