//! TLS settings of the built-in transport: which certificate authorities it trusts and the
//! certificate it shows when a server asks for one (mutual TLS). Everything here is read when
//! the transport is built; a problem is a [`TransportErrorKind::Tls`](crate::TransportErrorKind::Tls)
//! error naming the file, reported by every call, never a panic.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// PEM text held in memory: CA certificates, or a client's certificate chain. `Debug` shows its
/// length only.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBytes(Arc<[u8]>);

impl PemBytes {
    /// PEM text: one or more `-----BEGIN CERTIFICATE-----` sections (other sections are skipped).
    pub fn new(pem: impl Into<Vec<u8>>) -> Self {
        PemBytes(pem.into().into())
    }

    /// The PEM text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for PemBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PemBytes({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for PemBytes {
    fn from(pem: Vec<u8>) -> Self {
        PemBytes::new(pem)
    }
}

impl From<&[u8]> for PemBytes {
    fn from(pem: &[u8]) -> Self {
        PemBytes::new(pem)
    }
}

impl<const N: usize> From<&[u8; N]> for PemBytes {
    fn from(pem: &[u8; N]) -> Self {
        PemBytes::new(pem.as_slice())
    }
}

impl From<String> for PemBytes {
    fn from(pem: String) -> Self {
        PemBytes::new(pem)
    }
}

impl From<&str> for PemBytes {
    fn from(pem: &str) -> Self {
        PemBytes::new(pem)
    }
}

/// Where a piece of PEM comes from.
#[derive(Clone, PartialEq, Eq)]
enum Source {
    File(PathBuf),
    Memory(Arc<[u8]>),
}

impl Source {
    /// How errors name it: the file, or "in memory".
    fn describe(&self, what: &str) -> String {
        match self {
            Source::File(path) => format!("{what} {}", path.display()),
            Source::Memory(_) => format!("{what} (in memory)"),
        }
    }
}

/// A client certificate chain and its private key, for servers that ask the client to prove who
/// it is (mutual TLS). Both are PEM: the chain is one or more `CERTIFICATE` sections, the leaf
/// first; the key is one PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1
/// (`EC PRIVATE KEY`) section.
///
/// The key never shows: `Debug` prints its file's path or `<redacted>`, and errors about it say
/// what is wrong without quoting any of it.
///
/// ```
/// # use awsjson_runtime::{ClientIdentity, Config};
/// let identity = ClientIdentity::from_pem_files("/etc/app/client.crt", "/etc/app/client.key");
/// let config = Config::builder().client_identity(identity).build();
/// # let _ = config;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    chain: Source,
    key: Source,
}

impl ClientIdentity {
    /// The chain and key in two PEM files (they may be the same file), read when the transport
    /// is built.
    pub fn from_pem_files(chain: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        ClientIdentity { chain: Source::File(chain.into()), key: Source::File(key.into()) }
    }

    /// The chain and key as PEM text in memory.
    pub fn from_pem(chain: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        ClientIdentity { chain: Source::Memory(chain.into().into()), key: Source::Memory(key.into().into()) }
    }

    /// The parsed chain and key, or what is wrong with them.
    pub(crate) fn load(&self) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
        let chain_name = self.chain.describe("the client certificate chain");
        let chain: Vec<CertificateDer<'static>> = match &self.chain {
            Source::File(path) => certificates_in_file(path),
            Source::Memory(bytes) => certificates_in(bytes),
        }
        .map_err(|e| format!("cannot read {chain_name}: {e}"))?;
        if chain.is_empty() {
            return Err(format!("{chain_name} holds no certificate"));
        }
        let key_name = self.key.describe("the client private key");
        let key = match &self.key {
            Source::File(path) => PrivateKeyDer::from_pem_file(path),
            Source::Memory(bytes) => PrivateKeyDer::from_pem_slice(bytes),
        }
        .map_err(|e| match e {
            pem::Error::NoItemsFound => format!("{key_name} holds no private key"),
            // The parser's own message may quote a line or a byte of the key: not shown.
            other => format!("cannot read {key_name}: {}", describe_safely(&other)),
        })?;
        Ok((chain, key))
    }
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chain = match &self.chain {
            Source::File(path) => path.display().to_string(),
            Source::Memory(bytes) => format!("{} bytes in memory", bytes.len()),
        };
        let key = match &self.key {
            Source::File(path) => path.display().to_string(),
            Source::Memory(_) => "<redacted>".to_owned(),
        };
        f.debug_struct("ClientIdentity").field("chain", &chain).field("key", &key).finish()
    }
}

