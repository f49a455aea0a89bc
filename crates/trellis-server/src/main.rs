//! `trellis`: run a Trellis instance, migrate its database, administer it.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use trellis_app::partners::{PeerView, operator};
use trellis_server::config::{Config, LogFormat, Overrides};
use trellis_server::demo::{Demo, DemoOptions};
use trellis_server::{
    Instance, create_account, open_store, open_store_reporting, shutdown_requested,
};

/// A federated mentoring network server.
#[derive(Debug, Parser)]
#[command(
    name = "trellis",
    version,
    about = "Trellis, a federated mentoring network server",
    long_about = None,
    after_help = "Settings come from defaults, then trellis.toml (or --config), then TRELLIS_* \
                  environment variables, e.g. TRELLIS_BIND, TRELLIS_DATABASE_URL, TRELLIS_DOMAIN. \
                  README.md lists them all."
)]
struct Cli {
    /// Configuration file [default: trellis.toml, if present]
    #[arg(long, global = true, env = "TRELLIS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the instance: migrate the database, then serve until Ctrl-C or
    /// SIGTERM (then: not ready for `shutdown_drain_secs`, then finish what
    /// is in flight within `shutdown_timeout_secs`; a second signal skips
    /// the drain).
    Serve {
        /// Address and port to listen on (the `bind` setting).
        #[arg(long, value_name = "ADDR", value_parser = trellis_server::config::parse_socket_addr)]
        bind: Option<std::net::SocketAddr>,
        /// Directory for the instance's files (the `data_dir` setting).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// Address and port of `GET /metrics`, or `off` (the `metrics_bind` setting).
        #[arg(long, value_name = "ADDR")]
        metrics_bind: Option<String>,
    },
    /// Apply database migrations and seed the skills catalog, then exit.
    Migrate,
    /// Write a consistent copy of the SQLite database to FILE (a new
    /// file), also while the instance runs. The copy holds the instance's
    /// private keys and every member's file: keep it as safe as the data
    /// directory. On PostgreSQL, use pg_dump.
    Backup {
        /// The file to write; it must not exist yet.
        file: PathBuf,
    },
    /// Restore a copy made by `trellis backup` into an empty data
    /// directory (the configured SQLite database must not exist yet);
    /// migrations of a newer Trellis are applied to it.
    Restore {
        /// The backup to restore.
        file: PathBuf,
    },
    /// Ask the instance this configuration describes whether it is ready
    /// (`GET /readyz` on its `bind` address, or on `--url`); exit 0 if it
    /// is, 1 if not. For container health checks.
    Healthcheck {
        /// The readiness URL to ask [default: http://<bind>/readyz, with
        /// 127.0.0.1 for an unspecified address]
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Print the JSON Schema of the long-term file archive that
    /// `GET /api/v1/me/export` gives (docs/export-schema.json).
    ExportSchema,
    /// Administer the instance from the command line.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Start two partner instances on this machine, seeded with members,
    /// profiles and a mentorship across them; print where and how to sign
    /// in; run until Ctrl-C. Uses neither trellis.toml's database nor bind.
    Demo {
        /// Port of the first instance (0: any free port).
        #[arg(long, default_value_t = 8081)]
        port_a: u16,
        /// Port of the second instance (0: any free port).
        #[arg(long, default_value_t = 8082)]
        port_b: u16,
        /// Keep the two databases in this directory (new or empty)
        /// [default: a temporary directory, removed on exit]
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an account. The password is asked for on a terminal, or read
    /// as the first line of standard input otherwise.
    CreateUser {
        /// The new account's username.
        username: String,
        /// Make the account an admin of this instance.
        #[arg(long)]
        admin: bool,
    },
    /// Partners and partnership requests either way.
    Partners {
        #[command(subcommand)]
        command: Listing,
    },
    /// Blocked instances.
    Blocks {
        #[command(subcommand)]
        command: Listing,
    },
    /// Deliveries to other instances: how each queue is doing, and
    /// retrying now instead of after the back-off.
    Deliveries {
        #[command(subcommand)]
        command: DeliveriesCommand,
    },
}

#[derive(Debug, Subcommand)]
enum Listing {
    /// List them.
    List {
        /// Print JSON (as the admin API gives it) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DeliveriesCommand {
    /// List every instance's queue.
    List {
        /// Print JSON (as the admin API gives it) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Make the named queues (or, with --all, every waiting queue) due
    /// now: the running instance sends them at its next look, within
    /// seconds, instead of waiting out the back-off.
    Retry {
        /// The instances, by domain.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        domains: Vec<String>,
        /// Every queue that waits.
        #[arg(long)]
        all: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    trellis_server::install_tls_provider();
    let overrides = match &cli.command {
        Command::Serve {
            bind,
            data_dir,
            metrics_bind,
        } => Overrides {
            bind: *bind,
            data_dir: data_dir.clone(),
            metrics_bind: metrics_bind.clone(),
        },
        _ => Overrides::default(),
    };
    let loaded = match Config::load_with(cli.config.as_deref(), &overrides) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let config = loaded.config;
    // One-off commands print their result and only warnings besides.
    let quiet = !matches!(cli.command, Command::Serve { .. });
    init_logging(&config, quiet);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config, quiet: bool) {
    let default = if quiet { "warn" } else { config.log.as_str() };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| tracing_subscriber::EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match config.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { .. } => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Healthcheck { url } => healthcheck(&config, url).await,
        Command::ExportSchema => {
            let schema = serde_json::to_string_pretty(&trellis_app::archive::archive_schema())?;
            println!("{schema}");
            Ok(())
        }
        Command::Backup { file } => backup(&config, &file).await,
        Command::Restore { file } => restore(&config, &file).await,
        Command::Admin {
            command: AdminCommand::CreateUser { username, admin },
        } => create_user(&config, &username, admin).await,
        Command::Admin {
            command:
                AdminCommand::Partners {
                    command: Listing::List { json },
                },
        } => {
            let store = open_store(&config).await?;
            let peers = operator::partners(&store).await;
            store.close().await;
            show_peers(&peers?, json, "no partners and no requests", PARTNERS)
        }
        Command::Admin {
            command:
                AdminCommand::Blocks {
                    command: Listing::List { json },
                },
        } => {
            let store = open_store(&config).await?;
            let peers = operator::blocks(&store).await;
            store.close().await;
            show_peers(&peers?, json, "no instance is blocked", BLOCKS)
        }
        Command::Admin {
            command:
                AdminCommand::Deliveries {
                    command: DeliveriesCommand::List { json },
                },
        } => {
            let store = open_store(&config).await?;
            let peers = operator::deliveries(&store).await;
            store.close().await;
            show_peers(
                &peers?,
                json,
                "nothing was ever queued for another instance",
                DELIVERIES,
            )
        }
        Command::Admin {
            command:
                AdminCommand::Deliveries {
                    command: DeliveriesCommand::Retry { domains, .. },
                },
        } => {
            let store = open_store(&config).await?;
            let made_due = operator::retry_now(&store, &domains).await;
            store.close().await;
            let made_due = made_due?;
            if made_due.is_empty() {
                println!("no queue waits; nothing to retry");
            }
            for domain in made_due {
                println!("deliveries to {domain} are due now");
            }
            Ok(())
        }
        Command::Demo {
            port_a,
            port_b,
            data_dir,
        } => {
            demo(DemoOptions {
                ports: [port_a, port_b],
                data_dir,
            })
            .await
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let instance = Instance::start(&config).await?;
    tracing::info!("Trellis is listening on http://{}", instance.addr);
    shutdown_requested().await;
    // Listening for a second signal from now on: it cuts the drain short.
    let again = shutdown_requested();
    let drain = config.shutdown_drain();
    if !drain.is_zero() {
        tracing::info!(
            "shutting down: not ready for {}s while still serving (a second signal skips this)",
            drain.as_secs()
        );
    }
    instance.drain(drain, again).await;
    tracing::info!(
        "shutting down: no new connections; finishing what is in flight (for {}s at most)",
        config.shutdown_timeout().as_secs()
    );
    instance.stop().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn healthcheck(config: &Config, url: Option<String>) -> anyhow::Result<()> {
    let url = url.unwrap_or_else(|| {
        let mut addr = config.bind;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}/readyz")
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    let response = client
        .get(&url)
        .send()
        .await
        .with_context(|| format!("{url} does not answer"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{url} answers {status}: {body}");
    }
    println!("ready: {body}");
    Ok(())
}

/// Applies migrations and says which, and where the database stands.
async fn migrate(config: &Config) -> anyhow::Result<()> {
    let (store, report) = open_store_reporting(config).await?;
    store.close().await;
    let shown = trellis_server::config::redact_url(&config.database_url());
    for migration in &report.applied {
        println!(
            "applied migration {} ({})",
            migration.version, migration.description
        );
    }
    let version = report
        .version
        .map_or_else(|| "none".to_owned(), |v| v.to_string());
    if report.applied.is_empty() {
        println!("{shown} is up to date (schema version {version}); nothing to apply");
    } else {
        println!(
            "{shown} migrated: {} migrations applied, schema version {version}",
            report.applied.len()
        );
    }
    Ok(())
}

async fn create_user(config: &Config, raw_username: &str, admin: bool) -> anyhow::Result<()> {
    let password = read_password()?;
    let store = open_store(config).await?;
    let created = create_account(&store, raw_username, &password, admin).await;
    store.close().await;
    let account = created?;
    let role = if account.is_admin { "admin" } else { "member" };
    println!("created {role} {} ({})", account.username, account.id);
    Ok(())
}

/// Copies the database, consistently, while it may be serving.
async fn backup(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let url = config.database_url();
    if trellis_store::Backend::of_url(&url) == Some(trellis_store::Backend::Postgres) {
        let found = std::env::var_os("PATH").is_some_and(|path| {
            std::env::split_paths(&path).any(|dir| dir.join("pg_dump").is_file())
        });
        let hint = if found {
            "pg_dump is installed here"
        } else {
            "pg_dump is not installed here: install PostgreSQL's client tools"
        };
        bail!(
            "the database is PostgreSQL: back it up with `pg_dump --format=custom` (its own \
             consistent online copy; it holds the instance's private keys) ({hint})"
        );
    }
    if file.exists() {
        bail!("{} exists; back up into a new file", file.display());
    }
    let store = trellis_store::Store::connect_with(&url, &config.pool())
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                trellis_server::config::redact_url(&url)
            )
        })?;
    let copied = store.backup_into(file).await;
    store.close().await;
    if !copied.with_context(|| format!("cannot write the backup {}", file.display()))? {
        bail!("the database is not SQLite; back it up with pg_dump");
    }
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} into {} ({} KiB); it holds the instance's private keys: keep it safe",
        trellis_server::config::redact_url(&url),
        file.display(),
        size.div_ceil(1024)
    );
    Ok(())
}

/// Puts a backup in place of a database that does not exist yet.
async fn restore(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Read;
    let url = config.database_url();
    let Some(target) = trellis_server::sqlite_file(&url).map(std::path::Path::to_path_buf) else {
        bail!(
            "`trellis restore` restores SQLite backups; the database is not a SQLite file \
             (restore a PostgreSQL dump with pg_restore)"
        );
    };
    let mut header = Vec::with_capacity(16);
    std::fs::File::open(file)
        .and_then(|f| f.take(16).read_to_end(&mut header))
        .with_context(|| format!("cannot read {}", file.display()))?;
    if header != b"SQLite format 3\0" {
        bail!(
            "{} is not a SQLite database (a file from `trellis backup`)",
            file.display()
        );
    }
    let wal = |suffix: &str| {
        let mut name = target.clone().into_os_string();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    if target.exists() || wal("-wal").exists() {
        bail!(
            "{} exists: restore into an empty data directory (move the current database away first)",
            target.display()
        );
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let copied = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .and_then(|mut out| {
            std::io::copy(&mut std::fs::File::open(file)?, &mut out)?;
            out.sync_all()
        });
    if let Err(err) = copied {
        let _ = std::fs::remove_file(&target);
        return Err(err).with_context(|| format!("cannot write {}", target.display()));
    }
    let opened = async {
        let (store, report) = open_store_reporting(config).await?;
        let keys = store.instance_keys().await;
        let accounts = store.count_accounts().await;
        store.close().await;
        match (keys?, accounts?) {
            (Some(_), accounts) => Ok((report, accounts)),
            (None, _) => Err(anyhow::anyhow!(
                "it holds no Trellis instance (no instance keys)"
            )),
        }
    };
    match opened.await {
        Ok((report, accounts)) => {
            println!(
                "restored {} into {}: {accounts} accounts and the instance's keys; {} migrations applied",
                file.display(),
                target.display(),
                report.applied.len()
            );
            Ok(())
        }
        Err(err) => {
            for path in [target.clone(), wal("-wal"), wal("-shm")] {
                let _ = std::fs::remove_file(path);
            }
            Err(err.context(format!("{} is not a Trellis backup", file.display())))
        }
    }
}

/// Prints peers as JSON or as a table of `row`s.
fn show_peers(
    peers: &[PeerView],
    json: bool,
    none: &str,
    (header, row): Columns,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(peers)?);
        return Ok(());
    }
    if peers.is_empty() {
        println!("{none}");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = peers.iter().map(row).collect();
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    print!("{}", table(&header, &rows));
    Ok(())
}

/// Columns as wide as their widest cell, two spaces apart.
fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string(),
    )
}

type Columns = (&'static [&'static str], fn(&PeerView) -> Vec<String>);

const PARTNERS: Columns = (
    &[
        "DOMAIN",
        "NAME",
        "PARTNERSHIP",
        "SINCE",
        "DELIVERY",
        "QUEUED",
    ],
    partner_row,
);
const BLOCKS: Columns = (&["DOMAIN", "BLOCKED AT", "REASON"], block_row);
const DELIVERIES: Columns = (
    &[
        "DOMAIN",
        "STATE",
        "QUEUED",
        "OLDEST QUEUED",
        "LAST SUCCESS",
        "NEXT ATTEMPT",
        "LEASE HELD BY",
        "LAST ERROR",
    ],
    delivery_row,
);

fn partner_row(p: &PeerView) -> Vec<String> {
    vec![
        p.domain.clone(),
        p.name.clone().unwrap_or_else(|| "-".into()),
        p.partnership.to_owned(),
        when(p.partnership_changed_at),
        p.delivery.state.to_owned(),
        p.delivery.queued.to_string(),
    ]
}

fn block_row(p: &PeerView) -> Vec<String> {
    vec![
        p.domain.clone(),
        when(p.blocked_at),
        if p.block_reason.is_empty() {
            "-".into()
        } else {
            p.block_reason.clone()
        },
    ]
}

fn delivery_row(p: &PeerView) -> Vec<String> {
    let d = &p.delivery;
    vec![
        p.domain.clone(),
        if d.stalled {
            format!("{} (stalled)", d.state)
        } else {
            d.state.to_owned()
        },
        d.queued.to_string(),
        when(d.oldest_queued_at),
        when(d.last_success_at),
        when(d.next_attempt_at),
        d.lease
            .as_ref()
            .map_or_else(|| "-".into(), |l| l.holder.clone()),
        d.last_error.clone().unwrap_or_else(|| "-".into()),
    ]
}

async fn demo(options: DemoOptions) -> anyhow::Result<()> {
    let demo = Demo::start(&options).await?;
    println!("{}", demo.guide());
    shutdown_requested().await;
    demo.stop().await?;
    println!("The demo stopped.");
    Ok(())
}

/// Asks twice on a terminal; reads one line from a pipe.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        let second = rpassword::prompt_password("Again: ").context("cannot read the password")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            bail!("no password on standard input");
        }
        Ok(password)
    }
}
