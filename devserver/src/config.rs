//! Command-line flags.

pub const USAGE: &str = "usage: aerospike-devserver --port BASE [--host 127.0.0.1] [--nodes N] \
[--namespace NAME]... [--nsup-off] [--memory-limit BYTES]";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub nodes: usize,
    pub namespaces: Vec<String>,
    /// false = `--nsup-off`: Community Edition defaults, writes with a TTL are forbidden.
    pub nsup: bool,
    /// Per-namespace memory limit in bytes; 0 = unlimited.
    pub memory_limit: u64,
}

impl Config {
    pub fn parse<I: Iterator<Item = String>>(mut args: I) -> Result<Config, String> {
        let mut c = Config {
            host: "127.0.0.1".into(),
            port: 3000,
            nodes: 1,
            namespaces: Vec::new(),
            nsup: true,
            memory_limit: 0,
        };
        while let Some(a) = args.next() {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (a.clone(), None),
            };
            let mut value = |name: &str| inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value"));
            match flag.as_str() {
                "--port" => c.port = value("--port")?.parse().map_err(|_| "bad --port")?,
                "--host" => c.host = value("--host")?,
                "--nodes" => c.nodes = value("--nodes")?.parse().map_err(|_| "bad --nodes")?,
                "--namespace" => {
                    let ns = value("--namespace")?;
                    if ns.is_empty() || ns.len() > 31 || ns.contains([':', ';', '/', '\t', '\n']) {
                        return Err(format!("bad namespace name {ns:?}"));
                    }
                    if !c.namespaces.contains(&ns) {
                        c.namespaces.push(ns);
                    }
                }
                "--nsup-off" => c.nsup = false,
                "--memory-limit" => c.memory_limit = value("--memory-limit")?.parse().map_err(|_| "bad --memory-limit")?,
                "-h" | "--help" => return Err("help".into()),
                other => return Err(format!("unknown flag {other}")),
            }
        }
        if c.nodes == 0 || c.nodes > 64 || c.port as usize + c.nodes > 65536 {
            return Err("bad --nodes/--port combination".into());
        }
        if c.namespaces.is_empty() {
            c.namespaces = vec!["test".into(), "bar".into()];
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config, String> {
        Config::parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn defaults_and_flags() {
        let c = parse("--port 4000").unwrap();
        assert_eq!(c.namespaces, vec!["test", "bar"]);
        assert!(c.nsup);
        let c = parse("--port 4000 --nodes 3 --namespace x --namespace=y --nsup-off --memory-limit 100").unwrap();
        assert_eq!((c.nodes, c.nsup, c.memory_limit), (3, false, 100));
        assert_eq!(c.namespaces, vec!["x", "y"]);
        assert!(parse("--port").is_err());
        assert!(parse("--bogus").is_err());
    }
}
