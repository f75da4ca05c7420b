//! What a control is: its level, its revisions (one per policy version that changed it),
//! the pods a revision is relaxed for, and how an exclusion selects what it forgives.

use super::table::CONTROLS;
use super::Violation;
use crate::pod::{Container, ObjectMeta, PodView};

/// A Pod Security Standard level, from the least strict: `Privileged` checks nothing (a
/// mode at that level is off), and no control belongs to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A control by name: one variant per entry of [`CONTROLS`], in its order (a variant's
/// number is its place there, which `table.rs` checks when the policy is compiled), then
/// this policy's own control. Naming a control that does not exist does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControlId {
    // --- baseline ---
    AppArmorProfile,
    CapabilitiesBaseline,
    HostNamespaces,
    HostPathVolumes,
    HostPorts,
    HostProbesAndHostLifecycle,
    Privileged,
    ProcMount,
    SeLinuxOptions,
    SeccompProfileBaseline,
    Sysctls,
    WindowsHostProcess,
    // --- restricted ---
    AllowPrivilegeEscalation,
    CapabilitiesRestricted,
    ProcMountRestricted,
    RestrictedVolumes,
    RunAsNonRoot,
    RunAsUser,
    SeccompProfileRestricted,
    // --- ours ---
    ReadOnlyRootFilesystem,
}

impl ControlId {
    /// The control's name, as Pod Security Admission names its check (and as settings
    /// name it).
    pub const fn as_str(self) -> &'static str {
        match self {
            ControlId::AppArmorProfile => "appArmorProfile",
            ControlId::CapabilitiesBaseline => "capabilities_baseline",
            ControlId::HostNamespaces => "hostNamespaces",
            ControlId::HostPathVolumes => "hostPathVolumes",
            ControlId::HostPorts => "hostPorts",
            ControlId::HostProbesAndHostLifecycle => "hostProbesAndHostLifecycle",
            ControlId::Privileged => "privileged",
            ControlId::ProcMount => "procMount",
            ControlId::SeLinuxOptions => "seLinuxOptions",
            ControlId::SeccompProfileBaseline => "seccompProfile_baseline",
            ControlId::Sysctls => "sysctls",
            ControlId::WindowsHostProcess => "windowsHostProcess",
            ControlId::AllowPrivilegeEscalation => "allowPrivilegeEscalation",
            ControlId::CapabilitiesRestricted => "capabilities_restricted",
            ControlId::ProcMountRestricted => "procMount_restricted",
            ControlId::RestrictedVolumes => "restrictedVolumes",
            ControlId::RunAsNonRoot => "runAsNonRoot",
            ControlId::RunAsUser => "runAsUser",
            ControlId::SeccompProfileRestricted => "seccompProfile_restricted",
            ControlId::ReadOnlyRootFilesystem => "readOnlyRootFilesystem",
        }
    }

    /// The control's place in [`CONTROLS`] (for our own control: `CONTROLS.len()`).
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for ControlId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub type CheckFn = fn(&PodView) -> Option<Violation>;

/// Pods a revision lets through whatever they set, because the setting means nothing there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relaxed {
    Never,
    /// `spec.os.name: windows`: the API server forbids the Linux-only fields these
    /// controls require, so PSA (from v1.25) does not require them.
    ForWindowsPods,
    /// `spec.hostUsers: false`: root and /proc are the user namespace's own (PSA v1.35+).
    ForUserNamespacePods,
}

/// One revision of a control, in force from policy version `v1.<since>` until the next one.
pub struct Revision {
    pub since: u32,
    pub check: CheckFn,
    pub relaxed: Relaxed,
    /// Baseline controls that this (restricted) revision replaces at the restricted level.
    pub overrides: &'static [ControlId],
}

