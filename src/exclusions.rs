//! Precise exceptions: one control forgiven for named images or containers, or only for
//! named offending values, instead of exempting a whole namespace.
//!
//! An exclusion never switches a check off in the code: the control runs, as always, on a
//! view of the pod from which the forgiven containers (or the forgiven values) have been
//! taken out. A container-scoped exclusion applies to the containers that match every
//! selector it gives; every other container is still checked.

use serde::Deserialize;

use crate::controls::{
    self, app_armor_profile, seccomp_profile_baseline, Control, ControlId, Level, Revision, Scope,
    Violation, CONTROLS, CONTROL_COUNT, READ_ONLY_ROOT_FILESYSTEM,
};
use crate::image::ImagePattern;
use crate::json::Str;
use crate::pod::{Container, ContainerKind, ObjectMeta, PodView};

/// One entry of the `exclusions` setting, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub control: ControlId,
    pub images: Vec<ImagePattern>,
    pub containers: Vec<String>,
    pub values: Vec<String>,
}

/// An entry as written, before it is checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RawExclusion {
    control: Option<String>,
    images: Option<Vec<String>>,
    containers: Option<Vec<String>>,
    values: Option<Vec<String>>,
    acknowledge_control_disabled: Option<bool>,
}

impl Exclusion {
    /// Checks entry `index` of the list; errors name the entry by its index.
    pub(crate) fn from_raw(index: usize, raw: RawExclusion) -> Result<Exclusion, String> {
        let at = format!("exclusions[{index}]");
        let Some(name) = raw.control else {
            return Err(format!(
                "{at}.control: missing; name one of: {}",
                control_names()
            ));
        };
        // The Rancher UI starts a new entry with every field at its default: `""` here.
        if name.is_empty() {
            return Err(format!(
                "{at}.control: empty; choose the control to forgive, one of: {}",
                control_names()
            ));
        }
        let Some(control) = controls::named(&name) else {
            return Err(format!(
                "{at}.control: unknown control {name:?}; known controls: {}",
                control_names()
            ));
        };
        let list = |field: &str, list: Option<Vec<String>>| -> Result<Vec<String>, String> {
            // An empty list selects nothing, as if omitted: the Rancher UI always sends one.
            let list = list.unwrap_or_default();
            if let Some(i) = list.iter().position(|s| s.is_empty()) {
                return Err(format!("{at}.{field}[{i}]: empty string"));
            }
            Ok(list)
        };
        let image_texts = list("images", raw.images)?;
        let containers = list("containers", raw.containers)?;
        let values = list("values", raw.values)?;
        let mut images = Vec::with_capacity(image_texts.len());
        for (i, text) in image_texts.iter().enumerate() {
            images.push(
                ImagePattern::parse(text).map_err(|e| {
                    format!("{at}.images[{i}]: invalid image pattern {text:?}: {e}")
                })?,
            );
        }
        if matches!(control.scope, Scope::Pod { .. })
            && !(images.is_empty() && containers.is_empty())
        {
            return Err(format!(
                "{at}: {} is checked on the whole pod, not per container: it takes `values`, not `images` or `containers`",
                control.id
            ));
        }
        if !control.scope.forgives_values() && !values.is_empty() {
            return Err(format!(
                "{at}.values: {} has no values to forgive; select images or containers instead",
                control.id
            ));
        }
        let whole_control = images.is_empty() && containers.is_empty() && values.is_empty();
        // `false` is the Rancher UI's default for the checkbox: the same as leaving it out.
        match (whole_control, raw.acknowledge_control_disabled) {
            (true, Some(true)) => {}
            (true, _) => {
                return Err(format!(
                    "{at}: an entry with only `control` switches {} off for every pod; name images, containers or values to forgive, or say `acknowledgeControlDisabled: true` (in the Rancher UI: \"Acknowledge that the control is disabled\") if that is what you want",
                    control.id
                ))
            }
            (false, Some(true)) => {
                return Err(format!(
                    "{at}.acknowledgeControlDisabled: only for an entry that switches the control off for every pod (no images, containers or values)"
                ))
            }
            (false, _) => {}
        }
        Ok(Exclusion {
            control: control.id,
            images,
            containers,
            values,
        })
    }

    /// Checks what entry `index` selects, once every entry has been read (so that a list
    /// with a malformed entry is refused for that first). A container name alone selects
    /// no image: any pod may give a container that name, so the entry would forgive
    /// whatever image such a container runs.
    pub(crate) fn check_selection(&self, index: usize) -> Result<(), String> {
        if let (Some(name), true) = (self.containers.first(), self.images.is_empty()) {
            return Err(format!(
                "exclusions[{index}].containers: a container name alone selects any image (any pod may call a container {name:?}): add `images` naming what it runs, e.g. images: [\"registry.example.com/team/app:*\"]"
            ));
        }
        Ok(())
    }

