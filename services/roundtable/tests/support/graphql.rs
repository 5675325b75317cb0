//! A small GraphQL-over-HTTP client for the black-box tests: bearer or cookie
//! sessions, CSRF header, raw status codes.
#![allow(dead_code)]

use serde_json::{Value, json};

pub struct Client {
    pub base: String,
    pub bearer: Option<String>,
    /// `rt_session=…; rt_csrf=…` as a browser would send it.
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub set_cookies: Vec<String>,
}

impl Reply {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none_or(Value::is_null),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The `extensions.code` of the first error (panics if there is none).
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }

    /// The refusal's `extensions.reason` of the first error ("" if none).
    pub fn reason(&self) -> &str {
        self.body["errors"][0]["extensions"]["reason"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

/// An HTTP agent that returns error statuses as answers, not errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

impl Client {
    pub fn anonymous(base: &str) -> Client {
        Client {
            base: base.to_owned(),
            bearer: None,
            cookie: None,
            csrf: None,
        }
    }

    /// The status of a POST, or the I/O error when the server hung up first (it
    /// may refuse an oversized body before reading it).
    pub fn status_of(&self, body: &str) -> Result<u16, String> {
        agent()
            .post(format!("{}/graphql", self.base))
            .header("content-type", "application/json")
            .send(body)
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    }

    pub fn raw(&self, body: &str) -> Reply {
        let mut request = agent()
            .post(format!("{}/graphql", self.base))
            .header("content-type", "application/json");
        if let Some(token) = &self.bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        let mut response = request.send(body).unwrap();
        let status = response.status().as_u16();
        let set_cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
            set_cookies,
        }
    }

    pub fn query(&self, query: &str, variables: Value) -> Reply {
        self.raw(&json!({"query": query, "variables": variables}).to_string())
    }

    /// Signs in with a bearer token.
    pub fn sign_in(base: &str, phone: &str, password: &str) -> Client {
        let anon = Client::anonymous(base);
        let reply = anon.query(
            "mutation($p: String!, $w: String!) { signIn(input: {phone: $p, password: $w, wantToken: true}) { token member { id } } }",
            json!({"p": phone, "w": password}),
        );
        let token = reply.data()["signIn"]["token"].as_str().unwrap().to_owned();
        Client {
            bearer: Some(token),
            ..anon
        }
    }

    /// The id of the signed-in member.
    pub fn me(&self) -> String {
        self.query("{ me { member { id } } }", json!({})).data()["me"]["member"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// How many events the read models have applied (the log's size).
    pub fn log_size(&self) -> u64 {
        self.query("{ logSize }", json!({})).data()["logSize"]
            .as_u64()
            .unwrap()
    }

    /// Jurisdiction ids by name.
    pub fn places(&self) -> std::collections::BTreeMap<String, String> {
        self.ids_by_name("jurisdictions(first: 100)", "jurisdictions")
    }

    /// Council ids by name.
    pub fn councils(&self) -> std::collections::BTreeMap<String, String> {
        self.ids_by_name("councils", "councils")
    }

    fn ids_by_name(&self, field: &str, name: &str) -> std::collections::BTreeMap<String, String> {
        let query = format!("{{ {field} {{ edges {{ node {{ id name }} }} }} }}");
        self.query(&query, json!({})).data()[name]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["node"]["name"].as_str().unwrap().to_owned(),
                    e["node"]["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}
