//! The attacks of an anonymous stranger, as regression tests against the real
//! binary with the demo: each is refused with a code, quickly, and leaves the log
//! as it was (docs/SECURITY.md).

mod support;

use serde_json::json;
use support::demo;
use support::graphql::Client;

const PASSWORD: &str = "roundtable-demo";
const VERIFIED_RESIDENT: &str = "13900000012";

fn cost_refusal(reply: &support::graphql::Reply) -> (u64, u64) {
    assert_eq!(reply.code(), "QUERY_TOO_COSTLY", "{}", reply.body);
    let ext = &reply.body["errors"][0]["extensions"];
    (
        ext["cost"].as_u64().unwrap(),
        ext["limit"].as_u64().unwrap(),
    )
}

#[test]
fn costly_documents_are_refused_before_validation_with_their_cost_and_limit() {
    let (_dir, server) = demo(&[]);
    let anon = Client::anonymous(&server.base);
    let before = anon.log_size();

    // 1. Each fragment spreads the next twice: 2^25 fields in under 1 KB.
    let mut chain = String::from("query { ...f1 }\n");
    for level in 1..26 {
        chain.push_str(&format!(
            "fragment f{level} on Query {{ ...f{} ...f{} }}\n",
            level + 1,
            level + 1
        ));
    }
    chain.push_str("fragment f26 on Query { jurisdictionTree { id } }\n");
    assert!(chain.len() < 2048);
    let (expanded, limit) = cost_refusal(&anon.query(&chain, json!({})));
    assert_eq!((expanded, limit), (1 << 26, 2_000));

    // A fragment that spreads itself never ends: refused, not expanded.
    let cycle = anon.query(
        "query { ...a } fragment a on Query { ...b ...b } fragment b on Query { ...a logSize }",
        json!({}),
    );
    assert_eq!(cycle.code(), "VALIDATION", "{}", cycle.body);

    // 2. Lists that lead back to themselves, aliased 150 times (22 KB).
    let mut aliased = String::from("{");
    for n in 0..150 {
        aliased.push_str(&format!(
            " a{n}: councils(first: 100) {{ nodes {{ seats {{ council {{ seats {{ member {{ displayName }} }} }} }} }} }}"
        ));
    }
    aliased.push('}');
    let (cost, limit) = cost_refusal(&anon.query(&aliased, json!({})));
    assert!(cost > 1_000_000, "{cost}");
    assert_eq!(limit, 8_000, "the public limit");

    // The same shape, once and small, is answered.
    let small = anon.query(
        "{ councils(first: 5) { nodes { name seats { member { id } } } } }",
        json!({}),
    );
    assert!(small.body["errors"].is_null(), "{}", small.body);

    // A verified resident has a larger allowance than a stranger.
    let resident = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    let (_, resident_limit) = cost_refusal(&resident.query(&aliased, json!({})));
    assert_eq!(resident_limit, 15_000);

    assert_eq!(anon.log_size(), before, "refusals change nothing");
}
