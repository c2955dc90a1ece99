//! Database URLs: `mysql://user[:password]@host[:port]/database?ssl-mode=…`, `sqlite:PATH`,
//! `sqlite::memory:`. A password never leaves this module unmasked except to the driver.

use super::ConfigError;
use std::fmt;
use std::path::PathBuf;

/// Where tally keeps its data.
#[derive(Clone, PartialEq)]
pub enum DbUrl {
    /// A MySQL or MariaDB server: `mysql://...` or `mariadb://...`.
    Mysql(MysqlUrl),
    /// An SQLite file: `sqlite:PATH` (`~/` is the home folder).
    SqliteFile(PathBuf),
    /// An SQLite database in memory, gone when tally exits: `sqlite::memory:`.
    SqliteMemory,
}

/// How TLS is used on the MySQL connection; the names are the `mysql` client's `--ssl-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain text only.
    Disabled,
    /// TLS when the server offers it, plain otherwise (the `mysql` client's default).
    Preferred,
    /// TLS, without checking the server's certificate.
    Required,
    /// TLS, with the certificate checked against the CA (`ssl-ca`, else the system's roots).
    VerifyCa,
    /// As `VerifyCa`, and the certificate must name the host.
    VerifyIdentity,
}

impl SslMode {
    fn parse(text: &str) -> Option<SslMode> {
        Some(match text.to_ascii_lowercase().replace('-', "_").as_str() {
            "disabled" => SslMode::Disabled,
            "preferred" => SslMode::Preferred,
            "required" => SslMode::Required,
            "verify_ca" => SslMode::VerifyCa,
            "verify_identity" => SslMode::VerifyIdentity,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            SslMode::Disabled => "disabled",
            SslMode::Preferred => "preferred",
            SslMode::Required => "required",
            SslMode::VerifyCa => "verify_ca",
            SslMode::VerifyIdentity => "verify_identity",
        }
    }
}

/// A MySQL or MariaDB URL, taken apart. Its `Debug` masks the password.
#[derive(Clone, PartialEq)]
pub struct MysqlUrl {
    /// The user name; `$USER` (or `root`) when the URL names none.
    pub user: String,
    /// The password, when the URL or `TALLY_DB_PASSWORD` gives one.
    pub password: Option<String>,
    /// The server's host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// The server's port; 3306 when the URL names none.
    pub port: u16,
    /// The database, which is created when it does not exist.
    pub database: String,
    /// How TLS is used (`?ssl-mode=`); `preferred` when not given.
    pub ssl_mode: SslMode,
    /// A CA certificate file to check the server's against (`?ssl-ca=`); its presence makes the
    /// default mode `verify_ca`.
    pub ssl_ca: Option<PathBuf>,
}

impl MysqlUrl {
    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl DbUrl {
    /// Reads `mysql://user[:password]@host[:port]/database?ssl-mode=...&ssl-ca=...`
    /// (also `mariadb://`), `sqlite:PATH` or `sqlite::memory:`. Errors mask the password.
    pub fn parse(raw: &str) -> Result<DbUrl, ConfigError> {
        let text = raw.trim();
        let bad = |reason: &str| ConfigError::BadUrl {
            url: mask_url_text(text),
            reason: reason.to_string(),
        };
        if let Some(rest) = text.strip_prefix("sqlite:") {
            return match rest {
                ":memory:" => Ok(DbUrl::SqliteMemory),
                "" => Err(bad("expected sqlite:PATH or sqlite::memory:")),
                path => Ok(DbUrl::SqliteFile(expand_home(
                    path.strip_prefix("//").unwrap_or(path),
                ))),
            };
        }
        if let Some(rest) = text
            .strip_prefix("mysql://")
            .or_else(|| text.strip_prefix("mariadb://"))
        {
            return parse_mysql(rest).map(DbUrl::Mysql).map_err(|r| bad(&r));
        }
        Err(bad(
            "expected mysql://user[:password]@host[:port]/database, sqlite:PATH or sqlite::memory:",
        ))
    }

    /// `mysql:telecom`, `sqlite:tally.db`: what the shell prompt shows.
    pub fn short_name(&self) -> String {
        match self {
            DbUrl::Mysql(m) => format!("mysql:{}", m.database),
            DbUrl::SqliteFile(p) => format!(
                "sqlite:{}",
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |f| f.to_string_lossy().into_owned()
                )
            ),
            DbUrl::SqliteMemory => "sqlite::memory:".to_string(),
        }
    }

