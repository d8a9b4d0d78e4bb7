//! The hostile-input corpus (`tests/hostile/`) against the binary and the
//! real broker. For every case: a non-zero exit within seconds, a readable
//! error (with file:line where the problem has a line), no panic, bounded
//! memory, and nothing created on the broker, not even the valid topic
//! beside the bad one.
//!
//! A corpus file says what to expect in its first lines:
//! `# expect: <text the error contains>` and, when the problem has a place,
//! `# line: <N>`. `@P@` in a file is replaced by a prefix unique to the run,
//! so whatever the file's topics are called, the broker is checked for them.

use kafka_init_test_support as support;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::*;

/// Address space allowed to the binary: a safety net, so that a parse
/// that expanded an alias bomb dies of it instead of taking the machine.
/// (Generous: glibc reserves 64 MiB of address space per malloc arena.)
/// The assertion is on resident memory, below.
const ADDRESS_SPACE: u64 = 4 << 30;
/// Resident memory a hostile file may cost the binary; the 100,000-topic
/// file (3.5 MB) is allowed more, in proportion to its size.
const MAX_RSS_KB: i64 = 128 * 1024;
const MAX_RSS_KB_100K: i64 = 512 * 1024;
/// "Within seconds": a contract check with room for a debug build on a
/// busy CI machine, not a benchmark.
const WITHIN: Duration = Duration::from_secs(20);
/// The 100,000-topic file: debug builds of the YAML parsers take 20-30 s
/// for it on the 2-core CI machine; the release binary a fraction of that.
const WITHIN_100K: Duration = Duration::from_secs(if cfg!(debug_assertions) { 90 } else { 20 });

const BIG: &str = "100,000 topics";

struct Case {
    name: String,
    path: PathBuf,
    expect: String,
    line: Option<usize>,
    /// Run the binary as this uid (root reads any file, whatever its mode),
    /// from a copy that uid can execute wherever the checkout lives.
    uid: Option<(u32, PathBuf)>,
}

/// What a corpus file without a header (it must stay empty, or is binary)
/// should produce.
fn built_in_expectation(name: &str) -> Option<(&'static str, Option<usize>)> {
    match name {
        "empty.yaml" => Some(("the file is empty", Some(1))),
        "binary-garbage.bin" => Some(("not UTF-8", Some(1))),
        _ => None,
    }
}

fn header(bytes: &[u8], key: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}: ")).map(str::to_owned))
}

/// Runs the binary on `path` with a memory limit; returns its output, how
/// long it took and its peak resident memory.
fn run(path: &Path, uid: Option<&(u32, PathBuf)>) -> (Output, Duration, i64) {
    let exe = match uid {
        Some((_, copy)) => copy.as_path(),
        None => Path::new(env!("CARGO_BIN_EXE_kafka-init")),
    };
    let uid = uid.map(|(uid, _)| *uid);
    let mut cmd = Command::new(exe);
    cmd.arg("--config")
        .arg(path)
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
        .env("KAFKA_INIT_TIMEOUT", "30s")
        .env("RUST_BACKTRACE", "0")
        .env_remove("KAFKA_INIT_HOSTILE_UNSET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if let Some(uid) = uid {
                if libc::setgid(uid) != 0 || libc::setuid(uid) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn kafka-init");
    let pid = child.id() as libc::pid_t;
    // Read the output on threads, then reap with wait4 for the child's own
    // peak memory.
    let Output { stdout, stderr, .. } = {
        let mut child = child;
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let read = |mut r: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                r.read_to_end(&mut buf).ok();
                buf
            })
        };
        let (o, e) = (read(Box::new(out)), read(Box::new(err)));
        // The child is reaped by wait4 below, not by `Child`.
        std::mem::forget(child);
        Output {
            status: std::process::ExitStatus::default(),
            stdout: o.join().unwrap(),
            stderr: e.join().unwrap(),
        }
    };
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet reaped.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    let elapsed = started.elapsed();
    use std::os::unix::process::ExitStatusExt;
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout,
        stderr,
    };
    (output, elapsed, usage.ru_maxrss)
}

