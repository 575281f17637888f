//! rustls set-up shared by both transports: ring as the one crypto provider, the system trust
//! store plus an optional extra CA, and spotting certificate failures in an error chain.

use std::error::Error as StdError;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

/// ring, named explicitly: a process-wide default provider may not be installed, and aws-lc-rs
/// must never be picked up.
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads every certificate of a PEM file. `field` names the setting in error messages, so an
/// administrator knows which line of the configuration to fix.
pub(crate) fn read_pem_file(
    path: &Path,
    field: &str,
) -> Result<(Vec<u8>, Vec<CertificateDer<'static>>), String> {
    let pem =
        std::fs::read(path).map_err(|e| format!("{field}: cannot read {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{field}: {} is not a valid PEM file: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{field}: {} holds no PEM certificate",
            path.display()
        ));
    }
    Ok((pem, certs))
}

/// A client configuration trusting the operating system's store (where companies install their
/// own CA) plus `extra_roots`. A minimal container may have no system store at all; public
/// robots must still work there, so the bundled Mozilla roots stand in for it.
pub(crate) fn client_config(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<ClientConfig, String> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?;
    match rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots.clone(), provider) {
        Ok(verifier) => Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()),
        Err(_) => {
            let mut roots = RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            for cert in extra_roots {
                roots
                    .add(cert)
                    .map_err(|e| format!("TLS set-up: unusable CA certificate: {e}"))?;
            }
            Ok(builder.with_root_certificates(roots).with_no_client_auth())
        }
    }
}

/// The rustls error somewhere in `err`'s chain. `io::Error` hides its payload from `source()`,
/// so it is opened by hand: that is where tokio-rustls puts the handshake error.
pub(crate) fn find_rustls_error<'a>(
    err: &'a (dyn StdError + 'static),
) -> Option<&'a rustls::Error> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            let inner: &(dyn StdError + 'static) = inner;
            if let Some(r) = find_rustls_error(inner) {
                return Some(r);
            }
        }
        current = e.source();
    }
    None
}

/// A certificate the client does not accept will be refused the same way on every attempt
/// until someone fixes the server or the configured CA, so it is not worth retrying.
pub(crate) fn is_certificate_error(err: &(dyn StdError + 'static)) -> bool {
    matches!(
        find_rustls_error(err),
        Some(
            rustls::Error::InvalidCertificate(_)
                | rustls::Error::NoCertificatesPresented
                | rustls::Error::UnsupportedNameType
        )
    )
}
