//! What can be checked of the image, compose and Kubernetes examples
//! without a Docker engine or a cluster: their structure, and that the
//! topic files they carry pass `kafka-init check`.

use kafka_init_test_support as support;

use std::process::Command;

use serde_yaml::Value;
use support::repo_path;

fn yaml_documents(relative: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(repo_path(relative)).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect(relative))
        .collect()
}

fn check(path: &std::path::Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .args(["check", "--config"])
        .arg(path)
        .env_remove("KAFKA_BOOTSTRAP_SERVERS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dockerfile_is_multi_stage_and_runs_as_a_non_root_user() {
    let text = std::fs::read_to_string(repo_path("Dockerfile")).unwrap();
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "{froms:?}");
    // A runtime without a shell or a package manager.
    assert!(froms[1].contains("distroless/cc"), "{froms:?}");
    assert!(text.contains("-p kafka-init-bin"));
    let user = text.lines().rev().find(|l| l.starts_with("USER ")).unwrap();
    assert!(!user.contains("root") && !user.ends_with(" 0"), "{user}");
    assert!(text.contains("ENTRYPOINT [\"/usr/local/bin/kafka-init\"]"));
    // The image's default CONFIG_FILE is the file it copies in.
    assert!(text.contains("COPY config/default.yaml /app/config/simulation.yaml"));
}

#[test]
fn compose_gates_the_service_on_kafka_init_completing() {
    let compose = &yaml_documents("docker-compose.yml")[0]["services"];
    let init = &compose["kafka-init"];
    assert_eq!(init["restart"], Value::from("no"));
    assert_eq!(
        init["depends_on"]["kafka"]["condition"],
        Value::from("service_healthy")
    );
    assert_eq!(
        compose["dc-mock"]["depends_on"]["kafka-init"]["condition"],
        Value::from("service_completed_successfully")
    );
    // The file it mounts and names is valid.
    let config = init["environment"]["CONFIG_FILE"].as_str().unwrap();
    let local = config.replace("/app/config", "config");
    check(&repo_path(&local));
}

#[test]
fn kubernetes_examples_are_a_job_and_an_init_container_with_a_valid_topic_file() {
    let job = yaml_documents("deploy/kubernetes/job.yaml");
    let kinds: Vec<&str> = job.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "Secret", "Job"]);
    let pod = &job[2]["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], Value::from("Never"));
    assert_eq!(pod["securityContext"]["runAsNonRoot"], Value::from(true));

    let deployment = &yaml_documents("deploy/kubernetes/deployment.yaml")[0];
    assert_eq!(deployment["kind"], Value::from("Deployment"));
    let init = &deployment["spec"]["template"]["spec"]["initContainers"][0];
    assert_eq!(init["image"], Value::from("kafka-init:latest"));
    for container in [&pod["containers"][0], init] {
        let env = container["env"].as_sequence().unwrap();
        let password = env
            .iter()
            .find(|e| e["name"] == "KAFKA_CLIENT_SASL_PASSWORD")
            .expect("the password comes from a Secret");
        assert!(password["valueFrom"]["secretKeyRef"].is_mapping());
    }

    // The ConfigMap's topic file passes `kafka-init check`.
    let topics = job[0]["data"]["topics.yaml"].as_str().unwrap();
    let path = std::env::temp_dir().join(format!("kafka-init-k8s-{}.yaml", std::process::id()));
    std::fs::write(&path, topics).unwrap();
    check(&path);
    std::fs::remove_file(path).unwrap();
}
