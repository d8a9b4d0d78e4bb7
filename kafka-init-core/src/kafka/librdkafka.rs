//! [`Admin`] over librdkafka: the one implementation that talks to a real
//! cluster, and with `ffi` the only code that touches rdkafka. It builds
//! the client from the run's options and turns rdkafka's answers and
//! errors into the engine's plain ones.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

use super::admin::{
    AclResult, Admin, BrokerError, ConfigAlteration, ErrorCode, NewPartitions, NewTopic,
    OffsetAnswer, OffsetSpec, Reply, RequestOptions, TopicResult,
};
use super::credentials;
use super::ffi::{self, code_name, MainQueueForwarder};
use crate::access::{AclBinding, Operation};
use crate::client::{self, ClientProperties};
use crate::cluster::{TopicConfigs, TopicState};
use crate::error::Error;
use crate::options::EnsureOptions;
use crate::ownership::ExistingTopic;

/// Keeps librdkafka's last complaint so a failed connect can say why.
#[derive(Default)]
pub(crate) struct Context {
    last_error: Mutex<Option<String>>,
    /// The last refusal of the credentials, unless another kind of failure
    /// came after it.
    refused: Mutex<Option<String>>,
}

/// Whether an error librdkafka raised refuses the credentials
/// (`Some(true)`), is another failure (`Some(false)`), or tells nothing new
/// (`None`: "all brokers are down" follows every failed connect).
fn refuses_login(code: Option<RDKafkaErrorCode>, reason: &str) -> Option<bool> {
    match code {
        // A TLS handshake that failed on our side (an unknown CA, a host
        // name the certificate does not name), or SASL credentials or a
        // token the broker refused.
        Some(RDKafkaErrorCode::SSL | RDKafkaErrorCode::Authentication) => Some(true),
        // The same handshake failure reported as a transport failure (it
        // alternates with the above), or the broker ending the handshake with
        // a TLS alert: it refused the client certificate (missing, from an
        // unknown CA, expired).
        Some(RDKafkaErrorCode::BrokerTransportFailure)
            if [
                "SSL alert number",
                "certificate verify failed",
                "SSL handshake failed",
            ]
            .iter()
            .any(|sign| reason.contains(sign)) =>
        {
            Some(true)
        }
        Some(RDKafkaErrorCode::AllBrokersDown) => None,
        _ => Some(false),
    }
}

/// A token librdkafka could not get (from the OIDC token endpoint, or its
/// own unsecured JWS), as it reports it: only as a log line, never through
/// the error callback. The reason, without the thread prefix.
fn token_failure(fac: &str, message: &str) -> Option<String> {
    let reason = message
        .split_once("]: ")
        .map_or(message, |(_, reason)| reason);
    let failed = (fac == "OIDC" && reason.starts_with("Failed to retrieve OIDC token"))
        || reason.starts_with("Failed to acquire SASL OAUTHBEARER token");
    failed.then(|| reason.to_owned())
}

impl ClientContext for Context {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        if let Some(reason) = token_failure(fac, log_message) {
            let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
            // The token endpoint's own line says more (address, HTTP status)
            // than the summary librdkafka logs after it.
            if refused.is_none() || fac == "OIDC" {
                *refused = Some(reason);
            }
        }
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => {
                tracing::debug!(target: "librdkafka", "{fac}: {log_message}")
            }
            _ => tracing::trace!(target: "librdkafka", "{fac}: {log_message}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", "{error}: {reason}");
        if let Some(refused) = refuses_login(error.rdkafka_error_code(), reason) {
            *self.refused.lock().unwrap_or_else(|e| e.into_inner()) =
                refused.then(|| reason.to_owned());
        }
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.to_owned());
    }
}

/// A librdkafka admin client, with the thread that delivers its logs and
/// errors. Dropping it destroys the client.
pub(crate) struct Librdkafka {
    // Declared first: stops its thread before the client goes.
    _events: MainQueueForwarder,
    admin: Arc<AdminClient<Context>>,
    /// Who logs in, for messages.
    login: String,
    /// For the TLS library's own look at a broker certificate.
    client: ClientProperties,
}

