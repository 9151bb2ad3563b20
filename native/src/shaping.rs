//! Response shaping and null propagation, as `Shaper` in `execution/shaping.py` does it for
//! a response without `@defer` fragments: the walk over the merged data with the planner's
//! `ShapeField` tables (aliases, fragments, `__typename`, `@skip`/`@include`, enum checks),
//! a null in a non-null position nulling the nearest nullable parent, with Apollo's
//! messages and the client's paths.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyList, PyString};

use crate::entities::Stop;

const NONNULL: u8 = 0;
const LIST: u8 = 1;

enum Kind {
    Value,
    Typename,
    Introspection,
}

struct Field {
    key: Py<PyString>,
    key_text: String,
    source: Py<PyString>,
    wrappers: Vec<u8>,
    named: String,
    cond: Option<Vec<Vec<(Py<PyString>, bool)>>>,
    kind: Kind,
    sub: Option<Arc<Table>>,
    enum_values: Option<HashSet<String>>,
    static_type: String,
}

type Table = HashMap<String, Vec<Field>>;

/// The shaping tables of one planned operation, compiled once and reused per request.
#[pyclass(frozen)]
pub struct ShapePlan {
    root: Arc<Table>,
}

fn compile_table(
    py: Python<'_>,
    table: &Bound<'_, PyDict>,
    memo: &mut HashMap<usize, Arc<Table>>,
) -> PyResult<Arc<Table>> {
    let id = table.as_ptr() as usize;
    if let Some(found) = memo.get(&id) {
        return Ok(found.clone());
    }
    let mut out: Table = HashMap::new();
    for (typename, fields) in table.iter() {
        let mut compiled = Vec::new();
        for sf in fields.try_iter()? {
            compiled.push(compile_field(py, &sf?, memo)?);
        }
        out.insert(typename.extract()?, compiled);
    }
    let shared = Arc::new(out);
    memo.insert(id, shared.clone());
    Ok(shared)
}

fn compile_field(
    py: Python<'_>,
    sf: &Bound<'_, PyAny>,
    memo: &mut HashMap<usize, Arc<Table>>,
) -> PyResult<Field> {
    let key = sf.getattr("key")?.cast_into::<PyString>()?;
    let cond_obj = sf.getattr("cond")?;
    let cond = if cond_obj.is_none() {
        None
    } else {
        let mut conjunctions = Vec::new();
        for conj in cond_obj.try_iter()? {
            let mut terms = Vec::new();
            for term in conj?.try_iter()? {
                let term = term?;
                let name = term.get_item(0)?.cast_into::<PyString>()?.unbind();
                terms.push((name, term.get_item(1)?.extract::<bool>()?));
            }
            conjunctions.push(terms);
        }
        Some(conjunctions)
    };
    let kind = if sf.getattr("is_typename")?.is_truthy()? {
        Kind::Typename
    } else if sf.getattr("is_introspection")?.is_truthy()? {
        Kind::Introspection
    } else {
        Kind::Value
    };
    let sub_obj = sf.getattr("sub")?;
    let sub = if sub_obj.is_none() {
        None
    } else {
        Some(compile_table(py, sub_obj.cast::<PyDict>()?, memo)?)
    };
    let enum_obj = sf.getattr("enum_values")?;
    let enum_values = if enum_obj.is_none() {
        None
    } else {
        let mut set = HashSet::new();
        for v in enum_obj.try_iter()? {
            set.insert(v?.extract::<String>()?);
        }
        Some(set)
    };
    Ok(Field {
        key_text: key.to_str()?.to_owned(),
        key: key.unbind(),
        source: sf.getattr("source")?.cast_into::<PyString>()?.unbind(),
        wrappers: sf.getattr("wrappers")?.extract()?,
        named: sf.getattr("named")?.extract()?,
        cond,
        kind,
        sub,
        enum_values,
        static_type: sf.getattr("static_type")?.extract()?,
    })
}

enum PathItem<'a> {
    Key(&'a str),
    Index(usize),
}

enum Shaped<'py> {
    Value(Bound<'py, PyAny>),
    Bubble,
}

struct Run<'py, 'a> {
    py: Python<'py>,
    variables: &'a Bound<'py, PyDict>,
    object_types: &'a Bound<'py, PyFrozenSet>,
    errors: Vec<(String, Vec<PathItemOwned>)>,
    path: Vec<PathItem<'a>>,
}

enum PathItemOwned {
    Key(String),
    Index(usize),
}

fn type_description(wrappers: &[u8], named: &str) -> String {
    match wrappers.split_first() {
        None => named.to_owned(),
        Some((&NONNULL, rest)) => type_description(rest, named) + "!",
        Some((_, rest)) => format!("[{}]", type_description(rest, named)),
    }
}

