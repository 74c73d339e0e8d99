"""Statistical disclosure control for every table of people that Haven shows or publishes.

A count of victims can identify someone: "2 girls from Laos referred from the port in March"
points at people the reader may know. Before a table leaves Haven, `protect` hides small
counts (primary suppression), hides enough other counts that no hidden one can be worked out
from the totals (complementary or secondary suppression), and rounds what is shown.

The table with its margins is a flow: row i is a node that receives its row total and passes
each cell on to its column; column j passes its column total on; the grand total closes the
circuit. A hidden value can be recovered from the shown ones, by adding and subtracting rows
and columns, exactly when it is a bridge of the graph of hidden entries (an edge on no cycle).
The brief rule "no row, column or margin has exactly one hidden entry" removes the simple
cases (leaves); the bridge check then removes the rest, such as two blocks of hidden cells
joined by one cell. Only exact recovery is prevented: hidden values can still be bounded
(they are never negative), which is what rounding the shown values blurs.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rules:
    threshold: int = 11  # counts 1..threshold-1 are hidden ("small cells")
    base: int = 5  # published counts are rounded to a multiple of this (1 = no rounding)

    def __post_init__(self) -> None:
        if self.threshold < 2:
            raise ValueError("threshold must be at least 2")
        if self.base < 1:
            raise ValueError("rounding base must be at least 1")


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Protected:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]  # None = suppressed; else rounded value
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    # Entries (cells and totals) hidden because small, and hidden so that no hidden value can
    # be recovered. A 1-column table's row totals are its cells and are counted once.
    primary: int
    secondary: int

    @property
    def all_suppressed(self) -> bool:
        """Nothing but zeros is shown: every non-zero cell is hidden (or there are none)."""
        return all(value is None or value == 0 for row in self.cells for value in row)

    @property
    def empty(self) -> bool:
        """The true total is 0 (a zero is never hidden, so the shown total says so)."""
        return self.total == 0


class _Table:
    """A table with its margins as entries 0..n-1, each an edge between two nodes.

    Entries: cell (i, j) is i*C + j, then the R row totals, the C column totals, the total.
    Nodes: row i is i, column j is R + j, then S (the source of row totals) and T (the sink
    of column totals); the grand total runs from T back to S.
    """

    def __init__(self, counts: Sequence[Sequence[int]], n_columns: int) -> None:
        self.n_rows = n_rows = len(counts)
        self.n_columns = n_columns
        cells = [n for row in counts for n in row]
        row_totals = [sum(row) for row in counts]
        column_totals = [sum(row[j] for row in counts) for j in range(n_columns)]
        self.values: list[int] = [*cells, *row_totals, *column_totals, sum(row_totals)]
        self.total_entry = len(self.values) - 1
        source, sink = n_rows + n_columns, n_rows + n_columns + 1
        self.n_nodes = n_rows + n_columns + 2
        self.ends: list[tuple[int, int]] = [
            *((i, n_rows + j) for i in range(n_rows) for j in range(n_columns)),
            *((source, i) for i in range(n_rows)),
            *((n_rows + j, sink) for j in range(n_columns)),
            (sink, source),
        ]
        # Each line is an addition: its parts sum to its total.
        self.lines: list[tuple[list[int], int]] = [
            *(
                ([self.cell(i, j) for j in range(n_columns)], self.row_total(i))
                for i in range(n_rows)
            ),
            *(
                ([self.cell(i, j) for i in range(n_rows)], self.column_total(j))
                for j in range(n_columns)
            ),
            ([self.row_total(i) for i in range(n_rows)], self.total_entry),
            ([self.column_total(j) for j in range(n_columns)], self.total_entry),
        ]

    def cell(self, i: int, j: int) -> int:
        return i * self.n_columns + j

    def row_total(self, i: int) -> int:
        return self.n_rows * self.n_columns + i

    def column_total(self, j: int) -> int:
        return self.n_rows * self.n_columns + self.n_rows + j

    def canonical(self, entry: int) -> int:
        """The entry that `entry` always equals: in a 1-column table a row total is its cell
        and the column total is the grand total (likewise for 1-row tables)."""
        n_rows, n_columns = self.n_rows, self.n_columns
        if n_rows == 1 and n_columns == 1:
            return 0
        if n_columns == 1:
            if self.row_total(0) <= entry < self.row_total(n_rows):
                return self.cell(entry - self.row_total(0), 0)
            if entry == self.column_total(0):
                return self.total_entry
        if n_rows == 1:
            if self.column_total(0) <= entry < self.column_total(n_columns):
                return self.cell(0, entry - self.column_total(0))
            if entry == self.row_total(0):
                return self.total_entry
        return entry


def _close_lines(table: _Table, hidden: list[bool]) -> None:
    """Until stable: a line with exactly one hidden entry gets a second one, its smallest
    non-zero shown part (cells before totals), else its total."""
    values = table.values
    changed = True
    while changed:
        changed = False
        for parts, total in table.lines:
            if sum(hidden[e] for e in parts) + hidden[total] != 1:
                continue
            candidates = [e for e in parts if not hidden[e] and values[e] > 0]
            if candidates:
                # min() keeps the first of equal values: deterministic.
                hidden[min(candidates, key=lambda e: values[e])] = True
            else:
                # One hidden non-zero entry makes the line's sum non-zero, so if no part can
                # be hidden, the hidden one is a part and the total is shown and non-zero.
                hidden[total] = True
            changed = True


def _bridges(table: _Table, hidden: list[bool]) -> list[int]:
    """Hidden entries on no cycle of hidden entries: the ones the shown values give away."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(table.n_nodes)]
    for entry, (a, b) in enumerate(table.ends):
        if hidden[entry]:
            adjacency[a].append((b, entry))
            adjacency[b].append((a, entry))
    found: list[int] = []
    discovered = [-1] * table.n_nodes
    low = [0] * table.n_nodes
    clock = 0
    for root in range(table.n_nodes):
        if discovered[root] != -1 or not adjacency[root]:
            continue
        discovered[root] = low[root] = clock
        clock += 1
        # Iterative depth-first search (Tarjan): node, the entry it was reached by, position.
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]
        while stack:
            node, via, position = stack[-1]
            if position < len(adjacency[node]):
                stack[-1] = (node, via, position + 1)
                neighbour, entry = adjacency[node][position]
                if entry == via:
                    continue
                if discovered[neighbour] == -1:
                    discovered[neighbour] = low[neighbour] = clock
                    clock += 1
                    stack.append((neighbour, entry, 0))
                else:
                    low[node] = min(low[node], discovered[neighbour])
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > discovered[parent]:
                    found.append(via)
    return sorted(found)


