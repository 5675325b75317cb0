//! The shape every aggregate shares, so one command handler serves them all.

use crate::{Context, Directory, DomainError, Event};

pub trait Aggregate {
    type Id: Clone + std::fmt::Display;
    type State: Default + Clone + std::fmt::Debug;
    type Command: Clone + std::fmt::Debug;

    /// The stream kind (`member`, `council`, …).
    const STREAM_KIND: &'static str;

    /// The stream name for an id.
    fn stream(id: &Self::Id) -> String;

    /// Folds one event of this aggregate's stream into its state.
    fn evolve(state: Self::State, event: &Event) -> Self::State;

    /// Checks a command against the state and returns the events it causes.
    fn decide(
        id: &Self::Id,
        state: &Self::State,
        command: Self::Command,
        context: &Context,
        directory: &dyn Directory,
    ) -> Result<Vec<Event>, DomainError>;

    /// The state after a stream's events.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self::State {
        events
            .into_iter()
            .fold(Self::State::default(), |state, event| {
                Self::evolve(state, event)
            })
    }
}
