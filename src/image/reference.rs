//! Image references as the container runtime reads them (distribution/reference's grammar
//! and `ParseNormalizedNamed`): split, checked and qualified.

/// References longer than this are never matched by a pattern (fail closed: the exclusion
/// does not apply), which keeps matching cheap whatever the request holds.
const MAX_MATCHED_LEN: usize = 4096;

const DOCKER_HUB: &str = "docker.io";
const LEGACY_DOCKER_HUB: &str = "index.docker.io";
/// Docker Hub's namespace of official images, implied for one-component names there.
pub(super) const OFFICIAL: &str = "library";
/// The longest repository path (`library/` included) distribution/reference accepts.
pub(super) const MAX_PATH_LEN: usize = 255;
pub(super) const MAX_TAG_LEN: usize = 128;
pub(super) const DEFAULT_TAG: &str = "latest";

/// A name split as the runtime splits it: (registry, the rest, whether `library/` is
/// implied before the rest). distribution/reference's `splitDockerDomain`.
pub(super) fn split_registry(name: &str) -> (&str, &str, bool) {
    let Some((first, rest)) = name.split_once('/') else {
        return (DOCKER_HUB, name, true);
    };
    let registry = if first == LEGACY_DOCKER_HUB {
        DOCKER_HUB
    } else if first == "localhost"
        || first.contains(['.', ':'])
        || first.bytes().any(|b| b.is_ascii_uppercase())
    {
        first
    } else {
        return (DOCKER_HUB, name, false);
    };
    (
        registry,
        rest,
        registry == DOCKER_HUB && !rest.contains('/'),
    )
}

/// Splits what follows the registry into (path, tag, digest).
pub(super) fn split_rest(rest: &str) -> (&str, Option<&str>, Option<&str>) {
    let (name, digest) = match rest.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (rest, None),
    };
    match name.split_once(':') {
        Some((path, tag)) => (path, Some(tag), digest),
        None => (name, None, digest),
    }
}

/// A reference the runtime accepts, split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Reference<'a> {
    pub(super) registry: &'a str,
    /// `library/` before the path (an official Docker Hub image).
    pub(super) official: bool,
    pub(super) path: &'a str,
    pub(super) tag: Option<&'a str>,
    pub(super) digest: Option<&'a str>,
}

impl<'a> Reference<'a> {
    /// Reads a reference as distribution/reference's `ParseNormalizedNamed` does; `None`
    /// for one the runtime refuses to pull.
    pub(super) fn parse(reference: &'a str) -> Option<Reference<'a>> {
        if reference.len() > MAX_MATCHED_LEN || is_identifier(reference) {
            return None;
        }
        let (registry, rest, official) = split_registry(reference);
        let (path, tag, digest) = split_rest(rest);
        let valid = valid_registry(registry)
            && path.split('/').all(valid_path_component)
            && path_len(official, path) <= MAX_PATH_LEN
            && tag.is_none_or(valid_tag)
            && digest.is_none_or(valid_digest);
        valid.then_some(Reference {
            registry,
            official,
            path,
            tag,
            digest,
        })
    }

    /// The path's components, `library` first where it is implied.
    pub(super) fn components(&self) -> impl Iterator<Item = &'a str> {
        self.official
            .then_some(OFFICIAL)
            .into_iter()
            .chain(self.path.split('/'))
    }
}

/// The reference written in full: registry, `library/` where implied, path, tag (`latest`
/// when neither a tag nor a digest is written), digest.
pub(super) fn qualified(
    registry: &str,
    official: bool,
    path: &str,
    tag: Option<&str>,
    digest: Option<&str>,
) -> String {
    let mut out = String::with_capacity(registry.len() + path.len() + 96);
    out.push_str(registry);
    out.push('/');
    if official {
        out.push_str(OFFICIAL);
        out.push('/');
    }
    out.push_str(path);
    match (tag, digest) {
        (Some(tag), _) => {
            out.push(':');
            out.push_str(tag);
        }
        (None, None) => {
            out.push(':');
            out.push_str(DEFAULT_TAG);
        }
        (None, Some(_)) => {}
    }
    if let Some(digest) = digest {
        out.push('@');
        out.push_str(digest);
    }
    out
}

pub(super) fn path_len(official: bool, path: &str) -> usize {
    path.len() + if official { OFFICIAL.len() + 1 } else { 0 }
}

/// 64 lower-case hex digits alone: an image ID, which the runtime refuses as a name.
fn is_identifier(reference: &str) -> bool {
    reference.len() == 64 && reference.bytes().all(is_lower_hex)
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

pub(super) fn is_path_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or any run of `-`.
pub(super) fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !is_path_alnum(first) || !is_path_alnum(last) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if is_path_alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !is_path_alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        if !(matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-')) {
            return false;
        }
    }
    true
}

/// A host (a DNS-like name, an IPv4 address or an `[IPv6]` one) and an optional `:port`.
pub(super) fn valid_registry(registry: &str) -> bool {
    let (host, port) = match (registry.starts_with('['), registry.find([']', ':'])) {
        (true, _) => match registry.find(']') {
            Some(end) => registry.split_at(end + 1),
            None => return false,
        },
        (false, Some(colon)) => registry.split_at(colon),
        (false, None) => (registry, ""),
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(address) => {
            !address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
        }
        None => host.split('.').all(valid_label),
    };
    port_ok && host_ok
}

/// A component of a registry's name: letters, digits and inner `-`.
fn valid_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    matches!((bytes.first(), bytes.last()), (Some(f), Some(l)) if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
pub(super) fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    matches!(tag.as_bytes().first(), Some(&b) if word(b))
        && tag.len() <= MAX_TAG_LEN
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

/// A digest the runtime verifies: an algorithm it knows and its hex digest, lower case.
pub(super) fn valid_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    encoded.len() == len && encoded.bytes().all(is_lower_hex)
}
