//! The Pod Security Standards, one control per file, and the one table that says which
//! control belongs to which level from which policy version.
//!
//! Each control is a pure function of a [`PodView`] that returns `None` when the pod is
//! allowed and a [`Violation`] (in Pod Security Admission's own words) when it is not.

use std::borrow::Cow;

use std::collections::BTreeSet;

use crate::pod::{Container, PodView, ProfileType, SecurityContext};

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

/// A control's finding: a short reason and, optionally, the offending details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub reason: Cow<'static, str>,
    pub detail: String,
}

impl Violation {
    pub fn new(reason: impl Into<Cow<'static, str>>, detail: String) -> Self {
        Violation {
            reason: reason.into(),
            detail,
        }
    }
}

/// A Pod Security Standard level that checks something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
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
    pub fn check(&self, pod: &PodView) -> Option<Violation> {
        let relaxed = match self.relaxed {
            Relaxed::Never => false,
            Relaxed::ForWindowsPods => pod.spec.is_windows(),
            Relaxed::ForUserNamespacePods => pod.spec.in_user_namespace(),
        };
        if relaxed {
            return None;
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
    },
    Control {
        id: "capabilities_baseline",
        level: Level::Baseline,
        revisions: &[rev(0, capabilities_baseline::check)],
    },
    Control {
        id: "hostNamespaces",
        level: Level::Baseline,
        revisions: &[rev(0, host_namespaces::check)],
    },
    Control {
        id: "hostPathVolumes",
        level: Level::Baseline,
        revisions: &[rev(0, host_path_volumes::check)],
    },
    Control {
        id: "hostPorts",
        level: Level::Baseline,
        revisions: &[rev(0, host_ports::check)],
    },
    Control {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        revisions: &[rev(34, host_probes_and_host_lifecycle::check)],
    },
    Control {
        id: "privileged",
        level: Level::Baseline,
        revisions: &[rev(0, privileged::check)],
    },
    Control {
        id: "procMount",
        level: Level::Baseline,
        revisions: &[
            rev(0, proc_mount::check),
            rev(35, proc_mount::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
    },
    Control {
        id: "seLinuxOptions",
        level: Level::Baseline,
        revisions: &[
            rev(0, se_linux_options::check_v1_0),
            rev(31, se_linux_options::check_v1_31),
        ],
    },
    Control {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        revisions: &[
            rev(0, seccomp_profile::baseline_annotations),
            rev(19, seccomp_profile::baseline_fields),
        ],
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
    },
    Control {
        id: "windowsHostProcess",
        level: Level::Baseline,
        revisions: &[rev(0, windows_host_process::check)],
    },
    // --- restricted ---
    Control {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        revisions: &[
            rev(8, allow_privilege_escalation::check),
            rev(25, allow_privilege_escalation::check).relaxed(Relaxed::ForWindowsPods),
        ],
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
    },
    Control {
        id: "procMount_restricted",
        level: Level::Restricted,
        revisions: &[rev_over(35, proc_mount::check, &["procMount"])],
    },
    Control {
        id: "restrictedVolumes",
        level: Level::Restricted,
        revisions: &[rev_over(0, restricted_volumes::check, &["hostPathVolumes"])],
    },
    Control {
        id: "runAsNonRoot",
        level: Level::Restricted,
        revisions: &[
            rev(0, run_as_non_root::check),
            rev(35, run_as_non_root::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
    },
    Control {
        id: "runAsUser",
        level: Level::Restricted,
        revisions: &[
            rev(23, run_as_user::check),
            rev(35, run_as_user::check).relaxed(Relaxed::ForUserNamespacePods),
        ],
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
    },
];

impl Control {
    /// The revision in force at policy version `v1.<minor>`, if the control exists there.
    pub fn revision_at(&self, minor: u32) -> Option<&Revision> {
        self.revisions.iter().rev().find(|r| r.since <= minor)
    }
}

/// The revisions that apply at `level` and policy version `v1.<minor>`, in message order.
pub fn checks_at(
    level: Level,
    minor: u32,
) -> impl Iterator<Item = (&'static Control, &'static Revision)> {
    let minor = minor.min(NEWEST_KNOWN_MINOR);
    CONTROLS.iter().filter_map(move |control| {
        if control.level > level {
            return None;
        }
        let revision = control.revision_at(minor)?;
        if level == Level::Restricted
            && control.level == Level::Baseline
            && overridden(control.id, minor)
        {
            return None;
        }
        Some((control, revision))
    })
}

/// Whether a restricted control in force at `minor` replaces the baseline control `id`.
fn overridden(id: &str, minor: u32) -> bool {
    CONTROLS
        .iter()
        .filter(|c| c.level == Level::Restricted)
        .filter_map(|c| c.revision_at(minor))
        .any(|r| r.overrides.contains(&id))
}

/// Every violation of the pod at `level` and `v1.<minor>`, in message order.
pub fn evaluate(level: Level, minor: u32, pod: &PodView) -> Vec<Violation> {
    checks_at(level, minor)
        .filter_map(|(_, revision)| revision.check(pod))
        .collect()
}

// --- wording helpers shared by the controls, as Pod Security Admission words things ---

pub(crate) fn pluralize<'s>(singular: &'s str, plural: &'s str, count: usize) -> &'s str {
    if count == 1 {
        singular
    } else {
        plural
    }
}

/// `"a", "b"`; empty for no items.
pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(item.as_ref());
        out.push('"');
    }
    out
}

/// `container "a"` or `containers "a", "b"`.
pub(crate) fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// Who set a forbidden value, as PSA lists them: `pod`, then `container(s) "a", ...`;
/// callers join them with " and ".
pub(crate) fn setters<S: AsRef<str>>(pod: bool, containers: &[S]) -> Vec<String> {
    let mut who = Vec::new();
    if pod {
        who.push("pod".to_owned());
    }
    if !containers.is_empty() {
        who.push(containers_phrase(containers));
    }
    who
}

/// The shared shape of the AppArmor and seccomp field checks: who sets a profile `type`
/// outside `allowed` (pod, then containers), and the refused types, sorted and unique.
pub(crate) fn forbidden_profile_types<'p, 'a: 'p>(
    pod: &'p PodView<'a>,
    pod_profile: Option<&'p ProfileType<'a>>,
    container_profile: impl Fn(&'p SecurityContext<'a>) -> Option<&'p ProfileType<'a>>,
    allowed: &[&str],
) -> (Vec<String>, Vec<&'p str>) {
    let mut values = BTreeSet::new();
    let mut refused = |profile: &'p ProfileType<'a>| {
        let refuse = !allowed.contains(&profile.kind());
        if refuse {
            values.insert(profile.kind());
        }
        refuse
    };
    let pod_refused = pod_profile.is_some_and(&mut refused);
    let containers: Vec<&str> = pod
        .spec
        .all_containers()
        .filter(|c| {
            c.security_context
                .as_ref()
                .and_then(&container_profile)
                .is_some_and(&mut refused)
        })
        .map(|c| c.name())
        .collect();
    (
        setters(pod_refused, &containers),
        values.into_iter().collect(),
    )
}

/// Names of the containers (in visiting order) for which `bad` holds.
pub(crate) fn containers_where<'p, 'a>(
    pod: &'p PodView<'a>,
    mut bad: impl FnMut(&'p Container<'a>) -> bool,
) -> Vec<&'p str> {
    pod.spec
        .all_containers()
        .filter(|c| bad(c))
        .map(|c| c.name())
        .collect()
}

/// A string as Go's `%q` prints it, for values quoted inside messages.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::pod::PodView;

    /// Parse a pod view from JSON, leaking the text so the view can borrow it in tests.
    pub fn pod(json: &str) -> PodView<'static> {
        let text: &'static str = Box::leak(json.to_owned().into_boxed_str());
        serde_json::from_str(text).unwrap_or_else(|e| panic!("bad test pod {json}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let ids_at = |minor| -> Vec<_> { at(minor).iter().map(|v| v.reason.clone()).collect() };
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
                .map(|v| v.reason.clone())
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
    fn wording_helpers() {
        assert_eq!(join_quote::<&str>(&[]), "");
        assert_eq!(join_quote(&["a", "b"]), r#""a", "b""#);
        assert_eq!(containers_phrase(&["a"]), r#"container "a""#);
        assert_eq!(containers_phrase(&["a", "b"]), r#"containers "a", "b""#);
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\x01é""#);
    }
}
