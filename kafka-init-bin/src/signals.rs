//! SIGTERM and SIGINT end the run at once, with exit code 128 + the signal
//! (143, 130): never 0, since a run cut short has not converged. `watch`
//! is different: stopping is its normal end, so it stops gracefully with 0
//! (`stop_gracefully`).
//!
//! In a container kafka-init is PID 1, and the kernel does not apply a
//! signal's default action to PID 1 of a PID namespace: without a handler,
//! `docker stop` and a Kubernetes pod deletion would wait out their grace
//! period and then SIGKILL. A request already sent is atomic on the broker
//! (one CreateTopics is one metadata batch), and a re-run converges from
//! whatever state the cluster is in, so stopping between requests is safe.

use std::sync::OnceLock;

/// The line written on stderr before exiting, per signal, prepared before
/// the handler is installed: the handler itself only calls `write` and
/// `_exit`, both async-signal-safe.
static MESSAGES: OnceLock<[(libc::c_int, Vec<u8>); 2]> = OnceLock::new();

/// Installs the handler for SIGTERM and SIGINT, unless the signal is
/// ignored (as a shell's background job ignores SIGINT).
pub fn exit_on_termination() {
    let json = json_logs();
    MESSAGES.get_or_init(|| {
        [
            message(libc::SIGTERM, "SIGTERM", json),
            message(libc::SIGINT, "SIGINT", json),
        ]
    });
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: sigaction with a zeroed, then filled, struct; the handler
        // is async-signal-safe (see `on_signal`).
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// For `watch`: SIGTERM and SIGINT no longer end the process at once; the
/// returned future resolves, with the signal's name, when either arrives.
/// Must be called inside the async runtime.
pub fn stop_gracefully() -> std::io::Result<impl std::future::Future<Output = &'static str>> {
    use tokio::signal::unix::{signal, SignalKind};
    for s in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: sigaction with a zeroed struct, SIG_DFL as the action.
        // tokio's handler, installed next, chains to a previous handler
        // that is a function: ours (`_exit`) must be gone first.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(s, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction != libc::SIG_IGN
            {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = libc::SIG_DFL;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(s, &action, std::ptr::null_mut());
            }
        }
    }
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    })
}

extern "C" fn on_signal(signal: libc::c_int) {
    if let Some(messages) = MESSAGES.get() {
        for (s, line) in messages {
            if *s == signal {
                // SAFETY: write(2) on a valid buffer; the result does not matter.
                unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
            }
        }
    }
    // SAFETY: _exit(2) is async-signal-safe and skips atexit handlers and
    // destructors, which may hold locks the interrupted code holds.
    unsafe { libc::_exit(128 + signal) };
}

fn message(signal: libc::c_int, name: &str, json: bool) -> (libc::c_int, Vec<u8>) {
    let text = format!(
        "stopped by {name} before the run finished (exit {}): a re-run converges",
        128 + signal
    );
    let line = if json {
        let message = serde_json::to_string(&text).unwrap_or_default();
        format!("{{\"level\":\"ERROR\",\"fields\":{{\"message\":{message}}},\"target\":\"kafka_init\"}}\n")
    } else {
        format!("ERROR {text}\n")
    };
    (signal, line.into_bytes())
}

/// Whether stderr carries JSON lines (`--log-format json`, or
/// `KAFKA_INIT_LOG_FORMAT=json` without the flag), read before clap runs.
fn json_logs() -> bool {
    let args: Vec<String> = std::env::args().collect();
    for (i, arg) in args.iter().enumerate() {
        if let Some(value) = arg.strip_prefix("--log-format=") {
            return value == "json";
        }
        if arg == "--log-format" {
            return args.get(i + 1).is_some_and(|v| v == "json");
        }
    }
    std::env::var("KAFKA_INIT_LOG_FORMAT").is_ok_and(|v| v == "json")
}
