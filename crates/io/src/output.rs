//! Atomic, no-clobber output files.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use peergroup_data::InputError;

use crate::format::Format;
use crate::source::{MemoryTable, MEMORY_PREFIX};
use crate::sys::replace::replace;
use crate::write::{
    excel_limits, record_batches, write_table, write_table_blocks, write_table_owned,
    write_workbook, Table,
};

/// Tables a command wrote to `memory:<name>` outputs, kept until taken.
static CAPTURED: Mutex<Vec<(String, MemoryTable)>> = Mutex::new(Vec::new());

/// The table a committed command wrote to the output path `memory:<name>` (e.g.
/// `memory:out.parquet`), removed from the store: a front end in the same process takes
/// a result this way instead of reading a file back. The extension only has to name a
/// table format; nothing is encoded.
pub fn take_captured(name: &str) -> Option<MemoryTable> {
    let mut c = CAPTURED.lock().unwrap_or_else(PoisonError::into_inner);
    let i = c.iter().rposition(|(n, _)| n == name)?;
    Some(c.remove(i).1)
}

/// The name of an output path `memory:<name>`, if it is one.
fn memory_name(path: &Path) -> Option<&str> {
    path.to_str()?.strip_prefix(MEMORY_PREFIX)
}

/// A table as kept in memory.
fn memory_table(table: Table) -> MemoryTable {
    let (schema, batches) = record_batches(table);
    MemoryTable::new(schema, batches)
}

