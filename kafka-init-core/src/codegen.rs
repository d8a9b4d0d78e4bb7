//! The code `include_topics!` generates from a topic file, as plain
//! functions so it can be tested without a compiler in the loop.
//!
//! The generated module refers to `::kafka_init::__private::...` (types)
//! and `::kafka_init::__ensure_topics!`, so a service depends
//! on the `kafka-init` crate alone. `ensure_topics()` comes from the facade's
//! `__ensure_topics!`, so it exists only where the facade has its engine.
//!
//! Model layer, behind `codegen`: pure; no I/O, no tokio, no rdkafka.

use std::collections::HashMap;
use std::path::Path;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::access::AccessEntry;
use crate::file::{FileError, Parsed, Problem};
use crate::policy::Policy;
use crate::spec::TopicSpec;

/// Names the generated module defines besides the topic constants (its
/// `groups` and `transactional_ids` modules are lower-case: no constant
/// can take their names).
pub const RESERVED: &[&str] = &["SPECS", "PROFILES", "BOOTSTRAP_SERVERS", "ACCESS"];

/// What `include_topics!` expands to, before rebuild tracking.
pub struct Expansion {
    /// `pub mod topics { ... }`. When the file has problems this is a
    /// fallback that still defines every constant it can, so code using
    /// them reports no secondary errors.
    pub module: TokenStream,
    /// Every problem in the file, if it has any.
    pub errors: Option<FileError>,
}

