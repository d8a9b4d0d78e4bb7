//! The bench's independent writer: right after kafka-init exits 0, one
//! record to every partition of the topics listed in a file, through
//! `write_to_every_partition` (no retries, `acks=all`), as the first
//! service to start would.
//!
//! usage: write-probe BOOTSTRAP TOPICS.tsv
//! Each line of the file is `name<TAB>partitions[<TAB>...]`. Prints
//! `partitions N`, `acknowledged N`, `failed N` and up to ten failures;
//! exits 1 if any record failed.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bootstrap, list] = args.as_slice() else {
        eprintln!("usage: write-probe BOOTSTRAP TOPICS.tsv");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(list) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("write-probe: {list}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut topics = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        let mut fields = line.split('\t');
        let name = fields.next().unwrap_or_default();
        match fields.next().map(str::parse::<i32>) {
            Some(Ok(partitions)) if partitions > 0 => topics.push((name.to_owned(), partitions)),
            _ => {
                eprintln!("write-probe: {list}:{}: no partition count", n + 1);
                return ExitCode::from(2);
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let writes = runtime.block_on(kafka_init_test_support::write_to_every_partition(
        bootstrap, &topics,
    ));
    let partitions: i32 = topics.iter().map(|(_, p)| p).sum();
    println!("partitions {partitions}");
    println!("acknowledged {}", writes.acknowledged);
    println!("failed {}", writes.failures.len());
    for failure in writes.failures.iter().take(10) {
        println!("failure {failure}");
    }
    if writes.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