impl<'py, 'a> Run<'py, 'a> {
    fn cond_holds(&self, cond: &[Vec<(Py<PyString>, bool)>]) -> Result<bool, Stop> {
        'conjunctions: for conj in cond {
            for (name, expected) in conj {
                let value = self.variables.get_item(name.bind(self.py))?;
                let truthy = match value {
                    None => false,
                    Some(v) => v.is_truthy()?,
                };
                if truthy != *expected {
                    continue 'conjunctions;
                }
            }
            return Ok(true);
        }
        Ok(false)
    }

    fn is_object_type(&self, typename: &Bound<'py, PyString>) -> Result<bool, Stop> {
        Ok(self.object_types.contains(typename)?)
    }

    fn where_(&self, parent: &str, wrappers: &[u8], named: &str) -> String {
        match self.path.last() {
            None => format!("field {parent}."),
            Some(PathItem::Key(k)) => format!("field {parent}.{k}"),
            Some(PathItem::Index(i)) => format!(
                "array element of type {} at index {i}",
                type_description(wrappers, named)
            ),
        }
    }

    fn error(&mut self, message: String) {
        let path = self
            .path
            .iter()
            .map(|p| match p {
                PathItem::Key(k) => PathItemOwned::Key((*k).to_owned()),
                PathItem::Index(i) => PathItemOwned::Index(*i),
            })
            .collect();
        self.errors.push((message, path));
    }

    fn shape_object(
        &mut self,
        obj: &Bound<'py, PyDict>,
        by_type: &'a Table,
        static_type: &str,
        parent: &str,
    ) -> Result<Shaped<'py>, Stop> {
        let py = self.py;
        // `obj.get("__typename") or static_type`: a string, else only a falsy value
        let typename: Bound<'py, PyString> = match obj.get_item("__typename")? {
            Some(v) if v.is_truthy()? => v.cast_into::<PyString>().map_err(|_| Stop::Fallback)?,
            _ => PyString::new(py, static_type),
        };
        let typename_text = typename.to_str()?.to_owned();
        let fields: &'a [Field] = match by_type.get(&typename_text) {
            Some(f) => f,
            None => {
                if !self.is_object_type(&typename)? {
                    let message = format!(
                        "Invalid __typename found for object at {}.",
                        self.where_(parent, &[], "")
                    );
                    self.error(message);
                    return Ok(Shaped::Bubble);
                }
                &[]
            }
        };
        let out = PyDict::new(py);
        for sf in fields {
            if let Some(cond) = &sf.cond {
                if !self.cond_holds(cond)? {
                    continue;
                }
            }
            let key = sf.key.bind(py);
            match sf.kind {
                Kind::Typename => {
                    if !self.is_object_type(&typename)? {
                        let message = format!(
                            "Invalid __typename found for object at {}.",
                            self.where_(parent, &[], "")
                        );
                        self.error(message);
                        return Ok(Shaped::Bubble);
                    }
                    if !out.contains(key)? {
                        out.set_item(key, &typename)?;
                    }
                    continue;
                }
                Kind::Introspection => {
                    let value = obj.get_item(sf.source.bind(py))?;
                    match value {
                        Some(v) => out.set_item(key, v)?,
                        None => out.set_item(key, py.None())?,
                    }
                    continue;
                }
                Kind::Value => {}
            }
            let value = match obj.get_item(sf.source.bind(py))? {
                Some(v) => v,
                None => py.None().into_bound(py),
            };
            let previous = out.get_item(key)?;
            self.path.push(PathItem::Key(&sf.key_text));
            let shaped = self.value(value, sf, 0, &typename_text, previous);
            self.path.pop();
            match shaped? {
                Shaped::Bubble => {
                    if sf.wrappers.first() == Some(&NONNULL) {
                        return Ok(Shaped::Bubble);
                    }
                    out.set_item(key, py.None())?;
                }
                Shaped::Value(v) => out.set_item(key, v)?,
            }
        }
        Ok(Shaped::Value(out.into_any()))
    }

    fn value(
        &mut self,
        value: Bound<'py, PyAny>,
        sf: &'a Field,
        depth: usize,
        parent: &str,
        previous: Option<Bound<'py, PyAny>>,
    ) -> Result<Shaped<'py>, Stop> {
        let py = self.py;
        let wrappers = &sf.wrappers;
        if depth < wrappers.len() {
            if wrappers[depth] == NONNULL {
                let result = self.value(value, sf, depth + 1, parent, previous)?;
                if let Shaped::Value(v) = &result {
                    if v.is_none() {
                        let message = format!(
                            "Cannot return null for non-nullable {}.",
                            self.where_(parent, &wrappers[depth + 1..], &sf.named)
                        );
                        self.error(message);
                        return Ok(Shaped::Bubble);
                    }
                }
                return Ok(result);
            }
            debug_assert_eq!(wrappers[depth], LIST);
            if value.is_none() {
                return Ok(Shaped::Value(value));
            }
            let list = match value.cast::<PyList>() {
                Ok(l) => l,
                Err(_) => {
                    let message =
                        format!("Invalid value found for {}.", self.where_(parent, &[], ""));
                    self.error(message);
                    return Ok(Shaped::Bubble);
                }
            };
            let inner_nonnull = depth + 1 < wrappers.len() && wrappers[depth + 1] == NONNULL;
            let items = PyList::empty(py);
            let mut nullify = false;
            for (index, item) in list.iter().enumerate() {
                self.path.push(PathItem::Index(index));
                let shaped = self.value(item, sf, depth + 1, parent, None);
                self.path.pop();
                match shaped? {
                    Shaped::Bubble => {
                        if inner_nonnull {
                            nullify = true;
                        }
                        items.append(py.None())?;
                    }
                    Shaped::Value(v) => items.append(v)?,
                }
            }
            return Ok(if nullify {
                Shaped::Bubble
            } else {
                Shaped::Value(items.into_any())
            });
        }
        if value.is_none() {
            return Ok(Shaped::Value(value));
        }
        if let Some(sub) = &sf.sub {
            let obj = match value.cast::<PyDict>() {
                Ok(o) => o,
                Err(_) => {
                    let message =
                        format!("Invalid value found for {}.", self.where_(parent, &[], ""));
                    self.error(message);
                    return Ok(Shaped::Bubble);
                }
            };
            let shaped = self.shape_object(obj, sub, &sf.static_type, parent)?;
            if let (Some(prev), Shaped::Value(new)) = (&previous, &shaped) {
                if let (Ok(prev_dict), Ok(new_dict)) = (prev.cast::<PyDict>(), new.cast::<PyDict>())
                {
                    prev_dict.update(new_dict.as_mapping())?;
                    return Ok(Shaped::Value(prev.clone()));
                }
            }
            return Ok(shaped);
        }
        if let Some(allowed) = &sf.enum_values {
            let known = match value.cast::<PyString>() {
                Ok(s) => allowed.contains(s.to_str()?),
                Err(_) if value.cast::<PyList>().is_ok() || value.cast::<PyDict>().is_ok() => {
                    return Err(Stop::Fallback); // unhashable: Python raises, not reproduced
                }
                Err(_) => false,
            };
            if !known {
                let message = format!("Invalid value found for {}.", self.where_(parent, &[], ""));
                self.error(message);
                return Ok(Shaped::Bubble);
            }
        }
        Ok(Shaped::Value(value))
    }
}

