//! The `peergroup` command line as a library function: parsed and run in-process by the
//! `peergroup` binary and by the Python package (which hands its DataFrames over as
//! tables in memory, see [`crate::io::MemoryTable`]).

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands;
pub use crate::commands::{observe_steps, CommandError, CommandResult, StepObserver};

#[derive(Parser)]
#[command(
    name = "peergroup",
    version,
    about = "Fund peer groups, returns and rankings from the tables fund analysts already have",
    long_about = "peergroup reads fund data (CSV, Parquet or Excel/OpenDocument spreadsheets, chosen by extension) and writes tables (CSV, Parquet or .xlsx), SVG charts and an HTML report.\n\n\
Exit codes: 0 success, 1 system failure (an input that cannot be read, too little memory, a full disk), 2 bad input or arguments (the message names file, line or row, and column). \
Inputs must be regular files (a FIFO, device or folder is refused) no larger than the memory available. \
Outputs are written atomically, never replace an existing file without --force and never replace an input even with --force; \
missing output folders are created, and removed again if the command fails. --threads is capped at 4 × the cores.\n\n\
Start with `peergroup demo`, which runs every stage on bundled data and writes a report; then `peergroup init my-study` and `peergroup run my-study/study.toml` for an analysis of your own."
)]
struct Cli {
    /// Worker threads (default: all cores; at most 4 × the cores).
    #[arg(long, global = true, value_name = "N", help_heading = "Global options",
          value_parser = parse_threads)]
    threads: Option<u64>,
    /// Print the time each step takes.
    #[arg(long, short, global = true, help_heading = "Global options")]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write an example study (study.toml, commented, and small inputs) that runs as it is.
    #[command(
        long_about = "Write an example study into DIR: DIR/study.toml, with a comment on every key, and small synthetic inputs under DIR/data/ \
(industry daily data, weekly fund and factor returns, daily returns for ratings, sales, app users). It runs as it is:\n\n  \
peergroup init my-study\n  peergroup run my-study/study.toml\n\n\
Edit it to point at your own files: every stage's settings have the names of its command's flags."
    )]
    Init(commands::study::InitArgs),
    /// Run every stage a study file configures, in dependency order, into one folder with an HTML report.
    #[command(
        long_about = "Run the study STUDY.toml: every stage it configures ([industry], [periods], [rank], [style], [similarity], [cluster], [peers], [rate], \
[segment.sales], [segment.investors]) in dependency order, into a folder (default: results/ next to the study file) with a folder per stage, \
manifest.json and index.html.\n\n\
Settings have the names of the command-line flags; inputs are named under [inputs.<stage>] by the flags that read them. \
Unknown keys, wrong types and missing files are errors naming the key and its line; nothing is written then.\n\n\
Re-running into the same folder reuses every stage whose inputs (file contents and how they are read) and settings are unchanged, \
recomputes the stages downstream of a change, and says which it reused; manifest.json records each stage's input hashes, settings, \
version, time and \"reused\": true|false.\n\n\
Example:\n  peergroup init my-study && peergroup run my-study/study.toml"
    )]
    Run(commands::study::RunArgs),
    /// Explore a run folder in the browser: a fund's peers, style, peer group over time,
    /// rating and returns; peer groups; funds side by side (local and read-only).
    #[command(
        long_about = "A local, read-only explorer of one study run folder (of `peergroup run`) in the browser.\n\n\
Pages: / (the run's report, a fund search with type-ahead, the peer groups, which stages the run has and how to add the missing ones); \
/fund/ID (its peer group with AU/BP, closest peers, style exposures over time, peer group over time with the dates it moved, rating and risk components, \
period returns with its rank within its peer group); /group/ID (members, members over time, theme by attribute, out-of-sample portfolio returns); \
/compare?funds=A,B,... (side by side). Every table downloads as CSV and XLSX, every chart as SVG; /run/PATH serves the files the run wrote and nothing else. \
Pages are server-rendered HTML with the report's SVG charts; no network resources, so it works offline.\n\n\
Listens on 127.0.0.1 (this machine only) unless --bind names another address, with a warning.\n\n\
Example:\n  peergroup serve my-study/results --port 8080"
    )]
    Serve(commands::serve::ServeArgs),
    /// Price and subscription effects, daily returns and total-return indices of fund
    /// classes, funds or managers from daily price/shares/AUM data (CAFCI style).
    #[command(
        long_about = "Price and subscription effects, daily returns and total-return indices from daily class data.\n\n\
For class c on day T (P = price / price-unit, N = shares, A = AUM; prev = the class's previous kept point):\n  \
PE = (P_T − P_prev)·N_prev,  SE = A_T − A_prev − PE,  DR = PE / A_prev,  TR = Π(1 + DR).\n\
Funds and managers sum PE and A over their classes (DR = ΣPE / ΣA_prev); a class's AUM is carried over its own dropped days.\n\n\
Filters: points with AUM < --min-aum are dropped; then, date by date, a point is dropped when its move against the class's last kept price exceeds --max-move \
AND lies more than --max-z standard deviations from that day's mean move over all classes.\n\n\
Output: id,date,aum,price_effect,subscription_effect,daily_return,total_return (first date of each id: effects empty, total_return 1).\n\
--dropped-out: class_id,date,reason (min_aum | price_outlier),aum,price_move,z_score.\n\
--chart FILE.svg: total-return index lines of the 10 ids with the largest AUM on their last date (gathered while the output is streamed, so large files stay streamed).\n\n\
Example:\n  peergroup industry --data industry.csv --meta classes.csv --group-by manager --out managers.csv --dropped-out dropped.csv --chart managers.svg"
    )]
    Industry(commands::industry::IndustryArgs),
    /// Calendar-year, YTD and trailing 1/3/5-year (annualised) returns per series.
    #[command(
        long_about = "Calendar-year, YTD and trailing (annualised) returns per series.\n\n\
Output: id,period,start,end,return,partial with period = a year (2021), YTD, or 1Y/3Y/5Y. A year is reported when the series has a level within 7 days before \
the end of the previous year and within 7 days before the end of that year; returns series start from a level of 1 one period before their first return. \
Trailing N-year returns are (L_end / L_start)^(1/N) − 1. A period that starts before the series does is computed from its first observation, \
with partial = true and start = that observation's base date; when no period can be computed the message says why.\n\n\
Input: a returns table (fractions, or --percent) or prices/NAVs (--prices), long id,date,value (another value column with --value-column, e.g. daily_return of `peergroup industry`) or wide date,<id>,....\n\n\
--chart FILE.svg: the period returns (%) as a colour table, a row per series (the first 40), a column per period.\n\n\
Example:\n  peergroup periods --returns navs.csv --prices --out periods.csv --chart periods.svg"
    )]
    Periods(commands::periods::PeriodsArgs),
    /// Rank ids by year-to-date return on every date; top and bottom lists.
    #[command(
        long_about = "Rank ids by year-to-date return on every date (rank 1 = best) and list the top and bottom N.\n\n\
Input: a series table, or the output of `peergroup industry` (its daily_return column is used). YTD compounds the returns dated in the date's calendar year.\n\
Ties: tied ids share the best rank of the tie (competition ranking 1,2,2,4), from the top and from the bottom, so every id tied at a cut-off is listed. \
max_rank is the number of ids ranked that date. An id in both lists (few ids) appears once per list.\n\n\
Output: date,id,ytd_return,rank,max_rank,side (top | bottom | middle with --all).\n\
--chart FILE.svg: YTD returns (%) of the top and bottom lists on the last date, as bars.\n\n\
Example:\n  peergroup rank --returns managers.csv --top 20 --bottom 20 --out ranks.csv --chart ytd.svg"
    )]
    Rank(commands::rank::RankArgs),
    /// Returns-based style analysis: each fund's exposures to a factor universe.
    #[command(
        long_about = "Returns-based style analysis (Sharpe 1992; dynamic style analysis, Markov et al. 2004): each fund's exposures to a universe of factor returns.\n\n\
Methods:\n  sharpe  min ‖r − Xβ‖² with Σβ = 1 (budget) and β ≥ 0 (long-only); --no-budget / --no-long-only switch them off (exact active-set solver)\n  \
ols     unconstrained least squares\n  \
dsa     dynamic style analysis: β_t for every date, penalising λ Σ (β_t − β_{t−1})ᵀ D (β_t − β_{t−1}) with D = diag(factor variances); \
λ by leave-one-year-out predicted R² (--lambda auto) or fixed\n\n\
Without --window: one fit over the whole common sample, dated at its last date (dsa: exposures at every date). With --window W --step S: rolling windows, \
each dated at its last observation (dsa: each window's last exposures). A window is fitted when the fund has at least --min-obs returns in it (default: the whole window).\n\
--select stepwise chooses each fund's factors per window by forward steps with backward checks on --criterion (bic, default: consistent; aic; adj-r2); unselected factors get β = 0 \
(dsa: selected on the window's static fit, then the dynamic model on those factors).\n\n\
Output (--out): fund,date,factor,beta, plus a CASH row = 1 − Σβ when there is no budget constraint (ols, --no-budget).\n\
--fit-out: fund,date,r2,adj_r2,tracking_error,n_obs,lambda,predicted_r2 with R² = 1 − Var(e)/Var(r) (Sharpe), adjusted for the free parameters \
(selected factors, minus one under the budget), tracking error = annualised standard deviation of residuals; lambda and predicted_r2 for dsa only.\n\
--residuals-out: fund,date,residual = return − x·β with the exposures that apply to the date (the whole-sample fit; dsa: the date's own; rolling: the window ending on the date), \
the input of similarity --idio residual.\n\n\
--chart FILE.svg: the exposures of one fund (--chart-fund ID, default the first) over time as a stacked area, with the R² of each window as a line \
(a single whole-sample fit: bars per factor, R² in the title).\n\n\
Inputs: --returns (fund returns, or NAVs with --prices) and --factors (factor returns, or index levels with --factor-prices), long or wide; --percent for returns in percent.\n\n\
Example:\n  peergroup style --returns funds.csv --factors factors.csv --window 104 --step 1 --out exposures.csv --fit-out fit.csv --chart F0001.svg --chart-fund F0001"
    )]
    Style(commands::style::StyleArgs),
    /// Factor-aware fund similarity from style exposures (Fragkiskos & Bauman).
    #[command(
        long_about = "Factor-aware fund similarity (Fragkiskos & Bauman; docs/METHODS.md §3) from the exposures written by `peergroup style`.\n\n\
S_B(a, b) = max(0, 1 − |a − b|) on absolute exposures (--scale raw, default; gross = |β|/Σ|β|); S_SYST(A, B) = Σ_i Σ_j S_B(b^A_i, b^B_j)·S_X(i, j) over all factor pairs; \
S* = S_SYST(A, B) / √(S_SYST(A, A)·S_SYST(B, B)), reported by default (--measure s-star: it ranks true peers best on synthetic truth, README); \
--measure s reports S = R²_A R²_B S* + (1 − R²_A)(1 − R²_B) S_U with the R² of --fit, S_U = 0 or, with --idio residual, the correlation of the residuals of style --residuals-out \
(--residuals FILE) up to each date (--residual-window N: the last N), clipped to [0, 1]. S* is not capped at 1 (a fund can match another's factors through similar factors more than its own), so 1 − S may be slightly negative.\n\n\
Factor similarity S_X: a square matrix file (first column and header = factor names, symmetric, in [0, 1], unit diagonal), or built from a factor attribute table: \
per attribute 1 for the same label, else the cross-label similarity (--cross-label: attribute,label_a,label_b,similarity; default 0; a row with label_a = label_b \
sets a same-label similarity in (0, 1], e.g. 0.8 as in seed 004's Table 17), weighted by --attribute-weights (default equal).\n\n\
Dates: the last date by default, --date D, or --all-dates; --average ma:P averages the last P dates' similarities, ewma:ETA smooths them. \
Output: date,fund_a,fund_b,similarity for every pair with fund_a before fund_b (the upper triangle; use Parquet for thousands of funds).\n\
At scale (METHODS §3.13): past 10,000 funds every pair needs --all-pairs; --top-k K writes each fund's K nearest peers (date,fund,rank,peer,similarity) and \
--funds ID,... the chosen funds against every fund (with --top-k: their K nearest), computed row by row from the exposures and streamed out, never the N² table.\n\
--chart FILE.svg: heat map of the reported date's similarities (the last date with --all-dates), funds in the leaf order of the average-linkage dendrogram of 1 − S.\n\
Vendor files: --sheet, --id-column, --date-column and --value-column name the exposures' sheet and fund, date and beta columns; --fit is read with the same fund and date columns and --r2-column.\n\n\
Example:\n  peergroup similarity --exposures exposures.csv --factor-attributes factor_attributes.csv --out sim.csv --chart sim.svg"
    )]
    Similarity(commands::similarity::SimilarityArgs),
    /// Pearson correlation of fund returns, in the same format as `similarity` (baseline).
    #[command(
        long_about = "Pearson correlation of fund returns, the baseline that factor-aware similarity is compared with (docs/METHODS.md §3.9).\n\n\
Pairs use the returns both funds have in the window (at least half the window, and at least 3). Without --window the whole sample is one window; \
with --window W the last W observations, or with --all-dates every window end.\n\n\
Output: date,fund_a,fund_b,similarity for every pair with fund_a before fund_b, in the format of `peergroup similarity`.\n\
--chart FILE.svg: heat map of the last window's correlations in dendrogram order.\n\n\
Example:\n  peergroup correlation --returns funds.csv --window 104 --out correlation.csv --chart correlation.svg"
    )]
    Correlation(commands::similarity::CorrelationArgs),
    /// A fund's closest competitors from a similarity table, with their categories.
    #[command(
        long_about = "A fund's closest competitors in a similarity (or correlation) table, with their categories (docs/METHODS.md §3.10).\n\n\
Only the fund's own pairs are read (a Parquet table: row groups whose fund statistics rule it out are skipped), so a 50-million-row table takes a fraction of a second.\n\
Output: fund,peer,rank,similarity,peer_category,outside_category; with --categories (id,category,...; other columns with --id-column and --category-column) a peer whose category differs from the fund's is outside_category = true.\n\
Vendor files: --date-column and --value-column name the similarity table's date and similarity columns; --sheet applies to both inputs.\n\
--chart FILE.svg: the peers as bars of similarity, most similar on top, peers of another category marked.\n\n\
Example:\n  peergroup peers --similarity sim.csv --fund F0001 --top 10 --categories meta.csv --out peers.csv --chart peers.svg"
    )]
    Peers(commands::similarity::PeersArgs),
    /// Peer groups: hierarchical linkage, k-means or Gaussian mixtures, with bootstrap p-values.
    #[command(
        long_about = "Peer groups from a similarity table (distance 1 − similarity, never clipped: correlations may be negative) or a feature table id,<feature>...\n\n\
Methods: average (default), complete, single, ward (hierarchical; --linkage-out writes scipy's merge table left,right,height,size with leaves 0..n−1 in input order \
and merge i creating node n+i), kmeans (k-means++ starts, 10 restarts), gmm (Gaussian mixtures).\n\
--k auto (--k-rule bic, the rule of cluster): Gaussian mixtures over k = 1..--k-max (9) and the covariance models EII, VII, EEI, VVI, EEE, VVV (mclust names), best BIC (2·loglik − params·ln n); fitted on a classical-MDS \
embedding of 1 − S in 4 dimensions (similarity input) or on the standardised features (≤ 8 features; else their MDS embedding). k = 1 means no meaningful grouping. \
--k-rule silhouette (hierarchical methods and kmeans) takes instead the k in 2..--k-max whose partition has the widest mean silhouette on the input's dissimilarities, \
or k = 1 when that is at most 0.25.\n\
Input: one of --similarity FILE, --features FILE (rows compared by --metric euclidean, manhattan or correlation), or --returns FILE --factors FILE with \
--factor-similarity or --factor-attributes (S* of whole-sample Sharpe exposures on one date, hierarchical methods), or --exposures FILE with the factor \
similarity: peer groups at the size of the universe (METHODS §4.14), k-means micro-clusters (--micro-clusters, default 2,000) then exact average linkage of those \
on their mean S*, no pair table; writes id,cluster,micro_cluster; needs --method average and a number --k.\n\
--bootstrap N: pvclust-style multiscale bootstrap (scales 0.5..1.4, N replicates each) of the rows the clustering came from (the dates of a multi-date similarity table, \
the feature columns, or with --returns the return periods behind the exposures, re-estimated in every replicate), giving AU and BP p-values per cluster node.\n\
--reference FILE (id,label, or other columns with --reference-id-column and --reference-column, e.g. category of meta.csv): prints ARI, NMI and the contingency table and writes them to --agreement-out (default: <out>_agreement.csv).\n\
Vendor files: --sheet, --id-column (of --features), --date-column and --value-column (of --similarity).\n\n\
Output: id,cluster (clusters numbered 1..k by first appearance).\n\
Charts: --chart FILE.svg (hierarchical methods, like --linkage-out): the dendrogram, leaves coloured by cluster, the cut into the chosen k dashed and, with --bootstrap, \
AU (red) and BP (green) p-values in % at the nodes as pvclust draws them. --bic-chart FILE.svg (whenever mixtures are fitted, like --bic-out): BIC by k, a line per covariance model.\n\n\
Example:\n  peergroup cluster --similarity sim.csv --method average --k auto --linkage-out linkage.csv --reference categories.csv --out clusters.csv --chart dendrogram.svg"
    )]
    Cluster(commands::cluster::ClusterArgs),
    /// Evolutionary peer groups: clusters at every date, aligned over time, with stability.
    #[command(
        long_about = "Peer groups at every date, aligned over time (seed 004 sections 4-7; docs/METHODS.md §4.12).\n\n\
Input: --exposures (several dates, from `peergroup style`) with --fit and --factor-similarity or --factor-attributes, the similarity of each date being computed as \
`peergroup similarity` does (S_U = 0) and streamed: never every date's pairs at once; or --similarity FILE with several dates.\n\
Each --average rule (ma:P = mean of the last P dates' similarities, from the P-th date on; ewma:ETA; current = ma:1) is clustered at every date by --method \
(average, complete, single, ward: tree cut at --k; kmeans, gmm; --k auto by --k-rule), and labels are aligned date to date by maximum overlap (Hungarian \
assignment on the contingency table of the funds present both dates); a group that matches none gets a label never used before. \
--micro-clusters M forms each date's groups at scale instead, as `cluster --exposures` does (with --average current, a number --k, --method average).\n\n\
Outputs in --out DIR (CSV, or Parquet with --format parquet): assignments (average,date,fund,cluster), stability (average,horizon,stability,n: the mean over dates t \
of the share of funds present at t and t+h in the same cluster; n = fund-date pairs compared), transitions (average,date,fund,from_cluster,to_cluster), concentration \
(average,date,cluster,n_funds,share); with exposures themes (average,date,cluster,factor,mean_beta) and with --factor-attributes themes_by_attribute \
(average,date,cluster,attribute,label,sum_beta); with --returns portfolios (average,date,group_kind,group,n_funds,next_return,return_date: equal-weight return of \
the members over the next period of the returns file; group_kind cluster, and category with --reference) and dispersion (average,group_kind,dates,within_sd,between_sd); \
with --reference or --returns agreement (average,date,against,n_funds,ari,nmi; against reference, or correlation: clusters of return correlation over the last \
--correlation-window periods). Charts: allocation.svg, stability.svg, transitions.svg (first vs last date), themes.svg, portfolios.svg.\n\n\
Example:\n  peergroup evolve --exposures exposures.csv --fit fit.csv --factor-attributes factor_attributes.csv --average ma:1,ma:4,ewma:0.9 --k 8 \
--horizons 1,4,13 --returns funds.csv --reference meta.csv --reference-column category --out evolve/"
    )]
    Evolve(commands::evolve::EvolveArgs),
    /// Rate funds 1–5 stars by gain and AT-GARCH risk (Lisi & Otranto).
    #[command(
        long_about = "Risk/return rating without a vendor (Lisi & Otranto; docs/METHODS.md §5).\n\n\
Gain: the mean of the fund's calendar-year returns (full years as in `peergroup periods`; --include-partial-years adds the first and last partial years, each as the return over the part covered, not annualised).\n\
Risk: an AT-GARCH(1,1) per fund, r_t = μ + ε_t, h_t = γ + α ε²_{t−1} + β h_{t−1} + δ S_{t−1} ε²_{t−1}, S_t = 1 when ε_t is below its --threshold-quantile (first decile), \
by Gaussian QMLE with γ > 0, α ≥ 0, 0 ≤ β < 1, α + δ ≥ 0 and covariance stationarity. h_1 = γ + (α + β)·b + δ·b_S with b the backcast of Python arch \
(0.94-weighted mean of the first 75 squared residuals). Of α, β and δ, those whose robust (sandwich) t-test is not significant at --significance are set to 0 and the model re-estimated \
(μ and γ are always kept; without α and δ, β goes too: constant variance). Engle's ARCH-LM test (--arch-lags) checks the standardised residuals.\n\
Risk components (squared return units per period): v_min = γ/(1−β); v_standard and v_turmoil = the means over time of the α- and δ-terms of the unrolled variance. \
Risk score = mean of the three, each standardised across funds.\n\
Classes: gain and risk score each cut into low/medium/high by hierarchical clustering (--linkage average, single or complete; --metric euclidean or manhattan, \
the same on one dimension); stars: 1 = (l,h); 2 = (l,m),(l,l); 3 = (m,h),(m,m),(h,h); 4 = (m,l),(h,m); 5 = (h,l).\n\n\
Input: a returns table (fractions, or --percent) or prices/NAVs (--prices), long or wide; every fund needs an unbroken series of at least --min-obs returns. \
Percent and fraction inputs give the same α, β, δ and stars.\n\n\
Output: fund,gain,v_min,v_standard,v_turmoil,risk,gain_level,risk_level,stars,mu,gamma,alpha,beta,delta,loglik,arch_lm_pvalue,converged,note \
(a fund whose optimiser fails keeps its row with converged = false and no stars; the others are still rated).\n\
--chart FILE.svg: gain against risk score, a point per fund coloured by stars.\n\
--reference FILE (fund,stars; other columns with --reference-id-column and --reference-column) compares the stars: contingency table, Spearman correlation, share equal and within one star, \
written to --agreement-out (default <out>_external.csv).\n\n\
Example:\n  peergroup rate --returns navs.csv --prices --chart ratings.svg --out ratings.csv"
    )]
    Rate(commands::rate::RateArgs),
    /// How much one date's peer groups depend on the factor similarities: perturb S_X, recluster, count the funds that move.
    #[command(
        long_about = "Robustness of one date's peer groups to the factor similarities S_X (seed 004 section 7).\n\n\
Each draw multiplies every off-diagonal S_X(i, j) by its own uniform factor in [1 − p, 1 + p] (the same for S_X(j, i)), clips to [0, 1] and keeps the unit diagonal; \
recomputes the fund similarity of the date as `peergroup similarity` does (S = R²_A R²_B S* with --fit, S* without); reclusters with the method and k of the unperturbed \
clustering (as `peergroup cluster`; --k auto is chosen once, on the unperturbed similarity); aligns the labels to the unperturbed clusters (Hungarian assignment on the \
contingency table) and records the share of funds whose group changed. Draw d uses its own random stream of --seed, so results do not depend on --threads, \
and the same d sees the same uniforms at every p.\n\n\
Output: perturb,draw,share_changed. Printed: the mean and 5th/95th percentiles of share_changed per p. --chart: those three over p (SVG).\n\n\
Example:\n  peergroup robustness --exposures exposures.csv --fit fit.csv --factor-attributes factor_attributes.csv --perturb 0.1,0.3 --draws 200 --k 6 --out robustness.csv --chart robustness.svg"
    )]
    Robustness(commands::robustness::RobustnessArgs),
    /// Segments of broker-dealer offices or funds (sales flows) and of app investors.
    #[command(subcommand)]
    Segment(SegmentCommand),
    /// Generate synthetic data sets with known truth.
    #[command(subcommand)]
    Synth(SynthCommand),
    /// Run every stage on bundled data and write a report (tables, SVG charts, index.html).
    Demo(commands::demo::DemoArgs),
    /// Gather a run directory into one self-contained HTML page (RUN_DIR/index.html).
    Report(commands::render::ReportArgs),
}

