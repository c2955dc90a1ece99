//! Every difference between MySQL's and SQLite's SQL, behind one trait. Code above this module
//! writes generic SQL and asks the dialect only for the pieces that differ.

/// Column types as the schema means them; each dialect names them its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// An auto-numbered primary key.
    Id,
    /// An auto-numbered primary key whose numbers are never given out again, even after the
    /// newest row is deleted: other tables and a running import's memory refer to them.
    StableId,
    /// A reference to an `Id` column.
    Ref,
    /// A 32-bit integer.
    Int,
    /// Whole seconds of one record, 0 to 86,400: 3 bytes on MySQL (signed, so that arithmetic
    /// on it never fails as unsigned arithmetic would below zero).
    Seconds,
    /// One of a fixed set of words, listed in byte order: one byte on MySQL (`ENUM`), which
    /// then sorts and compares it as the text it names; text on SQLite, whose records are
    /// variable-length anyway.
    Enum(&'static [&'static str]),
    /// A 64-bit integer (counters, byte sums).
    BigInt,
    /// Text of at most this many characters.
    Text(u16),
    /// A UTC time to the second.
    DateTime,
    /// A UTC calendar day.
    Date,
    /// Binary data of up to 16 MB (a bitmap).
    Blob,
    /// Money per unit: exact decimal where the database has it (6 decimal places, see
    /// `model::Price`).
    Money,
}

/// The SQL of one database product: how it names types, quotes names, locks, upserts and
/// does date arithmetic. Implemented by [`MySql`] and [`Sqlite`].
pub trait Dialect: Send + Sync {
    /// `mysql` or `sqlite`.
    fn name(&self) -> &'static str;

    /// The database's own command-line client, where `explain`'s SQL can be pasted.
    fn client(&self) -> &'static str;

    /// `ident` quoted as a name (a column, a table), whatever it holds.
    fn quote(&self, ident: &str) -> String {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }

    /// The column type as this dialect writes it in `CREATE TABLE`.
    fn column_type(&self, ty: ColumnType) -> String;