#[pymethods]
impl ShapePlan {
    /// `fields`: the planned operation's shaping tables (`{typename: (ShapeField, ...)}`).
    #[new]
    fn new(py: Python<'_>, fields: &Bound<'_, PyDict>) -> PyResult<Self> {
        let mut memo = HashMap::new();
        Ok(ShapePlan {
            root: compile_table(py, fields, &mut memo)?,
        })
    }

    /// (data or None, null-propagation errors), or None: shape on the Python path instead.
    fn shape_root<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyDict>,
        root: &str,
        variables: &Bound<'py, PyDict>,
        object_types: &Bound<'py, PyFrozenSet>,
    ) -> PyResult<Option<(Bound<'py, PyAny>, Bound<'py, PyList>)>> {
        let mut run = Run {
            py,
            variables,
            object_types,
            errors: Vec::new(),
            path: Vec::new(),
        };
        let shaped = match run.shape_object(data, &self.root, root, root) {
            Ok(s) => s,
            Err(Stop::Fallback) => return Ok(None),
            Err(Stop::Py(e)) => return Err(e),
        };
        let out = match shaped {
            Shaped::Bubble => py.None().into_bound(py),
            Shaped::Value(v) => v,
        };
        let errors = PyList::empty(py);
        for (message, path) in run.errors {
            let entry = PyDict::new(py);
            entry.set_item("message", message)?;
            let items = PyList::empty(py);
            for p in path {
                match p {
                    PathItemOwned::Key(k) => items.append(k)?,
                    PathItemOwned::Index(i) => items.append(i)?,
                }
            }
            entry.set_item("path", items)?;
            let extensions = PyDict::new(py);
            extensions.set_item("code", "INVALID_GRAPHQL")?;
            entry.set_item("extensions", extensions)?;
            errors.append(entry)?;
        }
        Ok(Some((out, errors)))
    }
}
