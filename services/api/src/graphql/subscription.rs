use async_graphql::{Context, SimpleObject, Subscription};
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::types::app;

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
}