/// Why outputs could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// The user's request is at fault (existing file without `--force`, unknown extension).
    Usage(InputError),
    /// The file system refused (permissions, full disk).
    Io(String),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Usage(e) => e.fmt(f),
            OutputError::Io(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for OutputError {}

/// The set of files a command will write: checked before any work starts, staged as
/// temporary files next to their targets, and renamed into place by [`Outputs::commit`].
///
/// Rules, the same for every command: an existing file is replaced only with `--force`;
/// an input of the run (any file read through [`crate::check_input`]) is never replaced,
/// even with `--force`; a path under an existing file (`afile/out.csv`) is refused;
/// missing folders are created, and removed again when the command fails. Dropping an
/// uncommitted `Outputs` removes its temporary files and the folders it created, so a
/// failed run leaves nothing.
#[derive(Debug)]
pub struct Outputs {
    force: bool,
    planned: Vec<PathBuf>,
    staged: Vec<(PathBuf, PathBuf)>,
    /// Folders created for staged files, outermost first.
    created: Vec<PathBuf>,
    /// Tables written to `memory:<name>` paths, published by [`Outputs::commit`].
    memory: Vec<(String, MemoryTable)>,
    committed: bool,
}

impl Outputs {
    /// Outputs that may replace existing files only when `force` is set.
    pub fn new(force: bool) -> Outputs {
        Outputs {
            force,
            planned: Vec::new(),
            staged: Vec::new(),
            created: Vec::new(),
            memory: Vec::new(),
            committed: false,
        }
    }

    /// Declare an output path: fails if it exists (without force) or is named twice.
    pub fn plan(&mut self, path: &Path) -> Result<(), OutputError> {
        if self.planned.iter().any(|p| p == path) {
            return Err(OutputError::Usage(InputError::new(format!(
                "output '{}' is named twice",
                path.display()
            ))));
        }
        if memory_name(path).is_some() {
            self.planned.push(path.to_path_buf());
            return Ok(());
        }
        refuse_input(path)?;
        if let Some(file) = path.ancestors().skip(1).find(|a| a.is_file()) {
            return Err(OutputError::Usage(InputError::new(format!(
                "output '{}': '{}' is a file, expected a folder",
                path.display(),
                file.display()
            ))));
        }
        if path.exists() && !self.force {
            return Err(OutputError::Usage(InputError::new(format!(
                "output '{}' already exists: pass --force to overwrite it",
                path.display()
            ))));
        }
        if path.is_dir() {
            return Err(OutputError::Usage(InputError::new(format!(
                "output '{}' is a directory, expected a file name",
                path.display()
            ))));
        }
        self.planned.push(path.to_path_buf());
        Ok(())
    }

    /// Declare a table output, checking that its extension names a format.
    pub fn plan_table(&mut self, path: &Path) -> Result<Format, OutputError> {
        let f = Format::for_output(path).map_err(OutputError::Usage)?;
        self.plan(path)?;
        Ok(f)
    }

    /// The temporary file of `path`, creating its missing folders (recorded, so that a
    /// failed run removes them).
    fn temp_for(&mut self, path: &Path) -> Result<PathBuf, OutputError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let created = create_folders(&dir)?;
        self.created.extend(created);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(dir.join(format!(".{name}.tmp-{}", std::process::id())))
    }

    fn stage(
        &mut self,
        path: &Path,
        write: impl FnOnce(&Path) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        if !self.planned.iter().any(|p| p == path) {
            self.plan(path)?;
        }
        // Inputs may have been read after the outputs were planned.
        refuse_input(path)?;
        let tmp = self.temp_for(path)?;
        if let Err(e) = write(&tmp) {
            let _ = std::fs::remove_file(&tmp);
            return Err(OutputError::Io(format!(
                "cannot write '{}': {e}",
                path.display()
            )));
        }
        self.staged.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Declare a workbook output (several tables, one sheet each): its extension must
    /// be `.xlsx`.
    pub fn plan_workbook(&mut self, path: &Path) -> Result<(), OutputError> {
        Self::workbook_format(path)?;
        self.plan(path)
    }

    fn workbook_format(path: &Path) -> Result<(), OutputError> {
        match Format::for_output(path).map_err(OutputError::Usage)? {
            Format::Xlsx => Ok(()),
            _ => Err(OutputError::Usage(InputError::new(format!(
                "cannot write a workbook to '{}': expected a .xlsx extension",
                path.display()
            )))),
        }
    }

    /// The format of table output `path`, after checking that `table` fits it (an
    /// Excel sheet's rows and columns are limited).
    fn table_format(path: &Path, table: &Table) -> Result<Format, OutputError> {
        let format = Format::for_output(path).map_err(OutputError::Usage)?;
        if format == Format::Xlsx {
            excel_limits(table).map_err(|e| {
                OutputError::Usage(InputError::new(format!(
                    "cannot write '{}': {e}",
                    path.display()
                )))
            })?;
        }
        Ok(format)
    }

    /// Stage a table (CSV, Parquet or `.xlsx` by extension: see [`Format`]).
    pub fn write_table(&mut self, path: &Path, table: &Table) -> Result<(), OutputError> {
        if let Some(name) = memory_name(path) {
            self.memory
                .push((name.to_string(), memory_table(table.clone())));
            return Ok(());
        }
        let format = Self::table_format(path, table)?;
        self.stage(path, |tmp| write_table(tmp, format, table))
    }

    /// Stage a table that is not needed afterwards (Parquet avoids copying its columns).
    pub fn write_table_owned(&mut self, path: &Path, table: Table) -> Result<(), OutputError> {
        if let Some(name) = memory_name(path) {
            self.memory.push((name.to_string(), memory_table(table)));
            return Ok(());
        }
        let format = Self::table_format(path, &table)?;
        self.stage(path, |tmp| write_table_owned(tmp, format, table))
    }

    /// Stage a `.xlsx` workbook with one sheet per `(name, table)`, in order (sheet names
    /// made valid for Excel: see [`crate::sheet_names`]).
    pub fn write_workbook(
        &mut self,
        path: &Path,
        sheets: &[(&str, &Table)],
    ) -> Result<(), OutputError> {
        Self::workbook_format(path)?;
        for (name, table) in sheets {
            excel_limits(table).map_err(|e| {
                OutputError::Usage(InputError::new(format!(
                    "cannot write sheet '{name}' of '{}': {e}",
                    path.display()
                )))
            })?;
        }
        self.stage(path, |tmp| write_workbook(tmp, sheets))
    }

    /// Stage a table given as consecutive blocks of rows (see [`write_table_blocks`]):
    /// blocks are produced while earlier ones are written, so the table is never whole.
    pub fn write_table_blocks<I>(&mut self, path: &Path, blocks: I) -> Result<(), OutputError>
    where
        I: Iterator<Item = Table> + Send,
    {
        if let Some(name) = memory_name(path) {
            let mut schema = None;
            let mut batches = Vec::new();
            for block in blocks {
                let (s, b) = record_batches(block);
                schema.get_or_insert(s);
                batches.extend(b);
            }
            let schema =
                schema.unwrap_or_else(|| std::sync::Arc::new(arrow_schema::Schema::empty()));
            self.memory
                .push((name.to_string(), MemoryTable::new(schema, batches)));
            return Ok(());
        }
        let format = Format::for_output(path).map_err(OutputError::Usage)?;
        self.stage(path, |tmp| write_table_blocks(tmp, format, blocks))
    }

    /// Stage raw bytes (SVG, HTML, JSON).
    pub fn write_bytes(&mut self, path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
        if memory_name(path).is_some() {
            return Err(OutputError::Usage(InputError::new(format!(
                "output '{}': only tables can be kept in memory",
                path.display()
            ))));
        }
        self.stage(path, |tmp| std::fs::write(tmp, bytes))
    }

    /// Rename every staged file into place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        for (_, dst) in &self.staged {
            refuse_input(dst)?;
        }
        self.committed = true;
        let staged = std::mem::take(&mut self.staged);
        for (i, (tmp, dst)) in staged.iter().enumerate() {
            if let Err(e) = replace(tmp, dst) {
                for (t, _) in &staged[i..] {
                    let _ = std::fs::remove_file(t);
                }
                return Err(OutputError::Io(format!(
                    "cannot move output into '{}': {e}",
                    dst.display()
                )));
            }
        }
        CAPTURED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&mut self.memory);
        Ok(())
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        for (tmp, _) in &self.staged {
            let _ = std::fs::remove_file(tmp);
        }
        if !self.committed {
            remove_folders(&self.created);
        }
    }
}

