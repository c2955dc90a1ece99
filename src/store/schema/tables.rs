//! The tables, declared once and rendered for each dialect. docs/SCHEMA.md describes them for
//! people and BI tools; keep the two in step.

use crate::store::dialect::{ColumnType, ColumnType::*, Dialect};

/// One column of a table.
pub struct Column {
    /// The column's name.
    pub name: &'static str,
    /// The column's type, as the schema means it.
    pub ty: ColumnType,
    /// Whether the column is `NOT NULL`.
    pub not_null: bool,
    /// A constant default, written as SQL.
    pub default: Option<&'static str>,
}

const fn col(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        not_null: true,
        default: None,
    }
}

const fn nullable(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        not_null: false,
        default: None,
    }
}

const fn zero(name: &'static str) -> Column {
    Column {
        name,
        ty: BigInt,
        not_null: true,
        default: Some("0"),
    }
}

/// `FOREIGN KEY (column) REFERENCES table (id)`, under a name.
pub struct ForeignKey {
    /// The constraint's name.
    pub name: &'static str,
    /// The column that refers.
    pub column: &'static str,
    /// The table referred to, by its `id`.
    pub references: &'static str,
}

/// One table, declared once for both dialects.
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// Empty when a column has type `Id`.
    pub primary_key: &'static [&'static str],
    /// Unique constraints: (name, columns).
    pub unique: &'static [(&'static str, &'static [&'static str])],
    /// Plain indexes: (name, columns).
    pub indexes: &'static [(&'static str, &'static [&'static str])],
    /// `CHECK` conditions, written as SQL.
    pub checks: &'static [&'static str],
    /// Rows that may not outlive the row they refer to (a record and its customer).
    pub foreign_keys: &'static [ForeignKey],
}

impl Table {
    /// `CREATE TABLE IF NOT EXISTS` for this table in dialect `d`, indexes apart.
    pub fn create_sql(&self, d: &dyn Dialect) -> String {
        self.create_sql_named(d, self.name)
    }

    /// The table under another name: a migration builds the new table beside the old one.
    pub fn create_sql_named(&self, d: &dyn Dialect, name: &str) -> String {
        let mut parts: Vec<String> = self.columns.iter().map(|c| self.column_sql(c, d)).collect();
        if !self.primary_key.is_empty() {
            parts.push(format!("PRIMARY KEY ({})", self.primary_key.join(", ")));
        }
        for (name, cols) in self.unique {
            parts.push(format!("CONSTRAINT {name} UNIQUE ({})", cols.join(", ")));
        }
        for check in self.checks {
            parts.push(format!("CHECK ({check})"));
        }
        for fk in self.foreign_keys {
            parts.push(fk.sql());
        }
        format!(
            "CREATE TABLE IF NOT EXISTS {name} (\n  {}\n){}",
            parts.join(",\n  "),
            d.table_options()
        )
    }

    /// One column as `CREATE TABLE` declares it.
    pub fn column_sql(&self, c: &Column, d: &dyn Dialect) -> String {
        let mut s = format!("{} {}", c.name, d.column_type(c.ty));
        if c.not_null && !matches!(c.ty, Id | StableId) {
            s.push_str(" NOT NULL");
        }
        if let Some(default) = c.default {
            s.push_str(&format!(" DEFAULT {default}"));
        }
        s
    }

    /// The names of its columns, in order.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }

    /// `CREATE INDEX IF NOT EXISTS` for each of its indexes.
    pub fn index_sql(&self) -> Vec<String> {
        self.indexes
            .iter()
            .map(|(name, cols)| {
                format!(
                    "CREATE INDEX IF NOT EXISTS {name} ON {} ({})",
                    self.name,
                    cols.join(", ")
                )
            })
            .collect()
    }
}

