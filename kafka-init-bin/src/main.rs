//! `kafka-init`: make the topics of a YAML file exist exactly as declared,
//! then exit 0 (ready) or non-zero (failed), so compose and Kubernetes can
//! gate services on it. `plan`, `check` and `wait` serve CI and scripts.

mod cli;
mod commands;
mod exit;
mod http;
mod logging;
mod metrics;
mod settings;
mod signals;
mod watch;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use cli::{Cli, Command, Output};
use logging::Secrets;

fn main() -> ExitCode {
    signals::exit_on_termination();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own code for a usage error is 2, which `plan` uses for
            // "changes pending".
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => exit::SUCCESS,
                _ => exit::INVALID,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let secrets = Secrets::default();
    logging::init(cli.log_format, secrets.clone());

    limit_malloc_arenas();
    // One thread is plenty: the run mostly waits on the broker, and
    // librdkafka does its I/O on threads of its own.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let command = cli.command.unwrap_or(Command::Apply);
    let result = runtime.block_on(commands::run(command, &cli, &secrets));
    let code = match result {
        Ok(code) => code,
        Err(failure) => {
            let message = secrets.scrub(&failure.message);
            if command == Command::Apply {
                tracing::error!("{}", failure.headline);
            }
            tracing::error!("{message}");
            if cli.output == Output::Json && !failure.reported {
                commands::print_json(
                    &secrets,
                    &serde_json::json!({
                        "status": "error",
                        "exit_code": failure.code,
                        "error": message,
                    }),
                );
            }
            failure.code
        }
    };
    // Leave librdkafka's background threads to the OS rather than wait
    // for them: the answer is known.
    runtime.shutdown_background();
    ExitCode::from(code)
}

/// glibc gives each thread that allocates its own arena, and librdkafka's
/// threads parse large responses: with one arena, a 1,000-topic run peaks
/// about 4 MB lower (BENCHMARKS.md). The allocation rate is far too low for
/// the shared arena's lock to matter.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
