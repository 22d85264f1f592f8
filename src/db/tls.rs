//! TLS to PostgreSQL with rustls (ring's primitives; no OpenSSL).
//!
//! Whether TLS is used is the URL's `sslmode`, as tokio-postgres reads it: `disable` is
//! plaintext; `prefer` (the default when the URL says nothing) uses TLS when the server
//! offers it and plaintext only when the server refuses TLS; `require` refuses a server
//! without TLS. Whenever TLS is used the server's certificate must chain to the roots
//! (the CA file of `database.ca_file`, else Mozilla's roots from `webpki-roots`) and be
//! valid for the host of the URL (an IP address for an IP host): `require` here is
//! libpq's `verify-full`, and a certificate that fails is never a reason to fall back to
//! plaintext.

use std::error::Error as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, ClientConfig, RootCertStore};
pub use tokio_postgres_rustls::MakeRustlsConnect;

/// The setting that names the CA file, as errors name it.
const CA_SETTING: &str = "database.ca_file (TRAILLOOP__DATABASE__CA_FILE)";

/// The TLS connector of every database connection (the pool's and the command-line
/// tools'): roots from `ca_file` when given, else the webpki roots.
pub fn connector(ca_file: Option<&Path>) -> anyhow::Result<MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("the TLS provider supports no safe protocol version")?
        .with_root_certificates(roots(ca_file)?)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The trust anchors: every certificate of the PEM file `ca_file`, else Mozilla's roots.
/// An unreadable file, or one without a certificate, is an error naming the setting and
/// the path.
pub fn roots(ca_file: Option<&Path>) -> anyhow::Result<RootCertStore> {
    let Some(path) = ca_file else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let pem = std::fs::read(path)
        .with_context(|| format!("{CA_SETTING}: cannot read the CA file {}", path.display()))?;
    let mut roots = RootCertStore::empty();
    for (i, cert) in CertificateDer::pem_slice_iter(&pem).enumerate() {
        let cert = cert.map_err(|e| {
            anyhow::anyhow!(
                "{CA_SETTING}: the CA file {} is not valid PEM: {e}",
                path.display()
            )
        })?;
        roots.add(cert).map_err(|e| {
            anyhow::anyhow!(
                "{CA_SETTING}: certificate {} of the CA file {} is not a usable CA certificate: {e}",
                i + 1,
                path.display()
            )
        })?;
    }
    anyhow::ensure!(
        !roots.is_empty(),
        "{CA_SETTING}: the CA file {} holds no certificate (expected PEM, \
         -----BEGIN CERTIFICATE----- blocks)",
        path.display()
    );
    Ok(roots)
}

/// A connection error with its causes (`error performing TLS handshake: the database's
/// TLS certificate is not trusted (...): check ...`), saying what to check when the
/// server's certificate was refused. tokio-postgres' errors never carry the URL, so the
/// password stays out.
pub fn describe(e: &tokio_postgres::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(cause) = source {
        let part = match rustls_error(cause) {
            Some(tls) => explain(tls),
            None => cause.to_string(),
        };
        if parts.last() != Some(&part) {
            parts.push(part);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The rustls error in `e`: tokio-rustls hands it over inside an `io::Error`.
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    e.downcast_ref::<rustls::Error>().or_else(|| {
        e.downcast_ref::<std::io::Error>()?
            .get_ref()?
            .downcast_ref::<rustls::Error>()
    })
}

/// What a rustls error means for whoever configures the service.
fn explain(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "the database's TLS certificate is not valid for the host in \
             TRAILLOOP__DATABASE__URL ({e}): connect by a name the certificate lists"
        ),
        rustls::Error::InvalidCertificate(_) => format!(
            "the database's TLS certificate is not trusted ({e}): check {CA_SETTING}, which \
             must name the CA that signed the server's certificate (without it only \
             Mozilla's public roots are trusted)"
        ),
        _ => format!("the TLS handshake with the database failed ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem() -> String {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    fn message(e: anyhow::Error) -> String {
        format!("{e:#}")
    }

    #[test]
    fn without_a_ca_file_the_webpki_roots_are_trusted() {
        let roots = roots(None).unwrap();
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        assert!(!roots.is_empty());
        connector(None).unwrap();
    }

    #[test]
    fn a_ca_file_replaces_the_webpki_roots_with_its_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, format!("{}\n{}", ca_pem(), ca_pem())).unwrap();
        assert_eq!(roots(Some(&file)).unwrap().len(), 2);
        connector(Some(&file)).unwrap();
    }

    #[test]
    fn a_missing_ca_file_names_the_setting_and_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("absent.pem");
        let err = message(connector(Some(&file)).err().unwrap());
        assert!(err.contains("TRAILLOOP__DATABASE__CA_FILE"), "{err}");
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert!(err.contains("No such file"), "{err}");
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("empty.pem", String::new()),
            ("words.pem", "not a certificate\n".to_string()),
            // A key is not a root.
            (
                "key.pem",
                rcgen::KeyPair::generate().unwrap().serialize_pem(),
            ),
        ] {
            let file = dir.path().join(name);
            std::fs::write(&file, text).unwrap();
            let err = message(roots(Some(&file)).unwrap_err());
            assert!(err.contains("holds no certificate"), "{name}: {err}");
            assert!(
                err.contains("TRAILLOOP__DATABASE__CA_FILE"),
                "{name}: {err}"
            );
            assert!(err.contains(&file.display().to_string()), "{name}: {err}");
        }
    }

    #[test]
    fn a_broken_certificate_in_the_ca_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("broken.pem");
        std::fs::write(
            &file,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = message(roots(Some(&file)).unwrap_err());
        assert!(err.contains("certificate 1 of the CA file"), "{err}");
        assert!(err.contains("TRAILLOOP__DATABASE__CA_FILE"), "{err}");
        let file = dir.path().join("unterminated.pem");
        std::fs::write(&file, "-----BEGIN CERTIFICATE-----\nAAAA\n").unwrap();
        let err = message(roots(Some(&file)).unwrap_err());
        assert!(err.contains("not valid PEM"), "{err}");
    }

    #[test]
    fn certificate_errors_say_what_to_check() {
        let untrusted = explain(&rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ));
        assert!(untrusted.contains("not trusted"), "{untrusted}");
        assert!(untrusted.contains("UnknownIssuer"), "{untrusted}");
        assert!(
            untrusted.contains("TRAILLOOP__DATABASE__CA_FILE"),
            "{untrusted}"
        );
        let wrong_host = explain(&rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName,
        ));
        assert!(
            wrong_host.contains("not valid for the host"),
            "{wrong_host}"
        );
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::BadSignature),
        );
        assert!(rustls_error(&io).is_some());
        assert!(rustls_error(&std::io::Error::other("plain")).is_none());
    }
}
