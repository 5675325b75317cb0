//! The leaf: one event as RFC 8785 (JCS) canonical JSON, restricted to the profile
//! in docs/ARCHITECTURE.md, "The record" (ASCII `[a-z0-9_]+` keys, safe integers
//! only, NFC strings, depth ≤ 8, at most 16 KiB). Verifiers hash the bytes as received; this module decides whether
//! those bytes are a valid leaf.

use std::fmt;

use serde_json::Value;

use crate::hash::{Hash, leaf_hash};

/// Largest leaf we write or accept. The format's hard cap is 65,535 bytes (tlog-tiles
/// entry bundles use a u16 length); we stay well below it.
pub const MAX_LEAF_BYTES: usize = 16 * 1024;
/// Objects and arrays nest at most this deep (the top-level object is depth 1).
pub const MAX_DEPTH: usize = 8;
/// Integers must be exactly representable as IEEE doubles, as JCS requires.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    #[error("leaf is {0} bytes; the limit is {MAX_LEAF_BYTES}")]
    TooLarge(usize),
    #[error("leaf nests deeper than {MAX_DEPTH} levels at {0}")]
    TooDeep(String),
    #[error("leaf is not UTF-8")]
    NotUtf8,
    #[error("leaf is not JSON: {0}")]
    NotJson(String),
    #[error("number at {0} is not an integer (floats are not allowed)")]
    Float(String),
    #[error("integer at {0} is outside ±(2^53-1)")]
    IntegerOutOfRange(String),
    #[error("key {key:?} at {path} is not [a-z0-9_]+")]
    BadKey { path: String, key: String },
    #[error("string at {0} is not NFC-normalised")]
    NotNfc(String),
    #[error("leaf bytes are not in canonical form (RFC 8785)")]
    NotCanonical,
}

/// A validated leaf: bytes that are exactly the canonical encoding of a JSON value
/// within the profile.
#[derive(Clone, PartialEq, Eq)]
pub struct Leaf(Vec<u8>);

impl Leaf {
    /// Encodes a value canonically, rejecting anything outside the profile.
    pub fn encode(value: &Value) -> Result<Leaf, LeafError> {
        let mut out = Vec::with_capacity(512);
        write_value(&mut out, value, 0, &mut Vec::new())?;
        if out.len() > MAX_LEAF_BYTES {
            return Err(LeafError::TooLarge(out.len()));
        }
        Ok(Leaf(out))
    }

    /// Accepts bytes only if they are a canonical leaf: one pass over the bytes, no
    /// allocation (this is what auditors run on every leaf).
    pub fn parse(bytes: Vec<u8>) -> Result<Leaf, LeafError> {
        check_canonical(&bytes)?;
        Ok(Leaf(bytes))
    }

