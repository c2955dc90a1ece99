//! A throwaway MariaDB Spider cluster for tests: N shard servers, each on its own loopback
//! address (127.0.0.2, ...: Spider tells the members of a two-phase commit apart by host), and
//! a head with the Spider plugin that knows them as `shard1`..`shardN`, the way
//! scripts/cluster sets one up. Stopped when dropped. Needs the Debian package
//! mariadb-plugin-spider (.ci/run installs it).

use super::server::{Server, ServerOptions};
use mysql::prelude::Queryable;

/// The password the head's `spider` user has on the shards (a throwaway cluster's).
const SECRET: &str = "tally-test-spider";

/// A head and its shards.
pub struct Cluster {
    /// The head: tally connects here.
    pub head: Server,
    /// The shards, `shard1` first.
    pub shards: Vec<Server>,
}

fn root(server: &Server) -> mysql::Conn {
    let opts = mysql::OptsBuilder::new()
        .ip_or_hostname(Some(server.host()))
        .tcp_port(server.port)
        .user(Some("root"))
        .prefer_socket(false);
    mysql::Conn::new(opts).expect("root on a throwaway server")
}

impl Cluster {
    /// Starts `n` shards and a head.
    pub fn start(n: usize) -> Cluster {
        assert!(
            std::path::Path::new("/usr/lib/mysql/plugin/ha_spider.so").exists(),
            "the cluster tests need the Spider plugin: apt-get install mariadb-plugin-spider"
        );
        let shards: Vec<Server> = (1..=n)
            .map(|k| {
                let shard = Server::start(ServerOptions {
                    host: Some(format!("127.0.0.{}", k + 1)),
                    ..ServerOptions::default()
                });
                root(&shard)
                    .query_drop(format!(
                        "CREATE USER 'spider'@'127.0.0.1' IDENTIFIED BY '{SECRET}'; \
                         GRANT ALL ON *.* TO 'spider'@'127.0.0.1'"
                    ))
                    .expect("the head's user on a shard");
                shard
            })
            .collect();
        let head = Server::start(ServerOptions {
            extra: vec![
                "--plugin-load-add=ha_spider.so".into(),
                "--loose-spider-connect-retry-count=0".into(),
                "--loose-spider-internal-xa=1".into(),
            ],
            ..ServerOptions::default()
        });
        let mut conn = root(&head);
        for (k, shard) in shards.iter().enumerate() {
            conn.query_drop(format!(
                "CREATE SERVER shard{} FOREIGN DATA WRAPPER mysql OPTIONS \
                 (HOST '{}', PORT {}, USER 'spider', PASSWORD '{SECRET}', DATABASE '')",
                k + 1,
                shard.host(),
                shard.port
            ))
            .expect("a shard server on the head");
        }
        Cluster { head, shards }
    }

    /// The head's URL for database `db`.
    pub fn url(&self, db: &str) -> String {
        format!("{}/{db}", self.head.base_url())
    }

    /// The integer `column` of every row of `table` in database `db`, from all shards.
    pub fn column_per_shard(&self, db: &str, table: &str, column: &str) -> Vec<i64> {
        self.shards
            .iter()
            .flat_map(|s| {
                root(s)
                    .query::<i64, _>(format!("SELECT `{column}` FROM `{db}`.`{table}`"))
                    .expect("a column on a shard")
            })
            .collect()
    }

    /// Rows of `table` in database `db` on each shard, `shard1` first.
    pub fn rows_per_shard(&self, db: &str, table: &str) -> Vec<u64> {
        self.shards
            .iter()
            .map(|s| {
                root(s)
                    .query_first(format!("SELECT COUNT(*) FROM `{db}`.`{table}`"))
                    .expect("a count on a shard")
                    .expect("one row")
            })
            .collect()
    }
}
