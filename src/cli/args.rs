//! The command line, declared with clap.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tally",
    version,
    about = "Usage analytics for a telecom operator: calls, SMS and data sessions",
    after_help = "Database: --db > TALLY_DB > `database` in the config file (`tally config path`) > an embedded SQLite file in the data directory."
)]
pub struct Cli {
    /// Database URL: mysql://user[:password]@host[:port]/db[?ssl-mode=...&ssl-ca=FILE], sqlite:PATH or sqlite::memory:
    #[arg(long, global = true, value_name = "URL")]
    pub db: Option<String>,
    /// Zone for showing times and reading times without an offset: local, UTC, Europe/London, +03:00
    #[arg(long, global = true, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Option<String>,
    /// Ask for the MySQL password on the terminal
    #[arg(long, short = 'p', global = true)]
    pub password: bool,
    /// Run these statements (separated by ;) and exit
    #[arg(short = 'e', long = "execute", value_name = "QUERY")]
    pub execute: Option<String>,
    /// Run the statements in FILE and exit
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "execute"
    )]
    pub file: Option<PathBuf>,
    /// A shared metrics file to load (more than one may be given)
    #[arg(long = "metrics", global = true, value_name = "FILE")]
    pub metrics: Vec<PathBuf>,
    /// Output format: table, vertical, csv, json or markdown
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show where the config file is and what it resolves to
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Apply pending schema migrations (every command does this on first connect)
    Migrate,
    /// Add, show, change, delete or list customers
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Add, list or change tariff plans
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Store one call, SMS or data session
    #[command(subcommand)]
    Log(crate::app::LogCommand),
    /// Show, correct or delete one stored record by its id
    #[command(subcommand)]
    Record(RecordCommand),
    /// Create plans, customers and realistic traffic (deterministic for a seed)
    Demo(DemoArgs),
    /// Load CDR files: native, Asterisk, FreeSWITCH or any CSV through a mapping
    Import(ImportArgs),
    /// Network totals over all time
    Summary,
    /// Run a report: a .tally file of query lines or a .rhai script
    Run(RunArgs),
    /// A numbered menu for logging records and viewing reports, no query language needed
    Menu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    Calls,
    Sms,
    Data,
    Customers,
    Plans,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Native,
    Asterisk,
    Freeswitch,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the files hold
    pub kind: ImportKind,
    /// CSV files; - reads stdin; .gz files are decompressed
    #[arg(required = true)]
    pub files: Vec<String>,
    #[arg(long, value_enum, default_value = "native", conflicts_with = "map")]
    pub format: FormatArg,
    /// A mapping file describing the CSV layout (see examples/mappings/)
    #[arg(long, value_name = "MAPPING")]
    pub map: Option<PathBuf>,
    /// Where rejected rows of every file go (default: FILE.rejects.csv beside each file); an
    /// existing file is refused unless --force or --append
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Replace a rejects file that holds rows from an earlier run
    #[arg(long, conflicts_with = "append")]
    pub force: bool,
    /// Add to a rejects file that holds rows from an earlier run
    #[arg(long)]
    pub append: bool,
    /// Create customers that are not stored yet
    #[arg(long)]
    pub create_customers: bool,
    /// Records per transaction (default: 20000 on MySQL, 5000 on SQLite)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file's path
    Path,
    /// Print the database (password masked), the zone and where each came from
    Show,
}

#[derive(Debug, Args)]
pub struct CustomerFields {
    /// Display name
    #[arg(long)]
    pub name: Option<String>,
    /// Plan name (must exist; see `tally plan list`)
    #[arg(long)]
    pub plan: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    /// active, suspended or closed
    #[arg(long)]
    pub status: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    Add {
        /// Subscriber key: an MSISDN or any id up to 64 printable characters
        key: String,
        #[command(flatten)]
        fields: CustomerFields,
    },
    Show {
        key: String,
    },
    /// Change fields; an empty value (--plan "") clears an optional field
    Update {
        key: String,
        /// Rename the subscriber key
        #[arg(long)]
        new_key: Option<String>,
        #[command(flatten)]
        fields: CustomerFields,
        /// With --plan: the day (YYYY-MM-DD, UTC) the new plan takes effect; usage before it
        /// stays priced at the plans in force then (default: today)
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
    },
    /// Delete a customer; one with records needs --cascade
    Delete {
        key: String,
        /// Also delete the customer's calls, SMS and data sessions
        #[arg(long)]
        cascade: bool,
    },
    List {
        #[arg(long)]
        plan: Option<String>,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
    },
}

#[derive(Debug, Args)]
pub struct PlanPrices {
    /// Price per minute of outgoing calls
    #[arg(long, value_name = "PRICE", allow_hyphen_values = true)]
    pub per_minute: Option<String>,
    /// Price per outgoing SMS
    #[arg(long, value_name = "PRICE", allow_hyphen_values = true)]
    pub per_sms: Option<String>,
    /// Price per MB (10^6 bytes) of data, up and down
    #[arg(long, value_name = "PRICE", allow_hyphen_values = true)]
    pub per_mb: Option<String>,
    #[arg(long, value_name = "PRICE", allow_hyphen_values = true)]
    pub monthly_fee: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    Add {
        name: String,
        #[command(flatten)]
        prices: PlanPrices,
    },
    List,
    Update {
        name: String,
        #[command(flatten)]
        prices: PlanPrices,
    },
}

// Built once per run; boxing the corrections would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    Show {
        /// call, sms or data
        kind: String,
        id: i64,
    },
    /// Correct fields of a record; the rollups follow
    Update {
        kind: String,
        id: i64,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        direction: Option<String>,
        #[arg(long)]
        other: Option<String>,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        duration: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        cell: Option<String>,
        #[arg(long)]
        up: Option<String>,
        #[arg(long)]
        down: Option<String>,
    },
    Delete {
        kind: String,
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 200)]
    pub customers: usize,
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The day after the last generated day (default: today, UTC)
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    /// Write native CSV files into DIR instead of storing
    #[arg(long, value_name = "DIR", conflicts_with = "open")]
    pub csv: Option<PathBuf>,
    /// Open tally on the database afterwards
    #[arg(long)]
    pub open: bool,
    /// Also plant four customers with a spike, a SIM box, an international burst and a decline
    /// in the last days, for `anomalies`, `suspects` and `declining customers` to find
    #[arg(long, conflicts_with = "csv")]
    pub anomalies: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The report: a FILE.tally or FILE.rhai, or the name of a known report (see --list)
    #[arg(required_unless_present = "list")]
    pub report: Option<String>,
    /// A report parameter (repeat for more)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// How tables are printed: table, vertical, csv, json or markdown
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write the report to FILE; with --format csv and several tables, one CSV file per table
    /// in the folder DIR
    #[arg(long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,
    /// List the reports tally knows by name, with their parameters
    #[arg(long)]
    pub list: bool,
}