    /// Appended to `CREATE TABLE (...)`.
    fn table_options(&self) -> &'static str {
        ""
    }

    /// On a Spider head, where the sharded tables live; None on one server.
    fn sharding(&self) -> Option<&crate::store::cluster::Sharding> {
        None
    }

    /// Whether a read snapshot ([`Dialect::begin_snapshot`]) sees every table at one moment.
    /// Not on a Spider head: its shards cannot join a consistent snapshot while commits are
    /// two-phase (`spider_use_consistent_snapshot` and `spider_internal_xa` exclude each other).
    fn snapshot_spans_all_tables(&self) -> bool {
        self.sharding().is_none()
    }

    /// Statements that start a read-only transaction seeing one committed state throughout.
    fn begin_snapshot(&self) -> &'static [&'static str] {
        &["BEGIN"]
    }

    /// Appended to a SELECT of rows the transaction is about to change, so that a concurrent
    /// writer waits for it instead of changing them in between.
    fn lock_rows(&self) -> &'static str {
        ""
    }

    /// Statements run before and after a migration's transaction: SQLite must stop enforcing
    /// foreign keys while it rebuilds the tables they point at.
    fn around_migration(&self) -> (&'static [&'static str], &'static [&'static str]) {
        (&[], &[])
    }

    /// A query returning one row when `table` (a bind parameter) exists.
    fn table_exists(&self) -> &'static str;

    /// A value written as a literal of this SQL, for `explain` (never run: tally binds values).
    fn literal(&self, value: &crate::store::Value) -> String {
        use crate::store::Value;
        match value {
            Value::Null => "NULL".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:e}"),
            Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
            Value::Bytes(_) => format!("X'{value}'"),
        }
    }

    /// `ALTER TABLE` giving `table`'s columns the types declared in `columns` (each as `CREATE
    /// TABLE` writes it), keeping every row; None where the declared types are what is stored
    /// already.
    fn retype_columns(&self, table: &str, columns: &[String]) -> Option<String>;

    /// Renames a table.
    fn rename_table(&self, from: &str, to: &str) -> String {
        format!("ALTER TABLE {from} RENAME TO {to}")
    }

    /// Starts a transaction that will write, taking the write lock up front where the database
    /// would otherwise fail a later write on a lock conflict.
    fn begin_write(&self) -> &'static str {
        "BEGIN"
    }

    /// Statements that serialise schema migrations between processes.
    fn schema_lock(&self) -> SchemaLock;

    /// The most bind parameters one statement may carry.
    fn max_params(&self) -> usize;

    /// Records per import transaction: big enough that per-batch costs vanish, small enough to
    /// keep memory flat (scripts/bench-import, switch feed of 1M calls: SQLite 21.4 s at 5,000
    /// rows, 14.6 s at 20,000, 13.9 s at 50,000 but 109 MB; MariaDB 12.0 s at 5,000 against
    /// 11.4 s at 20,000). Each commit rewrites every index page the batch touched, so fewer,
    /// larger commits write less.
    fn import_batch_rows(&self) -> usize {
        20_000
    }

    /// The end of an `INSERT` that adds `adds` to the existing row with the same `keys`
    /// instead of failing (see [`upsert_add`]).
    fn upsert_tail(&self, table: &str, keys: &[&str], adds: &[&str]) -> String;

    /// The end of an `INSERT` that leaves an existing row with the same `keys` as it is, but
    /// write-locked (MySQL locks the duplicate row it updates).
    fn keep_tail(&self, keys: &[&str]) -> String;

    /// The end of an `INSERT` that overwrites `sets` of an existing row with the same `keys`.
    fn replace_tail(&self, keys: &[&str], sets: &[&str]) -> String;

    /// A DATETIME expression moved by a number of seconds (an SQL integer expression).
    fn shift(&self, expr: &str, seconds: &str) -> String;
    // The parts of a time below read `expr`: a time column as stored, a `shift` of one, or a
    // rollup's day column.
    /// Hour of the day, 0-23, as an integer.
    fn hour_of(&self, expr: &str) -> String;
    /// `YYYY-MM-DD`.
    fn date_of(&self, expr: &str) -> String;
    /// The `YYYY-MM-DD` of the Monday the week starts on.
    fn week_of(&self, expr: &str) -> String;
    /// `YYYY-MM`.
    fn month_of(&self, expr: &str) -> String;
    /// 1 (Monday) to 7 (Sunday).
    fn weekday_of(&self, expr: &str) -> String;
    /// `YYYY-MM-DD HH:00`.
    fn hour_start_of(&self, expr: &str) -> String;
    /// The `network_hourly` key of a stored instant: its hour's start, in the column's form.
    fn hour_key_of(&self, expr: &str) -> String;

    /// `column` matches `pattern` as a whole, case-sensitively: the condition, with one `?`,
    /// and the text to bind to it.
    fn matching(&self, column: &str, pattern: &crate::model::Pattern) -> (String, String);

    /// The database's own exact percentile of `value` over `window` (a window clause's
    /// inside), at `millionths`, as a window function; None where there is none (then the
    /// rows are ranked and interpolated portably, src/sql/percentile.rs).
    fn percentile_cont(&self, _value: &str, _window: &str, _millionths: u32) -> Option<String> {
        None
    }

    /// What an `INSERT ... SELECT` needs before an upsert tail (SQLite would otherwise read
    /// `ON CONFLICT` as part of the SELECT).
    fn select_before_upsert(&self) -> &'static str {
        ""
    }

    /// Creates, if missing, an empty connection-private table with `of`'s columns and no keys.
    fn create_staging(&self, name: &str, of: &str) -> String {
        format!("CREATE TEMPORARY TABLE IF NOT EXISTS {name} AS SELECT * FROM {of} WHERE 1 = 0")
    }

    /// A multi-row `INSERT` that skips rows whose `key` is already stored and returns the `key`
    /// of each row it inserted, where the database can say so in one statement. None: the caller
    /// must look the keys up first.
    fn insert_returning_new(
        &self,
        _table: &str,
        _columns: &[&str],
        _key: &str,
        _rows: usize,
    ) -> Option<String> {
        None
    }
}

