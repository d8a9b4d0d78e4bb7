//! `ensure_topics`: make every declared topic exist.

use rdkafka::admin::{AdminOptions, NewTopic, TopicReplication};
use rdkafka::types::RDKafkaErrorCode;

use crate::admin::{EnsureOptions, Session};
use crate::error::Error;
use crate::report::{Action, Report, TopicOutcome};
use crate::spec::TopicSpec;

/// Connects (retrying until the deadline), then creates every missing topic
/// in one CreateTopics request.
pub async fn ensure_topics(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Report, Error> {
    let session = Session::new(options)?;
    let cluster = {
        let _span = tracing::info_span!("connect").entered();
        session.wait_for_cluster().await?
    };

    let missing: Vec<&TopicSpec> = specs
        .iter()
        .filter(|s| !cluster.topics.contains_key(s.name.as_ref()))
        .collect();

    let mut outcomes: Vec<TopicOutcome> = specs
        .iter()
        .map(|s| TopicOutcome {
            name: s.name.to_string(),
            action: Action::AlreadyExists,
        })
        .collect();

    if !missing.is_empty() {
        let new_topics: Vec<NewTopic> = missing
            .iter()
            .map(|s| {
                let mut t = NewTopic::new(
                    &s.name,
                    s.partitions,
                    TopicReplication::Fixed(s.replication_factor),
                );
                for (k, v) in s.config.iter() {
                    t = t.set(k, v);
                }
                t
            })
            .collect();
        let remaining = session.remaining();
        let opts = AdminOptions::new()
            .request_timeout(Some(remaining))
            .operation_timeout(Some(remaining));
        let results = session
            .admin
            .create_topics(&new_topics, &opts)
            .await
            .map_err(|e| Error::Client {
                context: "CreateTopics request failed",
                message: e.to_string(),
            })?;
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(name) => set_action(&mut outcomes, &name, Action::Created),
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((name, code)) => errors.push(Error::Topic {
                    topic: name,
                    operation: "create",
                    code: format!("{code:?}"),
                    message: code.to_string(),
                }),
            }
        }
        match errors.len() {
            0 => {}
            1 => return Err(errors.remove(0)),
            _ => return Err(Error::Topics(errors)),
        }
    }
    Ok(Report { topics: outcomes })
}

fn set_action(outcomes: &mut [TopicOutcome], name: &str, action: Action) {
    if let Some(o) = outcomes.iter_mut().find(|o| o.name == name) {
        o.action = action;
    }
}
