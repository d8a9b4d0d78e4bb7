//! The one-shot subcommands (`watch` has its own module).

use std::io::Write;
use std::time::Instant;

use kafka_init_core::{
    ensure_topics, export as export_topics, plan, wait_for_cluster, AccessAction, AclBinding,
    Action, Cluster, Error, ExistingTopic, Namespace, Ownership, Plan, PlanMarkdown, PlannedAction,
    TopicFile, TopicTable,
};
use serde::Serialize;

use crate::cli::{Cli, Command, LogFormat, Output};
use crate::exit::{self, Failure};
use crate::logging::Secrets;
use crate::settings::{self, load_with_file, options, with_prune};

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
        Command::Watch => crate::watch::watch(cli, secrets).await,
    }
}

/// Flags that belong to one subcommand are refused on the others, so a
/// `--prune` never silently does nothing.
fn check_flags(command: Command, cli: &Cli) -> Result<(), Failure> {
    if cli.prune && !matches!(command, Command::Apply | Command::Plan | Command::Watch) {
        return Err(Failure::invalid(
            "--prune applies to `apply`, `plan` and `watch` only",
        ));
    }
    if cli.report_only && command != Command::Watch {
        return Err(Failure::invalid("--report-only applies to `watch` only"));
    }
    if !cli.prune && (cli.max_deletions.is_some() || cli.prune_in_use) {
        return Err(Failure::invalid(
            "--max-deletions and --prune-in-use apply with --prune only",
        ));
    }
    if (!cli.owns.is_empty() || cli.output_file.is_some() || cli.force)
        && command != Command::Export
    {
        return Err(Failure::invalid(
            "--owns, --output-file and --force apply to `export` only",
        ));
    }
    if cli.output == Output::Markdown && command != Command::Plan {
        return Err(Failure::invalid("--output markdown applies to `plan` only"));
    }
    Ok(())
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
            // The engine logs each deletion, and each orphan it keeps.
            _ => {}
        }
    }
    let deleted = report.deleted().count();
    if deleted == 0 {
        tracing::info!("All topics created successfully");
    } else if report.created().next().is_some() || report.updated().next().is_some() {
        tracing::info!("All topics created successfully; {deleted} orphan(s) deleted");
    } else {
        tracing::info!("All topics already in place; {deleted} orphan(s) deleted");
    }
    if !report.access.is_empty() {
        let count = |a: AccessAction| report.access.iter().filter(|r| r.action == a).count();
        tracing::info!(
            "Access in place: {} binding(s), {} granted, {} revoked",
            report.access.len() - count(AccessAction::Revoke),
            count(AccessAction::Grant),
            count(AccessAction::Revoke)
        );
    }
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
    let refusals = plan.refusals();
    let refused = (!refusals.is_empty()).then(|| {
        let lines: Vec<String> = refusals.iter().map(|e| format!("  {e}")).collect();
        Failure::new(
            exit::FAILURE,
            format!("apply would refuse:\n{}", lines.join("\n")),
        )
    });
    match cli.output {
        Output::Text => {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{plan}");
            let _ = writeln!(out, "\nPlan: {}.", plan.summary());
        }
        Output::Markdown => {
            let _ = write!(std::io::stdout().lock(), "{}", PlanMarkdown(&plan));
        }
        Output::Json => {
            // One document, with the refusal in it when there is one.
            #[derive(Serialize)]
            struct PlanBody<'a> {
                converged: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                exit_code: Option<u8>,
                #[serde(skip_serializing_if = "Option::is_none")]
                error: Option<&'a str>,
                #[serde(flatten)]
                plan: &'a Plan,
            }
            let status = match (&refused, converged) {
                (Some(_), _) => "error",
                (None, true) => "ok",
                (None, false) => "changes_pending",
            };
            print_json(
                secrets,
                &Envelope {
                    status,
                    bootstrap_servers: &settings.bootstrap,
                    elapsed_ms: started.elapsed().as_millis(),
                    body: &PlanBody {
                        converged,
                        exit_code: refused.as_ref().map(|f| f.code),
                        error: refused.as_ref().map(|f| f.message.as_str()),
                        plan: &plan,
                    },
                },
            );
        }
    }
    if let Some(mut failure) = refused {
        failure.reported = cli.output == Output::Json;
        return Err(failure);
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
        Output::Text | Output::Markdown => {}
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
    let options = options.prune_idle(cli.prune_idle);
    if file.ownership.owns.is_none() {
        return Err(Error::NoOwnership {
            operation: "listing orphans",
        }
        .into());
    }
    let cluster = Cluster::connect(&options).await?;
    let topics = file.topics_for(cli.profile())?;
    let found = cluster.orphans(topics, &file.ownership).await?;
    let access = cluster
        .access_orphans(options.access_entries(), &file.ownership)
        .await?;
    match cli.output {
        // `--output markdown` is refused before anything runs.
        Output::Text | Output::Markdown => {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{}", TopicTable(&found));
            if !access.is_empty() {
                let _ = writeln!(out, "ACCESS");
                for binding in &access {
                    let _ = writeln!(out, "{binding}");
                }
            }
            let _ = writeln!(
                out,
                "\n{} orphan(s), {} orphan binding(s).",
                found.len(),
                access.len()
            );
        }
        Output::Json => {
            #[derive(Serialize)]
            struct OrphansBody<'a> {
                orphans: &'a [ExistingTopic],
                access: &'a [AclBinding],
            }
            let none = found.is_empty() && access.is_empty();
            print_json(
                secrets,
                &Envelope {
                    status: if none { "ok" } else { "orphans" },
                    bootstrap_servers: &settings.bootstrap,
                    elapsed_ms: started.elapsed().as_millis(),
                    body: &OrphansBody {
                        orphans: &found,
                        access: &access,
                    },
                },
            );
        }
    }
    if found.is_empty() && access.is_empty() {
        tracing::info!("No orphans");
        Ok(exit::SUCCESS)
    } else {
        tracing::info!(
            "{} orphan(s), {} orphan binding(s)",
            found.len(),
            access.len()
        );
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
    if let Some(path) = &cli.output_file {
        check_output_file(path, cli)?;
    }
    let started = Instant::now();
    let options = options(&settings, cli);
    let exported = export_topics(&ownership, &options).await?;
    let written = match &cli.output_file {
        Some(path) => write_output_file(path, &exported.file, cli.force),
        None if cli.output == Output::Json => Ok(()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(exported.file.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write the export to stdout: {e}"))
        }
    };
    written.map_err(|message| Failure::new(exit::FAILURE, message))?;
    if cli.output == Output::Json {
        #[derive(Serialize)]
        struct ExportBody<'a> {
            topics: usize,
            bindings: usize,
            protected: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            output_file: Option<String>,
            /// The topic file itself, when it was not written to a file.
            #[serde(skip_serializing_if = "Option::is_none")]
            file: Option<&'a str>,
        }
        print_json(
            secrets,
            &Envelope {
                status: "ok",
                bootstrap_servers: &settings.bootstrap,
                elapsed_ms: started.elapsed().as_millis(),
                body: &ExportBody {
                    topics: exported.topics,
                    bindings: exported.bindings,
                    protected: &exported.protected,
                    output_file: cli.output_file.as_ref().map(|p| p.display().to_string()),
                    file: cli.output_file.is_none().then_some(exported.file.as_str()),
                },
            },
        );
        // The envelope went to stdout; a failed write shows as a broken
        // document, which the reader's parser reports.
    }
    tracing::info!(
        "Exported {} topic(s), {} binding(s){}",
        exported.topics,
        exported.bindings,
        match exported.protected.len() {
            0 => String::new(),
            n => format!(", {n} protected one(s) listed in `protect`"),
        }
    );
    Ok(exit::SUCCESS)
}

/// `--output-file` never replaces a topic file it was given as input, and
/// replaces anything else only with `--force`; checked before Kafka is
/// asked anything.
fn check_output_file(path: &std::path::Path, cli: &Cli) -> Result<(), Failure> {
    let target = canonical_target(path);
    for input in &cli.config {
        let Ok(input) = std::fs::canonicalize(input) else {
            continue;
        };
        if input == target || (input.is_dir() && target.parent() == Some(input.as_path())) {
            return Err(Failure::invalid(format!(
                "--output-file {} would replace the topic file it is exported from ({}); write it elsewhere",
                path.display(),
                input.display()
            )));
        }
    }
    if path.exists() && !cli.force {
        return Err(Failure::invalid(format!(
            "--output-file {} exists; give --force to replace it",
            path.display()
        )));
    }
    Ok(())
}

/// `path` as it will be written: its directory resolved, so a symlink or
/// `..` does not hide that it is an input.
fn canonical_target(path: &std::path::Path) -> std::path::PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    match (std::fs::canonicalize(dir), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

fn write_output_file(path: &std::path::Path, text: &str, force: bool) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(!force)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
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