/// The constant for a topic name: upper-cased, every character that is not
/// a letter or digit replaced with `_`, and a leading `_` when the name
/// starts with a digit (an identifier cannot).
pub fn const_name(topic: &str) -> String {
    let mut out: String = topic
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Reads a topic or policy file for `include_topics!` the way the loader
/// does: at most [`crate::MAX_FILE_BYTES`], UTF-8. The error says why in
/// one line (with the line and column of bytes that are not UTF-8).
pub fn read(path: &Path) -> Result<String, String> {
    crate::file::read_text(path).map_err(|e| match e.problems.first() {
        Some(p) if p.line == 0 => p
            .message
            .strip_prefix("cannot read file: ")
            .unwrap_or(&p.message)
            .to_owned(),
        Some(p) => p.to_string(),
        None => e.to_string(),
    })
}

/// Expands the topic file `text`; `path` is how errors name the file.
pub fn expand(text: &str, path: &Path) -> Expansion {
    expand_with_policy(text, path, None)
}

/// [`expand`], checking the topics against `policy` (a platform's policy
/// file) as well as the file's own `kafka.policy`.
pub fn expand_with_policy(text: &str, path: &Path, policy: Option<&Policy>) -> Expansion {
    let mut parsed = Parsed::with_policy(text, path, None, policy);
    let consts = constants(&mut parsed);
    let sites = grant_sites(&mut parsed, 0);
    let (granted, problems) = granted_constants(&sites, &[path.to_owned()]);
    parsed.problems.extend(problems.into_iter().map(|(_, p)| p));
    parsed.problems.sort_by_key(|p| (p.line, p.column));
    let file = path.display().to_string();
    if parsed.problems.is_empty() {
        Expansion {
            module: module(&file, &parsed, &consts, &granted),
            errors: None,
        }
    } else {
        Expansion {
            module: fallback(&file, &parsed, &consts, &granted),
            errors: Some(FileError {
                path: parsed.file.path,
                problems: parsed.problems,
                others: Vec::new(),
            }),
        }
    }
}

/// Expands several topic files as one (`include_topics!` on a directory):
/// `files` holds each file's text and how errors name it; `name` is how
/// the generated docs name them all (the directory).
pub fn expand_files(name: &str, files: &[(String, std::path::PathBuf)]) -> Expansion {
    expand_files_with_policy(name, files, None)
}

/// [`expand_files`], checking every file against `policy` too.
pub fn expand_files_with_policy(
    name: &str,
    files: &[(String, std::path::PathBuf)],
    policy: Option<&Policy>,
) -> Expansion {
    if let [(text, path)] = files {
        return expand_with_policy(text, path, policy);
    }
    let mut valid = Vec::new();
    let mut texts = Vec::new();
    let mut errors: Vec<FileError> = Vec::new();
    let mut partial = Vec::new();
    // Where each valid file's topics are named, in the joined order.
    let (mut places, mut paths) = (Vec::new(), Vec::new());
    // Where each valid file grants each group and transactional id.
    let mut sites = Vec::new();
    for (text, path) in files {
        let mut parsed = Parsed::with_policy(text, path, None, policy);
        partial.extend(parsed.file.topics.iter().cloned());
        if parsed.problems.is_empty() {
            sites.extend(grant_sites(&mut parsed, paths.len()));
            let map = parsed.source_map().clone();
            places.extend(parsed.file.topics.iter().map(|spec| Place {
                file: paths.len(),
                pos: map.value(&["kafka", "topics", spec.key.as_ref(), "name"]),
            }));
            paths.push(path.clone());
        }
        match parsed.into_result() {
            Ok(file) => {
                valid.push(file);
                texts.push(text.clone());
            }
            Err(e) => errors.push(e),
        }
    }
    let joined = if errors.is_empty() {
        match crate::file::join(valid, &texts) {
            Ok(file) => Some(file),
            Err(mut e) => {
                errors.push(FileError {
                    path: e.path.clone(),
                    problems: std::mem::take(&mut e.problems),
                    others: Vec::new(),
                });
                errors.append(&mut e.others);
                None
            }
        }
    } else {
        None
    };
    let file = name;
    match joined {
        Some(joined) => {
            let (consts, mut problems) = constants_of(&joined.topics, &places, &paths);
            let (granted, found) = granted_constants(&sites, &paths);
            problems.extend(found);
            let parsed = Parsed::joined(joined);
            if problems.is_empty() {
                return Expansion {
                    module: module(file, &parsed, &consts, &granted),
                    errors: None,
                };
            }
            let module = fallback(file, &parsed, &consts, &granted);
            // One error per file that has problems, in file order.
            let mut errors: Vec<FileError> = Vec::new();
            for (index, path) in paths.iter().enumerate() {
                let mut mine: Vec<Problem> = problems
                    .iter()
                    .filter(|(f, _)| *f == index)
                    .map(|(_, p)| p.clone())
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                mine.sort_by_key(|p| (p.line, p.column));
                errors.push(FileError {
                    path: path.clone(),
                    problems: mine,
                    others: Vec::new(),
                });
            }
            let mut first = errors.remove(0);
            first.others = errors;
            Expansion {
                module,
                errors: Some(first),
            }
        }
        None => {
            let mut parsed = Parsed::joined(crate::file::TopicFile {
                path: Default::default(),
                bootstrap_servers: None,
                client: Default::default(),
                topics: partial,
                profiles: Vec::new(),
                ownership: Default::default(),
                access: Vec::new(),
                warnings: Vec::new(),
            });
            let consts = constants(&mut parsed);
            let module = fallback(file, &parsed, &consts, &Granted::default());
            let mut first = errors.remove(0);
            first.others = errors;
            Expansion {
                module,
                errors: Some(first),
            }
        }
    }
}

/// One constant name per topic (`None` when the name gives no usable
/// identifier), adding a problem for each name that cannot have its own.
fn constants(parsed: &mut Parsed) -> Vec<Option<String>> {
    let path = parsed.file.path.clone();
    let map = parsed.source_map().clone();
    let places: Vec<Place> = parsed
        .file
        .topics
        .iter()
        .map(|spec| Place {
            file: 0,
            pos: map.value(&["kafka", "topics", spec.key.as_ref(), "name"]),
        })
        .collect();
    let (consts, problems) = constants_of(&parsed.file.topics, &places, &[path]);
    parsed.problems.extend(problems.into_iter().map(|(_, p)| p));
    consts
}

/// Where a topic's name is: which of several files, and where in it.
struct Place {
    file: usize,
    pos: crate::file::parse::Pos,
}

/// [`constants`] for topics from several files (`paths`, indexed by
/// [`Place::file`]); each problem comes with the file it is in, and a
/// clash with a topic of another file names that file and line.
fn constants_of(
    topics: &[TopicSpec],
    places: &[Place],
    paths: &[std::path::PathBuf],
) -> (Vec<Option<String>>, Vec<(usize, Problem)>) {
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, spec) in topics.iter().enumerate() {
        let name = const_name(&spec.name);
        let place = &places[i];
        let problem = if name.is_empty() || name == "_" {
            // An empty name is already a problem; `_` is no identifier.
            (!spec.name.is_empty()).then(|| {
                format!(
                    "topic `{}`: name `{}` gives no usable constant name",
                    spec.key, spec.name
                )
            })
        } else if RESERVED.contains(&name.as_str()) {
            Some(format!(
                "topic `{}`: name `{}` would be the constant `{name}`, which the generated module already defines",
                spec.key, spec.name
            ))
        } else if let Some(&first) = taken.get(&name) {
            let other: &TopicSpec = &topics[first];
            let there = &places[first];
            let at = if there.file == place.file {
                String::new()
            } else {
                format!(
                    " at {}:{}:{}",
                    paths[there.file].display(),
                    there.pos.line,
                    there.pos.column
                )
            };
            // Same name, or `.` vs `_`: the validator already said so.
            let folded = |s: &str| s.replace('.', "_");
            (folded(&other.name) != folded(&spec.name)).then(|| {
                format!(
                    "topic `{}`: name `{}` gives the constant `{name}`, as does `{}` (topic `{}`{at}); rename one of them",
                    spec.key, spec.name, other.name, other.key
                )
            })
        } else {
            taken.insert(name.clone(), i);
            out.push(Some(name));
            continue;
        };
        if let Some(message) = problem {
            problems.push((place.file, Problem::at(place.pos, message)));
        }
        out.push(None);
    }
    (out, problems)
}

