//! The ShEP answers (EX-4, I-6): the XML reader `xml::parse`, the envelopes (`parse_response`,
//! `parse_request`, `client::read_answer`), the Treasury's decision (`decision_from_answer`,
//! also the file the Treasury hands over while the bus is down) and the plan document the fake
//! Treasury reads (`PlanDocument::from_data`). No input may panic.
#![no_main]

use jospar_shep::client::read_answer;
use jospar_shep::envelope::{parse_request, parse_response};
use jospar_shep::treasury::{Decision, PlanDocument, decision_from_answer};
use jospar_shep::xml::{Element, parse};
use libfuzzer_sys::fuzz_target;

/// Every element, depth first, without recursion (a fuzzed document may nest deeply).
fn elements(root: &Element) -> Vec<&Element> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(element) = stack.pop() {
        out.push(element);
        stack.extend(element.children.iter());
    }
    out
}

fuzz_target!(|data: &[u8]| {
    // The answer file is read lossily, as `decision_from_file` does.
    let text = String::from_utf8_lossy(data);
    let Ok(root) = parse(&text) else {
        return;
    };
    // The same text reads the same.
    assert_eq!(parse(&text).ok().as_ref(), Some(&root));
    for element in elements(&root).into_iter().take(64) {
        let _ = PlanDocument::from_data(element);
        let _ = Decision::from_data(element);
    }
    let _ = parse_response(&text);
    let _ = parse_request(&text);
    let _ = read_answer(502, &text);
    let _ = decision_from_answer(&text);
});
