"""Benchmark ruhui.core.idnumber.parse on 200,000 generated valid ID numbers.

Run: PYTHONPATH=src .venv/bin/python bench/bench_idnumber.py [--count N] [--repeat R]
Prints the best of R runs in IDs per second on one core. Needs no Django settings.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date

from ruhui.core import divisions, idnumber


def generate(count: int, seed: int = 2260) -> list[str]:
    """Return ``count`` valid 18-digit ID numbers from known county codes and real dates."""
    rng = random.Random(seed)
    regions = sorted(code for code in divisions.known_codes() if not code.endswith("00"))
    first = date(1900, 1, 1).toordinal()
    last = date.today().toordinal()
    numbers = []
    for _ in range(count):
        born = date.fromordinal(rng.randint(first, last))
        first17 = f"{rng.choice(regions)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        numbers.append(first17 + idnumber.checksum_char(first17))
    return numbers


def run(numbers: list[str]) -> float:
    """Parse every number once and return the elapsed seconds."""
    parse = idnumber.parse
    start = time.perf_counter()
    for number in numbers:
        parse(number)
    return time.perf_counter() - start


def main() -> None:
    """Generate the IDs, time several passes and print the best rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    numbers = generate(args.count)
    idnumber.parse(numbers[0])  # load the division table outside the timed loop
    best = min(run(numbers) for _ in range(args.repeat))
    rate = len(numbers) / best
    print(f"parse: {len(numbers):,} valid IDs in {best:.3f} s = {rate:,.0f} ids/second")
    valid = sum(idnumber.is_valid(n) for n in numbers)
    print(f"is_valid: {valid:,} of {len(numbers):,} accepted")


if __name__ == "__main__":
    main()
