//! `node::decode` on arbitrary bytes, as a node reads what arrives over the link: it never
//! panics, and a message it reads encodes to bytes that read as the same message.
#![no_main]

use gather_protocol::node;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = node::decode(data) {
        let again = node::decode(&node::encode(&message)).expect("a node message's own encoding reads");
        assert_eq!(again, message);
    }
});
