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

#[test]
fn the_watch_deployment_probes_health_and_readiness_and_is_scraped() {
    let docs = yaml_documents("deploy/kubernetes/watch.yaml");
    assert_eq!(docs.len(), 1);
    let deployment = &docs[0];
    assert_eq!(deployment["kind"], Value::from("Deployment"));
    let template = &deployment["spec"]["template"];
    let annotations = &template["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/scrape"], Value::from("true"));
    assert_eq!(annotations["prometheus.io/port"], Value::from("9464"));
    assert_eq!(annotations["prometheus.io/path"], Value::from("/metrics"));
    let pod = &template["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], Value::from(true));
    let container = &pod["containers"][0];
    assert_eq!(container["args"][0], Value::from("watch"));
    assert_eq!(
        container["securityContext"]["readOnlyRootFilesystem"],
        Value::from(true)
    );
    assert_eq!(
        container["livenessProbe"]["httpGet"]["path"],
        Value::from("/healthz")
    );
    assert_eq!(
        container["readinessProbe"]["httpGet"]["path"],
        Value::from("/readyz")
    );
    assert_eq!(container["ports"][0]["containerPort"], Value::from(9464));
    let env = container["env"].as_sequence().unwrap();
    let var = |name: &str| env.iter().find(|e| e["name"] == name).cloned();
    assert!(var("KAFKA_CLIENT_SASL_PASSWORD").unwrap()["valueFrom"]["secretKeyRef"].is_mapping());
    assert_eq!(
        var("KAFKA_INIT_LISTEN").unwrap()["value"],
        Value::from("0.0.0.0:9464")
    );
    // The ConfigMap of job.yaml, mounted as a directory (a subPath mount
    // never sees an update) where CONFIG_FILE points.
    let mount = &container["volumeMounts"][0];
    assert!(mount.get("subPath").is_none(), "{mount:?}");
    let config = var("CONFIG_FILE").unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = mount["mountPath"].as_str().unwrap();
    assert_eq!(config, format!("{dir}/topics.yaml"));
    let volume = &pod["volumes"][0];
    assert_eq!(volume["name"], mount["name"]);
    let job = yaml_documents("deploy/kubernetes/job.yaml");
    assert_eq!(volume["configMap"]["name"], job[0]["metadata"]["name"]);
    assert!(job[0]["data"]["topics.yaml"].is_string());
}

#[test]
fn compose_has_an_optional_watch_service_in_a_profile() {
    let compose = &yaml_documents("docker-compose.yml")[0]["services"];
    let watch = &compose["kafka-init-watch"];
    assert_eq!(watch["profiles"][0], Value::from("watch"));
    assert_eq!(watch["command"][0], Value::from("watch"));
    assert_eq!(watch["ports"][0], Value::from("9464:9464"));
    assert_eq!(watch["read_only"], Value::from(true));
    assert_eq!(
        watch["depends_on"]["kafka"]["condition"],
        Value::from("service_healthy")
    );
    let config = watch["environment"]["CONFIG_FILE"].as_str().unwrap();
    check(&repo_path(&config.replace("/app/config", "config")));
    // The directory is mounted, not the file: a rename shows.
    let volume = watch["volumes"][0].as_str().unwrap();
    assert!(volume.starts_with("./config:/app/config"), "{volume}");
    // Every other service still runs without the profile.
    let others = compose
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(name, _)| *name != "kafka-init-watch");
    for (name, service) in others {
        assert!(service.get("profiles").is_none(), "{name:?}");
    }
}
