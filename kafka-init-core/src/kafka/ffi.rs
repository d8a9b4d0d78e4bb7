//! Admin requests made through librdkafka directly.
//!
//! rdkafka does not wrap IncrementalAlterConfigs at all, and its CreateTopics
//! and CreatePartitions results keep the error code but drop the broker's
//! message (`Unknown topic config name: foo` becomes a bare `InvalidConfig`).
//! This module is the only place with `unsafe`: every librdkafka object is
//! owned by a guard that destroys it, and every request gets its own result
//! queue, polled on a blocking thread so the async workers never block.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, CStr, CString};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::admin::AdminClient;
use rdkafka::bindings as rd;
use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::types::{RDKafkaErrorCode, RDKafkaRespErr};

use crate::cluster::{PartitionState, TopicError, TopicState};

pub(crate) use super::admin::{
    AlterOp, BrokerError, ConfigAlteration, ErrorCode, NewPartitions, NewTopic, RequestOptions,
    TopicResult,
};

/// IncrementalAlterConfigs: SET or DELETE individual keys, leaving every key
/// not named untouched (unlike the legacy AlterConfigs).
pub(crate) async fn incremental_alter_configs<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    alterations: Vec<ConfigAlteration>,
    options: RequestOptions,
) -> Result<Vec<TopicResult>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS,
        result_event: rd::RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT,
        options,
        operation_timeout: false,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let mut resources = Vec::with_capacity(alterations.len());
        for alteration in &alterations {
            let name = c_string(&alteration.topic)?;
            // SAFETY: `name` is a valid C string; librdkafka copies it.
            let resource = unsafe {
                rd::rd_kafka_ConfigResource_new(
                    rd::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_TOPIC,
                    name.as_ptr(),
                )
            };
            let resource = Owned::new(resource, ConfigResource)?;
            for (key, op) in &alteration.ops {
                let key = c_string(key)?;
                let (op_type, value) = match op {
                    AlterOp::Set(v) => (
                        rd::rd_kafka_AlterConfigOpType_t::RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET,
                        Some(c_string(v)?),
                    ),
                    AlterOp::Delete => (
                        rd::rd_kafka_AlterConfigOpType_t::RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE,
                        None,
                    ),
                };
                // SAFETY: the resource is live; key and value are valid C
                // strings (value may be null for DELETE); both are copied.
                let error = unsafe {
                    rd::rd_kafka_ConfigResource_add_incremental_config(
                        resource.ptr(),
                        key.as_ptr(),
                        op_type,
                        value.as_ref().map_or(std::ptr::null(), |v| v.as_ptr()),
                    )
                };
                if let Some(error) = NonNull::new(error) {
                    return Err(local_error(Owned(error, ErrorObject)));
                }
            }
            resources.push(resource);
        }
        request
            .send_all(rk, &resources, rd::rd_kafka_IncrementalAlterConfigs)
            .map(|event| {
                let mut n = 0;
                // SAFETY: the event has the IncrementalAlterConfigs result type
                // (checked by `send`), so the cast and the array are valid while
                // the event lives.
                let results = unsafe {
                    let result = rd::rd_kafka_event_IncrementalAlterConfigs_result(event.ptr());
                    rd::rd_kafka_IncrementalAlterConfigs_result_resources(result, &mut n)
                };
                (0..n)
                    .map(|i| unsafe {
                        // SAFETY: `results` holds `n` resources owned by the event.
                        let resource = *results.add(i);
                        (
                            string(rd::rd_kafka_ConfigResource_name(resource)),
                            result_of(
                                rd::rd_kafka_ConfigResource_error(resource),
                                rd::rd_kafka_ConfigResource_error_string(resource),
                            ),
                        )
                    })
                    .collect()
            })
    })
    .await
}

