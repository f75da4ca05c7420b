//! The Pod Security Standards, one control per file, and the one table that says which
//! control belongs to which level from which policy version.
//!
//! Each control is a pure function of a [`PodView`](crate::pod::PodView) that returns `None` when the pod is
//! allowed and a [`Violation`] (in Pod Security Admission's own words) when it is not.
//!
//! The registry is in parts: [`registry`] (what a control and its revisions are),
//! [`table`] (the one table of controls, levels and versions), [`plan`] (which revisions
//! apply at a level and version, worked out at compile time), [`budget`] (the bound on a
//! message's details) and [`helpers`] (shapes several checks share).

pub mod allow_privilege_escalation;
pub mod app_armor_profile;
mod budget;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
mod helpers;
pub mod host_namespaces;
pub mod host_path_volumes;
pub mod host_ports;
pub mod host_probes_and_host_lifecycle;
mod plan;
pub mod privileged;
pub mod proc_mount;
pub mod proc_mount_restricted;
pub mod read_only_root_filesystem;
mod registry;
pub mod restricted_volumes;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod se_linux_options;
pub mod seccomp_profile_baseline;
pub mod seccomp_profile_restricted;
pub mod sysctls;
mod table;
pub mod windows_host_process;
mod wording;

pub use crate::bounds::{MAX_LIST_ITEMS, MAX_VALUE_BYTES};
pub(crate) use budget::bound;
pub use budget::MAX_DETAILS_BYTES;
pub(crate) use helpers::{containers_where, forbidden_profile_types, forgive_profile};
pub use plan::{checks_at, indexed_checks_at, revision_numbers, CONTROL_COUNT};
pub use registry::{
    CheckFn, ContainerForgiveFn, Control, ControlId, Level, PodForgiveFn, Relaxed, Revision, Scope,
};
pub use table::{all_named, named, CONTROLS, NEWEST_KNOWN_MINOR, READ_ONLY_ROOT_FILESYSTEM};
pub use wording::Violation;
pub(crate) use wording::{go_quote, sorted_set};

#[cfg(test)]
pub(crate) mod test_support {
    use crate::pod::PodView;

    /// Parse a pod view from JSON, leaking the text so the view can borrow it in tests.
    pub fn pod(json: &str) -> PodView<'static> {
        let text: &'static str = Box::leak(json.to_owned().into_boxed_str());
        PodView::from_json(text).unwrap_or_else(|e| panic!("bad test pod {json}: {e}"))
    }
}

#[cfg(test)]
mod tests;
