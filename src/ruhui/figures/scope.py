"""Which units a figure is rolled up to, as SQL fragments every figure query shares.

An organization's materialized path starts with the path of each of its ancestors, cut to
`STEP` × depth characters. A record placed at a union is therefore counted at every unit
above it by joining a small table of tree depths `levels(k)` and grouping by
`substr(path, 1, STEP * k)`: one query for all units, however many there are.
"""

from dataclasses import dataclass

from django.db import connection

from ruhui.orgs.models import Organization

STEP = Organization.steplen


@dataclass(frozen=True)
class Scope:
    """Records of `root`'s subtree, each counted at the units above it that the scope reports:
    every unit of the subtree (`subtree`), the root and the level directly below (`children`),
    or the root and the units given (`units`). A unit's figure covers its own subtree."""

    root: Organization
    #: Tree depths reported; None: every depth of the subtree.
    depths: tuple[int, ...] | None = None
    #: Only these units (materialized paths); None: every unit at the depths reported.
    paths: tuple[str, ...] | None = None

    @classmethod
    def subtree(cls, root: Organization) -> "Scope":
        return cls(root=root)

    @classmethod
    def children(cls, root: Organization) -> "Scope":
        return cls(root=root, depths=(root.depth, root.depth + 1))

    @classmethod
    def units(cls, root: Organization, units: list[Organization]) -> "Scope":
        outside = [u.name for u in units if not u.path.startswith(root.path)]
        if outside:
            raise ValueError(f"units outside {root.name}: {outside}")
        chosen = [root, *units]
        return cls(
            root=root,
            depths=tuple(sorted({u.depth for u in chosen})),
            paths=tuple(sorted({u.path for u in chosen})),
        )

    def levels(self) -> tuple[str, list]:
        """The CTE `levels(k)` of the depths reported, and its parameters."""
        if self.depths is None:
            orgs = table(Organization)
            return (
                f"levels(k) AS (SELECT DISTINCT depth FROM {orgs} WHERE path LIKE %s)",  # noqa: S608
                [self.root.path + "%"],
            )
        values = " UNION ALL ".join("SELECT CAST(%s AS INTEGER)" for _ in self.depths)
        return f"levels(k) AS ({values})", list(self.depths)

    @staticmethod
    def unit(path: str) -> str:
        """The reporting unit's path of a record placed at `path` (with `levels l` joined)."""
        return f"substr({path}, 1, {STEP} * l.k)"

    @staticmethod
    def join(path: str) -> str:
        """Joins every depth at or above the record's union (the scope's root and below)."""
        return f"JOIN levels l ON {STEP} * l.k <= length({path})"

    def within(self, path: str) -> tuple[str, list]:
        """Records placed in the root's subtree."""
        return f"{path} LIKE %s", [self.root.path + "%"]

    def reported(self, path: str) -> tuple[str, list]:
        """Counted only at the units the scope reports (with `levels l` joined)."""
        if self.paths is None:
            return "1 = 1", []
        marks = ", ".join("%s" for _ in self.paths)
        return f"{self.unit(path)} IN ({marks})", list(self.paths)

    def where(self, path: str) -> tuple[str, list]:
        """`within` and `reported` together, for a query that filters once."""
        inside, inside_params = self.within(path)
        chosen, chosen_params = self.reported(path)
        return f"{inside} AND {chosen}", inside_params + chosen_params


def month(column: str) -> str:
    """'YYYY-MM' of a date column, the same on PostgreSQL and SQLite."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {column})"


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
