//! The connection's credentials before anything is sent: the files TLS
//! reads exist and hold what they should, and who the client certificate
//! says the client is, for messages.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use openssl::pkey::{PKey, Private};
use openssl::ssl::{HandshakeError, SslConnector, SslMethod};
use openssl::x509::{X509VerifyResult, X509};

use crate::client::{ClientProperties, TLS_FILES};

/// What is wrong with the files the TLS settings name, one message per
/// property, naming the file but never showing its content. Checked only
/// when the connection uses TLS, as librdkafka reads them only then.
pub(super) fn unreadable_files(client: &ClientProperties) -> Vec<String> {
    if !client.uses_tls() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    for key in TLS_FILES {
        let Some(path) = client.get(key) else {
            continue;
        };
        // `probe`: librdkafka looks for the system's CA certificates.
        if key == "ssl.ca.location" && path == "probe" {
            continue;
        }
        if let Err(e) = std::fs::metadata(path).and_then(|m| {
            if m.is_dir() {
                Ok(())
            } else {
                std::fs::File::open(path).map(drop)
            }
        }) {
            problems.push(format!(
                "client property `{key}`: cannot read `{path}`: {e}"
            ));
        } else if key == "ssl.key.location" {
            problems.extend(unusable_key(
                Path::new(path),
                client.get("ssl.key.password"),
            ));
        } else if key == "ssl.ca.location" || key == "ssl.certificate.location" {
            problems.extend(unreadable_certificates(key, Path::new(path)));
        }
    }
    problems
}

/// Why the PEM certificates at `path` cannot be read, if they cannot (a
/// directory of CA certificates is librdkafka's to read).
fn unreadable_certificates(key: &str, path: &Path) -> Option<String> {
    if path.is_dir() {
        return None;
    }
    let pem = std::fs::read(path).ok()?;
    match X509::stack_from_pem(&pem) {
        Ok(certificates) if !certificates.is_empty() => None,
        Ok(_) => Some(format!(
            "client property `{key}`: `{}` holds no PEM certificate",
            path.display()
        )),
        Err(e) => Some(format!(
            "client property `{key}`: `{}` holds a certificate OpenSSL cannot read ({})",
            path.display(),
            e.errors()
                .first()
                .and_then(|e| e.reason())
                .unwrap_or("unreadable")
        )),
    }
}

/// Why the private key at `path` cannot be used with `password`, if it
/// cannot. librdkafka's own message for this is an opaque `PEM lib`.
fn unusable_key(path: &Path, password: Option<&str>) -> Option<String> {
    let pem = std::fs::read(path).ok()?;
    let key: Result<PKey<Private>, _> = match password {
        Some(password) => PKey::private_key_from_pem_passphrase(&pem, password.as_bytes()),
        // An empty pass phrase from a callback: OpenSSL's default would
        // ask on the terminal.
        None => PKey::private_key_from_pem_callback(&pem, |_| Ok(0)),
    };
    if key.is_ok() {
        return None;
    }
    let text = String::from_utf8_lossy(&pem);
    let shown = path.display();
    let why = if !text.contains("PRIVATE KEY-----") {
        if text.contains("-----BEGIN CERTIFICATE-----") {
            format!("`{shown}` holds a certificate, not a private key")
        } else {
            format!("`{shown}` holds no PEM private key")
        }
    } else if text.contains("ENCRYPTED") || text.contains("Proc-Type: 4,ENCRYPTED") {
        match password {
            Some(_) => format!("`ssl.key.password` does not open the key in `{shown}`"),
            None => format!("the key in `{shown}` is encrypted: set `ssl.key.password`"),
        }
    } else {
        format!("`{shown}` holds a private key OpenSSL cannot read")
    };
    Some(format!("client property `ssl.key.location`: {why}"))
}

/// The client certificate's subject (`CN=svc, O=team`), when the settings
/// name one that can be read.
pub(super) fn certificate_subject(client: &ClientProperties) -> Option<String> {
    if !client.uses_tls() {
        return None;
    }
    let pem = match (
        client.get("ssl.certificate.location"),
        client.get("ssl.certificate.pem"),
    ) {
        (Some(path), _) => std::fs::read(path).ok()?,
        (None, Some(pem)) => pem.as_bytes().to_vec(),
        (None, None) => return None,
    };
    let certificate = X509::from_pem(&pem).ok()?;
    let parts: Vec<String> = certificate
        .subject_name()
        .entries()
        .map(|entry| {
            let name = entry.object().nid().short_name().unwrap_or("?");
            let value = entry.data().to_string().unwrap_or_default();
            format!("{name}={value}")
        })
        .collect();
    Some(parts.join(", "))
}

/// Why the broker at `listener` (`host:port`) fails the verification the
/// settings ask for, in OpenSSL's words (`hostname mismatch`, `unable to get
/// local issuer certificate`, `certificate has expired`), found by a TLS
/// handshake of our own with the same CA. `None` when it cannot tell.
pub(super) fn verify_failure(listener: &str, client: &ClientProperties) -> Option<String> {
    let (host, _) = listener.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let address = listener.to_socket_addrs().ok()?.next()?;
    let timeout = Duration::from_secs(2);
    let stream = TcpStream::connect_timeout(&address, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    let mut builder = SslConnector::builder(SslMethod::tls_client()).ok()?;
    match client.get("ssl.ca.location") {
        Some(path) if path != "probe" && Path::new(path).is_dir() => {
            builder.load_verify_locations(None, Some(Path::new(path)))
        }
        Some(path) if path != "probe" => builder.set_ca_file(path),
        _ => builder.set_default_verify_paths(),
    }
    .ok()?;
    let check_host = !client
        .get("ssl.endpoint.identification.algorithm")
        .is_some_and(|a| a.eq_ignore_ascii_case("none"));
    let connection = builder
        .build()
        .configure()
        .ok()?
        .verify_hostname(check_host)
        .connect(host, stream);
    match connection {
        Err(HandshakeError::Failure(handshake)) => {
            let result = handshake.ssl().verify_result();
            (result != X509VerifyResult::OK).then(|| result.error_string().to_owned())
        }
        _ => None,
    }
}
