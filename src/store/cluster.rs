//! A MariaDB Spider head: finds its shard servers, creates the sharded tables on them, and
//! writes the head's Spider tables that spread rows over them (docs/SCALE-OUT.md).
//!
//! The record tables are sharded by their source key, so each shard's unique index on it is
//! the whole cluster's: the duplicate rule is the same as on one server, enforced by the
//! database. The per-customer rollups are sharded by customer. Everything else (plans,
//! customers, the network rollups, the bookkeeping tables) stays on the head. A batch's rows
//! and rollups then land on several servers in one transaction, which Spider commits on all
//! of them or none (two-phase, `spider_internal_xa`).

use super::dialect::{ColumnType, Dialect, MARIADB};
use super::schema::tables::{self, Table};
use super::{DbError, Reason};
use mysql::prelude::Queryable;

/// One shard server as the head knows it (`CREATE SERVER shardN ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// The server's name on the head (`shard1`).
    pub name: String,
    /// Its host.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The user the head connects as.
    pub user: String,
    /// That user's password.
    pub password: String,
}

impl Shard {
    /// The shard as errors name it: `shard2 (127.0.0.3:3402), a shard of the cluster`.
    fn described(&self) -> String {
        format!(
            "{} ({}:{}), a shard of the cluster",
            self.name, self.host, self.port
        )
    }
}

/// Where the sharded tables live: the head's shard servers and the database on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sharding {
    /// The shards, by name.
    pub shards: Vec<Shard>,
    /// The database that holds tally's tables, on the head and on every shard.
    pub database: String,
}

/// The column a sharded table is spread by; None for the tables that stay on the head.
pub fn shard_column(table: &str) -> Option<&'static str> {
    match table {
        "calls" | "sms" | "data_sessions" => Some("source_key"),
        "customer_daily" | "customer_spans" => Some("customer_id"),
        _ => None,
    }
}

/// The sharding of `database` on the server `conn` talks to (one connection: the pool may
/// hold no other while the store opens). A new database on a Spider head with shard servers is prepared on
/// the shards; an existing one is sharded only if its `calls` is a Spider table (a database
/// made before the head had shards stays what it is). Refused on a head that would commit
/// shards one by one.
pub fn open(conn: &mut mysql::PooledConn, database: &str) -> Result<Option<Sharding>, DbError> {
    let Some(sharding) = detect(conn, database)? else {
        return Ok(None);
    };
    let existing: Option<i64> = conn
        .exec_first(MARIADB.table_exists(), ("schema_version",))
        .map_err(super::mysql::work_error)?;
    let existing = existing.is_some();
    if existing && !calls_on_spider(conn, database)? {
        return Ok(None);
    }
    let two_phase: Option<i64> = conn
        .query_first("SELECT @@spider_internal_xa")
        .map_err(super::mysql::work_error)?;
    if two_phase != Some(1) {
        return Err(DbError::Sql(
            "this Spider head commits a transaction on its shards one by one (spider_internal_xa is OFF), so a batch cut short could leave records without their rollups; set spider_internal_xa = ON in the head's configuration (docs/SCALE-OUT.md)"
                .to_string()
                .into(),
        ));
    }
    if !existing {
        prepare_shards(&sharding)?;
    }
    Ok(Some(sharding))
}

/// Whether `database`'s `calls` table is a Spider table.
fn calls_on_spider(conn: &mut mysql::PooledConn, database: &str) -> Result<bool, DbError> {
    let engine: Option<String> = conn
        .exec_first(
            "SELECT ENGINE FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'calls'",
            (database,),
        )
        .map_err(super::mysql::work_error)?;
    Ok(engine.is_some_and(|e| e.eq_ignore_ascii_case("SPIDER")))
}

/// The head's shards when `conn` is a Spider head with servers named `shard…`; None on an
/// ordinary server (also one with the Spider plugin but no shard servers defined). A user
/// not allowed to read `mysql.servers` gets no shard names, and a sharding only when the
/// database's `calls` is a Spider table.
pub fn detect(conn: &mut mysql::PooledConn, database: &str) -> Result<Option<Sharding>, DbError> {
    let spider: Option<String> = conn
        .query_first(
            "SELECT ENGINE FROM information_schema.ENGINES \
             WHERE ENGINE = 'SPIDER' AND SUPPORT IN ('YES', 'DEFAULT')",
        )
        .map_err(super::mysql::work_error)?;
    if spider.is_none() {
        return Ok(None);
    }
    let rows: Vec<(String, String, u16, String, String)> = match conn.query(
        "SELECT Server_name, Host, Port, Username, Password FROM mysql.servers \
         WHERE Wrapper = 'mysql' AND Server_name LIKE 'shard%' ORDER BY Server_name",
    ) {
        Ok(rows) => rows,
        // A user who may not read the head's server list (a read-only analyst) still learns
        // from the tables whether they are spread over shards, only not the shards' names.
        Err(mysql::Error::MySqlError(m)) if [1142, 1143, 1044].contains(&m.code) => {
            return Ok(calls_on_spider(conn, database)?.then(|| Sharding {
                shards: Vec::new(),
                database: database.to_string(),
            }));
        }
        Err(e) => return Err(super::mysql::work_error(e)),
    };
    let mut shards = Vec::new();
    for (name, host, port, user, password) in rows {
        // The name goes into the head's DDL, which cannot take bind parameters.
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(DbError::Sql(
                format!(
                    "the Spider server name `{name}` may hold only letters, digits and _ (rename it with DROP SERVER / CREATE SERVER)"
                )
                .into(),
            ));
        }
        shards.push(Shard {
            name,
            host,
            port,
            user,
            password,
        });
    }
    Ok((!shards.is_empty()).then(|| Sharding {
        shards,
        database: database.to_string(),
    }))
}