/// A PEM error without any of the text it was found in.
fn describe_safely(e: &pem::Error) -> String {
    match e {
        pem::Error::Io(io) => io.to_string(),
        pem::Error::MissingSectionEnd { .. } => "a PEM section has no END line".to_owned(),
        pem::Error::IllegalSectionStart { .. } => "a PEM BEGIN line is malformed".to_owned(),
        pem::Error::Base64Decode(_) => "a PEM section is not valid base64".to_owned(),
        pem::Error::NoItemsFound => "no PEM section of the expected kind".to_owned(),
        _ => "not valid PEM".to_owned(),
    }
}

fn certificates_in_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_file_iter(path)
        .map_err(|e| describe_safely(&e))?
        .collect::<Result<_, _>>()
        .map_err(|e| describe_safely(&e))
}

fn certificates_in(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_slice_iter(pem).collect::<Result<_, _>>().map_err(|e| describe_safely(&e))
}

/// The trusted roots: the CA bundle file and the in-memory PEM when either is given (both
/// together when both are), else the platform's store (which honours the process's
/// `SSL_CERT_FILE` and `SSL_CERT_DIR`), else, when the platform has no certificates at all (as
/// in minimal containers), the webpki roots compiled into the binary.
pub(crate) fn root_store(
    ca_bundle: Option<&PathBuf>,
    ca_bundle_pem: Option<&PemBytes>,
) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    if ca_bundle.is_some() || ca_bundle_pem.is_some() {
        if let Some(path) = ca_bundle {
            let certs =
                certificates_in_file(path).map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("the CA bundle {} holds no usable certificate", path.display()));
            }
        }
        if let Some(pem) = ca_bundle_pem {
            let certs =
                certificates_in(pem.as_bytes()).map_err(|e| format!("cannot read the CA bundle (in memory): {e}"))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err("the CA bundle (in memory) holds no usable certificate".to_owned());
            }
        }
        return Ok(roots);
    }
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if roots.is_empty() {
        // Something was there but unreadable (a bad `SSL_CERT_FILE`, say): falling back to
        // other roots would hide it.
        if let Some(e) = native.errors.first() {
            return Err(format!("cannot load the platform's root certificates: {e}"));
        }
        tracing::debug!("no platform root certificates found; using the bundled webpki roots");
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Not a real key: only its shape matters here, and that it never shows.
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n";

    #[test]
    fn debug_never_shows_the_key() {
        let identity = ClientIdentity::from_pem("-----BEGIN CERTIFICATE-----\n", KEY);
        let shown = format!("{identity:?} {identity:#?}");
        assert!(!shown.contains("TOPSECRET") && shown.contains("<redacted>"), "{shown}");
        let settings = crate::HttpSettings { client_identity: Some(identity.clone()), ..Default::default() };
        let config = crate::Config::builder().client_identity(identity).build();
        for shown in [format!("{settings:?}"), format!("{config:?}"), format!("{config:#?}")] {
            assert!(!shown.contains("TOPSECRET") && shown.contains("<redacted>"), "{shown}");
        }
        let files = ClientIdentity::from_pem_files("/certs/c.pem", "/certs/k.pem");
        assert!(format!("{files:?}").contains("/certs/k.pem"));
    }

    #[test]
    fn key_errors_quote_nothing_of_the_key() {
        let chain = rcgen_free_certificate();
        for key in [
            KEY.to_owned(),
            KEY.replace("-----END PRIVATE KEY-----\n", ""),
            "-----BEGIN PRIVATE KEY-----\nTOPSECRET!!@@\n-----END PRIVATE KEY-----\n".to_owned(),
            "TOPSECRET but no PEM at all".to_owned(),
        ] {
            let identity = ClientIdentity::from_pem(chain.clone(), key);
            match identity.load() {
                Ok(_) => {}
                Err(e) => assert!(!e.contains("TOPSECRET") && e.contains("private key"), "{e}"),
            }
        }
    }

    #[test]
    fn missing_and_empty_files_are_named() {
        let identity = ClientIdentity::from_pem_files("/nonexistent/chain.pem", "/nonexistent/key.pem");
        let e = identity.load().unwrap_err();
        assert!(e.contains("/nonexistent/chain.pem") && e.contains("certificate chain"), "{e}");
        let e = ClientIdentity::from_pem("", KEY).load().unwrap_err();
        assert!(e.contains("holds no certificate") && e.contains("in memory"), "{e}");
        let e = root_store(None, Some(&PemBytes::from("nothing here"))).unwrap_err();
        assert!(e.contains("no usable certificate"), "{e}");
        let e = root_store(Some(&PathBuf::from("/nonexistent/ca.pem")), None).unwrap_err();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    }

    /// A syntactically valid certificate section (not a valid certificate: parsing PEM does not
    /// look inside).
    fn rcgen_free_certificate() -> Vec<u8> {
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec()
    }
}
