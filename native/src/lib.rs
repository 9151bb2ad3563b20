//! The gateway's compiled data path, called from `supergraph/runtime/native/`.
//!
//! Three walks over the merged subgraph data move here from the interpreter, each with the
//! Python implementation as its reference: response shaping with null propagation
//! (`shaping.rs`, as `execution/shaping.py`), the representations of one `_entities` fetch
//! (`entities.rs`, as `Executor._entity_fetch`), and the merge of subgraph answers into the
//! tree (`merge.rs`, as `deep_merge`). Where a walk meets data the Python code would treat
//! in a way not reproduced here (a `__typename` that is not a string, say), it answers
//! `None` and the caller runs the Python path for that call instead.

use pyo3::prelude::*;

mod entities;
mod merge;
mod shaping;

#[pymodule]
fn pos_gateway_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(merge::deep_merge, m)?)?;
    m.add_class::<entities::EntityPlan>()?;
    m.add_class::<shaping::ShapePlan>()?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
