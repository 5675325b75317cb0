//! The `Streams` gRPC service over [`Log`]: requests in, KurrentDB's answers out.

// tonic's own handlers return `Result<_, Status>`; the helpers speak the same.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine;
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::ServerOptions;
use crate::log::{AppendOutcome, Expect, Log, Proposed, Record};
use crate::proto::event_store::client::{self as shared, streams};
use streams::read_req::options as read_options;
use streams::read_resp;

/// KurrentDB's default `MaxAppendSize`.
const MAX_APPEND_SIZE: usize = 1_048_576;
/// Events scanned between two `Checkpoint` messages of a filtered subscription when
/// the client gives no window (KurrentDB's default).
const DEFAULT_CHECKPOINT_WINDOW: u32 = 32;
/// Records read from memory at a time while catching up.
const CHUNK: usize = 512;

pub(crate) struct Streams {
    log: Arc<Log>,
    /// The `authorization` header every call must carry, when credentials are set.
    authorization: Option<String>,
}

impl Streams {
    pub(crate) fn new(log: Arc<Log>, options: ServerOptions) -> Streams {
        let authorization = options.credentials.map(|(user, password)| {
            let pair = format!("{user}:{password}");
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        });
        Streams { log, authorization }
    }

    pub(crate) fn into_server(self) -> streams::streams_server::StreamsServer<Streams> {
        streams::streams_server::StreamsServer::new(self)
            .max_decoding_message_size(2 * MAX_APPEND_SIZE)
    }

    fn authorize<T>(&self, request: &Request<T>) -> Result<(), Status> {
        let Some(want) = &self.authorization else {
            return Ok(());
        };
        let given = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        if given == Some(want.as_str()) {
            Ok(())
        } else {
            Err(Status::unauthenticated("Bad username or password."))
        }
    }
}

type ReadStream = Pin<Box<dyn Stream<Item = Result<streams::ReadResp, Status>> + Send>>;
type BatchStream = Pin<Box<dyn Stream<Item = Result<streams::BatchAppendResp, Status>> + Send>>;

fn stream_name(id: Option<shared::StreamIdentifier>) -> Result<String, Status> {
    let bytes = id
        .map(|s| s.stream_name)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Status::invalid_argument("a stream name is required"))?;
    String::from_utf8(bytes).map_err(|_| Status::invalid_argument("stream name is not UTF-8"))
}

fn parse_uuid(id: Option<shared::Uuid>) -> Result<uuid::Uuid, Status> {
    match id.and_then(|u| u.value) {
        Some(shared::uuid::Value::String(s)) => {
            uuid::Uuid::parse_str(&s).map_err(|_| Status::invalid_argument("bad event id"))
        }
        Some(shared::uuid::Value::Structured(s)) => Ok(uuid::Uuid::from_u64_pair(
            s.most_significant_bits as u64,
            s.least_significant_bits as u64,
        )),
        None => Err(Status::invalid_argument("an event id is required")),
    }
}

fn uuid_of(id: uuid::Uuid, structured: bool) -> shared::Uuid {
    let value = if structured {
        let (most, least) = id.as_u64_pair();
        shared::uuid::Value::Structured(shared::uuid::Structured {
            most_significant_bits: most as i64,
            least_significant_bits: least as i64,
        })
    } else {
        shared::uuid::Value::String(id.to_string())
    };
    shared::Uuid { value: Some(value) }
}

fn event_message(record: &Record, structured: bool) -> streams::ReadResp {
    let mut metadata = HashMap::new();
    metadata.insert("type".to_owned(), record.event_type.clone());
    metadata.insert("content-type".to_owned(), record.content_type.clone());
    metadata.insert("created".to_owned(), record.created.to_string());
    let event = read_resp::read_event::RecordedEvent {
        id: Some(uuid_of(record.id, structured)),
        stream_identifier: Some(shared::StreamIdentifier {
            stream_name: record.stream.clone().into_bytes(),
        }),
        stream_revision: record.revision,
        prepare_position: record.position,
        commit_position: record.position,
        metadata,
        custom_metadata: record.custom_metadata.clone(),
        data: record.data.clone(),
    };
    streams::ReadResp {
        content: Some(read_resp::Content::Event(read_resp::ReadEvent {
            event: Some(event),
            link: None,
            position: Some(read_resp::read_event::Position::CommitPosition(
                record.position,
            )),
        })),
    }
}

