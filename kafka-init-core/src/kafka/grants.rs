//! Access on the cluster: reading its ACL bindings (one DescribeAcls),
//! creating the ones a plan grants and waiting until the brokers list
//! them, and deleting exactly the ones a pruning plan revokes. What to
//! grant or revoke is the model's diff (`crate::access`); this only fetches
//! and executes.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::BTreeSet;
use std::time::Duration;

use super::admin::{BrokerError, ErrorCode};
use super::retry::{is_retriable, Attempt, Backoff};
use super::session::{human, Request, Session};
use crate::access::{self, AccessAction, AccessChange, AclBinding, Operation};
use crate::error::Error;
use crate::options::EnsureOptions;

/// What the principal lacked, by the request refused.
fn lacked(what: &'static str, e: BrokerError) -> Error {
    let message = match e.code {
        ErrorCode::CLUSTER_AUTHORIZATION_FAILED => format!(
            "the principal lacks {what} on the cluster (`{}`): {}",
            access::CLUSTER_NAME,
            e.message
        ),
        _ => e.message,
    };
    let phase = match what {
        "DESCRIBE" => "reading access (ACLs)",
        "ALTER" => "changing access (ACLs)",
        _ => "access (ACLs)",
    };
    Error::Request {
        phase,
        code: e.name,
        message,
    }
}

/// A failed ACL request as an attempt: asked again while waiting may
/// change the answer, else final, naming what the principal lacked.
fn attempt(what: &'static str, e: BrokerError) -> Attempt {
    if is_retriable(e.code) {
        Attempt::Retry(e.to_string())
    } else {
        Attempt::Fail(lacked(what, e))
    }
}

impl Session {
    /// Every binding the cluster has (DescribeAcls, match-any), or `None`
    /// when its brokers have no authorizer. Retried while the answer may
    /// change by waiting.
    pub(super) async fn acl_bindings(&self) -> Result<Option<Vec<AclBinding>>, Error> {
        self.retry("reading access (ACLs)", Backoff::default(), || async {
            let timeout = self.remaining().min(Duration::from_secs(10));
            let options = self.request_within(Request::DescribeAcls, timeout, false);
            let retry = |e| attempt("DESCRIBE", e);
            match self.admin.describe_acls(options).await {
                // A broker without an authorizer answers DescribeAcls with
                // no bindings rather than SECURITY_DISABLED; its
                // `authorizer.class.name` tells the two apart.
                Ok(bindings) if bindings.is_empty() => {
                    let options = self.request_within(Request::DescribeCluster, timeout, false);
                    let ids = self.admin.describe_cluster(options).await.map_err(retry)?;
                    let Some(&id) = ids.first() else {
                        return Err(Attempt::Retry("no broker is registered".into()));
                    };
                    let options = self.request_within(Request::DescribeConfigs, timeout, false);
                    let configs = self
                        .admin
                        .broker_configs(id, options)
                        .await
                        .map_err(retry)?;
                    let authorizer = configs
                        .get("authorizer.class.name")
                        .is_some_and(|c| !c.trim().is_empty());
                    Ok(authorizer.then_some(bindings))
                }
                Ok(bindings) => Ok(Some(bindings)),
                Err(e) if e.code == ErrorCode::SECURITY_DISABLED => Ok(None),
                Err(e) => Err(retry(e)),
            }
        })
        .await
    }

