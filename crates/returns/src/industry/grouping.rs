//! Which classes make up each output id: every class alone, or grouped by a label.

use peergroup_data::IndustryTable;

/// Which classes form each output id.
#[derive(Clone, Debug)]
pub struct Grouping {
    /// Output id names.
    pub names: Vec<String>,
    /// Member class indices of each output id.
    pub members: Vec<Vec<usize>>,
}

impl Grouping {
    /// Every class on its own.
    pub fn by_class(table: &IndustryTable) -> Grouping {
        Grouping {
            names: table.classes().to_vec(),
            members: (0..table.n_classes()).map(|c| vec![c]).collect(),
        }
    }

    /// Group classes by a label per class (fund or manager), ids in order of first label.
    pub fn by_label(labels: &[&str]) -> Grouping {
        let mut names: Vec<String> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (c, l) in labels.iter().enumerate() {
            let g = *index.entry(*l).or_insert_with(|| {
                names.push(l.to_string());
                members.push(Vec::new());
                names.len() - 1
            });
            members[g].push(c);
        }
        Grouping { names, members }
    }
}
