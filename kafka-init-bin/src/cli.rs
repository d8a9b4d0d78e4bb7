//! The command line: subcommands, flags and the environment variables
//! behind them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

/// Makes Kafka topics exist exactly as a YAML file declares them, then
/// exits: 0 when they are ready, non-zero when not (see EXIT CODES).
#[derive(Parser, Debug)]
#[command(
    name = "kafka-init",
    version,
    about = "Makes Kafka topics exist exactly as a YAML file declares them, then exits: 0 when they are ready.",
    after_help = "\
EXIT CODES:
  0  success (`plan`: the cluster already matches)
  1  failure (`plan`: any error)
  2  `plan` only: changes are pending
  3  invalid file, flags or client settings; nothing was sent to Kafka
  4  Kafka did not answer within the deadline
  5  an unsafe change was refused (fewer partitions, another replication factor,
     more deletions than --max-deletions); nothing was changed
  6  authentication failed: the TLS handshake, the client certificate or the
     SASL credentials were refused for the whole --broker-grace
  `plan --prune` without `kafka.owns`: 3, like `apply`
  `orphans`: 0 none, 2 some, 1 any error but invalid input (3)

CLIENT SETTINGS:
  librdkafka properties come from the file's `kafka.client` map and from
  KAFKA_CLIENT_<NAME> variables, which win: KAFKA_CLIENT_SASL_PASSWORD sets
  sasl.password, KAFKA_CLIENT_SECURITY_PROTOCOL sets security.protocol."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The topic file, or a directory of them (every `*.yaml` and `*.yml`,
    /// sorted); give it more than once for several, applied as one.
    #[arg(
        long,
        env = "CONFIG_FILE",
        default_value = "/app/config/simulation.yaml",
        value_name = "PATH",
        global = true
    )]
    pub config: Vec<PathBuf>,

    /// The profile of the topic file to use (`kafka.profiles.NAME`); without
    /// one, the base file.
    #[arg(long, env = "KAFKA_INIT_PROFILE", value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// A platform policy file (`policy:` rules) every topic must meet, as
    /// well as the topic file's own `kafka.policy`; the stricter of each
    /// rule applies.
    #[arg(long, env = "KAFKA_INIT_POLICY", value_name = "PATH", global = true)]
    pub policy: Option<PathBuf>,

    /// Kafka's `host:port[,host:port...]`; overrides the file's
    /// `kafka.bootstrap_servers`.
    #[arg(
        long,
        env = "KAFKA_BOOTSTRAP_SERVERS",
        value_name = "SERVERS",
        global = true
    )]
    pub bootstrap_servers: Option<String>,

    /// One deadline for the whole run, e.g. `5s`, `2m`, `1m30s`.
    #[arg(
        long,
        env = "KAFKA_INIT_TIMEOUT",
        default_value = "60s",
        value_name = "DURATION",
        value_parser = parse_timeout,
        global = true
    )]
    pub timeout: Duration,

    /// How long the broker count must stay the same before a topic wanting
    /// more replicas than there are brokers fails rather than being retried;
    /// raise it for clusters whose brokers start far apart. Also how long
    /// refused credentials are retried (they may still be propagating)
    /// before exit 6.
    #[arg(
        long,
        env = "KAFKA_INIT_BROKER_GRACE",
        default_value = "15s",
        value_name = "DURATION",
        value_parser = parse_timeout,
        global = true
    )]
    pub broker_grace: Duration,

    /// What goes to stdout: `text` (a table), `json` (the full report), or,
    /// for `plan`, `markdown` (a table for a pull request comment).
    #[arg(
        long,
        value_enum,
        env = "KAFKA_INIT_OUTPUT",
        default_value_t = Output::Text,
        global = true
    )]
    pub output: Output,

    /// Log lines on stderr: `text` for people, `json` for log collectors.
    /// `RUST_LOG` sets the level (default `info`).
    #[arg(
        long,
        value_enum,
        env = "KAFKA_INIT_LOG_FORMAT",
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,

    /// `apply` and `plan`: also delete orphans, the topics inside the
    /// file's `kafka.owns` that it does not declare and that are not
    /// protected; last, and only after everything else succeeded.
    #[arg(long, global = true)]
    pub prune: bool,

    /// With `--prune`: change nothing and fail when more topics than this
    /// would be deleted [default: 5].
    #[arg(long, value_name = "N", global = true)]
    pub max_deletions: Option<usize>,

    /// `apply`, `plan` and `orphans`: an orphan whose newest record is
    /// younger than this is in use, and pruning keeps it (as it keeps one
    /// on which any consumer group has committed offsets).
    #[arg(
        long,
        env = "KAFKA_INIT_PRUNE_IDLE",
        default_value = "24h",
        value_name = "DURATION",
        value_parser = parse_timeout,
        global = true
    )]
    pub prune_idle: Duration,

    /// With `--prune`: delete orphans even when they are in use.
    #[arg(long, global = true)]
    pub prune_in_use: bool,

    /// `export`: the namespace to export (name prefixes, `^` regular
    /// expressions) instead of the file's `kafka.owns`; then no file is
    /// needed. Write it after `export`.
    #[arg(long, num_args = 1.., value_name = "PREFIX", global = true)]
    pub owns: Vec<String>,

    /// `export`: write the topic file here instead of stdout.
    #[arg(long, value_name = "PATH", global = true)]
    pub output_file: Option<PathBuf>,

    /// `export`: replace an existing `--output-file` (never a `--config`
    /// input).
    #[arg(long, global = true)]
    pub force: bool,

    /// `watch`: how often to converge; a topic file that changes is
    /// applied at once as well [default: 60s].
    #[arg(
        long,
        env = "KAFKA_INIT_INTERVAL",
        value_name = "DURATION",
        value_parser = parse_interval,
        global = true
    )]
    pub interval: Option<Duration>,

    /// `watch`: observe and report drift (logs, `/metrics`, `/readyz`),
    /// change nothing.
    #[arg(long, env = "KAFKA_INIT_REPORT_ONLY", global = true)]
    pub report_only: bool,

    /// `watch`: the address serving `/healthz`, `/readyz` and `/metrics`
    /// [default: 0.0.0.0:9464].
    #[arg(long, env = "KAFKA_INIT_LISTEN", value_name = "ADDR", global = true)]
    pub listen: Option<SocketAddr>,
}

