//! The canonical bytes of an audit entry (the Merkle leaf).
//!
//! A leaf is canonical JSON (sorted keys, no whitespace, `"v"` first) so anyone
//! can rebuild it from the decoded view and get the same leaf hash. Each entry
//! also carries its own position (`"seq"`) and the leaf hash of its
//! predecessor (`"prev"`). The Merkle tree alone proves *that* something
//! between two checkpoints changed; the chain lets the verifier name *which*
//! stored row was altered, moved, dropped or inserted (see `verify.rs`),
//! the way Belenios chains its public event log.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::merkle::Hash;

/// `prev` of the first entry of a log: there is no predecessor.
pub const GENESIS_PREV: Hash = [0; 32];

/// Why an entry could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryError {
    /// The event is not a JSON object.
    NotAnObject,
    /// The event has no `"v"` version field; the caller decides the version.
    MissingVersion,
    /// The event already uses a field name reserved for the chain.
    ReservedField(&'static str),
    /// The leaf bytes are not a chained entry (the message says why).
    NotChained(String),
}

impl std::fmt::Display for EntryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAnObject => f.write_str("an audit event must be a JSON object"),
            Self::MissingVersion => f.write_str("an audit event needs a \"v\" field"),
            Self::ReservedField(k) => write!(f, "field {k:?} is reserved for the log"),
            Self::NotChained(why) => write!(f, "not a chained audit entry: {why}"),
        }
    }
}

impl std::error::Error for EntryError {}

/// Canonical JSON: object keys sorted by their UTF-8 bytes, no whitespace,
/// strings escaped as serde_json does, numbers as serde_json prints them;
/// in the top-level object the `"v"` (version) key comes first so a reader
/// knows the schema before the rest. Keys are sorted here, not by relying on
/// `serde_json::Map`, because the `preserve_order` feature may be switched on
/// by any crate in the build and would silently change every leaf.
///
/// Floats print deterministically but are best avoided in events (amounts
/// and instants are integers).
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    match value {
        Value::Object(map) => write_object(map, true, &mut out),
        other => write_value(other, &mut out),
    }
    out
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(map, false, out),
    }
}

fn write_object(map: &Map<String, Value>, version_first: bool, out: &mut Vec<u8>) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_unstable_by(|a, b| {
        let rank = |k: &str| !(version_first && k == "v");
        (rank(a), a.as_bytes()).cmp(&(rank(b), b.as_bytes()))
    });
    out.push(b'{');
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(k, out);
        out.push(b':');
        if let Some(v) = map.get(k) {
            write_value(v, out);
        }
    }
    out.push(b'}');
}

/// JSON string escaping identical to serde_json's output (RFC 8259 §7): only
/// `"`, `\` and control characters are escaped; everything else is raw UTF-8.
fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{08}' => out.extend_from_slice(b"\\b"),
            '\u{0c}' => out.extend_from_slice(b"\\f"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// The leaf bytes of entry number `seq`: the event object plus `"seq"` and
/// `"prev"` (base64 of the previous entry's leaf hash, [`GENESIS_PREV`] for
/// the first), canonicalised. `prev` is `Frontier::last_leaf()` of the log.
pub fn chained_entry(seq: u64, prev: Option<&Hash>, event: &Value) -> Result<Vec<u8>, EntryError> {
    let Value::Object(map) = event else {
        return Err(EntryError::NotAnObject);
    };
    if !map.contains_key("v") {
        return Err(EntryError::MissingVersion);
    }
    for reserved in ["seq", "prev"] {
        if map.contains_key(reserved) {
            return Err(EntryError::ReservedField(reserved));
        }
    }
    let mut map = map.clone();
    map.insert("seq".into(), Value::from(seq));
    map.insert("prev".into(), Value::String(B64.encode(prev.unwrap_or(&GENESIS_PREV))));
    Ok(canonical_json(&Value::Object(map)))
}

/// The chain fields of a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryLink {
    pub seq: u64,
    pub prev: Hash,
}

#[derive(Deserialize)]
struct RawLink<'a> {
    seq: u64,
    #[serde(borrow)]
    prev: &'a str,
}

/// Reads only `seq` and `prev` from a leaf (other fields are skipped, which
/// keeps verifying a million entries fast).
pub fn entry_link(leaf: &[u8]) -> Result<EntryLink, EntryError> {
    let raw: RawLink<'_> = serde_json::from_slice(leaf).map_err(|e| EntryError::NotChained(e.to_string()))?;
    let prev = B64
        .decode(raw.prev)
        .map_err(|_| EntryError::NotChained("prev is not base64".into()))?
        .try_into()
        .map_err(|_| EntryError::NotChained("prev is not 32 bytes".into()))?;
    Ok(EntryLink { seq: raw.seq, prev })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_form() {
        let v = json!({"b": [1, {"z": null, "a": true}], "v": 1, "a": "x\"\\\n\u{1}中", "A": -3});
        assert_eq!(
            String::from_utf8(canonical_json(&v)).expect("utf8"),
            "{\"v\":1,\"A\":-3,\"a\":\"x\\\"\\\\\\n\\u0001中\",\"b\":[1,{\"a\":true,\"z\":null}]}"
        );
        // Nested "v" keys are ordinary keys.
        let nested = json!({"x": {"w": 1, "v": 2}});
        assert_eq!(canonical_json(&nested), br#"{"x":{"v":2,"w":1}}"#);
        // Same escaping as serde_json, so the decoded view re-encodes exactly.
        let s = json!("tab\t cr\r ff\u{c} bs\u{8} nul\u{0} slash/ é");
        assert_eq!(canonical_json(&s), serde_json::to_vec(&s).expect("json"));
    }

    #[test]
    fn canonical_is_stable_under_reparse() {
        let v = json!({"v": 1, "type": "voter_list_published", "n": 12345, "by": {"role": "committee"}});
        let bytes = canonical_json(&v);
        let back: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(canonical_json(&back), bytes);
    }

    #[test]
    fn chained_entries() {
        let e = json!({"v": 1, "type": "x"});
        let first = chained_entry(0, None, &e).expect("entry");
        assert_eq!(first, br#"{"v":1,"prev":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","seq":0,"type":"x"}"#);
        let link = entry_link(&first).expect("link");
        assert_eq!(link, EntryLink { seq: 0, prev: GENESIS_PREV });
        let h = super::super::merkle::leaf_hash(&first);
        let second = chained_entry(1, Some(&h), &e).expect("entry");
        assert_eq!(entry_link(&second).expect("link"), EntryLink { seq: 1, prev: h });

        assert_eq!(chained_entry(0, None, &json!([1])), Err(EntryError::NotAnObject));
        assert_eq!(chained_entry(0, None, &json!({"a": 1})), Err(EntryError::MissingVersion));
        assert_eq!(chained_entry(0, None, &json!({"v": 1, "seq": 3})), Err(EntryError::ReservedField("seq")));
        assert!(entry_link(b"not json").is_err());
        assert!(entry_link(br#"{"seq":1,"prev":"AAAA"}"#).is_err());
        assert!(entry_link(br#"{"seq":1}"#).is_err());
    }
}
