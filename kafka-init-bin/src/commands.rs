//! The four subcommands.

use std::io::Write;
use std::time::Instant;

use kafka_init_core::{
    ensure_topics, existing_topics, orphans, plan, topic_file, wait_for_cluster, Action,
    EnsureOptions, Error, ExistingTopic, Namespace, Ownership, Plan, PlannedAction, TopicFile,
    TopicTable,
};
use serde::Serialize;

use crate::cli::{Cli, Command, LogFormat, Output};
use crate::exit::{self, Failure};
use crate::logging::Secrets;
use crate::settings::{self, Settings};

pub async fn run(command: Command, cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    check_flags(command, cli)?;
    match command {
        Command::Apply => apply(cli, secrets).await,
        Command::Plan => {
            policy_gate(cli)?;
            show_plan(cli, secrets).await.map_err(Failure::for_plan)
        }
        Command::Check => check(cli, secrets),
        Command::Wait => wait(cli, secrets).await,
        Command::Orphans => list_orphans(cli, secrets).await.map_err(|f| {
            // Like `plan`, every error is 1 (2 means "some"), except input
            // that was never sent anywhere.
            if f.code == exit::INVALID {
                f
            } else {
                f.for_plan()
            }
        }),
        Command::Export => export(cli, secrets).await,
    }
}

/// Flags that belong to one subcommand are refused on the others, so a
/// `--prune` never silently does nothing.
fn check_flags(command: Command, cli: &Cli) -> Result<(), Failure> {
    if cli.prune && !matches!(command, Command::Apply | Command::Plan) {
        return Err(Failure::invalid(
            "--prune applies to `apply` and `plan` only",
        ));
    }
    if (!cli.owns.is_empty() || cli.output_file.is_some()) && command != Command::Export {
        return Err(Failure::invalid(
            "--owns and --output-file apply to `export` only",
        ));
    }
    Ok(())
}

/// `options` for `apply` and `plan`: pruning when asked, in the file's
/// namespace.
fn with_prune(options: EnsureOptions, file: &TopicFile, cli: &Cli) -> EnsureOptions {
    if cli.prune {
        options
            .prune(cli.max_deletions)
            .ownership(file.ownership.clone())
    } else {
        options
    }
}

fn options(settings: &Settings, cli: &Cli) -> EnsureOptions {
    tracing::info!("Connecting to Kafka at {}", settings.bootstrap);
    let options = EnsureOptions::new(settings.bootstrap.clone());
    let options = match cli.profile() {
        Some(profile) => options.profile(profile),
        None => options,
    };
    options
        .timeout(cli.timeout)
        .broker_grace(cli.broker_grace)
        .client(settings.client.clone())
}

/// What `apply` and `plan` start from: the settings with their file, and
/// the options to connect with.
fn load_with_file(
    cli: &Cli,
    secrets: &Secrets,
) -> Result<(Settings, TopicFile, EnsureOptions), Failure> {
    let mut settings = settings::load(cli, secrets, false)?;
    let options = options(&settings, cli);
    let file = settings.file.take().expect("loaded with its file");
    Ok((settings, file, options))
}

async fn apply(cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    let started = Instant::now();
    let (settings, file, options) = load_with_file(cli, secrets)?;
    let options = with_prune(options, &file, cli);
    let report = ensure_topics(file.topics_for(cli.profile())?, &options).await?;
    for topic in &report.topics {
        match &topic.action {
            Action::Created(_) => tracing::info!("✅ Created topic: {}", topic.name),
            Action::Unchanged => tracing::info!("Topic {} already exists", topic.name),
            Action::Updated { .. } => tracing::info!(
                "🔄 Updated topic: {} ({})",
                topic.name,
                topic.action.changes()
            ),
            // The engine logs each deletion as it is made.
            Action::Deleted(_) => {}
        }
    }
    tracing::info!("All topics created successfully");
    if cli.output == Output::Json {
        print_json(
            secrets,
            &Envelope {
                status: "ok",
                bootstrap_servers: &settings.bootstrap,
                elapsed_ms: started.elapsed().as_millis(),
                body: &report,
            },
        );
    }
    Ok(exit::SUCCESS)
}

