//! `include_topics!`: see the `kafka-init` crate. This crate only resolves
//! the path and reports; parsing, checking and code generation are plain
//! functions in `kafka_init_core` (`file`, `validate`, `codegen`).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use kafka_init_core::{codegen, Policy};
use proc_macro::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{parse_macro_input, Ident, LitStr, Token};

/// Reads a topic file at compile time and expands to `pub mod topics`:
/// one `&str` constant per topic, `SPECS`, `BOOTSTRAP_SERVERS` and
/// `ensure_topics()`. The path is relative to the calling crate's
/// `CARGO_MANIFEST_DIR`; so is the optional `policy = "..."`, a platform
/// policy file every topic must meet. See the `kafka-init` crate for
/// details.
#[proc_macro]
pub fn include_topics(input: TokenStream) -> TokenStream {
    let args = parse_macro_input!(input as Args);
    expand(&args.file, args.policy.as_ref()).into()
}

/// `"config/topics.yaml"` or `"config/topics.yaml", policy = "policy.yaml"`.
struct Args {
    file: LitStr,
    policy: Option<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Args> {
        let file: LitStr = input.parse()?;
        let mut policy = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let name: Ident = input.parse()?;
            if name != "policy" {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "unknown argument `{name}`; expected `policy = \"path/to/policy.yaml\"`"
                    ),
                ));
            }
            input.parse::<Token![=]>()?;
            policy = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        Ok(Args { file, policy })
    }
}

/// A path relative to the calling crate's directory, made absolute.
fn resolve(relative: &str) -> Result<PathBuf, String> {
    if Path::new(relative).is_absolute() {
        return Err(format!(
            "include_topics! takes a path relative to the crate's directory (CARGO_MANIFEST_DIR), not an absolute path: `{relative}`"
        ));
    }
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return Err("CARGO_MANIFEST_DIR is not set: build with cargo".into());
    };
    Ok(PathBuf::from(dir).join(relative))
}

/// The policy file `lit` names, and the item that tracks it; its problems
/// are compile errors on `lit`.
fn load_policy(lit: &LitStr) -> Result<(Policy, proc_macro2::TokenStream), String> {
    let relative = lit.value();
    let path = resolve(&relative)?;
    let text = codegen::read(&path).map_err(|e| {
        format!(
            "{relative}: cannot read the policy file: {e} (the path is relative to the crate's directory, CARGO_MANIFEST_DIR)"
        )
    })?;
    let Some(absolute) = path.to_str() else {
        return Err(format!("{}: the path is not UTF-8", path.display()));
    };
    let policy = kafka_init_core::parse_policy(&text, &relative).map_err(|e| e.to_string())?;
    // Editing the policy file rebuilds the crate, as the topic file does.
    Ok((
        policy,
        quote!(
            const _: &str = ::core::include_str!(#absolute);
        ),
    ))
}

fn expand(lit: &LitStr, policy_lit: Option<&LitStr>) -> proc_macro2::TokenStream {
    let relative = lit.value();
    let fail = |message: String| {
        let error = syn::Error::new(lit.span(), message).to_compile_error();
        let stub = codegen::stub(&relative);
        quote!(#error #stub)
    };
    let (policy, policy_track) = match policy_lit.map(load_policy).transpose() {
        Ok(Some((policy, track))) => (Some(policy), track),
        Ok(None) => (None, quote!()),
        Err(message) => {
            // One error per problem, on the policy's literal.
            let span = policy_lit.map_or(lit.span(), LitStr::span);
            let errors = message
                .lines()
                .map(|m| syn::Error::new(span, m).to_compile_error());
            let stub = codegen::stub(&relative);
            return quote!(#(#errors)* #stub);
        }
    };
    let path = match resolve(&relative) {
        Ok(path) => path,
        Err(message) => return fail(message),
    };
    if path.is_dir() {
        let expansion = expand_dir(lit, &relative, &path, policy.as_ref());
        return quote!(#policy_track #expansion);
    }
    let text = match codegen::read(&path) {
        Ok(text) => text,
        Err(e) => {
            return fail(format!(
                "{relative}: cannot read the file: {e} (the path is relative to the crate's directory, CARGO_MANIFEST_DIR)"
            ))
        }
    };
    let Some(absolute) = path.to_str() else {
        return fail(format!("{}: the path is not UTF-8", path.display()));
    };

    // The file becomes an input of the crate, so editing it rebuilds the
    // crate (and re-expands this macro).
    let track = quote!(
        const _: &str = ::core::include_str!(#absolute);
    );
    let expansion = codegen::expand_with_policy(&text, Path::new(&relative), policy.as_ref());
    let errors = expansion.errors.iter().flat_map(|e| &e.problems).map(|p| {
        let message = if p.line == 0 {
            format!("{relative}: {}", p.message)
        } else {
            format!("{relative}:{p}")
        };
        syn::Error::new(lit.span(), message).to_compile_error()
    });
    let module = expansion.module;
    quote! {
        #(#errors)*
        #track
        #policy_track
        #module
    }
}

/// `include_topics!("config/topics")`: every `*.yaml` / `*.yml` file of the
/// directory, as one. Each file is tracked; a file added to the directory
/// needs a `build.rs` that prints `cargo:rerun-if-changed=<directory>`.
fn expand_dir(
    lit: &LitStr,
    relative: &str,
    dir: &Path,
    policy: Option<&Policy>,
) -> proc_macro2::TokenStream {
    let fail = |message: String| {
        let error = syn::Error::new(lit.span(), message).to_compile_error();
        let stub = codegen::stub(relative);
        quote!(#error #stub)
    };
    let files = match kafka_init_core::topic_files(&[dir.to_owned()]) {
        Ok(files) => files,
        Err(e) => return fail(format!("{relative}: {}", e.problems[0].message)),
    };
    let mut inputs = Vec::new();
    let mut track = Vec::new();
    for file in &files {
        let name = Path::new(relative).join(file.file_name().unwrap_or_default());
        let text = match codegen::read(file) {
            Ok(text) => text,
            Err(e) => return fail(format!("{}: cannot read the file: {e}", name.display())),
        };
        let Some(absolute) = file.to_str() else {
            return fail(format!("{}: the path is not UTF-8", file.display()));
        };
        track.push(quote!(
            const _: &str = ::core::include_str!(#absolute);
        ));
        inputs.push((text, name));
    }
    let expansion = codegen::expand_files_with_policy(relative, &inputs, policy);
    let errors = expansion
        .errors
        .iter()
        .flat_map(|e| std::iter::once(e).chain(&e.others))
        .flat_map(|e| e.problems.iter().map(move |p| (e, p)))
        .map(|(e, p)| {
            let message = if p.line == 0 {
                format!("{}: {}", e.path.display(), p.message)
            } else {
                format!("{}:{p}", e.path.display())
            };
            syn::Error::new(lit.span(), message).to_compile_error()
        });
    let module = expansion.module;
    quote! {
        #(#errors)*
        #(#track)*
        #module
    }
}