/// Creates the database and the sharded tables (as InnoDB, without foreign keys, which do not
/// cross servers) on every shard. Tables left there by an earlier database of the same name
/// are refused when they hold rows: they would come back as duplicates of a new import.
fn prepare_shards(sharding: &Sharding) -> Result<(), DbError> {
    for shard in &sharding.shards {
        let opts = mysql::OptsBuilder::new()
            .ip_or_hostname(Some(shard.host.clone()))
            .tcp_port(shard.port)
            .user(Some(shard.user.clone()))
            .pass(Some(shard.password.clone()))
            .prefer_socket(false)
            .tcp_connect_timeout(Some(std::time::Duration::from_secs(10)));
        let target = shard.described();
        let mut conn = mysql::Conn::new(opts).map_err(|e| DbError::Unreachable {
            target: target.clone(),
            reason: Reason::caused(e.to_string(), e),
        })?;
        let database = MARIADB.quote(&sharding.database);
        let mut statements = vec![
            format!(
                "CREATE DATABASE IF NOT EXISTS {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
            ),
            format!("USE {database}"),
        ];
        for t in tables::all() {
            if shard_column(t.name).is_some() {
                let t = Table {
                    foreign_keys: &[],
                    ..t
                };
                statements.push(t.create_sql(&MARIADB));
                statements.extend(t.index_sql());
            }
        }
        for sql in statements {
            conn.query_drop(&sql).map_err(super::mysql::work_error)?;
        }
        let left: Option<i64> = conn
            .query_first(
                "SELECT 1 FROM calls UNION ALL SELECT 1 FROM sms UNION ALL \
                 SELECT 1 FROM data_sessions UNION ALL SELECT 1 FROM customer_daily LIMIT 1",
            )
            .map_err(super::mysql::work_error)?;
        if left.is_some() {
            return Err(DbError::Sql(
                format!(
                    "{target} still holds records of an earlier database `{}`; drop that database on the shard (or use another name) before creating it anew on the cluster",
                    sharding.database
                )
                .into(),
            ));
        }
    }
    Ok(())
}

/// `CREATE TABLE` on the head for a sharded table: the same columns, ENGINE=SPIDER, one
/// partition per shard by the table's shard column. Every unique key of a partitioned table
/// must hold that column, so the head's keys gain it; the shards' own tables keep the real
/// keys (the source key unique by itself). None for a table that stays on the head.
pub fn head_table_sql(t: &Table, sharding: &Sharding, d: &dyn Dialect) -> Option<String> {
    let column = shard_column(t.name)?;
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|c| match c.ty {
            ColumnType::Id | ColumnType::StableId => {
                format!("{} BIGINT NOT NULL AUTO_INCREMENT", c.name)
            }
            _ => t.column_sql(c, d),
        })
        .collect();
    let mut primary: Vec<&str> = if t.primary_key.is_empty() {
        vec!["id"]
    } else {
        t.primary_key.to_vec()
    };
    if !primary.contains(&column) {
        primary.push(column);
    }
    parts.push(format!("PRIMARY KEY ({})", primary.join(", ")));
    for (name, cols) in t.unique {
        let mut cols = cols.to_vec();
        if !cols.contains(&column) {
            cols.push(column);
        }
        parts.push(format!("UNIQUE KEY {name} ({})", cols.join(", ")));
    }
    for (name, cols) in t.indexes {
        parts.push(format!("KEY {name} ({})", cols.join(", ")));
    }
    let partitions: Vec<String> = sharding
        .shards
        .iter()
        .map(|s| {
            format!(
                "PARTITION p_{name} COMMENT = 'srv \"{name}\", database \"{db}\"'",
                name = s.name,
                db = sharding.database
            )
        })
        .collect();
    Some(format!(
        "CREATE TABLE IF NOT EXISTS {name} (\n  {}\n) ENGINE=SPIDER DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin \
         COMMENT = 'wrapper \"mysql\", table \"{name}\"' PARTITION BY KEY ({column}) ({})",
        parts.join(",\n  "),
        partitions.join(", "),
        name = t.name,
    ))
}

