//! The topic file, read in stages, each module importing only the ones
//! before it:
//!
//! - [`load`]: every read of the disk (the size bound, directories, the
//!   same file given twice, policy files);
//! - [`parse`]: the text becomes one positioned tree, parsed once;
//! - [`raw`]: the file's sections decoded from it, their keys checked;
//! - [`access`]: `kafka.access`, its topic keys resolved to names, each
//!   profile's overrides applied, checked by the model's access rules;
//! - [`resolve`]: each topic from its layers (`defaults` < topic < profile
//!   `defaults` < profile topic) and checked against the policies that
//!   apply;
//! - [`diagnostics`]: a [`Problem`] has one place, a [`Layer`] and a
//!   [`Severity`]; [`parsed`] records each once, in its layer;
//! - [`topic_file`]: the result, [`TopicFile`]; [`join`] makes one of
//!   several; [`policy_file`] reads a `--policy` file.
//!
//! Model layer: pure apart from [`load`]; no tokio, no rdkafka.

mod access;
mod diagnostics;
mod join;
mod load;
pub(crate) mod parse;
mod parsed;
mod policy_file;
mod raw;
mod resolve;
mod topic_file;

pub use diagnostics::{FileError, Layer, Problem, Severity, Warning};
#[cfg(feature = "codegen")]
pub(crate) use join::join;
#[cfg(feature = "codegen")]
pub(crate) use load::read_text;
pub use load::{load_policy, topic_files, MAX_FILE_BYTES};
#[cfg(feature = "codegen")]
pub(crate) use parsed::Parsed;
pub use policy_file::parse_policy;
pub use topic_file::TopicFile;

#[cfg(test)]
mod tests;
