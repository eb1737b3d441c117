//! Secondary index definitions (sindex-create / sindex-delete / sindex-list).
//! The dev server keeps no index structure: a query walks the namespace and matches bin values,
//! which gives the same answers as an index for the equality and range filters it supports.

use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct SIndex {
    pub name: String,
    pub set: Option<String>,
    pub bin: String,
    /// numeric, string, geo2dsphere or blob.
    pub ktype: String,
    /// default, list, mapkeys or mapvalues.
    pub itype: String,
    pub context: Option<String>,
    /// An expression index (8.1): the packed expression whose value is indexed, in base64; no bin.
    pub exp: Option<String>,
}

impl SIndex {
    pub fn same_definition(&self, o: &SIndex) -> bool {
        self.set == o.set && self.bin == o.bin && self.ktype == o.ktype && self.itype == o.itype && self.context == o.context && self.exp == o.exp
    }

    /// One `sindex-list` entry, in the server's format.
    pub fn describe(&self, ns: &str) -> String {
        format!(
            "ns={}:indexname={}:set={}:bin={}:type={}:indextype={}:context={}:exp={}:state=RW",
            ns,
            self.name,
            self.set.as_deref().unwrap_or("null"),
            self.bin,
            self.ktype,
            self.itype,
            self.context.as_deref().unwrap_or("null"),
            self.exp.as_deref().unwrap_or("null"),
        )
    }
}

/// Builds an index definition from sindex-create parameters; Err is the server's error text.
pub fn from_params(p: &HashMap<String, String>) -> Result<(String, SIndex), String> {
    // as_info_parameter_get: a value that does not fit the server's buffer (index and set names
    // 64 bytes with the terminator) is "'<param>' value too long".
    let name = p.get("indexname").ok_or("ERROR:4:missing indexname")?;
    if name.len() >= 64 {
        return Err("ERROR:4:'indexname' value too long".into());
    }
    if name.is_empty() {
        return Err("ERROR:4:bad indexname".into());
    }
    let ns = p.get("namespace").or_else(|| p.get("ns")).ok_or("ERROR:4:missing namespace")?;
    if ns.len() >= 32 {
        return Err("ERROR:20:'namespace' value too long".into());
    }
    if p.get("set").is_some_and(|s| s.len() >= 64) {
        return Err("ERROR:4:'set' value too long".into());
    }
    // An expression index names no bin: `exp=<base64>;type=<ktype>`; the expression must parse.
    let exp = p.get("exp").filter(|e| !e.is_empty()).cloned();
    if let Some(e) = &exp {
        let ok = crate::b64::decode(e).is_some_and(|b| crate::exp::parse(&b).is_ok());
        if !ok || p.contains_key("bin") {
            return Err("ERROR:4:bad exp".into());
        }
    }
    let (bin, ktype) = match (p.get("bin"), p.get("type"), p.get("indexdata")) {
        (None, Some(t), _) if exp.is_some() => (String::new(), t.to_ascii_lowercase()),
        (Some(b), Some(t), _) => (b.clone(), t.to_ascii_lowercase()),
        (_, _, Some(data)) => match data.split_once(',') {
            Some((b, t)) => (b.to_string(), t.to_ascii_lowercase()),
            None => return Err("ERROR:4:bad indexdata".into()),
        },
        _ => return Err("ERROR:4:missing bin or type".into()),
    };
    if (bin.is_empty() && exp.is_none()) || bin.len() > 15 {
        return Err("ERROR:4:bad bin name".into());
    }
    if !matches!(ktype.as_str(), "numeric" | "string" | "geo2dsphere" | "blob") {
        return Err("ERROR:4:bad type".into());
    }
    let itype = p.get("indextype").map(|s| s.to_ascii_lowercase()).unwrap_or_else(|| "default".into());
    if !matches!(itype.as_str(), "default" | "list" | "mapkeys" | "mapvalues") {
        return Err("ERROR:4:bad indextype".into());
    }
    Ok((
        ns.clone(),
        SIndex {
            name: name.clone(),
            set: p.get("set").filter(|s| !s.is_empty()).cloned(),
            bin,
            ktype,
            itype,
            context: p.get("context").cloned(),
            exp,
        },
    ))
}
