//! `validate_settings` on arbitrary bytes: never panics; an invalid answer always says why,
//! and settings it calls valid are never refused by `validate` as invalid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pod_security_standards::verdict::{validate, validate_settings};

fuzz_target!(|data: &[u8]| {
    let response = validate_settings(data);
    if response.valid {
        assert!(response.message.is_none());
        // Settings called valid are used as they are by `validate`.
        let settings = std::str::from_utf8(data).expect("valid settings are UTF-8");
        let request = format!(
            r#"{{"settings": {settings}, "request": {{"kind": {{"group": "", "version": "v1", "kind": "Pod"}},
            "resource": {{"group": "", "version": "v1", "resource": "pods"}}, "operation": "CREATE",
            "namespace": "default", "userInfo": {{"username": "alice"}},
            "object": {{"kind": "Pod", "spec": {{"containers": [{{"name": "c", "securityContext": {{"privileged": true}}}}]}}}}}}}}"#
        );
        let verdict = validate(request.as_bytes());
        let message = verdict.message.unwrap_or_default();
        assert!(
            !message.starts_with("invalid settings"),
            "validate_settings accepted what validate refuses: {message}"
        );
    } else {
        assert!(response.message.is_some_and(|m| !m.is_empty()));
    }
});
