//! `trellis`: run a Trellis instance, migrate its database, administer it.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use trellis_server::config::{Config, LogFormat};
use trellis_server::demo::{Demo, DemoOptions};
use trellis_server::{Instance, create_account, open_store, shutdown_requested};

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
    /// Run the instance: migrate the database, then serve until Ctrl-C or SIGTERM.
    Serve,
    /// Apply database migrations and seed the skills catalog, then exit.
    Migrate,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    trellis_server::install_tls_provider();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    // One-off commands print their result and only warnings besides.
    let quiet = !matches!(cli.command, Command::Serve);
    init_logging(&config, quiet);
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
        Command::Serve => serve(config).await,
        Command::Migrate => {
            open_store(&config).await?.close().await;
            Ok(())
        }
        Command::ExportSchema => {
            let schema = serde_json::to_string_pretty(&trellis_app::archive::archive_schema())?;
            println!("{schema}");
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::CreateUser { username, admin },
        } => create_user(&config, &username, admin).await,
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
    tracing::info!("shutting down: finishing requests in flight");
    instance.stop().await?;
    tracing::info!("stopped");
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
