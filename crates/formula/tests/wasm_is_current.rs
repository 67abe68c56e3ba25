//! The browser runs this engine as `crates/web/static/formula.wasm`; it must be built from the
//! sources as they are now (issue 21: one formula engine). When this fails, run
//! `scripts/build-formula-wasm.sh` and commit the two files it writes.

use sha2::{Digest, Sha256};
use std::path::Path;

#[test]
fn the_browsers_engine_is_built_from_these_sources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let recorded = std::fs::read_to_string(root.join("crates/web/static/formula.wasm.sources"))
        .expect("formula.wasm.sources");
    let mut files: Vec<String> = std::fs::read_dir(root.join("crates/formula/src"))
        .expect("src")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs") && name != "tests.rs")
        .map(|name| format!("crates/formula/src/{name}"))
        .collect();
    files.sort();
    files.insert(0, "crates/formula/Cargo.toml".into());
    let mut expected = String::new();
    for file in &files {
        let bytes = std::fs::read(root.join(file)).expect(file);
        expected.push_str(&format!("{}  {file}\n", hex(&Sha256::digest(&bytes))));
    }
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
    let decimal = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"rust_decimal\""))
        .and_then(|p| p.lines().find(|l| l.starts_with("version = ")))
        .expect("rust_decimal in Cargo.lock");
    expected.push_str(decimal);
    expected.push('\n');
    assert_eq!(
        recorded, expected,
        "formula.wasm is stale: run scripts/build-formula-wasm.sh"
    );
    let wasm = std::fs::read(root.join("crates/web/static/formula.wasm")).expect("formula.wasm");
    assert_eq!(&wasm[..4], b"\0asm", "a WebAssembly module");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
