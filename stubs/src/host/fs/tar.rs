//! A tar reader: ustar headers, GNU long names, pax `path` and `linkpath`; into a
//! [`MemoryTree`]. Every field is checked against the archive's length: a truncated or corrupt
//! archive is a [`TreeError::Tar`], never a panic, and the tree holds at most the archive's bytes.

use super::memory::{self, MemoryTree, TreeError};

const BLOCK: usize = 512;

/// Reads the archive `bytes` into a tree.
pub(super) fn read(bytes: &[u8]) -> Result<MemoryTree, TreeError> {
    let mut tree = MemoryTree::new();
    let mut at = 0usize;
    let mut long_name: Option<Vec<u8>> = None;
    let mut long_link: Option<Vec<u8>> = None;
    while at < bytes.len() {
        let offset = at as u64;
        let fail = |why: &str| TreeError::Tar {
            offset,
            why: why.to_string(),
        };
        let header = bytes
            .get(at..at + BLOCK)
            .ok_or_else(|| fail("a header cut short"))?;
        if header.iter().all(|b| *b == 0) {
            // The end-of-archive marker (two zero blocks; one is accepted).
            break;
        }
        check_sum(header).map_err(&fail)?;
        let size = number(&header[124..136]).ok_or_else(|| fail("a size that is not a number"))?;
        let size = usize::try_from(size).map_err(|_| fail("a size too large"))?;
        let data_start = at + BLOCK;
        let data = data_start
            .checked_add(size)
            .and_then(|end| bytes.get(data_start..end))
            .ok_or_else(|| fail("an entry longer than the archive"))?;
        let padded = size.div_ceil(BLOCK).saturating_mul(BLOCK);
        at = data_start.saturating_add(padded);

        let mtime = number(&header[136..148]).unwrap_or(0);
        let mtime = mtime.saturating_mul(1_000_000_000);
        let kind = header[156];
        match kind {
            b'L' => {
                long_name = Some(cstr(data).to_vec());
                continue;
            }
            b'K' => {
                long_link = Some(cstr(data).to_vec());
                continue;
            }
            b'x' => {
                let (path, link) = pax(data).map_err(&fail)?;
                if path.is_some() {
                    long_name = path;
                }
                if link.is_some() {
                    long_link = link;
                }
                continue;
            }
            _ => {}
        }
        let name = match long_name.take() {
            Some(name) => name,
            None => header_name(header),
        };
        let link_target = match long_link.take() {
            Some(link) => link,
            None => cstr(&header[157..257]).to_vec(),
        };
        let path = String::from_utf8(name).map_err(|_| fail("a path that is not UTF-8"))?;
        let content = match kind {
            b'0' | 0 | b'7' => memory::file(data.into()),
            b'5' => memory::dir(),
            b'2' => {
                if link_target.len() > super::PATH_MAX || link_target.contains(&0) {
                    return Err(fail("a link target too long"));
                }
                memory::link(link_target)
            }
            b'1' => {
                let target = String::from_utf8_lossy(&link_target);
                match tree.file_at(&target) {
                    Some(bytes) => memory::file(bytes),
                    None => return Err(fail("a hard link to no earlier file")),
                }
            }
            // Global pax headers, devices, FIFOs and unknown kinds: skipped.
            _ => continue,
        };
        tree.add(&path, content, mtime)?;
    }
    Ok(tree)
}

/// The path of a ustar header: `prefix/name`.
fn header_name(header: &[u8]) -> Vec<u8> {
    let name = cstr(&header[0..100]);
    let ustar = &header[257..262] == b"ustar";
    let prefix = if ustar { cstr(&header[345..500]) } else { &[] };
    if prefix.is_empty() {
        name.to_vec()
    } else {
        [prefix, b"/", name].concat()
    }
}

/// The bytes before the first NUL.
fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    &field[..end]
}

/// A numeric field: octal digits (space or NUL padded), or GNU's base-256 with the top bit set.
fn number(field: &[u8]) -> Option<u64> {
    if let Some((first, rest)) = field.split_first()
        && first & 0x80 != 0
    {
        if first & 0x40 != 0 {
            return None; // negative
        }
        let mut n = u64::from(first & 0x3f);
        for b in rest {
            n = n.checked_mul(256)?.checked_add(u64::from(*b))?;
        }
        return Some(n);
    }
    let digits = cstr(field);
    let digits = digits.trim_ascii();
    if digits.is_empty() {
        return Some(0);
    }
    let mut n = 0u64;
    for d in digits {
        if !(b'0'..=b'7').contains(d) {
            return None;
        }
        n = n.checked_mul(8)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(n)
}

fn check_sum(header: &[u8]) -> Result<(), &'static str> {
    let want = number(&header[148..156]).ok_or("a checksum that is not a number")?;
    let sum: u64 = header
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                u64::from(b' ')
            } else {
                u64::from(*b)
            }
        })
        .sum();
    if sum == want {
        Ok(())
    } else {
        Err("a header whose checksum does not match")
    }
}