/// CreateTopics, with each failed topic's broker message.
pub(crate) async fn create_topics<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    topics: Vec<NewTopic>,
    options: RequestOptions,
) -> Result<Vec<TopicResult>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATETOPICS,
        result_event: rd::RD_KAFKA_EVENT_CREATETOPICS_RESULT,
        options,
        operation_timeout: true,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let mut new_topics = Vec::with_capacity(topics.len());
        for topic in &topics {
            let name = c_string(&topic.name)?;
            let mut errstr = ErrBuf::new();
            // SAFETY: `name` and `errstr` are valid for the call.
            let new_topic = unsafe {
                rd::rd_kafka_NewTopic_new(
                    name.as_ptr(),
                    topic.partitions,
                    topic.replication_factor,
                    errstr.as_mut_ptr(),
                    errstr.len(),
                )
            };
            let new_topic = Owned::new(new_topic, NewTopicObject)
                .map_err(|_| invalid_argument(&topic.name, &errstr))?;
            for (key, value) in &topic.configs {
                let (key, value) = (c_string(key)?, c_string(value)?);
                // SAFETY: live object, valid C strings; librdkafka copies
                // them. A null message makes `result_of` use the code's.
                unsafe {
                    let err = rd::rd_kafka_NewTopic_set_config(
                        new_topic.ptr(),
                        key.as_ptr(),
                        value.as_ptr(),
                    );
                    result_of(err, std::ptr::null())?;
                }
            }
            new_topics.push(new_topic);
        }
        let event = request.send_all(rk, &new_topics, rd::rd_kafka_CreateTopics)?;
        // SAFETY: `send_all` checked that the event is a CreateTopics result.
        Ok(unsafe {
            topic_results(
                &event,
                rd::rd_kafka_event_CreateTopics_result,
                rd::rd_kafka_CreateTopics_result_topics,
            )
        })
    })
    .await
}

/// DescribeCluster: the ids of the registered brokers.
pub(crate) async fn broker_ids<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    options: RequestOptions,
) -> Result<Vec<i32>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
        result_event: rd::RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT,
        options,
        operation_timeout: false,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let event = request.send(rk, |options, queue| {
            // SAFETY: options and queue are live for the call.
            unsafe { rd::rd_kafka_DescribeCluster(rk, options, queue) }
        })?;
        let mut n = 0;
        // SAFETY: the event has the DescribeCluster result type; the node
        // array has `n` live entries while the event lives.
        let ids = unsafe {
            let result = rd::rd_kafka_event_DescribeCluster_result(event.ptr());
            let nodes = rd::rd_kafka_DescribeCluster_result_nodes(result, &mut n);
            (0..n)
                .map(|i| rd::rd_kafka_Node_id(*nodes.add(i)))
                .collect()
        };
        Ok(ids)
    })
    .await
}