fn module(
    file: &str,
    parsed: &Parsed,
    consts: &[Option<String>],
    granted: &Granted,
) -> TokenStream {
    let topics = &parsed.file.topics;
    let items = topics.iter().zip(consts).map(|(spec, name)| {
        let ident = ident(name.as_deref().expect("valid files name every constant"));
        let docs = const_docs(file, spec)
            .into_iter()
            .map(|line| quote!(#[doc = #line]));
        let value = Literal::string(&spec.name);
        quote! {
            #(#docs)*
            pub const #ident: &str = #value;
        }
    });
    let specs = spec_tokens(topics, consts);
    let profiles = parsed.file.profiles.iter().map(|p| {
        let name = Literal::string(&p.name);
        let bootstrap = option_str(p.bootstrap_servers.as_deref());
        let specs = spec_tokens(&p.topics, consts);
        let access = p.access.iter().map(entry_tokens);
        quote! {
            ::kafka_init::__private::Profile {
                name: ::std::borrow::Cow::Borrowed(#name),
                bootstrap_servers: #bootstrap,
                topics: ::std::borrow::Cow::Borrowed(&[#(#specs),*]),
                access: ::std::borrow::Cow::Borrowed(&[#(#access),*]),
            }
        }
    });
    let bootstrap = match &parsed.file.bootstrap_servers {
        Some(s) => {
            let s = Literal::string(s);
            quote!(::core::option::Option::Some(#s))
        }
        None => quote!(::core::option::Option::None),
    };
    let profiles_doc = format!(
        " The profiles of `{file}`, each with every topic as it sees them; `ensure_topics()` uses the one `KAFKA_INIT_PROFILE` names."
    );
    let module_doc = format!(" The topics declared in `{file}`, checked when this crate compiled.");
    let specs_doc = format!(" Every topic in `{file}`, in file order.");
    let access = parsed.file.access.iter().map(entry_tokens);
    let access_doc = format!(
        " `kafka.access` of `{file}`: who may produce, consume and use which groups and transactional ids (each profile's own are in [`PROFILES`]); `ensure_topics()` grants the selected profile's."
    );
    let groups = granted_module(file, "groups", &granted.groups, true);
    let ids = granted_module(file, "transactional_ids", &granted.transactional_ids, true);
    let bootstrap_doc = format!(
        " `kafka.bootstrap_servers` from `{file}`, as written: `${{VAR}}` references are resolved when `ensure_topics` runs."
    );
    quote! {
        #[doc = #module_doc]
        #[allow(dead_code)]
        pub mod topics {
            #(#items)*

            #[doc = #specs_doc]
            pub static SPECS: &[::kafka_init::__private::TopicSpec] = &[#(#specs),*];

            #[doc = #profiles_doc]
            pub static PROFILES: &[::kafka_init::__private::Profile] = &[#(#profiles),*];

            #[doc = #bootstrap_doc]
            pub const BOOTSTRAP_SERVERS: ::core::option::Option<&str> = #bootstrap;

            #[doc = #access_doc]
            pub static ACCESS: &[::kafka_init::__private::AccessEntry] = &[#(#access),*];

            #groups
            #ids

            ::kafka_init::__ensure_topics!();
        }
    }
}

/// The module for a file that cannot be read: no constants, but the
/// other items, so only uses of constants fail.
pub fn stub(file: &str) -> TokenStream {
    fallback_module(file, Vec::new(), &Granted::default())
}

/// The module for a file with problems: every constant that could be
/// named, so uses of them compile and only the file's problems show.
fn fallback(
    file: &str,
    parsed: &Parsed,
    consts: &[Option<String>],
    granted: &Granted,
) -> TokenStream {
    let items = parsed
        .file
        .topics
        .iter()
        .zip(consts)
        .filter_map(|(spec, name)| {
            let ident = ident(name.as_deref()?);
            let value = Literal::string(&spec.name);
            Some(quote!(pub const #ident: &str = #value;))
        })
        .collect();
    fallback_module(file, items, granted)
}

fn fallback_module(file: &str, items: Vec<TokenStream>, granted: &Granted) -> TokenStream {
    let message = format!("`{file}` has errors; see the `include_topics!` errors above");
    let groups = granted_module(file, "groups", &granted.groups, false);
    let ids = granted_module(file, "transactional_ids", &granted.transactional_ids, false);
    quote! {
        #[allow(dead_code, missing_docs, unused_variables, unreachable_code)]
        pub mod topics {
            #(#items)*
            pub static SPECS: &[::kafka_init::__private::TopicSpec] = &[];
            pub static PROFILES: &[::kafka_init::__private::Profile] = &[];
            pub const BOOTSTRAP_SERVERS: ::core::option::Option<&str> = ::core::option::Option::None;
            pub static ACCESS: &[::kafka_init::__private::AccessEntry] = &[];
            #groups
            #ids
            ::kafka_init::__ensure_topics!(fallback #message);
        }
    }
}

/// `TopicSpec` literals for `topics`; names refer to the constants, which
/// are the same in every profile.
fn spec_tokens<'a>(
    topics: &'a [TopicSpec],
    consts: &'a [Option<String>],
) -> impl Iterator<Item = TokenStream> + 'a {
    topics.iter().zip(consts).map(|(spec, name)| {
        let ident = ident(name.as_deref().expect("valid files name every constant"));
        let key = Literal::string(&spec.key);
        let partitions = Literal::i32_unsuffixed(spec.partitions.kafka());
        let rf = Literal::i32_unsuffixed(spec.replication_factor.kafka());
        let keep = spec.keep_unmanaged_configs;
        let config = spec.config.iter().map(|(k, v)| {
            let (k, v) = (Literal::string(k), Literal::string(v));
            quote!((::std::borrow::Cow::Borrowed(#k), ::std::borrow::Cow::Borrowed(#v)))
        });
        quote! {
            ::kafka_init::__private::TopicSpec::__new(
                #key,
                #ident,
                #partitions,
                #rf,
                &[#(#config),*],
                #keep,
            )
        }
    })
}

/// An `AccessEntry` literal, all of it `&'static` data.
fn entry_tokens(entry: &AccessEntry) -> TokenStream {
    let names = |list: &[std::borrow::Cow<'static, str>]| {
        let items = list.iter().map(|n| {
            let n = Literal::string(n);
            quote!(::std::borrow::Cow::Borrowed(#n))
        });
        quote!(&[#(#items),*])
    };
    let key = Literal::string(&entry.key);
    let principal = Literal::string(&entry.principal);
    let hosts = names(&entry.hosts);
    let produce = names(&entry.produce);
    let consume = names(&entry.consume);
    let groups = names(&entry.groups);
    let ids = names(&entry.transactional_ids);
    let allow = entry.allow.iter().map(|g| {
        // The variants' names are their Debug names.
        let op = ident(&format!("{:?}", g.operation));
        let ty = ident(&format!("{:?}", g.resource_type));
        let pattern = ident(&format!("{:?}", g.pattern));
        let name = Literal::string(&g.name);
        quote! {
            ::kafka_init::__private::Grant::__new(
                ::kafka_init::__private::Operation::#op,
                ::kafka_init::__private::ResourceType::#ty,
                #name,
                ::kafka_init::__private::PatternType::#pattern,
            )
        }
    });
    quote! {
        ::kafka_init::__private::AccessEntry::__new(
            #key,
            #principal,
            #hosts,
            #produce,
            #consume,
            #groups,
            #ids,
            {
                // A `Grant` from a call is no promotable temporary; a
                // const's own value lives for 'static.
                const ALLOW: &[::kafka_init::__private::Grant] = &[#(#allow),*];
                ALLOW
            },
        )
    }
}

/// `pub mod groups` or `pub mod transactional_ids`: one constant per
/// literal name the file grants (`docs`: each documented with who).
fn granted_module(file: &str, module: &str, consts: &[GrantedConst], docs: bool) -> TokenStream {
    let what = if module == "groups" {
        "consumer group"
    } else {
        "transactional id"
    };
    let items = consts.iter().map(|c| {
        let ident = ident(&c.ident);
        let value = Literal::string(&c.name);
        let lines: Vec<String> = if docs {
            let mut lines = vec![format!(
                " The {what} `{}`, which `kafka.access` in `{file}` grants to:",
                c.name
            )];
            lines.push(String::new());
            lines.extend(c.grantees.iter().map(|g| format!(" - {g}")));
            lines
        } else {
            Vec::new()
        };
        quote! {
            #(#[doc = #lines])*
            pub const #ident: &str = #value;
        }
    });
    let module_ident = ident(module);
    let doc = format!(
        " The {what}s `kafka.access` in `{file}` grants, one constant each (a prefixed grant, `dc.sim*`, has none)."
    );
    let doc = docs.then(|| quote!(#[doc = #doc]));
    quote! {
        #doc
        pub mod #module_ident {
            #(#items)*
        }
    }
}

/// The constants for the groups and transactional ids a file grants.
#[derive(Default)]
struct Granted {
    groups: Vec<GrantedConst>,
    transactional_ids: Vec<GrantedConst>,
}

/// One granted name, its constant, and who is granted it.
struct GrantedConst {
    ident: String,
    name: String,
    /// `` `User:simulator` (`simulator`) ``, one per principal, entry and
    /// profile; the profile is named when it differs from the base file.
    grantees: Vec<String>,
}

/// One literal group or transactional id an access entry grants.
struct Site {
    /// `groups` or `transactional_ids`.
    field: &'static str,
    name: String,
    grantee: String,
    place: Place,
    /// `profile prod: access `simulator`: ` (the profile only when the
    /// name is written in it).
    prefix: String,
}

/// Every group and transactional id the base file's entries and each
/// profile's grant, in file order, with where each is written (a profile
/// that does not set the list: the base file's place). `file` is the
/// file's index among several.
fn grant_sites(parsed: &mut Parsed, file: usize) -> Vec<Site> {
    let map = parsed.source_map().clone();
    let lists = std::iter::once((None, &parsed.file.access[..])).chain(
        parsed
            .file
            .profiles
            .iter()
            .map(|p| (Some(p.name.as_ref()), p.access.as_ref())),
    );
    let mut out = Vec::new();
    for (profile, entries) in lists {
        for entry in entries {
            let grantee = match profile {
                None => format!("`{}` (`{}`)", entry.principal, entry.key),
                Some(p) => format!("`{}` (`{}`, in profile `{p}`)", entry.principal, entry.key),
            };
            // A profile's entry that grants what the base one does adds
            // nobody.
            let inherited = profile.is_some()
                && parsed
                    .file
                    .access
                    .iter()
                    .any(|b| b.key == entry.key && b.principal == entry.principal);
            for (field, list) in [
                ("groups", &entry.groups),
                ("transactional_ids", &entry.transactional_ids),
            ] {
                for (i, name) in list.iter().enumerate() {
                    if name.ends_with('*') {
                        continue;
                    }
                    let index = i.to_string();
                    let base = ["kafka", "access", entry.key.as_ref(), field, &index];
                    let mut prefix = format!("access `{}`: ", entry.key);
                    let pos = match profile {
                        Some(p) => {
                            let own = [
                                "kafka",
                                "profiles",
                                p,
                                "access",
                                entry.key.as_ref(),
                                field,
                                &index,
                            ];
                            match map.get(&own) {
                                Some(e) => {
                                    prefix = format!("profile {p}: {prefix}");
                                    e.value
                                }
                                None => map.value(&base),
                            }
                        }
                        None => map.value(&base),
                    };
                    out.push(Site {
                        field,
                        name: name.to_string(),
                        grantee: if inherited && profile.is_some() {
                            String::new()
                        } else {
                            grantee.clone()
                        },
                        place: Place { file, pos },
                        prefix,
                    });
                }
            }
        }
    }
    out
}

/// The constants of `sites`, each name once; two names that give one
/// constant in the same module are a problem at the second (naming the
/// first, and its file when another).
fn granted_constants(
    sites: &[Site],
    paths: &[std::path::PathBuf],
) -> (Granted, Vec<(usize, Problem)>) {
    let mut granted = Granted::default();
    let mut problems = Vec::new();
    let mut firsts: HashMap<(&str, String), &Site> = HashMap::new();
    for site in sites {
        let ident = const_name(&site.name);
        // No identifier to give (`-`, `.`): no constant.
        if ident.is_empty() || ident == "_" {
            continue;
        }
        let list = if site.field == "groups" {
            &mut granted.groups
        } else {
            &mut granted.transactional_ids
        };
        match firsts.get(&(site.field, ident.clone())) {
            Some(first) if first.name != site.name => {
                let at = if first.place.file == site.place.file {
                    String::new()
                } else {
                    format!(
                        " at {}:{}:{}",
                        paths[first.place.file].display(),
                        first.place.pos.line,
                        first.place.pos.column
                    )
                };
                let what = if site.field == "groups" {
                    "group"
                } else {
                    "transactional id"
                };
                let problem = Problem::at(
                    site.place.pos,
                    format!(
                        "{}{what} `{}` gives the constant `{}::{ident}`, as does `{}`{at}; rename one of them",
                        site.prefix, site.name, site.field, first.name
                    ),
                );
                // A profile's inherited list is the base file's, said once.
                if !problems.contains(&(site.place.file, problem.clone())) {
                    problems.push((site.place.file, problem));
                }
            }
            Some(_) => {
                let c = list.iter_mut().find(|c| c.ident == ident).expect("listed");
                if !site.grantee.is_empty() && !c.grantees.contains(&site.grantee) {
                    c.grantees.push(site.grantee.clone());
                }
            }
            None => {
                firsts.insert((site.field, ident.clone()), site);
                list.push(GrantedConst {
                    ident,
                    name: site.name.clone(),
                    grantees: [site.grantee.clone()]
                        .into_iter()
                        .filter(|g| !g.is_empty())
                        .collect(),
                });
            }
        }
    }
    (granted, problems)
}

fn option_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => {
            let s = Literal::string(s);
            quote!(::core::option::Option::Some(::std::borrow::Cow::Borrowed(#s)))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn const_docs(file: &str, spec: &TopicSpec) -> Vec<String> {
    let plural = |n: i32, one: &str, many: &str| match n {
        -1 => format!("the broker's default number of {many}"),
        1 => format!("{n} {one}"),
        _ => format!("{n} {many}"),
    };
    let rf = match spec.replication_factor.count() {
        None => "the broker's default".to_owned(),
        Some(n) => n.to_string(),
    };
    let mut lines = vec![format!(
        " `{}`: {}, replication factor {rf}.",
        spec.name,
        plural(spec.partitions.kafka(), "partition", "partitions"),
    )];
    lines.push(String::new());
    if spec.config.is_empty() {
        lines.push(" No topic-level configs: the broker's defaults apply.".into());
    } else {
        lines.push(" | config | value |".into());
        lines.push(" |---|---|".into());
        for (k, v) in spec.config.iter() {
            lines.push(format!(" | `{k}` | `{v}` |"));
        }
    }
    if spec.keep_unmanaged_configs {
        lines.push(String::new());
        lines.push(" Topic-level configs not listed here are left alone.".into());
    }
    lines.push(String::new());
    lines.push(format!(
        " Declared as `kafka.topics.{}` in `{file}`.",
        spec.key
    ));
    lines
}

#[cfg(test)]
mod tests;
