//! Image references in their fully qualified form, and the glob patterns that exclusions use
//! to select images.
//!
//! A reference is qualified as the container runtime resolves it: `nginx` is
//! `docker.io/library/nginx:latest`, `user/app:1` is `docker.io/user/app:1`,
//! `localhost:5000/app` is `localhost:5000/app:latest` (a first component with a `.` or a `:`,
//! or `localhost`, is a registry; a `:` before the last `/` is a port, not a tag). A digest
//! (`@sha256:...`) is part of the reference; a reference with a digest and no tag gets no
//! `:latest`. Patterns are qualified the same way, then matched against the whole qualified
//! reference: `*` matches any run of characters except `/`, `?` one character except `/`.

/// References longer than this are never matched by a pattern (fail closed: the exclusion
/// does not apply), which keeps matching cheap whatever the request holds.
const MAX_MATCHED_LEN: usize = 4096;
const MAX_PATTERN_LEN: usize = 512;

/// The fully qualified form of an image reference.
pub fn qualify(reference: &str) -> String {
    let (name_and_tag, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    // A tag follows the last ':' only if that ':' comes after the last '/'.
    let last_slash = name_and_tag.rfind('/');
    let (name, tag) = match name_and_tag.rfind(':') {
        Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
            (&name_and_tag[..colon], Some(&name_and_tag[colon + 1..]))
        }
        _ => (name_and_tag, None),
    };
    let (registry, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first, rest)
        }
        _ => ("docker.io", name),
    };
    let registry = if registry == "index.docker.io" {
        "docker.io"
    } else {
        registry
    };
    let mut out = String::with_capacity(reference.len() + 24);
    out.push_str(registry);
    out.push('/');
    if registry == "docker.io" && !path.contains('/') {
        out.push_str("library/");
    }
    out.push_str(path);
    match (tag, digest) {
        (Some(tag), _) => {
            out.push(':');
            out.push_str(tag);
        }
        (None, None) => out.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(digest) = digest {
        out.push('@');
        out.push_str(digest);
    }
    out
}

/// An image pattern, qualified, ready to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePattern {
    qualified: String,
}

impl ImagePattern {
    /// Checks and qualifies a pattern; the error says what is wrong with it.
    pub fn parse(pattern: &str) -> Result<ImagePattern, String> {
        if pattern.is_empty() {
            return Err("empty pattern".to_owned());
        }
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(format!("longer than {MAX_PATTERN_LEN} bytes"));
        }
        if let Some(c) = pattern
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "._-/:@*?".contains(*c)))
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
        Ok(ImagePattern {
            qualified: qualify(pattern),
        })
    }

    /// Whether the image reference, qualified, matches the whole pattern.
    pub fn matches(&self, image: &str) -> bool {
        if image.len() > MAX_MATCHED_LEN {
            return false;
        }
        glob(self.qualified.as_bytes(), qualify(image).as_bytes())
    }
}

/// `*` and `?` never match a `/`. Patterns and texts are split on `/` and matched segment by
/// segment, each with the classic greedy wildcard walk.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let mut pattern_segments = pattern.split(|b| *b == b'/');
    let mut text_segments = text.split(|b| *b == b'/');
    loop {
        match (pattern_segments.next(), text_segments.next()) {
            (None, None) => return true,
            (Some(p), Some(t)) if segment(p, t) => {}
            _ => return false,
        }
    }
}

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
            ("nginx@sha256:abcd", "docker.io/library/nginx@sha256:abcd"),
            (
                "nginx:1.27@sha256:abcd",
                "docker.io/library/nginx:1.27@sha256:abcd",
            ),
            ("host:5000/a/b@sha256:ff", "host:5000/a/b@sha256:ff"),
        ];
        for (reference, qualified) in cases {
            assert_eq!(qualify(reference), qualified, "{reference}");
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
        assert!(!matches("*", "istio/proxyv2"));
        assert!(matches("ghcr.io/org/app?:v1", "ghcr.io/org/app2:v1"));
        assert!(!matches("ghcr.io/org/app?:v1", "ghcr.io/org/app/:v1"));
    }

    #[test]
    fn digests_are_part_of_the_reference() {
        assert!(!matches(
            "docker.io/istio/proxyv2:1.22.0",
            "istio/proxyv2:1.22.0@sha256:ab"
        ));
        assert!(matches(
            "docker.io/istio/proxyv2:*",
            "istio/proxyv2:1.22.0@sha256:ab"
        ));
        assert!(matches(
            "istio/proxyv2@sha256:ab",
            "docker.io/istio/proxyv2@sha256:ab"
        ));
        assert!(!matches(
            "istio/proxyv2@sha256:ab",
            "istio/proxyv2@sha256:abc"
        ));
        assert!(
            !matches("istio/proxyv2:*", "istio/proxyv2@sha256:ab"),
            "no tag, no match for :*"
        );
    }

    #[test]
    fn a_port_is_not_a_tag() {
        assert!(matches("localhost:5000/app", "localhost:5000/app:latest"));
        assert!(!matches("localhost:5000/app:*", "localhost:6000/app:v1"));
        assert!(matches("localhost:*/app:v1", "localhost:6000/app:v1"));
        // "5000/app" is not a tag of "localhost".
        assert_eq!(qualify("localhost:5000/app"), "localhost:5000/app:latest");
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