/// Spider's errors for a shard it cannot reach or lost: 1429 could not connect, 12701 the
/// remote server went away, 1158-1161 the network broke mid-statement.
const SHARD_GONE: [u16; 6] = [1429, 12701, 1158, 1159, 1160, 1161];

/// A shard that cannot be reached, named: Spider's message gives the shard's host (or its
/// server name), which the head's shard list turns into the name an operator knows. None for
/// any other error.
pub fn shard_error(sharding: &Sharding, e: &mysql::Error) -> Option<DbError> {
    let mysql::Error::MySqlError(m) = e else {
        return None;
    };
    if !SHARD_GONE.contains(&m.code) {
        return None;
    }
    let by_name = sharding
        .shards
        .iter()
        .find(|s| mentions(&m.message, &s.name));
    let by_host = || {
        let mut on_host = sharding
            .shards
            .iter()
            .filter(|s| mentions(&m.message, &s.host));
        on_host.next().filter(|_| on_host.next().is_none())
    };
    let target = match by_name.or_else(by_host) {
        Some(s) => s.described(),
        None => "a shard of the cluster".to_string(),
    };
    Some(DbError::Unreachable {
        target,
        reason: Reason::caused(m.message.clone(), m.clone()),
    })
}

/// Whether `text` holds `word` with no letter, digit or `.` just before or after it
/// (`shard1` is not in `shard12`, `127.0.0.2` not in `127.0.0.21`).
fn mentions(text: &str, word: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_shards() -> Sharding {
        let shard = |n: &str| Shard {
            name: n.into(),
            host: "127.0.0.2".into(),
            port: 3401,
            user: "spider".into(),
            password: "secret".into(),
        };
        Sharding {
            shards: vec![shard("shard1"), shard("shard2")],
            database: "tally".into(),
        }
    }

    #[test]
    fn records_spread_by_source_key_with_the_key_in_every_unique_key() {
        let sql = head_table_sql(&tables::calls(), &two_shards(), &MARIADB).unwrap();
        assert!(sql.contains("id BIGINT NOT NULL AUTO_INCREMENT,"), "{sql}");
        assert!(sql.contains("PRIMARY KEY (id, source_key)"), "{sql}");
        assert!(
            sql.contains("UNIQUE KEY uq_calls_source (source_key)"),
            "{sql}"
        );
        assert!(!sql.contains("FOREIGN KEY"), "{sql}");
        assert!(sql.contains("PARTITION BY KEY (source_key)"), "{sql}");
        assert!(
            sql.contains(r#"PARTITION p_shard2 COMMENT = 'srv "shard2", database "tally"'"#),
            "{sql}"
        );
    }

    #[test]
    fn a_shard_is_named_by_its_server_name_or_its_own_address() {
        let mut sharding = two_shards();
        sharding.shards[1].host = "127.0.0.3".into();
        sharding.shards.push(Shard {
            name: "shard12".into(),
            ..sharding.shards[0].clone()
        });
        let error = |code: u16, message: &str| {
            mysql::Error::MySqlError(mysql::MySqlError {
                state: "HY000".into(),
                code,
                message: message.into(),
            })
        };
        let target = |e| match shard_error(&sharding, &e) {
            Some(DbError::Unreachable { target, .. }) => target,
            other => panic!("{other:?}"),
        };
        let gone = error(1429, "Unable to connect to foreign data source: shard12");
        assert_eq!(
            target(gone),
            "shard12 (127.0.0.2:3401), a shard of the cluster"
        );
        let gone = error(12701, "Remote MariaDB server has gone away (127.0.0.3)");
        assert_eq!(
            target(gone),
            "shard2 (127.0.0.3:3401), a shard of the cluster"
        );
        // Two shards share 127.0.0.2: the address alone names neither.
        let gone = error(1429, "Unable to connect to foreign data source: 127.0.0.2");
        assert_eq!(target(gone), "a shard of the cluster");
        assert_eq!(
            shard_error(&sharding, &error(1062, "Duplicate entry")),
            None
        );
    }

    #[test]
    fn customer_rollups_spread_by_customer_and_the_rest_stays_on_the_head() {
        let sql = head_table_sql(&tables::customer_daily(), &two_shards(), &MARIADB).unwrap();
        assert!(sql.contains("PRIMARY KEY (day, customer_id)"), "{sql}");
        assert!(sql.contains("PARTITION BY KEY (customer_id)"), "{sql}");
        for t in [
            "customers",
            "plans",
            "network_hourly",
            "active_daily",
            "spans",
        ] {
            assert_eq!(shard_column(t), None, "{t}");
        }
    }
}
