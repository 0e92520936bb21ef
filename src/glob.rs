//! Redis's `stringmatchlen`: the one glob matcher behind KEYS, SCAN MATCH, CONFIG GET and
//! PSUBSCRIBE.
//!
//! `*` any run, `?` one byte, `[abc]` `[^a]` `[a-z]` classes (reversed ranges are swapped), `\x`
//! a literal. An unterminated `[` class ends at the pattern's end, as in Redis. Recursion on `*`
//! is bounded (`nesting > 1000` fails the match) and a failed `*` suffix search stops every
//! enclosing `*` from retrying longer matches, which keeps `a*a*a*...b` patterns linear.

const MAX_NESTING: u32 = 1000;

/// True when `string` matches `pattern`.
pub fn matches(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

fn eq(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

fn match_impl(pat: &[u8], s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let at = |v: &[u8], i: usize| -> u8 { v.get(i).copied().unwrap_or(0) };
    let (mut p, mut si) = (0usize, 0usize);
    while p < pat.len() && si < s.len() {
        match pat[p] {
            b'*' => {
                while p + 1 < pat.len() && pat[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pat.len() {
                    return true;
                }
                while si < s.len() {
                    if match_impl(&pat[p + 1..], &s[si..], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    si += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => {
                si += 1;
            }
            b'[' => {
                p += 1;
                let not = at(pat, p) == b'^';
                if not {
                    p += 1;
                }
                let mut matched = false;
                let c = s[si];
                loop {
                    if p >= pat.len() {
                        // Unterminated class: Redis steps back so the outer `p += 1` ends it.
                        p -= 1;
                        break;
                    }
                    if pat[p] == b'\\' && pat.len() - p >= 2 {
                        p += 1;
                        if pat[p] == c {
                            matched = true;
                        }
                    } else if pat[p] == b']' {
                        break;
                    } else if pat.len() - p >= 3 && pat[p + 1] == b'-' {
                        let (mut start, mut end) = (pat[p], pat[p + 2]);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let mut cc = c;
                        if nocase {
                            start = start.to_ascii_lowercase();
                            end = end.to_ascii_lowercase();
                            cc = cc.to_ascii_lowercase();
                        }
                        p += 2;
                        if cc >= start && cc <= end {
                            matched = true;
                        }
                    } else if eq(pat[p], c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                si += 1;
            }
            b'\\' => {
                if pat.len() - p >= 2 {
                    p += 1;
                }
                if !eq(pat[p], s[si], nocase) {
                    return false;
                }
                si += 1;
            }
            c => {
                if !eq(c, s[si], nocase) {
                    return false;
                }
                si += 1;
            }
        }
        p += 1;
        if si == s.len() {
            while p < pat.len() && pat[p] == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pat.len() && si == s.len()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn redis_cases() {
        let yes: &[(&str, &str)] = &[
            ("*", "abc"),
            ("a*", "abc"),
            ("h?llo", "hello"),
            ("h[ae]llo", "hallo"),
            ("h[^e]llo", "hallo"),
            ("h[a-b]llo", "hbllo"),
            ("h[b-a]llo", "hbllo"),
            ("h\\*llo", "h*llo"),
            ("a*b*c", "aXbYc"),
            ("[abc", "a"),
            ("*a*", "banana"),
            ("a**", "a"),
        ];
        for (p, s) in yes {
            assert!(
                matches(p.as_bytes(), s.as_bytes(), false),
                "{p} should match {s}"
            );
        }
        let no: &[(&str, &str)] = &[
            ("h[^e]llo", "hello"),
            ("h?llo", "hllo"),
            ("a*b", "aXc"),
            ("abc", "ab"),
            ("", "a"),
            ("h\\*llo", "hello"),
            // As in Redis: no run of `*` matches the empty string; KEYS and SCAN special-case
            // a lone `*` themselves.
            ("*", ""),
        ];
        for (p, s) in no {
            assert!(
                !matches(p.as_bytes(), s.as_bytes(), false),
                "{p} should not match {s}"
            );
        }
        assert!(matches(b"HELLO", b"hello", true));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let pat = "a*".repeat(50) + "b";
        let s = "a".repeat(5000);
        let t = std::time::Instant::now();
        assert!(!matches(pat.as_bytes(), s.as_bytes(), false));
        assert!(t.elapsed().as_secs() < 2);
    }
}
