//! The documents of issue 16's attacks, for the abuse tests and the hostile-load
//! benchmark.
#![allow(dead_code)]

/// Each fragment spreads the next twice: 2^25 × 2 fields once expanded, under 2 KB.
pub fn fragment_chain() -> String {
    let mut chain = String::from("query { ...f1 }\n");
    for level in 1..26 {
        chain.push_str(&format!(
            "fragment f{level} on Query {{ ...f{} ...f{} }}\n",
            level + 1,
            level + 1
        ));
    }
    chain.push_str("fragment f26 on Query { jurisdictionTree { id } }\n");
    chain
}

/// Lists that lead back to themselves, aliased 150 times (22 KB).
pub fn aliased_lists() -> String {
    let mut aliased = String::from("{");
    for n in 0..150 {
        aliased.push_str(&format!(
            " a{n}: councils(first: 100) {{ nodes {{ seats {{ council {{ seats {{ member {{ displayName }} }} }} }} }} }}"
        ));
    }
    aliased.push('}');
    aliased
}
