//! Settings: which database, which display zone, pool bounds; from flags, environment and file.

mod file;
mod url;

pub use file::{ConfigFile, PoolSize, config_path};
pub use url::{
    DbUrl, MysqlUrl, SslMode, check_database_name, mask_secrets, mask_url_text, may_hold_password,
};

use crate::model::{ValidationError, Zone};
use std::path::{Path, PathBuf};

/// Why the settings could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A database URL that cannot be used.
    #[error("bad database URL {url}: {reason}")]
    BadUrl {
        /// The URL as given, its password masked.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The config file cannot be read or is not valid TOML of the expected shape.
    #[error("config file {}: {reason}", path.display())]
    File {
        /// The config file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The config file holds a password and others may read it.
    #[error(
        "config file {p} holds a database password but is readable by others (mode {mode:o}); fix it with: chmod 600 {p}",
        p = path.display()
    )]
    Insecure {
        /// The config file.
        path: PathBuf,
        /// Its permission bits (`0o644`).
        mode: u32,
    },
    /// A setting's value broke a rule (a time zone that does not exist).
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// No database was chosen and there is no data directory for the default one.
    #[error("no data directory for the embedded store: set XDG_DATA_HOME or HOME, or pass --db")]
    NoDataDir,
}

impl ConfigError {
    fn file(path: &Path, reason: impl Into<String>) -> ConfigError {
        ConfigError::File {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// Where the chosen database URL came from, for `tally config show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The `--db` flag.
    Flag,
    /// The `TALLY_DB` environment variable.
    Env,
    /// `database = ...` in the config file.
    ConfigFile,
    /// None was given: the embedded SQLite store in the data directory.
    Default,
}

impl Origin {
    /// Where it came from, in words: `--db`, `TALLY_DB`, `config file`, ...
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Flag => "--db",
            Origin::Env => "TALLY_DB",
            Origin::ConfigFile => "config file",
            Origin::Default => "default embedded store",
        }
    }
}

/// What the command line and environment say, before the file is read.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--db URL`.
    pub db: Option<String>,
    /// `--tz ZONE`.
    pub tz: Option<String>,
    /// `TALLY_DB`, when set and not empty.
    pub env_db: Option<String>,
    /// `TALLY_TZ`, when set and not empty.
    pub env_tz: Option<String>,
    /// `TALLY_DB_PASSWORD`, when set and not empty: the password of a MySQL URL without one.
    pub env_password: Option<String>,
}

impl Overrides {
    /// The flags plus `TALLY_DB`, `TALLY_TZ` and `TALLY_DB_PASSWORD` from the environment.
    pub fn from_env(db: Option<String>, tz: Option<String>) -> Overrides {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Overrides {
            db,
            tz,
            env_db: var("TALLY_DB"),
            env_tz: var("TALLY_TZ"),
            env_password: var("TALLY_DB_PASSWORD"),
        }
    }
}

/// The resolved settings every command runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database to open.
    pub db: DbUrl,
    /// Where [`Settings::db`] came from.
    pub origin: Origin,
    /// The display zone: times without an offset are read in it, and shown in it.
    pub zone: Zone,
    /// Bounds of the MySQL connection pool.
    pub pool: PoolSize,
    /// The config file read, if any.
    pub config_path: Option<PathBuf>,
    /// `metrics = [...]` in the config file, relative paths resolved from its folder.
    pub metric_files: Vec<PathBuf>,
    /// `currency = "GBP"` in the config file.
    pub currency: Option<crate::model::Currency>,
}