#[derive(Subcommand)]
enum SegmentCommand {
    /// Segment broker-dealer offices or funds by how they buy / sell (docs/METHODS.md §6).
    #[command(
        long_about = "Segments of broker-dealer offices (or of funds) from monthly sales flows (docs/METHODS.md §6.1–§6.5).\n\n\
Rows: --bd NAME keeps one broker-dealer's rows, --broad-category NAME the sales of funds in one broad category (an unknown name is an error listing the known ones).\nFeature sets (--feature-sets, default category-mix,behaviour): category-mix = each entity's mix over the last --mix-quarters quarters (0, the default: the whole window; 1: the latest quarter, as the notebook) \
(offices: broad categories; funds: broker-dealers), behaviour = log10 ticket size, month-to-month volatility, redemption share and growth; both z-scored per column; \
quarterly = net sales in each of the last --quarters calendar quarters after --transform \
(share: each quarter ÷ Σ|quarterly net sales|; log1p: sign-preserving log(1 + |x|); zscore: per column; rownorm: unit-length rows; a comma list applies in order).\nMethods: kmeans (k-means++, 10 restarts), average or ward (hierarchical; --metric dtw compares the monthly series, after the same transforms, by dynamic time warping, instead of the feature sets).\nInput: --sales (bd,office,fund,month,amount) and --categories (fund,category,broad_category).\n--k auto picks k in 1..--k-max. Default: the nested silhouette rule: split all entities by the widest mean silhouette over k = 2..--k-max with every part of at least --min-segment entities, \
only when that width exceeds 0.25 (Kaufman & Rousseeuw's 'no substantial structure') and the split's k-means cost ratio W_k/W_1 beats 19 Gaussian samples with the part's covariance (SigClust, p ≤ 0.05); \
then try each part again, largest first; k = 1 means no further meaningful clustering (k_nested.csv lists every split tried). \
--flat-k uses the flat silhouette rule over the whole set; --k-rule gap Tibshirani's gap statistic (10 uniform reference sets aligned with the principal components). \
k_selection.csv lists cost, gap, its sd and the mean silhouette for every k.\nStability: --stability-replicates N (default 50; 0 = off) bootstrap resamples of the entities, each clustered again with the same method and k; the mean, sd and 5th percentile of their ARI with the segments \
are printed and written to stability.csv (above 0.85 highly stable, below 0.6 not to be trusted). --reference FILE (--reference-id-column, --reference-column) compares the segments with known labels: \
ARI, NMI and the contingency table, printed and written to agreement.csv.\n\n\
Outputs in --out DIR: assignments.csv (entity,cluster,pc1,pc2,tsne1,tsne2[,bd]; clusters numbered by size), pca.csv (component,explained_variance_ratio,cumulative), \
profiles.csv (per cluster: size, share, a generated description, category shares for funds, mean quarterly sales and mix), scree.svg, pca.svg, tsne.svg, \
segment_mix.svg (each segment's mean mix against all entities), segment_sales.svg (net sales per quarter by segment), stability.csv, k_nested.csv, \
dendrogram.svg (hierarchical), and for --entity fund outside_category.csv (fund,category,sells_like,own_similarity,sells_like_similarity,statistic,z_score,p_value,q_value,williams_p,outside) \
with outside_category.svg: each fund's monthly trade pattern (offices trading it each month, log1p, z-scored per month) is correlated with the centre of every category (the sum of its other funds' standardised patterns); \
the statistic is the correlation with the closest other category (sells_like) minus that with its own, its p-value comes from an empirical null fitted to all funds' statistics (median, upper-half spread), \
a second pass rebuilds the centres without the funds the first flagged, and outside = true when the Benjamini–Hochberg q-value is at most --outside-level (default 0.05, a false discovery rate); \
a fund without a category-mate is not tested, nor any fund when fewer than 20 can be.\n\n\
Example:\n  peergroup segment sales --sales sales.csv --categories funds.csv --entity office --bd BD01 --k auto --out offices/"
    )]
    Sales(Box<commands::segment::SegmentSalesArgs>),
    /// Segment app investors from profile and daily balances with k-prototypes
    /// (docs/METHODS.md §6).
    #[command(
        long_about = "Segments of investment-app users from their profile and daily balances (docs/METHODS.md §6.6–§6.10).\n\n\
Features clustered (--feature-set mix, the default): per user the share of each fund type (money_market, bond, stock, mixed) in the mean balance, \
ln(1 + total mean balance), ln(1 + transactions per month) and ln(1 + monthly buy), z-scored; with generation (from age: Gen Z, Millennial, Gen X, Boomer by birth year), \
occupation and income band. --feature-set measures clusters the 20 measures (mean balance, monthly buy and sell, transactions and profit per fund type, log1p then z-score) \
with gender, generation, occupation, income band and referral use. \
k-prototypes (Huang) with γ = half the mean standard deviation of the scaled numerics (kmodes' default), 10 restarts. \
Only users with balance rows are segmented.\n\
--k auto chooses k in 1..--k-max on a seeded sample of --k-sample users, then fits everyone. --k-rule silhouette (default): the smallest k whose mean silhouette is within 0.02 \
of the widest; k = 1 (no further meaningful clustering) when the widest is at most 0.25 or the gap statistic finds no structure. --k-rule gap: Tibshirani's gap rule.\n\
Stability: --stability-replicates N (default 20; 0 = off) bootstrap resamples of the k sample, each refitted and compared with the segments by the adjusted Rand index: \
mean, sd and 5th percentile printed and in stability.csv (near 1: the segments are real). \
--reference FILE (--reference-id-column, --reference-column) compares the segments with known labels of the users: ARI, NMI and the contingency table, printed and written to agreement.csv.\n\
Each segment gets a persona name and campaign themes generated from its profile by fixed rules (METHODS §6.10).\n\n\
Outputs in --out DIR: assignments.csv (user_id,segment,pc1,pc2), profiles.csv (per segment: size, share, description, persona, themes, share of each category level, numeric means), \
segments.svg (segment shares with persona and first theme), profiles/segment_N.svg (each segment's level shares and mean balance per fund type against all users), \
segment_sizes.svg (users per segment by registration month, cumulative), k_selection.csv (auto), stability.csv, and eda/: tables of the gender, referral, generation, age and income distributions, \
occupation Pareto, mean AUM and monthly flows per fund type, transactions per weekday, linear trend and R² of daily transactions per fund type, with the charts eda/generation.svg, \
eda/occupation_pareto.svg, eda/fund_types_aum.svg, eda/weekday.svg and eda/daily_<fund_type>.svg (daily transactions with the trend line, R² in the title). \
The descriptive tables count every registered user (--exclude-no-balance: only users with balances); trends are fitted on weekdays only, as markets are closed on weekends \
(--trend-weekends: every day).\n\
Vendor files: --id-column names the user id column of both files; --date-column, --value-column (the balance) and --sheet are for --balances; --registered-column is the registration date of --users.\n\n\
Example:\n  peergroup segment investors --users users.csv --balances balances.csv --k auto --out investors/"
    )]
    Investors(Box<commands::segment::SegmentInvestorsArgs>),
}