    /// An error unless the principal may ALTER the cluster, which creating
    /// and deleting ACLs needs: asked while planning, so a run that could
    /// not change access changes nothing at all.
    async fn may_alter_acls(&self) -> Result<(), Error> {
        let operations = self
            .retry("reading access (ACLs)", Backoff::default(), || async {
                let timeout = self.remaining().min(Duration::from_secs(10));
                let options = self.request_within(Request::DescribeCluster, timeout, false);
                self.admin
                    .cluster_operations(options)
                    .await
                    .map_err(|e| attempt("DESCRIBE", e))
            })
            .await?;
        match operations {
            Some(ops)
                if !ops
                    .iter()
                    .any(|o| matches!(o, Operation::Alter | Operation::All)) =>
            {
                Err(lacked(
                    "ALTER",
                    BrokerError {
                        code: ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                        name: "CLUSTER_AUTHORIZATION_FAILED".into(),
                        message: "creating and deleting ACLs needs ALTER on the cluster".into(),
                    },
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The plan's access rows for `options`: the declared bindings against
/// what the cluster has, and with pruning, the owned ones it would revoke.
/// Nothing is read when the run neither declares access nor prunes.
pub(super) async fn plan(
    session: &Session,
    options: &EnsureOptions,
) -> Result<Vec<AccessChange>, Error> {
    let declared = access::bindings(&options.access);
    let prune = options.prune.is_some() && options.ownership.owns.is_some();
    if declared.is_empty() && !prune {
        return Ok(Vec::new());
    }
    match session.acl_bindings().await {
        Ok(Some(existing)) => {
            let rows = access::diff(&declared, &existing, &options.ownership, prune);
            if rows.iter().any(|r| r.action != AccessAction::Unchanged) {
                session.may_alter_acls().await?;
            }
            Ok(rows)
        }
        Ok(None) => {
            if !declared.is_empty() {
                tracing::warn!(
                    "the cluster has no authorizer (SECURITY_DISABLED): every principal may do everything, so the file's access is not applied"
                );
            }
            Ok(Vec::new())
        }
        // A file without access prunes topics on a cluster it may not
        // read ACLs of: there is nothing of its own to revoke there.
        Err(e) if declared.is_empty() && e.is_authorization() => {
            tracing::warn!("access not pruned: {e}");
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

/// Creates the bindings `rows` grant, then waits until the cluster lists
/// every one of them; returns the rows.
pub(super) async fn grant(
    session: &Session,
    rows: &[AccessChange],
) -> Result<Vec<AccessChange>, Error> {
    change(session, rows, Change::Grant).await?;
    Ok(rows.to_vec())
}

/// Deletes exactly the bindings `rows` revoke (one exact filter each),
/// then waits until the cluster no longer lists them.
pub(super) async fn revoke(session: &Session, rows: &[AccessChange]) -> Result<(), Error> {
    change(session, rows, Change::Revoke).await
}

#[derive(Clone, Copy)]
enum Change {
    Grant,
    Revoke,
}

impl Change {
    fn action(self) -> AccessAction {
        match self {
            Change::Grant => AccessAction::Grant,
            Change::Revoke => AccessAction::Revoke,
        }
    }

    fn phase(self) -> &'static str {
        match self {
            Change::Grant => "granting access (ACLs)",
            Change::Revoke => "revoking access (ACLs)",
        }
    }
}

/// Sends the rows of `how` (CreateAcls or DeleteAcls), retrying while the
/// answer may change by waiting, then waits until DescribeAcls shows the
/// change, so a client that starts next meets it.
async fn change(session: &Session, rows: &[AccessChange], how: Change) -> Result<(), Error> {
    let bindings: Vec<AclBinding> = rows
        .iter()
        .filter(|r| r.action == how.action())
        .map(|r| r.binding.clone())
        .collect();
    if bindings.is_empty() {
        return Ok(());
    }
    let started = tokio::time::Instant::now();
    let phase = how.phase();
    let applied = session
        .retry(phase, Backoff::default(), || async {
            let sent = bindings.clone();
            let results = match how {
                Change::Grant => {
                    let options = session.request(Request::CreateAcls, false);
                    session.admin.create_acls(sent, options).await
                }
                Change::Revoke => {
                    let options = session.request(Request::DeleteAcls, false);
                    session.admin.delete_acls(sent, options).await
                }
            };
            let results = match results {
                Ok(results) => results,
                Err(e) if e.code == ErrorCode::SECURITY_DISABLED => {
                    tracing::warn!(
                        "the cluster has no authorizer (SECURITY_DISABLED): access not applied"
                    );
                    return Ok(false);
                }
                Err(e) => return Err(attempt("ALTER", e)),
            };
            for (binding, result) in results {
                match result {
                    Ok(()) => {}
                    Err(e) if is_retriable(e.code) => {
                        return Err(Attempt::Retry(format!("{binding}: {e}")))
                    }
                    Err(e) => {
                        return Err(Attempt::Fail(Error::Request {
                            phase,
                            code: e.name,
                            message: format!("{binding}: {}", e.message),
                        }))
                    }
                }
            }
            Ok(true)
        })
        .await?;
    if !applied {
        return Ok(());
    }
    let shown = match how {
        Change::Grant => "waiting for granted access to show",
        Change::Revoke => "waiting for revoked access to go",
    };
    session
        .retry(shown, Backoff::default(), || async {
            let listed: BTreeSet<AclBinding> = match session.acl_bindings().await? {
                Some(all) => all.into_iter().collect(),
                None => return Ok(()),
            };
            let pending = bindings
                .iter()
                .find(|b| listed.contains(*b) == matches!(how, Change::Revoke));
            match pending {
                Some(b) => Err(Attempt::Retry(format!("`{b}` is not shown yet"))),
                None => Ok(()),
            }
        })
        .await?;
    let (icon, done) = match how {
        Change::Grant => ("🔑 Granted", "grant"),
        Change::Revoke => ("🗑 Revoked", "revoke"),
    };
    for binding in &bindings {
        tracing::info!("{icon}: {binding}");
    }
    tracing::info!(
        "{done}: {} binding(s) in {}",
        bindings.len(),
        human(started.elapsed())
    );
    Ok(())
}
