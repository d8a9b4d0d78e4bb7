//! DescribeConfigs of topics, read straight from librdkafka's result.
//!
//! rdkafka's wrapper copies every entry of every topic into owned strings
//! (about 40 per topic, most of them broker defaults); a watch pass over
//! 1,000 topics spent a fifth of its CPU there. Only the topic's own keys
//! and `min.insync.replicas` are copied here.

use std::ffi::CStr;
use std::sync::Arc;

use rdkafka::admin::AdminClient;
use rdkafka::bindings as rd;
use rdkafka::client::ClientContext;

use super::{
    c_string, result_of, run_blocking, string, BrokerError, ConfigResource, Owned, Request,
    RequestOptions,
};
use crate::cluster::TopicConfigs;

const MIN_INSYNC_REPLICAS: &CStr = c"min.insync.replicas";

/// One DescribeConfigs request for `topics`: each topic's own configs and
/// effective `min.insync.replicas`, or the broker's error for it.
pub(crate) async fn describe_topic_configs<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    topics: Vec<String>,
    options: RequestOptions,
) -> Result<Vec<(String, Result<TopicConfigs, BrokerError>)>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
        result_event: rd::RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT,
        options,
        operation_timeout: false,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let mut resources = Vec::with_capacity(topics.len());
        for topic in &topics {
            let name = c_string(topic)?;
            // SAFETY: `name` is a valid C string; librdkafka copies it.
            let resource = unsafe {
                rd::rd_kafka_ConfigResource_new(
                    rd::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_TOPIC,
                    name.as_ptr(),
                )
            };
            resources.push(Owned::new(resource, ConfigResource)?);
        }
        let event = request.send_all(rk, &resources, rd::rd_kafka_DescribeConfigs)?;
        let mut n = 0;
        // SAFETY: the event has the DescribeConfigs result type (checked by
        // `send`), so the cast and the array are valid while the event lives.
        let results = unsafe {
            let result = rd::rd_kafka_event_DescribeConfigs_result(event.ptr());
            rd::rd_kafka_DescribeConfigs_result_resources(result, &mut n)
        };
        Ok((0..n)
            .map(|i| {
                // SAFETY: `results` holds `n` resources owned by the event;
                // their strings and entries live as long as it and are
                // copied before it is dropped.
                unsafe {
                    let resource = *results.add(i);
                    let name = string(rd::rd_kafka_ConfigResource_name(resource));
                    let answer = result_of(
                        rd::rd_kafka_ConfigResource_error(resource),
                        rd::rd_kafka_ConfigResource_error_string(resource),
                    )
                    .map(|()| topic_configs(resource));
                    (name, answer)
                }
            })
            .collect())
    })
    .await
}

/// The topic's own entries (source DYNAMIC_TOPIC_CONFIG) and its effective
/// `min.insync.replicas`; every other entry is skipped without a copy.
///
/// # Safety
/// `resource` is a live config resource of a DescribeConfigs result.
unsafe fn topic_configs(resource: *const rd::rd_kafka_ConfigResource_t) -> TopicConfigs {
    let mut configs = TopicConfigs::default();
    let mut n = 0;
    // SAFETY: per the contract; the `n` entries and their strings live as
    // long as the resource, and the ones kept are copied.
    unsafe {
        let entries = rd::rd_kafka_ConfigResource_configs(resource, &mut n);
        for i in 0..n {
            let entry = *entries.add(i);
            let key = rd::rd_kafka_ConfigEntry_name(entry);
            if key.is_null() {
                continue;
            }
            let key = CStr::from_ptr(key);
            let own = rd::rd_kafka_ConfigEntry_source(entry)
                == rd::rd_kafka_ConfigSource_t::RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
            let min_isr = key == MIN_INSYNC_REPLICAS;
            if !own && !min_isr {
                continue;
            }
            // A sensitive value comes without one: kept as empty.
            let value = string(rd::rd_kafka_ConfigEntry_value(entry));
            if min_isr {
                configs.min_insync_replicas = value.trim().parse().ok();
            }
            if own {
                configs
                    .own
                    .insert(key.to_string_lossy().into_owned(), value);
            }
        }
    }
    configs
}
