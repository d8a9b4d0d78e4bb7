//! The topic file, read in stages: [`load`] reads the disk and the
//! environment; [`parse`] turns the text into one YAML tree; [`raw`]
//! decodes its sections and checks their keys; [`resolve`] layers
//! defaults, topics, profiles and policies into [`TopicFile`];
//! [`diagnostics`] says what is wrong, each problem once, at its place.
//! [`join`] makes one file of several.
//!
//! Model layer: pure apart from [`load`]; no tokio, no rdkafka.

mod diagnostics;
mod join;
mod load;
pub(crate) mod parse;
mod policy_file;
mod raw;
mod resolve;

use std::path::{Path, PathBuf};

use crate::client::ClientProperties;
use crate::ownership::Ownership;
use crate::spec::{Profile, TopicSpec, UnknownProfile};

pub use diagnostics::{FileError, Layer, Problem, Severity, Warning};
pub(crate) use join::join;
#[cfg(feature = "codegen")]
pub(crate) use load::read_text;
pub use load::{load_policy, topic_files, MAX_FILE_BYTES};
pub use policy_file::parse_policy;
pub(crate) use raw::Parsed;

/// A loaded, valid topic file.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFile {
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
    /// What Kafka accepts but is likely a mistake, each at its place; a
    /// policy with `warnings: error` makes them errors instead.
    pub warnings: Vec<Warning>,
}

impl TopicFile {
    /// Parses and checks `text`; `path` is only used to name the file in
    /// errors. `${VAR}` references are checked but kept as written.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<TopicFile, FileError> {
        Parsed::new(text, path.as_ref(), None).into_result()
    }

    /// [`TopicFile::parse`], resolving `${VAR}` references with `lookup`.
    pub fn parse_with_env(
        text: &str,
        path: impl AsRef<Path>,
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<TopicFile, FileError> {
        Parsed::new(text, path.as_ref(), Some(&mut lookup)).into_result()
    }
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

#[cfg(test)]
mod tests;
