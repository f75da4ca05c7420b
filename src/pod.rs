//! A borrowed, read-only view of the parts of a pod that the Pod Security Standards read.
//!
//! Only the fields a control looks at are deserialized; everything else in the object is
//! skipped unparsed. Strings borrow from the request where JSON allows it (no escapes).
//! Explicit `null`s read as "unset", exactly as Kubernetes' own decoder treats them.
//! A field of the wrong type is an error, never a silent default: the caller rejects.

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Text from the request: borrowed when the JSON string has no escapes, owned otherwise.
///
/// A newtype rather than `Cow<str>` because serde only borrows a `Cow` that is a field's
/// whole type: inside an `Option`, a `Vec` or a map key it copies every string.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str<'a>(Cow<'a, str>);

impl Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Str<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Str<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(s: &'a str) -> Self {
        Str(Cow::Borrowed(s))
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str(Cow::Owned(s))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// A JSON array kept without a heap allocation when it has at most one element, the usual
/// case: one container, one capability to drop, one source per volume. Reads as a slice.
#[derive(Clone, Default)]
pub enum List<T> {
    #[default]
    Empty,
    One(T),
    Many(Vec<T>),
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            List::Empty => &[],
            List::One(item) => std::slice::from_ref(item),
            List::Many(items) => items,
        }
    }
}

impl<T> DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            List::Empty => &mut [],
            List::One(item) => std::slice::from_mut(item),
            List::Many(items) => items,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> List<T> {
    pub fn push(&mut self, item: T) {
        match self {
            List::Many(items) => items.push(item),
            List::Empty => *self = List::One(item),
            List::One(_) => {
                if let List::One(first) = std::mem::take(self) {
                    *self = List::Many(vec![first, item]);
                }
            }
        }
    }

    /// Keeps the elements for which `keep` holds, in order (for exclusions, off the hot path).
    pub fn retain_mut(&mut self, mut keep: impl FnMut(&mut T) -> bool) {
        let mut kept = List::Empty;
        for mut item in self.take_all() {
            if keep(&mut item) {
                kept.push(item);
            }
        }
        *self = kept;
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.retain_mut(|item| keep(item));
    }

    fn take_all(&mut self) -> Vec<T> {
        match std::mem::take(self) {
            List::Empty => Vec::new(),
            List::One(item) => vec![item],
            List::Many(items) => items,
        }
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'l, T> IntoIterator for &'l mut List<T> {
    type Item = &'l mut T;
    type IntoIter = std::slice::IterMut<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut list = List::Empty;
                while let Some(item) = seq.next_element()? {
                    list.push(item);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(ListVisitor(std::marker::PhantomData))
    }
}

/// `null` and absent both mean the empty value, as in Kubernetes' Go types.
fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A pod's metadata and spec: a Pod object, or the pod template of a workload.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PodView<'a> {
    /// A Pod object's own `kind`; absent in a pod template.
    #[serde(borrow, default)]
    pub kind: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub metadata: ObjectMeta<'a>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub spec: PodSpec<'a>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectMeta<'a> {
    /// Only the annotations a control reads (see [`read_by_controls`]); every value must
    /// still be a string, as the API server requires.
    #[serde(borrow, default, deserialize_with = "security_annotations")]
    pub annotations: BTreeMap<Str<'a>, Str<'a>>,
}

/// The annotations the controls read: AppArmor's per container, seccomp's for the pod and
/// per container. Others (often most of an object's metadata) are checked but not kept.
pub fn read_by_controls(key: &str) -> bool {
    use crate::controls::{app_armor_profile, seccomp_profile};
    key.starts_with(app_armor_profile::ANNOTATION_PREFIX)
        || key == seccomp_profile::POD_ANNOTATION
        || key.starts_with(seccomp_profile::CONTAINER_ANNOTATION_PREFIX)
}

fn security_annotations<'de: 'a, 'a, D>(
    deserializer: D,
) -> Result<BTreeMap<Str<'a>, Str<'a>>, D::Error>
where
    D: Deserializer<'de>,
{
    struct AnnotationsVisitor;
    impl<'de> Visitor<'de> for AnnotationsVisitor {
        type Value = BTreeMap<Str<'de>, Str<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of strings to strings")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut kept = BTreeMap::new();
            while let Some(key) = map.next_key::<Str<'de>>()? {
                let value = map.next_value::<Str<'de>>()?;
                // As Go's decoder: the last of duplicate keys wins.
                if read_by_controls(&key) {
                    kept.insert(key, value);
                }
            }
            Ok(kept)
        }
    }
    deserializer.deserialize_option(AnnotationsVisitor)
}

