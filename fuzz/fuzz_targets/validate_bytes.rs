//! `validate` on arbitrary bytes: never panics, never stalls, always answers a well-formed
//! response; whatever cannot be read is rejected with a reason, never accepted silently;
//! the JSON the waPC edge writes (the modes' texts straight from JSON) reads as that response.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pod_security_standards::verdict::{answer, validate};
use pod_security_standards_fuzz::check_rejection_message;

fuzz_target!(|data: &[u8]| {
    let response = validate(data);
    if response.accepted {
        // An acceptance says something only when an exemption applied, and then records it.
        if response.message.is_some() {
            assert!(response
                .audit_annotations
                .as_ref()
                .is_some_and(|a| a.contains_key("exempt")));
        }
    } else {
        check_rejection_message(response.message.as_deref());
    }
    // A corrected object is only ever handed back with an acceptance.
    assert!(response.mutated_object.is_none() || response.accepted);
    let serde = serde_json::to_value(&response).expect("the response serializes");
    let (written, _) = answer(data).written();
    let written: serde_json::Value =
        serde_json::from_slice(&written.expect("written")).expect("the edge writes JSON");
    assert_eq!(written, serde, "the edge's JSON and the response differ");
});