fn content(content: read_resp::Content) -> streams::ReadResp {
    streams::ReadResp {
        content: Some(content),
    }
}

fn now() -> prost_types::Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    prost_types::Timestamp {
        seconds: since.as_secs() as i64,
        nanos: since.subsec_nanos() as i32,
    }
}

/// A stream-name or event-type prefix filter (regular expressions are refused: we
/// never send one).
struct Filter {
    on_stream: bool,
    prefixes: Vec<String>,
    window: u32,
}

impl Filter {
    fn parse(option: Option<read_options::FilterOption>) -> Result<Option<Filter>, Status> {
        use read_options::filter_options::{Filter as Kind, Window};
        let Some(read_options::FilterOption::Filter(f)) = option else {
            return Ok(None);
        };
        let (on_stream, expression) = match f.filter {
            Some(Kind::StreamIdentifier(e)) => (true, e),
            Some(Kind::EventType(e)) => (false, e),
            None => return Err(Status::invalid_argument("a filter needs an expression")),
        };
        if !expression.regex.is_empty() {
            return Err(Status::unimplemented(
                "the test server filters by prefix only",
            ));
        }
        let window = match f.window {
            Some(Window::Max(max)) if max > 0 => max,
            _ => DEFAULT_CHECKPOINT_WINDOW,
        };
        Ok(Some(Filter {
            on_stream,
            prefixes: expression.prefix,
            window: window.saturating_mul(f.checkpoint_interval_multiplier.max(1)),
        }))
    }

    fn accepts(&self, record: &Record) -> bool {
        let subject = if self.on_stream {
            &record.stream
        } else {
            &record.event_type
        };
        self.prefixes
            .iter()
            .any(|p| subject.starts_with(p.as_str()))
    }
}

/// Where a read starts.
enum From {
    Start,
    End,
    /// A revision (stream) or position (`$all`).
    At(u64),
}

struct ReadPlan {
    stream: Option<String>,
    from: From,
    backwards: bool,
    count: Option<u64>,
    filter: Option<Filter>,
    structured: bool,
}

impl ReadPlan {
    fn parse(request: streams::ReadReq) -> Result<ReadPlan, Status> {
        use read_options::{CountOption, StreamOption};
        let options = request
            .options
            .ok_or_else(|| Status::invalid_argument("read options are required"))?;
        let (stream, from) = match options.stream_option {
            Some(StreamOption::Stream(s)) => {
                use read_options::stream_options::RevisionOption;
                let from = match s.revision_option {
                    Some(RevisionOption::Revision(r)) => From::At(r),
                    Some(RevisionOption::End(_)) => From::End,
                    _ => From::Start,
                };
                (Some(stream_name(s.stream_identifier)?), from)
            }
            Some(StreamOption::All(a)) => {
                use read_options::all_options::AllOption;
                let from = match a.all_option {
                    Some(AllOption::Position(p)) => From::At(p.commit_position),
                    Some(AllOption::End(_)) => From::End,
                    _ => From::Start,
                };
                (None, from)
            }
            None => return Err(Status::invalid_argument("a read needs a stream or $all")),
        };
        let count = match options.count_option {
            Some(CountOption::Count(n)) => Some(n),
            Some(CountOption::Subscription(_)) => None,
            None => return Err(Status::invalid_argument("a read needs a count")),
        };
        let filter = Filter::parse(options.filter_option)?;
        if stream.is_some() && filter.is_some() {
            return Err(Status::invalid_argument("filters apply to $all only"));
        }
        let structured = matches!(
            options.uuid_option.and_then(|u| u.content),
            Some(read_options::uuid_option::Content::Structured(_))
        );
        Ok(ReadPlan {
            stream,
            from,
            backwards: options.read_direction == read_options::ReadDirection::Backwards as i32,
            count,
            filter,
            structured,
        })
    }
}