    /// Whether the URL holds a password.
    pub fn has_password(&self) -> bool {
        matches!(
            self,
            DbUrl::Mysql(MysqlUrl {
                password: Some(_),
                ..
            })
        )
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

fn parse_mysql(rest: &str) -> Result<MysqlUrl, String> {
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, database) = main
        .split_once('/')
        .ok_or("the URL must name a database: mysql://user@host/DATABASE")?;
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(info) => match info.split_once(':') {
            Some((u, p)) => (percent_decode(u)?, Some(percent_decode(p)?)),
            None => (percent_decode(info)?, None),
        },
        None => (default_user(), None),
    };
    let (host, port) = split_host_port(hostport)?;
    let database = percent_decode(database)?;
    check_database_name(&database)?;
    let mut url = MysqlUrl {
        user,
        password,
        host,
        port,
        database,
        ssl_mode: SslMode::Preferred,
        ssl_ca: None,
    };
    apply_query(&mut url, query)?;
    Ok(url)
}

fn default_user() -> String {
    std::env::var("USER").unwrap_or_else(|_| "root".to_string())
}

fn split_host_port(hostport: &str) -> Result<(String, u16), String> {
    if hostport.is_empty() {
        return Err("the URL must name a host: mysql://user@HOST/database".into());
    }
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("unclosed [ in the host")?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port {
        // The text is not quoted back: in a mistyped URL it may be a password.
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&p| p > 0)
            .ok_or("the port must be a number from 1 to 65535")?,
        None => 3306,
    };
    Ok((host.to_string(), port))
}

/// Database names become identifiers in `CREATE DATABASE`, which cannot take a bind parameter,
/// so only plain names are allowed.
pub fn check_database_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-');
    if ok {
        Ok(())
    } else {
        Err("the database name must be 1 to 64 letters, digits, _, $ or -".to_string())
    }
}

fn apply_query(url: &mut MysqlUrl, query: &str) -> Result<(), String> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value)?;
        match key.replace('_', "-").as_str() {
            "ssl-mode" | "sslmode" => {
                url.ssl_mode = SslMode::parse(&value).ok_or_else(|| {
                    "ssl-mode must be disabled, preferred, required, verify_ca or verify_identity"
                        .to_string()
                })?
            }
            "ssl-ca" | "sslca" => url.ssl_ca = Some(expand_home(&value)),
            // The option is not quoted back: in a mistyped URL it may hold a password.
            _ => return Err("unknown option (known: ssl-mode, ssl-ca)".to_string()),
        }
    }
    if url.ssl_ca.is_some() && url.ssl_mode == SslMode::Preferred {
        // A CA file only makes sense when the certificate is checked against it.
        url.ssl_mode = SslMode::VerifyCa;
    }
    Ok(())
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .ok_or("a % must be followed by two hex digits")?;
            out.push(
                u8::from_str_radix(hex, 16)
                    .map_err(|_| "a % must be followed by two hex digits")?,
            );
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the URL is not valid UTF-8 once decoded".to_string())
}

/// The scheme-ish start of URL text (`mysql://`, `mysql:/`, `mysql:`, `mysql//`): letters and
/// the like, then any run of `:` and `/`. Empty when the text does not start like a URL.
fn scheme_prefix(text: &str) -> &str {
    let name = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .unwrap_or(text.len());
    if name == 0 {
        return "";
    }
    let after = text[name..]
        .find(|c: char| !matches!(c, ':' | '/'))
        .map_or(text.len(), |i| name + i);
    if after == name { "" } else { &text[..after] }
}

/// Whether URL text, parsed or not, may carry a password: something like `user:secret@` after
/// its scheme.
pub fn may_hold_password(text: &str) -> bool {
    let rest = &text[scheme_prefix(text).len()..];
    match rest.rfind('@') {
        Some(at) => rest[..at].contains(':'),
        None => false,
    }
}

/// URL text that failed to parse, safe to show: everything between the scheme-ish prefix and
/// the last `@` is masked, and so is an authority holding a `:` when there is no `@` (it may be
/// `user:password` with the host forgotten).
pub fn mask_url_text(text: &str) -> String {
    let prefix = scheme_prefix(text);
    let rest = &text[prefix.len()..];
    if let Some(at) = rest.rfind('@') {
        return format!("{prefix}***@{}", masked_host(&rest[at + 1..]));
    }
    let authority_end = rest.find('/').unwrap_or(rest.len());
    if rest[..authority_end].contains(':') {
        return format!("{prefix}***{}", &rest[authority_end..]);
    }
    text.to_string()
}

/// What follows the `@` of a mistyped URL: the host and the rest, a port only when it is a
/// number (text in the port's place may be a password typed there).
fn masked_host(after: &str) -> String {
    let end = after.find(['/', '?']).unwrap_or(after.len());
    let (hostport, rest) = after.split_at(end);
    match hostport.rsplit_once(':') {
        Some((host, port)) if !port.chars().all(|c| c.is_ascii_digit()) && !host.contains(']') => {
            format!("{host}:***{rest}")
        }
        _ => after.to_string(),
    }
}

/// `text` with every word that looks like URL text holding a password masked: for messages
/// that may quote a line of a config file or a shell line.
pub fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if may_hold_password(word) {
            out.push_str(&mask_url_text(word));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '=' | ',') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