#[derive(Subcommand)]
enum SynthCommand {
    /// Daily class data like CAFCI's: industry.csv, classes.csv and truth_outliers.csv
    /// (the injected bad prints). Realistic prices, flows and AUM; same seed, same files.
    Industry(commands::synth::SynthIndustryArgs),
    /// A fund universe with known exposures: factors.csv, funds.csv (wide returns),
    /// meta.csv (id,category,true_group), true_betas.csv, factor_attributes.csv.
    #[command(
        long_about = "A fund universe with known truth for style analysis and peer groups.\n\n\
Factors (equity sectors and regions, bonds, commodities) share market, region, sector and rate shocks, so they are realistically correlated (equity pairs 0.4–0.86). \
Each of G groups has a long-only prototype on 2–4 factors; funds perturb their group's weights, and returns = exposures × factors + noise with a per-fund R² drawn from --r2. \
Vendor categories disagree with the true group with probability --category-noise. --dynamic makes exposures drift and about 30% of funds switch style.\n\n\
Writes factors.csv and funds.csv (wide), meta.csv (id,category,true_group), true_betas.csv (fund,date,factor,beta: static universes one row per fund and factor dated at the last date, dynamic ones every date) \
and factor_attributes.csv (factor,asset_class,sector,region).\n\n\
Example:\n  peergroup synth universe --funds 200 --factors 12 --periods 520 --groups 6 --seed 1 --out universe/"
    )]
    Universe(commands::synth::SynthUniverseArgs),
    /// Daily returns from AT-GARCH(1,1) with known parameters: returns.csv (wide) and
    /// truth.csv (fund,kind,mu,gamma,alpha,beta,delta,threshold,annual_vol).
    #[command(
        long_about = "Daily fund returns from the AT-GARCH(1,1) risk model with known parameters, for `peergroup rate`.\n\n\
Funds rotate through three kinds, 5 : 3 : 2: at_garch (α, β and a turmoil term δ > 0), garch (δ = 0) and no_arch (constant variance). \
Annual volatility is drawn between 4% and 25% and the expected return rises with it; γ makes the unconditional variance equal the drawn volatility². \
Dates are business days from 2018-01-01.\n\n\
Writes returns.csv (date,<fund>...: returns as fractions) and truth.csv (fund,kind,mu,gamma,alpha,beta,delta,threshold,annual_vol; threshold empty when δ = 0).\n\n\
Example:\n  peergroup synth garch --funds 200 --periods 1600 --seed 1 --out garch/"
    )]
    Garch(commands::synth::SynthGarchArgs),
    /// Monthly sales by broker-dealer office and fund: sales.csv, funds.csv, truth.csv
    /// (office types) and fund_truth.csv (funds that sell like another category).
    #[command(
        long_about = "Monthly net sales of funds by broker-dealer office, with known office types (docs/METHODS.md §7.5).\n\n\
Offices are private-wealth (large tickets, equity and alternatives, steady) or regular (smaller, fixed income and money market, seasonal), each with sub-types; \
amounts span orders of magnitude, redemptions are negative, and a share of funds sells like a category other than its own.\n\n\
Writes sales.csv (bd,office,fund,month,amount), funds.csv (fund,category,broad_category), truth.csv (office,type) and fund_truth.csv (fund,category,sells_like).\n\n\
Example:\n  peergroup synth sales --offices 400 --funds 120 --months 24 --seed 1 --out sales/"
    )]
    Sales(commands::synth::SynthSalesArgs),
    /// App users and daily balances: users.csv, balances.csv, truth.csv (personas).
    #[command(
        long_about = "Users of an investment app and their daily balances per fund type, with known personas (docs/METHODS.md §7.6).\n\n\
Writes users.csv (user_id,registered,gender,age,occupation,income_band,referral), balances.csv (user_id,date,fund_type,balance,buy,sell,profit; \
fund types money_market, bond, stock, mixed; no trades on weekends; balance_t = balance_(t−1) + buy − sell + profit) and truth.csv (user_id,persona).\n\n\
Example:\n  peergroup synth investors --users 5000 --days 30 --seed 1 --out investors/"
    )]
    Investors(commands::synth::SynthInvestorsArgs),
}