impl ObjectMeta<'_> {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).map(|v| v.as_ref())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec<'a> {
    #[serde(default)]
    pub host_network: Option<bool>,
    #[serde(rename = "hostPID", default)]
    pub host_pid: Option<bool>,
    #[serde(rename = "hostIPC", default)]
    pub host_ipc: Option<bool>,
    #[serde(default)]
    pub host_users: Option<bool>,
    #[serde(borrow, default)]
    pub runtime_class_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub os: Option<PodOs<'a>>,
    #[serde(borrow, default)]
    pub security_context: Option<PodSecurityContext<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub init_containers: List<Container<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub containers: List<Container<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub ephemeral_containers: List<Container<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub volumes: List<Volume<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PodOs<'a> {
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext<'a> {
    #[serde(default)]
    pub run_as_non_root: Option<bool>,
    #[serde(default)]
    pub run_as_user: Option<i64>,
    #[serde(borrow, default)]
    pub seccomp_profile: Option<ProfileType<'a>>,
    #[serde(borrow, default)]
    pub app_armor_profile: Option<ProfileType<'a>>,
    #[serde(borrow, default, rename = "seLinuxOptions")]
    pub se_linux_options: Option<SeLinuxOptions<'a>>,
    #[serde(default)]
    pub windows_options: Option<WindowsOptions>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub sysctls: List<Sysctl<'a>>,
}

/// The `{type: ...}` shape shared by `seccompProfile` and `appArmorProfile`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileType<'a> {
    #[serde(rename = "type", borrow, default)]
    pub kind: Option<Str<'a>>,
}

impl ProfileType<'_> {
    /// The profile type as Go reads it: unset is the empty string.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeLinuxOptions<'a> {
    #[serde(rename = "type", borrow, default)]
    pub kind: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub user: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub role: Option<Str<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowsOptions {
    #[serde(default)]
    pub host_process: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Sysctl<'a> {
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
}

/// A container, init container or ephemeral container.
///
/// What a container may leave out is boxed: a container costs about a hundred bytes
/// however many fields the view knows, so that a request of millions of `{}` containers
/// stays within memory (a wasm32 guest's in particular: unboxed, 20 MiB of `[{},{},...]`
/// asked for more than 2 GiB and the module trapped).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container<'a> {
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub image: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub security_context: Option<Box<SecurityContext<'a>>>,
    #[serde(default, deserialize_with = "null_default")]
    pub ports: List<ContainerPort>,
    #[serde(borrow, default)]
    pub liveness_probe: Option<Box<Handler<'a>>>,
    #[serde(borrow, default)]
    pub readiness_probe: Option<Box<Handler<'a>>>,
    #[serde(borrow, default)]
    pub startup_probe: Option<Box<Handler<'a>>>,
    #[serde(borrow, default)]
    pub lifecycle: Option<Box<Lifecycle<'a>>>,
}

impl Container<'_> {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext<'a> {
    #[serde(default)]
    pub privileged: Option<bool>,
    #[serde(default)]
    pub allow_privilege_escalation: Option<bool>,
    #[serde(default)]
    pub run_as_non_root: Option<bool>,
    #[serde(default)]
    pub run_as_user: Option<i64>,
    #[serde(default)]
    pub read_only_root_filesystem: Option<bool>,
    #[serde(borrow, default)]
    pub capabilities: Option<Capabilities<'a>>,
    #[serde(borrow, default)]
    pub proc_mount: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub seccomp_profile: Option<ProfileType<'a>>,
    #[serde(borrow, default)]
    pub app_armor_profile: Option<ProfileType<'a>>,
    #[serde(borrow, default, rename = "seLinuxOptions")]
    pub se_linux_options: Option<SeLinuxOptions<'a>>,
    #[serde(default)]
    pub windows_options: Option<WindowsOptions>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Capabilities<'a> {
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub add: List<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    pub drop: List<Str<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    #[serde(default)]
    pub host_port: Option<i64>,
}

/// A probe or a lifecycle handler: only the two actions that can name a host.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handler<'a> {
    #[serde(borrow, default)]
    pub http_get: Option<HostField<'a>>,
    #[serde(borrow, default)]
    pub tcp_socket: Option<HostField<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HostField<'a> {
    #[serde(borrow, default)]
    pub host: Option<Str<'a>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle<'a> {
    #[serde(borrow, default)]
    pub post_start: Option<Handler<'a>>,
    #[serde(borrow, default)]
    pub pre_stop: Option<Handler<'a>>,
}