impl fmt::Display for DbUrl {
    /// The URL with any password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbUrl::SqliteMemory => f.write_str("sqlite::memory:"),
            DbUrl::SqliteFile(p) => write!(f, "sqlite:{}", p.display()),
            DbUrl::Mysql(m) => {
                let pass = if m.password.is_some() { ":***" } else { "" };
                write!(f, "mysql://{}{pass}@{}/{}", m.user, m.address(), m.database)?;
                if m.ssl_mode != SslMode::Preferred {
                    write!(f, "?ssl-mode={}", m.ssl_mode.as_str())?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Debug for MysqlUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&DbUrl::Mysql(self.clone()), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mysql(raw: &str) -> MysqlUrl {
        match DbUrl::parse(raw).unwrap() {
            DbUrl::Mysql(m) => m,
            other => panic!("not mysql: {other}"),
        }
    }

    #[test]
    fn parses_a_full_mysql_url() {
        let m = mysql(
            "mysql://bob:s%40cret@db.example:3307/telecom?ssl-mode=verify_identity&ssl-ca=/etc/ca.pem",
        );
        assert_eq!(m.user, "bob");
        assert_eq!(m.password.as_deref(), Some("s@cret"));
        assert_eq!(m.address(), "db.example:3307");
        assert_eq!(m.database, "telecom");
        assert_eq!(m.ssl_mode, SslMode::VerifyIdentity);
        assert_eq!(m.ssl_ca, Some(PathBuf::from("/etc/ca.pem")));
    }

    #[test]
    fn defaults_port_and_tls_mode() {
        let m = mysql("mysql://root@127.0.0.1/test");
        assert_eq!(m.port, 3306);
        assert_eq!(m.ssl_mode, SslMode::Preferred);
        assert_eq!(m.password, None);
    }

    #[test]
    fn never_shows_the_password() {
        let url = DbUrl::parse("mysql://bob:hunter2@h/db").unwrap();
        assert_eq!(url.to_string(), "mysql://bob:***@h:3306/db");
        assert_eq!(format!("{url:?}"), "mysql://bob:***@h:3306/db");
        let err = DbUrl::parse("mysql://bob:hunter2@h:99999/db").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert_eq!(
            err.to_string(),
            r#"bad database URL mysql://***@h:99999/db: the port must be a number from 1 to 65535"#
        );
    }

    #[test]
    fn malformed_urls_never_show_a_password() {
        for (raw, shown) in [
            ("mysql://bob:pa/ss@host/db", "mysql://***@host/db"),
            ("mysql:/bob:hunter2@host/db", "mysql:/***@host/db"),
            ("mysql:bob:hunter2@host/db", "mysql:***@host/db"),
            ("mysql//bob:hunter2@host/db", "mysql//***@host/db"),
            ("mysql://bob:hunter2/db", "mysql://***/db"),
            ("mysql://bob:p@ss@host", "mysql://***@host"),
            ("mysql:bob:hunter2", "mysql:***"),
            (
                "mysql://bob:3306/Xy9hunter2@db.example/telecom",
                "mysql://***@db.example/telecom",
            ),
            (
                "mysql://bob:1234/ab?ssl-mode=hunter2@h/db",
                "mysql://***@h/db",
            ),
            ("mysql://bob@host:hunter2/db", "mysql://***@host:***/db"),
        ] {
            let err = DbUrl::parse(raw).unwrap_err().to_string();
            assert!(
                !err.contains("hunter2") && !err.contains("pa/ss") && !err.contains("p@ss"),
                "{err}"
            );
            assert!(
                err.starts_with(&format!("bad database URL {shown}: ")),
                "{raw}: {err}"
            );
            let userinfo_has_colon = raw
                .split_once("://")
                .map_or(raw, |(_, r)| r)
                .rsplit_once('@')
                .is_some_and(|(u, _)| u.contains(':'));
            assert_eq!(may_hold_password(raw), userinfo_has_colon, "{raw}");
        }
        assert!(!may_hold_password("mysql://bob@host/db"));
        assert!(!may_hold_password("sqlite:/tmp/x@y.db"));
        assert_eq!(
            mask_secrets("line 3: invalid value `mysql://bob:hunter2@h/db`, expected"),
            "line 3: invalid value `mysql://***@h/db`, expected"
        );
    }

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            DbUrl::parse("sqlite::memory:").unwrap(),
            DbUrl::SqliteMemory
        );
        assert_eq!(
            DbUrl::parse("sqlite:data/t.db").unwrap(),
            DbUrl::SqliteFile(PathBuf::from("data/t.db"))
        );
        assert_eq!(
            DbUrl::parse("sqlite:data/t.db").unwrap().short_name(),
            "sqlite:t.db"
        );
    }

    #[test]
    fn rejects_bad_urls_with_the_reason() {
        let cases = [
            (
                "postgres://x/y",
                "expected mysql://user[:password]@host[:port]/database, sqlite:PATH or sqlite::memory:",
            ),
            (
                "mysql://root@host",
                "the URL must name a database: mysql://user@host/DATABASE",
            ),
            (
                "mysql://root@host/a;drop",
                "the database name must be 1 to 64 letters, digits, _, $ or -",
            ),
            (
                "mysql://root@host/db?ssl-mode=maybe",
                "ssl-mode must be disabled, preferred, required, verify_ca or verify_identity",
            ),
            (
                "mysql://root@host/db?colour=red",
                "unknown option (known: ssl-mode, ssl-ca)",
            ),
        ];
        for (url, reason) in cases {
            let err = DbUrl::parse(url).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("bad database URL {}: {reason}", mask_url_text(url))
            );
        }
    }
}
