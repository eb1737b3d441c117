//! Fault injection, set through devserver-private info commands (see README):
//! delay replies, drop connections, answer a chosen result code for a chosen operation kind.
//! Faults apply to data commands (AS_MSG) only, never to info commands, so clients keep tending.

use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Read,
    Write,
    Delete,
    Batch,
    Scan,
    Query,
}

impl OpKind {
    pub fn parse(s: &str) -> Option<Option<OpKind>> {
        Some(Some(match s {
            "read" => OpKind::Read,
            "write" => OpKind::Write,
            "delete" => OpKind::Delete,
            "batch" => OpKind::Batch,
            "scan" => OpKind::Scan,
            "query" => OpKind::Query,
            "any" | "all" => return Some(None),
            _ => return None,
        }))
    }
}

#[derive(Clone, Debug)]
pub struct Rule {
    /// None = every node.
    pub node: Option<usize>,
    /// None = every operation kind.
    pub op: Option<OpKind>,
    pub action: Action,
    /// Remaining applications; None = until cleared.
    pub remaining: Option<u64>,
    /// Chance in percent (1..=100) that a matching request is hit; a miss does not use up `remaining`.
    pub pct: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    DelayMs(u64),
    Drop,
    Error(u8),
}

/// What to do with one request.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Decision {
    pub delay_ms: u64,
    pub drop: bool,
    pub error: Option<u8>,
}

pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    /// Fast path: no lock taken while no rule is set.
    any: std::sync::atomic::AtomicBool,
    /// xorshift state for `pct` rules (random connection drops need no cryptographic quality).
    rng: std::sync::atomic::AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults { rules: Mutex::default(), any: Default::default(), rng: std::sync::atomic::AtomicU64::new(0x9E37_79B9_7F4A_7C15) }
    }
}

impl Faults {
    pub fn add(&self, rule: Rule) {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        rules.push(rule);
        self.any.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn clear(&self) {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        rules.clear();
        self.any.store(false, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn list(&self) -> Vec<Rule> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A number in 0..100.
    fn roll(&self) -> u8 {
        use std::sync::atomic::Ordering::Relaxed;
        let mut x = self.rng.load(Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.store(x, Relaxed);
        (x % 100) as u8
    }

    /// Decides the faults for one request of `op` arriving at `node`, consuming counted rules.
    pub fn decide(&self, node: usize, op: OpKind) -> Decision {
        let mut d = Decision::default();
        if !self.any.load(std::sync::atomic::Ordering::Relaxed) {
            return d;
        }
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        for r in rules.iter_mut() {
            if r.node.is_some_and(|n| n != node) || r.op.is_some_and(|o| o != op) || r.remaining == Some(0) {
                continue;
            }
            if r.pct < 100 && self.roll() >= r.pct {
                continue;
            }
            match r.action {
                Action::DelayMs(ms) => d.delay_ms += ms,
                Action::Drop => d.drop = true,
                Action::Error(code) => d.error = d.error.or(Some(code)),
            }
            if let Some(n) = r.remaining.as_mut() {
                *n -= 1;
            }
        }
        rules.retain(|r| r.remaining != Some(0));
        if rules.is_empty() {
            self.any.store(false, std::sync::atomic::Ordering::Relaxed);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rule_expires() {
        let f = Faults::default();
        f.add(Rule { node: None, op: Some(OpKind::Read), action: Action::Error(9), remaining: Some(1), pct: 100 });
        assert_eq!(f.decide(0, OpKind::Write), Decision::default());
        assert_eq!(f.decide(0, OpKind::Read).error, Some(9));
        assert_eq!(f.decide(0, OpKind::Read), Decision::default());
    }

    #[test]
    fn pct_rule_hits_about_that_share() {
        let f = Faults::default();
        f.add(Rule { node: None, op: None, action: Action::Drop, remaining: None, pct: 10 });
        let hits = (0..10_000).filter(|_| f.decide(0, OpKind::Read).drop).count();
        assert!((500..1500).contains(&hits), "{hits}");
    }
}