/// Creates folder `dir` and its missing parents; returns the folders it created,
/// outermost first, for [`remove_folders`] when the command fails. A file where a folder
/// should be is a usage error naming it.
pub fn create_folders(dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    if let Some(file) = dir.ancestors().find(|a| a.is_file()) {
        return Err(OutputError::Usage(InputError::new(format!(
            "'{}' is a file, expected a folder",
            file.display()
        ))));
    }
    let mut missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    std::fs::create_dir_all(dir).map_err(|e| {
        OutputError::Io(format!("cannot create directory '{}': {e}", dir.display()))
    })?;
    Ok(missing)
}

/// Removes the folders [`create_folders`] created, innermost first, after a failure: a
/// folder that something else has written into stays.
pub fn remove_folders(created: &[PathBuf]) {
    for dir in created.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

/// An error when `path` is an input of this run: inputs are never overwritten.
fn refuse_input(path: &Path) -> Result<(), OutputError> {
    if crate::input_file::is_input(path) {
        return Err(OutputError::Usage(InputError::new(format!(
            "output '{}' is an input of this run: inputs are never overwritten, even with --force; choose another file",
            path.display()
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_leaves_no_folder_and_a_committed_one_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b/out.csv");
        let mut outputs = Outputs::new(false);
        outputs.write_bytes(&out, b"x\n").unwrap();
        assert!(dir.path().join("a/b").is_dir());
        drop(outputs);
        assert!(!dir.path().join("a").exists());
        let mut outputs = Outputs::new(false);
        outputs.write_bytes(&out, b"x\n").unwrap();
        outputs.commit().unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"x\n");
    }

    #[test]
    fn paths_under_a_file_and_inputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("afile");
        std::fs::write(&file, "x").unwrap();
        let e = Outputs::new(true).plan(&file.join("out.csv")).unwrap_err();
        assert!(
            e.to_string().contains("is a file, expected a folder"),
            "{e}"
        );
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "a\n1\n").unwrap();
        crate::check_input(&input).unwrap();
        let e = Outputs::new(true).plan(&input).unwrap_err();
        assert!(e.to_string().contains("is an input of this run"), "{e}");
    }
}
