//! A small POSIX-extended-style regex matcher for the expression CmpRegex (exp.c uses regcomp /
//! regexec, unanchored search). Supports literals, `.`, bracket classes (ranges, negation),
//! `^`, `$`, groups with `|`, and the quantifiers `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}`;
//! `\` escapes the next byte. Case folding is ASCII (REG_ICASE). Matching is bounded by a step
//! budget so a hostile pattern cannot hang a request.

#[derive(Debug, Clone)]
enum Node {
    Byte(u8),
    Any,
    Class(Vec<(u8, u8)>, bool),
    Start,
    End,
    Group(Vec<Vec<Piece>>),
}

#[derive(Debug, Clone)]
struct Piece {
    node: Node,
    min: usize,
    max: usize, // usize::MAX = unbounded
}

#[derive(Debug, Clone)]
pub struct Regex {
    alts: Vec<Vec<Piece>>,
    icase: bool,
}

const MAX_STEPS: usize = 200_000;
const MAX_DEPTH: usize = 300;
const REG_ICASE: i64 = 2;

struct Parser<'a> {
    p: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn alts(&mut self) -> Result<Vec<Vec<Piece>>, ()> {
        let mut alts = vec![self.seq()?];
        while self.p.get(self.i) == Some(&b'|') {
            self.i += 1;
            alts.push(self.seq()?);
        }
        Ok(alts)
    }

    fn seq(&mut self) -> Result<Vec<Piece>, ()> {
        let mut out = Vec::new();
        while let Some(&c) = self.p.get(self.i) {
            if c == b'|' || c == b')' {
                break;
            }
            self.i += 1;
            let node = match c {
                b'.' => Node::Any,
                b'^' => Node::Start,
                b'$' => Node::End,
                b'\\' => {
                    let e = *self.p.get(self.i).ok_or(())?;
                    self.i += 1;
                    Node::Byte(e)
                }
                b'[' => self.class()?,
                b'(' => {
                    self.depth += 1;
                    if self.depth > 32 {
                        return Err(());
                    }
                    let inner = self.alts()?;
                    if self.p.get(self.i) != Some(&b')') {
                        return Err(());
                    }
                    self.i += 1;
                    self.depth -= 1;
                    Node::Group(inner)
                }
                b'*' | b'+' | b'?' | b'{' => return Err(()), // nothing to repeat
                _ => Node::Byte(c),
            };
            let (min, max) = self.quantifier()?;
            out.push(Piece { node, min, max });
        }
        Ok(out)
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.i;
        while self.p.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        std::str::from_utf8(&self.p[start..self.i]).ok()?.parse().ok()
    }

    fn quantifier(&mut self) -> Result<(usize, usize), ()> {
        let q = match self.p.get(self.i) {
            Some(b'*') => (0, usize::MAX),
            Some(b'+') => (1, usize::MAX),
            Some(b'?') => (0, 1),
            Some(b'{') => {
                self.i += 1;
                let min = self.number().ok_or(())?;
                let max = if self.p.get(self.i) == Some(&b',') {
                    self.i += 1;
                    self.number().unwrap_or(usize::MAX)
                } else {
                    min
                };
                if self.p.get(self.i) != Some(&b'}') || max < min || min > 1000 {
                    return Err(());
                }
                (min, max)
            }
            _ => return Ok((1, 1)),
        };
        self.i += 1;
        Ok(q)
    }

    fn class(&mut self) -> Result<Node, ()> {
        let negate = self.p.get(self.i) == Some(&b'^');
        if negate {
            self.i += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = *self.p.get(self.i).ok_or(())?;
            self.i += 1;
            if c == b']' && !first {
                break;
            }
            first = false;
            if self.p.get(self.i) == Some(&b'-') && self.p.get(self.i + 1).is_some_and(|&n| n != b']') {
                let hi = self.p[self.i + 1];
                self.i += 2;
                ranges.push((c, hi));
            } else {
                ranges.push((c, c));
            }
        }
        Ok(Node::Class(ranges, negate))
    }
}

impl Regex {
    /// Compiles `pattern` with CmpRegex flags; Err for a malformed pattern.
    pub fn new(pattern: &[u8], flags: i64) -> Result<Regex, ()> {
        let mut p = Parser { p: pattern, i: 0, depth: 0 };
        let alts = p.alts()?;
        if p.i != pattern.len() {
            return Err(());
        }
        Ok(Regex { alts, icase: flags & REG_ICASE != 0 })
    }

    /// Whether the pattern matches anywhere in `s` (regexec semantics).
    pub fn is_match(&self, s: &[u8]) -> bool {
        let mut steps = 0;
        (0..=s.len()).any(|start| self.alts.iter().any(|alt| self.seq(alt, 0, s, start, 0, &mut steps, &mut |_, _| true)))
    }