/// A pod volume: its name and the keys of every source it sets (non-null).
///
/// A volume is a name plus exactly one inline source in Kubernetes, so every other key is
/// a source. Keeping the keys rather than typed sources means a source type this policy
/// has never heard of is still seen (and refused by `restrictedVolumes`), not dropped.
#[derive(Debug, Clone, Default)]
pub struct Volume<'a> {
    pub name: Str<'a>,
    pub sources: List<Str<'a>>,
    /// `hostPath.path`, the value a `hostPathVolumes` exclusion names.
    pub host_path: Option<Str<'a>>,
}

impl Volume<'_> {
    pub fn has_source(&self, key: &str) -> bool {
        self.sources.iter().any(|s| s == key)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Volume<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VolumeVisitor;
        impl<'de> Visitor<'de> for VolumeVisitor {
            type Value = Volume<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a volume object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut volume = Volume::default();
                while let Some(key) = map.next_key::<Str<'de>>()? {
                    if key == "name" {
                        volume.name = map.next_value::<Option<Str<'de>>>()?.unwrap_or_default();
                    } else if key == "hostPath" {
                        if let Some(source) = map.next_value::<Option<HostPathSource>>()? {
                            volume.host_path = source.path;
                            volume.sources.push(key);
                        }
                    } else if map.next_value::<Option<SourceObject>>()?.is_some() {
                        volume.sources.push(key);
                    }
                }
                Ok(volume)
            }
        }
        deserializer.deserialize_map(VolumeVisitor)
    }
}

#[derive(Deserialize)]
struct HostPathSource<'a> {
    #[serde(borrow, default)]
    path: Option<Str<'a>>,
}

/// A volume source: any JSON object, contents skipped.
struct SourceObject;

impl<'de> Deserialize<'de> for SourceObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = SourceObject;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a volume source object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SourceObject, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(SourceObject)
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Which list of the pod spec a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    /// How messages name a container of this kind.
    pub fn label(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

impl<'a> PodSpec<'a> {
    /// Every container in the order Pod Security Admission visits them: init containers,
    /// containers, then ephemeral containers. Messages list names in this order.
    pub fn all_containers(&self) -> impl Iterator<Item = &Container<'a>> {
        self.init_containers
            .iter()
            .chain(&self.containers)
            .chain(&self.ephemeral_containers)
    }

    /// Like [`Self::all_containers`], with the list each container comes from.
    pub fn containers_with_kind(&self) -> impl Iterator<Item = (ContainerKind, &Container<'a>)> {
        let tag = |kind| move |c| (kind, c);
        self.init_containers
            .iter()
            .map(tag(ContainerKind::Init))
            .chain(self.containers.iter().map(tag(ContainerKind::Regular)))
            .chain(
                self.ephemeral_containers
                    .iter()
                    .map(tag(ContainerKind::Ephemeral)),
            )
    }

    /// `spec.os.name == "windows"`: PSA (from v1.25) exempts such pods from the
    /// Linux-only restricted controls, which the API server forbids them to set.
    pub fn is_windows(&self) -> bool {
        self.os
            .as_ref()
            .and_then(|os| os.name.as_deref())
            .is_some_and(|name| name == "windows")
    }

    /// `spec.hostUsers == false`: the pod runs in its own user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.host_users == Some(false)
    }
}