/// The `path` and `linkpath` of a pax extended header: records `LEN key=value\n`.
type PaxPaths = (Option<Vec<u8>>, Option<Vec<u8>>);

fn pax(mut data: &[u8]) -> Result<PaxPaths, &'static str> {
    let (mut path, mut link) = (None, None);
    while !data.is_empty() {
        let space = data
            .iter()
            .position(|b| *b == b' ')
            .ok_or("a pax record without a length")?;
        let len: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("a pax record length that is not a number")?;
        let record = data
            .get(space + 1..len)
            .ok_or("a pax record longer than its header")?;
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(value) = record.strip_prefix(b"path=") {
            path = Some(value.to_vec());
        } else if let Some(value) = record.strip_prefix(b"linkpath=") {
            link = Some(value.to_vec());
        }
        data = &data[len..];
    }
    Ok((path, link))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ustar header for `name`, of kind `kind`, with `size` bytes of data.
    pub(crate) fn header(name: &str, kind: u8, size: usize, link: &str) -> Vec<u8> {
        let mut h = vec![0u8; BLOCK];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
        h[136..147].copy_from_slice(b"00000000001");
        h[156] = kind;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        h
    }

    fn entry(out: &mut Vec<u8>, name: &str, kind: u8, data: &[u8], link: &str) {
        out.extend(header(name, kind, data.len(), link));
        out.extend(data);
        out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
    }

    #[test]
    fn reads_files_dirs_links_and_long_names() {
        let mut tar = Vec::new();
        entry(&mut tar, "./lib/", b'5', b"", "");
        entry(&mut tar, "lib/a.txt", b'0', b"hello", "");
        entry(&mut tar, "lib/link", b'2', b"", "a.txt");
        entry(&mut tar, "hard", b'1', b"", "lib/a.txt");
        let long = format!("{}/b.txt", "d".repeat(150));
        entry(&mut tar, "././@LongLink", b'L', long.as_bytes(), "");
        entry(&mut tar, "ignored", b'0', b"long", "");
        let pax_record = "22 path=pax/named.txt\n";
        entry(&mut tar, "pax", b'x', pax_record.as_bytes(), "");
        entry(&mut tar, "ignored-too", b'0', b"pax!", "");
        tar.extend([0u8; 2 * BLOCK]);
        let tree = read(&tar).unwrap();
        assert_eq!(tree.file_at("lib/a.txt").as_deref(), Some(&b"hello"[..]));
        assert_eq!(tree.file_at("hard").as_deref(), Some(&b"hello"[..]));
        assert_eq!(tree.file_at(&long).as_deref(), Some(&b"long"[..]));
        assert_eq!(tree.file_at("pax/named.txt").as_deref(), Some(&b"pax!"[..]));
        assert_eq!(tree.file_at("ignored"), None);
    }

    #[test]
    fn bad_archives_are_errors_not_panics() {
        let mut tar = Vec::new();
        entry(&mut tar, "a.txt", b'0', b"hello", "");
        // Cut short, anywhere.
        for cut in [1, 100, 511, 513, 515] {
            let r = read(&tar[..cut]);
            assert!(
                matches!(r, Err(TreeError::Tar { .. })),
                "cut at {cut}: {r:?}"
            );
        }
        // A corrupt checksum.
        let mut bad = tar.clone();
        bad[0] = b'b';
        assert!(matches!(read(&bad), Err(TreeError::Tar { offset: 0, .. })));
        // A path that climbs out, a size past the end, a base-256 size of 2^62.
        let mut out = Vec::new();
        entry(&mut out, "../etc/passwd", b'0', b"x", "");
        assert!(matches!(read(&out), Err(TreeError::BadPath { .. })));
        let mut huge = header("big", b'0', 0, "");
        huge[124] = 0x80 | 0x3f;
        huge[148..156].copy_from_slice(b"        ");
        let sum: u32 = huge.iter().map(|b| u32::from(*b)).sum();
        huge[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert!(matches!(read(&huge), Err(TreeError::Tar { .. })));
        // A pax record whose length runs past its data.
        let mut pax_bad = Vec::new();
        entry(&mut pax_bad, "pax", b'x', b"99 path=x\n", "");
        assert!(matches!(read(&pax_bad), Err(TreeError::Tar { .. })));
        // Pseudo-random garbage never panics.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200 {
            let mut junk = tar.clone();
            for _ in 0..8 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x % junk.len() as u64) as usize;
                junk[i] = (x >> 32) as u8;
            }
            let _ = read(&junk);
        }
    }
}
