//! `watch`: the library's `Cluster::watch` loop, fed by the topic files
//! (re-read when their content changes) and reported over HTTP.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kafka_init_core::{
    topic_files, Cluster, Declared, EnsureOptions, Outcome, Pass, PlannedAction, Trigger,
    WatchOptions,
};
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::sync::watch::Sender;

use crate::cli::Cli;
use crate::exit::{self, Failure};
use crate::logging::Secrets;
use crate::metrics::Status;
use crate::settings::{self, load_with_file, with_prune};
use crate::{http, signals};

/// How long the pass in progress may take to finish after SIGTERM before
/// it is abandoned: well inside the 5 s a stop is promised in.
const FINISH_PASS: Duration = Duration::from_secs(3);

pub async fn watch(cli: &Cli, secrets: &Secrets) -> Result<u8, Failure> {
    let stop = signals::stop_gracefully()
        .map_err(|e| Failure::new(exit::FAILURE, format!("cannot handle signals: {e}")))?;
    let (_, file, options) = load_with_file(cli, secrets)?;
    let specs = file.topics_for(cli.profile())?.to_vec();
    let access = file.access_for(cli.profile())?.to_vec();
    // Refused at start, as `apply` refuses it, rather than by every pass.
    if cli.prune && file.ownership.owns.is_none() {
        return Err(Failure::from(kafka_init_core::Error::NoOwnership {
            operation: "pruning",
        }));
    }
    // Orphans are counted as drift whenever the file owns a namespace;
    // they are deleted only with --prune.
    let options = with_prune(options.ownership(file.ownership.clone()), &file, cli);
    let status = Arc::new(Status::new(secrets.clone()));
    status.file(true, Some(specs.len()));

    let listen = cli.listen();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure::new(exit::FAILURE, format!("cannot listen on {listen}: {e}")))?;
    let address = listener.local_addr().unwrap_or(listen);
    tracing::info!("Serving /healthz, /readyz and /metrics on {address}");
    tokio::spawn(http::serve(listener, Arc::clone(&status)));

    let (specs_tx, specs_rx) = tokio::sync::watch::channel(Declared::new(specs, access));
    let events = watch_files(cli)
        .map_err(|e| Failure::new(exit::FAILURE, format!("cannot watch the topic files: {e}")))?;
    let reloading = tokio::spawn(reload(
        cli_paths(cli),
        events,
        specs_tx,
        Arc::clone(&status),
        fingerprint(&cli.config, cli.policy()),
    ));

    let interval = cli.interval();
    let looping = async {
        let cluster = connect(&options, interval, &status, secrets).await?;
        let settings = WatchOptions::every(interval).report_only(cli.report_only);
        tracing::info!(
            "Watching {} topic(s) every {}{}",
            specs_rx.borrow().topics.len(),
            humantime::format_duration(interval),
            if cli.report_only { ", report-only" } else { "" }
        );
        cluster
            .watch(specs_rx, settings, |pass| {
                log_pass(pass);
                status.record(pass);
            })
            .await;
        Ok::<(), Failure>(())
    };
    tokio::pin!(looping);
    tokio::select! {
        ended = &mut looping => ended?,
        signal = stop => {
            tracing::info!("{signal}: stopping after the pass in progress (at most {}s)", FINISH_PASS.as_secs());
            // Without the sender the loop ends after its pass.
            reloading.abort();
            if tokio::time::timeout(FINISH_PASS, &mut looping).await.is_err() {
                tracing::info!("Abandoned the pass in progress: a re-run converges from wherever it stopped");
            }
        }
    }
    tracing::info!("Stopped");
    Ok(exit::SUCCESS)
}

/// Connects, retrying with doubling pauses up to `interval` while the
/// cluster does not answer. Invalid settings (3) and refused credentials
/// (6) end the run as they end `apply`: connection settings are read at
/// start, so only a restart (with the Secret fixed) can mend them.
async fn connect(
    options: &EnsureOptions,
    interval: Duration,
    status: &Status,
    secrets: &Secrets,
) -> Result<Cluster, Failure> {
    let mut pause = Duration::from_secs(1);
    loop {
        match Cluster::connect(options).await {
            Ok(cluster) => return Ok(cluster),
            Err(e) => {
                let failure = Failure::from(e);
                if failure.code == exit::INVALID || failure.code == exit::AUTHENTICATION {
                    return Err(failure);
                }
                let why = secrets.scrub(&failure.message);
                tracing::error!(
                    "Cannot connect: {why}; retrying in {}",
                    humantime::format_duration(pause)
                );
                status.failed(format!("cannot connect: {why}"));
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(interval);
            }
        }
    }
}

