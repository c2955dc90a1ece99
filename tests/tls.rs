//! TLS to MySQL against a throwaway MariaDB that serves certificates this test makes with
//! openssl: `verify_ca` and `verify_identity` connect when the CA and the host name are right,
//! and refuse with a clear error (exit code 3) when either is wrong.

mod common;

use common::server::{Server, ServerOptions};
use common::{stderr, tally};
use std::path::{Path, PathBuf};
use std::process::Command;
use tally::config::{DbUrl, PoolSize};
use tally::store::Store;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (Debian package openssl) makes the test certificates");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA: `name.key`, `name.pem`.
fn ca(dir: &Path, name: &str) -> PathBuf {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
    dir.join(format!("{name}.pem"))
}

/// A server certificate signed by `ca`, valid for `names` (e.g. `IP:127.0.0.1,DNS:localhost`).
fn server_cert(dir: &Path, ca: &str, name: &str, names: &str) -> (PathBuf, PathBuf) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    std::fs::write(
        dir.join(format!("{name}.ext")),
        format!("subjectAltName={names}\n"),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
    (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    )
}

fn tls_server(ca: &Path, cert: (PathBuf, PathBuf)) -> Server {
    Server::start(ServerOptions {
        tls: Some((ca.to_path_buf(), cert.0, cert.1)),
        ..ServerOptions::default()
    })
}

fn url(server: &Server, query: &str) -> String {
    format!("{}/tally_tls?{query}", server.base_url())
}

fn connects(url: &str) -> Result<(), String> {
    let out = tally(&["--db", url, "summary"]);
    if out.status.success() {
        return Ok(());
    }
    assert_eq!(out.status.code(), Some(3), "{url}: {}", stderr(&out));
    Err(stderr(&out))
}

#[test]
fn verified_tls_connects_only_with_the_right_ca_and_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let good_ca = ca(dir.path(), "good-ca");
    let other_ca = ca(dir.path(), "other-ca");
    let right = server_cert(dir.path(), "good-ca", "right", "IP:127.0.0.1,DNS:localhost");
    let server = tls_server(&good_ca, right);
    let ca_arg = |p: &Path| format!("ssl-ca={}", p.display());

    for mode in ["required", "verify_ca", "verify_identity"] {
        let u = url(&server, &format!("ssl-mode={mode}&{}", ca_arg(&good_ca)));
        connects(&u).unwrap_or_else(|e| panic!("{mode}: {e}"));
    }
    // The connection is encrypted, not just allowed.
    let store = Store::open(
        &DbUrl::parse(&url(
            &server,
            &format!("ssl-mode=verify_identity&{}", ca_arg(&good_ca)),
        ))
        .unwrap(),
        PoolSize { min: 1, max: 1 },
    )
    .unwrap();
    let cipher = store
        .read(|c| Ok(c.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'", &[])?))
        .unwrap();
    assert!(
        cipher.rows[0][1].as_str().is_some_and(|c| !c.is_empty()),
        "{cipher:?}"
    );

    // `required` encrypts without checking whom it talks to, as the mysql client's does.
    let u = format!("{}/tally_tls?ssl-mode=required", server.base_url());
    connects(&u).unwrap_or_else(|e| panic!("required without a CA: {e}"));
    for mode in ["verify_ca", "verify_identity"] {
        let u = url(&server, &format!("ssl-mode={mode}&{}", ca_arg(&other_ca)));
        let e = connects(&u).expect_err("a certificate from another CA is refused");
        assert!(e.contains("certificate"), "{mode}: {e}");
        assert!(e.contains("ssl-ca"), "{mode} says what to check: {e}");
    }
}

#[test]
fn verify_identity_refuses_a_certificate_for_another_host() {
    let dir = tempfile::tempdir().unwrap();
    let good_ca = ca(dir.path(), "good-ca");
    let elsewhere = server_cert(dir.path(), "good-ca", "elsewhere", "DNS:db.example.org");
    let server = tls_server(&good_ca, elsewhere);
    let ca_arg = format!("ssl-ca={}", good_ca.display());
    connects(&url(&server, &format!("ssl-mode=verify_ca&{ca_arg}")))
        .expect("verify_ca checks the signature, not the name");
    let e = connects(&url(&server, &format!("ssl-mode=verify_identity&{ca_arg}")))
        .expect_err("the name does not match");
    assert!(e.contains("127.0.0.1"), "{e}");
    assert!(e.contains("name"), "{e}");
}

#[test]
fn required_tls_is_refused_by_a_server_without_it() {
    let server = Server::start(ServerOptions {
        tls: None,
        extra: vec!["--skip-ssl".into()],
        ..ServerOptions::default()
    });
    let e = connects(&url(&server, "ssl-mode=required")).expect_err("no TLS on the server");
    assert!(e.contains("does not support TLS"), "{e}");
    connects(&url(&server, "ssl-mode=preferred")).expect("preferred falls back to plain");
}