/// DescribeTopics: metadata for the named topics only. A topic the cluster
/// does not have is left out; one it has but cannot describe yet (no
/// leader right after a create) comes back with its error.
pub(crate) async fn describe_topics<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    names: Vec<String>,
    options: RequestOptions,
) -> Result<HashMap<String, TopicState>, BrokerError> {
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS,
        result_event: rd::RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT,
        options,
        operation_timeout: false,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let c_names = names
            .iter()
            .map(|n| c_string(n))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ptrs: Vec<*const c_char> = c_names.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: `ptrs` holds valid C strings, which librdkafka copies.
        let collection = Owned::new(
            unsafe { rd::rd_kafka_TopicCollection_of_topic_names(ptrs.as_mut_ptr(), ptrs.len()) },
            TopicCollection,
        )?;
        let event = request.send(rk, |options, queue| {
            // SAFETY: collection, options and queue are live for the call,
            // which copies what it needs.
            unsafe { rd::rd_kafka_DescribeTopics(rk, collection.ptr(), options, queue) }
        })?;
        let mut n = 0;
        // SAFETY: the event has the DescribeTopics result type; the
        // descriptions, and everything reachable from them, live as long as
        // the event, and each is read before it is dropped.
        unsafe {
            let result = rd::rd_kafka_event_DescribeTopics_result(event.ptr());
            let descriptions = rd::rd_kafka_DescribeTopics_result_topics(result, &mut n);
            let mut topics = HashMap::with_capacity(n);
            for i in 0..n {
                let description = *descriptions.add(i);
                let name = string(rd::rd_kafka_TopicDescription_name(description));
                let error = rd::rd_kafka_TopicDescription_error(description);
                let code = if error.is_null() {
                    RDKafkaErrorCode::NoError
                } else {
                    rd::rd_kafka_error_code(error).into()
                };
                match code {
                    RDKafkaErrorCode::NoError => {}
                    RDKafkaErrorCode::UnknownTopicOrPartition => continue,
                    code => {
                        let state = TopicState {
                            partitions: Vec::new(),
                            error: Some(TopicError {
                                name: string(rd::rd_kafka_error_name(error)),
                                message: string(rd::rd_kafka_error_string(error)),
                                retriable: super::retry::is_retriable(code.into()),
                            }),
                        };
                        topics.insert(name, state);
                        continue;
                    }
                }
                let mut count = 0;
                let partitions = rd::rd_kafka_TopicDescription_partitions(description, &mut count);
                let partitions = (0..count)
                    .map(|j| partition_state(*partitions.add(j)))
                    .collect();
                topics.insert(
                    name,
                    TopicState {
                        partitions,
                        error: None,
                    },
                );
            }
            Ok(topics)
        }
    })
    .await
}

/// # Safety
/// `info` is a live partition description.
unsafe fn partition_state(info: *const rd::rd_kafka_TopicPartitionInfo_t) -> PartitionState {
    // SAFETY: `nodes` is an array of `n` live nodes owned by `info`.
    let ids = |nodes: *mut *const rd::rd_kafka_Node_t, n: usize| -> Vec<i32> {
        (0..n)
            .map(|k| unsafe { rd::rd_kafka_Node_id(*nodes.add(k)) })
            .collect()
    };
    // SAFETY: `info` is live (the caller's contract); the node arrays and
    // the leader it returns live as long as it does and are read here.
    unsafe {
        let leader = rd::rd_kafka_TopicPartitionInfo_leader(info);
        let (mut isr_n, mut replica_n) = (0, 0);
        let isr = rd::rd_kafka_TopicPartitionInfo_isr(info, &mut isr_n);
        let replicas = rd::rd_kafka_TopicPartitionInfo_replicas(info, &mut replica_n);
        PartitionState {
            id: rd::rd_kafka_TopicPartitionInfo_partition(info),
            leader: if leader.is_null() {
                -1
            } else {
                rd::rd_kafka_Node_id(leader)
            },
            isr: ids(isr, isr_n),
            replicas: ids(replicas, replica_n),
        }
    }
}

/// CreatePartitions, with each failed topic's broker message.
pub(crate) async fn create_partitions<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    growths: Vec<NewPartitions>,
    options: RequestOptions,
) -> Result<Vec<TopicResult>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATEPARTITIONS,
        result_event: rd::RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT,
        options,
        operation_timeout: true,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let mut new_parts = Vec::with_capacity(growths.len());
        for growth in &growths {
            let name = c_string(&growth.topic)?;
            let total = usize::try_from(growth.total)
                .map_err(|_| invalid_argument(&growth.topic, "negative partition count"))?;
            let mut errstr = ErrBuf::new();
            // SAFETY: `name` and `errstr` are valid for the call.
            let parts = unsafe {
                rd::rd_kafka_NewPartitions_new(
                    name.as_ptr(),
                    total,
                    errstr.as_mut_ptr(),
                    errstr.len(),
                )
            };
            new_parts.push(
                Owned::new(parts, NewPartitionsObject)
                    .map_err(|_| invalid_argument(&growth.topic, &errstr))?,
            );
        }
        let event = request.send_all(rk, &new_parts, rd::rd_kafka_CreatePartitions)?;
        // SAFETY: `send_all` checked that the event is a CreatePartitions result.
        Ok(unsafe {
            topic_results(
                &event,
                rd::rd_kafka_event_CreatePartitions_result,
                rd::rd_kafka_CreatePartitions_result_topics,
            )
        })
    })
    .await
}

