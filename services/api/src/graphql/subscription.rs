use async_graphql::{Context, Result, SimpleObject, Subscription};
use futures_util::Stream;
use roundtable_domain::{Aggregate, IssueId, MeetingId};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::issues::Issue;
use super::meetings::Meeting;
use super::types::app;
use crate::error::OrGql;
use roundtable_app::App;
use std::sync::Arc;

pub struct Subscription;

/// One event as the read models applied it.
#[derive(SimpleObject, Clone)]
pub struct LogEvent {
    pub index: u64,
    pub stream: String,
    #[graphql(name = "type")]
    pub kind: String,
    /// True when the subscriber fell behind and missed events before this one:
    /// re-query the read models.
    pub lagged: bool,
}

#[Subscription]
impl Subscription {
    /// Every event once the read models include it (the log itself is public).
    async fn log_events(&self, ctx: &Context<'_>) -> impl Stream<Item = LogEvent> + use<> {
        let feed = app(ctx).projections.feed();
        let mut lagged = false;
        BroadcastStream::new(feed).filter_map(move |item| match item {
            Ok(e) => Some(LogEvent {
                index: e.index,
                stream: e.stream,
                kind: e.kind,
                lagged: std::mem::take(&mut lagged),
            }),
            Err(_) => {
                lagged = true;
                None
            }
        })
    }

    /// The issue each time one of its events is applied (and once at the start).
    async fn issue_changed(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<impl Stream<Item = Issue> + use<>> {
        let id = IssueId::parse(&id).gql()?;
        let stream = roundtable_domain::Issue::stream(&id);
        Ok(follow(app(ctx), stream, move |app| {
            app.projections.issues().get(&id).cloned().map(Issue)
        }))
    }

    /// The meeting each time one of its events is applied (and once at the start):
    /// attendance, quorum, the pending motion, the vote and (unless hidden) its
    /// running tally. Authenticate in `connection_init` to see officers' fields.
    async fn meeting_changed(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<impl Stream<Item = Meeting> + use<>> {
        let id = MeetingId::parse(&id).gql()?;
        let stream = roundtable_domain::Meeting::stream(&id);
        Ok(follow(app(ctx), stream, move |app| {
            app.projections
                .meetings()
                .meeting(&id)
                .cloned()
                .map(Meeting)
        }))
    }
}

/// One aggregate, followed: its state now, then again after each event of its
/// `stream`. A subscriber that lagged re-reads it rather than missing a change.
fn follow<T, F>(app: &Arc<App>, stream: String, read: F) -> impl Stream<Item = T> + use<T, F>
where
    F: Fn(&App) -> Option<T> + Send + 'static,
{
    let app = app.clone();
    let first = read(&app);
    let changes = BroadcastStream::new(app.projections.feed()).filter_map(move |item| {
        let relevant = match &item {
            Ok(e) => e.stream == stream,
            Err(_) => true,
        };
        if relevant { read(&app) } else { None }
    });
    tokio_stream::iter(first).chain(changes)
}
