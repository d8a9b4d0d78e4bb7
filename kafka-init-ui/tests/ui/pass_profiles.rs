//! A file with profiles: the same constants for every profile, the base
//! specs in `SPECS`, each profile's in `PROFILES`.

kafka_init::include_topics!("tests/ui/profiles.yaml");

fn main() {
    assert_eq!(topics::DC_WORKLOAD, "dc.workload");
    assert_eq!(topics::DC_POWER, "dc.power");
    let base = topics::SPECS;
    // `default`: -1, the broker's value.
    assert_eq!((base[0].partitions.kafka(), base[0].replication_factor.kafka()), (-1, -1));
    assert_eq!(base[0].config_value("min.insync.replicas"), Some("2"));
    assert_eq!(base[0].config_value("segment.ms"), Some("600000"));
    assert_eq!((base[1].partitions.kafka(), base[1].replication_factor.kafka()), (3, 3));

    let profiles: &[kafka_init::Profile] = topics::PROFILES;
    assert_eq!(profiles.len(), 1);
    let dev = &profiles[0];
    assert_eq!(dev.name, "dev");
    assert_eq!(dev.bootstrap_servers.as_deref(), Some("localhost:9092"));
    let names: Vec<&str> = dev.topics.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, [topics::DC_WORKLOAD, topics::DC_POWER]);
    assert_eq!((dev.topics[0].partitions.kafka(), dev.topics[0].replication_factor.kafka()), (1, 1));
    assert_eq!(dev.topics[0].config_value("min.insync.replicas"), Some("1"));
    assert_eq!(dev.topics[0].config_value("segment.ms"), None);
    assert_eq!((dev.topics[1].partitions.kafka(), dev.topics[1].replication_factor.kafka()), (3, 1));
}
