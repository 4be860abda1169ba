"""The aisle graph of a layout and its all-pairs shortest paths (scipy ``csgraph``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from wujie.stores.errors import LayoutInvalid
from wujie.stores.layout import StoreLayout


@dataclass(frozen=True)
class AisleGraph:
    """Aisle nodes (indexed), their coordinates, distances and shortest-path predecessors."""

    names: tuple[str, ...]
    xy: npt.NDArray[np.float64]
    distance: npt.NDArray[np.float64]
    predecessor: npt.NDArray[np.int32]

    def index(self, name: str) -> int:
        """Return the index of node ``name``."""
        return self.names.index(name)

    def path(self, start: int, end: int) -> list[int]:
        """Return the node indices of a shortest path from ``start`` to ``end`` (both included)."""
        nodes = [end]
        while nodes[-1] != start:
            nodes.append(int(self.predecessor[start, nodes[-1]]))
        return nodes[::-1]


def aisle_graph(layout: StoreLayout) -> AisleGraph:
    """Build the graph of ``layout`` and solve all shortest paths (Dijkstra).

    Raises
    ------
    LayoutInvalid
        When some node cannot be reached from the others.
    """
    names = tuple(layout.nodes)
    position = {name: i for i, name in enumerate(names)}
    xy = np.array([layout.nodes[n] for n in names], dtype=np.float64)
    a = np.array([position[e[0]] for e in layout.edges], dtype=np.int64)
    b = np.array([position[e[1]] for e in layout.edges], dtype=np.int64)
    length = np.hypot(*(xy[a] - xy[b]).T)
    matrix = coo_matrix((length, (a, b)), shape=(len(names), len(names))).tocsr()
    parts, labels = connected_components(matrix, directed=False)
    if parts != 1:
        stranded = [names[i] for i in np.flatnonzero(labels != labels[0])[:5]]
        raise LayoutInvalid(f"the aisle graph is not connected (e.g. {stranded} cannot be reached)")
    distance, predecessor = shortest_path(matrix, directed=False, return_predecessors=True)
    return AisleGraph(names, xy, distance, predecessor.astype(np.int32))
