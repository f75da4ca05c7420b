//! Image references as the container runtime reads them, and the glob patterns that
//! exclusions use to select images.
//!
//! A reference is read as the kubelet and containerd read it (distribution/reference,
//! `ParseNormalizedNamed`): the first path component names the registry when it has a `.`
//! or a `:`, is `localhost`, or has an upper-case letter (`EVILHOST/agent` is pulled from
//! the host EVILHOST); otherwise the registry is Docker Hub, `docker.io` (`index.docker.io`
//! is the same), and a one-component name there is an official image under `library/`:
//! `nginx` is `docker.io/library/nginx:latest`, `user/app:1` is `docker.io/user/app:1`,
//! `localhost:5000/app` is `localhost:5000/app:latest`. The rest is the grammar of
//! references: lower-case path components, a tag of up to 128 characters, a digest the
//! runtime can verify (`sha256:` and 64 lower-case hex digits, or sha384, sha512). A
//! reference the runtime refuses to pull is matched by no pattern.
//!
//! With a digest the runtime pulls the digest and ignores any tag written before it. So a
//! pattern matches a reference with a digest only when it names the digest (`@sha256:...`,
//! wildcards allowed) or accepts every tag (`:*`, the repository's whole content, whatever a
//! tag points to); a pattern naming a tag, or none (`:latest` is implied), never matches one.
//!
//! Patterns are read the same way, then matched part by part: registry, path (`*` matches
//! any run of characters except `/`, `?` one character except `/`), tag, digest. Patterns
//! that cannot be meant are refused: a wildcard where Docker Hub is only implied (`*` is
//! `docker.io/library/*:latest`, `*/agent` is `docker.io/*/agent`), a path, tag or digest
//! that no reference the runtime accepts could have.

/// References longer than this are never matched by a pattern (fail closed: the exclusion
/// does not apply), which keeps matching cheap whatever the request holds.
const MAX_MATCHED_LEN: usize = 4096;
const MAX_PATTERN_LEN: usize = 512;

const DOCKER_HUB: &str = "docker.io";
const LEGACY_DOCKER_HUB: &str = "index.docker.io";
/// Docker Hub's namespace of official images, implied for one-component names there.
const OFFICIAL: &str = "library";
/// The longest repository path (`library/` included) distribution/reference accepts.
const MAX_PATH_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;
const DEFAULT_TAG: &str = "latest";