/// Error text for JSON that the view could not be read from, naming the path to the
/// offending field. Both the path (map keys) and serde's text (a string of the wrong type)
/// repeat the request: each is cut, so that the message stays bounded.
pub fn read_error(json: &str, error: &serde_json::Error) -> String {
    crate::json_path::explain(json, error, |s| {
        crate::controls::clip_text(s, 2 * crate::controls::MAX_VALUE_BYTES).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(json: &str) -> PodView<'_> {
        serde_json::from_str(json).expect("view")
    }

    #[test]
    fn nulls_read_as_unset() {
        let pod = view(
            r#"{"metadata":{"annotations":null},"spec":{"containers":null,"securityContext":null,
            "volumes":[{"name":"v","hostPath":null,"emptyDir":{}}],"hostNetwork":null}}"#,
        );
        assert!(pod.spec.containers.is_empty());
        assert!(pod.spec.security_context.is_none());
        assert_eq!(pod.spec.host_network, None);
        assert_eq!(*pod.spec.volumes[0].sources, ["emptyDir"]);
    }

    #[test]
    fn unknown_volume_source_is_kept() {
        let pod = view(r#"{"spec":{"volumes":[{"name":"v","fancyNewDisk":{"x":1}}]}}"#);
        assert_eq!(pod.spec.volumes[0].name, "v");
        assert_eq!(*pod.spec.volumes[0].sources, ["fancyNewDisk"]);
    }

    #[test]
    fn wrong_types_are_errors_with_a_path() {
        let json =
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"privileged":"yes"}}]}}"#;
        assert!(serde_json::from_str::<PodView>(json).is_err());
        let msg = read_error(json, &serde_json::from_str::<PodView>(json).unwrap_err());
        assert!(
            msg.starts_with("spec.containers[0].securityContext.privileged: invalid type"),
            "{msg}"
        );
        // A volume source must be an object.
        assert!(serde_json::from_str::<PodView>(
            r#"{"spec":{"volumes":[{"name":"v","hostPath":"/"}]}}"#
        )
        .is_err());
    }

    #[test]
    fn containers_are_visited_init_regular_ephemeral() {
        let pod = view(
            r#"{"spec":{"containers":[{"name":"c"}],"initContainers":[{"name":"i"}],
            "ephemeralContainers":[{"name":"e"}]}}"#,
        );
        let names: Vec<_> = pod.spec.all_containers().map(|c| c.name()).collect();
        assert_eq!(names, ["i", "c", "e"]);
        let kinds: Vec<_> = pod.spec.containers_with_kind().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            [
                ContainerKind::Init,
                ContainerKind::Regular,
                ContainerKind::Ephemeral
            ]
        );
    }

    #[test]
    fn escaped_strings_are_read() {
        let pod = view(
            r#"{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a\u0062":"c\"d"}}}"#,
        );
        assert_eq!(
            pod.metadata
                .annotation("container.apparmor.security.beta.kubernetes.io/ab"),
            Some("c\"d")
        );
    }

    #[test]
    fn only_annotations_a_control_reads_are_kept() {
        let pod = view(
            r#"{"metadata":{"annotations":{"team":"a","seccomp.security.alpha.kubernetes.io/pod":"x",
            "container.seccomp.security.alpha.kubernetes.io/c":"y","seccomp.security.alpha.kubernetes.io/pod":"z"}}}"#,
        );
        let kept: Vec<_> = pod.metadata.annotations.keys().map(|k| &**k).collect();
        assert_eq!(
            kept,
            [
                "container.seccomp.security.alpha.kubernetes.io/c",
                "seccomp.security.alpha.kubernetes.io/pod"
            ]
        );
        // The last of duplicate keys wins, as in Go.
        assert_eq!(
            pod.metadata
                .annotation("seccomp.security.alpha.kubernetes.io/pod"),
            Some("z")
        );
        // An annotation no control reads must still be a string.
        assert!(
            serde_json::from_str::<PodView>(r#"{"metadata":{"annotations":{"team":5}}}"#).is_err()
        );
    }

    #[test]
    fn lists_keep_every_element_in_order() {
        let pod = view(
            r#"{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}],"initContainers":[{"name":"i"}]}}"#,
        );
        let names: Vec<_> = pod.spec.all_containers().map(|c| c.name()).collect();
        assert_eq!(names, ["i", "a", "b", "c"]);
        let mut list = pod.spec.containers.clone();
        list.retain(|c| c.name() != "b");
        assert_eq!(
            list.iter().map(|c| c.name()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        list.retain(|c| c.name() == "c");
        assert!(matches!(list, List::One(_)));
        list.retain(|_| false);
        assert!(list.is_empty() && matches!(list, List::Empty));
        assert!(serde_json::from_str::<PodView>(r#"{"spec":{"containers":{}}}"#).is_err());
    }

    #[test]
    fn unescaped_strings_are_borrowed() {
        let pod = view(r#"{"spec":{"containers":[{"name":"plain","image":"n\u0067inx"}]}}"#);
        let c = &pod.spec.containers[0];
        assert!(matches!(c.name, Some(Str(Cow::Borrowed("plain")))));
        assert!(matches!(&c.image, Some(Str(Cow::Owned(s))) if s == "nginx"));
    }

    #[test]
    fn read_errors_cut_what_they_repeat() {
        let long = "v".repeat(100_000);
        let json = format!(r#"{{"metadata":{{"annotations":{{"{long}":5}}}}}}"#);
        let msg = read_error(&json, &serde_json::from_str::<PodView>(&json).unwrap_err());
        assert!(msg.starts_with("metadata.annotations.vvv"), "{msg}");
        assert!(
            msg.contains("more bytes)") && msg.len() < 1200,
            "{}",
            msg.len()
        );
        let json = format!(r#"{{"spec":{{"hostPID":"{long}"}}}}"#);
        let msg = read_error(&json, &serde_json::from_str::<PodView>(&json).unwrap_err());
        assert!(
            msg.starts_with("spec.hostPID: invalid type: string \"vvv"),
            "{msg}"
        );
        assert!(msg.len() < 1200, "{}", msg.len());
    }
}
