//! The Pod Security Standards, one control per file, and the one table that says which
//! control belongs to which level from which policy version.
//!
//! Each control is a pure function of a [`PodView`] that returns `None` when the pod is
//! allowed and a [`Violation`] (in Pod Security Admission's own words) when it is not.

use crate::list::List;
use crate::pod::{Container, ObjectMeta, PodView, ProfileType, SecurityContext};

pub mod allow_privilege_escalation;
pub mod app_armor_profile;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
pub mod host_namespaces;
pub mod host_path_volumes;
pub mod host_ports;
pub mod host_probes_and_host_lifecycle;
pub mod privileged;
pub mod proc_mount;
pub mod read_only_root_filesystem;
pub mod restricted_volumes;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod se_linux_options;
pub mod seccomp_profile;
pub mod sysctls;
pub mod windows_host_process;
mod wording;

pub use crate::bounds::{MAX_LIST_ITEMS, MAX_VALUE_BYTES};
pub use wording::Violation;
pub(crate) use wording::{go_quote, sorted_set};

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
    pub overrides: &'static [&'static str],
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
        let relaxed = match self.relaxed {
            Relaxed::Never => false,
            Relaxed::ForWindowsPods => pod.spec.is_windows(),
            Relaxed::ForUserNamespacePods => pod.spec.in_user_namespace(),
        };
        if relaxed {
            return self.overrides.iter().find_map(|id| {
                CONTROLS
                    .iter()
                    .find(|c| c.id == *id)?
                    .revision_at(self.since)?
                    .check(pod)
            });
        }
        (self.check)(pod)
    }

    const fn relaxed(self, relaxed: Relaxed) -> Revision {
        Revision { relaxed, ..self }
    }
}

pub struct Control {
    /// The control's name, as Pod Security Admission names its check.
    pub id: &'static str,
    pub level: Level,
    pub revisions: &'static [Revision],
    /// What an exclusion can select: containers (by image or name), or only the pod's values.
    pub scope: Scope,
    /// How an exclusion's `values` are taken out of the pod; `None`: the control has none.
    pub forgive: Option<Forgive>,
}

/// Whether a control judges each container or the pod as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Pod,
    Container,
}

/// Takes an exclusion's forgiven values out of a view of the pod, returning those it took.
#[derive(Debug, Clone, Copy)]
pub enum Forgive {
    /// From one container (and the annotations that name it).
    Container(fn(&mut ObjectMeta, &mut Container, &[String]) -> Vec<String>),
    /// From the pod.
    Pod(fn(&mut PodView, &[String]) -> Vec<String>),
}

const fn rev(since: u32, check: CheckFn) -> Revision {
    Revision {
        since,
        check,
        relaxed: Relaxed::Never,
        overrides: &[],
    }
}

const fn rev_over(since: u32, check: CheckFn, overrides: &'static [&'static str]) -> Revision {
    Revision {
        since,
        check,
        relaxed: Relaxed::Never,
        overrides,
    }
}

/// The newest policy version whose controls this policy knows; `latest` means this one,
/// and any newer `v1.x` is evaluated as this one, as Pod Security Admission does.
pub const NEWEST_KNOWN_MINOR: u32 = 37;

