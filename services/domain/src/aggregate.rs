//! The shape every aggregate shares, so one command handler serves them all.

use crate::{Context, Directory, DomainError, Event, event::StreamEvent};

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
        match Self::decide(id, state, command, context, directory) {
            Ok(_) => true,
            Err(DomainError::Validation { field, .. }) => chosen_later.contains(&field),
            Err(_) => false,
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
