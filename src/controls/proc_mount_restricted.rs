//! /proc mount type at restricted: `procMount_restricted` (v1.35+, where it replaces
//! `procMount`).
//!
//! Reads `securityContext.procMount` of every container; allowed: unset or `Default`. It is
//! the baseline control's check without its relaxation: a pod with `spec.hostUsers: false`
//! must not set another value either. The check and its exclusion values are the baseline
//! control's own (the same functions, so that a request judged at both levels runs the
//! check once).

pub use super::proc_mount::{check, forgive};
