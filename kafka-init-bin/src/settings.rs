//! What a run connects with: the topic file, the bootstrap servers and the
//! client properties, from flags, environment and file, in that order.

use std::path::{Path, PathBuf};

use kafka_init_core::{load_policy, ClientProperties, EnsureOptions, FileError, TopicFile};

use crate::cli::Cli;
use crate::exit::Failure;
use crate::logging::Secrets;

pub struct Settings {
    /// `None` only for `wait` without a file.
    pub file: Option<TopicFile>,
    pub bootstrap: String,
    pub client: ClientProperties,
}

/// `KAFKA_CLIENT_*` variables, already registered as secrets where they
/// hold one.
pub fn env_client(secrets: &Secrets) -> Result<ClientProperties, Failure> {
    let client = ClientProperties::from_env();
    secrets.add(client.secret_values());
    if client.get("bootstrap.servers").is_some() {
        return Err(Failure::invalid(
            "KAFKA_CLIENT_BOOTSTRAP_SERVERS is not used: set KAFKA_BOOTSTRAP_SERVERS (or --bootstrap-servers)",
        ));
    }
    Ok(client)
}

/// Loads the file and merges the client properties: the file's
/// `kafka.client`, then `KAFKA_CLIENT_*` over it.
pub fn load_file(
    paths: &[PathBuf],
    policy: Option<&Path>,
    secrets: &Secrets,
) -> Result<(TopicFile, ClientProperties), Failure> {
    let env = env_client(secrets)?;
    let file = load_topics(paths, policy).map_err(|e| Failure::invalid(e.to_string()))?;
    client_with(&file, env, secrets).map(|client| (file, client))
}

/// The client properties of a loaded `file`, `KAFKA_CLIENT_*` over them,
/// checked (`check` has the file already: it is not read again).
pub fn client_for(file: &TopicFile, secrets: &Secrets) -> Result<ClientProperties, Failure> {
    client_with(file, env_client(secrets)?, secrets)
}

fn client_with(
    file: &TopicFile,
    env: ClientProperties,
    secrets: &Secrets,
) -> Result<ClientProperties, Failure> {
    let mut client = file.client.clone();
    secrets.add(client.secret_values());
    client.extend(&env);
    checked(client, "kafka.client or KAFKA_CLIENT_*")
}

/// The topic files, checked against the policy file `policy` (if any) as
/// well as their own policies. A broken policy file is the error.
pub fn load_topics(paths: &[PathBuf], policy: Option<&Path>) -> Result<TopicFile, FileError> {
    let policy = policy.map(load_policy).transpose()?;
    TopicFile::load_all_with_policy(paths, policy.as_ref())
}

/// `client`, if librdkafka accepts every property; else every refusal,
/// saying where the properties came from (`sources`).
fn checked(client: ClientProperties, sources: &str) -> Result<ClientProperties, Failure> {
    let problems = client.check();
    if problems.is_empty() {
        return Ok(client);
    }
    Err(Failure::invalid(format!(
        "invalid client properties ({sources}):\n  {}",
        problems.join("\n  ")
    )))
}

/// Everything a command that talks to Kafka needs. `file_optional`: go on
/// without the file when it does not exist and the servers come from a
/// flag or the environment (`wait`).
pub fn load(cli: &Cli, secrets: &Secrets, file_optional: bool) -> Result<Settings, Failure> {
    let flag_servers = cli
        .bootstrap_servers
        .clone()
        .filter(|s| !s.trim().is_empty());
    let (file, client) =
        if file_optional && flag_servers.is_some() && !cli.config.iter().any(|p| p.exists()) {
            (None, checked(env_client(secrets)?, "KAFKA_CLIENT_*")?)
        } else {
            tracing::info!("Loading configuration from {}", cli.config_display());
            let (file, client) = load_file(&cli.config, cli.policy(), secrets)?;
            for warning in &file.warnings {
                tracing::warn!("{}", secrets.scrub(&warning.to_string()));
            }
            (Some(file), client)
        };
    let profile = cli.profile();
    if let Some(file) = &file {
        // An unknown profile fails here, before anything is sent.
        file.topics_for(profile)?;
    }
    let bootstrap = flag_servers
        .or_else(|| {
            file.as_ref()
                .and_then(|f| f.bootstrap_servers_for(profile).map(str::to_owned))
        })
        .ok_or_else(|| {
            Failure::invalid(format!(
                "no bootstrap servers: set KAFKA_BOOTSTRAP_SERVERS, --bootstrap-servers or kafka.bootstrap_servers in {}",
                cli.config_display()
            ))
        })?;
    Ok(Settings {
        file,
        bootstrap,
        client,
    })
}

/// `options` for `apply`, `plan` and `watch`: pruning when asked, in the file's
/// namespace.
pub fn with_prune(options: EnsureOptions, file: &TopicFile, cli: &Cli) -> EnsureOptions {
    if cli.prune {
        options
            .prune(cli.max_deletions())
            .ownership(file.ownership.clone())
            .prune_idle(cli.prune_idle)
            .prune_in_use(cli.prune_in_use)
    } else {
        options
    }
}

pub fn options(settings: &Settings, cli: &Cli) -> EnsureOptions {
    tracing::info!("Connecting to Kafka at {}", settings.bootstrap);
    EnsureOptions::new(settings.bootstrap.clone())
        .timeout(cli.timeout)
        .broker_grace(cli.broker_grace)
        .client(settings.client.clone())
}

/// What `apply` and `plan` start from: the settings with their file, and
/// the options to connect with.
pub fn load_with_file(
    cli: &Cli,
    secrets: &Secrets,
) -> Result<(Settings, TopicFile, EnsureOptions), Failure> {
    let mut settings = load(cli, secrets, false)?;
    let file = settings.file.take().expect("loaded with its file");
    // The file's access, as the profile sees it, is granted with its topics.
    let options = options(&settings, cli)
        .ownership(file.ownership.clone())
        .access(file.access_for(cli.profile())?.iter().cloned());
    Ok((settings, file, options))
}
