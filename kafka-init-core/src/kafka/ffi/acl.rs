//! ACL requests (CreateAcls, DescribeAcls, DeleteAcls) made through
//! librdkafka directly: rdkafka has no wrapper for them.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::ptr::NonNull;
use std::sync::Arc;

use rdkafka::admin::AdminClient;
use rdkafka::bindings as rd;
use rdkafka::client::ClientContext;

use super::{
    c_int, c_string, error_of, invalid_argument, local_error, run_blocking, string, BrokerError,
    Destroy, ErrBuf, ErrorCode, ErrorObject, Owned, Request, RequestOptions, Submit,
};
use crate::access::{AclBinding, Operation, PatternType, Permission, ResourceType};
use crate::kafka::admin::AclResult;

use rd::rd_kafka_AclOperation_t as Op;
use rd::rd_kafka_AclPermissionType_t as Perm;
use rd::rd_kafka_ResourcePatternType_t as Pattern;
use rd::rd_kafka_ResourceType_t as Res;

/// Every binding of the cluster the model can name.
pub(crate) async fn describe_acls<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    options: RequestOptions,
) -> Result<Vec<AclBinding>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBEACLS,
        result_event: rd::RD_KAFKA_EVENT_DESCRIBEACLS_RESULT,
        options,
        operation_timeout: false,
    };
    let bindings: Vec<AclBinding> = run_blocking(Arc::clone(admin), move |rk| {
        let mut errstr = ErrBuf::new();
        // SAFETY: null names, principal and host match any; `errstr` is
        // valid for the call.
        let filter = unsafe {
            rd::rd_kafka_AclBindingFilter_new(
                Res::RD_KAFKA_RESOURCE_ANY,
                std::ptr::null(),
                Pattern::RD_KAFKA_RESOURCE_PATTERN_ANY,
                std::ptr::null(),
                std::ptr::null(),
                Op::RD_KAFKA_ACL_OPERATION_ANY,
                Perm::RD_KAFKA_ACL_PERMISSION_TYPE_ANY,
                errstr.as_mut_ptr(),
                errstr.len(),
            )
        };
        let filter = Owned::new(filter, AclBindingObject)
            .map_err(|_| invalid_argument("filter", &errstr))?;
        let event = request.send(rk, |options, queue| {
            // SAFETY: filter, options and queue are live for the call, which
            // copies the filter.
            unsafe { rd::rd_kafka_DescribeAcls(rk, filter.ptr(), options, queue) }
        })?;
        let mut n = 0;
        // SAFETY: the event has the DescribeAcls result type (checked by
        // `send`); the `n` bindings live as long as it and are copied here.
        unsafe {
            let result = rd::rd_kafka_event_DescribeAcls_result(event.ptr());
            let acls = rd::rd_kafka_DescribeAcls_result_acls(result, &mut n);
            Ok((0..n).filter_map(|i| binding_of(*acls.add(i))).collect())
        }
    })
    .await?;
    // librdkafka drops the response's own error code: a principal without
    // DESCRIBE on the cluster gets an empty list, not an error. Only an
    // empty list can hide a refusal; ask the cluster what we may do to it.
    if bindings.is_empty() {
        may_describe_acls(admin, options).await?;
    }
    Ok(bindings)
}

/// An error unless the principal may DESCRIBE the cluster (ALTER implies
/// it), per DescribeCluster's authorized operations. A cluster without an
/// authorizer allows every operation, and has no ACLs to hide.
async fn may_describe_acls<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    options: RequestOptions,
) -> Result<(), BrokerError> {
    let allowed = match cluster_operations(admin, options).await? {
        None => true,
        Some(ops) => ops
            .iter()
            .any(|o| matches!(o, Operation::Describe | Operation::Alter | Operation::All)),
    };
    if allowed {
        Ok(())
    } else {
        Err(BrokerError {
            code: ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
            name: "CLUSTER_AUTHORIZATION_FAILED".into(),
            message: "Cluster authorization failed: listing ACLs needs DESCRIBE on the cluster"
                .into(),
        })
    }
}