/// Delivers librdkafka's log lines and client-level errors (a refused
/// connection, a failed SASL handshake) to the client's context.
///
/// rdkafka queues both on the client's main queue and only a producer or
/// consumer polls it; an `AdminClient` never does, so without this thread
/// `ClientContext::log` and `ClientContext::error` are never called. It
/// wakes once a second when idle (a watch process is idle most of the
/// time), and at once when dropped.
pub(crate) struct MainQueueForwarder {
    stop: Arc<AtomicBool>,
    queue: Option<Arc<MainQueue>>,
}

/// The client's main queue, shared by the thread that polls it and the
/// handle that wakes that thread to stop.
struct MainQueue(Owned<rd::rd_kafka_queue_t, Queue>);

// SAFETY: librdkafka queues may be polled, yielded and destroyed from any
// thread; the guard destroys it once, when the last `Arc` goes.
unsafe impl Send for MainQueue {}
// SAFETY: as above: every librdkafka queue call is thread-safe.
unsafe impl Sync for MainQueue {}

impl MainQueueForwarder {
    pub(crate) fn start<C: ClientContext + 'static>(admin: &Arc<AdminClient<C>>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        // SAFETY: the client is live; the queue reference is ours to
        // destroy, and the thread keeps the client alive until it is.
        let queue = unsafe { rd::rd_kafka_queue_get_main(admin.inner().native_ptr()) };
        let Ok(queue) = Owned::new(queue, Queue).map(|q| Arc::new(MainQueue(q))) else {
            tracing::debug!("librdkafka's logs and errors will not be shown: no main queue");
            return MainQueueForwarder { stop, queue: None };
        };
        let (admin, stopped, polled) = (Arc::clone(admin), Arc::clone(&stop), Arc::clone(&queue));
        let spawned = std::thread::Builder::new()
            .name("kafka-init-events".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    // SAFETY: live queue; a non-null event is ours to destroy.
                    let event = unsafe { rd::rd_kafka_queue_poll(polled.0.ptr(), 1000) };
                    if let Some(event) = NonNull::new(event) {
                        forward(admin.inner().context().as_ref(), Owned(event, Event));
                    }
                }
                // The queue before the client it refers to.
                drop(polled);
                drop(admin);
            });
        if let Err(e) = spawned {
            tracing::debug!("librdkafka's logs and errors will not be shown: {e}");
        }
        MainQueueForwarder {
            stop,
            queue: Some(queue),
        }
    }
}

impl Drop for MainQueueForwarder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(queue) = self.queue.take() {
            // SAFETY: live queue (this `Arc` keeps it); yielding only ends
            // the thread's current poll.
            unsafe { rd::rd_kafka_queue_yield(queue.0.ptr()) };
        }
    }
}

fn forward<C: ClientContext>(context: &C, event: Owned<rd::rd_kafka_event_t, Event>) {
    // SAFETY: live event; its strings are read before it is dropped.
    unsafe {
        match rd::rd_kafka_event_type(event.ptr()) {
            rd::RD_KAFKA_EVENT_LOG => {
                let (mut fac, mut message, mut level) = (std::ptr::null(), std::ptr::null(), 0);
                if rd::rd_kafka_event_log(event.ptr(), &mut fac, &mut message, &mut level) == 0 {
                    context.log(log_level(level), string(fac).trim(), string(message).trim());
                }
            }
            rd::RD_KAFKA_EVENT_ERROR => {
                let code = rd::rd_kafka_event_error(event.ptr());
                let reason = string(rd::rd_kafka_event_error_string(event.ptr()));
                context.error(KafkaError::Global(code.into()), reason.trim());
            }
            _ => {}
        }
    }
}