impl Revision {
    /// Runs the revision's check, unless the pod is one it is relaxed for.
    ///
    /// A relaxed restricted revision still never lets through what the baseline control it
    /// replaces refuses: for such a pod that control judges instead. PSA (from v1.25) lets a
    /// Windows pod through `capabilities_restricted` and `seccompProfile_restricted`
    /// whatever it sets, counting on the API server to refuse those fields on Windows pods,
    /// so a Windows pod adding `SYS_ADMIN` or asking for `Unconfined` passed restricted yet
    /// failed baseline. Here it fails both: restricted is never looser than baseline.
    pub fn check(&self, pod: &PodView) -> Option<Violation> {
        if self.relaxes(pod) {
            return self.overrides.iter().find_map(|id| {
                CONTROLS
                    .get(id.index())?
                    .revision_at(self.since)?
                    .check(pod)
            });
        }
        (self.check)(pod)
    }

    /// Whether the revision relaxes its check for this pod (and so judges it otherwise).
    pub fn relaxes(&self, pod: &PodView) -> bool {
        match self.relaxed {
            Relaxed::Never => false,
            Relaxed::ForWindowsPods => pod.spec.is_windows(),
            Relaxed::ForUserNamespacePods => pod.spec.in_user_namespace(),
        }
    }

    pub(super) const fn relaxed(self, relaxed: Relaxed) -> Revision {
        Revision { relaxed, ..self }
    }
}

pub struct Control {
    /// The control's name, as Pod Security Admission names its check.
    pub id: ControlId,
    pub level: Level,
    pub revisions: &'static [Revision],
    /// What the control judges, and so what an exclusion can select and forgive.
    pub scope: Scope,
}

/// Takes an exclusion's forgiven values out of one container (and the annotations that
/// name it), returning those it took.
pub type ContainerForgiveFn = fn(&mut ObjectMeta, &mut Container, &[String]) -> Vec<String>;
/// Takes an exclusion's forgiven values out of the pod, returning those it took.
pub type PodForgiveFn = fn(&mut PodView, &[String]) -> Vec<String>;

/// Whether a control judges each container or the pod as a whole, and how an exclusion's
/// `values` are taken out of it (`forgive: None`: the control has no values to forgive).
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The pod's own settings: an exclusion names values, never containers.
    Pod { forgive: Option<PodForgiveFn> },
    /// Each container: an exclusion selects containers (by image or name), and maybe values.
    Container { forgive: Option<ContainerForgiveFn> },
}

impl Scope {
    /// Whether an exclusion of the control can name values to forgive.
    pub fn forgives_values(self) -> bool {
        match self {
            Scope::Pod { forgive } => forgive.is_some(),
            Scope::Container { forgive } => forgive.is_some(),
        }
    }
}

pub(super) const fn rev(since: u32, check: CheckFn) -> Revision {
    Revision {
        since,
        check,
        relaxed: Relaxed::Never,
        overrides: &[],
    }
}

pub(super) const fn rev_over(
    since: u32,
    check: CheckFn,
    overrides: &'static [ControlId],
) -> Revision {
    Revision {
        since,
        check,
        relaxed: Relaxed::Never,
        overrides,
    }
}

impl Control {
    /// The revision in force at policy version `v1.<minor>`, if the control exists there.
    pub fn revision_at(&self, minor: u32) -> Option<&Revision> {
        revision_index(self, minor).map(|i| &self.revisions[i])
    }
}

/// The index of `control`'s revision in force at `v1.<minor>` (the last one since then).
pub(super) const fn revision_index(control: &Control, minor: u32) -> Option<usize> {
    let mut i = control.revisions.len();
    while i > 0 {
        i -= 1;
        if control.revisions[i].since <= minor {
            return Some(i);
        }
    }
    None
}

/// The newest `since` of any revision in `table` (0 for an empty table).
pub(super) const fn newest_since(table: &[Control]) -> u32 {
    let mut newest = 0;
    let mut c = 0;
    while c < table.len() {
        let revisions = table[c].revisions;
        let mut r = 0;
        while r < revisions.len() {
            if revisions[r].since > newest {
                newest = revisions[r].since;
            }
            r += 1;
        }
        c += 1;
    }
    newest
}
