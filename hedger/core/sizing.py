"""Whole-contract counts: single-size rounding and the best mix of sizes.

All arithmetic is Decimal. Binary floats get 0.29 / 0.01 wrong (28.999...),
which would put the user one contract off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hedger.core.models import Rounding

# A non-divisible user family could make the search explode; beyond this many
# candidate combinations we refuse rather than freeze the app.
MAX_SEARCH = 250_000


class SizingError(ValueError):
    pass


def round_count(exact: Decimal, policy: Rounding) -> int:
    """Whole contracts for an exact fractional count (exact >= 0).

    ``nearest`` breaks an exact half towards fewer contracts.
    """
    if exact < 0:
        raise SizingError("contract count must be computed on a magnitude")
    floor = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    if policy == "down":
        return floor
    ceil = int(exact.to_integral_value(rounding=ROUND_CEILING))
    if policy == "up":
        return ceil
    return floor if exact - floor <= ceil - exact else ceil


def _allowed(total: Decimal, target: Decimal, policy: Rounding) -> bool:
    if policy == "down":
        return total <= target
    if policy == "up":
        return total >= target
    return True


def best_mix(target: Decimal, sizes: Sequence[Decimal], policy: Rounding) -> list[int]:
    """Counts per size (sizes largest first) whose total best matches target.

    Minimises |target - total| under the rounding policy, then the number of
    contracts, then the total (less margin). ``target`` is a magnitude in the
    sizes' unit (coins for linear contracts, USD for inverse).
    """
    if target < 0:
        raise SizingError("target must be a magnitude")
    if not sizes:
        return []
    if any(s <= 0 for s in sizes):
        raise SizingError("contract sizes must be positive")
    if list(sizes) != sorted(sizes, reverse=True):
        raise SizingError("sizes must be ordered largest first")
    if _is_divisible_chain(sizes):
        return _mix_divisible(target, sizes, policy)
    return _mix_search(target, sizes, policy)


def _is_divisible_chain(sizes: Sequence[Decimal]) -> bool:
    return all(sizes[i] % sizes[i + 1] == 0 for i in range(len(sizes) - 1))


def _decompose(total_units_of_smallest: int, sizes: Sequence[Decimal]) -> list[int]:
    # With each size a multiple of the next, greedy largest-first is the
    # fewest-contracts way to write a total.
    smallest = sizes[-1]
    counts = []
    rest = total_units_of_smallest
    for s in sizes:
        per = int(s / smallest)
        n, rest = divmod(rest, per)
        counts.append(n)
    return counts


def _key(
    target: Decimal, sizes: Sequence[Decimal], counts: Sequence[int]
) -> tuple[Decimal, int, Decimal]:
    total = sum((n * s for n, s in zip(counts, sizes, strict=True)), Decimal(0))
    return abs(target - total), sum(counts), total


def _mix_divisible(target: Decimal, sizes: Sequence[Decimal], policy: Rounding) -> list[int]:
    smallest = sizes[-1]
    exact = target / smallest
    floor = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    ceil = int(exact.to_integral_value(rounding=ROUND_CEILING))
    if policy == "down":
        candidates = [floor]
    elif policy == "up":
        candidates = [ceil]
    else:
        candidates = [floor] if floor == ceil else [floor, ceil]
    options = [_decompose(c, sizes) for c in candidates]
    return min(options, key=lambda cs: _key(target, sizes, cs))


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _mix_search(target: Decimal, sizes: Sequence[Decimal], policy: Rounding) -> list[int]:
    # Exact integer quanta: target and sizes scaled by the same power of ten.
    # Decimal arithmetic in the inner loop would make a large search take
    # seconds; Python ints keep it to a fraction of that and stay exact.
    places = max(_decimals(v) for v in (*sizes, target))
    ints = [int(s.scaleb(places)) for s in sizes]
    goal = int(target.scaleb(places))
    big = ints[0]
    # In a fewest-contracts solution a smaller size j never appears
    # lcm(a_i, a_j)/a_j times for a larger i: swapping for size i is shorter.
    bounds = [0]
    for j in range(1, len(ints)):
        lim = min(math.lcm(ints[i], ints[j]) // ints[j] for i in range(j))
        reach = -(-goal // ints[j]) + 1
        bounds.append(min(lim - 1, reach))
    combos = 1
    for b in bounds[1:]:
        combos *= b + 1
    if combos > MAX_SEARCH:
        raise SizingError("this family's sizes are too irregular to mix; pick a single contract")

    last = len(ints) - 1
    counts = [0] * len(ints)
    best: list[int] = [0] * len(ints)
    best_key: tuple[int, int, int] | None = None

    def finish(used: int, count: int) -> None:
        # The largest size takes whatever is left, rounded either way.
        nonlocal best, best_key
        remaining = goal - used
        lo = remaining // big if remaining > 0 else 0
        for n1 in (lo, lo + 1):
            total = used + n1 * big
            if (policy == "down" and total > goal) or (policy == "up" and total < goal):
                continue
            key = (abs(goal - total), count + n1, total)
            if best_key is None or key < best_key:
                best_key = key
                counts[0] = n1
                best = list(counts)

    def visit(j: int, used: int, count: int) -> None:
        size = ints[j]
        for n in range(bounds[j] + 1):
            # More of this size only overshoots further: nothing to gain.
            if best_key is not None and used - goal > best_key[0]:
                break
            if policy == "down" and used > goal:
                break
            counts[j] = n
            if j == last:
                finish(used, count + n)
            else:
                visit(j + 1, used, count + n)
            used += size
        counts[j] = 0

    if last == 0:
        finish(0, 0)
    else:
        visit(1, 0, 0)
    return best
