//! Independent verifiers accept what we produce and reject tampered cases: Go's
//! x/mod (`tests/go-verifier`) and a WebCrypto-only script (`tests/webcrypto-verifier`),
//! over checkpoints at many sizes, every pair of them, and many leaves.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use roundtable_ledger::Hash;
use roundtable_store_sqlite::SqliteReader;
use serde_json::{Value, json};

const SIZES: &[u64] = &[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127,
    128, 129, 200, 255, 256, 257, 300,
];

fn flip(h: &Hash) -> String {
    let mut h = *h;
    h.0[7] ^= 0x20;
    h.to_base64()
}

fn manifest(fixture: &support::Fixture) -> Value {
    let reader = SqliteReader::open(fixture.dir.path()).unwrap();
    let size = reader.size().unwrap();
    let leaves: Vec<String> = reader
        .read_all(0, size as usize)
        .unwrap()
        .iter()
        .map(|e| STANDARD.encode(e.leaf.as_bytes()))
        .collect();
    let checkpoints: BTreeMap<String, String> = fixture
        .checkpoints
        .iter()
        .map(|c| (c.checkpoint.size.to_string(), c.note.clone()))
        .collect();
    let sizes: Vec<u64> = fixture
        .checkpoints
        .iter()
        .map(|c| c.checkpoint.size)
        .collect();
    assert_eq!(sizes, SIZES, "a checkpoint at every size");

    let mut notes = Vec::new();
    let other = roundtable_store::keys::generate(support::ORIGIN).unwrap();
    let witness = roundtable_store::keys::generate("witness.test/w1").unwrap();
    let cosigners = [
        roundtable_ledger::CosignatureSigner::from_seed("witness.test/jiwei", [21; 32]).unwrap(),
        roundtable_ledger::CosignatureSigner::from_seed("witness.test/ribao", [22; 32]).unwrap(),
    ];
    for cp in &fixture.checkpoints {
        let body = cp.checkpoint.body();
        notes.push(json!({"note": cp.note, "expect": true, "why": "as signed"}));
        let extra_sig = &witness.sign(&body).unwrap()[body.len() + 1..];
        notes.push(json!({"note": format!("{}{extra_sig}", cp.note), "expect": true, "why": "plus an unknown witness"}));
        // As `/log/checkpoint` serves it: the log's line, then cosignature/v1 lines
        // (type 0x04) that a note verifier must ignore as unknown signers.
        let cosigned: String = cosigners
            .iter()
            .map(|w| w.cosign(&body, 1_800_000_000).unwrap())
            .collect();
        notes.push(json!({"note": format!("{}{cosigned}", cp.note), "expect": true, "why": "with two witnesses' cosignatures"}));
        // A key rotation's overlap: the same body signed by the log's key and the
        // next one (same name, another key id), as `serve --next-key` signs it.
        let next_sig = &other.sign(&body).unwrap()[body.len() + 1..];
        notes.push(json!({"note": format!("{}{next_sig}", cp.note), "expect": true, "why": "also signed by the next key (rotation overlap)"}));
        let size = cp.checkpoint.size;
        notes.push(json!({"note": cp.note.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1), "expect": false, "why": "size edited"}));
        notes.push(json!({"note": cp.note.replacen(&cp.checkpoint.root.to_base64(), &flip(&cp.checkpoint.root), 1), "expect": false, "why": "root edited"}));
        notes.push(json!({"note": other.sign(&body).unwrap(), "expect": false, "why": "signed by another key with the same name"}));
    }

    let mut inclusion = Vec::new();
    for &n in SIZES.iter().filter(|&&n| n > 0) {
        let indexes: Vec<u64> = if n <= 40 {
            (0..n).collect()
        } else {
            let mut v = vec![0, 1, n / 2, n - 2, n - 1];
            v.extend((0..12).map(|k| (k * 37 + n * 11) % n));
            v
        };
        for i in indexes {
            let proof = reader.inclusion_proof(i, n).unwrap();
            let b64: Vec<String> = proof.iter().map(Hash::to_base64).collect();
            inclusion.push(json!({"index": i, "tree_size": n, "inclusion": b64, "expect": true, "why": "as served"}));
            if let Some(first) = proof.first() {
                let mut bad = b64.clone();
                bad[0] = flip(first);
                inclusion.push(json!({"index": i, "tree_size": n, "inclusion": bad, "expect": false, "why": "proof hash flipped"}));
                let mut short = b64.clone();
                short.pop();
                inclusion.push(json!({"index": i, "tree_size": n, "inclusion": short, "expect": false, "why": "proof truncated"}));
            }
            if i + 1 < n {
                inclusion.push(json!({"index": i + 1, "tree_size": n, "inclusion": b64, "leaf": leaves[i as usize], "expect": false, "why": "wrong index"}));
            }
            let mut leaf = STANDARD.decode(&leaves[i as usize]).unwrap();
            let last = leaf.len() - 2;
            leaf[last] ^= 1;
            inclusion.push(json!({"index": i, "tree_size": n, "inclusion": b64, "leaf": STANDARD.encode(leaf), "expect": false, "why": "leaf altered"}));
        }
    }

    let mut consistency = Vec::new();
    for (a, &m) in SIZES.iter().enumerate() {
        for &n in &SIZES[a..] {
            let proof = reader.consistency_proof(m, n).unwrap();
            let b64: Vec<String> = proof.iter().map(Hash::to_base64).collect();
            consistency.push(json!({"old_size": m, "tree_size": n, "consistency": b64, "expect": true, "why": "as served"}));
            let old_root = reader.root_at(m).unwrap();
            consistency.push(json!({"old_size": m, "tree_size": n, "consistency": b64, "old_root": flip(&old_root), "expect": false, "why": "old root altered"}));
            if let Some(first) = proof.first() {
                let mut bad = b64.clone();
                bad[0] = flip(first);
                consistency.push(json!({"old_size": m, "tree_size": n, "consistency": bad, "expect": false, "why": "proof hash flipped"}));
            }
        }
    }
    // Whole logs: event ids are unique. The bad one is the real log with a leaf
    // recorded again at its end (its id reused, as a retry written twice would).
    let mut twice = leaves.clone();
    twice.push(leaves[leaves.len() / 2].clone());
    let logs = json!([
        {"leaves": leaves, "expect": true, "why": "as recorded"},
        {"leaves": twice, "expect": false, "why": "an event recorded twice"},
    ]);
    json!({"vkey": fixture.vkey, "checkpoints": checkpoints, "leaves": leaves, "notes": notes,
           "inclusion": inclusion, "consistency": consistency, "logs": logs})
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what}: cannot start ({e}); `make test` installs Go (golang-go golang-golang-x-mod-dev) and Node")
    });
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

