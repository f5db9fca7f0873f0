//! "Did you mean …?": the one rule the attribute macro, the audit and the command line use to
//! point at the name a typo was meant to be.

/// The candidate nearest to `name`, if it is near enough to be a typo of it: at most a third of
/// the candidate's length in edits, and always at least two. Ties go to the candidate that sorts
/// first, so that the answer does not depend on the order of `candidates`.
///
/// ```
/// use wasi_stubs_codegen::suggest::nearest;
///
/// let names = ["fd_write", "fd_read", "random_get"];
/// assert_eq!(nearest("fd_wrte", names), Some("fd_write"));
/// assert_eq!(nearest("sock_open", names), None);
/// ```
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, c)| d <= (c.chars().count() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` naming the nearest candidate, or nothing when none is near: the tail of
/// an error message.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(name, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Levenshtein distance over chars, in one row.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("fd_wirte", "fd_write"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn suggestions() {
        let names = ["fd_write", "fd_read", "random_get"];
        assert_eq!(nearest("fd_wrte", names), Some("fd_write"));
        assert_eq!(nearest("random_gte", names), Some("random_get"));
        assert_eq!(nearest("sock_open", names), None);
        assert_eq!(nearest("anything", []), None);
        assert_eq!(did_you_mean("fd_raed", names), "; did you mean `fd_read`?");
        assert_eq!(did_you_mean("sock_open", names), "");
    }

    #[test]
    fn ties_do_not_depend_on_order() {
        assert_eq!(nearest("ab", ["ax", "ay"]), Some("ax"));
        assert_eq!(nearest("ab", ["ay", "ax"]), Some("ax"));
    }
}
