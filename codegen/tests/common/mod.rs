//! What the golden tests share.

use std::path::Path;

/// Fails, at the first line that differs, unless `generated` is what `golden` holds; with
/// `UPDATE_GOLDEN` set, writes it there first.
pub fn assert_golden(golden: &Path, generated: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(golden, generated).expect("write the golden file");
    }
    let committed = std::fs::read_to_string(golden).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(generated.lines().count()));
        panic!(
            "generated code differs from {} from line {}:\n  committed: {:?}\n  generated: {:?}\n\
             (rerun with UPDATE_GOLDEN=1 if the change is intended)",
            golden.display(),
            first + 1,
            committed.lines().nth(first),
            generated.lines().nth(first),
        );
    }
}
