//! A file with `kafka.access` compiles: `ACCESS` holds its entries, each
//! profile its own, and every group and transactional id it grants has a
//! constant (a consumer names its group through it).

kafka_init::include_topics!("tests/ui/access.yaml");

fn main() {
    let group: &str = topics::groups::DC_SIMULATOR;
    assert_eq!(group, "dc.simulator");
    assert_eq!(topics::groups::DC_SIM_PROD, "dc.sim-prod");
    assert_eq!(topics::transactional_ids::DC_SIM_TX, "dc.sim-tx");
    let access: &[kafka_init::AccessEntry] = topics::ACCESS;
    assert_eq!(access[0].principal, "User:simulator");
    assert_eq!(access[0].produce.as_ref(), ["dc.workload"]);
    assert_eq!(topics::PROFILES[0].access[0].principal, "User:sim-prod");
    let bindings = kafka_init::bindings(access);
    assert!(bindings
        .iter()
        .any(|b| b.to_string() == "User:simulator  WRITE  topic dc.workload from 10.0.0.1"));
}