async fn show_plan(cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    let started = Instant::now();
    let (settings, file, options) = load_with_file(cli, secrets)?;
    let options = with_prune(options, &file, cli);
    let plan = plan(file.topics_for(cli.profile())?, &options).await?;
    let converged = plan.is_converged();
    match cli.output {
        Output::Text => {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{plan}");
            let _ = writeln!(out, "\nPlan: {}.", plan.summary());
        }
        Output::Json => {
            #[derive(Serialize)]
            struct PlanBody<'a> {
                converged: bool,
                #[serde(flatten)]
                plan: &'a Plan,
            }
            print_json(
                secrets,
                &Envelope {
                    status: if converged { "ok" } else { "changes_pending" },
                    bootstrap_servers: &settings.bootstrap,
                    elapsed_ms: started.elapsed().as_millis(),
                    body: &PlanBody {
                        converged,
                        plan: &plan,
                    },
                },
            );
        }
    }
    let refusals = Error::refusals(&plan);
    if !refusals.is_empty() {
        let lines: Vec<String> = refusals.iter().map(|e| format!("  {e}")).collect();
        return Err(Failure {
            code: exit::FAILURE,
            message: format!("apply would refuse:\n{}", lines.join("\n")),
        });
    }
    let pending = plan
        .topics
        .iter()
        .filter(|t| t.action != PlannedAction::Unchanged)
        .count();
    if converged {
        tracing::info!("The cluster matches the file");
        Ok(exit::SUCCESS)
    } else {
        tracing::info!("{pending} topic(s) would change");
        Ok(exit::CHANGES_PENDING)
    }
}

/// A topic file that breaks a policy (or a broken policy) fails `plan` with
/// 3, as it does `check` and `apply`: the platform's rules are not one of
/// plan's own errors (1), and nothing is sent.
fn policy_gate(cli: &Cli) -> Result<(), Failure> {
    match settings::load_topics(&cli.config, cli.policy()) {
        Err(e) if e.breaks_policy() => Err(Failure::invalid(e.to_string())),
        _ => Ok(()),
    }
}

fn check(cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    #[derive(Serialize)]
    struct Problem<'a> {
        /// The file the problem is in (one of several, or a directory's).
        file: String,
        line: usize,
        column: usize,
        message: &'a str,
    }
    #[derive(Serialize)]
    struct CheckBody<'a> {
        path: String,
        valid: bool,
        topics: Vec<&'a str>,
        profiles: Vec<&'a str>,
        problems: Vec<Problem<'a>>,
        /// What Kafka accepts but is likely a mistake: not a failure.
        warnings: Vec<Problem<'a>>,
    }
    let path = &cli.config;
    let shown = cli.config_display();
    let (file, failure): (Option<TopicFile>, _) = match settings::load_topics(path, cli.policy()) {
        Ok(file) => (Some(file), None),
        Err(e) => (None, Some(e)),
    };
    if let Some(file) = &file {
        file.topics_for(cli.profile())?;
    }
    // Client settings are checked too (offline: librdkafka parses them).
    let client_problems = match &file {
        Some(file) => match settings::client_for(file, secrets) {
            Ok(_) => Vec::new(),
            Err(f) => vec![f.message],
        },
        None => Vec::new(),
    };
    let mut problems: Vec<Problem> = failure
        .iter()
        .flat_map(|e| std::iter::once(e).chain(&e.others))
        .flat_map(|e| e.problems.iter().map(move |p| (e, p)))
        .map(|(e, p)| Problem {
            file: e.path.display().to_string(),
            line: p.line,
            column: p.column,
            message: &p.message,
        })
        .collect();
    problems.extend(client_problems.iter().map(|m| Problem {
        file: shown.clone(),
        line: 0,
        column: 0,
        message: m,
    }));
    let topics: Vec<&str> = file
        .iter()
        .flat_map(|f| f.topics.iter().map(|t| t.name.as_ref()))
        .collect();
    let profiles: Vec<&str> = file
        .iter()
        .flat_map(|f| f.profiles.iter().map(|p| p.name.as_ref()))
        .collect();
    let warnings: Vec<Problem> = file
        .iter()
        .flat_map(|f| &f.warnings)
        .map(|w| Problem {
            file: w.path.display().to_string(),
            line: w.problem.line,
            column: w.problem.column,
            message: &w.problem.message,
        })
        .collect();
    if cli.output != Output::Json {
        for warning in file.iter().flat_map(|f| &f.warnings) {
            match cli.log_format {
                LogFormat::Text => eprintln!("{}", secrets.scrub(&warning.to_string())),
                LogFormat::Json => tracing::warn!("{warning}"),
            }
        }
    }
    let valid = problems.is_empty();
    match cli.output {
        Output::Json => print_json(
            secrets,
            &CheckBody {
                path: shown.clone(),
                valid,
                topics: topics.clone(),
                profiles,
                problems,
                warnings,
            },
        ),
        Output::Text if valid && profiles.is_empty() => {
            println!("{shown}: OK, {} topic(s)", topics.len())
        }
        Output::Text if valid => println!(
            "{shown}: OK, {} topic(s), profiles {}",
            topics.len(),
            profiles.join(", ")
        ),
        Output::Text => {}
    }
    if valid {
        return Ok(exit::SUCCESS);
    }
    // Like a compiler: one `file:line:column: message` line per problem.
    let mut lines: Vec<String> = failure.iter().map(|e| e.to_string()).collect();
    lines.extend(client_problems.iter().map(|m| format!("{shown}: {m}")));
    for line in lines {
        match cli.log_format {
            LogFormat::Text => eprintln!("{}", secrets.scrub(&line)),
            LogFormat::Json => tracing::error!("{line}"),
        }
    }
    Ok(exit::INVALID)
}