/// A multi-row `INSERT` of `rows` rows that adds `adds` to an existing row with the same `keys`
/// instead of failing: how rollups take their deltas.
pub fn upsert_add(
    d: &dyn Dialect,
    table: &str,
    keys: &[&str],
    adds: &[&str],
    rows: usize,
) -> String {
    let columns: Vec<&str> = keys.iter().chain(adds).copied().collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {} {}",
        columns.join(", "),
        placeholders(columns.len(), rows),
        d.upsert_tail(table, keys, adds)
    )
}

/// Adds every row of `source` (same columns) into `table` like [`upsert_add`].
pub fn upsert_add_from(
    d: &dyn Dialect,
    table: &str,
    keys: &[&str],
    adds: &[&str],
    source: &str,
) -> String {
    let columns = keys
        .iter()
        .chain(adds)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {table} ({columns}) SELECT {columns} FROM {source}{} {}",
        d.select_before_upsert(),
        d.upsert_tail(table, keys, adds)
    )
}

/// How migrations are serialised: taken before, released after success or failure.
pub struct SchemaLock {
    /// Returns one row whose first value is 1 on success, or no row at all.
    pub acquire: &'static str,
    /// Releases the lock after the migration succeeded.
    pub release_ok: &'static str,
    /// Releases the lock after the migration failed.
    pub release_err: &'static str,
}