impl Librdkafka {
    /// A client for `options`: their bootstrap servers and client
    /// properties. Connects lazily; fails only on properties librdkafka
    /// refuses (never showing a secret value).
    pub(crate) fn new(options: &EnsureOptions) -> Result<Librdkafka, Error> {
        // Misconfigurations fail here, before anything is sent (librdkafka
        // would accept most of them and fail at connect time, or say only
        // `PEM lib`).
        let mut problems = options.client.check();
        problems.extend(credentials::unreadable_files(&options.client));
        if !problems.is_empty() {
            return Err(Error::ClientSettings {
                message: problems.join("; "),
            });
        }
        let mut config = ClientConfig::new();
        config.set("client.id", "kafka-init");
        // librdkafka drops the bootstrap connection once it learns the
        // broker's id and holds the reconnect back by half this backoff:
        // 50 ms of every run at the default of 100 ms. Settings may override.
        config.set("reconnect.backoff.ms", "10");
        for (key, value) in options.client.iter() {
            config.set(key, value);
        }
        config
            .set("bootstrap.servers", &options.bootstrap_servers)
            // An admin client is a producer underneath; a metadata request
            // must never create the topic it asks about.
            .set("allow.auto.create.topics", "false")
            .set("log.connection.close", "false");
        let admin = config
            .create_with_context::<_, AdminClient<Context>>(Context::default())
            .map_err(|e| Error::ClientSettings {
                message: redacted_client_error(e),
            })?;
        let admin = Arc::new(admin);
        Ok(Librdkafka {
            _events: MainQueueForwarder::start(&admin),
            admin,
            login: options
                .client
                .login(credentials::certificate_subject(&options.client).as_deref()),
            client: options.client.clone(),
        })
    }
}

/// An rdkafka error without a name of its own, as the engine's.
fn from_kafka(what: &str, e: KafkaError) -> BrokerError {
    let code = e.rdkafka_error_code();
    BrokerError {
        code: code.map_or(ErrorCode::FAIL, ErrorCode::from),
        name: code.map_or_else(|| "_FAIL".into(), code_name),
        message: format!("{what}: {e}"),
    }
}

fn from_code(code: RDKafkaErrorCode) -> BrokerError {
    BrokerError {
        code: code.into(),
        name: code_name(code),
        message: code.to_string(),
    }
}

