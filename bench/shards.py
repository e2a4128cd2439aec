"""Where one SQL statement would run on a Citus cluster of N shards (docs/decisions/0016).

The classifier reads the SQL Django sends to PostgreSQL (parameters already in the text) with
a small tokenizer of its own, not a full parser (sqlglot is not installed; sqlparse is, but
splits Django's quoted names no better than the regular expressions below). It knows the
tables from a `Layout`: distributed tables with the columns that route a row to its shard,
reference tables (a copy on every node), and everything else, which stays on the coordinator
(a Citus local table). A statement is routed as Citus's router planner would route it:

- every distributed table it names is pinned by an equality (or IN list) on a routing column,
  all in one co-location group → the shards of those values (one value: one shard);
- it names a distributed table not so pinned → all N shards;
- only reference and coordinator tables → one node (a write to a reference table → every
  worker node, counted as `nodes`);
- transaction control (BEGIN, SAVEPOINT, SET …) is not counted.

Known approximations, said in the decision record: an equality anywhere in the statement
pins its table (an OR that mixes a pinned branch with an unpinned one is not seen); a pin in
a subquery counts for the table of that subquery. Shards are a stable hash of the value
modulo N (Citus hashes the value into 32-bit ranges: the same uniform spread).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SINGLE = "single-shard"
MULTI = "multi-shard"
REFERENCE = "reference"
REFERENCE_WRITE = "reference-write"
COORDINATOR = "coordinator"
CONTROL = "control"
#: The kinds that run on one node (one shard, one reference copy, the coordinator).
ONE_NODE = (SINGLE, REFERENCE, COORDINATOR)

_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|START\s+TRANSACTION|VACUUM|ANALYZE"
    r"|LOCK|DECLARE|FETCH|CLOSE|NOTIFY|LISTEN|SELECT\s+pg_advisory)",
    re.IGNORECASE,
)
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_NAME = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"')
_ALIAS = re.compile(
    r'"([A-Za-z_][A-Za-z0-9_]*)"\s+(?:AS\s+)?("?[A-Za-z_][A-Za-z0-9_]*"?)(?=[\s,)]|$)'
)
#: Words that follow a table name and are not its alias.
_NOT_ALIAS = frozenset(
    [
        "on",
        "where",
        "join",
        "inner",
        "left",
        "right",
        "full",
        "cross",
        "natural",
        "lateral",
        "group",
        "order",
        "limit",
        "offset",
        "using",
        "set",
        "values",
        "union",
        "except",
        "intersect",
        "window",
        "having",
        "for",
        "returning",
        "as",
        "and",
        "or",
        "select",
        "from",
        "is",
        "in",
        "not",
        "null",
    ]
)
_VALUE = r"(\$L\d+|-?\d+(?:\.\d+)?)"
_QUALIFIER = r'(?:("?[A-Za-z_][A-Za-z0-9_]*"?)\.)?'
_EQUALS = re.compile(_QUALIFIER + r'"([A-Za-z_][A-Za-z0-9_]*)"\s*=\s*' + _VALUE)
_EQUALS_LEFT = re.compile(_VALUE + r"\s*=\s*" + _QUALIFIER + r'"([A-Za-z_][A-Za-z0-9_]*)"')
_JOIN = re.compile(
    _QUALIFIER + r'"([A-Za-z_][A-Za-z0-9_]*)"\s*=\s*' + _QUALIFIER + r'"([A-Za-z_][A-Za-z0-9_]*)"'
)
_ANY = re.compile(
    _QUALIFIER
    + r'"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=\s*ANY\s*\(\s*(ARRAY\[[^\]]*\]|\$L\d+(?:::[\w\s]+\[\])?)\s*\)',
    re.IGNORECASE,
)
_IN = re.compile(_QUALIFIER + r'"([A-Za-z_][A-Za-z0-9_]*)"\s+IN\s*\(([^()]*)\)', re.IGNORECASE)
_WRITE = re.compile(
    r"^\s*(?:WITH\b.*?\)\s*)?(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+\"?(\w+)\"?",
    re.IGNORECASE | re.DOTALL,
)
_INSERT = re.compile(r'^\s*INSERT\s+INTO\s+"(\w+)"\s*\(([^)]*)\)\s*VALUES\s*', re.IGNORECASE)


def shard_of(value, shards: int) -> int:
    """The shard of a routing value: a stable hash of its text, modulo the shard count."""
    digest = hashlib.blake2b(str(value).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


@dataclass(frozen=True)
class Layout:
    """The cluster's tables: `distributed` maps a table to its co-location group and the
    columns whose equality routes it, each with a resolver from the column's value to the
    group's key (identity when the column holds the key; a lookup when it holds, say, the
    member's id and the key is the person's blind index); `reference` are copied to every
    node; any other table stays on the coordinator."""

    distributed: dict[str, tuple[str, dict[str, Callable[[str], object] | None]]]
    reference: frozenset[str] = frozenset()
    known: frozenset[str] = frozenset()  # every table name (to tell tables from aliases)

    def tables(self) -> frozenset[str]:
        return self.known | frozenset(self.distributed) | self.reference


@dataclass
class Route:
    kind: str
    fanout: int
    tables: tuple[str, ...] = ()
    write: bool = False
    unpinned: tuple[str, ...] = field(default=())


def _literals(sql: str) -> tuple[str, list[str]]:
    values: list[str] = []

    def keep(match: re.Match) -> str:
        values.append(match.group(0)[1:-1].replace("''", "'"))
        return f"$L{len(values) - 1}"

    return _LITERAL.sub(keep, sql), values


def _value(token: str, literals: list[str]) -> str:
    return literals[int(token[2:])] if token.startswith("$L") else token


def _array_items(array: str, literals: list[str]) -> list[str] | None:
    """The constants of `ARRAY[...]` or of an array literal `'{a,b}'`, or None if not constant."""
    array = array.strip()
    if array.upper().startswith("ARRAY["):
        items = [item.strip() for item in array[6:-1].split(",")]
        if not all(re.fullmatch(_VALUE, item) for item in items):
            return None
        return [_value(item, literals) for item in items]
    token = array.split("::", 1)[0].strip()
    if not token.startswith("$L"):
        return None
    text = _value(token, literals).strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    return [item.strip().strip('"') for item in text[1:-1].split(",") if item.strip()]


def _split_top(text: str) -> list[str]:
    """Comma-separated items at parenthesis depth 0."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [item for item in items if item]


