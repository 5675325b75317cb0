//! Writes the fixtures the web app's verifier tests run against (Vitest, in
//! `web/tests/unit/verify.test.ts`): a real demo log served by the real binary,
//! real receipts and proofs, and what a dishonest operator could hand a browser
//! (a forged receipt, a checkpoint signed by another key, a fork signed with the
//! real key, a rollback, a flipped tally, a dropped event). The browser's code
//! must accept the first kind and refuse every other.

mod support;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use roundtable_ledger::{Checkpoint, MemoryTree, NoteSigner, leaf_hash};
use serde_json::{Value, json};
use support::accounts::PASSWORD;
use support::graphql::{Client, agent};

const ORIGIN: &str = "roundtable.localhost/dev";

fn get(url: &str) -> (u16, Vec<u8>) {
    let mut res = agent().get(url).call().unwrap();
    let status = res.status().as_u16();
    (status, res.body_mut().read_to_vec().unwrap())
}

fn text(url: &str) -> String {
    let (status, body) = get(url);
    assert_eq!(status, 200, "{url}: {}", String::from_utf8_lossy(&body));
    String::from_utf8(body).unwrap()
}

/// The signed checkpoint once it covers `size` leaves (the signer runs every second).
fn checkpoint_covering(base: &str, size: u64) -> String {
    for _ in 0..100 {
        let note = text(&format!("{base}/log/checkpoint"));
        let signed: u64 = note.lines().nth(1).unwrap().parse().unwrap();
        if signed >= size {
            return note;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no checkpoint covering {size}");
}

fn leaves(base: &str, size: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < size {
        let end = (start + 1000).min(size);
        let (_, page) = get(&format!("{base}/log/entries?start={start}&end={end}"));
        out.extend(
            page.split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec),
        );
        start = end;
    }
    assert_eq!(out.len() as u64, size);
    out
}

fn sign(key: &NoteSigner, size: u64, root: roundtable_ledger::Hash) -> String {
    Checkpoint {
        origin: ORIGIN.to_owned(),
        size,
        root,
    }
    .sign(key)
    .unwrap()
    .note
}

/// A receipt as the app keeps it: the `extra` line carries the leaf.
fn with_leaf(receipt: &str, leaf: &[u8]) -> String {
    let (head, rest) = receipt.split_once('\n').unwrap();
    format!("{head}\nextra {}\n{rest}", STANDARD.encode(leaf))
}

#[test]
fn web_verifier_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let base = server.base.clone();

    // The checkpoint a browser saw yesterday…
    let client = Client::anonymous(&base);
    let earlier = checkpoint_covering(&base, client.log_size());
    let earlier_size: u64 = earlier.lines().nth(1).unwrap().parse().unwrap();

    // …then a neighbour co-signs an issue today, and keeps the receipt.
    let residents = ["13900000011", "13900000012", "13900000014"]
        .into_iter()
        .map(str::to_owned)
        .chain((1..=12).map(|n| format!("139000001{n:02}")));
    let cosigned = residents
        .filter_map(|phone| {
            let resident = Client::sign_in(&base, &phone, PASSWORD);
            let open = resident.query(
                "{ issues(filter: {status: [OPEN, ACCEPTED]}, first: 50) { nodes { id cosignedByMe } } }",
                json!({}),
            );
            open.data()["issues"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["cosignedByMe"] == false)
                .find_map(|i| {
                    let reply = resident.query(
                        "mutation($i: IssueRefInput!) { cosignIssue(input: $i) { receipt { index } } }",
                        json!({"i": {"issue": i["id"]}}),
                    );
                    reply.body["data"]["cosignIssue"]["receipt"]["index"].as_u64()
                })
        })
        .next()
        .expect("a demo resident who may co-sign a demo issue");

    let size = client.log_size();
    let latest = checkpoint_covering(&base, size);
    let size: u64 = latest.lines().nth(1).unwrap().parse().unwrap();
    let leaves = leaves(&base, size);
    let vkey = text(&format!("{base}/log/vkey"));
    let consistency: Value = serde_json::from_str(&text(&format!(
        "{base}/log/proof/consistency?from={earlier_size}&to={size}"
    )))
    .unwrap();
    // The served receipt carries its leaf already (it stands alone).
    let receipt = |index: u64| {
        let served = text(&format!("{base}/log/receipt/{index}"));
        assert_eq!(
            served,
            with_leaf(&text_without_extra(&served), &leaves[index as usize])
        );
        served
    };
    let ballot = leaves
        .iter()
        .position(|l| is_type(l, "meeting.ballot_cast"))
        .unwrap() as u64;
    let cosign_receipt = receipt(cosigned);
    let ballot_receipt = receipt(ballot);
    drop(server);

    // What a dishonest operator could serve.
    let real_key = roundtable_store::keys::load_or_create(dir.path(), None, ORIGIN).unwrap();
    let other_key = NoteSigner::from_seed(ORIGIN, [7; 32]).unwrap();
    let leaf_text = String::from_utf8(leaves[cosigned as usize].clone()).unwrap();
    let forged_leaf = leaf_text.replacen("\"seq\":", "\"seq\":1", 1);
    let forged_leaf_receipt =
        with_leaf(&text_without_extra(&cosign_receipt), forged_leaf.as_bytes());
    let forged_proof = {
        let mut lines: Vec<String> = cosign_receipt.lines().map(str::to_owned).collect();
        let at = lines.iter().position(|l| l.starts_with("index ")).unwrap() + 1;
        lines[at] = leaf_hash(b"not in the tree").to_base64();
        lines.join("\n") + "\n"
    };
    let mut tree = MemoryTree::new();
    leaves.iter().for_each(|l| tree.push(leaf_hash(l)));
    let honest_root = tree.root();
    let other_signature = {
        let (head, _) = cosign_receipt.split_once("\n\n").unwrap();
        format!("{head}\n\n{}", sign(&other_key, size, honest_root))
    };
    // A fork: the same size, a different history, signed with the real key.
    let mut forked = MemoryTree::new();
    leaves
        .iter()
        .enumerate()
        .for_each(|(i, l)| forked.push(leaf_hash(if i == 3 { b"rewritten" } else { l })));
    let fork = sign(&real_key, size, forked.root());

    // A flipped tally in a meeting's stream, and a stream with an event dropped.
    let closed = leaves
        .iter()
        .position(|l| is_type(l, "meeting.vote_closed"))
        .unwrap();
    let closed_text = String::from_utf8(leaves[closed].clone()).unwrap();
    let meeting_stream = serde_json::from_str::<Value>(&closed_text).unwrap()["stream"]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = closed_text.replacen("\"yes\":", "\"yes\":1", 1);
    assert_ne!(flipped, closed_text);
    let dropped = leaves
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            serde_json::from_slice::<Value>(l).unwrap()["stream"] == meeting_stream.as_str()
        })
        .nth(2)
        .unwrap()
        .0;

    let b64 = |l: &[u8]| STANDARD.encode(l);
    let fixture = json!({
        "origin": ORIGIN,
        "vkey": vkey.trim(),
        "earlier": earlier,
        "latest": latest,
        "size": size,
        "root": honest_root.to_base64(),
        "consistency": consistency["consistency"],
        "leaves": leaves.iter().map(|l| b64(l)).collect::<Vec<_>>(),
        "meetingStream": meeting_stream,
        "receipts": {
            "cosign": {"index": cosigned, "text": cosign_receipt},
            "ballot": {"index": ballot, "text": ballot_receipt},
        },
        "tampered": {
            "forgedLeafReceipt": forged_leaf_receipt,
            "forgedProofReceipt": forged_proof,
            "otherKeyReceipt": other_signature,
            "fork": fork,
            "flippedTally": {"index": closed, "leaf": b64(flipped.as_bytes())},
            "droppedFromMeeting": dropped,
        },
    });
    let out = support::repo_root().join("web/tests/fixtures/generated");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("log.json"),
        serde_json::to_vec_pretty(&fixture).unwrap(),
    )
    .unwrap();
}

