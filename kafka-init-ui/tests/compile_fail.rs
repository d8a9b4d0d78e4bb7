//! `include_topics!` at compile time: one compile-fail case per class of
//! error, each with its checked-in `.stderr`, and a case that compiles.
//!
//! trybuild builds the cases in its own crate under
//! `target/tests/trybuild/kafka-init-ui`, against `kafka-init` without its
//! engine (this crate's dev-dependency). That crate is the `CARGO_MANIFEST_DIR`
//! the macro resolves paths against; the fixture files are copied there so
//! `include_topics!("tests/ui/x.yaml")` finds them as it would here.
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite`.

use std::path::{Path, PathBuf};

#[test]
fn ui() {
    let project = trybuild_project_dir();
    copy_fixtures(&project);
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/[!p]*.rs");
}

/// Where trybuild puts its crate: `<target dir>/tests/trybuild/<crate>`.
pub fn trybuild_project_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .join("tests/trybuild")
        .join(env!("CARGO_PKG_NAME"))
}

fn copy_fixtures(project: &Path) {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = here.parent().expect("the repository");
    let ui = project.join("tests/ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::create_dir_all(project.join("config")).unwrap();
    for entry in std::fs::read_dir(here.join("tests/ui")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, ui.join(path.file_name().unwrap())).unwrap();
        }
        // A directory of topic files, for `include_topics!` on a directory.
        if path.is_dir() {
            let into = ui.join(path.file_name().unwrap());
            let _ = std::fs::remove_dir_all(&into);
            std::fs::create_dir_all(&into).unwrap();
            for file in std::fs::read_dir(&path).unwrap() {
                let file = file.unwrap().path();
                std::fs::copy(&file, into.join(file.file_name().unwrap())).unwrap();
            }
        }
    }
    std::fs::copy(
        repo.join("config/default.yaml"),
        project.join("config/default.yaml"),
    )
    .unwrap();
}