/// Every control. The order is the order of violations in a rejection message: Pod
/// Security Admission sorts baseline check IDs, then restricted check IDs, by byte order.
pub static CONTROLS: &[Control] = &[
    // --- baseline ---
    Control {
        id: "appArmorProfile",
        level: Level::Baseline,
        revisions: &[rev(0, app_armor_profile::check)],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(app_armor_profile::forgive)),
    },
    Control {
        id: "capabilities_baseline",
        level: Level::Baseline,
        revisions: &[rev(0, capabilities_baseline::check)],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(capabilities_baseline::forgive)),
    },
    Control {
        id: "hostNamespaces",
        level: Level::Baseline,
        revisions: &[rev(0, host_namespaces::check)],
        scope: Scope::Pod,
        forgive: Some(Forgive::Pod(host_namespaces::forgive)),
    },
    Control {
        id: "hostPathVolumes",
        level: Level::Baseline,
        revisions: &[rev(0, host_path_volumes::check)],
        scope: Scope::Pod,
        forgive: Some(Forgive::Pod(host_path_volumes::forgive)),
    },
    Control {
        id: "hostPorts",
        level: Level::Baseline,
        revisions: &[rev(0, host_ports::check)],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(host_ports::forgive)),
    },
    Control {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        revisions: &[rev(34, host_probes_and_host_lifecycle::check)],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(host_probes_and_host_lifecycle::forgive)),
    },
    Control {
        id: "privileged",
        level: Level::Baseline,
        revisions: &[rev(0, privileged::check)],
        scope: Scope::Container,
        forgive: None,
    },
    Control {
        id: "procMount",
        level: Level::Baseline,
        revisions: &[
            rev(0, proc_mount::check),
            rev(35, proc_mount::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(proc_mount::forgive)),
    },
    Control {
        id: "seLinuxOptions",
        level: Level::Baseline,
        revisions: &[
            rev(0, se_linux_options::check_v1_0),
            rev(31, se_linux_options::check_v1_31),
        ],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(se_linux_options::forgive)),
    },
    Control {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        revisions: &[
            rev(0, seccomp_profile::baseline_annotations),
            rev(19, seccomp_profile::baseline_fields),
        ],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(seccomp_profile::forgive)),
    },
    Control {
        id: "sysctls",
        level: Level::Baseline,
        revisions: &[
            rev(0, sysctls::check_v1_0),
            rev(27, sysctls::check_v1_27),
            rev(29, sysctls::check_v1_29),
            rev(32, sysctls::check_v1_32),
            rev(37, sysctls::check_v1_37),
        ],
        scope: Scope::Pod,
        forgive: Some(Forgive::Pod(sysctls::forgive)),
    },
    Control {
        id: "windowsHostProcess",
        level: Level::Baseline,
        revisions: &[rev(0, windows_host_process::check)],
        scope: Scope::Container,
        forgive: None,
    },
    // --- restricted ---
    Control {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        revisions: &[
            rev(8, allow_privilege_escalation::check),
            rev(25, allow_privilege_escalation::check).relaxed(Relaxed::ForWindowsPods),
        ],
        scope: Scope::Container,
        forgive: None,
    },
    Control {
        id: "capabilities_restricted",
        level: Level::Restricted,
        revisions: &[
            rev_over(
                22,
                capabilities_restricted::check,
                &["capabilities_baseline"],
            ),
            rev_over(
                25,
                capabilities_restricted::check,
                &["capabilities_baseline"],
            )
            .relaxed(Relaxed::ForWindowsPods),
        ],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(capabilities_baseline::forgive)),
    },
    Control {
        id: "procMount_restricted",
        level: Level::Restricted,
        revisions: &[rev_over(35, proc_mount::check, &["procMount"])],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(proc_mount::forgive)),
    },
    Control {
        id: "restrictedVolumes",
        level: Level::Restricted,
        revisions: &[rev_over(0, restricted_volumes::check, &["hostPathVolumes"])],
        scope: Scope::Pod,
        forgive: Some(Forgive::Pod(restricted_volumes::forgive)),
    },
    Control {
        id: "runAsNonRoot",
        level: Level::Restricted,
        revisions: &[
            rev(0, run_as_non_root::check),
            rev(35, run_as_non_root::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
        scope: Scope::Container,
        forgive: None,
    },
    Control {
        id: "runAsUser",
        level: Level::Restricted,
        revisions: &[
            rev(23, run_as_user::check),
            rev(35, run_as_user::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
        scope: Scope::Container,
        forgive: None,
    },
    Control {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        revisions: &[
            rev_over(
                19,
                seccomp_profile::restricted,
                &["seccompProfile_baseline"],
            ),
            rev_over(
                25,
                seccomp_profile::restricted,
                &["seccompProfile_baseline"],
            )
            .relaxed(Relaxed::ForWindowsPods),
        ],
        scope: Scope::Container,
        forgive: Some(Forgive::Container(seccomp_profile::forgive)),
    },
];

/// This policy's own control beyond the standard, switched by `requireReadOnlyRootFilesystem`
/// at every level and version (so its one revision is v1.0).
pub static READ_ONLY_ROOT_FILESYSTEM: Control = Control {
    id: "readOnlyRootFilesystem",
    level: Level::Baseline,
    revisions: &[rev(0, read_only_root_filesystem::check)],
    scope: Scope::Container,
    forgive: None,
};

/// Every control by the name settings use: PSA's check IDs, then ours.
pub fn all_named() -> impl Iterator<Item = &'static Control> {
    CONTROLS
        .iter()
        .chain(std::iter::once(&READ_ONLY_ROOT_FILESYSTEM))
}

pub fn named(id: &str) -> Option<&'static Control> {
    all_named().find(|c| c.id == id)
}

impl Control {
    /// The revision in force at policy version `v1.<minor>`, if the control exists there.
    pub fn revision_at(&self, minor: u32) -> Option<&Revision> {
        revision_index(self, minor).map(|i| &self.revisions[i])
    }
}

/// The index of `control`'s revision in force at `v1.<minor>` (the last one since then).
const fn revision_index(control: &Control, minor: u32) -> Option<usize> {
    let mut i = control.revisions.len();
    while i > 0 {
        i -= 1;
        if control.revisions[i].since <= minor {
            return Some(i);
        }
    }
    None
}

pub const CONTROL_COUNT: usize = CONTROLS.len();
const VERSIONS: usize = NEWEST_KNOWN_MINOR as usize + 1;

/// For each level and version, each control's revision in force there, numbered from 1
/// (0: the control does not apply). Worked out when the policy is compiled, so that
/// neither a fresh instance nor a request pays for it.
static PLAN: [[[u8; CONTROL_COUNT]; VERSIONS]; 2] = plan();

const fn plan() -> [[[u8; CONTROL_COUNT]; VERSIONS]; 2] {
    let mut plan = [[[0; CONTROL_COUNT]; VERSIONS]; 2];
    let mut minor = 0;
    while minor < VERSIONS {
        let mut c = 0;
        while c < CONTROL_COUNT {
            let control = &CONTROLS[c];
            if let Some(revision) = revision_index(control, minor as u32) {
                let number = revision as u8 + 1;
                // Restricted includes baseline, less the baseline controls it replaces.
                match control.level {
                    Level::Baseline => {
                        plan[0][minor][c] = number;
                        if !overridden(control.id, minor as u32) {
                            plan[1][minor][c] = number;
                        }
                    }
                    Level::Restricted => plan[1][minor][c] = number,
                    Level::Privileged => {}
                }
            }
            c += 1;
        }
        minor += 1;
    }
    plan
}

/// Whether a restricted control in force at `minor` replaces the baseline control `id`.
const fn overridden(id: &str, minor: u32) -> bool {
    let mut c = 0;
    while c < CONTROL_COUNT {
        let control = &CONTROLS[c];
        if let (Level::Restricted, Some(r)) = (control.level, revision_index(control, minor)) {
            let overrides = control.revisions[r].overrides;
            let mut o = 0;
            while o < overrides.len() {
                if same_id(overrides[o], id) {
                    return true;
                }
                o += 1;
            }
        }
        c += 1;
    }
    false
}

/// `a == b`, which a `const fn` cannot write yet.
const fn same_id(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// For each control (in [`CONTROLS`] order), the number of its revision in force at `level`
/// and `v1.<minor>`, from 1; 0 where the control does not apply (every control at
/// `privileged`).
pub fn revision_numbers(level: Level, minor: u32) -> &'static [u8; CONTROL_COUNT] {
    static NONE: [u8; CONTROL_COUNT] = [0; CONTROL_COUNT];
    let minor = minor.min(NEWEST_KNOWN_MINOR) as usize;
    match level {
        Level::Privileged => &NONE,
        Level::Baseline => &PLAN[0][minor],
        Level::Restricted => &PLAN[1][minor],
    }
}

/// The revisions that apply at `level` and policy version `v1.<minor>`, in message order.
pub fn checks_at(
    level: Level,
    minor: u32,
) -> impl Iterator<Item = (&'static Control, &'static Revision)> {
    indexed_checks_at(level, minor).map(|(_, control, revision)| (control, revision))
}

/// [`checks_at`], with each control's place in [`CONTROLS`] (its place in a message).
pub fn indexed_checks_at(
    level: Level,
    minor: u32,
) -> impl Iterator<Item = (usize, &'static Control, &'static Revision)> {
    let row = revision_numbers(level, minor);
    CONTROLS
        .iter()
        .zip(row)
        .enumerate()
        .filter_map(|(place, (control, &number))| {
            let index = usize::from(number.checked_sub(1)?);
            Some((place, control, &control.revisions[index]))
        })
}

/// A control of the standard by its ID, with its place in [`CONTROLS`].
pub fn indexed(id: &str) -> Option<(usize, &'static Control)> {
    CONTROLS.iter().enumerate().find(|(_, c)| c.id == id)
}

/// Every violation of the pod at `level` and `v1.<minor>`, in message order, their details
/// kept within [`MAX_DETAILS_BYTES`] in all.
pub fn evaluate(level: Level, minor: u32, pod: &PodView) -> Vec<Violation> {
    let mut violations: Vec<Violation> = checks_at(level, minor)
        .filter_map(|(_, revision)| revision.check(pod))
        .collect();
    bound(&mut violations);
    violations
}

/// Bytes of all the violations of one evaluation, written `reason (detail), ...`: the
/// reasons always stay; a detail past the budget is cut with `...`, or dropped. With the
/// bounds on lists and values (see `wording`), a whole rejection stays under 4 KiB.
pub const MAX_DETAILS_BYTES: usize = 3072;

/// Keeps the details of one evaluation's violations within [`MAX_DETAILS_BYTES`].
pub(crate) fn bound(violations: &mut [Violation]) {
    fit(violations, MAX_DETAILS_BYTES);
}

/// Keeps `violations` within `budget` bytes, counted as `describe` joins them
/// (`reason (detail), ...`): every reason stays; details are kept in order while they fit,
/// one that does not is cut with `...`, or dropped when not even 32 bytes of it would fit.
fn fit(violations: &mut [Violation], budget: usize) {
    let reasons: usize = violations.iter().map(|v| v.reason.len() + ", ".len()).sum();
    let mut room = budget.saturating_sub(reasons);
    for v in violations {
        let needed = v.detail.len() + " ()".len();
        if needed <= room {
            room -= needed;
            continue;
        }
        if room < 32 + " ()".len() {
            v.detail.clear();
        } else {
            let keep = room - " ()".len() - "...".len();
            let kept = crate::bounds::clip(&v.detail, keep).0.len();
            v.detail.truncate(kept);
            v.detail.push_str("...");
        }
        if !v.detail.is_empty() {
            room -= v.detail.len() + " ()".len();
        }
    }
}

/// Who sets a profile `type` outside the allowed ones, and the types refused.
pub(crate) struct ForbiddenProfiles<'p> {
    pub pod: bool,
    pub containers: List<&'p str>,
    /// Sorted, unique.
    pub types: List<&'p str>,
}