fn run(cli: Cli) -> CommandResult {
    match cli.command {
        Command::Init(a) => commands::study::run_init(&a)?,
        Command::Run(a) => commands::study::run_study(&a)?,
        Command::Serve(a) => commands::serve::run(&a)?,
        Command::Industry(a) => commands::industry::run(&a)?,
        Command::Periods(a) => commands::periods::run(&a)?,
        Command::Rank(a) => commands::rank::run(&a)?,
        Command::Style(a) => commands::style::run(&a)?,
        Command::Similarity(a) => commands::similarity::run(&a)?,
        Command::Correlation(a) => commands::similarity::run_correlation(&a)?,
        Command::Peers(a) => commands::similarity::run_peers(&a)?,
        Command::Cluster(a) => commands::cluster::run(&a)?,
        Command::Evolve(a) => commands::evolve::run(&a)?,
        Command::Rate(a) => commands::rate::run(&a)?,
        Command::Robustness(a) => commands::robustness::run(&a)?,
        Command::Segment(SegmentCommand::Sales(a)) => commands::segment::run_sales(&a)?,
        Command::Segment(SegmentCommand::Investors(a)) => commands::segment::run_investors(&a)?,
        Command::Synth(SynthCommand::Universe(a)) => commands::synth::run_universe(&a)?,
        Command::Synth(SynthCommand::Garch(a)) => commands::synth::run_garch(&a)?,
        Command::Synth(SynthCommand::Sales(a)) => commands::synth::run_sales(&a)?,
        Command::Synth(SynthCommand::Investors(a)) => commands::synth::run_investors(&a)?,
        Command::Synth(SynthCommand::Industry(a)) => commands::synth::run_industry(&a)?,
        Command::Demo(a) => commands::demo::run(&a)?,
        Command::Report(a) => commands::render::run(&a)?,
    }
    Ok(())
}

