//! Test PKI shared by the SMTP and webhook tests: a private CA and a server certificate for
//! 127.0.0.1 / localhost signed by it, as an internal relay with the company's own CA has.

#![allow(dead_code)]

use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tempfile::TempDir;

pub struct Pki {
    pub dir: TempDir,
    /// The CA certificate alone: what `ca_file` points at.
    pub ca_pem: PathBuf,
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
}

pub fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "shishi test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("server params");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).expect("server certificate");

    let dir = tempfile::tempdir().expect("temp dir");
    let ca_pem = dir.path().join("ca.pem");
    let cert_pem = dir.path().join("server.pem");
    let key_pem = dir.path().join("server.key");
    std::fs::write(&ca_pem, ca_cert.pem()).expect("write CA");
    std::fs::write(&cert_pem, cert.pem()).expect("write certificate");
    std::fs::write(&key_pem, key.serialize_pem()).expect("write key");
    Pki {
        dir,
        ca_pem,
        cert_pem,
        key_pem,
        cert_der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    }
}