/// librdkafka's syslog-style level.
fn log_level(level: c_int) -> RDKafkaLogLevel {
    match level {
        i32::MIN..=0 => RDKafkaLogLevel::Emerg,
        1 => RDKafkaLogLevel::Alert,
        2 => RDKafkaLogLevel::Critical,
        3 => RDKafkaLogLevel::Error,
        4 => RDKafkaLogLevel::Warning,
        5 => RDKafkaLogLevel::Notice,
        6 => RDKafkaLogLevel::Info,
        _ => RDKafkaLogLevel::Debug,
    }
}

/// Runs `work` with the client's handle on a blocking thread. The `Arc`
/// keeps the client alive until the work, and every queue it made, is done.
async fn run_blocking<C, T, F>(admin: Arc<AdminClient<C>>, work: F) -> Result<T, BrokerError>
where
    C: ClientContext + 'static,
    T: Send + 'static,
    F: FnOnce(*mut rd::rd_kafka_t) -> Result<T, BrokerError> + Send + 'static,
{
    tokio::task::spawn_blocking(move || work(admin.inner().native_ptr()))
        .await
        .unwrap_or_else(|e| {
            Err(BrokerError {
                code: ErrorCode::FAIL,
                name: "_FAIL".into(),
                message: format!("admin request task failed: {e}"),
            })
        })
}

/// The parts every admin request shares: options, a private result queue,
/// and waiting for the one result event.
struct Request {
    op: rd::rd_kafka_admin_op_t,
    result_event: c_int,
    options: RequestOptions,
    /// CreateTopics and CreatePartitions let the broker wait for the change
    /// to complete; other requests reject the option.
    operation_timeout: bool,
}

impl Request {
    fn send(
        &self,
        rk: *mut rd::rd_kafka_t,
        submit: impl FnOnce(*const rd::rd_kafka_AdminOptions_t, *mut rd::rd_kafka_queue_t),
    ) -> Result<Owned<rd::rd_kafka_event_t, Event>, BrokerError> {
        self.send_with(rk, |_| Ok(()), submit)
    }

