//! `deep_merge` of `execution/executor.py`: a subgraph answer merged into the tree in place.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Merge `source` into `target` (objects recursively, lists element-wise); with
/// `keep_typename`, a `__typename` the target already has stays.
#[pyfunction]
#[pyo3(signature = (target, source, keep_typename = false))]
pub fn deep_merge(
    target: &Bound<'_, PyDict>,
    source: &Bound<'_, PyDict>,
    keep_typename: bool,
) -> PyResult<()> {
    merge_dicts(target, source, keep_typename)
}

fn merge_dicts(target: &Bound<'_, PyDict>, source: &Bound<'_, PyDict>, keep: bool) -> PyResult<()> {
    for (key, value) in source.iter() {
        let existing = match target.get_item(&key)? {
            None => {
                target.set_item(&key, &value)?;
                continue;
            }
            Some(existing) => existing,
        };
        if keep && key.eq("__typename")? {
            continue;
        }
        if let (Ok(into), Ok(from)) = (existing.cast::<PyDict>(), value.cast::<PyDict>()) {
            merge_dicts(into, from, false)?;
        } else if let (Ok(into), Ok(from)) = (existing.cast::<PyList>(), value.cast::<PyList>()) {
            merge_lists(into, from)?;
        } else {
            target.set_item(&key, &value)?;
        }
    }
    Ok(())
}

fn merge_lists(target: &Bound<'_, PyList>, source: &Bound<'_, PyList>) -> PyResult<()> {
    let n = source.len().min(target.len());
    for i in 0..n {
        let existing = target.get_item(i)?;
        let value = source.get_item(i)?;
        if let (Ok(into), Ok(from)) = (existing.cast::<PyDict>(), value.cast::<PyDict>()) {
            merge_dicts(into, from, false)?;
        } else if let (Ok(into), Ok(from)) = (existing.cast::<PyList>(), value.cast::<PyList>()) {
            merge_lists(into, from)?;
        }
    }
    Ok(())
}
