pub mod client;
#[allow(clippy::all)]
#[rustfmt::skip]
pub mod generated;