async fn wait(cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    let settings = settings::load(cli, secrets, true)?;
    let options = options(&settings, cli);
    let cluster = wait_for_cluster(&options).await?;
    let (brokers, elapsed) = (cluster.brokers, cluster.elapsed);
    tracing::info!(
        "Kafka at {} is ready: {} broker(s), answered after {}ms",
        settings.bootstrap,
        brokers,
        elapsed.as_millis()
    );
    if cli.output == Output::Json {
        #[derive(Serialize)]
        struct WaitBody {
            brokers: usize,
        }
        print_json(
            secrets,
            &Envelope {
                status: "ok",
                bootstrap_servers: &settings.bootstrap,
                elapsed_ms: elapsed.as_millis(),
                body: &WaitBody { brokers },
            },
        );
    }
    Ok(exit::SUCCESS)
}

async fn list_orphans(cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    let started = Instant::now();
    let (settings, file, options) = load_with_file(cli, secrets)?;
    let found = orphans(&file.topics, &file.ownership, &options).await?;
    match cli.output {
        Output::Text => {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{}", TopicTable(&found));
            let _ = writeln!(out, "\n{} orphan(s).", found.len());
        }
        Output::Json => {
            #[derive(Serialize)]
            struct OrphansBody<'a> {
                orphans: &'a [ExistingTopic],
            }
            print_json(
                secrets,
                &Envelope {
                    status: if found.is_empty() { "ok" } else { "orphans" },
                    bootstrap_servers: &settings.bootstrap,
                    elapsed_ms: started.elapsed().as_millis(),
                    body: &OrphansBody { orphans: &found },
                },
            );
        }
    }
    if found.is_empty() {
        tracing::info!("No orphans");
        Ok(exit::SUCCESS)
    } else {
        tracing::info!("{} orphan(s)", found.len());
        Ok(exit::CHANGES_PENDING)
    }
}

async fn export(cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    let flag_owns = if cli.owns.is_empty() {
        None
    } else {
        let owns = Namespace::new(&cli.owns).map_err(|errors| {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  --owns `{}`: {}", cli.owns[e.index], e.message))
                .collect();
            Failure::invalid(format!("invalid --owns:\n{}", lines.join("\n")))
        })?;
        Some(owns)
    };
    let settings = settings::load(cli, secrets, flag_owns.is_some())?;
    let mut ownership = settings
        .file
        .as_ref()
        .map(|f| f.ownership.clone())
        .unwrap_or_else(Ownership::default);
    if flag_owns.is_some() {
        ownership.owns = flag_owns;
    }
    let options = options(&settings, cli);
    let topics = existing_topics(&ownership, &options).await?;
    let owns = ownership.owns.as_ref().expect("checked by existing_topics");
    let text = topic_file(&topics, owns);
    match &cli.output_file {
        Some(path) => std::fs::write(path, &text).map_err(|e| Failure {
            code: exit::FAILURE,
            message: format!("cannot write {}: {e}", path.display()),
        })?,
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    tracing::info!("Exported {} topic(s)", topics.len());
    Ok(exit::SUCCESS)
}

/// What `--output json` prints: the command's result with a status.
#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    status: &'static str,
    bootstrap_servers: &'a str,
    elapsed_ms: u128,
    #[serde(flatten)]
    body: &'a T,
}

/// Prints `value` as JSON on stdout, with every known secret scrubbed, as
/// from the log lines.
pub fn print_json(secrets: &Secrets, value: &impl Serialize) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", secrets.scrub(&text));
}