/// A record's direction, as stored (in byte order, which is how MySQL sorts an `ENUM`).
pub const DIRECTIONS: &[&str] = &["in", "out"];
/// How a call ended, as stored.
pub const CALL_STATUSES: &[&str] = &["answered", "busy", "failed", "no_answer"];
/// An account's status, as stored.
pub const ACCOUNT_STATUSES: &[&str] = &["active", "closed", "suspended"];

/// The additive counters both rollups carry, in this order. `records` counts the raw rows behind
/// a rollup row, so a row whose records fall to zero is deleted and the rollup stays equal to a
/// GROUP BY over the raw tables.
pub const COUNTERS: [&str; 15] = [
    "records",
    "calls_out",
    "calls_in",
    "calls_answered",
    "seconds_out",
    "seconds_in",
    "sms_out",
    "sms_in",
    "data_sessions",
    "data_seconds",
    "bytes_up",
    "bytes_down",
    "calls_busy",
    "calls_no_answer",
    "seconds_answered",
];

/// The counters schema 7 added, for the KPIs (ASR, NER, ACD): the last ones of [`COUNTERS`].
pub const KPI_COUNTERS: [&str; 3] = ["calls_busy", "calls_no_answer", "seconds_answered"];

fn with_counters(mut columns: Vec<Column>) -> Vec<Column> {
    columns.extend(COUNTERS.iter().map(|c| zero(c)));
    columns
}

impl ForeignKey {
    /// The constraint as written inside `CREATE TABLE`.
    pub fn sql(&self) -> String {
        format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (id)",
            self.name, self.column, self.references
        )
    }
}

const fn customer_of(name: &'static str) -> ForeignKey {
    ForeignKey {
        name,
        column: "customer_id",
        references: "customers",
    }
}

const CALLS_CUSTOMER: [ForeignKey; 1] = [customer_of("fk_calls_customer")];
const SMS_CUSTOMER: [ForeignKey; 1] = [customer_of("fk_sms_customer")];
const DATA_CUSTOMER: [ForeignKey; 1] = [customer_of("fk_data_customer")];
const PERIODS_CUSTOMER: [ForeignKey; 1] = [customer_of("fk_plan_periods_customer")];

/// Every table, parents before the tables that refer to them.
pub fn all() -> [Table; 14] {
    [
        schema_version(),
        plans(),
        customers(),
        plan_periods(),
        calls(),
        sms(),
        data_sessions(),
        network_hourly(),
        customer_daily(),
        active_daily(),
        day_versions(),
        spans(),
        customer_spans(),
        number_countries(),
    ]
}

/// Each customer's plan over time: half-open ranges of UTC days, covering all time without gap
/// or overlap (`store::periods`); usage is priced and grouped by the plan of its day.
pub fn plan_periods() -> Table {
    Table {
        name: "plan_periods",
        columns: vec![
            col("customer_id", Ref),
            col("valid_from", Date),
            col("valid_until", Date),
            nullable("plan_id", Ref),
        ],
        primary_key: &["customer_id", "valid_from"],
        unique: &[],
        indexes: &[],
        checks: &["valid_from < valid_until"],
        foreign_keys: &PERIODS_CUSTOMER,
    }
}

