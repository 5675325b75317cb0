//! Generated abuse against the real binary with the demo: GraphQL documents made
//! from the schema (valid, odd and broken), and random bytes and bad UTF-8 on every
//! HTTP route. The claim: no panic, no 5xx, no error answer without a code, and
//! the log unchanged by every refused request (docs/SECURITY.md).
//!
//! `FUZZ_CASES` sets how many documents (5,000 in `make test`; `make fuzz` runs
//! 100,000); `FUZZ_SEED` replays a run.

mod support;

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use serde_json::{Value, json};
use support::graphql::Client;

/// A small, seeded generator (xorshift64*): runs replay from their seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Field {
    name: String,
    args: Vec<(String, Type)>,
    ty: String,
}

/// The schema as the generator needs it: object fields, enum values, input fields.
struct Schema {
    objects: HashMap<String, Vec<Field>>,
    enums: HashMap<String, Vec<String>>,
    inputs: HashMap<String, Vec<(String, Type)>>,
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(n) => n.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

fn load_schema() -> Schema {
    let sdl = std::fs::read_to_string(support::repo_root().join("schema/schema.graphql"))
        .expect("schema/schema.graphql");
    let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut schema = Schema {
        objects: HashMap::new(),
        enums: HashMap::new(),
        inputs: HashMap::new(),
    };
    for definition in doc.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let name = ty.node.name.node.to_string();
        match ty.node.kind {
            TypeKind::Object(object) => {
                let fields = object
                    .fields
                    .into_iter()
                    .map(|f| Field {
                        name: f.node.name.node.to_string(),
                        args: f
                            .node
                            .arguments
                            .into_iter()
                            .map(|a| (a.node.name.node.to_string(), a.node.ty.node))
                            .collect(),
                        ty: named(&f.node.ty.node),
                    })
                    .collect();
                schema.objects.insert(name, fields);
            }
            TypeKind::Enum(e) => {
                let values = e
                    .values
                    .into_iter()
                    .map(|v| v.node.value.node.to_string())
                    .collect();
                schema.enums.insert(name, values);
            }
            TypeKind::InputObject(input) => {
                let fields = input
                    .fields
                    .into_iter()
                    .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                    .collect();
                schema.inputs.insert(name, fields);
            }
            _ => {}
        }
    }
    schema
}

const STRINGS: &[&str] = &[
    "",
    " ",
    "j_x",
    "m_x",
    "i_x",
    "c_x",
    "../etc/passwd",
    "银网社区",
    "路灯\u{202E}gpj.exe",
    "\u{0}",
    "a\u{7}b",
    "13900000012",
    "'; DROP TABLE events; --",
    "%s%n%x",
    "\u{1F600}\u{1F600}",
];

fn value(rng: &mut Rng, schema: &Schema, ty: &Type, depth: usize) -> String {
    if rng.chance(3) {
        return "null".into();
    }
    if let BaseType::List(inner) = &ty.base {
        let n = rng.below(4);
        let items: Vec<String> = (0..n)
            .map(|_| value(rng, schema, inner, depth + 1))
            .collect();
        return format!("[{}]", items.join(", "));
    }
    let name = named(ty);
    match name.as_str() {
        "Int" => rng
            .pick(&[
                "0",
                "1",
                "-1",
                "20",
                "100",
                "101",
                "2147483647",
                "-2147483648",
                "99999999999",
            ])
            .to_string(),
        "Float" => "1.5".into(),
        "Boolean" => rng.pick(&["true", "false"]).to_string(),
        "String" | "ID" => {
            if rng.chance(10) {
                let len = rng.pick(&[100usize, 3000, 20000]);
                format!("\"{}\"", "长".repeat(*len))
            } else {
                serde_json::to_string(rng.pick(STRINGS)).unwrap_or_default()
            }
        }
        other => {
            if let Some(values) = schema.enums.get(other) {
                if rng.chance(5) {
                    return "NOT_A_VALUE".into();
                }
                return rng.pick(values).clone();
            }
            if let Some(fields) = schema.inputs.get(other) {
                if depth > 3 {
                    return "{}".into();
                }
                let mut chosen = Vec::new();
                for (n, t) in fields {
                    if !t.nullable || rng.chance(60) {
                        chosen.push(format!("{n}: {}", value(rng, schema, t, depth + 1)));
                    }
                }
                return format!("{{{}}}", chosen.join(", "));
            }
            "\"?\"".into()
        }
    }
}

fn selection(rng: &mut Rng, schema: &Schema, ty: &str, depth: usize, budget: &mut usize) -> String {
    let Some(fields) = schema.objects.get(ty) else {
        return String::new();
    };
    let mut parts = Vec::new();
    let n = 1 + rng.below(4);
    for _ in 0..n {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let field = rng.pick(fields);
        let mut args = Vec::new();
        for (name, t) in &field.args {
            if !t.nullable || rng.chance(40) {
                args.push(format!("{name}: {}", value(rng, schema, t, 0)));
            }
        }
        let alias = if rng.chance(10) {
            format!("a{}: ", rng.below(1000))
        } else {
            String::new()
        };
        let args = match args.is_empty() {
            true => String::new(),
            false => format!("({})", args.join(", ")),
        };
        let sub = if schema.objects.contains_key(&field.ty) {
            let limit = if rng.chance(5) { 20 } else { 5 };
            if depth < limit {
                let inner = selection(rng, schema, &field.ty, depth + 1, budget);
                match inner.is_empty() {
                    true => " { __typename }".to_owned(),
                    false => format!(" {{ {inner} }}"),
                }
            } else {
                " { __typename }".to_owned()
            }
        } else {
            String::new()
        };
        parts.push(format!("{alias}{}{args}{sub}", field.name));
    }
    parts.join(" ")
}

