//! The representations of one `_entities` fetch, as `Executor._entity_fetch` builds them
//! when the fetch has no `@fromContext` values: the objects at the fetch's path, each one's
//! representation (key and `@requires` fields copied by the planner's selections),
//! deduplicated by their JSON bytes, with the objects each one feeds.

use std::collections::{HashMap, HashSet};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

enum Sel {
    Field {
        name: Py<PyString>,
        source: Py<PyString>,
        sub: Option<Vec<Sel>>,
    },
    Fragment {
        types: HashSet<String>,
        sels: Vec<Sel>,
    },
}

struct Input {
    rep_type: Py<PyString>,
    keep_typename: bool,
    sels: Vec<Sel>,
}

/// Why a walk stopped: data the Python path treats differently (`Fallback`), or an error
/// raised by Python code it called (the JSON encoder), passed on as the Python path would.
pub enum Stop {
    Fallback,
    Py(PyErr),
}

impl From<PyErr> for Stop {
    fn from(err: PyErr) -> Self {
        Stop::Py(err)
    }
}

/// One fetch's entity inputs compiled from the planner's `EntityInput`s.
#[pyclass(frozen)]
pub struct EntityPlan {
    inputs: Vec<Input>,
    by_type: HashMap<String, usize>,
    dumps: Py<PyAny>,
}

fn compile_sels(list: &Bound<'_, PyAny>) -> PyResult<Vec<Sel>> {
    let mut out = Vec::new();
    for item in list.try_iter()? {
        let item = item?;
        let t = item.cast::<PyTuple>()?;
        let kind: String = t.get_item(0)?.extract()?;
        if kind == "f" {
            let sub = t.get_item(3)?;
            out.push(Sel::Field {
                name: t.get_item(1)?.cast::<PyString>()?.clone().unbind(),
                source: t.get_item(2)?.cast::<PyString>()?.clone().unbind(),
                sub: if sub.is_none() {
                    None
                } else {
                    Some(compile_sels(&sub)?)
                },
            });
        } else {
            let mut types = HashSet::new();
            for name in t.get_item(1)?.try_iter()? {
                types.insert(name?.extract::<String>()?);
            }
            out.push(Sel::Fragment {
                types,
                sels: compile_sels(&t.get_item(2)?)?,
            });
        }
    }
    Ok(out)
}

/// The `__typename` of an object as a string; `Ok(None)` when missing or null, `Fallback`
/// when it is something else (Python would compare or hash it: not reproduced here).
fn typename_of<'py>(obj: &Bound<'py, PyDict>) -> Result<Option<Bound<'py, PyString>>, Stop> {
    match obj.get_item("__typename")? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => match v.cast_into::<PyString>() {
            Ok(s) => Ok(Some(s)),
            Err(_) => Err(Stop::Fallback),
        },
    }
}

fn applies(types: &HashSet<String>, typename: &Option<Bound<'_, PyString>>) -> Result<bool, Stop> {
    match typename {
        None => Ok(false),
        Some(s) => Ok(types.contains(s.to_str()?)),
    }
}

impl EntityPlan {
    fn collect<'py>(
        &self,
        data: &Bound<'py, PyDict>,
        path: &Bound<'py, PyTuple>,
    ) -> Result<Vec<Bound<'py, PyDict>>, Stop> {
        let mut current: Vec<Bound<'py, PyAny>> = vec![data.clone().into_any()];
        for segment in path.iter() {
            let segment = segment
                .cast_into::<PyString>()
                .map_err(|_| Stop::Fallback)?;
            let text = segment.to_str()?;
            let mut following: Vec<Bound<'py, PyAny>> = Vec::new();
            if let Some(member) = text.strip_prefix('|') {
                for value in current {
                    if let Ok(obj) = value.cast::<PyDict>() {
                        if let Some(t) = obj.get_item("__typename")? {
                            if let Ok(s) = t.cast::<PyString>() {
                                if s.to_str()? == member {
                                    following.push(value);
                                }
                            }
                        }
                    }
                }
            } else if text == "@" {
                for value in current {
                    if let Ok(list) = value.cast::<PyList>() {
                        for item in list.iter() {
                            if !item.is_none() {
                                following.push(item);
                            }
                        }
                    }
                }
            } else {
                for value in current {
                    if let Ok(obj) = value.cast::<PyDict>() {
                        if let Some(v) = obj.get_item(&segment)? {
                            if !v.is_none() {
                                following.push(v);
                            }
                        }
                    }
                }
            }
            current = following;
        }
        Ok(current
            .into_iter()
            .filter_map(|v| v.cast_into::<PyDict>().ok())
            .collect())
    }

    fn input_for(&self, typename: &Option<Bound<'_, PyString>>) -> Result<Option<&Input>, Stop> {
        match typename {
            None => Ok(None),
            Some(s) => Ok(self.by_type.get(s.to_str()?).map(|&i| &self.inputs[i])),
        }
    }

    /// `Executor._representation`: None when a field it needs is missing. `nested`: inside a
    /// type condition, where Python builds a separate object and drops its `__typename`.
    fn fill<'py>(
        &self,
        py: Python<'py>,
        rep: &Bound<'py, PyDict>,
        obj: &Bound<'py, PyDict>,
        sels: &[Sel],
        typename: &Option<Bound<'py, PyString>>,
        nested: bool,
    ) -> Result<bool, Stop> {
        for sel in sels {
            match sel {
                Sel::Field { name, source, sub } => {
                    let value = match obj.get_item(source.bind(py))? {
                        None => return Ok(false),
                        Some(v) => v,
                    };
                    let name = name.bind(py);
                    let copied = copy_value(py, value, sub)?;
                    if nested && name.to_str()? == "__typename" {
                        continue;
                    }
                    rep.set_item(name, copied)?;
                }
                Sel::Fragment { types, sels } => {
                    if applies(types, typename)?
                        && !self.fill(py, rep, obj, sels, typename, true)?
                    {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }
}

/// `Executor._copy`: the value as it is, or its copy through the selection.
fn copy_value<'py>(
    py: Python<'py>,
    value: Bound<'py, PyAny>,
    sub: &Option<Vec<Sel>>,
) -> Result<Bound<'py, PyAny>, Stop> {
    let sels = match sub {
        None => return Ok(value),
        Some(s) => s,
    };
    if value.is_none() {
        return Ok(value);
    }
    if let Ok(list) = value.cast::<PyList>() {
        let out = PyList::empty(py);
        for item in list.iter() {
            out.append(copy_value(py, item, sub)?)?;
        }
        return Ok(out.into_any());
    }
    match value.cast::<PyDict>() {
        Err(_) => Ok(value),
        Ok(obj) => {
            let out = PyDict::new(py);
            copy_object(py, &out, obj, sels)?;
            Ok(out.into_any())
        }
    }
}

fn copy_object<'py>(
    py: Python<'py>,
    out: &Bound<'py, PyDict>,
    value: &Bound<'py, PyDict>,
    sels: &[Sel],
) -> Result<(), Stop> {
    for sel in sels {
        match sel {
            Sel::Field { name, source, sub } => {
                if let Some(v) = value.get_item(source.bind(py))? {
                    out.set_item(name.bind(py), copy_value(py, v, sub)?)?;
                }
            }
            Sel::Fragment { types, sels } => {
                if applies(types, &typename_of(value)?)? {
                    copy_object(py, out, value, sels)?;
                }
            }
        }
    }
    Ok(())
}

