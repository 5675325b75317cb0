//! The application: the log, the read models, the vault and the clock, and the
//! command handler that ties a decider to the log.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use roundtable_domain::codec::{decode, draft};
use roundtable_domain::{Actor, Aggregate, Context, DomainError, Refusal};
use roundtable_ledger::StreamName;
use roundtable_projections::Projections;
use roundtable_store::{Expected, Log, StoreError};
use roundtable_vault::Vault;
use serde_json::Value;

use crate::AppError;
use crate::clock::Clock;
use crate::limits::{ActionLimiter, ActionPolicy, LoginLimiter, LoginPolicy};
use crate::photos::PhotoStore;

/// Appends retried after a `Conflict` before the caller sees `CONFLICT`.
const MAX_ATTEMPTS: u32 = 10;

/// A random pause before deciding again, growing with each lost race, so writers
/// contending for one stream spread out instead of colliding in lockstep.
async fn back_off(attempt: u32) {
    let ceiling_ms = 1u32 << attempt.min(7);
    let jitter = getrandom::u32().unwrap_or(ceiling_ms / 2) % ceiling_ms;
    tokio::time::sleep(Duration::from_millis(u64::from(jitter))).await;
}

/// What the application itself is configured with (the API's own limits are
/// `roundtable_api::ApiConfig`).
#[derive(Clone, Debug)]
pub struct AppConfig {
    pub session_ttl: Duration,
    pub login: LoginPolicy,
    /// How long a command waits for the read models to include its events.
    pub projection_wait: Duration,
    /// How often each member may raise and co-sign.
    pub actions: ActionPolicy,
}

impl Default for AppConfig {
    fn default() -> AppConfig {
        AppConfig {
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            login: LoginPolicy::default(),
            projection_wait: Duration::from_secs(10),
            actions: ActionPolicy::default(),
        }
    }
}

pub struct App {
    pub log: Arc<dyn Log>,
    pub projections: Arc<Projections>,
    pub vault: Arc<Vault>,
    pub clock: Arc<dyn Clock>,
    pub config: AppConfig,
    pub limiter: LoginLimiter,
    /// Per-member allowances for raising and co-signing.
    pub actions: ActionLimiter,
    /// Wrong feedback codes per issue back off like wrong passwords.
    pub feedback_attempts: LoginLimiter,
    pub photos: PhotoStore,
    /// One writer per stream at a time in this process, so residents co-signing one
    /// issue queue up instead of losing append races (other processes can still
    /// race: the expected seq and the retries cover that).
    stream_locks: StreamLocks,
    /// Sealed ballots are cast one at a time (see `cast_ballot`).
    pub(crate) sealing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct StreamLocks(std::sync::Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>);

impl StreamLocks {
    fn get(&self, stream: &StreamName) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(lock) = map.get(stream.as_str()).and_then(Weak::upgrade) {
            return lock;
        }
        if map.len() >= 4096 {
            map.retain(|_, lock| lock.strong_count() > 0);
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        map.insert(stream.as_str().to_owned(), Arc::downgrade(&lock));
        lock
    }
}

/// What a command appended (or had appended, when it was a retry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub indexes: Vec<u64>,
    pub replayed: bool,
}

/// The event id for the `n`th event of a command: derived from the idempotency key
/// (scoped to the actor and stream) so a retried command is recognised.
fn event_id(actor: &Value, stream: &StreamName, key: Option<&str>, n: usize) -> String {
    match key {
        Some(key) => {
            let name = format!("{}|{stream}|{key}|{n}", actor["id"].as_str().unwrap_or(""));
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
        }
        None => uuid::Uuid::new_v4().to_string(),
    }
}

impl App {
    pub fn new(
        log: Arc<dyn Log>,
        projections: Arc<Projections>,
        vault: Arc<Vault>,
        photos: PhotoStore,
        clock: Arc<dyn Clock>,
        config: AppConfig,
    ) -> App {
        App {
            limiter: LoginLimiter::new(config.login),
            actions: ActionLimiter::new(config.actions),
            feedback_attempts: LoginLimiter::new(config.login),
            photos,
            stream_locks: StreamLocks::default(),
            sealing: tokio::sync::Mutex::new(()),
            log,
            projections,
            vault,
            clock,
            config,
        }
    }