/// The shared shape of the AppArmor and seccomp field checks: who sets a profile `type`
/// outside `allowed` (pod, then containers), and the refused types.
pub(crate) fn forbidden_profile_types<'p, 'a: 'p>(
    pod: &'p PodView<'a>,
    pod_profile: Option<&'p ProfileType<'a>>,
    container_profile: impl Fn(&'p SecurityContext<'a>) -> Option<&'p ProfileType<'a>>,
    allowed: &[&str],
) -> ForbiddenProfiles<'p> {
    let mut types = List::Empty;
    let mut refused = |profile: &'p ProfileType<'a>| {
        let refuse = !allowed.contains(&profile.kind());
        if refuse {
            types.push(profile.kind());
        }
        refuse
    };
    let pod_refused = pod_profile.is_some_and(&mut refused);
    let containers: List<&str> = pod
        .spec
        .all_containers()
        .filter(|c| {
            c.security_context
                .as_deref()
                .and_then(&container_profile)
                .is_some_and(&mut refused)
        })
        .map(|c| c.name())
        .collect();
    ForbiddenProfiles {
        pod: pod_refused,
        containers,
        types: sorted_set(types),
    }
}

/// The shared shape of the AppArmor and seccomp exclusions: a forgiven profile type counts
/// as `RuntimeDefault` for that container, and a forgiven value of the container's own
/// annotation (`<annotation_prefix><name>`) is taken out.
pub(crate) fn forgive_profile<'a>(
    meta: &mut ObjectMeta,
    c: &mut Container<'a>,
    values: &[String],
    annotation_prefix: &str,
    profile: impl for<'c> FnOnce(&'c mut SecurityContext<'a>) -> Option<&'c mut ProfileType<'a>>,
) -> Vec<String> {
    let listed = |s: &str| values.iter().any(|v| v == s);
    let mut taken = Vec::new();
    if let Some(profile) = c.security_context.as_deref_mut().and_then(profile) {
        if let Some(kind) = profile.kind.as_deref().filter(|k| listed(k)) {
            taken.push(kind.to_owned());
            profile.kind = Some("RuntimeDefault".into());
        }
    }
    let key = format!("{annotation_prefix}{}", c.name());
    if let Some(value) = meta.annotation(&key).filter(|a| listed(a)) {
        taken.push(value.to_owned());
        meta.annotations.remove(key.as_str());
    }
    taken
}

