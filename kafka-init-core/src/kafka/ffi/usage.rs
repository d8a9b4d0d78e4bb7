//! The reads behind pruning's "in use" check: which consumer groups exist,
//! which topics each has committed offsets on, and each partition's newest
//! record. All read-only.

use std::ffi::c_int;
use std::sync::Arc;

use rdkafka::admin::AdminClient;
use rdkafka::bindings as rd;
use rdkafka::client::ClientContext;

use super::{
    c_string, error_of, invalid_argument, result_of, run_blocking, string, BrokerError, Destroy,
    Owned, Request, RequestOptions, TopicPartitionList,
};
use crate::kafka::admin::{OffsetAnswer, OffsetSpec};

/// Every consumer group the cluster lists (classic and consumer protocol).
/// A broker that did not answer fails the call: a group missed here could
/// be a topic's only reader.
pub(crate) async fn list_consumer_groups<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    options: RequestOptions,
) -> Result<Vec<String>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
        result_event: rd::RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT,
        options,
        operation_timeout: false,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let event = request.send(rk, |options, queue| {
            // SAFETY: options and queue are live for the call.
            unsafe { rd::rd_kafka_ListConsumerGroups(rk, options, queue) }
        })?;
        // SAFETY: the event has the ListConsumerGroups result type (checked
        // by `send`); the listings and errors live as long as the event and
        // are copied here.
        unsafe {
            let result = rd::rd_kafka_event_ListConsumerGroups_result(event.ptr());
            let mut n = 0;
            let errors = rd::rd_kafka_ListConsumerGroups_result_errors(result, &mut n);
            if n > 0 {
                return Err(error_of(*errors));
            }
            let mut n = 0;
            let listings = rd::rd_kafka_ListConsumerGroups_result_valid(result, &mut n);
            Ok((0..n)
                .map(|i| string(rd::rd_kafka_ConsumerGroupListing_group_id(*listings.add(i))))
                .collect())
        }
    })
    .await
}

/// The topics on which `group` has committed offsets (OffsetFetch for all
/// of the group's partitions). librdkafka takes one group per call.
pub(crate) async fn committed_topics<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    group: String,
    options: RequestOptions,
) -> Result<Vec<String>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
        result_event: rd::RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT,
        options,
        operation_timeout: false,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let id = c_string(&group)?;
        // SAFETY: `id` is a valid C string, copied; a null partition list
        // asks for every partition the group has offsets for.
        let query = Owned::new(
            unsafe { rd::rd_kafka_ListConsumerGroupOffsets_new(id.as_ptr(), std::ptr::null()) },
            GroupOffsetsQuery,
        )?;
        let event = request.send_all(rk, &[query], rd::rd_kafka_ListConsumerGroupOffsets)?;
        // SAFETY: the event has the ListConsumerGroupOffsets result type
        // (checked by `send`); the group results and their partition lists
        // live as long as the event, and what is kept is copied.
        unsafe {
            let result = rd::rd_kafka_event_ListConsumerGroupOffsets_result(event.ptr());
            let mut n = 0;
            let groups = rd::rd_kafka_ListConsumerGroupOffsets_result_groups(result, &mut n);
            let mut topics = Vec::new();
            for i in 0..n {
                let group = *groups.add(i);
                let error = rd::rd_kafka_group_result_error(group);
                if !error.is_null() {
                    return Err(error_of(error));
                }
                let Some(list) = rd::rd_kafka_group_result_partitions(group).as_ref() else {
                    continue;
                };
                for p in 0..usize::try_from(list.cnt).unwrap_or(0) {
                    let element = &*list.elems.add(p);
                    // A negative offset is no commit; an error is a
                    // partition whose offset could not be read, which must
                    // not pass for "no commit".
                    result_of(element.err, std::ptr::null())?;
                    if element.offset >= 0 {
                        topics.push(string(element.topic));
                    }
                }
            }
            topics.sort();
            topics.dedup();
            Ok(topics)
        }
    })
    .await
}

/// ListOffsets for `spec`, each partition asked of its leader. A partition
/// whose leader's request failed as a whole comes back with offset -1 and
/// no error, exactly like an empty partition asked for `MaxTimestamp`:
/// callers tell the two apart with `Earliest` and `Latest`.
pub(crate) async fn list_offsets_for<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    partitions: Vec<(String, i32)>,
    spec: OffsetSpec,
    options: RequestOptions,
) -> Result<Vec<OffsetAnswer>, BrokerError> {
    if partitions.is_empty() {
        return Ok(Vec::new());
    }
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTOFFSETS,
        result_event: rd::RD_KAFKA_EVENT_LISTOFFSETS_RESULT,
        options,
        operation_timeout: false,
    };
    let spec = match spec {
        OffsetSpec::Earliest => rd::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_EARLIEST,
        OffsetSpec::Latest => rd::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_LATEST,
        OffsetSpec::MaxTimestamp => rd::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_MAX_TIMESTAMP,
    } as i64;
    run_blocking(Arc::clone(admin), move |rk| {
        let count = c_int::try_from(partitions.len())
            .map_err(|_| invalid_argument("partitions", "too many for one request"))?;
        // SAFETY: plain allocation; the guard destroys the list.
        let list = Owned::new(
            unsafe { rd::rd_kafka_topic_partition_list_new(count) },
            TopicPartitionList,
        )?;
        for (topic, partition) in &partitions {
            let name = c_string(topic)?;
            // SAFETY: the list is live and `name` a valid C string, which
            // librdkafka copies; the element belongs to the list.
            unsafe {
                let element =
                    rd::rd_kafka_topic_partition_list_add(list.ptr(), name.as_ptr(), *partition);
                if element.is_null() {
                    return Err(invalid_argument(topic, "librdkafka added no partition"));
                }
                (*element).offset = spec;
            }
        }
        let event = request.send(rk, |options, queue| {
            // SAFETY: list, options and queue are live for the call, which
            // copies the list.
            unsafe { rd::rd_kafka_ListOffsets(rk, list.ptr(), options, queue) }
        })?;
        let mut n = 0;
        // SAFETY: the event has the ListOffsets result type (checked by
        // `send`); the infos live as long as the event and are copied here.
        unsafe {
            let result = rd::rd_kafka_event_ListOffsets_result(event.ptr());
            let infos = rd::rd_kafka_ListOffsets_result_infos(result, &mut n);
            Ok((0..n)
                .filter_map(|i| {
                    let info = *infos.add(i);
                    let tp = rd::rd_kafka_ListOffsetsResultInfo_topic_partition(info).as_ref()?;
                    let timestamp = rd::rd_kafka_ListOffsetsResultInfo_timestamp(info);
                    let answer =
                        result_of(tp.err, std::ptr::null()).map(|()| (tp.offset, timestamp));
                    Some(((string(tp.topic), tp.partition), answer))
                })
                .collect())
        }
    })
    .await
}

destroy_with!(
    GroupOffsetsQuery,
    rd::rd_kafka_ListConsumerGroupOffsets_t,
    rd::rd_kafka_ListConsumerGroupOffsets_destroy,
    "consumer group offsets query"
);