    /// Checks a command without appending anything (for work that must happen
    /// between the decision and the append, such as sealing personal data).
    pub async fn check<A: Aggregate>(
        &self,
        id: &A::Id,
        command: A::Command,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let stream = self.stream_name::<A>(id)?;
        let (state, _, _) = self.load::<A>(&stream).await?;
        let context = Context {
            actor: actor.clone(),
            now: self.clock.now(),
        };
        let registry = self.projections.directory();
        A::decide(id, &state, command, &context, &registry)?;
        Ok(())
    }

    pub async fn stream_exists<A: Aggregate>(&self, id: &A::Id) -> Result<bool, AppError> {
        let stream = self.stream_name::<A>(id)?;
        Ok(!self.log.read_stream(&stream, 1).await?.is_empty())
    }

    fn stream_name<A: Aggregate>(&self, id: &A::Id) -> Result<StreamName, AppError> {
        StreamName::new(A::stream(id)).map_err(AppError::internal)
    }

    /// The stream's state, its last seq, and the ids of its events with their indexes.
    async fn load<A: Aggregate>(
        &self,
        stream: &StreamName,
    ) -> Result<(A::State, u64, Vec<(String, u64)>), AppError> {
        let recorded = self.log.read_stream(stream, 1).await?;
        let mut state = A::State::default();
        let mut ids = Vec::with_capacity(recorded.len());
        for r in &recorded {
            let decoded = decode(&r.leaf).map_err(AppError::internal)?;
            if let Some(event) = &decoded.event {
                state = A::apply(state, event);
            }
            ids.push((decoded.id, r.index));
        }
        let seq = recorded.last().map_or(0, |r| r.seq);
        Ok((state, seq, ids))
    }

    /// The command handler: load, decide, append with the expected seq (retrying a
    /// bounded number of times on conflict), then wait until the read models include
    /// the new events. `envelope` overrides the actor written into the leaves (used
    /// when nobody is signed in yet: a registration is by the new member).
    pub async fn execute<A: Aggregate>(
        &self,
        id: &A::Id,
        command: A::Command,
        actor: &Actor,
        envelope: Option<Value>,
        key: Option<&str>,
    ) -> Result<Outcome, AppError> {
        let stream = self.stream_name::<A>(id)?;
        let envelope = envelope.unwrap_or_else(|| actor.envelope());
        let lock = self.stream_locks.get(&stream);
        for attempt in 1..=MAX_ATTEMPTS {
            let writing = lock.lock().await;
            let (state, seq, ids) = self.load::<A>(&stream).await?;
            if key.is_some() {
                let first = event_id(&envelope, &stream, key, 0);
                if let Some(start) = ids.iter().position(|(id, _)| *id == first) {
                    let indexes = ids[start..]
                        .iter()
                        .enumerate()
                        .take_while(|(n, (id, _))| *id == event_id(&envelope, &stream, key, *n))
                        .map(|(_, (_, index))| *index)
                        .collect();
                    return Ok(Outcome {
                        indexes,
                        replayed: true,
                    });
                }
            }
            let now = self.clock.now();
            let context = Context {
                actor: actor.clone(),
                now,
            };
            let events = {
                let registry = self.projections.directory();
                A::decide_for_log(id, &state, command.clone(), &context, &registry)?
            };
            let drafts = events
                .iter()
                .enumerate()
                .map(|(n, event)| {
                    draft(
                        event,
                        event_id(&envelope, &stream, key, n),
                        envelope.clone(),
                        now,
                    )
                })
                .collect();
            let appended = self.log.append(&stream, Expected::at(seq), drafts).await;
            drop(writing);
            match appended {
                Ok(appended) => {
                    let indexes: Vec<u64> = appended.events.iter().map(|e| e.index).collect();
                    if let Some(last) = indexes.last() {
                        self.wait_for(last + 1).await?;
                    }
                    return Ok(Outcome {
                        indexes,
                        replayed: appended.replayed,
                    });
                }
                Err(StoreError::Conflict { .. }) if attempt < MAX_ATTEMPTS => {
                    tracing::debug!(%stream, attempt, "append conflict; deciding again");
                    back_off(attempt).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Domain(
            DomainError::conflict(Refusal::KEPT_CHANGING).with("stream", stream),
        ))
    }

    /// Waits until the read models include every event below `size`.
    pub async fn wait_for(&self, size: u64) -> Result<(), AppError> {
        tokio::time::timeout(self.config.projection_wait, self.projections.wait_for(size))
            .await
            .map_err(|_| {
                AppError::internal(format!("read models did not reach index {size} in time"))
            })
    }
}