/// `--threads N`: a whole number of at least 1 (clap's range check would print the
/// range as 1..18446744073709551615).
fn parse_threads(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected a whole number of at least 1, got '{s}'")),
    }
}

/// Most worker threads per core: more only adds start-up time and memory (100000
/// threads took minutes to start), never speed.
const THREADS_PER_CORE: u64 = 4;

/// `cmd` and all its subcommands taking `-1000` as a flag's value, so that a negative
/// number reaches the flag's own range check instead of parsing as the short flag `-1`.
fn with_negative_numbers(cmd: clap::Command) -> clap::Command {
    cmd.allow_negative_numbers(true)
        .mut_subcommands(with_negative_numbers)
}

/// The `--threads` request `n` capped at [`THREADS_PER_CORE`] × the cores, with a note
/// on stderr when capped.
fn thread_count(n: u64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get()) as u64;
    let cap = THREADS_PER_CORE * cores;
    if n > cap {
        eprintln!("note: --threads {n} capped at {cap} ({THREADS_PER_CORE} × the {cores} cores)");
    }
    n.min(cap) as usize
}

/// The program: parse the process's arguments, run, print an error and map it to the
/// exit code (0, 1 system failure, 2 bad input).
pub fn main() -> ExitCode {
    crate::io::sys::tune_allocator();
    let matches = with_negative_numbers(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    commands::set_verbose(cli.verbose);
    if let Some(n) = cli.threads {
        // Only fails if a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(thread_count(n))
            .build_global();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Run one command given as arguments (`["style", "--returns", "r.csv", ...]`, without the
/// program name) in this process, on the global thread pool (`--threads N`: a pool of N
/// for this command). A usage error (unknown
/// flag, bad value) is an [`CommandError::Input`] with clap's message; `--help` and
/// `--version` are usage errors too (there is no terminal to print them to).
pub fn run_args<I, T>(args: I) -> CommandResult
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let argv = std::iter::once(std::ffi::OsString::from("peergroup"))
        .chain(args.into_iter().map(Into::into));
    let matches = with_negative_numbers(Cli::command())
        .try_get_matches_from(argv)
        .map_err(|e| CommandError::usage(e.render().to_string().trim_end()))?;
    let cli = Cli::from_arg_matches(&matches)
        .map_err(|e| CommandError::usage(e.render().to_string().trim_end()))?;
    match cli.threads {
        // The global pool is the caller's (it may exist already): --threads gets a pool
        // of its own for this command.
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(thread_count(n))
            .build()
            .map_err(|e| CommandError::System(format!("cannot start {n} threads: {e}")))?
            .install(|| run(cli)),
        None => run(cli),
    }
}

/// Every command (leaf subcommand) with its arguments, as JSON: what a front end needs to
/// offer the same options under the same names and defaults (the Python package builds
/// its functions and type stubs from it). Per command: `path` (e.g. `["segment",
/// "sales"]`), `about`, `long_about`, and `args`, each with `id`, `long` (without `--`),
/// `help`, `value_name`, `default` (list of strings), `flag` (takes no value),
/// `list` (comma-separated values), `choices`, `required` and `positional`.
pub fn describe() -> String {
    fn leaves(cmd: &clap::Command, path: &mut Vec<String>, out: &mut Vec<serde_json::Value>) {
        let subs: Vec<&clap::Command> = cmd.get_subcommands().collect();
        if subs.is_empty() && !path.is_empty() {
            let args: Vec<serde_json::Value> = cmd
                .get_arguments()
                .filter(|a| !a.is_hide_set() && !matches!(a.get_id().as_str(), "help" | "version"))
                .map(|a| {
                    let flag = matches!(
                        a.get_action(),
                        clap::ArgAction::SetTrue | clap::ArgAction::SetFalse
                    );
                    serde_json::json!({
                        "id": a.get_id().as_str(),
                        "long": a.get_long(),
                        "help": a.get_help().map(|h| h.to_string()),
                        "value_name": a.get_value_names().and_then(|v| v.first()).map(|v| v.as_str()),
                        "default": a.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect::<Vec<_>>(),
                        "flag": flag,
                        "list": a.get_value_delimiter().is_some(),
                        "choices": if flag { Vec::new() } else { a.get_possible_values().iter().filter(|p| !p.is_hide_set()).map(|p| p.get_name().to_string()).collect::<Vec<_>>() },
                        "required": a.is_required_set(),
                        "positional": a.is_positional(),
                        "global": a.is_global_set(),
                    })
                })
                .collect();
            out.push(serde_json::json!({
                "path": path,
                "about": cmd.get_about().map(|s| s.to_string()),
                "long_about": cmd.get_long_about().map(|s| s.to_string()),
                "args": args,
            }));
        }
        for s in subs {
            if s.get_name() == "help" {
                continue;
            }
            path.push(s.get_name().to_string());
            leaves(s, path, out);
            path.pop();
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    leaves(&cmd, &mut Vec::new(), &mut out);
    serde_json::Value::Array(out).to_string()
}
