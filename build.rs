//! Renders the client from the operation IDL (ops.yaml) with the tera templates in templates/:
//! the Client / AsyncClient methods, op specs and constants (into OUT_DIR, `include!`d by small
//! hand-written modules), and the type stubs + API reference (into the source tree, written only
//! when their content changes). AEROSPIKE_PY_OPS points at an alternate spec (used by the
//! "add an operation" test); then the tree files are left alone.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Spec {
    shapes: BTreeMap<String, Shape>,
    returns: BTreeMap<String, Ret>,
    constants: Vec<Constant>,
    operations: Vec<Op>,
}

#[derive(Deserialize, Serialize, Clone)]
struct Shape {
    convert: String,
    py_type: String,
    doc: String,
}

/// One row of the shapes table in docs/api.md.
#[derive(Serialize)]
struct NamedShape {
    name: String,
    py_type: String,
    doc: String,
}

#[derive(Deserialize, Serialize, Clone)]
struct Ret {
    #[serde(default)]
    convert: String,
    #[serde(default)]
    deferred: bool,
    py_type: String,
    #[serde(default)]
    async_py_type: Option<String>,
    doc: String,
}

#[derive(Deserialize, Serialize, Clone)]
struct Constant {
    name: String,
    value: i64,
    doc: String,
}

#[derive(Deserialize, Serialize, Clone)]
struct Arg {
    name: String,
    shape: String,
    #[serde(default)]
    default: Option<serde_norway::Value>,
    /// Left out, a ParamError rather than a TypeError (the official query() and scan()).
    #[serde(default)]
    missing_is_param_error: bool,
    doc: String,
}

#[derive(Deserialize, Serialize, Clone)]
struct Example {
    #[serde(default)]
    setup: Vec<String>,
    call: String,
    #[serde(default)]
    result: Option<serde_norway::Value>,
    #[serde(default)]
    check: Option<String>,
}

#[derive(Deserialize, Serialize, Clone)]
struct ErrorCase {
    #[serde(default)]
    setup: Vec<String>,
    call: String,
    raises: String,
}

#[derive(Deserialize, Clone)]
struct Op {
    name: String,
    operation: String,
    executor: String,
    /// Rust expressions passed to the executor after the arguments (which index type, say).
    #[serde(default)]
    executor_args: Vec<String>,
    #[serde(default = "yes")]
    traced: bool,
    /// Spans carry db.response.returned_rows (the converter reports the count).
    #[serde(default)]
    returned_rows: bool,
    target: String,
    doc: String,
    args: Vec<Arg>,
    returns: String,
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    errors: Vec<ErrorCase>,
}

fn yes() -> bool {
    true
}

/// What the templates see for one argument.
#[derive(Serialize)]
struct ArgView {
    name: String,
    convert: String,
    /// Rust expression passed to the converter: `Some(x)` for required args, `x` for optional.
    pass: String,
    rust_param: String,
    /// Required: checked at the top of the method (`crate::arity`), named with its position.
    required: bool,
    missing_is_param_error: bool,
    py_type: String,
    /// py_type with `|` escaped for a markdown table cell.
    py_type_md: String,
    py_default: Option<String>,
    doc: String,
}

#[derive(Serialize)]
struct OpView {
    name: String,
    const_name: String,
    operation: String,
    executor: String,
    traced: bool,
    returned_rows: bool,
    doc: String,
    args: Vec<ArgView>,
    pyo3_signature: String,
    /// `key, bins, meta=None, policy=None`: the Python parameters as the docs show them.
    py_params: String,
    text_signature: String,
    stub_params: String,
    call_args: String,
    /// call_args, then the op's `executor_args`: what the executor is called with.
    exec_args: String,
    target_stmt: String,
    ret_convert: String,
    deferred: bool,
    ret_py_type: String,
    ret_py_type_md: String,
    ret_async_py_type: String,
    ret_doc: String,
    examples: Vec<ExampleView>,
    errors: Vec<ErrorCase>,
}