#[pymethods]
impl EntityPlan {
    /// `inputs`: (representation type, keep the object's own `__typename`, selections) per
    /// input; `by_type`: the input index for each `__typename` (what `_input_for` finds);
    /// `dumps`: the JSON encoder whose bytes key the deduplication (orjson.dumps).
    #[new]
    fn new(
        inputs: &Bound<'_, PyList>,
        by_type: &Bound<'_, PyDict>,
        dumps: Py<PyAny>,
    ) -> PyResult<Self> {
        let mut compiled = Vec::new();
        for item in inputs.iter() {
            let t = item.cast::<PyTuple>()?;
            compiled.push(Input {
                rep_type: t.get_item(0)?.cast::<PyString>()?.clone().unbind(),
                keep_typename: t.get_item(1)?.extract()?,
                sels: compile_sels(&t.get_item(2)?)?,
            });
        }
        let mut map = HashMap::new();
        for (k, v) in by_type.iter() {
            map.insert(k.extract::<String>()?, v.extract::<usize>()?);
        }
        Ok(EntityPlan {
            inputs: compiled,
            by_type: map,
            dumps,
        })
    }

    /// (representations, the objects each feeds, keep-typename flags, index by JSON bytes)
    /// for the objects at `path` in `data`, or None: run the Python path instead.
    fn batch<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyDict>,
        path: &Bound<'py, PyTuple>,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        match self.run(py, data, path) {
            Ok(t) => Ok(Some(t)),
            Err(Stop::Fallback) => Ok(None),
            Err(Stop::Py(e)) => Err(e),
        }
    }
}

impl EntityPlan {
    fn run<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyDict>,
        path: &Bound<'py, PyTuple>,
    ) -> Result<Bound<'py, PyTuple>, Stop> {
        let found = self.collect(data, path)?;
        let reps = PyList::empty(py);
        let targets = PyList::empty(py);
        let keep = PyList::empty(py);
        let index = PyDict::new(py);
        let dumps = self.dumps.bind(py);
        let mut target_lists: Vec<Bound<'py, PyList>> = Vec::new();
        for obj in found {
            let typename = typename_of(&obj)?;
            let input = match self.input_for(&typename)? {
                None => continue,
                Some(i) => i,
            };
            let rep = PyDict::new(py);
            rep.set_item("__typename", input.rep_type.bind(py))?;
            if !self.fill(py, &rep, &obj, &input.sels, &typename, false)? {
                continue;
            }
            let key = dumps.call1((&rep,))?;
            match index.get_item(&key)? {
                Some(position) => {
                    let position: usize = position.extract()?;
                    target_lists[position].append(&obj)?;
                }
                None => {
                    index.set_item(&key, target_lists.len())?;
                    reps.append(&rep)?;
                    let objects = PyList::new(py, [&obj])?;
                    targets.append(&objects)?;
                    target_lists.push(objects);
                    keep.append(input.keep_typename)?;
                }
            }
        }
        Ok(PyTuple::new(
            py,
            [
                reps.into_any(),
                targets.into_any(),
                keep.into_any(),
                index.into_any(),
            ],
        )?)
    }
}