def _insert_rows(sql: str) -> tuple[str, list[str], list[list[str]]] | None:
    match = _INSERT.match(sql)
    if not match:
        return None
    columns = _NAME.findall(match.group(2))
    rest = sql[match.end() :]
    rows, depth, start = [], 0, None
    for i, ch in enumerate(rest):
        if ch == "(":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                rows.append(_split_top(rest[start:i]))
        elif depth == 0 and ch.isalpha():
            break  # RETURNING, ON CONFLICT …
    return match.group(1), columns, rows


def classify(sql: str, layout: Layout, shards: int, nodes: int | None = None) -> Route:
    """The route of one statement on `shards` shards spread over `nodes` worker nodes."""
    nodes = nodes or shards
    if _CONTROL.match(sql):
        return Route(CONTROL, 0)
    text, literals = _literals(sql)
    known = layout.tables()
    names = _NAME.findall(text)
    tables = sorted({n for n in names if n in known})
    aliases = {
        alias.strip('"'): table
        for table, alias in _ALIAS.findall(text)
        if table in known and alias.strip('"').lower() not in _NOT_ALIAS
    }
    write_match = _WRITE.match(text)
    written = write_match.group(2) if write_match else None
    write = written is not None

    distributed = [t for t in tables if t in layout.distributed]
    if not distributed:
        if written in layout.reference:
            return Route(REFERENCE_WRITE, nodes, tuple(tables), True)
        if any(t in layout.reference for t in tables):
            return Route(REFERENCE, 1, tuple(tables), write)
        return Route(COORDINATOR, 1, tuple(tables), write)

    def owner(qualifier: str | None, column: str) -> list[str]:
        """The distributed tables a (qualified) column may belong to."""
        if qualifier:
            name = qualifier.strip('"')
            table = aliases.get(name, name)
            return [table] if table in distributed else []
        return [t for t in distributed if column in layout.distributed[t][1]]

    keys: dict[str, set] = {t: set() for t in distributed}

    def pin(qualifier: str | None, column: str, values: Iterable[str]) -> None:
        for table in owner(qualifier, column):
            resolver = layout.distributed[table][1].get(column, False)
            if resolver is False:
                continue
            for raw in values:
                key = raw if resolver is None else resolver(raw)
                if key is not None:
                    keys[table].add(key)

    for qualifier, column, value in _EQUALS.findall(text):
        pin(qualifier or None, column, [_value(value, literals)])
    for value, qualifier, column in _EQUALS_LEFT.findall(text):
        pin(qualifier or None, column, [_value(value, literals)])
    for qualifier, column, listed in _IN.findall(text):
        items = [item.strip() for item in listed.split(",")]
        if items and all(re.fullmatch(_VALUE, item) for item in items):
            pin(qualifier or None, column, [_value(item, literals) for item in items])
    for qualifier, column, array in _ANY.findall(text):
        items = _array_items(array, literals)
        if items is not None:
            pin(qualifier or None, column, items)
    inserted = _insert_rows(text)
    if inserted and inserted[0] in keys:
        table, columns, rows = inserted
        for column in columns:
            if column in layout.distributed[table][1]:
                index = columns.index(column)
                pin(
                    f'"{table}"',
                    column,
                    [_value(row[index], literals) for row in rows if len(row) > index],
                )

    # A join on routing columns carries a pin from one co-located table to the other.
    joins = [
        (owner(qa or None, ca), ca, owner(qb or None, cb), cb)
        for qa, ca, qb, cb in _JOIN.findall(text)
    ]
    changed = True
    while changed:
        changed = False
        for left, ca, right, cb in joins:
            for a in left:
                for b in right:
                    if ca not in layout.distributed[a][1] or cb not in layout.distributed[b][1]:
                        continue
                    if layout.distributed[a][0] != layout.distributed[b][0]:
                        continue
                    for x, y in ((a, b), (b, a)):
                        if keys[x] - keys[y]:
                            keys[y] |= keys[x]
                            changed = True
    unpinned = tuple(t for t in distributed if not keys[t])
    groups = {layout.distributed[t][0] for t in distributed}
    if unpinned or len(groups) > 1:
        return Route(MULTI, shards, tuple(tables), write, unpinned)
    hit = {shard_of(k, shards) for found in keys.values() for k in found}
    kind = SINGLE if len(hit) == 1 else MULTI
    return Route(kind, len(hit), tuple(tables), write)


def copy_route(table: str, columns: list[str], rows: list, layout: Layout, shards: int) -> Route:
    """A COPY through the coordinator: each row goes to the shard of its routing value."""
    if table not in layout.distributed:
        kind = REFERENCE_WRITE if table in layout.reference else COORDINATOR
        return Route(kind, shards if kind == REFERENCE_WRITE else 1, (table,), True)
    routing = layout.distributed[table][1]
    for column, resolver in routing.items():
        if column in columns:
            index = columns.index(column)
            keys = {row[index] if resolver is None else resolver(str(row[index])) for row in rows}
            if None not in keys:
                hit = {shard_of(k, shards) for k in keys}
                return Route(SINGLE if len(hit) == 1 else MULTI, len(hit), (table,), True)
    return Route(MULTI, shards, (table,), True, (table,))