    /// [`Request::send`], with `configure` setting the request's own
    /// options first.
    fn send_with(
        &self,
        rk: *mut rd::rd_kafka_t,
        configure: impl FnOnce(*mut rd::rd_kafka_AdminOptions_t) -> Result<(), BrokerError>,
        submit: impl FnOnce(*const rd::rd_kafka_AdminOptions_t, *mut rd::rd_kafka_queue_t),
    ) -> Result<Owned<rd::rd_kafka_event_t, Event>, BrokerError> {
        let timeout_ms = millis(self.options.timeout);
        // SAFETY: `rk` is a live client handle (kept alive by `run_blocking`).
        let options = Owned::new(
            unsafe { rd::rd_kafka_AdminOptions_new(rk, self.op) },
            AdminOptions,
        )?;
        let mut errstr = ErrBuf::new();
        // SAFETY: live options, `errstr` valid for the calls.
        unsafe {
            result_of(
                rd::rd_kafka_AdminOptions_set_request_timeout(
                    options.ptr(),
                    timeout_ms,
                    errstr.as_mut_ptr(),
                    errstr.len(),
                ),
                errstr.as_ptr(),
            )?;
            if self.operation_timeout {
                result_of(
                    rd::rd_kafka_AdminOptions_set_operation_timeout(
                        options.ptr(),
                        timeout_ms,
                        errstr.as_mut_ptr(),
                        errstr.len(),
                    ),
                    errstr.as_ptr(),
                )?;
            }
            if self.options.validate_only {
                result_of(
                    rd::rd_kafka_AdminOptions_set_validate_only(
                        options.ptr(),
                        1,
                        errstr.as_mut_ptr(),
                        errstr.len(),
                    ),
                    errstr.as_ptr(),
                )?;
            }
        }
        configure(options.ptr())?;
        // SAFETY: `rk` is live. The queue holds its own reference to the
        // client internals, and librdkafka keeps the queue alive while a
        // request still targets it, so dropping it early is safe too.
        let queue = Owned::new(unsafe { rd::rd_kafka_queue_new(rk) }, Queue)?;
        submit(options.ptr(), queue.ptr());

        // librdkafka times the request out itself; the extra second only
        // guards against a result that never arrives.
        let wait = Duration::from_millis(timeout_ms as u64) + Duration::from_secs(1);
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(BrokerError {
                    code: ErrorCode::TIMED_OUT,
                    name: "_TIMED_OUT".into(),
                    message: format!("no result within {:?}", self.options.timeout),
                });
            }
            // SAFETY: live queue; a non-null event is ours to destroy.
            let event = unsafe { rd::rd_kafka_queue_poll(queue.ptr(), millis(left)) };
            let Ok(event) = Owned::new(event, Event) else {
                continue;
            };
            // SAFETY: live event.
            if unsafe { rd::rd_kafka_event_type(event.ptr()) } != self.result_event {
                continue;
            }
            // SAFETY: live event; the message string lives as long as it.
            unsafe {
                result_of(
                    rd::rd_kafka_event_error(event.ptr()),
                    rd::rd_kafka_event_error_string(event.ptr()),
                )?;
            }
            return Ok(event);
        }
    }
}

/// A batch admin call: the client, the objects, their count, options, queue.
type Submit<T> = unsafe extern "C" fn(
    *mut rd::rd_kafka_t,
    *mut *mut T,
    usize,
    *const rd::rd_kafka_AdminOptions_t,
    *mut rd::rd_kafka_queue_t,
);

impl Request {
    /// Sends `objects` in one request made by `submit`; see [`Request::send`].
    fn send_all<T, D: Destroy<T>>(
        &self,
        rk: *mut rd::rd_kafka_t,
        objects: &[Owned<T, D>],
        submit: Submit<T>,
    ) -> Result<Owned<rd::rd_kafka_event_t, Event>, BrokerError> {
        let mut ptrs: Vec<_> = objects.iter().map(Owned::ptr).collect();
        self.send(rk, |options, queue| {
            // SAFETY: every object is live until after this call, which
            // copies the objects and options.
            unsafe { submit(rk, ptrs.as_mut_ptr(), ptrs.len(), options, queue) }
        })
    }
}

/// A librdkafka object and the function that destroys it.
struct Owned<T, D: Destroy<T>>(NonNull<T>, D);

trait Destroy<T> {
    const KIND: &'static str;
    /// # Safety
    /// `ptr` must be live and not used again.
    unsafe fn destroy(ptr: *mut T);
}

impl<T, D: Destroy<T>> Owned<T, D> {
    fn new(ptr: *mut T, destroy: D) -> Result<Self, BrokerError> {
        NonNull::new(ptr)
            .map(|p| Owned(p, destroy))
            .ok_or_else(|| BrokerError {
                code: ErrorCode::FAIL,
                name: "_FAIL".into(),
                message: format!("librdkafka returned no {}", D::KIND),
            })
    }

    fn ptr(&self) -> *mut T {
        self.0.as_ptr()
    }
}

impl<T, D: Destroy<T>> Drop for Owned<T, D> {
    fn drop(&mut self) {
        // SAFETY: the guard is the object's only owner.
        unsafe { D::destroy(self.0.as_ptr()) }
    }
}