    /// Whether a container matches every selector the entry gives. `last` holds the last
    /// image matched and whether it matched: containers of a pod mostly run few images, and
    /// reading a reference costs more than comparing it with the last one.
    fn selects(&self, container: &Container, last: &mut (String, Option<bool>)) -> bool {
        let named =
            self.containers.is_empty() || self.containers.iter().any(|c| c == container.name());
        if !named {
            return false;
        }
        if self.images.is_empty() {
            return true;
        }
        let image = container.image.as_deref().unwrap_or("");
        match last {
            (last_image, Some(matched)) if last_image == image => *matched,
            _ => {
                let matched = self.images.iter().any(|p| p.matches(image));
                last.0.clear();
                last.0.push_str(image);
                last.1 = Some(matched);
                matched
            }
        }
    }

    fn disables_control(&self) -> bool {
        self.images.is_empty() && self.containers.is_empty() && self.values.is_empty()
    }
}

fn control_names() -> String {
    controls::all_named()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What [`evaluate`] found: the violations that remain, and one note per exclusion in use.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The standard's violations in message order, then our control's.
    pub violations: Vec<Violation>,
    /// How many of `violations` are the standard's (our control's follows them).
    pub standard: usize,
    /// `control "capabilities_restricted" excluded for init container "istio-init" (NET_ADMIN)`
    pub used: Notes,
    /// The place in `CONTROLS` of the control behind each violation (`CONTROL_COUNT`: ours),
    /// so that a baseline floor goes where that control's violation would be, and an
    /// evaluation after this one can find this one's result for a control.
    places: [u8; PLACES],
}

/// A place for each control of the standard, and ours.
const PLACES: usize = CONTROL_COUNT + 1;

/// Notes of the exclusions in use: the first [`Notes::LISTED`] written out, the others only
/// counted, so that thousands of forgiven containers cost no note each.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Notes {
    pub listed: Vec<String>,
    /// Notes past the listed ones.
    pub more: usize,
}

impl Notes {
    /// How many notes are written out; a response says `and N more` for the others.
    pub const LISTED: usize = 10;

    /// Adds a note, written only if it is listed.
    fn push(&mut self, note: impl FnOnce() -> String) {
        if self.listed.len() < Self::LISTED {
            self.listed.push(note());
        } else {
            self.more += 1;
        }
    }

    /// Adds the notes of `other` after these.
    pub fn extend(&mut self, other: Notes) {
        for note in other.listed {
            self.push(|| note);
        }
        self.more += other.more;
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// Adds a note unless it is listed already (a control judged at several revisions, or
    /// a pod judged again after mutation, notes the same exclusion again).
    pub fn add_unique(&mut self, note: String) {
        if !self.listed.contains(&note) {
            self.push(|| note);
        }
    }

    /// Keeps the first of notes listed twice.
    pub fn dedup(&mut self) {
        let mut seen = std::collections::BTreeSet::new();
        self.listed.retain(|note| seen.insert(note.clone()));
    }
}

impl Outcome {
    /// The violation of the control at `place` (in `CONTROLS`; ours: `CONTROL_COUNT`), if
    /// it has one here.
    pub fn found(&self, place: usize) -> Option<&Violation> {
        let mut found = self.places.iter().take(self.violations.len());
        let i = found.position(|&p| usize::from(p) == place)?;
        self.violations.get(i)
    }

    /// Adds the violation, if any, of the control at `place`, after the others.
    fn add(&mut self, place: usize, violation: Option<Violation>) {
        if let Some(violation) = violation {
            let at = self.violations.len();
            self.insert(at, place, violation);
        }
    }