/// Names of the containers (in visiting order) for which `bad` holds.
pub(crate) fn containers_where<'p, 'a>(
    pod: &'p PodView<'a>,
    mut bad: impl FnMut(&'p Container<'a>) -> bool,
) -> List<&'p str> {
    pod.spec
        .all_containers()
        .filter(|c| bad(c))
        .map(|c| c.name())
        .collect()
}

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
mod tests {
    use super::*;

    /// The plan's definition, written plainly: what [`checks_at`] must give.
    fn work_out_checks(level: Level, minor: u32) -> Vec<(&'static str, u32)> {
        let overridden = |id: &str| {
            CONTROLS
                .iter()
                .filter(|c| c.level == Level::Restricted)
                .filter_map(|c| c.revision_at(minor))
                .any(|r| r.overrides.contains(&id))
        };
        CONTROLS
            .iter()
            .filter(|c| c.level <= level)
            .filter(|c| {
                !(level == Level::Restricted && c.level == Level::Baseline && overridden(c.id))
            })
            .filter_map(|c| Some((c.id, c.revision_at(minor)?.since)))
            .collect()
    }

    #[test]
    fn the_table_of_checks_is_worked_out_from_the_controls() {
        for level in [Level::Baseline, Level::Restricted] {
            for minor in 0..=NEWEST_KNOWN_MINOR + 2 {
                let worked_out = work_out_checks(level, minor.min(NEWEST_KNOWN_MINOR));
                assert!(!worked_out.is_empty());
                let planned: Vec<_> = checks_at(level, minor)
                    .map(|(c, r)| (c.id, r.since))
                    .collect();
                assert_eq!(planned, worked_out, "{level:?} v1.{minor}");
            }
        }
        // The constant comparison is exact: no case folding, no prefixes.
        assert!(same_id("procMount", "procMount"));
        assert!(!same_id("procMount", "procmount"));
        assert!(!same_id("procMount", "procMount_restricted"));
    }

