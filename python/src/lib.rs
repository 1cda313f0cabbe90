//! The native half of the `peergroup` Python package.
//!
//! One function, [`run`]: a `peergroup` command given as its arguments, run in this
//! process on tables handed over from Python through the Arrow C data interface
//! (`__arrow_c_stream__`: pyarrow tables, Polars and pandas DataFrames), registered in
//! memory for the command's readers (`--returns memory:returns`). The Python half builds
//! the arguments from keyword arguments and reads the command's outputs back as
//! DataFrames; every check, message and formula is the command line's own.
//!
//! The command runs on a worker thread with the GIL released; the calling thread waits
//! for it, checking for Ctrl-C every 50 ms, and calls the progress callback (with the GIL)
//! as each step begins.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use peergroup::cli::{self, CommandError};
use peergroup::data::Position;
use peergroup::io::{register_memory, take_captured, MemoryTable};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pyo3::create_exception!(
    peergroup,
    InputError,
    PyValueError,
    "Bad input or arguments: the message names the table (file or DataFrame argument), \
     row and column; the attributes `table`, `row`, `column` and `expected` hold them \
     (None when not known)."
);

/// Whether a command is running: commands run one at a time (the step observer and the
/// thread pool are global), including one left running by a Ctrl-C.
static BUSY: AtomicBool = AtomicBool::new(false);

/// A table from Python: every record batch of its Arrow stream (no copy of the buffers).
fn memory_table(name: &str, value: &Bound<'_, PyAny>) -> PyResult<MemoryTable> {
    let reader = RecordBatchStreamReader::from_pyarrow_bound(value).map_err(|e| {
        InputError::new_err(format!(
            "{name}: expected a pandas or Polars DataFrame or a pyarrow Table ({e})"
        ))
    })?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    let batches = reader
        .collect::<Result<Vec<RecordBatch>, _>>()
        .map_err(|e| InputError::new_err(format!("{name}: cannot read the table: {e}")))?;
    Ok(MemoryTable::new(schema, batches))
}

/// The Python exception of a command's failure.
fn to_py(py: Python<'_>, e: CommandError) -> PyErr {
    match e {
        CommandError::System(s) => PyOSError::new_err(s),
        CommandError::Input(e) => {
            let err = InputError::new_err(e.to_string());
            let value = err.value(py);
            let row = e.position.map(|p| match p {
                Position::Line(n) | Position::Row(n) => n,
            });
            let table = e
                .file
                .as_deref()
                .map(|f| f.strip_prefix("memory:").unwrap_or(f).to_string());
            // Setting attributes on a fresh exception object cannot fail in practice; if
            // it did, the message still says everything.
            let _ = value.setattr("table", table);
            let _ = value.setattr("row", row);
            let _ = value.setattr("column", e.column.clone());
            let _ = value.setattr("expected", e.message.clone());
            err
        }
    }
}

/// Run the `peergroup` command `args` (without the program name). `tables` maps a name to
/// a table (anything with `__arrow_c_stream__`); the command reads it at `memory:<name>`.
/// `capture` names outputs the command writes to `memory:<name>` paths; they come back as
/// a dict of name → (pyarrow schema, list of record batches), without a file and without
/// a copy of their columns. `progress`, when given, is called with each step's name
/// ("reading", "estimating exposures", ...) as it begins.
///
/// Raises `InputError` (a `ValueError`) for bad input or arguments, `OSError` when the
/// system fails (a full disk), `KeyboardInterrupt` on Ctrl-C (the command then finishes
/// in the background and its outputs are discarded by the caller).
#[pyfunction]
#[pyo3(signature = (args, tables, capture=Vec::new(), progress=None))]
fn run<'py>(
    py: Python<'py>,
    args: Vec<String>,
    tables: &Bound<'py, PyDict>,
    capture: Vec<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut registered = Vec::new();
    for (k, v) in tables.iter() {
        let name: String = k.extract()?;
        let table = memory_table(&name, &v)?;
        registered.push(register_memory(&name, table));
    }
    while BUSY
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        py.detach(|| std::thread::sleep(Duration::from_millis(20)));
        py.check_signals()?;
    }
    let (steps_tx, steps_rx) = mpsc::channel::<String>();
    let steps_tx = Mutex::new(steps_tx);
    cli::observe_steps(Some(Arc::new(move |step: &str| {
        let tx = steps_tx.lock().unwrap_or_else(PoisonError::into_inner);
        // The receiver may be gone after Ctrl-C: nobody listens any more.
        let _ = tx.send(step.to_string());
    })));
    let (done_tx, done_rx) = mpsc::channel();
    // Behind a mutex so that the wait can leave the GIL (a receiver alone is not Sync).
    let done_rx = Mutex::new(done_rx);
    std::thread::spawn(move || {
        let result = cli::run_args(&args);
        // The tables stay registered until the command is done with them.
        drop(registered);
        BUSY.store(false, Ordering::Release);
        let _ = done_tx.send(result);
    });
    let result = loop {
        let waited = py.detach(|| {
            done_rx
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .recv_timeout(Duration::from_millis(50))
        });
        for step in steps_rx.try_iter() {
            if let Some(cb) = &progress {
                cb.call1(py, (step,))?;
            }
        }
        match waited {
            Ok(result) => break result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    cli::observe_steps(None);
                    return Err(interrupt);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                cli::observe_steps(None);
                return Err(PyOSError::new_err(
                    "the command's thread ended without a result",
                ));
            }
        }
    };
    cli::observe_steps(None);
    result.map_err(|e| to_py(py, e))?;
    let out = PyDict::new(py);
    for name in capture {
        if let Some(t) = take_captured(&name) {
            let schema = t.schema().as_ref().to_pyarrow(py)?;
            let batches = t.batches().to_vec().to_pyarrow(py)?;
            out.set_item(name, (schema, batches))?;
        }
    }
    Ok(out)
}

/// Every command with its arguments as JSON (see `peergroup::cli::describe`): the Python
/// half builds its functions, signatures and docstrings from it.
#[pyfunction]
fn commands() -> String {
    cli::describe()
}

/// The engine's version (the Rust crates').
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The module `peergroup._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(commands, m)?)?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    Ok(())
}