/// Sends one message; false once the client has gone.
async fn send(tx: &mpsc::Sender<Result<streams::ReadResp, Status>>, m: streams::ReadResp) -> bool {
    tx.send(Ok(m)).await.is_ok()
}

impl Streams {
    /// A bounded read of one stream.
    async fn read_stream(
        log: &Log,
        stream: &str,
        plan: &ReadPlan,
        count: u64,
        tx: &mpsc::Sender<Result<streams::ReadResp, Status>>,
    ) {
        let Some(records) = log.stream(stream) else {
            let missing = read_resp::StreamNotFound {
                stream_identifier: Some(shared::StreamIdentifier {
                    stream_name: stream.as_bytes().to_vec(),
                }),
            };
            send(tx, content(read_resp::Content::StreamNotFound(missing))).await;
            return;
        };
        let last = records.len() as u64 - 1;
        let selected: Box<dyn Iterator<Item = &Arc<Record>> + Send> = if plan.backwards {
            let start = match plan.from {
                From::Start => 0,
                From::End => last,
                From::At(r) => r.min(last),
            };
            Box::new(records[..=start as usize].iter().rev())
        } else {
            let start = match plan.from {
                From::Start => 0,
                From::End => last + 1,
                From::At(r) => r,
            };
            Box::new(records.iter().skip(start as usize))
        };
        for record in selected.take(count as usize) {
            if !send(tx, event_message(record, plan.structured)).await {
                return;
            }
        }
    }

    /// A bounded read of `$all`.
    async fn read_all(
        log: &Log,
        plan: &ReadPlan,
        count: u64,
        tx: &mpsc::Sender<Result<streams::ReadResp, Status>>,
    ) {
        let len = log.len();
        let all = log.slice(0, len);
        let chosen = |r: &&Arc<Record>| plan.filter.as_ref().is_none_or(|f| f.accepts(r));
        let selected: Box<dyn Iterator<Item = &Arc<Record>> + Send> = if plan.backwards {
            let end = match plan.from {
                From::Start => 0,
                From::End => len,
                From::At(p) => all.partition_point(|r| r.position < p),
            };
            Box::new(all[..end].iter().rev().filter(chosen))
        } else {
            let start = match plan.from {
                From::Start => 0,
                From::End => len,
                From::At(p) => all.partition_point(|r| r.position < p),
            };
            Box::new(all[start..].iter().filter(chosen))
        };
        for record in selected.take(count as usize) {
            if !send(tx, event_message(record, plan.structured)).await {
                return;
            }
        }
    }