#[derive(Subcommand, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Make the cluster match the file (the default). Exit 0: the topics are ready.
    Apply,
    /// Show what `apply` would change, changing nothing. Exit 0: nothing to
    /// do; 2: changes pending; 1: error.
    Plan,
    /// Validate the file offline, reporting every problem with
    /// file:line:column. Never contacts Kafka.
    Check,
    /// Wait until Kafka answers, within the deadline (for health checks and
    /// scripts).
    Wait,
    /// List the orphans: topics inside the file's `kafka.owns` that it does
    /// not declare and that are not protected. Read-only. Exit 0: none;
    /// 2: some; 1: error.
    Orphans,
    /// Write a topic file declaring the topics that exist inside `--owns`
    /// (or the file's `kafka.owns`), with their own configs only. Read-only.
    Export,
    /// Keep the cluster as the file declares: converge at start, every
    /// --interval and whenever a topic file changes; serve /healthz, /readyz
    /// and /metrics on --listen. Runs until SIGTERM or SIGINT (exit 0).
    Watch,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
    /// `plan` only: a table a pull request comment renders.
    Markdown,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Cli {
    /// The `--config` paths, for messages.
    pub fn config_display(&self) -> String {
        self.config
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `--max-deletions`, or its default.
    pub fn max_deletions(&self) -> usize {
        self.max_deletions.unwrap_or(5)
    }

    /// The policy file; an empty `KAFKA_INIT_POLICY` names none.
    pub fn policy(&self) -> Option<&Path> {
        self.policy.as_deref().filter(|p| !p.as_os_str().is_empty())
    }

    /// `--interval`, or its default.
    pub fn interval(&self) -> Duration {
        self.interval.unwrap_or(Duration::from_secs(60))
    }

    /// `--listen`, or its default.
    pub fn listen(&self) -> SocketAddr {
        self.listen
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 9464)))
    }

    /// The selected profile; an empty `KAFKA_INIT_PROFILE` selects none.
    pub fn profile(&self) -> Option<&str> {
        self.profile
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("{e} (write a duration such as `30s`, `2m` or `1m30s`)"))
}

/// A duration of at least a second: a tighter loop would only load the
/// cluster.
fn parse_interval(s: &str) -> Result<Duration, String> {
    let interval = parse_timeout(s)?;
    if interval < Duration::from_secs(1) {
        return Err("the interval must be at least 1s".to_owned());
    }
    Ok(interval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn timeouts_take_units() {
        assert_eq!(parse_timeout("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_timeout("60").is_err());
    }

    #[test]
    fn flags_work_before_and_after_the_subcommand() {
        let before = Cli::try_parse_from(["kafka-init", "--timeout", "5s", "plan"]).unwrap();
        let after = Cli::try_parse_from(["kafka-init", "plan", "--timeout", "5s"]).unwrap();
        assert_eq!(before.command, Some(Command::Plan));
        assert_eq!(before.timeout, after.timeout);
    }

    #[test]
    fn prune_flags() {
        let cli = Cli::try_parse_from(["kafka-init", "apply", "--prune"]).unwrap();
        assert!(cli.prune);
        assert_eq!(cli.max_deletions(), 5);
        assert_eq!(cli.prune_idle, Duration::from_secs(24 * 3600));
        let cli =
            Cli::try_parse_from(["kafka-init", "plan", "--prune", "--max-deletions", "9"]).unwrap();
        assert_eq!(cli.max_deletions(), 9);
        assert!(Cli::try_parse_from(["kafka-init", "apply", "--max-deletions", "many"]).is_err());
        let cli = Cli::try_parse_from(["kafka-init", "export", "--owns", "a.", "^b$"]).unwrap();
        assert_eq!(cli.command, Some(Command::Export));
        assert_eq!(cli.owns, ["a.", "^b$"]);
    }

    #[test]
    fn watch_flags_and_their_defaults() {
        let cli = Cli::try_parse_from(["kafka-init", "watch"]).unwrap();
        assert_eq!(cli.command, Some(Command::Watch));
        assert_eq!(cli.interval(), Duration::from_secs(60));
        assert_eq!(cli.listen().to_string(), "0.0.0.0:9464");
        assert!(!cli.report_only);
        let cli = Cli::try_parse_from([
            "kafka-init",
            "watch",
            "--interval",
            "10s",
            "--report-only",
            "--listen",
            "127.0.0.1:0",
            "--prune",
        ])
        .unwrap();
        assert_eq!(cli.interval(), Duration::from_secs(10));
        assert!(cli.report_only && cli.prune);
        assert_eq!(cli.listen().to_string(), "127.0.0.1:0");
        assert!(Cli::try_parse_from(["kafka-init", "watch", "--interval", "10ms"]).is_err());
    }
}
