//! Filter expressions in the official client's compiled form: the list that
//! `aerospike_py.expressions` (or the official `aerospike_helpers.expressions`) `.compile()`
//! returns, one `(op, result_type, fixed, child_count)` tuple per node in prefix order. Variadic
//! nodes count a trailing end-of-arguments marker among their children.

use aerospike_core::expressions::{self as exp, ExpType, Expression};
use aerospike_core::{RegexFlags, Value};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::errors::param;
use crate::shapes::{MAX_DEPTH, int_of, value_of};

const END_OF_ARGS: i64 = 150;
const VALUE: i64 = 200;
const AS_VAL: i64 = 128;

/// Reads the compiled list of a policy's `expressions` key.
pub fn filter_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<Expression> {
    // An expression object (ours or the official helpers') stands for its compiled list.
    if !o.is_instance_of::<PyList>() && o.hasattr("compile")? {
        return filter_of(&o.call_method0("compile")?, arg);
    }
    let list = o.cast::<PyList>().map_err(|_| param(o.py(), arg, "expected a compiled expression (a list)"))?;
    let mut r = Reader { py: o.py(), nodes: list.iter().collect(), pos: 0, depth: 0, arg };
    let e = r.node()?;
    if r.pos != r.nodes.len() {
        return Err(param(o.py(), arg, "trailing nodes after the expression"));
    }
    Ok(e)
}

/// `Client.get_expression_base64`: the packed expression in base64.
pub fn base64_of(o: &Bound<'_, PyAny>) -> PyResult<String> {
    filter_of(o, "expression")?.base64().map_err(|e| param(o.py(), "expression", e))
}

struct Node<'py> {
    op: i64,
    rt: Option<i64>,
    fixed: Option<Bound<'py, PyDict>>,
    children: i64,
}

struct Reader<'a, 'py> {
    py: Python<'py>,
    nodes: Vec<Bound<'py, PyAny>>,
    pos: usize,
    /// Nodes open above the current one: bounded like values (shapes::MAX_DEPTH), since reading,
    /// encoding and dropping an expression all recurse per level.
    depth: usize,
    arg: &'a str,
}

