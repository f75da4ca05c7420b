//! The one table of controls: which control belongs to which level from which policy
//! version, in message order.
//!
//! Naming rule: one file per PSA check, named after its check ID in snake case (a restricted
//! check that replaces a baseline one has its own file, even when it reuses the baseline
//! check). A check function that never changed is `check`, however many revisions use it
//! (revisions that differ only in what they relax); a control whose check changed names each
//! `check_v1_<N>`, after the policy version it is in force from (`check_v1_0` the first).

use super::registry::{newest_since, rev, rev_over, Control, ControlId, Level, Relaxed, Scope};
use super::{
    allow_privilege_escalation, app_armor_profile, capabilities_baseline, capabilities_restricted,
    host_namespaces, host_path_volumes, host_ports, host_probes_and_host_lifecycle, privileged,
    proc_mount, proc_mount_restricted, read_only_root_filesystem, restricted_volumes,
    run_as_non_root, run_as_user, se_linux_options, seccomp_profile_baseline,
    seccomp_profile_restricted, sysctls, windows_host_process,
};

/// The newest policy version whose controls this policy knows; `latest` means this one,
/// and any newer `v1.x` is evaluated as this one, as Pod Security Admission does. It is the
/// newest revision's `since` in [`CONTROLS`]: a version that changed no check judges as the
/// one before it, so the table's newest revision is the newest version there is to know.
pub const NEWEST_KNOWN_MINOR: u32 = newest_since(CONTROLS);