    /// Adds the violation of the control at `place` at `at` in the list. Room for one per
    /// control is made at the first, so a pod that fails many controls does not regrow the
    /// list; a detail is trimmed to its length (in place), so that the next one starts right
    /// after it and a rejection stays within fewer fresh pages (each a page fault on a fresh
    /// instance).
    fn insert(&mut self, at: usize, place: usize, mut violation: Violation) {
        violation.detail.shrink_to_fit();
        if self.violations.capacity() == 0 {
            self.violations.reserve_exact(PLACES);
        }
        self.violations.insert(at, violation);
        let len = self.violations.len().min(PLACES);
        if at < len {
            self.places.copy_within(at..len - 1, at + 1);
            self.places[at] = place as u8;
        }
    }
}

/// Runs one control on the pod as the exclusions leave it, adding its violation (if any)
/// as the control at `place`. Without exclusions for the control this is exactly
/// `revision.check(pod)`. Returns whether the control refused the pod and exclusions were
/// consulted: what they forgave may be refused by a baseline control the control replaces
/// (see [`floor`]).
fn check_control(
    place: usize,
    control: &Control,
    revision: &Revision,
    pod: &PodView,
    exclusions: &[Exclusion],
    outcome: &mut Outcome,
) -> bool {
    let mine: Vec<&Exclusion> = exclusions
        .iter()
        .filter(|e| e.control == control.id)
        .collect();
    if mine.is_empty() {
        outcome.add(place, revision.check(pod));
        return false;
    }
    let original = revision.check(pod);
    if original.is_none() {
        return false;
    }
    if mine.iter().any(|e| e.disables_control()) {
        outcome
            .used
            .push(|| format!("control {:?} disabled for every pod", control.id.as_str()));
        return true;
    }
    let mut view = pod.clone();
    let mut notes = Notes::default();
    for exclusion in &mine {
        forgive(control, exclusion, &mut view, &mut notes);
    }
    let remaining = revision.check(&view);
    if remaining != original {
        outcome.used.extend(notes);
    }
    outcome.add(place, remaining);
    true
}

/// The baseline floor under an exclusion of a restricted control: what `replaced` (a
/// baseline control that `control` replaces at this level and version) refuses in the parts
/// of the pod that `control`'s exclusions forgave, unless an exclusion names it too.
///
/// An exclusion forgives what it names. Values listed on an entry of the restricted control
/// are named, so they are forgiven at baseline as well (with the same selectors); a whole
/// container, or the whole control, is not a value: what baseline refuses there stays
/// refused, in baseline's words, unless an entry of `replaced` forgives it.
///
/// Only what the restricted control no longer reports is added: when what baseline refuses
/// is the same with `control`'s exclusions applied as without, the restricted control still
/// reports all of it (restricted refuses whatever baseline refuses), and nothing is added.
fn floor(
    replaced: &Control,
    revision: &Revision,
    control: &Control,
    pod: &PodView,
    exclusions: &[Exclusion],
    used: &mut Notes,
) -> Option<Violation> {
    let mut unnoted = Notes::default();
    let mut named = pod.clone();
    for exclusion in exclusions
        .iter()
        .filter(|e| e.control == control.id && !e.values.is_empty())
    {
        forgive(replaced, exclusion, &mut named, &mut unnoted);
    }
    let refused = revision.check(&named)?;
    let own: Vec<&Exclusion> = exclusions
        .iter()
        .filter(|e| e.control == replaced.id)
        .collect();
    if own.iter().any(|e| e.disables_control()) {
        used.push(|| format!("control {:?} disabled for every pod", replaced.id.as_str()));
        return None;
    }
    let mut notes = Notes::default();
    for exclusion in &own {
        forgive(replaced, exclusion, &mut named, &mut notes);
    }
    let remaining = revision.check(&named);
    if remaining.as_ref() != Some(&refused) {
        used.extend(notes);
    }
    let remaining = remaining?;
    let mine = || exclusions.iter().filter(|e| e.control == control.id);
    if !mine().any(Exclusion::disables_control) {
        for exclusion in mine() {
            forgive(control, exclusion, &mut named, &mut unnoted);
        }
        if revision.check(&named).as_ref() == Some(&remaining) {
            return None;
        }
    }
    Some(remaining)
}

/// Takes out of `view` what `exclusion` forgives, noting each container or value taken.
fn forgive(control: &Control, exclusion: &Exclusion, view: &mut PodView, notes: &mut Notes) {
    let id = control.id.as_str();
    match control.scope {
        Scope::Pod {
            forgive: Some(forgive_values),
        } => {
            for value in forgive_values(view, &exclusion.values) {
                notes.push(|| format!("control {id:?} excluded for {value:?}"));
            }
        }
        Scope::Pod { forgive: None } => {}
        Scope::Container {
            forgive: forgive_values,
        } => {
            let PodView { metadata, spec, .. } = view;
            // The names of the containers taken out, when there are annotations to take.
            let keep_names = metadata
                .annotations
                .keys()
                .any(|key| container_of_annotation(key).is_some());
            let mut removed = Vec::new();
            let mut last = (String::new(), None);
            for (kind, list) in [
                (ContainerKind::Init, &mut spec.init_containers),
                (ContainerKind::Regular, &mut spec.containers),
                (ContainerKind::Ephemeral, &mut spec.ephemeral_containers),
            ] {
                let label = kind.label();
                list.retain_mut(|c| {
                    if !exclusion.selects(c, &mut last) {
                        return true;
                    }
                    match forgive_values {
                        Some(forgive_values) if !exclusion.values.is_empty() => {
                            let taken = forgive_values(metadata, c, &exclusion.values);
                            if !taken.is_empty() {
                                notes.push(|| {
                                    format!(
                                        "control {id:?} excluded for {label} {:?} ({})",
                                        c.name(),
                                        taken.join(", ")
                                    )
                                });
                            }
                            true
                        }
                        _ => {
                            notes.push(|| {
                                format!("control {id:?} excluded for {label} {:?}", c.name())
                            });
                            if keep_names {
                                removed.push(c.name.clone().unwrap_or_default());
                            }
                            false
                        }
                    }
                });
            }
            forget_annotations(metadata, removed);
        }
    }
}

/// The container a per-container annotation is about: what follows its prefix. The pod
/// view keeps no other annotation whose key names a container (see `read_by_controls`).
fn container_of_annotation(key: &str) -> Option<&str> {
    key.strip_prefix(app_armor_profile::ANNOTATION_PREFIX)
        .or_else(|| key.strip_prefix(seccomp_profile_baseline::CONTAINER_ANNOTATION_PREFIX))
}

/// Takes the per-container annotations of the containers taken out of the view out with
/// them. The names are sorted once, and each annotation looks its container up among them:
/// thousands of containers and annotations cost n log n, where scanning the names for each
/// annotation was quadratic.
fn forget_annotations(metadata: &mut ObjectMeta, mut removed: Vec<Str>) {
    if removed.is_empty() {
        return;
    }
    removed.sort_unstable();
    metadata.annotations.retain(|key, _| {
        container_of_annotation(key)
            .is_none_or(|name| removed.binary_search_by(|r| (**r).cmp(name)).is_err())
    });
}

/// What an evaluation can take from evaluations of the same pod, with the same exclusions,
/// before it (the other modes: see `modes.rs`), and tell those after it. `()` for an
/// evaluation on its own.
pub trait Earlier {
    /// What the control at `place` (ours: `CONTROL_COUNT`) found at `revision` in an earlier
    /// evaluation (or earlier in this one, `current`), if that is known: its violation, and
    /// whether exclusions were consulted (see [`check_control`]). `plain`: no exclusions,
    /// and the pod is not one the revision is relaxed for.
    fn recall(
        &mut self,
        current: &Outcome,
        place: usize,
        revision: &Revision,
        plain: bool,
    ) -> Option<(Option<Violation>, bool)>;

