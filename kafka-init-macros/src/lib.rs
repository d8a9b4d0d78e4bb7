//! `include_topics!`: see the `kafka-init` crate. This crate only resolves
//! the path and reports; parsing, checking and code generation are plain
//! functions in `kafka_init_core` (`file`, `validate`, `codegen`).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use kafka_init_core::codegen;
use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, LitStr};

/// Reads a topic file at compile time and expands to `pub mod topics`:
/// one `&str` constant per topic, `SPECS`, `BOOTSTRAP_SERVERS` and
/// `ensure_topics()`. The path is relative to the calling crate's
/// `CARGO_MANIFEST_DIR`. See the `kafka-init` crate for details.
#[proc_macro]
pub fn include_topics(input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    expand(&lit).into()
}

fn expand(lit: &LitStr) -> proc_macro2::TokenStream {
    let relative = lit.value();
    let fail = |message: String| {
        let error = syn::Error::new(lit.span(), message).to_compile_error();
        let stub = codegen::stub(&relative);
        quote!(#error #stub)
    };
    if Path::new(&relative).is_absolute() {
        return fail(format!(
            "include_topics! takes a path relative to the crate's directory (CARGO_MANIFEST_DIR), not an absolute path: `{relative}`"
        ));
    }
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return fail("CARGO_MANIFEST_DIR is not set: build with cargo".into());
    };
    let path = PathBuf::from(dir).join(&relative);
    if path.is_dir() {
        return expand_dir(lit, &relative, &path);
    }
    let text = match std::fs::read_to_string(&path) {
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
    let expansion = codegen::expand(&text, Path::new(&relative));
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
        #module
    }
}

/// `include_topics!("config/topics")`: every `*.yaml` / `*.yml` file of the
/// directory, as one. Each file is tracked; a file added to the directory
/// needs a `build.rs` that prints `cargo:rerun-if-changed=<directory>`.
fn expand_dir(lit: &LitStr, relative: &str, dir: &Path) -> proc_macro2::TokenStream {
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
        let text = match std::fs::read_to_string(file) {
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
    let expansion = codegen::expand_files(relative, &inputs);
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
