//! Namespaces, with `levelsFromNamespaceLabels: true`: the enforce, warn and audit levels
//! and versions of a request come from its namespace's
//! `pod-security.kubernetes.io/{enforce,warn,audit}[-version]` labels, the settings acting
//! as Pod Security Admission's AdmissionConfiguration defaults; and Namespace requests are
//! judged as PSA judges them. Parsing follows PSA's `api.PolicyToEvaluate`, what a request
//! then gets `admission.go`.
//!
//! In parts: [`labels`] (the labels, read from a Namespace's JSON), [`cluster`] (reading
//! the cluster through the host), [`policy`] (the levels the labels set, and their
//! errors), [`levels`] (a pod's request judged at its namespace's levels), [`request`]
//! (Namespace requests) and [`existing_pods`] (the pods an enforce change would refuse).

pub mod cluster;
pub mod existing_pods;
pub mod labels;
pub mod levels;
pub mod policy;
pub mod request;

pub use cluster::{Cluster, WapcHost};
pub use labels::Labels;

#[cfg(test)]
pub(crate) mod tests;
