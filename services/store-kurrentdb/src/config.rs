//! `--store kurrentdb://…`: the official client's connection string (hosts, TLS,
//! credentials, discovery), plus our one parameter, `namespace`, which names this
//! log's streams on the cluster.

use kurrentdb::ClientSettings;

use roundtable_store::StoreError;

/// Schemes the official client accepts.
const SCHEMES: [&str; 8] = [
    "kurrentdb://",
    "kurrentdb+discover://",
    "kurrent://",
    "kurrent+discover://",
    "kdb://",
    "kdb+discover://",
    "esdb://",
    "esdb+discover://",
];

/// The namespace when the URL names none.
pub const DEFAULT_NAMESPACE: &str = "roundtable";

#[derive(Clone, Debug)]
pub struct KurrentDbConfig {
    pub settings: ClientSettings,
    pub namespace: Namespace,
    /// The URL without its password, for logs and error messages.
    pub display: String,
}

impl KurrentDbConfig {
    /// True when `url` is meant for the KurrentDB backend.
    pub fn is_kurrentdb_url(url: &str) -> bool {
        SCHEMES.iter().any(|s| url.starts_with(s))
    }

    /// Parses a connection string. `namespace=NAME` ([a-z0-9_], default
    /// `roundtable`) is taken out; everything else goes to the client unchanged.
    pub fn parse(url: &str) -> Result<KurrentDbConfig, StoreError> {
        let bad = |why: String| StoreError::Storage(format!("bad KurrentDB URL: {why}"));
        if !KurrentDbConfig::is_kurrentdb_url(url) {
            return Err(bad(format!(
                "it must start with one of {}",
                SCHEMES.join(", ")
            )));
        }
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut namespace = DEFAULT_NAMESPACE.to_owned();
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some((key, value)) if key.eq_ignore_ascii_case("namespace") => {
                    namespace = value.to_owned();
                }
                _ => kept.push(pair),
            }
        }
        let namespace = Namespace::new(&namespace).map_err(bad)?;
        let client_url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let settings: ClientSettings = client_url
            .parse()
            .map_err(|e: kurrentdb::ClientSettingsParseError| bad(e.to_string()))?;
        Ok(KurrentDbConfig {
            settings,
            namespace,
            display: without_password(url),
        })
    }
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{hosts}{tail}")
        }
        None => url.to_owned(),
    }
}

/// Where this log lives on the cluster. One KurrentDB stream per aggregate:
/// `NS-kind/id` (so KurrentDB's category is `NS`), plus two streams of our own,
/// `NS.checkpoints` and `NS.signer`, outside that category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace(String);

impl Namespace {
    pub fn new(name: &str) -> Result<Namespace, String> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Namespace(name.to_owned()))
        } else {
            Err(format!("namespace {name:?} is not 1-64 of [a-z0-9_]"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefix of every aggregate stream of this log.
    pub fn stream_prefix(&self) -> String {
        format!("{}-", self.0)
    }

    /// The KurrentDB stream of one of our streams.
    pub fn stream(&self, stream: &roundtable_ledger::StreamName) -> String {
        format!("{}-{}", self.0, stream.as_str())
    }

    /// Every signed checkpoint, in order.
    pub fn checkpoints(&self) -> String {
        format!("{}.checkpoints", self.0)
    }

    /// The signer's lease.
    pub fn signer(&self) -> String {
        format!("{}.signer", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_namespace_out_and_keeps_the_rest() {
        let c = KurrentDbConfig::parse(
            "kurrentdb://admin:changeit@node1:2113?tls=false&namespace=tieling&keepAliveTimeout=20000",
        )
        .unwrap();
        assert_eq!(c.namespace.as_str(), "tieling");
        assert!(!c.settings.is_secure_mode_enabled());
        assert!(c.settings.default_authenticated_user().is_some());
        assert_eq!(
            c.display,
            "kurrentdb://admin:***@node1:2113?tls=false&namespace=tieling&keepAliveTimeout=20000"
        );
        assert_eq!(c.namespace.checkpoints(), "tieling.checkpoints");
    }

    #[test]
    fn tls_is_on_unless_turned_off() {
        let c = KurrentDbConfig::parse("kurrentdb+discover://cluster.example:2113").unwrap();
        assert!(c.settings.is_secure_mode_enabled());
        assert!(c.settings.is_dns_discovery_enabled());
        assert_eq!(c.namespace.as_str(), DEFAULT_NAMESPACE);
    }

    #[test]
    fn refuses_what_is_not_a_kurrentdb_url() {
        for url in [
            "sqlite:/var/lib/roundtable",
            "http://node1:2113",
            "kurrentdb://node1:2113?namespace=Bad-Name",
            "kurrentdb://",
        ] {
            assert!(KurrentDbConfig::parse(url).is_err(), "{url}");
        }
    }
}
