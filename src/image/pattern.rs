//! The glob patterns exclusions select images with: checked and qualified as a reference
//! is (refused where they cannot be meant), then matched part by part.

use super::reference::{
    is_path_alnum, path_len, qualified, split_registry, split_rest, valid_digest,
    valid_path_component, valid_registry, valid_tag, Reference, DEFAULT_TAG, MAX_PATH_LEN,
    MAX_TAG_LEN, OFFICIAL,
};

const MAX_PATTERN_LEN: usize = 512;

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
pub(super) fn segment(pattern: &[u8], text: &[u8]) -> bool {
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