/// `(?, ?, ?), (?, ?, ?)`: the VALUES list of a multi-row insert.
pub fn placeholders(columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// MySQL and MariaDB. They differ in two things tally uses: MariaDB (10.5+) has
/// `INSERT ... RETURNING`, and they name their binary collation without trailing-space padding
/// differently.
pub struct MySql {
    /// Whether the server has `INSERT ... RETURNING` (MariaDB 10.5+).
    pub returning: bool,
    /// Whether the server has `PERCENTILE_CONT` as a window function (MariaDB 10.3+).
    pub percentile_cont: bool,
    /// Appended to `CREATE TABLE (...)`: engine, character set and collation.
    pub table_options: &'static str,
    /// On a Spider head: the shards the sharded tables spread over.
    pub sharding: Option<crate::store::cluster::Sharding>,
}

/// Text compares byte for byte and without padding, as in SQLite: `abc` and `ABC` are two
/// customers, and `'trail '` does not match `trail` (the `_bin` collations pad with spaces).
pub static MARIADB: MySql = MySql {
    returning: true,
    percentile_cont: true,
    table_options: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin",
    sharding: None,
};
impl MySql {
    /// [`MARIADB`]'s settings, as a value to build a variant from.
    pub fn mariadb() -> MySql {
        MySql {
            returning: MARIADB.returning,
            percentile_cont: MARIADB.percentile_cont,
            table_options: MARIADB.table_options,
            sharding: None,
        }
    }
}

/// Oracle MySQL 8: no `RETURNING`; its `utf8mb4_0900_bin` collation compares without padding,
/// as [`MARIADB`]'s does.
pub static MYSQL: MySql = MySql {
    returning: false,
    percentile_cont: false,
    table_options: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_bin",
    sharding: None,
};

impl Dialect for MySql {
    fn name(&self) -> &'static str {
        "mysql"
    }

    fn retype_columns(&self, table: &str, columns: &[String]) -> Option<String> {
        if columns.is_empty() {
            return None;
        }
        let modify: Vec<String> = columns.iter().map(|c| format!("MODIFY {c}")).collect();
        Some(format!("ALTER TABLE {table} {}", modify.join(", ")))
    }

    fn client(&self) -> &'static str {
        "mysql"
    }

    fn quote(&self, ident: &str) -> String {
        format!("`{}`", ident.replace('`', "``"))
    }

    fn column_type(&self, ty: ColumnType) -> String {
        match ty {
            ColumnType::Id | ColumnType::StableId => {
                "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY".into()
            }
            ColumnType::Ref | ColumnType::BigInt => "BIGINT".into(),
            ColumnType::Int => "INT".into(),
            ColumnType::Seconds => "MEDIUMINT".into(),
            ColumnType::Enum(words) => {
                let words: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
                format!("ENUM({})", words.join(", "))
            }
            ColumnType::Text(n) => format!("VARCHAR({n})"),
            ColumnType::DateTime => "DATETIME".into(),
            ColumnType::Date => "DATE".into(),
            ColumnType::Money => "DECIMAL(16,6)".into(),
            ColumnType::Blob => "MEDIUMBLOB".into(),
        }
    }

    fn table_options(&self) -> &'static str {
        self.table_options
    }

    fn sharding(&self) -> Option<&crate::store::cluster::Sharding> {
        self.sharding.as_ref()
    }

    fn begin_write(&self) -> &'static str {
        "START TRANSACTION"
    }

    fn lock_rows(&self) -> &'static str {
        " FOR UPDATE"
    }

    /// The session reads committed data statement by statement; a snapshot needs repeatable
    /// read for its one transaction.
    fn begin_snapshot(&self) -> &'static [&'static str] {
        &[
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
        ]
    }

    fn table_exists(&self) -> &'static str {
        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?"
    }

    /// Backslashes escape in MySQL's string literals (unless NO_BACKSLASH_ESCAPES), so they
    /// are doubled too.
    fn literal(&self, value: &crate::store::Value) -> String {
        match value {
            crate::store::Value::Text(t) => {
                format!("'{}'", t.replace('\\', "\\\\").replace('\'', "''"))
            }
            other => Sqlite.literal(other),
        }
    }

    /// A named server lock: DDL commits implicitly in MySQL, so a transaction cannot guard it.
    fn schema_lock(&self) -> SchemaLock {
        SchemaLock {
            acquire: "SELECT GET_LOCK('tally_schema', 60)",
            release_ok: "SELECT RELEASE_LOCK('tally_schema')",
            release_err: "SELECT RELEASE_LOCK('tally_schema')",
        }
    }

    fn max_params(&self) -> usize {
        65_535
    }

    fn shift(&self, expr: &str, seconds: &str) -> String {
        format!("DATE_ADD({expr}, INTERVAL ({seconds}) SECOND)")
    }

    fn hour_of(&self, expr: &str) -> String {
        format!("HOUR({expr})")
    }

    fn date_of(&self, expr: &str) -> String {
        // A DATE, not text: grouping on it is cheaper, and it reads back as `YYYY-MM-DD`.
        format!("DATE({expr})")
    }

    fn week_of(&self, expr: &str) -> String {
        format!("DATE_FORMAT(DATE_SUB({expr}, INTERVAL WEEKDAY({expr}) DAY), '%Y-%m-%d')")
    }

    fn month_of(&self, expr: &str) -> String {
        format!("DATE_FORMAT({expr}, '%Y-%m')")
    }

    fn weekday_of(&self, expr: &str) -> String {
        format!("(WEEKDAY({expr}) + 1)")
    }

    fn hour_start_of(&self, expr: &str) -> String {
        format!("DATE_FORMAT({expr}, '%Y-%m-%d %H:00')")
    }

    fn hour_key_of(&self, expr: &str) -> String {
        format!("DATE_FORMAT({expr}, '%Y-%m-%d %H:00:00')")
    }

    /// The tables' binary collation makes `LIKE` case-sensitive. `!` escapes: a backslash
    /// would mean something else again under `NO_BACKSLASH_ESCAPES`.
    /// MariaDB's own: one sort per window, where ranking and counting portably took 1.59× its
    /// time at 10M calls (BENCHMARKS.md).
    fn percentile_cont(&self, value: &str, window: &str, millionths: u32) -> Option<String> {
        self.percentile_cont.then(|| {
            let p = format!("{}.{:06}", millionths / 1_000_000, millionths % 1_000_000);
            format!("PERCENTILE_CONT({p}) WITHIN GROUP (ORDER BY {value}) OVER ({window})")
        })
    }

    fn matching(&self, column: &str, pattern: &crate::model::Pattern) -> (String, String) {
        (format!("{column} LIKE ? ESCAPE '!'"), pattern.to_like('!'))
    }

    fn upsert_tail(&self, table: &str, _keys: &[&str], adds: &[&str]) -> String {
        let updates: Vec<String> = adds
            .iter()
            .map(|c| format!("{table}.{c} = {table}.{c} + VALUES({c})"))
            .collect();
        format!("ON DUPLICATE KEY UPDATE {}", updates.join(", "))
    }

    fn keep_tail(&self, keys: &[&str]) -> String {
        let first = keys.first().copied().unwrap_or("id");
        format!("ON DUPLICATE KEY UPDATE {first} = {first}")
    }

    fn replace_tail(&self, _keys: &[&str], sets: &[&str]) -> String {
        let updates: Vec<String> = sets.iter().map(|c| format!("{c} = VALUES({c})")).collect();
        format!("ON DUPLICATE KEY UPDATE {}", updates.join(", "))
    }

    /// A MEMORY table: staged rollup changes live for one statement and never need a disk.
    fn create_staging(&self, name: &str, of: &str) -> String {
        format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {name} ENGINE=MEMORY AS SELECT * FROM {of} WHERE 1 = 0"
        )
    }

    /// `INSERT IGNORE` also turns other errors (a failed CHECK) into warnings and skips the
    /// row, so the caller must confirm that every row not returned really was stored before.
    fn insert_returning_new(
        &self,
        table: &str,
        columns: &[&str],
        key: &str,
        rows: usize,
    ) -> Option<String> {
        self.returning.then(|| {
            format!(
                "INSERT IGNORE INTO {table} ({}) VALUES {} RETURNING {key}",
                columns.join(", "),
                placeholders(columns.len(), rows)
            )
        })
    }
}

