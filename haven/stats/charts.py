"""Charts as small server-side SVG, drawn with matplotlib from the protected table only.

Text stays text in the SVG (`svg.fonttype = none`), so the browser or WeasyPrint shapes
Khmer, Burmese and Thai labels with the page's fonts; matplotlib itself cannot shape
them. Hidden cells are drawn as no bar and labelled as hidden, never as zero.
"""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from haven.stats.tables import Table

BAR = "#1f5f8b"
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "haven"  # the same table gives the same file
# Only for measuring the labels (the text is shaped where the SVG is shown); without
# Debian's fonts-noto-core the widths are guessed from DejaVu and a warning is silenced.
matplotlib.rcParams["font.family"] = [
    "Noto Sans",
    "Noto Sans Thai",
    "Noto Sans Khmer",
    "Noto Sans Myanmar",
    "DejaVu Sans",
]
warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
warnings.filterwarnings("ignore", "findfont: Font family", UserWarning)


def bar_chart(table: Table, *, hidden_label: str) -> bytes:
    """A horizontal bar per row: the row's published total."""
    labels = list(table.protected.rows)
    values = list(table.protected.row_totals)
    height = 0.9 + 0.32 * max(len(labels), 1)
    figure = Figure(figsize=(6.4, height), dpi=72)
    axes = figure.add_subplot()
    positions = range(len(labels))
    axes.barh(list(positions), [v or 0 for v in values], color=BAR)
    top = max([v for v in values if v] or [1])
    for y, value in zip(positions, values, strict=True):
        text = hidden_label if value is None else str(value)
        axes.text((value or 0) + top * 0.01, y, text, va="center", fontsize=9)
    axes.set_yticks(list(positions), labels, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlim(0, top * 1.25)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="x", labelsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
