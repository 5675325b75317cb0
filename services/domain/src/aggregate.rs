//! The shape every aggregate shares, so one command handler serves them all.

use roundtable_ledger::Timestamp;

use crate::{Actor, Context, Directory, DomainError, Event, event::StreamEvent};

pub trait Aggregate {
    type Id: Clone + std::fmt::Display;
    type State: Default + Clone + std::fmt::Debug;
    type Command: Clone + std::fmt::Debug;
    /// The events of this aggregate's stream (one stream kind of the catalogue).
    type Event: StreamEvent;

    /// The stream kind (`member`, `council`, …).
    const STREAM_KIND: &'static str;

    /// The stream name for an id (`kind/id`).
    fn stream(id: &Self::Id) -> String {
        format!("{}/{id}", Self::STREAM_KIND)
    }

    /// Folds one event of this aggregate's stream into its state.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Checks a command against the state and returns the events it causes.
    fn decide(
        id: &Self::Id,
        state: &Self::State,
        command: Self::Command,
        context: &Context,
        directory: &dyn Directory,
    ) -> Result<Vec<Self::Event>, DomainError>;

    /// `decide`, with the events as the log carries them.
    fn decide_for_log(
        id: &Self::Id,
        state: &Self::State,
        command: Self::Command,
        context: &Context,
        directory: &dyn Directory,
    ) -> Result<Vec<Event>, DomainError> {
        Self::decide(id, state, command, context, directory)
            .map(|events| events.into_iter().map(Into::into).collect())
    }

    /// Whether `command` would be accepted now: `decide` as a dry run (nothing is
    /// written). What the viewer may do is asked this way, so no copy of a rule
    /// lives outside the domain. A refusal only about an argument the viewer has
    /// yet to choose (`chosen_later`, e.g. the issue to merge into) still permits it:
    /// those are checked when the command is sent with them.
    fn permits(
        id: &Self::Id,
        state: &Self::State,
        command: Self::Command,
        context: &Context,
        directory: &dyn Directory,
        chosen_later: &[&str],
    ) -> bool {
        Self::refusal(id, state, command, context, directory, chosen_later).is_none()
    }

    /// Why [`Aggregate::permits`] says no (None when it says yes): what the app
    /// tells a viewer who cannot act, in one line.
    fn refusal(
        id: &Self::Id,
        state: &Self::State,
        command: Self::Command,
        context: &Context,
        directory: &dyn Directory,
        chosen_later: &[&str],
    ) -> Option<DomainError> {
        match Self::decide(id, state, command, context, directory) {
            Ok(_) => None,
            Err(DomainError::Validation { field, .. }) if chosen_later.contains(&field) => None,
            Err(e) => Some(e),
        }
    }

    /// Folds an event of the log if it is one of this aggregate's (a stream holds
    /// only its own kind; anything else leaves the state as it is).
    fn apply(state: Self::State, event: &Event) -> Self::State {
        match Self::Event::of(event) {
            Some(own) => Self::evolve(state, own),
            None => state,
        }
    }

    /// The state after a stream's events.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self::State {
        events.into_iter().fold(Self::State::default(), Self::apply)
    }
}

/// What one command is decided with, for an aggregate whose `decide` hands each
/// command to a function of its own.
pub(crate) struct Deciding<'a, A: Aggregate> {
    id: &'a A::Id,
    state: &'a A::State,
    actor: &'a Actor,
    now: Timestamp,
    directory: &'a dyn Directory,
}

impl<'a, A: Aggregate> Deciding<'a, A> {
    pub(crate) fn new(
        id: &'a A::Id,
        state: &'a A::State,
        context: &'a Context,
        directory: &'a dyn Directory,
    ) -> Self {
        Deciding {
            id,
            state,
            actor: &context.actor,
            now: context.now,
            directory,
        }
    }

    /// Everything at once, for a decider to take what it needs in one line.
    pub(crate) fn parts(
        &self,
    ) -> (
        &'a A::Id,
        &'a A::State,
        &'a Actor,
        Timestamp,
        &'a dyn Directory,
    ) {
        (self.id, self.state, self.actor, self.now, self.directory)
    }
}

/// One command's decision: the aggregate's events, or why not.
pub(crate) type Decided<A> = Result<Vec<<A as Aggregate>::Event>, DomainError>;

/// Implements [`Aggregate`] for an aggregate from its module's own `evolve`
/// (`fn(State, &Event) -> State`) and `decide` (`fn(&Deciding<'_, A>, Command) ->
/// Decided<A>`), so each module states its types once and writes only its rules.
macro_rules! aggregate {
    ($aggregate:ident: $id:ident, $state:ty, $command:ty, $event:ty) => {
        impl $crate::Aggregate for $aggregate {
            type Id = $id;
            type State = $state;
            type Command = $command;
            type Event = $event;
            const STREAM_KIND: &'static str = $id::STREAM_KIND;

            fn evolve(state: $state, event: &$event) -> $state {
                evolve(state, event)
            }

            fn decide(
                id: &$id,
                state: &$state,
                command: $command,
                context: &$crate::Context,
                directory: &dyn $crate::Directory,
            ) -> Result<Vec<$event>, $crate::DomainError> {
                decide(
                    &$crate::aggregate::Deciding::new(id, state, context, directory),
                    command,
                )
            }
        }
    };
}
pub(crate) use aggregate;
