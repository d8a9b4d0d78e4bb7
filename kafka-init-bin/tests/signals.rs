//! SIGTERM and SIGINT end a run at once with 128 + the signal, never 0
//! (as PID 1 of a container, kafka-init would otherwise ignore them).
//! Needs no broker: the run is stopped while it retries a closed port.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stopped_by(signal: libc::c_int, log_format: &str) -> (i32, Duration, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-init"));
    child
        .args([
            "wait",
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--timeout",
            "30s",
        ])
        .args(["--log-format", log_format])
        .env_remove("KAFKA_INIT_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // A run started in the background by a non-interactive shell inherits
    // SIGINT ignored, and kafka-init keeps an inherited ignore (as shells'
    // background jobs expect): the child starts with the default action,
    // whatever the test runner inherited.
    // SAFETY: signal(2) is async-signal-safe, the only call between fork
    // and exec here.
    unsafe {
        child.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = child.spawn().unwrap();
    // The first log line comes after the handlers are in place.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut stderr = String::new();
    err.read_line(&mut stderr).unwrap();
    assert!(!stderr.is_empty(), "kafka-init wrote nothing");
    let start = Instant::now();
    // SAFETY: kill(2) on the pid of a child this test owns.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = child.wait().unwrap();
    let elapsed = start.elapsed();
    err.read_to_string(&mut stderr).unwrap();
    (
        status.code().expect("an exit code, not death by signal"),
        elapsed,
        stderr,
    )
}

#[test]
fn sigterm_ends_the_run_at_once_with_143() {
    let (code, elapsed, stderr) = stopped_by(libc::SIGTERM, "text");
    assert_eq!(code, 143, "{stderr}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert!(
        stderr.contains("stopped by SIGTERM before the run finished"),
        "{stderr}"
    );
}

#[test]
fn sigint_ends_the_run_with_130_and_a_json_line_in_json_mode() {
    let (code, _, stderr) = stopped_by(libc::SIGINT, "json");
    assert_eq!(code, 130, "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    let line: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {last}"));
    assert_eq!(line["level"], "ERROR");
    assert!(
        line["fields"]["message"]
            .as_str()
            .unwrap()
            .contains("SIGINT"),
        "{last}"
    );
}