impl Settings {
    /// Precedence: `--db` > `TALLY_DB` > config file > the embedded store in the data dir.
    pub fn resolve(
        over: &Overrides,
        config_path: Option<PathBuf>,
    ) -> Result<Settings, ConfigError> {
        let config = match &config_path {
            Some(p) => ConfigFile::load(p)?,
            None => ConfigFile::default(),
        };
        let (raw, origin) = if let Some(db) = &over.db {
            (Some(db.clone()), Origin::Flag)
        } else if let Some(db) = &over.env_db {
            (Some(db.clone()), Origin::Env)
        } else if let Some(db) = &config.database {
            (Some(db.clone()), Origin::ConfigFile)
        } else {
            (None, Origin::Default)
        };
        let mut db = match raw {
            Some(raw) => DbUrl::parse(&raw)?,
            None => DbUrl::SqliteFile(default_store_path()?),
        };
        if let (DbUrl::Mysql(m), Some(pw)) = (&mut db, &over.env_password)
            && m.password.is_none()
        {
            m.password = Some(pw.clone());
        }
        let zone_text = over
            .tz
            .clone()
            .or(over.env_tz.clone())
            .or(config.timezone.clone());
        let zone = zone_text.map_or(Ok(Zone::Local), |z| Zone::parse(&z))?;
        let folder = config_path
            .as_deref()
            .and_then(std::path::Path::parent)
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let metric_files = config.metrics.iter().map(|p| folder.join(p)).collect();
        let currency = config
            .currency
            .as_deref()
            .map(|c| {
                crate::model::Currency::parse("currency", c).map_err(|e| {
                    ConfigError::file(config_path.as_deref().unwrap_or(&folder), e.to_string())
                })
            })
            .transpose()?;
        Ok(Settings {
            db,
            origin,
            zone,
            pool: config.pool,
            config_path,
            metric_files,
            currency,
        })
    }
}

/// `dirs::data_dir()/tally/tally.db`: the zero-setup store.
pub fn default_store_path() -> Result<PathBuf, ConfigError> {
    dirs::data_dir()
        .map(|d| d.join("tally").join("tally.db"))
        .ok_or(ConfigError::NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(over: Overrides, file_db: Option<&str>) -> Settings {
        let dir = std::env::temp_dir().join(format!(
            "tally-settings-{}-{}",
            std::process::id(),
            file_db.map_or(0, str::len)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        let text = file_db.map_or(String::new(), |d| format!("database = \"{d}\"\n"));
        std::fs::write(&path, text).unwrap();
        Settings::resolve(&over, Some(path)).unwrap()
    }

    #[test]
    fn flag_beats_env_beats_file_beats_default() {
        let all = Overrides {
            db: Some("sqlite:flag.db".into()),
            env_db: Some("sqlite:env.db".into()),
            ..Overrides::default()
        };
        assert_eq!(
            resolve(all.clone(), Some("sqlite:file.db")).db.to_string(),
            "sqlite:flag.db"
        );
        let env = Overrides { db: None, ..all };
        let s = resolve(env.clone(), Some("sqlite:file.db"));
        assert_eq!(
            (s.db.to_string(), s.origin),
            ("sqlite:env.db".into(), Origin::Env)
        );
        let none = Overrides {
            env_db: None,
            ..env
        };
        let s = resolve(none.clone(), Some("sqlite:file.db"));
        assert_eq!(
            (s.db.to_string(), s.origin),
            ("sqlite:file.db".into(), Origin::ConfigFile)
        );
        let s = resolve(none, None);
        assert_eq!(s.origin, Origin::Default);
        assert!(s.db.to_string().ends_with("tally/tally.db"), "{}", s.db);
    }

    #[test]
    fn password_from_env_fills_a_url_without_one() {
        let over = Overrides {
            db: Some("mysql://bob@h/db".into()),
            env_password: Some("pw".into()),
            ..Overrides::default()
        };
        let s = resolve(over, None);
        let DbUrl::Mysql(m) = &s.db else { panic!() };
        assert_eq!(m.password.as_deref(), Some("pw"));
        assert_eq!(s.db.to_string(), "mysql://bob:***@h:3306/db");
    }

    #[test]
    fn zone_flag_beats_env() {
        let over = Overrides {
            tz: Some("UTC".into()),
            env_tz: Some("Europe/London".into()),
            ..Overrides::default()
        };
        assert_eq!(resolve(over, None).zone, Zone::utc());
    }
}