impl<'py> Reader<'_, 'py> {
    fn err(&self, what: impl std::fmt::Display) -> PyErr {
        param(self.py, &format!("{}[{}]", self.arg, self.pos), what)
    }

    fn next(&mut self) -> PyResult<Node<'py>> {
        let Some(item) = self.nodes.get(self.pos).cloned() else { return Err(self.err("expression ends too early")) };
        let t = item.cast::<PyTuple>().ok().filter(|t| t.len() == 4);
        let Some(t) = t else { return Err(self.err("expected an (op, result_type, fixed, count) tuple")) };
        let arg = format!("{}[{}]", self.arg, self.pos);
        let rt = t.get_item(1)?;
        let fixed = t.get_item(2)?;
        let node = Node {
            op: int_of(&t.get_item(0)?, &arg)?,
            rt: if rt.is_none() { None } else { Some(int_of(&rt, &arg)?) },
            fixed: if fixed.is_none() { None } else { Some(fixed.cast_into::<PyDict>().map_err(|_| self.err("fixed must be a dict"))?) },
            children: int_of(&t.get_item(3)?, &arg)?,
        };
        self.pos += 1;
        Ok(node)
    }

    fn fixed(&self, n: &Node<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        n.fixed.as_ref().and_then(|f| f.get_item(key).ok().flatten()).ok_or_else(|| self.err(format!("missing {key:?}")))
    }

    fn fixed_str(&self, n: &Node<'py>, key: &str) -> PyResult<String> {
        self.fixed(n, key)?.extract::<String>().map_err(|_| self.err(format!("{key:?} must be a str")))
    }

    fn args(&mut self, n: &Node<'py>) -> PyResult<Vec<Expression>> {
        let mut out = Vec::new();
        for _ in 0..n.children {
            let is_end = self.nodes.get(self.pos).and_then(|t| t.get_item(0).ok()).and_then(|o| o.extract::<i64>().ok());
            if is_end == Some(END_OF_ARGS) {
                self.pos += 1;
            } else {
                out.push(self.node()?);
            }
        }
        Ok(out)
    }

    fn one(&mut self, n: &Node<'py>) -> PyResult<Expression> {
        let mut a = self.args(n)?;
        if a.len() != 1 {
            return Err(self.err(format!("op {} takes one argument", n.op)));
        }
        Ok(a.remove(0))
    }

    fn two(&mut self, n: &Node<'py>) -> PyResult<(Expression, Expression)> {
        let mut a = self.args(n)?;
        if a.len() != 2 {
            return Err(self.err(format!("op {} takes two arguments", n.op)));
        }
        let b = a.remove(1);
        Ok((a.remove(0), b))
    }

    fn exp_type(&self, n: &Node<'py>) -> PyResult<ExpType> {
        self.type_of(n.rt)
    }

    /// The `value_type` of a typed list/map getter.
    fn value_type(&self, n: &Node<'py>) -> PyResult<ExpType> {
        let vt = self.fixed(n, "value_type")?;
        self.type_of(Some(int_of(&vt, self.arg)?))
    }

    fn type_of(&self, rt: Option<i64>) -> PyResult<ExpType> {
        Ok(match rt {
            Some(0) => ExpType::Nil,
            Some(1) => ExpType::Bool,
            Some(2) => ExpType::Int,
            Some(3) => ExpType::String,
            Some(4) => ExpType::List,
            Some(5) => ExpType::Map,
            Some(6) => ExpType::Blob,
            Some(7) => ExpType::Float,
            Some(8) => ExpType::Geo,
            Some(9) => ExpType::Hll,
            other => return Err(self.err(format!("invalid result type {other:?}"))),
        })
    }

    fn node(&mut self) -> PyResult<Expression> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err(format!("expression is nested deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let e = self.node_here();
        self.depth -= 1;
        e
    }

    fn node_here(&mut self) -> PyResult<Expression> {
        let n = self.next()?;
        Ok(match n.op {
            VALUE | AS_VAL => {
                let v = self.fixed(&n, "val")?;
                match value_of(&v, self.arg)? {
                    Value::Nil => exp::nil(),
                    Value::Bool(b) => exp::bool_val(b),
                    Value::Int(i) => exp::int_val(i),
                    Value::Float(f) => exp::float_val(f64::from(f)),
                    Value::String(s) => exp::string_val(s),
                    Value::Blob(b) => exp::blob_val(b),
                    Value::List(l) => exp::list_val(l),
                    Value::OrderedMap(m) => exp::map_val(m),
                    Value::SortedMap(m) => exp::map_val(m),
                    Value::GeoJson(s) => exp::geo_val(s),
                    Value::Infinity => exp::infinity(),
                    Value::Wildcard => exp::wildcard(),
                    _ => return Err(self.err("unsupported value")),
                }
            }
            0 => exp::unknown(),
            1..=6 => {
                let (a, b) = self.two(&n)?;
                [exp::eq, exp::ne, exp::gt, exp::ge, exp::lt, exp::le][(n.op - 1) as usize](a, b)
            }
            7 => {
                let flags = int_of(&self.fixed(&n, "regex_options")?, self.arg)?;
                let regex = self.fixed_str(&n, "val")?;
                exp::regex_compare(regex, RegexFlags::from_bits(flags), self.one(&n)?)
            }
            8 => self.two(&n).map(|(a, b)| exp::geo_compare(a, b))?,
            16 => exp::and(self.args(&n)?),
            17 => exp::or(self.args(&n)?),
            18 => exp::not(self.one(&n)?),
            19 => exp::exclusive(self.args(&n)?),
            20 => exp::num_add(self.args(&n)?),
            21 => exp::num_sub(self.args(&n)?),
            22 => exp::num_mul(self.args(&n)?),
            23 => exp::num_div(self.args(&n)?),
            24 => self.two(&n).map(|(a, b)| exp::num_pow(a, b))?,
            25 => self.two(&n).map(|(a, b)| exp::num_log(a, b))?,
            26 => self.two(&n).map(|(a, b)| exp::num_mod(a, b))?,
            27 => exp::num_abs(self.one(&n)?),
            28 => exp::num_floor(self.one(&n)?),
            29 => exp::num_ceil(self.one(&n)?),
            30 => exp::to_int(self.one(&n)?),
            31 => exp::to_float(self.one(&n)?),
            32 => exp::int_and(self.args(&n)?),
            33 => exp::int_or(self.args(&n)?),
            34 => exp::int_xor(self.args(&n)?),
            35 => exp::int_not(self.one(&n)?),
            36 => self.two(&n).map(|(a, b)| exp::int_lshift(a, b))?,
            37 => self.two(&n).map(|(a, b)| exp::int_rshift(a, b))?,
            38 => self.two(&n).map(|(a, b)| exp::int_arshift(a, b))?,
            39 => exp::int_count(self.one(&n)?),
            40 => self.two(&n).map(|(a, b)| exp::int_lscan(a, b))?,
            41 => self.two(&n).map(|(a, b)| exp::int_rscan(a, b))?,
            50 => exp::min(self.args(&n)?),
            51 => exp::max(self.args(&n)?),
            64 => exp::digest_modulo(int_of(&self.fixed(&n, "val")?, self.arg)?),
            65 | 73 | 74 => exp::record_size(), // device_size and memory_size are its deprecated names
            66 => exp::last_update(),
            67 => exp::void_time(),
            68 => exp::ttl(),
            69 => exp::set_name(),
            70 => exp::key_exists(),
            71 => exp::since_update(),
            72 => exp::is_tombstone(),
            80 => exp::key(self.exp_type(&n)?),
            81 => exp::bin(self.fixed_str(&n, "bin")?, self.exp_type(&n)?),
            82 => exp::bin_type(self.fixed_str(&n, "bin")?),
            83 => exp::bin_exists(self.fixed_str(&n, "bin")?),
            123 => exp::cond(self.args(&n)?),
            124 => exp::var(self.fixed_str(&n, "val")?),
            125 => exp::exp_let(self.args(&n)?),
            126 => exp::def(self.fixed_str(&n, "val")?, self.one(&n)?),
            op if (1000..1200).contains(&op) => {
                let mut args = Vec::new();
                for _ in 0..n.children {
                    // The policy node of a list/map modify (codes 140-144): its policy is in `fixed` too.
                    let peek = self.nodes.get(self.pos).and_then(|t| t.get_item(0).ok()).and_then(|o| o.extract::<i64>().ok());
                    if matches!(peek, Some(140..=144)) {
                        self.pos += 1;
                        continue;
                    }
                    args.push(self.node()?);
                }
                let arg = format!("{}[{}]", self.arg, self.pos);
                crate::cdt_expressions::node(self.py, op, n.fixed.as_ref(), args, || self.value_type(&n), &arg)?
            }
            op => return Err(self.err(format!("unsupported expression op {op} (bit and HLL expressions are not supported yet)"))),
        })
    }
}
