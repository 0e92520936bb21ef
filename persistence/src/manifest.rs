//! The AOF manifest (`<appendfilename>.manifest`), in Redis 7's text format:
//!
//! ```text
//! file appendonly.aof.1.base.aof seq 1 type b
//! file appendonly.aof.1.incr.aof seq 1 type i
//! ```
//!
//! Invariants: at most one base file, listed first; incr files follow in sequence order;
//! history (`h`) entries are not loaded. Names with spaces are quoted as Redis quotes them.

use std::io::{self, Write};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Base,
    Incr,
    History,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    pub name: String,
    pub seq: u64,
    pub kind: FileType,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub entries: Vec<ManifestEntry>,
}

impl Manifest {
    /// A new AOF: base seq 1 and incr seq 1.
    pub fn fresh(filename: &str) -> Manifest {
        Manifest {
            entries: vec![
                ManifestEntry {
                    name: format!("{filename}.1.base.aof"),
                    seq: 1,
                    kind: FileType::Base,
                },
                ManifestEntry {
                    name: format!("{filename}.1.incr.aof"),
                    seq: 1,
                    kind: FileType::Incr,
                },
            ],
        }
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut m = Manifest::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words = resp::parser::split_args(line.as_bytes())
                .ok_or_else(|| format!("Invalid AOF manifest file format (line {})", i + 1))?;
            let words: Vec<String> = words
                .into_iter()
                .map(|w| String::from_utf8_lossy(&w).into_owned())
                .collect();
            let (mut name, mut seq, mut kind) = (None, None, None);
            for kv in words.chunks(2) {
                if kv.len() != 2 {
                    return Err(format!("Invalid AOF manifest file format (line {})", i + 1));
                }
                match kv[0].as_str() {
                    "file" => name = Some(kv[1].clone()),
                    "seq" => seq = kv[1].parse::<u64>().ok(),
                    "type" => {
                        kind = match kv[1].as_str() {
                            "b" => Some(FileType::Base),
                            "i" => Some(FileType::Incr),
                            "h" => Some(FileType::History),
                            _ => None,
                        }
                    }
                    _ => {}
                }
            }
            match (name, seq, kind) {
                (Some(name), Some(seq), Some(kind)) => {
                    m.entries.push(ManifestEntry { name, seq, kind })
                }
                _ => return Err(format!("Invalid AOF manifest file format (line {})", i + 1)),
            }
        }
        if m.entries
            .iter()
            .filter(|e| e.kind == FileType::Base)
            .count()
            > 1
        {
            return Err("Found duplicate base file information".into());
        }
        if m.entries.is_empty() {
            return Err("Found an empty AOF manifest".into());
        }
        Ok(m)
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            let t = match e.kind {
                FileType::Base => "b",
                FileType::Incr => "i",
                FileType::History => "h",
            };
            let name = repr_if_needed(&e.name);
            s.push_str(&format!("file {} seq {} type {}\n", name, e.seq, t));
        }
        s
    }

    pub fn base(&self) -> Option<&ManifestEntry> {
        self.entries.iter().find(|e| e.kind == FileType::Base)
    }

    pub fn last_incr(&self) -> Option<&ManifestEntry> {
        self.entries
            .iter()
            .filter(|e| e.kind == FileType::Incr)
            .max_by_key(|e| e.seq)
    }

    /// Base first, then incr files by sequence.
    pub fn load_order(&self) -> impl Iterator<Item = &ManifestEntry> {
        let mut incr: Vec<&ManifestEntry> = self
            .entries
            .iter()
            .filter(|e| e.kind == FileType::Incr)
            .collect();
        incr.sort_by_key(|e| e.seq);
        self.base().into_iter().chain(incr)
    }

    /// Writes via a temp file, fsync and rename, so a crash leaves the old or the new one.
    pub fn write_atomically(&self, path: &Path) -> io::Result<()> {
        let tmp = path.with_extension("manifest.tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(self.to_text().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

/// A file name as Redis writes it into the manifest (`sdsneedsrepr` / `sdscatrepr`): quoted,
/// with C escapes, when it has spaces, quotes, backslashes or unprintable bytes, so that
/// reading it back (`split_args`) gives the same name. Found by the aof_load fuzz target: a
/// name with a quote or a backslash was written bare and read back as something else.
fn repr_if_needed(name: &str) -> String {
    let needs = name.is_empty()
        || name
            .bytes()
            .any(|c| matches!(c, b'\\' | b'"' | b'\'') || !(0x21..0x7f).contains(&c));
    if !needs {
        return name.to_string();
    }
    let mut out = String::from("\"");
    for c in name.bytes() {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            c if (0x20..0x7f).contains(&c) => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the aof_load fuzz target: file names with quotes, backslashes, spaces or
    /// control bytes write out so that they read back the same.
    #[test]
    fn names_that_need_quoting_survive_a_write_and_a_read() {
        for name in [
            "appendonly.aof.1.incr.aof",
            "a b",
            "it's",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "new\nline",
            "bell\u{7}",
            "caf\u{e9}",
            "",
        ] {
            let m = Manifest {
                entries: vec![ManifestEntry {
                    name: name.to_string(),
                    seq: 1,
                    kind: FileType::Incr,
                }],
            };
            let back = Manifest::parse(&m.to_text()).unwrap();
            assert_eq!(back.entries[0].name, name, "{:?}", m.to_text());
        }
        let crash = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/corpus/aof_load/regression-manifest-quotes"
        ))
        .unwrap();
        let m = Manifest::parse(std::str::from_utf8(&crash).unwrap()).unwrap();
        assert_eq!(
            Manifest::parse(&m.to_text()).unwrap().to_text(),
            m.to_text()
        );
    }

    #[test]
    fn round_trip_redis_format() {
        let text = "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n";
        let m = Manifest::parse(text).unwrap();
        let order: Vec<&str> = m.load_order().map(|e| e.name.as_str()).collect();
        assert_eq!(
            order,
            [
                "appendonly.aof.2.base.aof",
                "appendonly.aof.3.incr.aof",
                "appendonly.aof.4.incr.aof"
            ]
        );
        assert_eq!(m.last_incr().unwrap().seq, 4);
        assert_eq!(Manifest::parse(&m.to_text()).unwrap(), m);
        assert!(Manifest::parse("file x seq 1 type b\nfile y seq 2 type b\n").is_err());
        assert!(Manifest::parse("garbage\n").is_err());
    }
}
