//! Precise exceptions: one control forgiven for named images or containers, or only for
//! named offending values, instead of exempting a whole namespace.
//!
//! An exclusion never switches a check off in the code: the control runs, as always, on a
//! view of the pod from which the forgiven containers (or the forgiven values) have been
//! taken out. A container-scoped exclusion applies to the containers that match every
//! selector it gives; every other container is still checked.
//!
//! The parts: `entry.rs` (an entry of the `exclusions` setting, read and checked, and what
//! it selects), `evaluate.rs` (the evaluation loop, exclusions applied),
//! `forgive.rs` (taking what an entry forgives out of a view of the pod), `floor.rs` (the
//! baseline floor under an exclusion of a restricted control), `notes.rs` (the notes of the
//! exclusions in use) and `tests.rs` (exclusions end to end).

mod entry;
mod evaluate;
mod floor;
mod forgive;
mod notes;

pub use entry::Exclusion;
pub(crate) use entry::RawExclusion;
pub use evaluate::{evaluate, Outcome};
pub use notes::Notes;

#[cfg(test)]
mod tests;