    fn eq(&self, a: u8, b: u8) -> bool {
        if self.icase { a.eq_ignore_ascii_case(&b) } else { a == b }
    }

    fn one(&self, node: &Node, s: &[u8], at: usize) -> Option<usize> {
        let c = *s.get(at)?;
        let ok = match node {
            Node::Byte(b) => self.eq(*b, c),
            Node::Any => c != b'\n',
            Node::Class(ranges, negate) => {
                let lc = c.to_ascii_lowercase();
                let uc = c.to_ascii_uppercase();
                let hit = ranges.iter().any(|&(lo, hi)| {
                    (lo..=hi).contains(&c) || (self.icase && ((lo..=hi).contains(&lc) || (lo..=hi).contains(&uc)))
                });
                hit != *negate
            }
            _ => return None,
        };
        ok.then_some(at + 1)
    }

    /// Matches pieces[i..] at `at`, then calls `k` with the end position (continuation style).
    /// `depth` bounds the recursion (groups recurse per repetition); `steps` bounds the work.
    #[allow(clippy::too_many_arguments)]
    fn seq(&self, pieces: &[Piece], i: usize, s: &[u8], at: usize, depth: usize, steps: &mut usize, k: &mut dyn FnMut(usize, &mut usize) -> bool) -> bool {
        *steps += 1;
        if *steps > MAX_STEPS || depth > MAX_DEPTH {
            return false;
        }
        let Some(piece) = pieces.get(i) else {
            return k(at, steps);
        };
        match &piece.node {
            Node::Start => at == 0 && self.seq(pieces, i + 1, s, at, depth + 1, steps, k),
            Node::End => at == s.len() && self.seq(pieces, i + 1, s, at, depth + 1, steps, k),
            Node::Group(alts) => self.group(piece, alts, 0, pieces, i, s, at, depth + 1, steps, k),
            node => {
                // Single-byte pieces: take the longest run iteratively, then back off.
                let mut ends = vec![at];
                while ends.len() - 1 < piece.max {
                    match self.one(node, s, *ends.last().unwrap()) {
                        Some(e) => ends.push(e),
                        None => break,
                    }
                }
                for (n, &e) in ends.iter().enumerate().rev() {
                    if n < piece.min {
                        break;
                    }
                    if self.seq(pieces, i + 1, s, e, depth + 1, steps, k) {
                        return true;
                    }
                }
                false
            }
        }
    }

    /// Repetitions of a group: greedy, one more repetition first.
    #[allow(clippy::too_many_arguments)]
    fn group(&self, piece: &Piece, alts: &[Vec<Piece>], count: usize, pieces: &[Piece], i: usize, s: &[u8], at: usize, depth: usize, steps: &mut usize, k: &mut dyn FnMut(usize, &mut usize) -> bool) -> bool {
        *steps += 1;
        if *steps > MAX_STEPS || depth > MAX_DEPTH {
            return false;
        }
        if count < piece.max {
            for alt in alts {
                let mut next = |end: usize, st: &mut usize| {
                    // An empty repetition only counts towards the minimum (no endless loops).
                    (end != at || count < piece.min) && self.group(piece, alts, count + 1, pieces, i, s, end, depth + 1, st, k)
                };
                if self.seq(alt, 0, s, at, depth + 1, steps, &mut next) {
                    return true;
                }
            }
        }
        count >= piece.min && self.seq(pieces, i + 1, s, at, depth + 1, steps, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str, flags: i64) -> bool {
        Regex::new(p.as_bytes(), flags).unwrap().is_match(s.as_bytes())
    }

    #[test]
    fn basics() {
        assert!(m("^hello", "Hello World", REG_ICASE));
        assert!(!m("^hello", "Hello World", 0));
        assert!(m("Wor.d$", "Hello World", 0));
        assert!(m("l+o W", "Hello World", 0));
        assert!(m("^(Hello|Bye) [A-Z][a-z]{4}$", "Hello World", 0));
        assert!(!m("^(Hi|Bye)", "Hello World", 0));
        assert!(m("[^0-9]x?", "a", 0));
        assert!(m("", "", 0));
        assert!(Regex::new(b"(", 0).is_err());
        assert!(Regex::new(b"*a", 0).is_err());
        // Long inputs neither overflow the stack nor run away.
        let long = format!("{}x", "a".repeat(100_000));
        assert!(m("a*x$", &long, 0));
        let _ = m("(a|b)*y", &long, 0);
        // Pathological pattern stays bounded.
        assert!(!m("(a*)*b", &"a".repeat(40), 0));
    }
}
