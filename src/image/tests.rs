//! Named cases: references qualified as the runtime qualifies them, patterns refused or
//! matched, and the wildcard walk.

use super::pattern::segment;
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
        !matches(
            "istio/proxyv2:*",
            "istio/proxyv2@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"
        ),
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
        "", " nginx", "nginx**", "a//b", "/a", "a/", "a@b@c", "nginx:", "nginx@", "ng[i]nx", "é",
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