async fn fixture_manifest(dir: &Path) -> std::path::PathBuf {
    let fixture = support::build_log(300, 7, SIZES).await;
    let path = dir.join("manifest.json");
    std::fs::write(&path, serde_json::to_vec(&manifest(&fixture)).unwrap()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_xmod_agrees() {
    let work = tempfile::tempdir().unwrap();
    let manifest = fixture_manifest(work.path()).await;
    let exe = work.path().join("go-verifier");
    run(
        Command::new("go")
            .args(["build", "-o"])
            .arg(&exe)
            .arg(".")
            .current_dir(support::repo_root().join("tests/go-verifier"))
            .env("GO111MODULE", "off")
            .env("GOPATH", "/usr/share/gocode")
            .env("GOCACHE", work.path().join("gocache")),
        "go build",
    );
    let out = run(Command::new(&exe).arg(&manifest), "go-verifier");
    assert!(out.contains(" 0 mismatches"), "{out}");
    println!("{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webcrypto_agrees() {
    let work = tempfile::tempdir().unwrap();
    let manifest = fixture_manifest(work.path()).await;
    let out = run(
        Command::new("node")
            .arg(support::repo_root().join("tests/webcrypto-verifier/verify.mjs"))
            .arg(&manifest),
        "webcrypto-verifier",
    );
    assert!(out.contains(" 0 mismatches"), "{out}");
    println!("{out}");
}