/// Every control. The order is the order of violations in a rejection message: Pod
/// Security Admission sorts baseline check IDs, then restricted check IDs, by byte order.
pub static CONTROLS: &[Control] = &[
    // --- baseline ---
    Control {
        id: ControlId::AppArmorProfile,
        level: Level::Baseline,
        revisions: &[rev(0, app_armor_profile::check)],
        scope: Scope::Container {
            forgive: Some(app_armor_profile::forgive),
        },
    },
    Control {
        id: ControlId::CapabilitiesBaseline,
        level: Level::Baseline,
        revisions: &[rev(0, capabilities_baseline::check)],
        scope: Scope::Container {
            forgive: Some(capabilities_baseline::forgive),
        },
    },
    Control {
        id: ControlId::HostNamespaces,
        level: Level::Baseline,
        revisions: &[rev(0, host_namespaces::check)],
        scope: Scope::Pod {
            forgive: Some(host_namespaces::forgive),
        },
    },
    Control {
        id: ControlId::HostPathVolumes,
        level: Level::Baseline,
        revisions: &[rev(0, host_path_volumes::check)],
        scope: Scope::Pod {
            forgive: Some(host_path_volumes::forgive),
        },
    },
    Control {
        id: ControlId::HostPorts,
        level: Level::Baseline,
        revisions: &[rev(0, host_ports::check)],
        scope: Scope::Container {
            forgive: Some(host_ports::forgive),
        },
    },
    Control {
        id: ControlId::HostProbesAndHostLifecycle,
        level: Level::Baseline,
        revisions: &[rev(34, host_probes_and_host_lifecycle::check)],
        scope: Scope::Container {
            forgive: Some(host_probes_and_host_lifecycle::forgive),
        },
    },
    Control {
        id: ControlId::Privileged,
        level: Level::Baseline,
        revisions: &[rev(0, privileged::check)],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::ProcMount,
        level: Level::Baseline,
        revisions: &[
            rev(0, proc_mount::check),
            rev(35, proc_mount::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
        scope: Scope::Container {
            forgive: Some(proc_mount::forgive),
        },
    },
    Control {
        id: ControlId::SeLinuxOptions,
        level: Level::Baseline,
        revisions: &[
            rev(0, se_linux_options::check_v1_0),
            rev(31, se_linux_options::check_v1_31),
        ],
        scope: Scope::Container {
            forgive: Some(se_linux_options::forgive),
        },
    },
    Control {
        id: ControlId::SeccompProfileBaseline,
        level: Level::Baseline,
        revisions: &[
            rev(0, seccomp_profile_baseline::check_v1_0),
            rev(19, seccomp_profile_baseline::check_v1_19),
        ],
        scope: Scope::Container {
            forgive: Some(seccomp_profile_baseline::forgive),
        },
    },
    Control {
        id: ControlId::Sysctls,
        level: Level::Baseline,
        revisions: &[
            rev(0, sysctls::check_v1_0),
            rev(27, sysctls::check_v1_27),
            rev(29, sysctls::check_v1_29),
            rev(32, sysctls::check_v1_32),
            rev(37, sysctls::check_v1_37),
        ],
        scope: Scope::Pod {
            forgive: Some(sysctls::forgive),
        },
    },
    Control {
        id: ControlId::WindowsHostProcess,
        level: Level::Baseline,
        revisions: &[rev(0, windows_host_process::check)],
        scope: Scope::Container { forgive: None },
    },
    // --- restricted ---
    Control {
        id: ControlId::AllowPrivilegeEscalation,
        level: Level::Restricted,
        revisions: &[
            rev(8, allow_privilege_escalation::check),
            rev(25, allow_privilege_escalation::check).relaxed(Relaxed::ForWindowsPods),
        ],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::CapabilitiesRestricted,
        level: Level::Restricted,
        revisions: &[
            rev_over(
                22,
                capabilities_restricted::check,
                &[ControlId::CapabilitiesBaseline],
            ),
            rev_over(
                25,
                capabilities_restricted::check,
                &[ControlId::CapabilitiesBaseline],
            )
            .relaxed(Relaxed::ForWindowsPods),
        ],
        scope: Scope::Container {
            forgive: Some(capabilities_restricted::forgive),
        },
    },
    Control {
        id: ControlId::ProcMountRestricted,
        level: Level::Restricted,
        revisions: &[rev_over(
            35,
            proc_mount_restricted::check,
            &[ControlId::ProcMount],
        )],
        scope: Scope::Container {
            forgive: Some(proc_mount_restricted::forgive),
        },
    },
    Control {
        id: ControlId::RestrictedVolumes,
        level: Level::Restricted,
        revisions: &[rev_over(
            0,
            restricted_volumes::check,
            &[ControlId::HostPathVolumes],
        )],
        scope: Scope::Pod {
            forgive: Some(restricted_volumes::forgive),
        },
    },
    Control {
        id: ControlId::RunAsNonRoot,
        level: Level::Restricted,
        revisions: &[
            rev(0, run_as_non_root::check),
            rev(35, run_as_non_root::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::RunAsUser,
        level: Level::Restricted,
        revisions: &[
            rev(23, run_as_user::check),
            rev(35, run_as_user::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::SeccompProfileRestricted,
        level: Level::Restricted,
        revisions: &[
            rev_over(
                19,
                seccomp_profile_restricted::check,
                &[ControlId::SeccompProfileBaseline],
            ),
            rev_over(
                25,
                seccomp_profile_restricted::check,
                &[ControlId::SeccompProfileBaseline],
            )
            .relaxed(Relaxed::ForWindowsPods),
        ],
        scope: Scope::Container {
            forgive: Some(seccomp_profile_restricted::forgive),
        },
    },
];

/// This policy's own control beyond the standard, switched by `requireReadOnlyRootFilesystem`
/// at every level and version (so its one revision is v1.0).
pub static READ_ONLY_ROOT_FILESYSTEM: Control = Control {
    id: ControlId::ReadOnlyRootFilesystem,
    level: Level::Baseline,
    revisions: &[rev(0, read_only_root_filesystem::check)],
    scope: Scope::Container { forgive: None },
};

/// Every control by the name settings use: PSA's check IDs, then ours.
pub fn all_named() -> impl Iterator<Item = &'static Control> {
    CONTROLS
        .iter()
        .chain(std::iter::once(&READ_ONLY_ROOT_FILESYSTEM))
}

/// A control by the name settings use.
pub fn named(id: &str) -> Option<&'static Control> {
    all_named().find(|c| c.id.as_str() == id)
}

/// Every [`ControlId`] is the place of its control: `CONTROLS[id.index()].id == id`, and our
/// control comes after the standard's. Checked when the policy is compiled.
const _: () = {
    let mut place = 0;
    while place < CONTROLS.len() {
        assert!(CONTROLS[place].id.index() == place);
        place += 1;
    }
    assert!(READ_ONLY_ROOT_FILESYSTEM.id.index() == CONTROLS.len());
};
