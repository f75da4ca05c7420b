//! The planner on a small made-up table, one named case a row, as PSA's
//! `policy/registry_test.go` tests its registry: which revision of which control applies at
//! a level and version, overrides, controls introduced later, relaxed revisions, versions
//! newer than the table.

use super::{in_force, plan, row, Plan};
use crate::controls::registry::{rev, rev_over, Control, ControlId, Level, Relaxed, Scope};
use crate::controls::Violation;
use crate::pod::PodView;

fn check(_: &PodView) -> Option<Violation> {
    None
}

/// v1.0 to v1.7: a version newer than v1.7 is planned as v1.7.
const VERSIONS: usize = 8;

/// Five made-up controls (their ids borrowed from the real table, nothing else):
/// `hostPorts` changed at v1.5; `privileged` appeared at v1.3; `procMount` was relaxed at
/// v1.4, where `procMount_restricted` replaces it at restricted; `runAsUser` (restricted)
/// appeared at v1.2 and was relaxed for Windows pods at v1.6.
static TABLE: [Control; 5] = [
    Control {
        id: ControlId::HostPorts,
        level: Level::Baseline,
        revisions: &[rev(0, check), rev(5, check)],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::Privileged,
        level: Level::Baseline,
        revisions: &[rev(3, check)],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::ProcMount,
        level: Level::Baseline,
        revisions: &[
            rev(0, check),
            rev(4, check).relaxed(Relaxed::ForUserNamespacePods),
        ],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::ProcMountRestricted,
        level: Level::Restricted,
        revisions: &[rev_over(4, check, &[ControlId::ProcMount])],
        scope: Scope::Container { forgive: None },
    },
    Control {
        id: ControlId::RunAsUser,
        level: Level::Restricted,
        revisions: &[
            rev(2, check),
            rev(6, check).relaxed(Relaxed::ForWindowsPods),
        ],
        scope: Scope::Container { forgive: None },
    },
];

static PLAN: Plan<5, VERSIONS> = plan(&TABLE);

/// What applies at `level` and `v1.<minor>`: (control, its revision's `since`, whether
/// relaxed), in table order.
fn planned(level: Level, minor: u32) -> Vec<(&'static str, u32, Relaxed)> {
    let Some(row) = row(&PLAN, level, minor) else {
        return Vec::new();
    };
    in_force(&TABLE, row)
        .map(|(place, control, revision)| {
            assert_eq!(TABLE[place].id, control.id);
            (control.id.as_str(), revision.since, revision.relaxed)
        })
        .collect()
}

#[test]
fn the_planner_on_a_small_table() {
    use Relaxed::{ForUserNamespacePods as Userns, ForWindowsPods as Windows, Never};
    type Expected = &'static [(&'static str, u32, Relaxed)];
    let cases: [(&str, Level, u32, Expected); 12] = [
        (
            "baseline at v1.0: each control's first revision",
            Level::Baseline,
            0,
            &[("hostPorts", 0, Never), ("procMount", 0, Never)],
        ),
        (
            "a control introduced later than the version asked is absent",
            Level::Baseline,
            2,
            &[("hostPorts", 0, Never), ("procMount", 0, Never)],
        ),
        (
            "a control applies from the version it appeared at",
            Level::Baseline,
            3,
            &[
                ("hostPorts", 0, Never),
                ("privileged", 3, Never),
                ("procMount", 0, Never),
            ],
        ),
        (
            "between two revisions the older one applies",
            Level::Baseline,
            4,
            &[
                ("hostPorts", 0, Never),
                ("privileged", 3, Never),
                ("procMount", 4, Userns),
            ],
        ),
        (
            "at a revision's version the newer one applies",
            Level::Baseline,
            5,
            &[
                ("hostPorts", 5, Never),
                ("privileged", 3, Never),
                ("procMount", 4, Userns),
            ],
        ),
        (
            "restricted controls do not apply at baseline",
            Level::Baseline,
            7,
            &[
                ("hostPorts", 5, Never),
                ("privileged", 3, Never),
                ("procMount", 4, Userns),
            ],
        ),
        (
            "restricted includes baseline",
            Level::Restricted,
            2,
            &[
                ("hostPorts", 0, Never),
                ("procMount", 0, Never),
                ("runAsUser", 2, Never),
            ],
        ),
        (
            "before its overriding revision exists, the baseline control applies at restricted",
            Level::Restricted,
            3,
            &[
                ("hostPorts", 0, Never),
                ("privileged", 3, Never),
                ("procMount", 0, Never),
                ("runAsUser", 2, Never),
            ],
        ),
        (
            "a restricted revision replaces the baseline control it overrides",
            Level::Restricted,
            4,
            &[
                ("hostPorts", 0, Never),
                ("privileged", 3, Never),
                ("procMount_restricted", 4, Never),
                ("runAsUser", 2, Never),
            ],
        ),
        (
            "a relaxed revision applies from its version",
            Level::Restricted,
            6,
            &[
                ("hostPorts", 5, Never),
                ("privileged", 3, Never),
                ("procMount_restricted", 4, Never),
                ("runAsUser", 6, Windows),
            ],
        ),
        (
            "a version newer than the table is planned as the newest",
            Level::Restricted,
            99,
            &[
                ("hostPorts", 5, Never),
                ("privileged", 3, Never),
                ("procMount_restricted", 4, Never),
                ("runAsUser", 6, Windows),
            ],
        ),
        ("privileged: nothing applies", Level::Privileged, 5, &[]),
    ];
    for (name, level, minor, expected) in cases {
        assert_eq!(planned(level, minor), expected, "{name}");
    }
}

#[test]
fn an_override_of_a_control_not_in_the_table_changes_nothing() {
    static ALONE: [Control; 2] = [
        Control {
            id: ControlId::HostPathVolumes,
            level: Level::Baseline,
            revisions: &[rev(0, check)],
            scope: Scope::Pod { forgive: None },
        },
        Control {
            id: ControlId::CapabilitiesRestricted,
            level: Level::Restricted,
            revisions: &[rev_over(1, check, &[ControlId::CapabilitiesBaseline])],
            scope: Scope::Container { forgive: None },
        },
    ];
    const PLAN: Plan<2, 2> = plan(&ALONE);
    for (name, level, minor, expected) in [
        ("baseline", Level::Baseline, 1, [1, 0]),
        ("restricted before", Level::Restricted, 0, [1, 0]),
        ("restricted after", Level::Restricted, 1, [1, 1]),
    ] {
        assert_eq!(row(&PLAN, level, minor), Some(&expected), "{name}");
    }
}
