//! The six mclust covariance models and their parameter counts.

/// mclust covariance parameterisation (volume / shape / orientation equal or varying).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CovModel {
    /// Spherical, equal volume: `Σ_c = λ I`.
    EII,
    /// Spherical, varying volume: `Σ_c = λ_c I` (scikit-learn `spherical`).
    VII,
    /// Diagonal, shared by all components: `Σ_c = diag(a)`.
    EEI,
    /// Diagonal, varying: `Σ_c = diag(a_c)` (scikit-learn `diag`).
    VVI,
    /// Full, shared by all components: `Σ_c = Σ` (scikit-learn `tied`).
    EEE,
    /// Full, varying: `Σ_c` unconstrained (scikit-learn `full`).
    VVV,
}

/// How a model's covariances are stored and inverted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Spherical,
    Diagonal,
    Full,
}

impl Shape {
    /// Values stored per component: a d × d matrix (full) or a diagonal.
    pub(super) fn per_component(self, d: usize) -> usize {
        if self == Shape::Full {
            d * d
        } else {
            d
        }
    }
}

impl CovModel {
    /// All six models, in mclust's order of increasing flexibility.
    pub const ALL: [CovModel; 6] = [
        CovModel::EII,
        CovModel::VII,
        CovModel::EEI,
        CovModel::VVI,
        CovModel::EEE,
        CovModel::VVV,
    ];

    /// The mclust name, e.g. `"VVV"`.
    pub fn name(self) -> &'static str {
        match self {
            CovModel::EII => "EII",
            CovModel::VII => "VII",
            CovModel::EEI => "EEI",
            CovModel::VVI => "VVI",
            CovModel::EEE => "EEE",
            CovModel::VVV => "VVV",
        }
    }

    /// The model with mclust name `name` (case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<CovModel> {
        CovModel::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Number of free covariance parameters for `k` components in `d` dimensions.
    pub fn covariance_params(self, k: usize, d: usize) -> usize {
        match self {
            CovModel::EII => 1,
            CovModel::VII => k,
            CovModel::EEI => d,
            CovModel::VVI => k * d,
            CovModel::EEE => d * (d + 1) / 2,
            CovModel::VVV => k * d * (d + 1) / 2,
        }
    }

    /// Number of free parameters of the mixture: means, `k − 1` weights and covariances.
    pub fn params(self, k: usize, d: usize) -> usize {
        k * d + k.saturating_sub(1) + self.covariance_params(k, d)
    }

    pub(super) fn shape(self) -> Shape {
        match self {
            CovModel::EII | CovModel::VII => Shape::Spherical,
            CovModel::EEI | CovModel::VVI => Shape::Diagonal,
            CovModel::EEE | CovModel::VVV => Shape::Full,
        }
    }

    pub(super) fn shared(self) -> bool {
        matches!(self, CovModel::EII | CovModel::EEI | CovModel::EEE)
    }
}

impl std::fmt::Display for CovModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
