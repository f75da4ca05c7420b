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
//!
//! `reference.rs` reads references (the runtime's grammar), `pattern.rs` reads and matches
//! the exclusions' patterns.

mod pattern;
mod reference;
#[cfg(test)]
mod tests;

pub use pattern::ImagePattern;
use reference::{qualified, Reference};

/// The fully qualified form of an image reference (`nginx` is
/// `docker.io/library/nginx:latest`), or `None` when the runtime would refuse it.
pub fn qualify(reference: &str) -> Option<String> {
    let r = Reference::parse(reference)?;
    Some(qualified(r.registry, r.official, r.path, r.tag, r.digest))
}