    /// Hears that the control at `place` was run at `revision` in this evaluation.
    fn remember(&mut self, place: usize, revision: &Revision, plain: bool, consulted: bool);
}

impl Earlier for () {
    fn recall(
        &mut self,
        _: &Outcome,
        _: usize,
        _: &Revision,
        _: bool,
    ) -> Option<(Option<Violation>, bool)> {
        None
    }

    fn remember(&mut self, _: usize, _: &Revision, _: bool, _: bool) {}
}

/// The one evaluation loop: every violation at `level` and `v1.<minor>` with `exclusions`
/// applied, in message order, then our control's when `ours` (`requireReadOnlyRootFilesystem`).
/// What `earlier` knows already is not run again. The details are not bounded yet: the
/// caller bounds them together (see `controls::bound`).
pub fn evaluate(
    level: Level,
    minor: u32,
    pod: &PodView,
    exclusions: &[Exclusion],
    ours: bool,
    earlier: &mut impl Earlier,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut run = |place, control, revision, outcome: &mut Outcome| {
        judge(place, control, revision, pod, exclusions, outcome, earlier)
    };
    for (place, control, revision) in controls::indexed_checks_at(level, minor) {
        if !run(place, control, revision, &mut outcome) {
            continue;
        }
        for id in revision.overrides {
            let replaced_place = id.index();
            let Some(replaced) = CONTROLS.get(replaced_place) else {
                continue;
            };
            let Some(replaced_revision) = replaced.revision_at(minor) else {
                continue;
            };
            let found = floor(
                replaced,
                replaced_revision,
                control,
                pod,
                exclusions,
                &mut outcome.used,
            );
            if let Some(violation) = found {
                let known = outcome.violations.len().min(PLACES);
                let at = (outcome.places[..known].iter())
                    .position(|&p| usize::from(p) > replaced_place)
                    .unwrap_or(outcome.violations.len());
                outcome.insert(at, replaced_place, violation);
            }
        }
    }
    outcome.standard = outcome.violations.len();
    if ours {
        let control = &READ_ONLY_ROOT_FILESYSTEM;
        if let Some(revision) = control.revision_at(minor) {
            run(CONTROL_COUNT, control, revision, &mut outcome);
        }
    }
    outcome
}

/// One control's result: from `earlier` when it knows it, else run (with the exclusions).
/// Returns whether exclusions were consulted.
fn judge(
    place: usize,
    control: &Control,
    revision: &Revision,
    pod: &PodView,
    exclusions: &[Exclusion],
    outcome: &mut Outcome,
    earlier: &mut impl Earlier,
) -> bool {
    let plain = exclusions.is_empty() && !revision.relaxes(pod);
    if let Some((found, consulted)) = earlier.recall(outcome, place, revision, plain) {
        outcome.add(place, found);
        return consulted;
    }
    let consulted = if plain {
        outcome.add(place, (revision.check)(pod));
        false
    } else {
        check_control(place, control, revision, pod, exclusions, outcome)
    };
    earlier.remember(place, revision, plain, consulted);
    consulted
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::verdict::{validate, EXCLUSIONS_ANNOTATION};
    use serde_json::{json, Value};

    fn settings_error(exclusions: Value) -> String {
        Settings::from_json(&json!({ "exclusions": exclusions }).to_string()).expect_err("refused")
    }

    #[test]
    fn settings_refuse_what_cannot_be_meant() {
        let e = settings_error(json!([{"control": "capabilities"}]));
        assert!(e.starts_with(r#"exclusions[0].control: unknown control "capabilities"; known controls: appArmorProfile, "#), "{e}");
        assert!(e.contains("readOnlyRootFilesystem"), "{e}");
        let e = settings_error(
            json!([{"control": "privileged", "containers": ["a"]}, {"images": ["x"]}]),
        );
        assert!(e.starts_with("exclusions[1].control: missing"), "{e}");
        let e = settings_error(json!([{"control": "", "images": ["nginx"]}]));
        assert!(e.starts_with("exclusions[0].control: empty; choose the control to forgive, one of: appArmorProfile, "), "{e}");
        let e = settings_error(json!([{"control": "privileged", "containers": [""]}]));
        assert_eq!(e, "exclusions[0].containers[0]: empty string");
        let e =
            settings_error(json!([{"control": "privileged", "images": ["nginx", "bad image"]}]));
        assert!(
            e.starts_with(r#"exclusions[0].images[1]: invalid image pattern "bad image""#),
            "{e}"
        );
        let e = settings_error(
            json!([{"control": "privileged", "containers": ["a"], "values": ["x"]}]),
        );
        assert!(
            e.starts_with("exclusions[0].values: privileged has no values"),
            "{e}"
        );
        let e = settings_error(json!([{"control": "sysctls", "containers": ["a"]}]));
        assert!(
            e.starts_with("exclusions[0]: sysctls is checked on the whole pod"),
            "{e}"
        );
        let e = settings_error(
            json!([{"control": "hostPathVolumes", "images": ["a"], "values": ["/var/log"]}]),
        );
        assert!(
            e.contains("takes `values`, not `images` or `containers`"),
            "{e}"
        );
        let e = settings_error(json!([{"control": "runAsUser"}]));
        assert!(e.contains("acknowledgeControlDisabled: true"), "{e}");
        let e = settings_error(
            json!([{"control": "runAsUser", "containers": ["a"], "acknowledgeControlDisabled": true}]),
        );
        assert!(
            e.starts_with("exclusions[0].acknowledgeControlDisabled: only for"),
            "{e}"
        );
        // A container name alone selects any image: refused, once every entry is read.
        let e = settings_error(json!([{"control": "privileged", "containers": ["istio-init"]}]));
        assert_eq!(
            e,
            r#"exclusions[0].containers: a container name alone selects any image (any pod may call a container "istio-init"): add `images` naming what it runs, e.g. images: ["registry.example.com/team/app:*"]"#
        );
        let e = settings_error(json!([
            {"control": "seccompProfile_restricted", "containers": ["legacy"], "values": ["Unconfined"]},
            {"control": "bogus"}]));
        assert!(
            e.starts_with("exclusions[1].control: unknown control"),
            "{e}"
        );
        let e = settings_error(json!([{"control": "runAsUser", "images": ["*"]}]));
        assert!(
            e.starts_with(r#"exclusions[0].images[0]: invalid image pattern "*": it means docker.io/library/*:latest"#),
            "{e}"
        );
        let e = settings_error(json!([{"control": "runAsUser", "image": ["a"]}]));
        assert!(e.contains("unknown field `image`"), "{e}");
        assert!(Settings::from_json(
            r#"{"exclusions":[{"control":"runAsUser","acknowledgeControlDisabled":true}]}"#
        )
        .is_ok());
    }

    fn pod_request(spec: Value, settings: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "settings": settings,
            "request": {
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "operation": "CREATE", "namespace": "shop",
                "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec},
            }
        }))
        .unwrap()
    }

    fn good(extra: Value) -> Value {
        let mut sc = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
                            "readOnlyRootFilesystem": true});
        if let (Some(sc), Some(extra)) = (sc.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                sc.insert(k.clone(), v.clone());
            }
        }
        sc
    }

    fn mesh_spec(app_caps: Value) -> Value {
        json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "initContainers": [{"name": "istio-init", "image": "docker.io/istio/proxyv2:1.22.0",
                "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN", "NET_RAW"]}}))}],
            "containers": [{"name": "app", "image": "shop/app:3", "securityContext": good(app_caps)}]
        })
    }

    fn mesh_settings() -> Value {
        json!({"exclusions": [{"control": "capabilities_restricted",
            "images": ["docker.io/istio/proxyv2:*"], "containers": ["istio-init"],
            "values": ["NET_ADMIN", "NET_RAW"]}]})
    }

    #[test]
    fn service_mesh_init_container_is_forgiven_and_says_so() {
        let r = validate(&pod_request(mesh_spec(json!({})), mesh_settings()));
        assert!(r.accepted, "{:?}", r.message);
        let note = r#"control "capabilities_restricted" excluded for init container "istio-init" (NET_ADMIN, NET_RAW)"#;
        assert_eq!(r.warnings.unwrap(), [format!("exclusion in use: {note}")]);
        assert_eq!(r.audit_annotations.unwrap()[EXCLUSIONS_ANNOTATION], note);
        // Without the exclusion the same pod is refused.
        assert!(!validate(&pod_request(mesh_spec(json!({})), json!({}))).accepted);
    }

    #[test]
    fn the_app_container_is_still_checked() {
        let spec = mesh_spec(json!({"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}));
        let r = validate(&pod_request(spec, mesh_settings()));
        assert!(!r.accepted);
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "restricted:latest": unrestricted capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn only_the_listed_values_and_every_selector() {
        let mut spec = mesh_spec(json!({}));
        spec["initContainers"][0]["securityContext"]["capabilities"]["add"] =
            json!(["NET_ADMIN", "SYS_ADMIN"]);
        let r = validate(&pod_request(spec, mesh_settings()));
        assert!(r
            .message
            .unwrap()
            .contains(r#"container "istio-init" must not include "SYS_ADMIN""#));
        // Same name, other image: not selected.
        let mut spec = mesh_spec(json!({}));
        spec["initContainers"][0]["image"] = json!("evil.io/istio/proxyv2:1.22.0");
        assert!(!validate(&pod_request(spec, mesh_settings())).accepted);
        // Same image, other name: not selected.
        let mut spec = mesh_spec(json!({}));
        spec["initContainers"][0]["name"] = json!("sidecar");
        assert!(!validate(&pod_request(spec, mesh_settings())).accepted);
    }

    #[test]
    fn a_whole_container_can_be_excluded_from_one_control() {
        let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"runAsUser": 0}))}],
            "ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": good(json!({"runAsUser": 0}))}]});
        let settings =
            json!({"exclusions": [{"control": "runAsUser", "images": ["vendor/agent:*"]}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "restricted:latest": runAsUser=0 (container "debug" must not set runAsUser=0)"#
            )
        );
        let settings = json!({"exclusions": [{"control": "runAsUser", "images": ["vendor/agent:*", "busybox"]}]});
        let r = validate(&pod_request(spec, settings));
        assert!(r.accepted, "{:?}", r.message);
        assert_eq!(r.warnings.unwrap().len(), 2);
    }

    #[test]
    fn pod_level_settings_are_not_forgiven_by_container_exclusions() {
        let spec = json!({"securityContext": {"runAsNonRoot": false, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
        let settings = json!({"exclusions": [{"control": "runAsNonRoot", "images": ["x"], "containers": ["a"]}]});
        let r = validate(&pod_request(spec, settings));
        assert!(r
            .message
            .unwrap()
            .contains("pod must not set securityContext.runAsNonRoot=false"));
    }

    #[test]
    fn pod_scoped_values() {
        let spec = json!({"hostNetwork": true, "hostPID": true,
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"},
                "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "kernel.sem", "value": "1"}]},
            "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}, {"name": "root", "hostPath": {"path": "/"}},
                        {"name": "share", "nfs": {"server": "s", "path": "/"}}],
            "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
        let settings = json!({"level": "baseline", "exclusions": [
            {"control": "hostNamespaces", "values": ["hostNetwork"]},
            {"control": "sysctls", "values": ["kernel.msgmax"]},
            {"control": "hostPathVolumes", "values": ["/var/log"]}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "baseline:latest": host namespaces (hostPID=true), hostPath volumes (volume "root"), forbidden sysctls (kernel.sem)"#
            )
        );
        let settings = json!({"exclusions": [
            {"control": "hostNamespaces", "values": ["hostNetwork", "hostPID"]},
            {"control": "sysctls", "values": ["kernel.msgmax", "kernel.sem"]},
            {"control": "restrictedVolumes", "values": ["/var/log", "/", "nfs"]}]});
        let r = validate(&pod_request(spec, settings));
        assert!(r.accepted, "{:?}", r.message);
        let warnings = r.warnings.unwrap();
        assert!(
            warnings.contains(
                &r#"exclusion in use: control "sysctls" excluded for "kernel.sem""#.to_owned()
            ),
            "{warnings:?}"
        );
    }

    #[test]
    fn switching_a_control_off_is_said_too() {
        let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "image": "x", "securityContext": good(json!({"readOnlyRootFilesystem": false}))}]});
        let settings = json!({"exclusions": [{"control": "readOnlyRootFilesystem", "acknowledgeControlDisabled": true}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert!(r.accepted);
        assert_eq!(
            r.warnings.unwrap(),
            [r#"exclusion in use: control "readOnlyRootFilesystem" disabled for every pod"#]
        );
        // A compliant pod relies on nothing: no note.
        let mut ok = spec;
        ok["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(true);
        let r = validate(&pod_request(
            ok,
            json!({"exclusions": [{"control": "privileged", "images": ["x"], "containers": ["a"]}]}),
        ));
        assert!(r.accepted && r.warnings.is_none() && r.audit_annotations.is_none());
    }

    #[test]
    fn a_replaced_baseline_control_stays_as_a_floor_in_its_place() {
        let spec = json!({"hostPID": true,
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}))},
                {"name": "app", "image": "shop/app:3", "securityContext": good(json!({"runAsUser": 0}))}]});
        let whole = json!({"control": "capabilities_restricted", "images": ["vendor/agent:*"]});
        let r = validate(&pod_request(
            spec.clone(),
            json!({"exclusions": [whole.clone()]}),
        ));
        // Baseline's words, in baseline's place (capabilities_baseline sorts first).
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "restricted:latest": non-default capabilities (container "agent" must not include "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostPID=true), runAsUser=0 (container "app" must not set runAsUser=0)"#
            )
        );
        // An entry of the baseline control that names the value lets it through, and says so.
        let baseline = json!({"control": "capabilities_baseline", "images": ["vendor/agent:*"], "values": ["SYS_ADMIN"]});
        let mut fine = spec.clone();
        fine["hostPID"] = json!(false);
        fine["containers"][1]["securityContext"]["runAsUser"] = json!(1000);
        let r = validate(&pod_request(
            fine.clone(),
            json!({"exclusions": [whole.clone(), baseline]}),
        ));
        assert!(r.accepted, "{:?}", r.message);
        assert_eq!(
            r.warnings.unwrap(),
            [
                r#"exclusion in use: control "capabilities_restricted" excluded for container "agent""#,
                r#"exclusion in use: control "capabilities_baseline" excluded for container "agent" (SYS_ADMIN)"#
            ]
        );
        // At baseline the restricted entry means nothing; the baseline one applies as usual.
        let r = validate(&pod_request(
            fine.clone(),
            json!({"level": "baseline", "exclusions": [whole.clone()]}),
        ));
        assert!(!r.accepted);
        // Before v1.22 restricted runs capabilities_baseline itself: no floor, no doubling.
        let r = validate(&pod_request(
            fine,
            json!({"version": "v1.21", "exclusions": [whole]}),
        ));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "restricted:v1.21": non-default capabilities (container "agent" must not include "SYS_ADMIN" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn the_floor_holds_in_the_modes_too() {
        // With a warn or audit mode the modes judge the pod (`modes.rs`): the same loop, so
        // the enforce mode refuses what the baseline floor refuses, as without the modes.
        let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}))}]});
        let whole = json!({"control": "capabilities_restricted", "images": ["vendor/agent:*"]});
        let expected = r#"violates PodSecurity "restricted:latest": non-default capabilities (container "agent" must not include "SYS_ADMIN" in securityContext.capabilities.add)"#;
        for settings in [
            json!({"exclusions": [whole.clone()]}),
            json!({"exclusions": [whole.clone()], "warn": {"level": "restricted"}}),
            json!({"exclusions": [whole.clone()], "audit": {"level": "baseline", "version": "v1.30"}}),
        ] {
            let r = validate(&pod_request(spec.clone(), settings.clone()));
            assert_eq!(r.message.as_deref(), Some(expected), "{settings}");
        }
        // Warn judges what enforce lets through, floor included.
        let r = validate(&pod_request(
            spec,
            json!({"level": "baseline", "exclusions": [whole], "warn": {"level": "restricted"}}),
        ));
        assert!(!r.accepted, "baseline refuses SYS_ADMIN");
    }

    #[test]
    fn the_floor_adds_only_what_the_restricted_control_no_longer_says() {
        // The forgiven container complies at baseline; the other one is still reported by
        // restricted alone, as PSA words it.
        let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}))},
                {"name": "app", "image": "shop/app:3", "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}))}]});
        let settings = json!({"exclusions": [{"control": "capabilities_restricted", "images": ["vendor/agent:*"]}]});
        let r = validate(&pod_request(spec, settings));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "restricted:latest": unrestricted capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)"#
            )
        );
        // Pod-scoped: hostPath volumes forgiven by type are refused by path at baseline.
        let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}, {"name": "root", "hostPath": {"path": "/"}},
                        {"name": "share", "nfs": {"server": "s", "path": "/"}}],
            "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
        let settings = json!({"exclusions": [{"control": "restrictedVolumes", "values": ["hostPath", "nfs", "/var/log"]}]});
        let r = validate(&pod_request(spec, settings));
        assert_eq!(
            r.message.as_deref(),
            Some(r#"violates PodSecurity "restricted:latest": hostPath volumes (volume "root")"#)
        );
    }

    #[test]
    fn a_container_taken_out_takes_its_own_annotations_only() {
        let with = |annotations: Value| {
            let mut spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "a", "image": "vendor/agent:1", "securityContext": good(json!({}))},
                               {"name": "b", "image": "shop/app:3", "securityContext": good(json!({}))}]});
            spec["annotations"] = annotations;
            spec
        };
        let request = |spec: Value, settings: Value| {
            let mut r: Value =
                serde_json::from_slice(&pod_request(spec.clone(), settings)).unwrap();
            r["request"]["object"]["metadata"]["annotations"] = spec["annotations"].clone();
            r["request"]["object"]["spec"]
                .as_object_mut()
                .unwrap()
                .remove("annotations");
            validate(&serde_json::to_vec(&r).unwrap())
        };
        let settings =
            json!({"exclusions": [{"control": "appArmorProfile", "images": ["vendor/agent:*"]}]});
        let apparmor = "container.apparmor.security.beta.kubernetes.io/";
        let r = request(
            with(json!({format!("{apparmor}a"): "unconfined"})),
            settings.clone(),
        );
        assert!(r.accepted, "{:?}", r.message);
        for other in ["b", "x/a", "aa", "a/"] {
            let r = request(
                with(
                    json!({format!("{apparmor}a"): "unconfined", format!("{apparmor}{other}"): "unconfined"}),
                ),
                settings.clone(),
            );
            assert_eq!(
                r.message.as_deref(),
                Some(format!(r#"violates PodSecurity "restricted:latest": forbidden AppArmor profile (annotation must not set AppArmor profile type to "{apparmor}{other}="unconfined"")"#).as_str()),
                "{other}"
            );
        }
        // The seccomp annotations (read up to v1.18) likewise.
        let seccomp = "container.seccomp.security.alpha.kubernetes.io/";
        let old = json!({"level": "baseline", "version": "v1.18",
            "exclusions": [{"control": "seccompProfile_baseline", "images": ["vendor/agent:*"]}]});
        let r = request(
            with(json!({format!("{seccomp}a"): "unconfined"})),
            old.clone(),
        );
        assert!(r.accepted, "{:?}", r.message);
        let r = request(with(json!({format!("{seccomp}b"): "unconfined"})), old);
        assert!(!r.accepted);
    }

    #[test]
    fn seccomp_and_apparmor_values_forgive_the_named_container_only() {
        let spec = json!({"securityContext": {"runAsNonRoot": true},
            "containers": [
                {"name": "legacy", "image": "x", "securityContext": good(json!({"seccompProfile": {"type": "Unconfined"}, "appArmorProfile": {"type": "Unconfined"}}))},
                {"name": "web", "image": "y", "securityContext": good(json!({"seccompProfile": {"type": "RuntimeDefault"}}))}]});
        let settings = json!({"exclusions": [
            {"control": "seccompProfile_restricted", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]},
            {"control": "appArmorProfile", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert!(r.accepted, "{:?}", r.message);
        let mut other = spec;
        other["containers"][1]["securityContext"]["seccompProfile"]["type"] = json!("Unconfined");
        let settings = json!({"exclusions": [
            {"control": "seccompProfile_restricted", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]},
            {"control": "appArmorProfile", "images": ["x"], "containers": ["legacy"], "values": ["Unconfined"]}]});
        let r = validate(&pod_request(other, settings));
        assert!(r.message.unwrap().contains(
            r#"container "web" must not set securityContext.seccompProfile.type to "Unconfined""#
        ));
    }
}
