//! `manifest.json`: what each stage of a run read, with which settings, how long it took
//! and whether it was reused; and the content hashes that decide reuse.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use peergroup_data::InputError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest of a study run folder.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The peergroup version that wrote it.
    pub version: String,
    /// The study file, as given on the command line.
    pub study: String,
    /// Seconds the whole run took.
    pub seconds: f64,
    /// One record per stage run, in run order.
    pub stages: Vec<StageRecord>,
}

/// One stage of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    /// Stage name, also its folder in the run (`style`, `segment-sales`, …).
    pub stage: String,
    /// SHA-256 of everything the stage's results depend on: version, settings, inputs.
    pub key: String,
    /// Each input's SHA-256: files by content (and how they are read), upstream stages by
    /// their key.
    pub inputs: BTreeMap<String, String>,
    /// The stage's settings as the study gave them, defaults filled in.
    pub settings: serde_json::Value,
    /// The peergroup version that computed the results.
    pub version: String,
    /// Wall-clock seconds the stage took in this run (0 when reused).
    pub seconds: f64,
    /// The results were kept from an earlier run: inputs and settings unchanged.
    pub reused: bool,
    /// The stage's files, relative to its folder.
    pub outputs: Vec<String>,
    /// Rows of each table among them.
    #[serde(default)]
    pub tables: BTreeMap<String, usize>,
}

impl Manifest {
    /// The manifest of `dir`, or `None` when there is none or it cannot be read (the run
    /// then recomputes every stage).
    pub fn load(dir: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The record of `stage`, if it ran.
    pub fn stage(&self, stage: &str) -> Option<&StageRecord> {
        self.stages.iter().find(|s| s.stage == stage)
    }
}

/// The manifest's file name in a run folder.
pub const FILE: &str = "manifest.json";

/// The lowercase hex SHA-256 of a file's bytes, read in 1 MiB blocks.
/// The file passes the readers' checks first ([`peergroup_io::open_input`]); a read error
/// is a system failure.
pub fn hash_file(path: &Path) -> Result<String, InputError> {
    let (mut file, _) = peergroup_io::open_input(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| InputError::system(format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The key of a stage: the hash of its name, the version, its settings and its inputs'
/// hashes. Settings are hashed through their JSON form, whose object keys serde_json
/// keeps sorted, so equal settings give equal keys.
pub fn stage_key(
    stage: &str,
    version: &str,
    settings: &serde_json::Value,
    inputs: &BTreeMap<String, String>,
) -> String {
    let doc = serde_json::json!({
        "stage": stage,
        "version": version,
        "settings": settings,
        "inputs": inputs,
    });
    hash_bytes(doc.to_string().as_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_text() {
        // FIPS 180-2 test vector.
        assert_eq!(
            hash_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn key_changes_with_any_part() {
        let s = serde_json::json!({"window": 104, "step": 1});
        let mut inputs = BTreeMap::new();
        inputs.insert("returns".to_string(), "aa".to_string());
        let k = stage_key("style", "0.1.0", &s, &inputs);
        assert_eq!(k, stage_key("style", "0.1.0", &s, &inputs));
        // Key order in the settings does not matter.
        let s2 = serde_json::json!({"step": 1, "window": 104});
        assert_eq!(k, stage_key("style", "0.1.0", &s2, &inputs));
        assert_ne!(k, stage_key("style", "0.1.1", &s, &inputs));
        assert_ne!(
            k,
            stage_key(
                "style",
                "0.1.0",
                &serde_json::json!({"window": 52, "step": 1}),
                &inputs
            )
        );
        inputs.insert("returns".to_string(), "ab".to_string());
        assert_ne!(k, stage_key("style", "0.1.0", &s, &inputs));
    }
}
