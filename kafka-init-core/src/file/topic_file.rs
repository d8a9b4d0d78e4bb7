//! The topic file as loaded: what every later stage and every caller
//! reads.

use std::path::PathBuf;

use super::diagnostics::Warning;
use crate::access::AccessEntry;
use crate::client::ClientProperties;
use crate::ownership::Ownership;
use crate::spec::{Profile, TopicSpec, UnknownProfile};

/// A loaded, valid topic file.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFile {
    /// The file (or directory) it was read from.
    pub path: PathBuf,
    /// `kafka.bootstrap_servers`. `${VAR}` references are resolved by
    /// [`TopicFile::load`], kept as written by [`TopicFile::parse`].
    pub bootstrap_servers: Option<String>,
    /// `kafka.client`: librdkafka properties for connecting (security,
    /// SASL, TLS), resolved like `bootstrap_servers`.
    pub client: ClientProperties,
    /// The base file's topics: `kafka.defaults` applied, no profile.
    pub topics: Vec<TopicSpec>,
    /// `kafka.profiles`, in file order, each with its effective topics.
    pub profiles: Vec<Profile>,
    /// `kafka.owns` and `kafka.protect`: what the file answers for on a
    /// shared cluster.
    pub ownership: Ownership,
    /// `kafka.access`: who may produce, consume and use which groups and
    /// transactional ids, topic keys resolved to names.
    pub access: Vec<AccessEntry>,
    /// What Kafka accepts but is likely a mistake, each at its place; a
    /// policy with `warnings: error` makes them errors instead.
    pub warnings: Vec<Warning>,
}

impl TopicFile {
    /// The topics as the profile `name` sees them (`None`: the base file).
    /// An unknown name is [`UnknownProfile`], naming the
    /// known ones.
    pub fn topics_for(&self, profile: Option<&str>) -> Result<&[TopicSpec], UnknownProfile> {
        Ok(match Profile::select(&self.profiles, profile)? {
            Some(p) => &p.topics,
            None => &self.topics,
        })
    }

    /// The access entries as the profile `name` sees them (`None`: the
    /// base file).
    pub fn access_for(&self, profile: Option<&str>) -> Result<&[AccessEntry], UnknownProfile> {
        Ok(match Profile::select(&self.profiles, profile)? {
            Some(p) => &p.access,
            None => &self.access,
        })
    }

    /// The bootstrap servers under the profile `name`: the profile's own,
    /// else the file's.
    pub fn bootstrap_servers_for(&self, profile: Option<&str>) -> Option<&str> {
        Profile::select(&self.profiles, profile)
            .ok()
            .flatten()
            .and_then(|p| p.bootstrap_servers.as_deref())
            .or(self.bootstrap_servers.as_deref())
    }
}