    /// A catch-up subscription: everything after the given point, then live, until
    /// the client goes or the server stops.
    async fn subscribe(
        log: Arc<Log>,
        plan: ReadPlan,
        tx: mpsc::Sender<Result<streams::ReadResp, Status>>,
    ) {
        let confirmation = read_resp::SubscriptionConfirmation {
            subscription_id: uuid::Uuid::new_v4().to_string(),
        };
        if !send(&tx, content(read_resp::Content::Confirmation(confirmation))).await {
            return;
        }
        let mut len = log.watch_len();
        // `next` indexes `$all`; positions and revisions given are exclusive.
        let mut next = match (&plan.stream, &plan.from) {
            (_, From::Start) => 0,
            (_, From::End) => log.len(),
            (None, From::At(p)) => log.index_at(p.saturating_add(1)),
            (Some(stream), From::At(r)) => log
                .stream(stream)
                .and_then(|records| records.get(*r as usize + 1).map(|x| x.position))
                .map_or(log.len(), |p| log.index_at(p)),
        };
        let mut scanned_since_checkpoint = 0u32;
        let mut caught_up = false;
        loop {
            let chunk = log.slice(next, CHUNK);
            for record in &chunk {
                next += 1;
                let wanted = match (&plan.stream, &plan.filter) {
                    (Some(stream), _) => &record.stream == stream,
                    (None, Some(filter)) => filter.accepts(record),
                    (None, None) => true,
                };
                if wanted && !send(&tx, event_message(record, plan.structured)).await {
                    return;
                }
                if let Some(filter) = &plan.filter {
                    scanned_since_checkpoint += 1;
                    if scanned_since_checkpoint >= filter.window {
                        scanned_since_checkpoint = 0;
                        let checkpoint = read_resp::Checkpoint {
                            commit_position: record.position,
                            prepare_position: record.position,
                            timestamp: Some(now()),
                        };
                        if !send(&tx, content(read_resp::Content::Checkpoint(checkpoint))).await {
                            return;
                        }
                    }
                }
            }
            if !chunk.is_empty() {
                continue;
            }
            if !caught_up {
                caught_up = true;
                let message = read_resp::CaughtUp {
                    timestamp: Some(now()),
                    stream_revision: None,
                    position: None,
                };
                if !send(&tx, content(read_resp::Content::CaughtUp(message))).await {
                    return;
                }
            }
            if log.is_closed() {
                let _ = tx
                    .send(Err(Status::unavailable("server is shutting down")))
                    .await;
                return;
            }
            tokio::select! {
                changed = len.wait_for(|&l| l > next) => {
                    if changed.is_err() {
                        return;
                    }
                }
                () = tx.closed() => return,
            }
        }
    }
}

#[tonic::async_trait]
impl streams::streams_server::Streams for Streams {
    type ReadStream = ReadStream;
    type BatchAppendStream = BatchStream;

