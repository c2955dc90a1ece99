//! `$XDG_CONFIG_HOME/tally/config.toml`: the user's defaults.

use super::ConfigError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings a config file may hold. Unknown keys are refused so a typo is not silently
/// ignored.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Database URL, as for `--db`.
    pub database: Option<String>,
    /// Display zone: `local` (default), `UTC`, `Europe/London`, `+03:00`.
    pub timezone: Option<String>,
    /// `[pool]`: bounds of the MySQL connection pool; 1 to 16 when not given.
    #[serde(default)]
    pub pool: PoolSize,
    /// Shared metrics files, loaded at start-up (relative paths: from the config file's folder).
    #[serde(default)]
    pub metrics: Vec<PathBuf>,
    /// The operator's currency, an ISO 4217 code (`GBP`): shown beside money in tables.
    pub currency: Option<String>,
}

/// Bounds of the MySQL connection pool.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PoolSize {
    /// The fewest connections the pool keeps open; 1 when not given.
    #[serde(default = "default_min")]
    pub min: usize,
    /// The most connections the pool opens; 16 when not given.
    #[serde(default = "default_max")]
    pub max: usize,
}

fn default_min() -> usize {
    1
}

fn default_max() -> usize {
    16
}

impl Default for PoolSize {
    fn default() -> Self {
        PoolSize {
            min: default_min(),
            max: default_max(),
        }
    }
}

/// Where the config file lives: `$XDG_CONFIG_HOME/tally/config.toml` (`~/.config/...`).
pub fn config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("tally").join("config.toml"))
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(e) => return Err(ConfigError::file(path, e.to_string())),
        };
        let config: ConfigFile =
            toml::from_str(&text).map_err(|e| ConfigError::file(path, toml_reason(&text, &e)))?;
        config.check_pool(path)?;
        if config.holds_password() {
            check_private(path)?;
        }
        Ok(config)
    }

    /// Whether `database` holds a password, parsed or not: a mistyped URL's password is as
    /// secret as a well-formed one's.
    fn holds_password(&self) -> bool {
        self.database.as_deref().is_some_and(|u| {
            super::url::may_hold_password(u)
                || super::DbUrl::parse(u).is_ok_and(|u| u.has_password())
        })
    }

    fn check_pool(&self, path: &Path) -> Result<(), ConfigError> {
        let PoolSize { min, max } = self.pool;
        if max == 0 || min > max {
            return Err(ConfigError::file(
                path,
                format!("pool: min ({min}) must be at most max ({max}), and max at least 1"),
            ));
        }
        Ok(())
    }
}

/// `line 3: unknown field ...` from a toml error, in one line.
fn toml_reason(text: &str, err: &toml::de::Error) -> String {
    // A message may quote the line; a database URL on it may hold a password.
    let message = super::mask_secrets(err.message().trim());
    match err.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

/// A file holding a password must not be readable by anyone but its owner.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| ConfigError::file(path, e.to_string()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(ConfigError::Insecure {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, text: &str, mode: u32) -> PathBuf {
        let path = dir.join("config.toml");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        path
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tally-config-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_file_is_empty_config() {
        let config = ConfigFile::load(Path::new("/nonexistent/tally/config.toml")).unwrap();
        assert_eq!(config, ConfigFile::default());
    }

    #[test]
    fn reads_database_zone_and_pool() {
        let dir = temp_dir("read");
        let path = write(
            &dir,
            "database = \"sqlite:x.db\"\ntimezone = \"UTC\"\n[pool]\nmin = 2\nmax = 4\n",
            0o644,
        );
        let config = ConfigFile::load(&path).unwrap();
        assert_eq!(config.database.as_deref(), Some("sqlite:x.db"));
        assert_eq!(config.pool, PoolSize { min: 2, max: 4 });
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let dir = temp_dir("unknown");
        let path = write(&dir, "database = \"sqlite:x.db\"\ndatabse = 1\n", 0o600);
        let err = ConfigFile::load(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "config file {}: line 2: unknown field `databse`",
                path.display()
            )),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_file_with_a_password_is_refused() {
        let dir = temp_dir("insecure");
        let path = write(&dir, "database = \"mysql://u:pw@h/db\"\n", 0o644);
        let err = ConfigFile::load(&path).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "config file {p} holds a database password but is readable by others (mode 644); fix it with: chmod 600 {p}",
                p = path.display()
            )
        );
        let path = write(&dir, "database = \"mysql://u:pw@h/db\"\n", 0o600);
        assert!(ConfigFile::load(&path).is_ok());
    }
}
