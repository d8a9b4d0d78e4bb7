//! Malformed `${VAR}` references and `bootstrap.servers` in `kafka.client`.

kafka_init::include_topics!("tests/ui/client_env.yaml");

fn main() {
    let _ = topics::DC_WORKLOAD;
}