macro_rules! destroy_with {
    ($guard:ident, $ty:ty, $destroy:path, $kind:literal) => {
        struct $guard;
        impl Destroy<$ty> for $guard {
            const KIND: &'static str = $kind;
            unsafe fn destroy(ptr: *mut $ty) {
                // SAFETY: the caller owns `ptr` and gives it up here.
                unsafe { $destroy(ptr) }
            }
        }
    };
}

destroy_with!(
    AdminOptions,
    rd::rd_kafka_AdminOptions_t,
    rd::rd_kafka_AdminOptions_destroy,
    "admin options"
);
destroy_with!(
    Queue,
    rd::rd_kafka_queue_t,
    rd::rd_kafka_queue_destroy,
    "queue"
);
destroy_with!(
    Event,
    rd::rd_kafka_event_t,
    rd::rd_kafka_event_destroy,
    "event"
);
destroy_with!(
    ConfigResource,
    rd::rd_kafka_ConfigResource_t,
    rd::rd_kafka_ConfigResource_destroy,
    "config resource"
);
destroy_with!(
    NewTopicObject,
    rd::rd_kafka_NewTopic_t,
    rd::rd_kafka_NewTopic_destroy,
    "new topic"
);
destroy_with!(
    NewPartitionsObject,
    rd::rd_kafka_NewPartitions_t,
    rd::rd_kafka_NewPartitions_destroy,
    "new partitions"
);
destroy_with!(
    TopicCollection,
    rd::rd_kafka_TopicCollection_t,
    rd::rd_kafka_TopicCollection_destroy,
    "topic collection"
);
destroy_with!(
    TopicPartitionList,
    rd::rd_kafka_topic_partition_list_t,
    rd::rd_kafka_topic_partition_list_destroy,
    "partition list"
);
destroy_with!(
    ErrorObject,
    rd::rd_kafka_error_t,
    rd::rd_kafka_error_destroy,
    "error"
);

pub(crate) mod acl;
pub(crate) mod configs;
pub(crate) mod usage;

/// A buffer for librdkafka's `errstr` out-parameters.
struct ErrBuf([c_char; 512]);

impl ErrBuf {
    fn new() -> Self {
        ErrBuf([0; 512])
    }
    fn as_mut_ptr(&mut self) -> *mut c_char {
        self.0.as_mut_ptr()
    }
    fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl std::fmt::Display for ErrBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // SAFETY: zero-initialised, and librdkafka always NUL-terminates.
        f.write_str(&unsafe { string(self.as_ptr()) })
    }
}

impl From<RDKafkaErrorCode> for ErrorCode {
    fn from(code: RDKafkaErrorCode) -> Self {
        ErrorCode(code as i32)
    }
}

impl From<RDKafkaRespErr> for ErrorCode {
    fn from(code: RDKafkaRespErr) -> Self {
        ErrorCode(code as i32)
    }
}