/// DescribeCluster with the operations the principal may perform on the
/// cluster; `None` when the broker did not say.
pub(crate) async fn cluster_operations<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    options: RequestOptions,
) -> Result<Option<Vec<Operation>>, BrokerError> {
    let request = Request {
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
        result_event: rd::RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT,
        options: RequestOptions {
            validate_only: false,
            ..options
        },
        operation_timeout: false,
    };
    run_blocking(Arc::clone(admin), move |rk| {
        let event = request.send_with(
            rk,
            |options| {
                // SAFETY: live options; a returned error is ours to destroy.
                let error = unsafe {
                    rd::rd_kafka_AdminOptions_set_include_authorized_operations(options, 1)
                };
                match NonNull::new(error) {
                    Some(error) => Err(local_error(Owned(error, ErrorObject))),
                    None => Ok(()),
                }
            },
            |options, queue| {
                // SAFETY: options and queue are live for the call.
                unsafe { rd::rd_kafka_DescribeCluster(rk, options, queue) }
            },
        )?;
        let mut n = 0;
        // SAFETY: the event has the DescribeCluster result type (checked by
        // `send`); the `n` operations live as long as it and are copied here.
        // Null (`n` unset) means the broker did not say.
        unsafe {
            let result = rd::rd_kafka_event_DescribeCluster_result(event.ptr());
            let ops = rd::rd_kafka_DescribeCluster_result_authorized_operations(result, &mut n);
            if ops.is_null() {
                return Ok(None);
            }
            Ok(Some(
                (0..n).filter_map(|i| operation_of(*ops.add(i))).collect(),
            ))
        }
    })
    .await
}

/// CreateAcls: each binding's result.
pub(crate) async fn create_acls<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    bindings: Vec<AclBinding>,
    options: RequestOptions,
) -> Result<Vec<AclResult>, BrokerError> {
    let call = Call {
        name: "CreateAcls",
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATEACLS,
        result_event: rd::RD_KAFKA_EVENT_CREATEACLS_RESULT,
        kind: Kind::Binding,
        submit: rd::rd_kafka_CreateAcls,
        errors: created,
    };
    call.run(admin, bindings, options).await
}

/// DeleteAcls with one exact filter per binding.
pub(crate) async fn delete_acls<C: ClientContext + 'static>(
    admin: &Arc<AdminClient<C>>,
    bindings: Vec<AclBinding>,
    options: RequestOptions,
) -> Result<Vec<AclResult>, BrokerError> {
    let call = Call {
        name: "DeleteAcls",
        op: rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETEACLS,
        result_event: rd::RD_KAFKA_EVENT_DELETEACLS_RESULT,
        kind: Kind::Filter,
        submit: rd::rd_kafka_DeleteAcls,
        errors: deleted,
    };
    call.run(admin, bindings, options).await
}

/// CreateAcls or DeleteAcls: one librdkafka object per binding, one
/// result per object, in request order.
struct Call {
    name: &'static str,
    op: rd::rd_kafka_admin_op_t,
    result_event: c_int,
    kind: Kind,
    submit: Submit<rd::rd_kafka_AclBinding_t>,
    /// Reads the results out of an event of the call's result type.
    errors: unsafe fn(*mut rd::rd_kafka_event_t) -> Vec<Result<(), BrokerError>>,
}

impl Call {
    async fn run<C: ClientContext + 'static>(
        self,
        admin: &Arc<AdminClient<C>>,
        bindings: Vec<AclBinding>,
        options: RequestOptions,
    ) -> Result<Vec<AclResult>, BrokerError> {
        if bindings.is_empty() {
            return Ok(Vec::new());
        }
        let request = Request {
            op: self.op,
            result_event: self.result_event,
            options,
            operation_timeout: false,
        };
        run_blocking(Arc::clone(admin), move |rk| {
            let objects = bindings
                .iter()
                .map(|b| native(b, self.kind))
                .collect::<Result<Vec<_>, _>>()?;
            let event = request.send_all(rk, &objects, self.submit)?;
            // SAFETY: `send` checked the event has the call's result type.
            let errors = unsafe { (self.errors)(event.ptr()) };
            paired(self.name, bindings, errors)
        })
        .await
    }
}