impl Admin for Librdkafka {
    fn describe_cluster(&self, options: RequestOptions) -> Reply<'_, Vec<i32>> {
        Box::pin(ffi::broker_ids(&self.admin, options))
    }

    fn describe_topics(
        &self,
        names: Vec<String>,
        options: RequestOptions,
    ) -> Reply<'_, HashMap<String, TopicState>> {
        Box::pin(ffi::describe_topics(&self.admin, names, options))
    }

    fn list_topics(&self, options: RequestOptions) -> Reply<'_, Vec<ExistingTopic>> {
        let admin = Arc::clone(&self.admin);
        Box::pin(async move {
            let metadata = tokio::task::spawn_blocking(move || {
                admin.inner().fetch_metadata(None, options.timeout)
            })
            .await
            .map_err(|e| BrokerError {
                code: ErrorCode::FAIL,
                name: "_FAIL".into(),
                message: format!("Metadata task: {e}"),
            })?
            .map_err(|e| from_kafka("Metadata", e))?;
            let mut topics = Vec::with_capacity(metadata.topics().len());
            for t in metadata.topics() {
                if let Some(e) = t.error() {
                    let code = RDKafkaErrorCode::from(e);
                    return Err(BrokerError {
                        message: format!("metadata for `{}`: {code}", t.name()),
                        ..from_code(code)
                    });
                }
                if t.partitions().is_empty() {
                    return Err(BrokerError {
                        code: ErrorCode::LEADER_NOT_AVAILABLE,
                        name: "LEADER_NOT_AVAILABLE".into(),
                        message: format!("metadata for `{}` has no partitions yet", t.name()),
                    });
                }
                topics.push(ExistingTopic {
                    name: t.name().to_owned(),
                    partitions: t.partitions().len() as i32,
                    replication_factor: t
                        .partitions()
                        .iter()
                        .map(|p| p.replicas().len())
                        .max()
                        .unwrap_or(0) as i32,
                    configs: Default::default(),
                    in_use: None,
                });
            }
            Ok(topics)
        })
    }

    fn describe_configs(
        &self,
        topics: Vec<String>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<(String, Result<TopicConfigs, BrokerError>)>> {
        Box::pin(ffi::configs::describe_topic_configs(
            &self.admin,
            topics,
            options,
        ))
    }

    fn broker_configs(
        &self,
        broker: i32,
        options: RequestOptions,
    ) -> Reply<'_, HashMap<String, String>> {
        Box::pin(async move {
            let admin_options = AdminOptions::new().request_timeout(Some(options.timeout));
            let results = self
                .admin
                .describe_configs(&[ResourceSpecifier::Broker(broker)], &admin_options)
                .await
                .map_err(|e| from_kafka(&format!("DescribeConfigs broker {broker}"), e))?;
            match results.into_iter().next() {
                Some(Ok(resource)) => Ok(resource
                    .entries
                    .into_iter()
                    .filter_map(|e| Some((e.name, e.value?)))
                    .collect()),
                Some(Err(code)) => Err(from_code(code)),
                None => Err(BrokerError {
                    code: ErrorCode::FAIL,
                    name: "_FAIL".into(),
                    message: format!("DescribeConfigs broker {broker}: no answer"),
                }),
            }
        })
    }

    fn create_topics(
        &self,
        topics: Vec<NewTopic>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        Box::pin(ffi::create_topics(&self.admin, topics, options))
    }

    fn alter_configs(
        &self,
        alterations: Vec<ConfigAlteration>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        Box::pin(ffi::incremental_alter_configs(
            &self.admin,
            alterations,
            options,
        ))
    }

    fn create_partitions(
        &self,
        growths: Vec<NewPartitions>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        Box::pin(ffi::create_partitions(&self.admin, growths, options))
    }

    fn list_offsets(
        &self,
        partitions: Vec<(String, i32)>,
        spec: OffsetSpec,
        options: RequestOptions,
    ) -> Reply<'_, Vec<OffsetAnswer>> {
        Box::pin(ffi::usage::list_offsets_for(
            &self.admin,
            partitions,
            spec,
            options,
        ))
    }

    fn delete_topics(
        &self,
        names: Vec<String>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        Box::pin(async move {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let admin_options = AdminOptions::new()
                .request_timeout(Some(options.timeout))
                .operation_timeout(Some(options.timeout));
            let results = self
                .admin
                .delete_topics(&names, &admin_options)
                .await
                .map_err(|e| from_kafka("DeleteTopics", e))?;
            Ok(results
                .into_iter()
                .map(|result| match result {
                    Ok(name) => (name, Ok(())),
                    Err((name, code)) => (name, Err(from_code(code))),
                })
                .collect())
        })
    }

    fn list_groups(&self, options: RequestOptions) -> Reply<'_, Vec<String>> {
        Box::pin(ffi::usage::list_consumer_groups(&self.admin, options))
    }

    fn committed_topics(&self, group: String, options: RequestOptions) -> Reply<'_, Vec<String>> {
        Box::pin(ffi::usage::committed_topics(&self.admin, group, options))
    }

    fn cluster_operations(&self, options: RequestOptions) -> Reply<'_, Option<Vec<Operation>>> {
        Box::pin(ffi::acl::cluster_operations(&self.admin, options))
    }

    fn describe_acls(&self, options: RequestOptions) -> Reply<'_, Vec<AclBinding>> {
        Box::pin(ffi::acl::describe_acls(&self.admin, options))
    }

    fn create_acls(
        &self,
        bindings: Vec<AclBinding>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<AclResult>> {
        Box::pin(ffi::acl::create_acls(&self.admin, bindings, options))
    }

    fn delete_acls(
        &self,
        bindings: Vec<AclBinding>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<AclResult>> {
        Box::pin(ffi::acl::delete_acls(&self.admin, bindings, options))
    }

    fn refused(&self) -> Option<String> {
        self.admin
            .inner()
            .context()
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn login(&self) -> String {
        self.login.clone()
    }

    fn certificate_problem(&self, listener: String) -> Reply<'_, Option<String>> {
        let client = self.client.clone();
        Box::pin(async move {
            Ok(
                tokio::task::spawn_blocking(move || {
                    credentials::verify_failure(&listener, &client)
                })
                .await
                .ok()
                .flatten(),
            )
        })
    }

    fn last_error(&self) -> Option<String> {
        self.admin
            .inner()
            .context()
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A client creation error without the property's value: rdkafka's own
/// message ends with the value, which may be a password (or a misspelled
/// password key librdkafka does not know).
fn redacted_client_error(e: KafkaError) -> String {
    match e {
        KafkaError::ClientConfig(_, desc, key, value) => {
            client::refused_property(&key, &value, &desc)
        }
        other => other.to_string(),
    }
}

impl ClientProperties {
    /// What librdkafka refuses among these properties (an unknown key, a
    /// value it cannot parse), one message per property, none showing a
    /// secret value. Builds no client and contacts no broker.
    ///
    /// Also refused: settings that do not fit together (a SASL mechanism
    /// without a SASL protocol), and a SASL mechanism or TLS that this
    /// build of librdkafka lacks.
    pub fn check(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .iter()
            .filter_map(|(k, v)| {
                let mut config = ClientConfig::new();
                config.set(k, v);
                config
                    .create_native_config()
                    .err()
                    .map(redacted_client_error)
            })
            .collect();
        problems.extend(self.conflicts());
        problems.extend(self.missing_features());
        problems
    }

    /// What the settings need that this build of librdkafka lacks.
    fn missing_features(&self) -> Vec<String> {
        let features = ClientConfig::new()
            .create_native_config()
            .ok()
            .and_then(|c| c.get("builtin.features").ok())
            .unwrap_or_default();
        let has = |feature: &str| features.split(',').any(|f| f == feature);
        let mut missing = Vec::new();
        if let Some(mechanism) = self.sasl_mechanism() {
            let needs = client::SASL_MECHANISMS
                .iter()
                .find(|(m, _)| *m == mechanism)
                .map(|(_, feature)| *feature);
            if needs.is_some_and(|feature| !has(feature)) {
                missing.push(format!(
                    "SASL mechanism {mechanism}{}: this build of librdkafka lacks it (it has: {features})",
                    if self.mechanism_set().is_none() {
                        " (librdkafka's default: set `sasl.mechanism`)"
                    } else {
                        ""
                    }
                ));
            }
        }
        if self.uses_tls() && !has("ssl") {
            missing.push(format!(
                "`security.protocol` {}: this build of librdkafka lacks TLS",
                self.security_protocol()
            ));
        }
        missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_error(key: &str, value: &str) -> String {
        let options =
            EnsureOptions::new("127.0.0.1:1").client(ClientProperties::new().with(key, value));
        match Librdkafka::new(&options) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("`{key}` should be refused"),
        }
    }

    #[test]
    fn a_refused_client_property_never_shows_its_value() {
        // A misspelled password key: librdkafka does not know it.
        let message = client_error("sasl.passwd", "hunter2-value");
        assert!(message.contains("sasl.passwd"), "{message}");
        assert!(!message.contains("hunter2-value"), "{message}");
        // A known key with a value librdkafka refuses.
        let message = client_error("security.protocol", "SASL_PLAINTXT");
        assert!(message.contains("security.protocol"), "{message}");
    }

    #[test]
    fn refusals_of_the_credentials_are_told_from_other_failures() {
        use RDKafkaErrorCode::*;
        let refused = |code, reason| refuses_login(Some(code), reason);
        assert_eq!(refused(SSL, "SSL handshake failed"), Some(true));
        assert_eq!(
            refused(Authentication, "SASL authentication error"),
            Some(true)
        );
        assert_eq!(
            refused(
                BrokerTransportFailure,
                "Receive failed: sslv3 alert bad certificate: SSL alert number 42"
            ),
            Some(true)
        );
        assert_eq!(
            refused(
                BrokerTransportFailure,
                "ssl://h:1/bootstrap: error:0A000086:SSL routines::certificate verify failed (after 11ms in state SSL_HANDSHAKE)"
            ),
            Some(true)
        );
        assert_eq!(
            refused(
                BrokerTransportFailure,
                "Connect to ipv4#127.0.0.1:1 failed: Connection refused"
            ),
            Some(false)
        );
        assert_eq!(refused(AllBrokersDown, "1/1 brokers are down"), None);
        assert_eq!(
            token_failure(
                "OIDC",
                "[thrd:background]: Failed to retrieve OIDC token from \"http://idp/token\": (401)"
            )
            .as_deref(),
            Some("Failed to retrieve OIDC token from \"http://idp/token\": (401)")
        );
        assert!(token_failure(
            "ERROR",
            "[thrd:b]: Failed to acquire SASL OAUTHBEARER token: x"
        )
        .is_some());
        assert!(token_failure("ERROR", "[thrd:b]: 1/1 brokers are down").is_none());
    }
}