fn corpus(prefix: &str, dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(repo_path("tests/hostile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for source in entries {
        let name = source.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&source).unwrap();
        let (expect, line) = match header(&bytes, "expect") {
            Some(expect) => (
                expect,
                header(&bytes, "line").map(|l| l.parse().expect("# line: N")),
            ),
            None => {
                let (e, l) = built_in_expectation(&name)
                    .unwrap_or_else(|| panic!("{name}: no `# expect:` header"));
                (e.to_owned(), l)
            }
        };
        // Substitute on bytes: some files are not UTF-8 on purpose.
        let text = replace_bytes(&bytes, b"@P@", prefix.as_bytes());
        let path = dir.join(&name);
        std::fs::write(&path, text).unwrap();
        cases.push(Case {
            name,
            path,
            expect,
            line,
            uid: None,
        });
    }
    cases
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// Cases made at test time: paths that are not files, and a file too big
/// to commit.
fn generated(prefix: &str, dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut case = |name: &str, path: PathBuf, expect: &str, line: Option<usize>| {
        cases.push(Case {
            name: name.into(),
            path,
            expect: expect.into(),
            line,
            uid: None,
        })
    };
    // A directory is read as its `*.yaml` / `*.yml` files; one with none
    // is no topic file.
    let empty = dir.join("no-topic-files");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "not a topic file").unwrap();
    case(
        "a directory without topic files",
        empty,
        "the directory holds no topic file",
        None,
    );
    case(
        "a missing file",
        dir.join("no-such-file.yaml"),
        "cannot read file: No such file or directory",
        None,
    );
    // An endless "file": read whole, it would exhaust memory.
    case(
        "/dev/zero",
        PathBuf::from("/dev/zero"),
        "larger than 16 MiB",
        None,
    );

    // 100,000 valid topics, then one with zero partitions: the error names
    // the last topic's line, and none of the 100,000 is created.
    let mut big = String::with_capacity(4 << 20);
    big.push_str("kafka:\n  topics:\n");
    for i in 0..100_000 {
        big.push_str(&format!("    t{i}:\n      name: \"{prefix}.t{i}\"\n"));
    }
    let bad_line = 2 + 2 * 100_000 + 3;
    big.push_str(&format!(
        "    bad:\n      name: \"{prefix}.bad\"\n      partitions: 0\n"
    ));
    let path = dir.join("100k-topics.yaml");
    std::fs::write(&path, big).unwrap();
    case(
        BIG,
        path,
        "partitions must be at least 1, got 0",
        Some(bad_line),
    );

    // Unreadable: mode 000. Root reads any file whatever its mode, so as
    // root the binary runs as `nobody` (uid 65534) for this case.
    let path = dir.join("unreadable.yaml");
    std::fs::write(
        &path,
        format!("kafka:\n  topics:\n    ok:\n      name: \"{prefix}.unreadable\"\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    // The checkout (and the binary in its target dir) may sit under a
    // directory only root may enter: `nobody` runs a copy from `dir`.
    let uid = root.then(|| {
        let copy = dir.join("kafka-init");
        std::fs::copy(env!("CARGO_BIN_EXE_kafka-init"), &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        (65534, copy)
    });
    cases.push(Case {
        name: "an unreadable file".into(),
        path,
        expect: "cannot read file: Permission denied".into(),
        line: None,
        uid,
    });
    cases
}

#[test]
fn every_hostile_file_fails_fast_and_readably_and_creates_nothing() {
    let prefix = unique("hostile");
    let dir = std::env::temp_dir().join(&prefix);
    std::fs::create_dir_all(&dir).unwrap();
    // `nobody` must be able to reach the unreadable file to be refused it.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut cases = corpus(&prefix, &dir);
    let files = cases.len();
    assert!(files >= 25, "the corpus has only {files} files");
    cases.extend(generated(&prefix, &dir));

    let mut failures = Vec::new();
    let mut table = Vec::new();
    for case in &cases {
        let (out, elapsed, rss_kb) = run(&case.path, case.uid.as_ref());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut wrong = Vec::new();
        match out.status.code() {
            Some(0) => wrong.push("exit 0".to_owned()),
            Some(_) => {}
            None => wrong.push(format!("killed: {:?}", out.status)),
        }
        let (within, max_rss) = if case.name == BIG {
            (WITHIN_100K, MAX_RSS_KB_100K)
        } else {
            (WITHIN, MAX_RSS_KB)
        };
        if elapsed > within {
            wrong.push(format!("took {elapsed:?}"));
        }
        if rss_kb > max_rss {
            wrong.push(format!("peak memory {rss_kb} KB"));
        }
        if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
            wrong.push("panicked".into());
        }
        if !stderr.contains(&case.expect) {
            wrong.push(format!("no `{}` in the error", case.expect));
        }
        if let Some(line) = case.line {
            let place = format!("{}:{line}:", case.path.display());
            if !stderr.contains(&place) {
                wrong.push(format!("no `{place}` in the error"));
            }
        }
        let first = stderr
            .lines()
            .find(|l| l.starts_with("kafka-init: "))
            .unwrap_or("")
            .chars()
            .take(160)
            .collect::<String>();
        table.push(format!(
            "{:<40} exit {:?} {:>6.0?} {:>7} KB  {first}",
            case.name,
            out.status.code(),
            elapsed,
            rss_kb
        ));
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{stderr}", case.name, wrong.join("; ")));
        }
    }
    eprintln!("{}", table.join("\n"));

    // Nothing reached the broker: no topic of this run exists.
    let created: Vec<String> = metadata()
        .topics()
        .iter()
        .map(|t| t.name().to_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    assert!(created.is_empty(), "created on the broker: {created:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    std::fs::remove_dir_all(&dir).ok();
}