/// Kafka's name for a code rdkafka reports without one: `InvalidConfig`
/// becomes `INVALID_CONFIG`.
pub(crate) fn code_name(code: RDKafkaErrorCode) -> String {
    let mut name = String::new();
    for (i, c) in format!("{code:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

fn c_string(s: &str) -> Result<CString, BrokerError> {
    CString::new(s).map_err(|_| invalid_argument(s, "contains a NUL byte"))
}

fn invalid_argument(what: &str, why: impl std::fmt::Display) -> BrokerError {
    BrokerError {
        code: ErrorCode::INVALID_ARG,
        name: "_INVALID_ARG".into(),
        message: format!("`{what}`: {why}"),
    }
}

fn millis(d: Duration) -> c_int {
    d.as_millis().clamp(1, c_int::MAX as u128) as c_int
}

/// # Safety
/// `ptr` is null or a valid NUL-terminated string.
unsafe fn string(ptr: *const c_char) -> String {
    if ptr.is_null() {
        String::new()
    } else {
        // SAFETY: not null, so a valid NUL-terminated string (the contract).
        unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned()
    }
}

/// `Ok` for NO_ERROR, else the code with `message` (or, if that is null or
/// empty, the code's own description).
///
/// # Safety
/// `message` is null or a valid NUL-terminated string.
unsafe fn result_of(code: RDKafkaRespErr, message: *const c_char) -> Result<(), BrokerError> {
    if code == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        return Ok(());
    }
    // SAFETY: `message` per the contract; librdkafka's code descriptions
    // and names are static NUL-terminated strings.
    unsafe {
        let mut message = string(message);
        if message.is_empty() {
            message = string(rd::rd_kafka_err2str(code));
        }
        Err(BrokerError {
            code: code.into(),
            name: string(rd::rd_kafka_err2name(code)),
            message,
        })
    }
}

fn local_error(error: Owned<rd::rd_kafka_error_t, ErrorObject>) -> BrokerError {
    // SAFETY: live error object; it is dropped after being read.
    unsafe { error_of(error.ptr()) }
}

/// An error object's code, name and message, copied.
///
/// # Safety
/// `error` is a live error object.
unsafe fn error_of(error: *const rd::rd_kafka_error_t) -> BrokerError {
    // SAFETY: per the contract; the strings are copied here.
    unsafe {
        BrokerError {
            code: rd::rd_kafka_error_code(error).into(),
            name: string(rd::rd_kafka_error_name(error)),
            message: string(rd::rd_kafka_error_string(error)),
        }
    }
}

/// Each topic's result in `event`, read with the request kind's accessors.
///
/// # Safety
/// `event` is live and of the result type `result` reads.
unsafe fn topic_results<R>(
    event: &Owned<rd::rd_kafka_event_t, Event>,
    result: unsafe extern "C" fn(*mut rd::rd_kafka_event_t) -> *const R,
    topics: unsafe extern "C" fn(*const R, *mut usize) -> *mut *const rd::rd_kafka_topic_result_t,
) -> Vec<TopicResult> {
    let mut n = 0;
    // SAFETY: `event` is live and of the type `result` reads (the
    // contract); the `n` topic results live as long as the event, and each
    // one's strings are copied here.
    unsafe {
        let results = topics(result(event.ptr()), &mut n);
        (0..n)
            .map(|i| {
                let result = *results.add(i);
                (
                    string(rd::rd_kafka_topic_result_name(result)),
                    result_of(
                        rd::rd_kafka_topic_result_error(result),
                        rd::rd_kafka_topic_result_error_string(result),
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_kafkas() {
        assert_eq!(code_name(RDKafkaErrorCode::InvalidConfig), "INVALID_CONFIG");
        assert_eq!(
            code_name(RDKafkaErrorCode::UnknownTopicOrPartition),
            "UNKNOWN_TOPIC_OR_PARTITION"
        );
    }

    #[test]
    fn result_of_prefers_the_brokers_message() {
        let message = CString::new("Unknown topic config name: foo").unwrap();
        // SAFETY: a valid C string, or null.
        let (with, without) = unsafe {
            (
                result_of(
                    RDKafkaRespErr::RD_KAFKA_RESP_ERR_INVALID_CONFIG,
                    message.as_ptr(),
                ),
                result_of(
                    RDKafkaRespErr::RD_KAFKA_RESP_ERR_INVALID_CONFIG,
                    std::ptr::null(),
                ),
            )
        };
        let with = with.unwrap_err();
        assert_eq!(with.name, "INVALID_CONFIG");
        assert_eq!(with.message, "Unknown topic config name: foo");
        assert!(!without.unwrap_err().message.is_empty());
        // SAFETY: null is allowed.
        assert!(
            unsafe { result_of(RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR, std::ptr::null()) }
                .is_ok()
        );
    }

    #[test]
    fn an_argument_with_nul_is_refused_before_librdkafka_sees_it() {
        let e = c_string("a\0b").unwrap_err();
        assert_eq!(e.code, ErrorCode::INVALID_ARG);
    }
}