/// One generated document: mostly queries, some mutations, some broken.
fn document(rng: &mut Rng, schema: &Schema) -> (String, bool) {
    let mutation = rng.chance(25);
    let root = if mutation { "Mutation" } else { "Query" };
    let mut budget = 25;
    let body = selection(rng, schema, root, 0, &mut budget);
    let keyword = if mutation { "mutation" } else { "query" };
    let mut text = if rng.chance(10) {
        format!("{keyword} {{ ...f }} fragment f on {root} {{ {body} }}")
    } else {
        format!("{keyword} {{ {body} }}")
    };
    if rng.chance(5) && !text.is_empty() {
        // Broken: cut short, or a stray byte.
        let at = rng.below(text.len());
        let at = (0..=at)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        if rng.chance(50) {
            text.truncate(at);
        } else {
            text.insert(at, *rng.pick(&['{', '}', '$', '@', '"', '\\']));
        }
    }
    (text, mutation)
}

/// Every error of a GraphQL answer carries a code.
fn every_error_coded(body: &Value) -> bool {
    body["errors"]
        .as_array()
        .is_none_or(|errors| errors.iter().all(|e| e["extensions"]["code"].is_string()))
}

#[test]
fn generated_documents_and_bytes_get_coded_answers_and_refusals_change_nothing() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_CAFE);
    // Generous allowances: the fuzz cases are many, from one address.
    let (_dir, mut server) = support::demo(&[
        "--raises-per-hour",
        "100000",
        "--cosigns-per-hour",
        "100000",
        "--registrations-per-address-per-hour",
        "100000",
    ]);
    let schema = load_schema();
    let anon = Client::anonymous(&server.base);
    let resident = Client::sign_in(&server.base, "13900000012", "roundtable-demo");
    let mut rng = Rng(seed);
    let mut counts: HashMap<String, usize> = HashMap::new();
    for case in 0..cases {
        let (query, mutation) = document(&mut rng, &schema);
        let client = if rng.chance(50) { &anon } else { &resident };
        let before = mutation.then(|| anon.log_size());
        let reply = client.raw(&json!({"query": query}).to_string());
        assert!(
            reply.status < 500,
            "case {case} (seed {seed}): status {}\n{query}\n{}",
            reply.status,
            reply.body
        );
        assert!(
            every_error_coded(&reply.body),
            "case {case} (seed {seed}): an error without a code\n{query}\n{}",
            reply.body
        );
        let refused = reply.body["data"].is_null();
        if let Some(before) = before
            && refused
        {
            assert_eq!(
                anon.log_size(),
                before,
                "case {case} (seed {seed}): a refused request changed the log\n{query}\n{}",
                reply.body
            );
        }
        let code = reply.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("OK")
            .to_owned();
        *counts.entry(code).or_default() += 1;
    }
    eprintln!("{cases} documents (seed {seed}): {counts:?}");

    // Random bytes and bad UTF-8 on every route, by every method.
    let agent = support::graphql::agent();
    let routes = [
        "/graphql",
        "/graphql/ws",
        "/photos",
        "/photos/00",
        "/healthz",
        "/metrics",
        "/log/checkpoint",
        "/log/checkpoints/1",
        "/log/entries?start=0&end=5",
        "/log/entries/0",
        "/log/proof/inclusion?index=0",
        "/log/proof/consistency?from=1",
        "/log/receipt/0",
        "/log/vkey",
        "/log/rotations",
        "/",
        "/issues/i_x",
        "/%FF%FE",
    ];
    let size = anon.log_size();
    for n in 0..(cases / 10).max(200) {
        let route = rng.pick(&routes);
        let method = *rng.pick(&["GET", "POST", "PUT", "DELETE", "PATCH"]);
        let len = rng.pick(&[0usize, 1, 17, 300, 5000]);
        let mut body: Vec<u8> = (0..*len).map(|_| rng.next() as u8).collect();
        if rng.chance(30) {
            body.extend_from_slice(b"{\"query\": \"\xFF\xFE{ me }\"}");
        }
        let content_type = *rng.pick(&[
            "application/json",
            "text/plain",
            "image/jpeg",
            "application/x-www-form-urlencoded",
        ]);
        let query = match rng.chance(30) {
            true => format!(
                "{}{}x=%FF&start=-1&end=99999999999999999999",
                route,
                if route.contains('?') { "&" } else { "?" }
            ),
            false => route.to_string(),
        };
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{query}", server.base))
            .header("content-type", content_type)
            .body(body)
            .unwrap();
        let Ok(mut response) = agent.run(request) else {
            continue; // the server may hang up on a body it refused unread
        };
        let status = response.status().as_u16();
        assert!(status < 500, "bytes {n}: {method} {query}: {status}");
        if status >= 400 {
            let text = response.body_mut().read_to_string().unwrap_or_default();
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let coded =
                body["code"].is_string() || body["errors"][0]["extensions"]["code"].is_string();
            assert!(
                coded,
                "bytes {n}: {method} {query}: {status} without a code: {text}"
            );
        }
    }
    assert_eq!(anon.log_size(), size, "bytes changed the log");

    // Still alive and well.
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server is still running"
    );
    let health = agent
        .get(format!("{}/healthz", server.base))
        .call()
        .unwrap()
        .status();
    assert_eq!(health.as_u16(), 200);
}