/// CreateAcls' results.
///
/// # Safety
/// `event` must be a live CreateAcls result event.
unsafe fn created(event: *mut rd::rd_kafka_event_t) -> Vec<Result<(), BrokerError>> {
    let mut n = 0;
    // SAFETY: per the caller; the `n` results, one per binding in request
    // order, live as long as the event, and their errors are copied here.
    unsafe {
        let result = rd::rd_kafka_event_CreateAcls_result(event);
        let results = rd::rd_kafka_CreateAcls_result_acls(result, &mut n);
        (0..n)
            .map(|i| {
                let error = rd::rd_kafka_acl_result_error(*results.add(i));
                if error.is_null() {
                    Ok(())
                } else {
                    Err(error_of(error))
                }
            })
            .collect()
    }
}

/// DeleteAcls' results: a response's error, else the first error of a
/// binding it matched.
///
/// # Safety
/// `event` must be a live DeleteAcls result event.
unsafe fn deleted(event: *mut rd::rd_kafka_event_t) -> Vec<Result<(), BrokerError>> {
    let mut n = 0;
    // SAFETY: per the caller; the `n` responses, one per filter in request
    // order, and the bindings each matched live as long as the event;
    // errors are copied.
    unsafe {
        let result = rd::rd_kafka_event_DeleteAcls_result(event);
        let responses = rd::rd_kafka_DeleteAcls_result_responses(result, &mut n);
        (0..n)
            .map(|i| {
                let response = *responses.add(i);
                let error = rd::rd_kafka_DeleteAcls_result_response_error(response);
                if !error.is_null() {
                    return Err(error_of(error));
                }
                let mut matched = 0;
                let acls =
                    rd::rd_kafka_DeleteAcls_result_response_matching_acls(response, &mut matched);
                for j in 0..matched {
                    let error = rd::rd_kafka_AclBinding_error(*acls.add(j));
                    if !error.is_null() {
                        return Err(error_of(error));
                    }
                }
                Ok(())
            })
            .collect()
    }
}

/// Whether librdkafka makes a binding (to create) or a filter (to match).
#[derive(Clone, Copy)]
enum Kind {
    Binding,
    Filter,
}

/// The binding as librdkafka's object: every field exact.
fn native(
    binding: &AclBinding,
    kind: Kind,
) -> Result<Owned<rd::rd_kafka_AclBinding_t, AclBindingObject>, BrokerError> {
    let name = c_string(&binding.name)?;
    let principal = c_string(&binding.principal)?;
    let host = c_string(&binding.host)?;
    let new = match kind {
        Kind::Binding => rd::rd_kafka_AclBinding_new,
        Kind::Filter => rd::rd_kafka_AclBindingFilter_new,
    };
    let mut errstr = ErrBuf::new();
    // SAFETY: the strings and `errstr` are valid for the call; librdkafka
    // copies the strings.
    let object = unsafe {
        new(
            resource_type(binding.resource_type),
            name.as_ptr(),
            pattern(binding.pattern),
            principal.as_ptr(),
            host.as_ptr(),
            operation(binding.operation),
            permission(binding.permission),
            errstr.as_mut_ptr(),
            errstr.len(),
        )
    };
    Owned::new(object, AclBindingObject)
        .map_err(|_| invalid_argument(&binding.to_string(), &errstr))
}