def _cover_bridge(table: _Table, hidden: list[bool], bridge: int) -> None:
    """Hide the cheapest shown entries that put `bridge` on a cycle of hidden entries.

    The cheapest path between the bridge's ends, not using the bridge, over non-zero entries
    (hidden ones free, shown ones costing their value, then their number). Such a path exists:
    the table is a circulation with non-negative flows, so every non-zero entry lies on a
    cycle of non-zero entries.
    """
    values = table.values
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(table.n_nodes)]
    for entry, (a, b) in enumerate(table.ends):
        if entry != bridge and values[entry] > 0:
            adjacency[a].append((b, entry))
            adjacency[b].append((a, entry))
    start, goal = table.ends[bridge]
    best: dict[int, tuple[int, int]] = {start: (0, 0)}
    came_by: dict[int, tuple[int, int]] = {}  # node -> (previous node, entry)
    queue: list[tuple[int, int, int]] = [(0, 0, start)]
    while queue:
        cost, steps, node = heapq.heappop(queue)
        if (cost, steps) != best[node]:
            continue
        if node == goal:
            break
        for neighbour, entry in adjacency[node]:
            step = (0, 0) if hidden[entry] else (values[entry], 1)
            candidate = (cost + step[0], steps + step[1])
            if neighbour not in best or candidate < best[neighbour]:
                best[neighbour] = candidate
                came_by[neighbour] = (node, entry)
                heapq.heappush(queue, (*candidate, neighbour))
    if goal not in came_by:  # pragma: no cover - impossible for a consistent table
        raise AssertionError("no complementary suppression pattern for a hidden entry")
    node = goal
    while node != start:
        node, entry = came_by[node]
        hidden[entry] = True


def _round(value: int, base: int) -> int:
    """Nearest multiple of base, halves up; a non-zero count never shows as 0."""
    rounded = (2 * value + base) // (2 * base) * base
    return base if rounded == 0 and value > 0 else rounded


def protect(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    rules: Rules = DEFAULT_RULES,
) -> Protected:
    """The table as it may be shown: small counts hidden, no hidden count recoverable from
    the shown ones, shown counts rounded. Totals come from the true counts."""
    if len(counts) != len(rows):
        raise ValueError(f"{len(rows)} row labels but {len(counts)} rows of counts")
    for row in counts:
        if len(row) != len(columns):
            raise ValueError(f"{len(columns)} column labels but a row of {len(row)} counts")
        for n in row:
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"counts must be non-negative integers, not {n!r}")
    # Rules validates itself, but a caller may have bypassed __init__.
    if rules.threshold < 2 or rules.base < 1:
        raise ValueError("threshold must be at least 2 and base at least 1")

    table = _Table(counts, len(columns))
    values = table.values
    primary = [0 < v < rules.threshold for v in values]
    hidden = list(primary)
    while True:
        _close_lines(table, hidden)
        bridges = _bridges(table, hidden)
        if not bridges:
            break
        _cover_bridge(table, hidden, bridges[0])

    shown: list[int | None] = [
        None if hidden[e] else _round(v, rules.base) for e, v in enumerate(values)
    ]
    n_rows, n_columns = table.n_rows, table.n_columns
    primary_entries = {table.canonical(e) for e, p in enumerate(primary) if p}
    hidden_entries = {table.canonical(e) for e, h in enumerate(hidden) if h}
    return Protected(
        rows=tuple(rows),
        columns=tuple(columns),
        cells=tuple(
            tuple(shown[table.cell(i, j)] for j in range(n_columns)) for i in range(n_rows)
        ),
        row_totals=tuple(shown[table.row_total(i)] for i in range(n_rows)),
        column_totals=tuple(shown[table.column_total(j)] for j in range(n_columns)),
        total=shown[table.total_entry],
        primary=len(primary_entries),
        secondary=len(hidden_entries - primary_entries),
    )


def protect_counts(counts: Mapping[str, int], rules: Rules = DEFAULT_RULES) -> Protected:
    """A one-way table (label -> count) as a 1-column table whose column is "count"."""
    labels = list(counts)
    return protect(labels, ("count",), [[counts[label]] for label in labels], rules)
