//! One connection for a plan, its apply and a second look: the `Cluster`
//! handle. `cargo run --example cluster -- config/default.yaml localhost:9092`
//! exits 0 once the cluster matches the file (7 if a second plan still
//! finds changes).
use kafka_init::{Cluster, EnsureOptions, TopicFile};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (path, bootstrap) = (args.next().unwrap(), args.next().unwrap());
    let file = TopicFile::load(&path)?;
    let specs = file.topics_for(None)?;
    let cluster = Cluster::connect(&EnsureOptions::new(bootstrap)).await?;
    let plan = cluster.plan(specs).await?;
    let report = cluster.apply(&plan).await?;
    let again = cluster.plan(specs).await?;
    println!("{report}");
    std::process::exit(if again.is_converged() { 0 } else { 7 })
}