/// The results beside their bindings; a refusal of the whole request (the
/// broker repeats it for every binding) as the call's error.
fn paired(
    what: &str,
    bindings: Vec<AclBinding>,
    results: Vec<Result<(), BrokerError>>,
) -> Result<Vec<AclResult>, BrokerError> {
    if results.len() != bindings.len() {
        return Err(BrokerError {
            code: ErrorCode::FAIL,
            name: "_FAIL".into(),
            message: format!(
                "{what}: {} results for {} bindings",
                results.len(),
                bindings.len()
            ),
        });
    }
    if let Some(Err(e)) = results.iter().find(|r| {
        r.as_ref().is_err_and(|e| {
            [
                ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                ErrorCode::SECURITY_DISABLED,
            ]
            .contains(&e.code)
        })
    }) {
        return Err(e.clone());
    }
    Ok(bindings.into_iter().zip(results).collect())
}

/// The binding librdkafka read, if the model has a name for each part.
///
/// # Safety
/// `acl` is a live binding.
unsafe fn binding_of(acl: *const rd::rd_kafka_AclBinding_t) -> Option<AclBinding> {
    // SAFETY: `acl` is live (the contract); librdkafka maps values it does
    // not know to UNKNOWN, so every enum read is a valid variant; the
    // strings are copied.
    unsafe {
        Some(AclBinding::new(
            string(rd::rd_kafka_AclBinding_principal(acl)),
            string(rd::rd_kafka_AclBinding_host(acl)),
            operation_of(rd::rd_kafka_AclBinding_operation(acl))?,
            permission_of(rd::rd_kafka_AclBinding_permission_type(acl))?,
            resource_type_of(rd::rd_kafka_AclBinding_restype(acl))?,
            string(rd::rd_kafka_AclBinding_name(acl)),
            pattern_of(rd::rd_kafka_AclBinding_resource_pattern_type(acl))?,
        ))
    }
}

// The model's enums and librdkafka's, both ways. Kafka's CLUSTER resource
// is librdkafka's BROKER (code 4 both).

fn resource_type(r: ResourceType) -> Res {
    match r {
        ResourceType::Topic => Res::RD_KAFKA_RESOURCE_TOPIC,
        ResourceType::Group => Res::RD_KAFKA_RESOURCE_GROUP,
        ResourceType::Cluster => Res::RD_KAFKA_RESOURCE_BROKER,
        ResourceType::TransactionalId => Res::RD_KAFKA_RESOURCE_TRANSACTIONAL_ID,
    }
}

fn resource_type_of(r: Res) -> Option<ResourceType> {
    ResourceType::ALL
        .iter()
        .copied()
        .find(|&t| resource_type(t) == r)
}

fn pattern(p: PatternType) -> Pattern {
    match p {
        PatternType::Literal => Pattern::RD_KAFKA_RESOURCE_PATTERN_LITERAL,
        PatternType::Prefixed => Pattern::RD_KAFKA_RESOURCE_PATTERN_PREFIXED,
    }
}

fn pattern_of(p: Pattern) -> Option<PatternType> {
    PatternType::ALL.iter().copied().find(|&t| pattern(t) == p)
}

fn operation(o: Operation) -> Op {
    match o {
        Operation::All => Op::RD_KAFKA_ACL_OPERATION_ALL,
        Operation::Read => Op::RD_KAFKA_ACL_OPERATION_READ,
        Operation::Write => Op::RD_KAFKA_ACL_OPERATION_WRITE,
        Operation::Create => Op::RD_KAFKA_ACL_OPERATION_CREATE,
        Operation::Delete => Op::RD_KAFKA_ACL_OPERATION_DELETE,
        Operation::Alter => Op::RD_KAFKA_ACL_OPERATION_ALTER,
        Operation::Describe => Op::RD_KAFKA_ACL_OPERATION_DESCRIBE,
        Operation::ClusterAction => Op::RD_KAFKA_ACL_OPERATION_CLUSTER_ACTION,
        Operation::DescribeConfigs => Op::RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS,
        Operation::AlterConfigs => Op::RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS,
        Operation::IdempotentWrite => Op::RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE,
    }
}

fn operation_of(o: Op) -> Option<Operation> {
    Operation::ALL.iter().copied().find(|&t| operation(t) == o)
}