    async fn read(
        &self,
        request: Request<streams::ReadReq>,
    ) -> Result<Response<Self::ReadStream>, Status> {
        self.authorize(&request)?;
        let plan = ReadPlan::parse(request.into_inner())?;
        let (tx, rx) = mpsc::channel(256);
        let log = self.log.clone();
        tokio::spawn(async move {
            match (plan.count, plan.stream.clone()) {
                (Some(count), Some(stream)) => {
                    Streams::read_stream(&log, &stream, &plan, count, &tx).await;
                }
                (Some(count), None) => Streams::read_all(&log, &plan, count, &tx).await,
                (None, _) => Streams::subscribe(log, plan, tx).await,
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }

    async fn append(
        &self,
        request: Request<Streaming<streams::AppendReq>>,
    ) -> Result<Response<streams::AppendResp>, Status> {
        use streams::append_req::Content;
        use streams::append_req::options::ExpectedStreamRevision;
        self.authorize(&request)?;
        let mut messages = request.into_inner();
        let options = match messages.message().await? {
            Some(streams::AppendReq {
                content: Some(Content::Options(o)),
            }) => o,
            _ => {
                return Err(Status::invalid_argument(
                    "an append starts with its options",
                ));
            }
        };
        let stream = stream_name(options.stream_identifier)?;
        let expect = match options.expected_stream_revision {
            Some(ExpectedStreamRevision::Revision(r)) => Expect::Revision(r),
            Some(ExpectedStreamRevision::NoStream(_)) => Expect::NoStream,
            Some(ExpectedStreamRevision::StreamExists(_)) => Expect::StreamExists,
            Some(ExpectedStreamRevision::Any(_)) | None => Expect::Any,
        };
        let mut events = Vec::new();
        let mut size = 0usize;
        while let Some(message) = messages.message().await? {
            let Some(Content::ProposedMessage(m)) = message.content else {
                return Err(Status::invalid_argument("options may only come first"));
            };
            let mut metadata = m.metadata;
            let event_type = metadata
                .remove("type")
                .filter(|t| !t.is_empty())
                .ok_or_else(|| Status::invalid_argument("an event needs a type"))?;
            size += event_type.len() + m.data.len() + m.custom_metadata.len();
            if size > MAX_APPEND_SIZE {
                let mut status = Status::invalid_argument(format!(
                    "Maximum Append Size of {MAX_APPEND_SIZE} Exceeded."
                ));
                status.metadata_mut().insert(
                    "exception",
                    "maximum-append-size-exceeded"
                        .parse()
                        .map_err(|_| Status::internal("metadata"))?,
                );
                return Err(status);
            }
            events.push(Proposed {
                id: parse_uuid(m.id)?,
                event_type,
                content_type: metadata
                    .remove("content-type")
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
                custom_metadata: m.custom_metadata,
                data: m.data,
            });
        }
        let result = match self.log.append(&stream, expect, events) {
            AppendOutcome::Success { revision, position } => {
                use streams::append_resp::success::{CurrentRevisionOption, PositionOption};
                streams::append_resp::Result::Success(streams::append_resp::Success {
                    current_revision_option: Some(CurrentRevisionOption::CurrentRevision(revision)),
                    position_option: Some(PositionOption::Position(
                        streams::append_resp::Position {
                            commit_position: position,
                            prepare_position: position,
                        },
                    )),
                })
            }
            AppendOutcome::NoStream => {
                use streams::append_resp::success::{CurrentRevisionOption, PositionOption};
                streams::append_resp::Result::Success(streams::append_resp::Success {
                    current_revision_option: Some(CurrentRevisionOption::NoStream(
                        shared::Empty {},
                    )),
                    position_option: Some(PositionOption::NoPosition(shared::Empty {})),
                })
            }
            AppendOutcome::WrongExpectedVersion { current } => {
                streams::append_resp::Result::WrongExpectedVersion(wrong_version(current, expect))
            }
        };
        Ok(Response::new(streams::AppendResp {
            result: Some(result),
        }))
    }

    async fn delete(
        &self,
        _: Request<streams::DeleteReq>,
    ) -> Result<Response<streams::DeleteResp>, Status> {
        Err(Status::unimplemented("not in the test server"))
    }

    async fn tombstone(
        &self,
        _: Request<streams::TombstoneReq>,
    ) -> Result<Response<streams::TombstoneResp>, Status> {
        Err(Status::unimplemented("not in the test server"))
    }

    async fn batch_append(
        &self,
        _: Request<Streaming<streams::BatchAppendReq>>,
    ) -> Result<Response<Self::BatchAppendStream>, Status> {
        Err(Status::unimplemented("not in the test server"))
    }
}

/// KurrentDB fills both the current and the pre-20.6 fields.
fn wrong_version(
    current: Option<u64>,
    expect: Expect,
) -> streams::append_resp::WrongExpectedVersion {
    use streams::append_resp::wrong_expected_version::{
        CurrentRevisionOption, CurrentRevisionOption2060, ExpectedRevisionOption,
        ExpectedRevisionOption2060,
    };
    let empty = shared::Empty {};
    streams::append_resp::WrongExpectedVersion {
        current_revision_option_20_6_0: Some(match current {
            Some(r) => CurrentRevisionOption2060::CurrentRevision2060(r),
            None => CurrentRevisionOption2060::NoStream2060(empty),
        }),
        expected_revision_option_20_6_0: Some(match expect {
            Expect::Revision(r) => ExpectedRevisionOption2060::ExpectedRevision2060(r),
            Expect::StreamExists => ExpectedRevisionOption2060::StreamExists2060(empty),
            Expect::Any | Expect::NoStream => ExpectedRevisionOption2060::Any2060(empty),
        }),
        current_revision_option: Some(match current {
            Some(r) => CurrentRevisionOption::CurrentRevision(r),
            None => CurrentRevisionOption::CurrentNoStream(empty),
        }),
        expected_revision_option: Some(match expect {
            Expect::Revision(r) => ExpectedRevisionOption::ExpectedRevision(r),
            Expect::NoStream => ExpectedRevisionOption::ExpectedNoStream(empty),
            Expect::Any => ExpectedRevisionOption::ExpectedAny(empty),
            Expect::StreamExists => ExpectedRevisionOption::ExpectedStreamExists(empty),
        }),
    }
}
