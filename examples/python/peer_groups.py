"""From raw returns to peer groups, ratings and a chart, in a notebook's few lines.

    pip install ./python matplotlib
    python examples/python/peer_groups.py [OUT_DIR]

Synthetic weekly returns of 60 funds in 4 true groups (with their categories, 10% of them
wrong) and 12 factors; then each fund's style exposures over rolling two-year windows,
the factor-aware similarity of every pair, average-linkage peer groups with k chosen by
the data, their agreement with the categories, a fund's closest peers, star ratings of
daily returns, and a chart of the peer groups' mean exposures.
"""

import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import peergroup as pg

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)

# Raw returns: wide frames date,<fund>,... (any DataFrame with that layout will do).
data = pg.synth_universe(funds=60, periods=260, groups=4, category_noise=0.1, seed=7)
returns, factors, meta = data["funds"], data["factors"], data["meta"]
attributes = data["factor_attributes"]  # factor,<attribute>...: how alike factors are

# Style: Sharpe's constrained regression on rolling 104-week windows.
style = pg.style(returns, factors, window=104, step=13, fit_out=True)
print(f"style: {style.out['fund'].nunique()} funds, mean R² {style.fit_out['r2'].mean():.2f}")

# Similarity of every pair of funds at the latest date, then peer groups.
similarity = pg.similarity(style.out, factor_attributes=attributes)
groups = pg.cluster(similarity=similarity, method="average", k="auto", reference=meta,
                    reference_column="category")
print(f"peer groups: {groups['id'].size} funds in {groups['cluster'].nunique()} groups")

first = returns.columns[1]
print(f"closest peers of {first}:")
print(pg.peers(similarity, fund=first, top=5).to_string(index=False))

# Star ratings need daily returns: a synthetic GARCH universe stands in for them.
daily = pg.synth_garch(funds=30, periods=1500, seed=7)
ratings = pg.rate(daily["returns"])
print(ratings[["fund", "stars"]].head().to_string(index=False))

# Chart: mean exposure of each peer group to each factor at the latest window.
latest = style.out[style.out["date"] == style.out["date"].max()]
merged = latest.merge(groups, left_on="fund", right_on="id")
mean = merged.pivot_table(index="cluster", columns="factor", values="beta", aggfunc="mean")
ax = mean.plot.bar(stacked=True, figsize=(9, 5), colormap="tab20")
ax.set_ylabel("mean style exposure (weights sum to 1)")
ax.set_title("Peer groups by their style exposures")
ax.legend(fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
plt.tight_layout()
path = os.path.join(out, "peer_groups.png")
plt.savefig(path, dpi=120)
print(f"chart: {path}")