fn permission(p: Permission) -> Perm {
    match p {
        Permission::Allow => Perm::RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW,
        Permission::Deny => Perm::RD_KAFKA_ACL_PERMISSION_TYPE_DENY,
    }
}

fn permission_of(p: Perm) -> Option<Permission> {
    Permission::ALL
        .iter()
        .copied()
        .find(|&t| permission(t) == p)
}

destroy_with!(
    AclBindingObject,
    rd::rd_kafka_AclBinding_t,
    rd::rd_kafka_AclBinding_destroy,
    "ACL binding"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_value_maps_to_librdkafkas_and_back() {
        for &t in ResourceType::ALL {
            assert_eq!(resource_type_of(resource_type(t)), Some(t));
        }
        for &p in PatternType::ALL {
            assert_eq!(pattern_of(pattern(p)), Some(p));
        }
        for &o in Operation::ALL {
            assert_eq!(operation_of(operation(o)), Some(o));
        }
        for &p in Permission::ALL {
            assert_eq!(permission_of(permission(p)), Some(p));
        }
        // Kafka's codes: CLUSTER is 4, the operations 2 (ALL) to 12.
        assert_eq!(resource_type(ResourceType::Cluster) as u32, 4);
        assert_eq!(operation(Operation::IdempotentWrite) as u32, 12);
    }

    #[test]
    fn what_the_model_cannot_name_is_left_out() {
        assert_eq!(resource_type_of(Res::RD_KAFKA_RESOURCE_UNKNOWN), None);
        assert_eq!(resource_type_of(Res::RD_KAFKA_RESOURCE_ANY), None);
        assert_eq!(pattern_of(Pattern::RD_KAFKA_RESOURCE_PATTERN_MATCH), None);
        assert_eq!(pattern_of(Pattern::RD_KAFKA_RESOURCE_PATTERN_UNKNOWN), None);
        assert_eq!(operation_of(Op::RD_KAFKA_ACL_OPERATION_UNKNOWN), None);
        assert_eq!(operation_of(Op::RD_KAFKA_ACL_OPERATION_ANY), None);
        assert_eq!(permission_of(Perm::RD_KAFKA_ACL_PERMISSION_TYPE_ANY), None);
    }

    fn binding(name: &str) -> AclBinding {
        AclBinding::new(
            "User:a",
            "*",
            Operation::Read,
            Permission::Allow,
            ResourceType::Topic,
            name,
            PatternType::Literal,
        )
    }

    fn refused(code: ErrorCode, name: &str) -> BrokerError {
        BrokerError {
            code,
            name: name.into(),
            message: format!("{name}!"),
        }
    }

    #[test]
    fn a_refusal_of_the_whole_request_fails_the_call() {
        let denied = refused(
            ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
            "CLUSTER_AUTHORIZATION_FAILED",
        );
        let e = paired(
            "CreateAcls",
            vec![binding("a"), binding("b")],
            vec![Err(denied.clone()), Err(denied.clone())],
        )
        .unwrap_err();
        assert_eq!(e, denied);

        let invalid = refused(ErrorCode::INVALID_REQUEST, "INVALID_REQUEST");
        let results = paired(
            "CreateAcls",
            vec![binding("a"), binding("b")],
            vec![Ok(()), Err(invalid.clone())],
        )
        .unwrap();
        assert_eq!(
            results,
            [(binding("a"), Ok(())), (binding("b"), Err(invalid))]
        );
        assert!(paired("DeleteAcls", vec![binding("a")], vec![]).is_err());
    }

    #[test]
    fn a_binding_librdkafka_refuses_is_an_argument_error() {
        let Err(e) = native(&binding("a\0b"), Kind::Binding) else {
            panic!("a NUL byte is refused");
        };
        assert_eq!(e.code, ErrorCode::INVALID_ARG);
        assert!(native(&binding("a"), Kind::Binding).is_ok());
        assert!(native(&binding("a"), Kind::Filter).is_ok());
    }
}
