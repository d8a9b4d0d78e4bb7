//! A service that provisions its own topics at startup.
//!
//! `config/default.yaml` is checked when this example compiles; each topic
//! name becomes a constant (`topics::DC_WORKLOAD`). At run time one call
//! makes every topic exist, with no file to ship.
//!
//! ```sh
//! KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092 cargo run --example self_provision
//! ```

kafka_init::include_topics!("config/default.yaml");

#[tokio::main]
async fn main() -> Result<(), kafka_init::Error> {
    let report = topics::ensure_topics().await?;
    print!("{report}");
    // A typo here (`topics::DC_WORKLAOD`) would not compile.
    println!("producing to {}", topics::DC_WORKLOAD);
    Ok(())
}
