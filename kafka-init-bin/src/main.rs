//! `kafka-init`: converge the topics of a YAML file, then exit 0 (ready) or
//! 1 (failed), so compose and Kubernetes can gate services on it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use kafka_init_core::{ensure_topics, Action, EnsureOptions, TopicFile};

#[derive(Parser, Debug)]
#[command(name = "kafka-init", version, about)]
struct Cli {
    /// The topic file.
    #[arg(
        long,
        env = "CONFIG_FILE",
        default_value = "/app/config/simulation.yaml"
    )]
    config: PathBuf,

    /// Overrides the file's `kafka.bootstrap_servers`.
    #[arg(long, env = "KAFKA_BOOTSTRAP_SERVERS")]
    bootstrap_servers: Option<String>,

    /// One deadline for the whole run, e.g. `5s` or `2m`.
    #[arg(long, env = "KAFKA_INIT_TIMEOUT", default_value = "60s", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();

    match run(&cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("Topic creation failed");
            eprintln!("kafka-init: {message}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: &Cli) -> Result<(), String> {
    tracing::info!("Loading configuration from {}", cli.config.display());
    let file = TopicFile::load(&cli.config).map_err(|e| e.to_string())?;
    let bootstrap = cli
        .bootstrap_servers
        .clone()
        .or(file.bootstrap_servers.clone())
        .ok_or_else(|| {
            format!(
                "no bootstrap servers: set KAFKA_BOOTSTRAP_SERVERS or kafka.bootstrap_servers in {}",
                cli.config.display()
            )
        })?;
    tracing::info!("Connecting to Kafka at {bootstrap}");
    let options = EnsureOptions::new(bootstrap).timeout(cli.timeout);
    let report = ensure_topics(&file.topics, &options)
        .await
        .map_err(|e| e.to_string())?;
    for topic in &report.topics {
        match &topic.action {
            Action::Created(_) => tracing::info!("✅ Created topic: {}", topic.name),
            Action::Unchanged => tracing::info!("Topic {} already exists", topic.name),
            Action::Updated {
                configs,
                partitions,
            } => {
                let changes: Vec<String> = configs
                    .iter()
                    .map(ToString::to_string)
                    .chain(partitions.iter().map(ToString::to_string))
                    .collect();
                tracing::info!("🔄 Updated topic: {} ({})", topic.name, changes.join("; "))
            }
        }
    }
    tracing::info!("All topics created successfully");
    Ok(())
}