/// SQLite: a file or in-memory database, one writer at a time.
pub struct Sqlite;

impl Dialect for Sqlite {
    /// SQLite's column types are affinities: the narrower types (`Seconds`, `Enum`) are stored
    /// as the integer and text they were.
    fn retype_columns(&self, _table: &str, _columns: &[String]) -> Option<String> {
        None
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn client(&self) -> &'static str {
        "sqlite3"
    }

    fn column_type(&self, ty: ColumnType) -> String {
        match ty {
            ColumnType::Id => "INTEGER PRIMARY KEY".into(),
            ColumnType::StableId => "INTEGER PRIMARY KEY AUTOINCREMENT".into(),
            ColumnType::Ref | ColumnType::BigInt | ColumnType::Int | ColumnType::Seconds => {
                "INTEGER".into()
            }
            ColumnType::Text(_) | ColumnType::Enum(_) | ColumnType::DateTime | ColumnType::Date => {
                "TEXT".into()
            }
            ColumnType::Money => "REAL".into(),
            ColumnType::Blob => "BLOB".into(),
        }
    }

    /// IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout instead
    /// of one failing at its first write: a transaction's reads are then never stale, and rows
    /// need no locks of their own.
    fn begin_write(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }

    /// The pragma cannot change inside a transaction, and a table that others refer to cannot be
    /// rebuilt while it is enforced (the migration checks the keys itself before it commits).
    fn around_migration(&self) -> (&'static [&'static str], &'static [&'static str]) {
        (
            &["PRAGMA foreign_keys = OFF"],
            &["PRAGMA foreign_keys = ON"],
        )
    }

    fn table_exists(&self) -> &'static str {
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    }

    /// SQLite's DDL is transactional: a failed migration leaves nothing behind.
    fn schema_lock(&self) -> SchemaLock {
        SchemaLock {
            acquire: "BEGIN IMMEDIATE",
            release_ok: "COMMIT",
            release_err: "ROLLBACK",
        }
    }

    fn max_params(&self) -> usize {
        32_766
    }

    fn shift(&self, expr: &str, seconds: &str) -> String {
        format!("datetime(CAST(strftime('%s', {expr}) AS INTEGER) + ({seconds}), 'unixepoch')")
    }

    /// Times are stored as `YYYY-MM-DD HH:MM:SS` text (and days as `YYYY-MM-DD`), so the
    /// parts that are a prefix or a slice of that text are cut out rather than parsed:
    /// `substr` costs a fraction of `strftime` on every row of a raw read.
    fn hour_of(&self, expr: &str) -> String {
        format!("CAST(substr({expr}, 12, 2) AS INTEGER)")
    }

    fn date_of(&self, expr: &str) -> String {
        format!("substr({expr}, 1, 10)")
    }

    /// `weekday 0` moves to the coming Sunday (or stays on one); six days back is its Monday.
    fn week_of(&self, expr: &str) -> String {
        format!("strftime('%Y-%m-%d', {expr}, 'weekday 0', '-6 days')")
    }

    fn month_of(&self, expr: &str) -> String {
        format!("substr({expr}, 1, 7)")
    }

    fn weekday_of(&self, expr: &str) -> String {
        format!("((CAST(strftime('%w', {expr}) AS INTEGER) + 6) % 7 + 1)")
    }

    fn hour_start_of(&self, expr: &str) -> String {
        format!("substr({expr}, 1, 13) || ':00'")
    }

    fn hour_key_of(&self, expr: &str) -> String {
        format!("substr({expr}, 1, 13) || ':00:00'")
    }

    /// `GLOB`, not `LIKE`: SQLite's `LIKE` ignores the case of ASCII letters.
    fn matching(&self, column: &str, pattern: &crate::model::Pattern) -> (String, String) {
        (format!("{column} GLOB ?"), pattern.to_glob())
    }

    fn upsert_tail(&self, _table: &str, keys: &[&str], adds: &[&str]) -> String {
        let updates: Vec<String> = adds
            .iter()
            .map(|c| format!("{c} = {c} + excluded.{c}"))
            .collect();
        format!(
            "ON CONFLICT ({}) DO UPDATE SET {}",
            keys.join(", "),
            updates.join(", ")
        )
    }

    fn select_before_upsert(&self) -> &'static str {
        " WHERE true"
    }

    fn keep_tail(&self, keys: &[&str]) -> String {
        format!("ON CONFLICT ({}) DO NOTHING", keys.join(", "))
    }

    fn replace_tail(&self, keys: &[&str], sets: &[&str]) -> String {
        let updates: Vec<String> = sets.iter().map(|c| format!("{c} = excluded.{c}")).collect();
        format!(
            "ON CONFLICT ({}) DO UPDATE SET {}",
            keys.join(", "),
            updates.join(", ")
        )
    }

    fn insert_returning_new(
        &self,
        table: &str,
        columns: &[&str],
        key: &str,
        rows: usize,
    ) -> Option<String> {
        Some(format!(
            "INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({key}) DO NOTHING RETURNING {key}",
            columns.join(", "),
            placeholders(columns.len(), rows)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upserts_per_dialect() {
        assert_eq!(
            upsert_add(&MARIADB, "r", &["k"], &["a", "b"], 2),
            "INSERT INTO r (k, a, b) VALUES (?, ?, ?), (?, ?, ?) ON DUPLICATE KEY UPDATE r.a = r.a + VALUES(a), r.b = r.b + VALUES(b)"
        );
        assert_eq!(
            upsert_add(&Sqlite, "r", &["k"], &["a"], 1),
            "INSERT INTO r (k, a) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET a = a + excluded.a"
        );
    }

    #[test]
    fn upserts_from_a_staging_table() {
        assert_eq!(
            upsert_add_from(&Sqlite, "r", &["k"], &["a"], "s"),
            "INSERT INTO r (k, a) SELECT k, a FROM s WHERE true ON CONFLICT (k) DO UPDATE SET a = a + excluded.a"
        );
    }

    #[test]
    fn literals_for_explain_escape_quotes_and_backslashes() {
        use crate::store::Value;
        let text = Value::Text(r"it's a \ path".into());
        assert_eq!(Sqlite.literal(&text), r"'it''s a \ path'");
        assert_eq!(MARIADB.literal(&text), r"'it''s a \\ path'");
        assert_eq!(Sqlite.literal(&Value::Int(7)), "7");
        assert_eq!(Sqlite.literal(&Value::Null), "NULL");
    }

    #[test]
    fn quoting_doubles_the_quote_character() {
        assert_eq!(MARIADB.quote("a`b"), "`a``b`");
        assert_eq!(Sqlite.quote("a\"b"), "\"a\"\"b\"");
    }
}
