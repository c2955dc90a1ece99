//! Throwaway MariaDB servers for tests: a fresh data directory made by `mariadb-install-db`, a
//! `mariadbd --no-defaults` on a free loopback port, stopped by pid when the test ends. Tests
//! that kill or restart a server, or need TLS, start their own; every other MySQL test uses one
//! shared per test process when no server is configured or answering (see `mysql_base`).
//! The machine needs the Debian package `mariadb-server` (it carries both programs).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How a throwaway server starts.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// TLS: (CA certificate, server certificate, server key), PEM files.
    pub tls: Option<(PathBuf, PathBuf, PathBuf)>,
    /// More `--name=value` options for mariadbd.
    pub extra: Vec<String>,
    /// The loopback address to listen on; 127.0.0.1 when None (the shards of a Spider cluster
    /// need one each: Spider tells transaction members apart by host).
    pub host: Option<String>,
}

/// A MariaDB server this test process started; killed when dropped.
pub struct Server {
    pub port: u16,
    dir: PathBuf,
    options: ServerOptions,
    child: Option<Child>,
    /// Keeps the directory alive (and removes it) with the server.
    _temp: tempfile::TempDir,
}

/// The first of these that exists: Debian puts the server in /usr/sbin, off most PATHs.
fn program(name: &str) -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    candidates
        .extend(["/usr/sbin", "/usr/local/sbin", "/usr/bin"].map(|d| Path::new(d).join(name)));
    candidates.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "the MySQL tests need `{name}` to start a throwaway MariaDB server, and it is not \
             installed: install the Debian package mariadb-server (apt-get install mariadb-server), \
             or point TALLY_TEST_MYSQL_URL at a running server"
        )
    })
}

/// A port nothing listens on now (the kernel's choice; the race with another process taking it
/// before mariadbd does is retried by `Server::start`).
fn free_port(host: &str) -> u16 {
    TcpListener::bind((host, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Makes a fresh data directory in `dir/data`; tried again after a failure, which a machine
/// busy with other tests has shown once.
fn install(dir: &Path) {
    let mut last = String::new();
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(dir.join("data"));
        let installed = Command::new(program("mariadb-install-db"))
            .arg("--no-defaults")
            .arg(format!("--datadir={}", dir.join("data").display()))
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db")
            .arg("--user=root")
            .output()
            .expect("running mariadb-install-db");
        if installed.status.success() {
            return;
        }
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&installed.stdout),
            String::from_utf8_lossy(&installed.stderr)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("mariadb-install-db failed: {last}");
}

impl Server {
    /// Installs a data directory and starts a server on a free port; waits until it answers.
    pub fn start(options: ServerOptions) -> Server {
        let temp = tempfile::Builder::new()
            .prefix("tally-mariadb-")
            .tempdir()
            .expect("a temporary directory");
        let dir = temp.path().to_path_buf();
        install(&dir);
        let mut server = Server {
            port: 0,
            dir,
            options,
            child: None,
            _temp: temp,
        };
        for _ in 0..5 {
            server.port = free_port(server.host());
            if server.launch() {
                return server;
            }
        }
        panic!(
            "the throwaway MariaDB server did not start: {}",
            server.log_tail()
        );
    }

    /// `mysql://root@HOST:PORT`, without a database.
    pub fn base_url(&self) -> String {
        format!("mysql://root@{}:{}", self.host(), self.port)
    }

    /// The address it listens on.
    pub fn host(&self) -> &str {
        self.options.host.as_deref().unwrap_or("127.0.0.1")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts mariadbd on `self.port` under a watchdog that kills it when this test process
    /// ends, however it ends; true once it answers.
    fn launch(&mut self) -> bool {
        let mut args = vec![
            "--no-defaults".to_string(),
            format!("--datadir={}", self.dir.join("data").display()),
            format!("--port={}", self.port),
            format!("--bind-address={}", self.host()),
            format!("--socket={}", self.dir.join("sock").display()),
            format!("--pid-file={}", self.dir.join("pid").display()),
            format!("--log-error={}", self.dir.join("error.log").display()),
            "--user=root".into(),
            "--innodb-buffer-pool-size=64M".into(),
            "--innodb-log-file-size=48M".into(),
            "--max-connections=500".into(),
        ];
        if let Some((ca, cert, key)) = &self.options.tls {
            args.push(format!("--ssl-ca={}", ca.display()));
            args.push(format!("--ssl-cert={}", cert.display()));
            args.push(format!("--ssl-key={}", key.display()));
        }
        args.extend(self.options.extra.iter().cloned());
        let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        // The watchdog: mariadbd in the background, killed by pid as soon as the test process
        // is gone, so an aborted test never leaves a server running.
        let script = format!(
            "{} {} & m=$!; echo $m > {pidfile}; while kill -0 {test} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 0.5; done; \
             kill -9 $m 2>/dev/null; kill -0 {test} 2>/dev/null || rm -rf {dir}",
            shell_quote(&program("mariadbd").display().to_string()),
            quoted.join(" "),
            pidfile = shell_quote(&self.dir.join("server.pid").display().to_string()),
            test = std::process::id(),
            dir = shell_quote(&self.dir.display().to_string()),
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting mariadbd");
        self.child = Some(child);
        self.wait_until_up(Duration::from_secs(30))
    }

    fn wait_until_up(&mut self, limit: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.answers() {
                return true;
            }
            if let Some(child) = &mut self.child
                && let Ok(Some(_)) = child.try_wait()
            {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Whether the server accepts a login now.
    pub fn answers(&self) -> bool {
        let opts = mysql::OptsBuilder::new()
            .ip_or_hostname(Some(self.host()))
            .tcp_port(self.port)
            .user(Some("root"))
            .prefer_socket(false)
            .tcp_connect_timeout(Some(Duration::from_secs(2)));
        mysql::Conn::new(opts).is_ok()
    }

    fn server_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("server.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }

    /// Kills the server at once (SIGKILL), as a crash or a pulled plug would.
    pub fn kill(&mut self) {
        if let Some(pid) = self.server_pid() {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.dir.join("server.pid"));
    }

    /// Starts the server again on the same port and data directory (after `kill`).
    pub fn restart(&mut self) {
        self.kill();
        assert!(
            self.launch(),
            "the throwaway MariaDB server did not come back: {}",
            self.log_tail()
        );
    }

    /// The end of the server's error log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
