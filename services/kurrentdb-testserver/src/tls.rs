//! TLS as a KurrentDB cluster runs it: a CA of its own and a node certificate it
//! signed (for `127.0.0.1` and `localhost`); clients trust the CA through
//! `tlsCAFile=` in the connection string.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};

/// A throwaway CA, a node certificate it signed, and the CA's PEM on disk.
pub struct TestTls {
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
    ca_file: tempfile::NamedTempFile,
}

impl std::fmt::Debug for TestTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestTls(ca: {})", self.ca_file.path().display())
    }
}

impl TestTls {
    pub fn generate() -> std::io::Result<TestTls> {
        let fail = |e: rcgen::Error| std::io::Error::other(e.to_string());
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "roundtable test KurrentDB CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca =
            CertifiedIssuer::self_signed(ca, KeyPair::generate().map_err(fail)?).map_err(fail)?;

        let mut node = CertificateParams::new(vec!["localhost".to_owned()]).map_err(fail)?;
        node.subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        node.distinguished_name
            .push(DnType::CommonName, "eventstoredb-node");
        let key = KeyPair::generate().map_err(fail)?;
        let cert = node.signed_by(&key, &ca).map_err(fail)?;

        let mut ca_file = tempfile::Builder::new()
            .prefix("kurrentdb-test-ca-")
            .suffix(".crt")
            .tempfile()?;
        std::io::Write::write_all(&mut ca_file, ca.pem().as_bytes())?;
        Ok(TestTls {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            ca_file,
        })
    }

    /// The CA certificate clients must trust (`tlsCAFile=`).
    pub fn ca_file(&self) -> &Path {
        self.ca_file.path()
    }
}