    #[test]
    fn table_is_in_message_order() {
        // Baseline first, then restricted; inside each, byte order of the ID.
        let keys: Vec<_> = CONTROLS.iter().map(|c| (c.level, c.id)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn revisions_strictly_increase_and_overrides_name_baseline_controls() {
        for c in CONTROLS {
            assert!(!c.revisions.is_empty(), "{}", c.id);
            assert!(
                c.revisions.windows(2).all(|w| w[0].since < w[1].since),
                "{}",
                c.id
            );
            assert!(c.revisions.iter().all(|r| r.since <= NEWEST_KNOWN_MINOR));
            for r in c.revisions {
                for o in r.overrides {
                    assert_eq!(c.level, Level::Restricted);
                    let target = CONTROLS
                        .iter()
                        .find(|t| t.id == *o)
                        .expect("override target");
                    assert_eq!(target.level, Level::Baseline);
                }
            }
        }
        let newest = CONTROLS
            .iter()
            .flat_map(|c| c.revisions.iter().map(|r| r.since))
            .max();
        assert_eq!(newest, Some(NEWEST_KNOWN_MINOR));
    }

    fn ids(level: Level, minor: u32) -> Vec<&'static str> {
        checks_at(level, minor).map(|(c, _)| c.id).collect()
    }

    #[test]
    fn overrides_apply_only_where_the_restricted_revision_exists() {
        let r10 = ids(Level::Restricted, 10);
        assert!(r10.contains(&"capabilities_baseline"));
        assert!(r10.contains(&"seccompProfile_baseline"));
        assert!(!r10.contains(&"hostPathVolumes"));
        assert!(!r10.contains(&"runAsUser"));
        let r22 = ids(Level::Restricted, 22);
        assert!(!r22.contains(&"capabilities_baseline"));
        assert!(r22.contains(&"capabilities_restricted"));
        let r37 = ids(Level::Restricted, 37);
        assert!(!r37.contains(&"procMount"));
        assert!(r37.contains(&"procMount_restricted"));
        assert!(r37.contains(&"hostProbesAndHostLifecycle"));
        assert!(!ids(Level::Baseline, 37).contains(&"runAsNonRoot"));
        assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
        // Future versions are evaluated as the newest known one.
        assert_eq!(ids(Level::Restricted, 99), r37);
    }

    #[test]
    fn relaxations_apply_from_their_revision_only() {
        use crate::controls::test_support::pod;
        let windows = pod(r#"{"spec":{"os":{"name":"windows"},"containers":[{"name":"a"}]}}"#);
        let at = |minor| evaluate(Level::Restricted, minor, &windows);
        let ids_at = |minor| -> Vec<_> { at(minor).iter().map(|v| v.reason).collect() };
        assert_eq!(
            ids_at(24),
            [
                "allowPrivilegeEscalation != false",
                "unrestricted capabilities",
                "runAsNonRoot != true",
                "seccompProfile"
            ]
        );
        assert_eq!(ids_at(25), ["runAsNonRoot != true"]);
        // "Windows" is not "windows": no relaxation for a misspelt OS.
        let linux = pod(r#"{"spec":{"os":{"name":"Windows"},"containers":[{"name":"a"}]}}"#);
        assert_eq!(evaluate(Level::Restricted, 37, &linux).len(), 4);

        let userns = pod(
            r#"{"spec":{"hostUsers":false,"securityContext":{"runAsUser":0,"runAsNonRoot":false,"seccompProfile":{"type":"RuntimeDefault"}},
            "containers":[{"name":"a","securityContext":{"procMount":"Unmasked","allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}"#,
        );
        let reasons = |level, minor| -> Vec<_> {
            evaluate(level, minor, &userns)
                .iter()
                .map(|v| v.reason)
                .collect()
        };
        assert_eq!(reasons(Level::Baseline, 34), ["procMount"]);
        assert!(reasons(Level::Baseline, 35).is_empty());
        assert_eq!(
            reasons(Level::Restricted, 34),
            ["procMount", "runAsNonRoot != true", "runAsUser=0"]
        );
        // procMount_restricted has no user-namespace relaxation.
        assert_eq!(reasons(Level::Restricted, 35), ["procMount"]);
    }

    #[test]
    fn relaxed_restricted_revisions_fall_back_to_the_baseline_they_replace() {
        use crate::controls::test_support::pod;
        let windows = |sc: &str| {
            pod(&format!(
                r#"{{"spec":{{"os":{{"name":"windows"}},"securityContext":{{"runAsNonRoot":true}},
                "containers":[{{"name":"a","securityContext":{sc}}}]}}}}"#
            ))
        };
        let reasons = |level, minor, p: &PodView| -> Vec<_> {
            evaluate(level, minor, p).iter().map(|v| v.reason).collect()
        };
        // Nothing set: the relaxation stands, at restricted as at baseline.
        let bare = windows("{}");
        assert!(reasons(Level::Restricted, 25, &bare).is_empty());
        // What baseline refuses, restricted refuses too, in baseline's words.
        let caps = windows(r#"{"capabilities":{"add":["SYS_ADMIN"]}}"#);
        assert_eq!(
            reasons(Level::Baseline, 37, &caps),
            ["non-default capabilities"]
        );
        assert_eq!(
            reasons(Level::Restricted, 37, &caps),
            ["non-default capabilities"]
        );
        let seccomp = windows(r#"{"seccompProfile":{"type":"Unconfined"}}"#);
        assert_eq!(reasons(Level::Baseline, 25, &seccomp), ["seccompProfile"]);
        assert_eq!(reasons(Level::Restricted, 25, &seccomp), ["seccompProfile"]);
        // What only restricted asks for (drop ALL, a profile at all) is still relaxed.
        let allowed = windows(r#"{"capabilities":{"add":["CHOWN"]},"seccompProfile":{}}"#);
        assert_eq!(reasons(Level::Baseline, 37, &allowed), ["seccompProfile"]);
        let allowed = windows(r#"{"capabilities":{"add":["CHOWN"]}}"#);
        assert!(reasons(Level::Restricted, 37, &allowed).is_empty());
        // The fallback is exact: the replaced baseline controls have no revision newer than
        // the relaxed revisions that fall back to them.
        for c in CONTROLS {
            for r in c.revisions.iter().filter(|r| r.relaxed != Relaxed::Never) {
                for id in r.overrides {
                    let target = CONTROLS.iter().find(|t| t.id == *id).unwrap();
                    assert!(target.revisions.iter().all(|t| t.since <= r.since), "{id}");
                }
            }
        }
    }

    #[test]
    fn details_fit_a_total_budget() {
        let mut vs: Vec<Violation> = (0..20)
            .map(|i| Violation::of(["reason-a", "reason-b"][i % 2]).text(&"d".repeat(500)))
            .collect();
        fit(&mut vs, MAX_DETAILS_BYTES);
        let total: usize = vs
            .iter()
            .map(|v| {
                v.reason.len()
                    + 2
                    + if v.detail.is_empty() {
                        0
                    } else {
                        v.detail.len() + 3
                    }
            })
            .sum();
        assert!(total <= MAX_DETAILS_BYTES, "{total}");
        // Every reason is kept; the first details whole, one cut, the rest dropped.
        assert_eq!(vs.len(), 20);
        assert_eq!(vs[0].detail.len(), 500);
        assert!(vs.iter().any(|v| v.detail.ends_with("...")));
        assert!(vs[19].detail.is_empty());
        // Under the budget nothing changes.
        let mut small = vec![Violation::of("a").text("x")];
        fit(&mut small, MAX_DETAILS_BYTES);
        assert_eq!(small[0].detail, "x");
    }
}