#[derive(Serialize)]
struct ExampleView {
    setup: Vec<String>,
    call: String,
    expect: String,
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn py_default(v: &serde_norway::Value) -> String {
    match v {
        serde_norway::Value::Null => "None".into(),
        serde_norway::Value::Bool(b) => if *b { "True".into() } else { "False".into() },
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::String(s) => s.clone(),
        other => panic!("unsupported default {other:?}"),
    }
}

fn expect_text(e: &Example) -> String {
    match (&e.result, &e.check) {
        (Some(r), _) => py_default(r),
        (None, Some(c)) => format!("a value for which `{c}` holds"),
        (None, None) => panic!("example {:?} needs `result` or `check`", e.call),
    }
}

fn view(spec: &Spec) -> Vec<OpView> {
    let mut names = std::collections::HashSet::new();
    spec.operations
        .iter()
        .map(|op| {
            assert!(names.insert(op.name.clone()), "operation {} defined twice", op.name);
            assert!(!op.examples.is_empty(), "operation {} needs at least one example", op.name);
            // The reference tracing page names every operation after its Python method (issue 12).
            assert_eq!(op.operation, op.name.to_uppercase(), "operation {}: `operation` must be the method name upper-cased", op.name);
            let ret = spec.returns.get(&op.returns).unwrap_or_else(|| panic!("{}: unknown return shape {}", op.name, op.returns));
            let mut args = Vec::new();
            let mut seen_default = false;
            for a in &op.args {
                let shape = spec.shapes.get(&a.shape).unwrap_or_else(|| panic!("{}: unknown shape {}", op.name, a.shape));
                let optional = a.default.is_some();
                assert!(optional || !seen_default, "{}: required argument {} after an optional one", op.name, a.name);
                seen_default |= optional;
                args.push(ArgView {
                    name: a.name.clone(),
                    convert: shape.convert.clone(),
                    pass: if optional { a.name.clone() } else { format!("Some({})", a.name) },
                    rust_param: if optional {
                        format!("{}: Option<&Bound<'py, PyAny>>", a.name)
                    } else {
                        format!("{}: crate::arity::Required<'py>", a.name)
                    },
                    required: !optional,
                    missing_is_param_error: a.missing_is_param_error,
                    py_type: shape.py_type.clone(),
                    py_type_md: md_cell(&shape.py_type),
                    py_default: a.default.as_ref().map(py_default),
                    doc: a.doc.clone(),
                });
            }
            // Required arguments default to "missing" and extras land in `_extra`, so that both
            // errors are the official client's TypeErrors (src/arity.rs).
            let pyo3_signature = args
                .iter()
                .map(|a| if a.py_default.is_some() { format!("{}=None", a.name) } else { format!("{}=crate::arity::Required::missing()", a.name) })
                .chain(std::iter::once("*_extra".to_string()))
                .collect::<Vec<_>>()
                .join(", ");
            let sig_items: Vec<String> = args
                .iter()
                .map(|a| match &a.py_default {
                    Some(d) => format!("{}={}", a.name, d),
                    None => a.name.clone(),
                })
                .collect();
            let py_params = sig_items.join(", ");
            let text_signature = format!("({})", std::iter::once("$self".to_string()).chain(sig_items).collect::<Vec<_>>().join(", "));
            let stub_params = std::iter::once("self".to_string())
                .chain(args.iter().map(|a| match &a.py_default {
                    Some(d) => format!("{}: {} = {}", a.name, a.py_type, d),
                    None => format!("{}: {}", a.name, a.py_type),
                }))
                .collect::<Vec<_>>()
                .join(", ");
            let call_args = args.iter().map(|a| format!("a_{}", a.name)).collect::<Vec<_>>().join(", ");
            let exec_args = std::iter::once(call_args.clone()).chain(op.executor_args.iter().cloned()).collect::<Vec<_>>().join(", ");
            let first = args.first().map(|a| a.name.clone()).unwrap_or_default();
            let target_stmt = match op.target.as_str() {
                "key" => format!("span.target_key(&a_{first});"),
                "keys" => format!("span.target_keys(&a_{first});"),
                "namespace" => {
                    let set = args.get(1).map(|a| format!("&a_{}", a.name)).unwrap_or_else(|| "\"\"".into());
                    format!("span.target_ns(&a_{first}, {set});")
                }
                "none" => String::new(),
                other => panic!("{}: unknown target {other}", op.name),
            };
            OpView {
                name: op.name.clone(),
                const_name: op.name.to_uppercase(),
                operation: op.operation.clone(),
                executor: op.executor.clone(),
                traced: op.traced,
                returned_rows: op.returned_rows,
                doc: op.doc.clone(),
                pyo3_signature,
                py_params,
                text_signature,
                stub_params,
                call_args,
                exec_args,
                target_stmt,
                ret_convert: ret.convert.clone(),
                deferred: ret.deferred,
                ret_py_type: ret.py_type.clone(),
                ret_py_type_md: md_cell(&ret.py_type),
                ret_async_py_type: ret.async_py_type.clone().unwrap_or_else(|| ret.py_type.clone()),
                ret_doc: ret.doc.clone(),
                examples: op
                    .examples
                    .iter()
                    .map(|e| ExampleView { setup: e.setup.clone(), call: e.call.clone(), expect: expect_text(e) })
                    .collect(),
                errors: op.errors.clone(),
                args,
            }
        })
        .collect()
}

/// Writes `path` only when its content differs, so an unchanged render does not retrigger builds.
fn write_if_changed(path: &Path, content: &str) {
    if fs::read_to_string(path).map(|old| old == content).unwrap_or(false) {
        return;
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create output dir");
    }
    fs::write(path, content).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// helpers.yaml: the list/map operation helper modules as a table (see its header).
#[derive(Deserialize)]
struct Helpers {
    modules: BTreeMap<String, HelperModule>,
    expressions: BTreeMap<String, ExpFamily>,
}

#[derive(Deserialize)]
struct ExpFamily {
    bin_class: String,
    classes: Vec<ExpClass>,
}

#[derive(Deserialize)]
struct ExpClass {
    name: String,
    op: String,
    params: String,
    children: String,
    returns: String,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    infinite: Option<String>,
    doc: String,
}

/// One child of an expression class: a parameter, the bin, or the policy node (op code `code`).
#[derive(Serialize)]
struct ExpChild {
    kind: &'static str,
    name: String,
    code: i64,
}

#[derive(Serialize)]
struct ExpClassView {
    name: String,
    op: String,
    params: String,
    /// The fixed dict's literal entries (return type, value type, extra keys).
    fixed_init: String,
    infinite: Option<String>,
    has_policy: bool,
    children: Vec<ExpChild>,
    doc: String,
}

#[derive(Serialize)]
struct ExpFamilyView {
    name: String,
    bin_class: String,
    policy_key: String,
    classes: Vec<ExpClassView>,
}

fn exp_view(h: &Helpers) -> Vec<ExpFamilyView> {
    h.expressions
        .iter()
        .map(|(fam, f)| {
            // _ExprOp codes of the policy node: list create-or-modify / modify, map create-or-modify.
            let (crmod, md) = if fam == "map" { (142, 144) } else { (140, 141) };
            ExpFamilyView {
                name: fam.clone(),
                bin_class: f.bin_class.clone(),
                policy_key: format!("{fam}_policy"),
                classes: f
                    .classes
                    .iter()
                    .map(|c| ExpClassView {
                        name: c.name.clone(),
                        op: c.op.clone(),
                        params: c.params.clone(),
                        fixed_init: {
                            let mut entries: Vec<String> = match c.returns.as_str() {
                                "none" => vec![],
                                "remove" => vec!["\"return_type\": _INVERTED if inverted else 0".into()],
                                "given" => vec!["\"return_type\": return_type | _INVERTED if inverted else return_type".into()],
                                "typed" => vec!["\"value_type\": value_type".into(), "\"return_type\": return_type".into()],
                                other => panic!("helpers.yaml {}: returns {other}", c.name),
                            };
                            for kv in c.fixed.iter().flat_map(|s| s.split_whitespace()) {
                                let (k, v) = kv.split_once('=').expect("fixed: key=param");
                                entries.push(format!("\"{k}\": {v}"));
                            }
                            entries.join(", ")
                        },
                        infinite: c.infinite.clone(),
                        has_policy: c.params.split(',').any(|p| p.trim() == "policy"),
                        children: c
                            .children
                            .split_whitespace()
                            .map(|t| match t {
                                "bin" => ExpChild { kind: "bin", name: "bin".into(), code: 0 },
                                "crmod" => ExpChild { kind: "policy", name: "policy".into(), code: crmod },
                                "mod" => ExpChild { kind: "policy", name: "policy".into(), code: md },
                                p => ExpChild { kind: "param", name: p.into(), code: 0 },
                            })
                            .collect(),
                        doc: c.doc.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct HelperModule {
    doc: String,
    ops: Vec<HelperOp>,
}

#[derive(Deserialize)]
struct HelperOp {
    name: String,
    code: String,
    params: String,
    fields: String,
    doc: String,
}

/// One dict field of a helper's result: `key` from `param`, set always / when not None / True when true.
#[derive(Serialize)]
struct FieldView {
    key: String,
    param: String,
    when: &'static str,
}

#[derive(Serialize)]
struct HelperOpView {
    name: String,
    code: String,
    params: String,
    doc: String,
    always: Vec<FieldView>,
    optional: Vec<FieldView>,
    /// Every key the op's dict may carry (for src/cdt.rs: anything else is refused).
    keys: Vec<String>,
}

#[derive(Serialize)]
struct HelperModuleView {
    name: String,
    doc: String,
    ops: Vec<HelperOpView>,
}

fn helper_view(h: &Helpers) -> Vec<HelperModuleView> {
    h.modules
        .iter()
        .map(|(name, m)| HelperModuleView {
            name: name.clone(),
            doc: m.doc.clone(),
            ops: m
                .ops
                .iter()
                .map(|op| {
                    let mut always = Vec::new();
                    let mut optional = Vec::new();
                    let mut keys = vec!["op".to_string()];
                    for f in op.fields.split_whitespace() {
                        let (key, param) = f.split_once('=').unwrap_or_else(|| panic!("helpers.yaml {}: field {f}", op.name));
                        let (param, when) = match param.chars().last() {
                            Some('?') => (&param[..param.len() - 1], "set"),
                            Some('!') => (&param[..param.len() - 1], "true"),
                            _ => (param, "always"),
                        };
                        let v = FieldView { key: key.to_string(), param: param.to_string(), when };
                        if when == "always" { always.push(v) } else { optional.push(v) }
                        keys.push(key.to_string());
                    }
                    // An operation with a return type honours `inverted` (official raw dicts may carry it).
                    if keys.iter().any(|k| k == "return_type") && !keys.iter().any(|k| k == "inverted") {
                        keys.push("inverted".to_string());
                    }
                    HelperOpView {
                        name: op.name.clone(),
                        code: op.code.clone(),
                        params: op.params.clone(),
                        doc: op.doc.clone(),
                        always,
                        optional,
                        keys,
                    }
                })
                .collect(),
        })
        .collect()
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-env-changed=AEROSPIKE_PY_OPS");
    println!("cargo:rerun-if-changed=templates");
    let alternate = env::var("AEROSPIKE_PY_OPS").ok().filter(|s| !s.is_empty());
    let spec_path = alternate.clone().map(PathBuf::from).unwrap_or_else(|| root.join("ops.yaml"));
    println!("cargo:rerun-if-changed={}", spec_path.display());

    let text = fs::read_to_string(&spec_path).unwrap_or_else(|e| panic!("read {}: {e}", spec_path.display()));
    let spec: Spec = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", spec_path.display()));
    let ops = view(&spec);

    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    let mut names = Vec::new();
    for entry in fs::read_dir(root.join("templates")).expect("templates/") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        println!("cargo:rerun-if-changed={}", path.display());
        names.push((name, fs::read_to_string(&path).unwrap()));
    }
    names.sort();
    tera.add_raw_templates(names.iter().map(|(n, c)| (n.as_str(), c.as_str())))
        .unwrap_or_else(|e| panic!("templates: {e:?}"));

    let mut ctx = tera::Context::new();
    ctx.insert("ops", &ops);
    ctx.insert("constants", &spec.constants);
    // A list, not a map: tera iterates maps in no fixed order, and the rendered docs must be stable.
    let shapes_md: Vec<NamedShape> = spec
        .shapes
        .iter()
        .map(|(k, v)| NamedShape { name: k.clone(), py_type: md_cell(&v.py_type), doc: v.doc.clone() })
        .collect();
    ctx.insert("shapes", &shapes_md);
    ctx.insert("returns", &spec.returns);
    let render = |name: &str| tera.render(name, &ctx).unwrap_or_else(|e| panic!("render {name}: {e:?}"));

    write_if_changed(&out.join("client_methods.rs"), &render("client_methods.rs.tera"));
    write_if_changed(&out.join("async_client_methods.rs"), &render("async_client_methods.rs.tera"));
    write_if_changed(&out.join("specs.rs"), &render("specs.rs.tera"));
    let stub = render("stubs.pyi.tera");
    let api = render("api.md.tera");
    write_if_changed(&out.join("_aerospike.pyi"), &stub);
    write_if_changed(&out.join("ops.yaml"), &text);
    write_if_changed(&out.join("api.md"), &api);
    let helpers_path = root.join("helpers.yaml");
    println!("cargo:rerun-if-changed={}", helpers_path.display());
    let htext = fs::read_to_string(&helpers_path).expect("read helpers.yaml");
    let helpers: Helpers = serde_norway::from_str(&htext).unwrap_or_else(|e| panic!("helpers.yaml: {e}"));
    let modules = helper_view(&helpers);
    let mut hctx = tera::Context::new();
    hctx.insert("modules", &modules);
    write_if_changed(
        &out.join("cdt_fields.rs"),
        &tera.render("cdt_fields.rs.tera", &hctx).unwrap_or_else(|e| panic!("render cdt_fields: {e:?}")),
    );
    for m in &modules {
        hctx.insert("module", m);
        let py = tera.render("helpers.py.tera", &hctx).unwrap_or_else(|e| panic!("render {}: {e:?}", m.name));
        write_if_changed(&out.join(format!("{}.py", m.name)), &py);
        if alternate.is_none() {
            write_if_changed(&root.join(format!("python/aerospike_py/{}.py", m.name)), &py);
        }
    }
    for fam in exp_view(&helpers) {
        hctx.insert("family", &fam);
        let py = tera.render("expressions_cdt.py.tera", &hctx).unwrap_or_else(|e| panic!("render {}: {e:?}", fam.name));
        write_if_changed(&out.join(format!("expressions_{}.py", fam.name)), &py);
        if alternate.is_none() {
            write_if_changed(&root.join(format!("python/aerospike_py/expressions/{}.py", fam.name)), &py);
        }
    }
    if alternate.is_none() {
        write_if_changed(&root.join("python/aerospike_py/_aerospike.pyi"), &stub);
        write_if_changed(&root.join("docs/api.md"), &api);
    }
}