fn text_without_extra(receipt: &str) -> String {
    receipt
        .lines()
        .filter(|l| !l.starts_with("extra "))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn is_type(leaf: &[u8], kind: &str) -> bool {
    let needle = format!("\"type\":\"{kind}\"");
    leaf.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The cases the browser verifier's majority rules (`web/src/verify/audit.ts`) are
/// checked against: every kind the domain has, over a grid of tallies and
/// electorates, with the outcome `roundtable-domain` gives. One list of kinds, one
/// rule in Rust; the browser's copy must agree on every case.
#[test]
fn majority_cases_for_the_browser_verifier() {
    use roundtable_domain::{Electorate, MajorityKind, Tally, outcome};
    let mut cases = Vec::new();
    for kind in MajorityKind::ALL {
        for (yes, no, abstain) in (0..=6u32)
            .flat_map(|y| (0..=6u32).flat_map(move |n| (0..=2u32).map(move |a| (y, n, a))))
        {
            let present = yes + no + abstain;
            for members in [present, present + 1, present + 4, 2 * present + 1] {
                let tally = Tally { yes, no, abstain };
                let electorate = Electorate { present, members };
                cases.push(json!({
                    "majority": kind,
                    "tally": {"yes": yes, "no": no, "abstain": abstain},
                    "present": present,
                    "members": members,
                    "outcome": outcome(kind, tally, electorate),
                }));
            }
        }
    }
    let out = support::repo_root().join("web/tests/fixtures/generated");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("majorities.json"),
        serde_json::to_vec(&json!({"kinds": MajorityKind::ALL, "cases": cases})).unwrap(),
    )
    .unwrap();
}
