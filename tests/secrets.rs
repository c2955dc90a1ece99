//! Passwords never leave tally in a message or the shell history, however the URL around them is
//! mistyped and wherever it comes from (`--db`, `TALLY_DB`, `database =` in config.toml).

mod common;

use common::{stderr, stdout, tally, tally_cmd};

const SECRET: &str = "hunter2";

const MALFORMED: [&str; 10] = [
    "mysql://bob:3306/Xy9hunter2@db.example/telecom",
    "mysql://bob:1234/ab?ssl-mode=hunter2@h/db",
    "mysql://bob@host:hunter2/db",
    "mysql://bob:pa/ss@host/db",
    "mysql:/bob:hunter2@host/db",
    "mysql:bob:hunter2@host/db",
    "mysql//bob:hunter2@host/db",
    "mysql://bob:hunter2/db",
    "mysql://bob:hunter2@host:99999/db",
    "mysql://bob:hunter2@host/a;drop",
];

fn leaks(text: &str, url: &str) -> bool {
    text.contains(SECRET) || (url.contains("pa/ss") && text.contains("pa/ss"))
}

#[test]
fn a_malformed_url_on_the_command_line_or_in_the_environment_is_never_echoed() {
    for url in MALFORMED {
        let out = tally(&["--db", url, "summary"]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        assert!(!leaks(&stderr(&out), url), "--db {url}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("bad database URL"),
            "{}",
            stderr(&out)
        );

        let out = tally_cmd(&["summary"])
            .env("TALLY_DB", url)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(
            !leaks(&stderr(&out), url),
            "TALLY_DB={url}: {}",
            stderr(&out)
        );
        assert!(!leaks(&stdout(&out), url));
    }
}

#[test]
fn a_malformed_url_in_the_config_file_is_never_echoed() {
    use std::os::unix::fs::PermissionsExt;
    for url in MALFORMED {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("tally");
        std::fs::create_dir_all(&config).unwrap();
        let file = config.join("config.toml");
        std::fs::write(&file, format!("database = \"{url}\"\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let out = tally_cmd(&["summary"])
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        assert!(!leaks(&stderr(&out), url), "config {url}: {}", stderr(&out));

        // Readable by others: refused for the password it may hold, still without showing it.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = tally_cmd(&["summary"])
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        if tally::config::may_hold_password(url) {
            assert!(
                stderr(&out).contains("chmod 600"),
                "{url}: {}",
                stderr(&out)
            );
        }
        assert!(!leaks(&stderr(&out), url), "{}", stderr(&out));

        // Not even a line of TOML that fails to parse is quoted with its password.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&file, format!("database = {url}\n")).unwrap();
        let out = tally_cmd(&["summary"])
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(!leaks(&stderr(&out), url), "{}", stderr(&out));
    }
}

#[test]
fn config_show_masks_the_password_of_a_good_url() {
    let out = tally(&[
        "--db",
        "mysql://bob:hunter2@127.0.0.1/telecom",
        "config",
        "show",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("mysql://bob:***@127.0.0.1:3306/telecom"));
    assert!(!stdout(&out).contains(SECRET));
}