/// A name split as the runtime splits it: (registry, the rest, whether `library/` is
/// implied before the rest). distribution/reference's `splitDockerDomain`.
fn split_registry(name: &str) -> (&str, &str, bool) {
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
fn split_rest(rest: &str) -> (&str, Option<&str>, Option<&str>) {
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
struct Reference<'a> {
    registry: &'a str,
    /// `library/` before the path (an official Docker Hub image).
    official: bool,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

impl<'a> Reference<'a> {
    /// Reads a reference as distribution/reference's `ParseNormalizedNamed` does; `None`
    /// for one the runtime refuses to pull.
    fn parse(reference: &'a str) -> Option<Reference<'a>> {
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
    fn components(&self) -> impl Iterator<Item = &'a str> {
        self.official
            .then_some(OFFICIAL)
            .into_iter()
            .chain(self.path.split('/'))
    }
}

/// The fully qualified form of an image reference (`nginx` is
/// `docker.io/library/nginx:latest`), or `None` when the runtime would refuse it.
pub fn qualify(reference: &str) -> Option<String> {
    let r = Reference::parse(reference)?;
    Some(qualified(r.registry, r.official, r.path, r.tag, r.digest))
}

fn qualified(
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

fn path_len(official: bool, path: &str) -> usize {
    path.len() + if official { OFFICIAL.len() + 1 } else { 0 }
}

/// 64 lower-case hex digits alone: an image ID, which the runtime refuses as a name.
fn is_identifier(reference: &str) -> bool {
    reference.len() == 64 && reference.bytes().all(is_lower_hex)
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn is_path_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or any run of `-`.
fn valid_path_component(component: &str) -> bool {
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
fn valid_registry(registry: &str) -> bool {
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
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    matches!(tag.as_bytes().first(), Some(&b) if word(b))
        && tag.len() <= MAX_TAG_LEN
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

/// A digest the runtime verifies: an algorithm it knows and its hex digest, lower case.
fn valid_digest(digest: &str) -> bool {
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

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

fn only_wildcards(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b == b'*' || b == b'?')
}

/// An image pattern, split and qualified as a reference is, ready to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePattern {
    registry: String,
    /// With `library/` where Docker Hub implies it.
    path: String,
    /// `None`: none written (`latest` when there is no digest either).
    tag: Option<String>,
    digest: Option<String>,
}

impl ImagePattern {
    /// Checks and qualifies a pattern; the error says what is wrong with it and, where it
    /// can, what to write instead.
    pub fn parse(pattern: &str) -> Result<ImagePattern, String> {
        if pattern.is_empty() {
            return Err("empty pattern".to_owned());
        }
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(format!("longer than {MAX_PATTERN_LEN} bytes"));
        }
        if let Some(c) = pattern
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "._-/:@*?[]".contains(*c)))
        {
            return Err(format!(
                "{c:?} is not allowed: use letters, digits, '.', '_', '-', '/', ':', '@', and the wildcards '*' (any characters but '/') and '?'"
            ));
        }
        if pattern.contains("**") {
            return Err("'**' is not a wildcard here: '*' never crosses a '/'".to_owned());
        }
        if pattern.starts_with('/') || pattern.ends_with('/') || pattern.contains("//") {
            return Err("empty path component".to_owned());
        }
        if pattern.matches('@').count() > 1 {
            return Err("more than one '@'".to_owned());
        }
        if pattern.ends_with(':') || pattern.ends_with('@') || pattern.contains(":@") {
            return Err("empty tag or digest".to_owned());
        }
        let (registry, rest, official) = split_registry(pattern);
        let (path, tag, digest) = split_rest(rest);
        let qualified_pattern = qualified(registry, official, path, tag, digest);
        // The registry was not written: Docker Hub is implied.
        if rest.len() == pattern.len() {
            // Docker Hub is implied: a wildcard can only stand for Docker Hub's names,
            // never for a registry, whatever it was meant to be.
            let first = path.split('/').next().unwrap_or("");
            if official && only_wildcards(path) {
                return Err(format!(
                    "it means {qualified_pattern}: only official Docker Hub images (docker.io/library/...), not every image; name the registry and repository of the images, e.g. \"registry.example.com/team/*:*\" or \"docker.io/*/*:*\""
                ));
            }
            if !official && has_wildcard(first) {
                return Err(format!(
                    "its first component {first:?} reads as a Docker Hub namespace ({qualified_pattern}), not a registry: write \"docker.io/{rest}\" if that is meant, or name the registry (\"registry.example.com/{rest}\")"
                ));
            }
        }
        if has_wildcard(registry) {
            if !registry
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]*?".contains(&b))
            {
                return Err(format!("registry {registry:?} is not a host and port"));
            }
        } else if !valid_registry(registry) {
            return Err(format!(
                "registry {registry:?} is not a host the runtime accepts (a name, an IPv4 or [IPv6] address, and an optional :port)"
            ));
        }
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "repository path {path:?} has upper-case letters: repository paths are lower case (the runtime refuses any other)"
            ));
        }
        for component in path.split('/') {
            let fits = if has_wildcard(component) {
                component
                    .bytes()
                    .all(|b| is_path_alnum(b) || b"._-*?".contains(&b))
            } else {
                valid_path_component(component)
            };
            if !fits {
                return Err(format!(
                    "path component {component:?} is not one the runtime accepts: lower-case letters and digits, joined by '.', '_', '__' or '-'"
                ));
            }
        }
        if !has_wildcard(path) && path_len(official, path) > MAX_PATH_LEN {
            return Err(format!(
                "the repository path is longer than the {MAX_PATH_LEN} characters the runtime accepts"
            ));
        }
        if let Some(tag) = tag {
            let fits = if has_wildcard(tag) {
                !tag.starts_with(['.', '-'])
                    && tag
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_.-*?".contains(&b))
            } else {
                valid_tag(tag)
            };
            if !fits {
                return Err(format!(
                    "tag {tag:?} is not one the runtime accepts: up to {MAX_TAG_LEN} letters, digits, '_', '.' or '-', not starting with '.' or '-'"
                ));
            }
        }
        if let Some(digest) = digest {
            let fits = if has_wildcard(digest) {
                digest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b":+._-*?".contains(&b))
            } else {
                valid_digest(digest)
            };
            if !fits {
                return Err(format!(
                    "digest {digest:?} is not one the runtime accepts: \"sha256:\" and 64 lower-case hex digits (or sha384, sha512)"
                ));
            }
        }
        let mut full_path = String::with_capacity(path_len(official, path));
        if official {
            full_path.push_str(OFFICIAL);
            full_path.push('/');
        }
        full_path.push_str(path);
        Ok(ImagePattern {
            registry: registry.to_owned(),
            path: full_path,
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// Whether the image reference matches the pattern (see the module's documentation):
    /// never when the runtime would refuse the reference.
    pub fn matches(&self, image: &str) -> bool {
        let Some(r) = Reference::parse(image) else {
            return false;
        };
        if !segment(self.registry.as_bytes(), r.registry.as_bytes()) {
            return false;
        }
        let mut pattern_components = self.path.split('/');
        let mut components = r.components();
        loop {
            match (pattern_components.next(), components.next()) {
                (None, None) => break,
                (Some(p), Some(c)) if segment(p.as_bytes(), c.as_bytes()) => {}
                _ => return false,
            }
        }
        let glob = |p: &str, t: &str| segment(p.as_bytes(), t.as_bytes());
        match (self.digest.as_deref(), r.digest) {
            // The digest is what runs; a tag written too must match as well.
            (Some(pattern), Some(digest)) => {
                glob(pattern, digest)
                    && self
                        .tag
                        .as_deref()
                        .is_none_or(|p| r.tag.is_some_and(|t| glob(p, t)))
            }
            (Some(_), None) => false,
            // The tag is ignored: only a pattern that accepts every tag vouches for
            // whatever digest comes after it.
            (None, Some(_)) => self.tag.as_deref() == Some("*") && r.tag.is_some(),
            (None, None) => glob(
                self.tag.as_deref().unwrap_or(DEFAULT_TAG),
                r.tag.unwrap_or(DEFAULT_TAG),
            ),
        }
    }
}

/// `*` matches any run of characters, `?` one character: the classic greedy wildcard walk
/// over one component (no `/` inside).
fn segment(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, t));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|b| *b == b'*')
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifies_like_the_runtime() {
        let cases = [
            ("nginx", "docker.io/library/nginx:latest"),
            ("nginx:1.27", "docker.io/library/nginx:1.27"),
            ("library/nginx", "docker.io/library/nginx:latest"),
            ("docker.io/nginx", "docker.io/library/nginx:latest"),
            ("index.docker.io/nginx:1", "docker.io/library/nginx:1"),
            ("istio/proxyv2:1.22.0", "docker.io/istio/proxyv2:1.22.0"),
            ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"),
            ("localhost/app", "localhost/app:latest"),
            ("localhost:5000/app", "localhost:5000/app:latest"),
            (
                "registry.example.com:5000/team/app:v2",
                "registry.example.com:5000/team/app:v2",
            ),
            (
                "nginx@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
                "docker.io/library/nginx@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
            ),
            (
                "nginx:1.27@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
                "docker.io/library/nginx:1.27@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
            ),
            ("host:5000/a/b@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1", "host:5000/a/b@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"),
        ];
        for (reference, qualified) in cases {
            assert_eq!(
                qualify(reference).as_deref(),
                Some(qualified),
                "{reference}"
            );
        }
    }

    fn matches(pattern: &str, image: &str) -> bool {
        ImagePattern::parse(pattern).unwrap().matches(image)
    }

    #[test]
    fn implicit_registry_and_tag() {
        assert!(matches("nginx", "docker.io/library/nginx:latest"));
        assert!(matches("docker.io/library/nginx:latest", "nginx"));
        assert!(!matches("nginx", "nginx:1.27"), "a bare name means :latest");
        assert!(matches("nginx:*", "nginx:1.27"));
        assert!(
            !matches("nginx:*", "evil.io/nginx:1.27"),
            "another registry"
        );
        assert!(!matches("nginx:*", "nginxx:1"));
    }

    #[test]
    fn star_never_crosses_a_slash() {
        assert!(matches("docker.io/istio/proxyv2:*", "istio/proxyv2:1.22.0"));
        assert!(!matches("docker.io/istio/*", "istio/proxyv2/evil:1"));
        assert!(
            !matches("docker.io/*:*", "istio/proxyv2:1"),
            "library/ is implied only for one-part names"
        );
        assert!(matches("docker.io/*/proxyv2:*", "istio/proxyv2:1"));
        // `*` alone would be docker.io/library/*:latest, never "istio/proxyv2": refused.
        assert!(ImagePattern::parse("*").is_err());
        assert!(matches("ghcr.io/org/app?:v1", "ghcr.io/org/app2:v1"));
        assert!(!matches("ghcr.io/org/app?:v1", "ghcr.io/org/app/:v1"));
    }

    #[test]
    fn digests_are_part_of_the_reference() {
        assert!(!matches(
            "docker.io/istio/proxyv2:1.22.0",
            "istio/proxyv2:1.22.0@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"
        ));
        assert!(matches(
            "docker.io/istio/proxyv2:*",
            "istio/proxyv2:1.22.0@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"
        ));
        assert!(matches(
            "istio/proxyv2@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
            "docker.io/istio/proxyv2@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"
        ));
        assert!(!matches(
            "istio/proxyv2@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
            "istio/proxyv2@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d2"
        ));
        assert!(
            !matches("istio/proxyv2:*", "istio/proxyv2@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"),
            "no tag, no match for :*"
        );
    }

    #[test]
    fn a_port_is_not_a_tag() {
        assert!(matches("localhost:5000/app", "localhost:5000/app:latest"));
        assert!(!matches("localhost:5000/app:*", "localhost:6000/app:v1"));
        assert!(matches("localhost:*/app:v1", "localhost:6000/app:v1"));
        // "5000/app" is not a tag of "localhost".
        assert_eq!(
            qualify("localhost:5000/app").as_deref(),
            Some("localhost:5000/app:latest")
        );
    }

    const DIGEST: &str = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1";

    #[test]
    fn the_registry_is_found_as_the_runtime_finds_it() {
        let cases = [
            // An upper-case letter in the first component makes it a registry host.
            ("EVILHOST/node-agent:1", Some("EVILHOST/node-agent:1")),
            ("Evil/node-agent", Some("Evil/node-agent:latest")),
            (
                "evilhost/node-agent:1",
                Some("docker.io/evilhost/node-agent:1"),
            ),
            ("localhost/app", Some("localhost/app:latest")),
            ("10.0.0.1:5000/app", Some("10.0.0.1:5000/app:latest")),
            ("[fd00::1]:5000/app", Some("[fd00::1]:5000/app:latest")),
            (
                "index.docker.io/team/app",
                Some("docker.io/team/app:latest"),
            ),
            (
                "docker.io/team/sub/app:v1",
                Some("docker.io/team/sub/app:v1"),
            ),
            // One component is always a Docker Hub name, even one that looks like a host.
            ("localhost:5000", Some("docker.io/library/localhost:5000")),
            ("example.com", Some("docker.io/library/example.com:latest")),
            // What the runtime refuses.
            ("docker.io/Team/app", None),
            ("EVILHOST/App", None),
            ("EVIL_HOST/app", None),
            ("a_b.c/app", None),
            ("host:port/app", None),
            ("nginx:1.0/x", None),
            ("nginx@sha256:abcd", None),
            (
                "nginx@SHA256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
                None,
            ),
            (
                "nginx@sha256:4BCFF63911FCB4448BD4FDACEC207030997CAF25E9BEA4045FA6C8C44DE311D1",
                None,
            ),
            ("nginx@md5:4bcff63911fcb4448bd4fdacec207030", None),
            ("nginx:-1", None),
            ("nginx:.1", None),
            (" nginx", None),
            ("nginx ", None),
            ("a//b", None),
            ("a--b_c__d/e.f", Some("docker.io/a--b_c__d/e.f:latest")),
            // A first component with a "." is a registry; one that is no host is refused.
            ("a--b_c__d.e/f", None),
            ("a___b", None),
            ("a..b", None),
            ("-a", None),
            (
                "4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
                None,
            ),
        ];
        for (reference, qualified) in cases {
            assert_eq!(qualify(reference).as_deref(), qualified, "{reference}");
        }
        let long_tag = format!("nginx:{}", "t".repeat(128));
        assert!(qualify(&long_tag).is_some());
        assert!(qualify(&format!("{long_tag}t")).is_none());
        let long_path = format!("a/{}", "b".repeat(253));
        assert!(qualify(&long_path).is_some());
        assert!(qualify(&format!("{long_path}b")).is_none());
        // `library/` counts towards the 255.
        assert!(qualify(&"c".repeat(247)).is_some());
        assert!(qualify(&"c".repeat(248)).is_none());
    }

    #[test]
    fn an_upper_case_host_is_not_a_docker_hub_namespace() {
        assert!(!matches(
            "docker.io/*/node-agent:*",
            "EVILHOST/node-agent:1"
        ));
        assert!(matches("EVILHOST/node-agent:*", "EVILHOST/node-agent:1"));
        assert!(!matches("evilhost/node-agent:*", "EVILHOST/node-agent:1"));
        assert!(matches("docker.io/*/node-agent:*", "evilhost/node-agent:1"));
        assert!(matches(
            "*.example.com/agent:*",
            "registry.example.com/agent:2"
        ));
        assert!(!matches(
            "*.example.com/agent:*",
            "registry.example.com.evil/agent:2"
        ));
        // A reference the runtime refuses is matched by nothing.
        assert!(!matches("docker.io/*/*:*", "docker.io/Team/app:1"));
        assert!(!matches("docker.io/library/nginx:*", "nginx:1 "));
    }

    #[test]
    fn a_tag_never_vouches_for_a_digest() {
        let pinned = format!("registry.example.com/node-agent:1.4.0@{DIGEST}");
        assert!(!matches("registry.example.com/node-agent:1.4.*", &pinned));
        assert!(!matches("registry.example.com/node-agent:1.4.0", &pinned));
        assert!(!matches("registry.example.com/node-agent", &pinned));
        // Every tag, whatever it points to: the repository's content, any digest.
        assert!(matches("registry.example.com/node-agent:*", &pinned));
        // The digest named: with or without the tag (which must then match too).
        assert!(matches(
            &format!("registry.example.com/node-agent@{DIGEST}"),
            &pinned
        ));
        assert!(matches(
            &format!("registry.example.com/node-agent:1.4.*@{DIGEST}"),
            &pinned
        ));
        assert!(!matches(
            &format!("registry.example.com/node-agent:1.5.*@{DIGEST}"),
            &pinned
        ));
        assert!(matches("registry.example.com/node-agent@sha256:*", &pinned));
        assert!(matches(
            "registry.example.com/node-agent@sha256:*",
            &format!("registry.example.com/node-agent@{DIGEST}")
        ));
        // A digest pattern never matches a reference without one.
        assert!(!matches(
            "registry.example.com/node-agent@sha256:*",
            "registry.example.com/node-agent:1.4.0"
        ));
    }

    fn refusal(pattern: &str) -> String {
        ImagePattern::parse(pattern).expect_err(pattern)
    }

    #[test]
    fn patterns_that_cannot_be_meant_say_what_to_write() {
        let e = refusal("*");
        assert!(
            e.starts_with("it means docker.io/library/*:latest: only official Docker Hub images"),
            "{e}"
        );
        assert!(e.contains("\"registry.example.com/team/*:*\""), "{e}");
        assert!(refusal("*:*").starts_with("it means docker.io/library/*:*"));
        assert!(refusal("?").starts_with("it means docker.io/library/?:latest"));
        assert!(refusal("*@sha256:*").starts_with("it means docker.io/library/*@sha256:*"));
        let e = refusal("*/node-agent:*");
        assert_eq!(
            e,
            r#"its first component "*" reads as a Docker Hub namespace (docker.io/*/node-agent:*), not a registry: write "docker.io/*/node-agent:*" if that is meant, or name the registry ("registry.example.com/*/node-agent:*")"#
        );
        assert!(refusal("team-*/app").contains("Docker Hub namespace"));
        assert!(refusal("docker.io/Team/app:*").contains("repository paths are lower case"));
        assert!(refusal("registry.example.com/App").contains("lower case"));
        assert!(refusal("nginx@sha256:abcd")
            .starts_with(r#"digest "sha256:abcd" is not one the runtime accepts"#));
        assert!(refusal("nginx@md5:4bcff63911fcb4448bd4fdacec207030").starts_with("digest"));
        assert!(refusal("nginx:-1").starts_with(r#"tag "-1" is not one"#));
        assert!(refusal("nginx:.*").starts_with("tag"));
        assert!(refusal(&format!("nginx:{}", "t".repeat(129))).starts_with("tag"));
        assert!(refusal("host_name.io/app").starts_with("registry"));
        assert!(refusal("a..b/c").starts_with("registry"));
        assert!(refusal("docker.io/a..b").starts_with("path component"));
        assert!(refusal("docker.io/A*").contains("lower case"));
        assert!(refusal(&format!("docker.io/{}", "a".repeat(256))).contains("255"));
        // What can be meant stays accepted.
        for fine in [
            "nginx",
            "nginx:*",
            "ngin*:1.*",
            "docker.io/*/*:*",
            "docker.io/library/*:*",
            "*.example.com/*/agent:*",
            "registry.example.com:*/app",
            "EVILHOST/node-agent:*",
            "localhost/app",
            "[fd00::1]:5000/app:v1",
            "app@sha256:*",
            "app:v1@sha256:*",
        ] {
            assert!(
                ImagePattern::parse(fine).is_ok(),
                "{fine}: {:?}",
                ImagePattern::parse(fine)
            );
        }
    }

    #[test]
    fn invalid_patterns_are_refused() {
        for bad in [
            "", " nginx", "nginx**", "a//b", "/a", "a/", "a@b@c", "nginx:", "nginx@", "ng[i]nx",
            "é",
        ] {
            assert!(ImagePattern::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ImagePattern::parse(&"a".repeat(600)).is_err());
    }

    #[test]
    fn huge_images_never_match() {
        let huge = format!("nginx:{}", "1".repeat(10_000));
        assert!(!matches("nginx:*", &huge));
    }

    #[test]
    fn glob_backtracks() {
        assert!(segment(b"a*b*c", b"aXbYbZc"));
        assert!(!segment(b"a*b*c", b"aXbYbZ"));
        assert!(segment(b"*", b""));
        assert!(segment(b"**", b"abc"));
        assert!(!segment(b"?", b""));
    }
}