/// Which migrations have run: one row per version, with when and what.
pub fn schema_version() -> Table {
    Table {
        name: "schema_version",
        columns: vec![
            col("version", Int),
            col("applied_at", DateTime),
            col("description", Text(200)),
        ],
        primary_key: &["version"],
        unique: &[],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// Tariff plans and their prices.
pub fn plans() -> Table {
    Table {
        name: "plans",
        columns: vec![
            col("id", StableId),
            col("name", Text(64)),
            Column {
                default: Some("0"),
                ..col("price_per_minute", Money)
            },
            Column {
                default: Some("0"),
                ..col("price_per_sms", Money)
            },
            Column {
                default: Some("0"),
                ..col("price_per_mb", Money)
            },
            Column {
                default: Some("0"),
                ..col("monthly_fee", Money)
            },
        ],
        primary_key: &[],
        unique: &[("uq_plans_name", &["name"])],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// Customers: key, name, plan, region, account state.
pub fn customers() -> Table {
    Table {
        name: "customers",
        columns: vec![
            col("id", StableId),
            col("subscriber_key", Text(64)),
            nullable("name", Text(200)),
            nullable("plan_id", Ref),
            nullable("region", Text(64)),
            Column {
                default: Some("'active'"),
                ..col("status", Enum(ACCOUNT_STATUSES))
            },
            col("created_at", DateTime),
            nullable("closed_at", DateTime),
        ],
        primary_key: &[],
        unique: &[("uq_customers_key", &["subscriber_key"])],
        indexes: &[
            ("ix_customers_plan", &["plan_id"]),
            ("ix_customers_region", &["region"]),
        ],
        checks: &[
            "status IN ('active', 'suspended', 'closed')",
            "subscriber_key <> ''",
        ],
        foreign_keys: &[],
    }
}

/// Raw call records.
pub fn calls() -> Table {
    Table {
        name: "calls",
        columns: vec![
            col("id", Id),
            col("customer_id", Ref),
            col("direction", Enum(DIRECTIONS)),
            col("other_party", Text(64)),
            col("start_time", DateTime),
            col("duration_s", Seconds),
            col("status", Enum(CALL_STATUSES)),
            nullable("cell_id", Text(64)),
            col("source_key", Text(128)),
        ],
        primary_key: &[],
        unique: &[("uq_calls_source", &["source_key"])],
        indexes: &[
            ("ix_calls_customer_time", &["customer_id", "start_time"]),
            ("ix_calls_time", &["start_time"]),
        ],
        // No CHECK constraints on the raw tables: every value was checked by the model before
        // it got here, and the constraints cost about 7% of import speed (scripts/bench-import).
        checks: &[],
        foreign_keys: &CALLS_CUSTOMER,
    }
}

/// Raw SMS records.
pub fn sms() -> Table {
    Table {
        name: "sms",
        columns: vec![
            col("id", Id),
            col("customer_id", Ref),
            col("direction", Enum(DIRECTIONS)),
            col("other_party", Text(64)),
            col("sent_at", DateTime),
            col("source_key", Text(128)),
        ],
        primary_key: &[],
        unique: &[("uq_sms_source", &["source_key"])],
        indexes: &[
            ("ix_sms_customer_time", &["customer_id", "sent_at"]),
            ("ix_sms_time", &["sent_at"]),
        ],
        checks: &[],
        foreign_keys: &SMS_CUSTOMER,
    }
}

/// Raw data-session records.
pub fn data_sessions() -> Table {
    Table {
        name: "data_sessions",
        columns: vec![
            col("id", Id),
            col("customer_id", Ref),
            col("start_time", DateTime),
            col("duration_s", Seconds),
            col("bytes_up", BigInt),
            col("bytes_down", BigInt),
            nullable("cell_id", Text(64)),
            col("source_key", Text(128)),
        ],
        primary_key: &[],
        unique: &[("uq_data_source", &["source_key"])],
        indexes: &[
            ("ix_data_customer_time", &["customer_id", "start_time"]),
            ("ix_data_time", &["start_time"]),
        ],
        checks: &[],
        foreign_keys: &DATA_CUSTOMER,
    }
}

/// Network totals per UTC hour: answers network totals, peak hours and trends.
pub fn network_hourly() -> Table {
    Table {
        name: "network_hourly",
        columns: with_counters(vec![col("hour", DateTime)]),
        primary_key: &["hour"],
        unique: &[],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// Per-customer totals per UTC day: answers per-customer totals and top-N over whole days.
/// Keyed by day first, so a batch's changes (mostly one day) land together.
pub fn customer_daily() -> Table {
    Table {
        name: "customer_daily",
        columns: with_counters(vec![col("day", Date), col("customer_id", Ref)]),
        primary_key: &["day", "customer_id"],
        unique: &[],
        // No index by customer: it cost 9% of import speed. One customer's rows are point
        // lookups on the primary key, one per day of the range (`day IN (...)`).
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// For each UTC day and kind of record (`calls`, `sms`, `data_sessions`), the customers with a
/// record of that kind that day, as a serialised `RoaringTreemap` of customer ids: exact
/// distinct customers over whole days without scanning `customer_daily`.
pub fn active_daily() -> Table {
    Table {
        name: "active_daily",
        columns: vec![
            col("day", Date),
            col("kind", Text(16)),
            col("customers", Blob),
        ],
        primary_key: &["day", "kind"],
        unique: &[],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// The country of each number stored (other parties, customers' keys): ISO 3166 codes, or
/// `unknown`, worked out with libphonenumber's metadata when the number is first stored.
pub fn number_countries() -> Table {
    Table {
        name: "number_countries",
        columns: vec![col("number", Text(64)), col("country", Text(7))],
        primary_key: &["number"],
        unique: &[],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// For each UTC day with records, a number every write to that day's records raises: a span
/// built when the days' versions summed to S is current while they still sum to S.
pub fn day_versions() -> Table {
    Table {
        name: "day_versions",
        columns: vec![col("day", Date), zero("version")],
        primary_key: &["day"],
        unique: &[],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// Ranges of whole UTC days whose per-customer totals are kept in `customer_spans`, with the
/// day versions' sum (`stamp`) they were built at.
pub fn spans() -> Table {
    Table {
        name: "spans",
        columns: vec![
            col("id", Id),
            col("first_day", Date),
            col("end_day", Date),
            col("stamp", BigInt),
            col("built_at", DateTime),
        ],
        primary_key: &[],
        unique: &[("uq_spans_days", &["first_day", "end_day"])],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

/// Per-customer totals over a span's days: `customer_daily` summed once, read many times (a
/// month-to-date top 10 reads one row per customer instead of one per customer and day).
pub fn customer_spans() -> Table {
    Table {
        name: "customer_spans",
        columns: with_counters(vec![col("span_id", Ref), col("customer_id", Ref)]),
        primary_key: &["span_id", "customer_id"],
        unique: &[],
        indexes: &[],
        checks: &[],
        foreign_keys: &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::dialect::{MARIADB, Sqlite};

    #[test]
    fn renders_per_dialect() {
        let t = schema_version();
        assert_eq!(
            t.create_sql(&Sqlite),
            "CREATE TABLE IF NOT EXISTS schema_version (\n  version INTEGER NOT NULL,\n  applied_at TEXT NOT NULL,\n  description TEXT NOT NULL,\n  PRIMARY KEY (version)\n)"
        );
        assert!(
            calls()
                .create_sql(&MARIADB)
                .contains("id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,")
        );
        assert!(
            calls()
                .create_sql(&MARIADB)
                .ends_with("COLLATE=utf8mb4_nopad_bin")
        );
    }

    /// The stored word lists are the model's words in byte order: MySQL sorts an `ENUM` by its
    /// position in the list, so only then do both backends sort `per status` alike.
    #[test]
    fn enumerations_are_the_models_words_in_byte_order() {
        use crate::model::{CallStatus, CustomerStatus, Direction};
        fn sorted(words: Vec<&'static str>) -> Vec<&'static str> {
            let mut words = words;
            words.sort_unstable();
            words
        }
        let directions = Direction::ALL.iter().map(|d| d.as_str()).collect();
        let statuses = CallStatus::ALL.iter().map(|s| s.as_str()).collect();
        let accounts = CustomerStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(DIRECTIONS, sorted(directions).as_slice());
        assert_eq!(CALL_STATUSES, sorted(statuses).as_slice());
        assert_eq!(ACCOUNT_STATUSES, sorted(accounts).as_slice());
        assert!(
            calls()
                .create_sql(&MARIADB)
                .contains("status ENUM('answered', 'busy', 'failed', 'no_answer') NOT NULL")
        );
        assert!(calls().create_sql(&Sqlite).contains("status TEXT NOT NULL"));
    }
}
