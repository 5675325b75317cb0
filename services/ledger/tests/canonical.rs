//! The one-pass canonical checker agrees with "parse, re-encode, compare" on random
//! values and on random non-canonical spellings of them.

use proptest::prelude::*;
use roundtable_ledger::Leaf;
use roundtable_ledger::leaf::check_canonical;
use serde_json::Value;

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(1i64 << 54)..(1i64 << 54)).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z\"\\\\\u{0}-\u{1f}\u{7f}é水e\u{301}\u{2028} ]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(10, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z0-9_A]{0,4}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The reference: what the encoder says about the parsed value.
fn reference(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => Leaf::encode(&v).is_ok_and(|l| l.as_bytes() == bytes),
        Err(_) => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_on_encoder_output(v in value()) {
        if let Ok(leaf) = Leaf::encode(&v) {
            prop_assert!(check_canonical(leaf.as_bytes()).is_ok(), "{}", String::from_utf8_lossy(leaf.as_bytes()));
        }
    }

    #[test]
    fn agrees_on_other_spellings(v in value(), pretty in any::<bool>(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let text = if pretty { serde_json::to_vec_pretty(&v).unwrap() } else { serde_json::to_vec(&v).unwrap() };
        prop_assert_eq!(check_canonical(&text).is_ok(), reference(&text), "{}", String::from_utf8_lossy(&text));
        // One byte replaced somewhere.
        if !text.is_empty() {
            let mut mutated = text.clone();
            let i = cut.index(mutated.len());
            mutated[i] = byte;
            prop_assert_eq!(check_canonical(&mutated).is_ok(), reference(&mutated), "{}", String::from_utf8_lossy(&mutated));
        }
    }
}