fn log_pass(pass: &Pass) {
    let took = format!("{} ms", pass.duration.as_millis());
    let next = humantime::format_duration(pass.next_in);
    match &pass.outcome {
        Outcome::Applied(report) => {
            let mut changed = 0;
            for topic in &report.topics {
                if topic.action == kafka_init_core::Action::Unchanged {
                    continue;
                }
                changed += 1;
                // Between passes of the same file, a change is drift.
                if matches!(pass.trigger, Trigger::Interval | Trigger::Retry) {
                    tracing::warn!("Drift fixed: {}: {}", topic.name, topic.action);
                } else {
                    tracing::info!("{}: {}", topic.name, topic.action);
                }
            }
            let mut bindings = 0;
            for row in &report.access {
                if row.action == kafka_init_core::AccessAction::Unchanged {
                    continue;
                }
                bindings += 1;
                if matches!(pass.trigger, Trigger::Interval | Trigger::Retry) {
                    tracing::warn!("Drift fixed: access: {row}");
                }
            }
            let access = match bindings {
                0 => String::new(),
                n => format!(", {n} binding(s) granted or revoked"),
            };
            tracing::info!(
                "Pass {} ({:?}): {} topic(s) in place, {changed} changed{access}, {} request(s), {took}; next in {next}",
                pass.number,
                pass.trigger,
                pass.declared,
                report.requests.total()
            );
        }
        Outcome::Observed(plan) => {
            for topic in plan
                .topics
                .iter()
                .filter(|t| t.action != PlannedAction::Unchanged)
            {
                tracing::warn!("Drift (report-only): {}: {}", topic.name, topic.action);
            }
            tracing::info!(
                "Pass {} ({:?}, report-only): {}, {took}; next in {next}",
                pass.number,
                pass.trigger,
                plan.summary()
            );
        }
        Outcome::Failed(e) => {
            tracing::error!(
                "Pass {} ({:?}) failed after {took}: {e}; retrying in {next}",
                pass.number,
                pass.trigger
            );
        }
        _ => {}
    }
    if let Some(drift) = &pass.drift {
        if !drift.orphan.is_empty() && !matches!(pass.outcome, Outcome::Applied(_)) {
            tracing::warn!("Orphans: {}", drift.orphan.join(", "));
        }
    }
}

/// What reloading needs of the command line.
struct Paths {
    config: Vec<PathBuf>,
    policy: Option<PathBuf>,
    profile: Option<String>,
}

fn cli_paths(cli: &Cli) -> Paths {
    Paths {
        config: cli.config.clone(),
        policy: cli.policy().map(Path::to_path_buf),
        profile: cli.profile().map(str::to_owned),
    }
}

/// Events in the directories of the topic files and the policy file: a
/// file written in place, renamed over, or a ConfigMap's `..data` symlink
/// swapped all show there (the file's own inode may be replaced).
fn watch_files(cli: &Cli) -> notify::Result<(notify::RecommendedWatcher, UnboundedReceiver<()>)> {
    let (tx, rx) = unbounded_channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading the files ourselves must not count as a change.
        if let Ok(event) = event {
            if !matches!(event.kind, EventKind::Access(_)) {
                let _ = tx.send(());
            }
        }
    })?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for path in cli.config.iter().map(PathBuf::as_path).chain(cli.policy()) {
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        if !dirs.contains(&dir) {
            watcher.watch(&dir, RecursiveMode::NonRecursive)?;
            dirs.push(dir);
        }
    }
    Ok((watcher, rx))
}

/// Re-reads the files after each burst of events; when their content
/// changed, a valid file replaces the specs in force, and an invalid one
/// is reported at `file:line` while the last good file stays in force.
async fn reload(
    paths: Paths,
    (_watcher, mut events): (notify::RecommendedWatcher, UnboundedReceiver<()>),
    specs: Sender<Declared>,
    status: Arc<Status>,
    mut last: u64,
) {
    while events.recv().await.is_some() {
        // Editors and the kubelet write in several steps: let them finish.
        tokio::time::sleep(Duration::from_millis(200)).await;
        while events.try_recv().is_ok() {}
        let now = fingerprint(&paths.config, paths.policy.as_deref());
        if now == last {
            continue;
        }
        last = now;
        let loaded = settings::load_topics(&paths.config, paths.policy.as_deref())
            .map_err(|e| e.to_string())
            .and_then(|file| {
                let profile = paths.profile.as_deref();
                let topics = file.topics_for(profile).map_err(|e| e.to_string())?;
                let access = file.access_for(profile).map_err(|e| e.to_string())?;
                Ok(Declared::new(topics.to_vec(), access.to_vec()))
            });
        match loaded {
            Ok(new) => {
                tracing::info!(
                    "Topic file changed: {} topic(s), {} access entr(ies); converging now",
                    new.topics.len(),
                    new.access.as_ref().map_or(0, Vec::len)
                );
                status.file(true, Some(new.topics.len()));
                specs.send_replace(new);
            }
            Err(problems) => {
                for line in problems.lines() {
                    tracing::error!("{line}");
                }
                tracing::error!("The topic file is invalid; the last good one stays in force");
                status.file(false, None);
            }
        }
    }
}

/// A hash of the topic files' and the policy file's names and content
/// (or why they could not be read): content, not timestamps, decides
/// whether anything changed.
fn fingerprint(config: &[PathBuf], policy: Option<&Path>) -> u64 {
    let mut hasher = DefaultHasher::new();
    let files = match topic_files(config) {
        Ok(files) => files,
        Err(e) => {
            e.to_string().hash(&mut hasher);
            Vec::new()
        }
    };
    for path in files.iter().map(PathBuf::as_path).chain(policy) {
        path.hash(&mut hasher);
        match std::fs::read(path) {
            Ok(bytes) => bytes.hash(&mut hasher),
            Err(e) => e.kind().to_string().hash(&mut hasher),
        }
    }
    hasher.finish()
}