    /// Wraps bytes the caller already validated (e.g. read back from our own store,
    /// where they were validated on the way in). Verifiers must use [`Leaf::parse`].
    pub fn from_trusted_bytes(bytes: Vec<u8>) -> Leaf {
        Leaf(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    pub fn hash(&self) -> Hash {
        leaf_hash(&self.0)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses the bytes back into a JSON value.
    pub fn value(&self) -> Result<Value, LeafError> {
        serde_json::from_slice(&self.0).map_err(|e| LeafError::NotJson(e.to_string()))
    }
}

impl fmt::Debug for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Leaf({})", String::from_utf8_lossy(&self.0))
    }
}

/// Normalises every string (not keys: keys are ASCII) to NFC, the intake step that
/// makes user text encodable.
pub fn normalize_strings(value: &mut Value) {
    use unicode_normalization::UnicodeNormalization;
    match value {
        Value::String(s) if !unicode_normalization::is_nfc(s) => {
            *s = s.nfc().collect();
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_strings),
        Value::Object(map) => map.values_mut().for_each(normalize_strings),
        _ => {}
    }
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_string(path: &[Seg<'_>]) -> String {
    let mut s = String::from("$");
    for seg in path {
        match seg {
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn write_value<'a>(
    out: &mut Vec<u8>,
    value: &'a Value,
    depth: usize,
    path: &mut Vec<Seg<'a>>,
) -> Result<(), LeafError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let Some(i) = n.as_i64() else {
                return Err(if n.is_u64() {
                    LeafError::IntegerOutOfRange(path_string(path))
                } else {
                    LeafError::Float(path_string(path))
                });
            };
            if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) {
                return Err(LeafError::IntegerOutOfRange(path_string(path)));
            }
            out.extend_from_slice(i.to_string().as_bytes());
        }
        Value::String(s) => {
            if !unicode_normalization::is_nfc(s) {
                return Err(LeafError::NotNfc(path_string(path)));
            }
            write_string(out, s);
        }
        Value::Array(items) => {
            if depth + 1 > MAX_DEPTH {
                return Err(LeafError::TooDeep(path_string(path)));
            }
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                path.push(Seg::Index(i));
                write_value(out, item, depth + 1, path)?;
                path.pop();
            }
            out.push(b']');
        }
        Value::Object(map) => {
            if depth + 1 > MAX_DEPTH {
                return Err(LeafError::TooDeep(path_string(path)));
            }
            // JCS sorts by UTF-16 code units; for ASCII keys that is byte order. Sort
            // explicitly: serde_json's map order depends on a crate feature.
            let mut entries: Vec<(&'a String, &'a Value)> = map.iter().collect();
            if !entries.is_sorted_by(|a, b| a.0 <= b.0) {
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if !valid_key(key) {
                    return Err(LeafError::BadKey {
                        path: path_string(path),
                        key: key.clone(),
                    });
                }
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, key);
                out.push(b':');
                path.push(Seg::Key(key));
                write_value(out, item, depth + 1, path)?;
                path.pop();
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// JCS string form: escape `"`, `\` and control characters (short forms where JSON
/// has them, otherwise `\u00xx` in lower case); everything else verbatim.
fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            _ => None,
        };
        if short.is_none() && b >= 0x20 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match short {
            Some(esc) => out.extend_from_slice(esc),
            None => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Checks that `bytes` are exactly the canonical encoding of a value within the
/// profile, without building the value. Agrees with `encode(parse(bytes)) == bytes`
/// (a property test holds it to that).
pub fn check_canonical(bytes: &[u8]) -> Result<(), LeafError> {
    if bytes.len() > MAX_LEAF_BYTES {
        return Err(LeafError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| LeafError::NotUtf8)?;
    let mut c = Checker {
        b: bytes,
        text,
        pos: 0,
        path: Vec::new(),
    };
    c.value(0)?;
    if c.pos != bytes.len() {
        return Err(c.not_canonical());
    }
    Ok(())
}

struct Checker<'a> {
    b: &'a [u8],
    text: &'a str,
    pos: usize,
    path: Vec<Seg<'a>>,
}

impl<'a> Checker<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Invalid JSON and valid-but-not-canonical JSON are told apart only as far as
    /// it is cheap: anything odd is `NotCanonical` unless serde_json cannot parse it.
    fn not_canonical(&self) -> LeafError {
        match serde_json::from_slice::<Value>(self.b) {
            Err(e) => LeafError::NotJson(e.to_string()),
            Ok(_) => LeafError::NotCanonical,
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), LeafError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.not_canonical())
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), LeafError> {
        if self.b[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.not_canonical())
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), LeafError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.not_canonical()),
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), LeafError> {
        if depth + 1 > MAX_DEPTH {
            return Err(LeafError::TooDeep(path_string(&self.path)));
        }
        self.pos += 1;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let mut previous: Option<&'a str> = None;
        loop {
            let key = self.string()?;
            if !valid_key(key) {
                // An escaped or non-ASCII key is never valid; report it decoded.
                let key = serde_json::from_str::<String>(&format!("\"{key}\""))
                    .unwrap_or_else(|_| key.to_owned());
                return Err(LeafError::BadKey {
                    path: path_string(&self.path),
                    key,
                });
            }
            if previous.is_some_and(|p| p >= key) {
                return Err(self.not_canonical());
            }
            previous = Some(key);
            self.expect(b':')?;
            self.path.push(Seg::Key(key));
            self.value(depth + 1)?;
            self.path.pop();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.not_canonical()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), LeafError> {
        if depth + 1 > MAX_DEPTH {
            return Err(LeafError::TooDeep(path_string(&self.path)));
        }
        self.pos += 1;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut i = 0;
        loop {
            self.path.push(Seg::Index(i));
            self.value(depth + 1)?;
            self.path.pop();
            i += 1;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.not_canonical()),
            }
        }
    }

    fn number(&mut self) -> Result<(), LeafError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        let n = self.pos - digits;
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(match serde_json::from_slice::<Value>(self.b) {
                Ok(_) => LeafError::Float(path_string(&self.path)),
                Err(e) => LeafError::NotJson(e.to_string()),
            });
        }
        // Canonical integers: no leading zero, no "-0", something after "-".
        if n == 0 || (n > 1 && self.b[digits] == b'0') || &self.b[start..self.pos] == b"-0" {
            return Err(self.not_canonical());
        }
        let magnitude = (n <= 16)
            .then(|| self.text[digits..self.pos].parse::<i64>().ok())
            .flatten();
        match magnitude {
            Some(m) if m <= MAX_SAFE_INTEGER => Ok(()),
            _ => Err(LeafError::IntegerOutOfRange(path_string(&self.path))),
        }
    }

    /// A canonically escaped string; returns its raw (still escaped) contents.
    fn string(&mut self) -> Result<&'a str, LeafError> {
        if self.peek() != Some(b'"') {
            return Err(self.not_canonical());
        }
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.not_canonical());
            };
            match b {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    let ok = match self.b.get(self.pos + 1) {
                        Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 2;
                            true
                        }
                        Some(b'u') => {
                            // Only control characters without a short form, lower-case hex.
                            let hex = self.b.get(self.pos + 2..self.pos + 6);
                            let ok = hex.is_some_and(|h| {
                                h[0] == b'0'
                                    && h[1] == b'0'
                                    && matches!(h[2], b'0' | b'1')
                                    && matches!(h[3], b'0'..=b'9' | b'a'..=b'f')
                                    && !matches!(
                                        (h[2], h[3]),
                                        (b'0', b'8' | b'9' | b'a' | b'c' | b'd')
                                    )
                            });
                            self.pos += 6;
                            ok
                        }
                        _ => false,
                    };
                    if !ok {
                        return Err(self.not_canonical());
                    }
                }
                0x00..=0x1f => return Err(self.not_canonical()),
                _ => self.pos += 1,
            }
        }
        let raw = &self.text[start..self.pos];
        self.pos += 1;
        let nfc = if escaped {
            serde_json::from_str::<String>(&self.text[start - 1..self.pos])
                .map(|s| unicode_normalization::is_nfc(&s))
                .unwrap_or(false)
        } else {
            unicode_normalization::is_nfc(raw)
        };
        if !nfc {
            return Err(LeafError::NotNfc(path_string(&self.path)));
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(v: Value) -> Result<String, LeafError> {
        Leaf::encode(&v).map(|l| String::from_utf8(l.into_bytes()).unwrap())
    }

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let s = enc(json!({"b": 1, "a": [true, null, "x"], "c": {"z": -5, "y": "é"}})).unwrap();
        assert_eq!(s, r#"{"a":[true,null,"x"],"b":1,"c":{"y":"é","z":-5}}"#);
    }

    #[test]
    fn escapes_like_jcs() {
        let s = enc(json!({"s": "a\"b\\c\nd\u{1}\u{7f}/€\u{2028}"})).unwrap();
        assert_eq!(s, "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\u{7f}/€\u{2028}\"}");
    }

    #[test]
    fn rejects_outside_profile() {
        assert!(matches!(enc(json!({"f": 1.5})), Err(LeafError::Float(p)) if p == "$.f"));
        assert!(matches!(
            enc(json!({"i": 9007199254740992_i64})),
            Err(LeafError::IntegerOutOfRange(_))
        ));
        assert!(enc(json!({"i": 9007199254740991_i64})).is_ok());
        assert!(enc(json!({"i": -9007199254740991_i64})).is_ok());
        assert!(matches!(
            enc(json!({"Key": 1})),
            Err(LeafError::BadKey { .. })
        ));
        assert!(matches!(
            enc(json!({"ké": 1})),
            Err(LeafError::BadKey { .. })
        ));
        assert!(matches!(enc(json!({"": 1})), Err(LeafError::BadKey { .. })));
        // "e" followed by a combining acute accent: not NFC.
        assert!(matches!(
            enc(json!({"s": "e\u{301}"})),
            Err(LeafError::NotNfc(_))
        ));
        let deep = json!({"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}});
        assert!(enc(deep).is_ok());
        let too_deep = json!({"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":[1]}}}}}}}});
        assert!(matches!(enc(too_deep), Err(LeafError::TooDeep(_))));
        let big = json!({"s": "x".repeat(MAX_LEAF_BYTES)});
        assert!(matches!(enc(big), Err(LeafError::TooLarge(_))));
    }

    #[test]
    fn parse_names_what_is_wrong() {
        let err = |b: &[u8]| Leaf::parse(b.to_vec()).unwrap_err();
        assert_eq!(err(br#"{"a":{"b":1.5}}"#), LeafError::Float("$.a.b".into()));
        assert_eq!(
            err(br#"{"a":[1,9007199254740992]}"#),
            LeafError::IntegerOutOfRange("$.a[1]".into())
        );
        assert!(matches!(err(br#"{"A":1}"#), LeafError::BadKey { .. }));
        assert!(matches!(
            err(b"{\"s\":\"e\xcc\x81\"}"),
            LeafError::NotNfc(_)
        ));
        assert!(matches!(err(br#"{"a":1"#), LeafError::NotJson(_)));
        assert_eq!(err(br#"{"b":1,"a":2}"#), LeafError::NotCanonical);
    }

    #[test]
    fn parse_accepts_only_canonical_bytes() {
        let ok = br#"{"a":1,"b":"x"}"#.to_vec();
        assert!(Leaf::parse(ok).is_ok());
        for bad in [
            &br#"{"b":"x","a":1}"#[..],
            br#"{"a": 1,"b":"x"}"#,
            br#"{"a":1,"a":2}"#,
            br#"{"a":1.0}"#,
            br#"{"a":1e3}"#,
            br#"{"a":-0}"#,
            br#"{"a":"\u0041"}"#,
            br#"{"a":"\/"}"#,
            br#"{"a":"\u001F"}"#,
            br#"{"a":"\u000a"}"#,
            br#"{"a":"\u00e9"}"#,
            br#"{"a":01}"#,
            br#"{"a":-}"#,
            br#"[1,]"#,
            br#"{"a":1,}"#,
            br#"{"a":tru}"#,
            b"{\"a\":1}\n",
            b"\xff",
        ] {
            assert!(
                Leaf::parse(bad.to_vec()).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn normalize_makes_nfc() {
        let mut v = json!({"s": ["e\u{301}"]});
        normalize_strings(&mut v);
        assert_eq!(enc(v).unwrap(), "{\"s\":[\"\u{e9}\"]}");
    }
}
