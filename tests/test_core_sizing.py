"""Whole-contract counts: rounding policies and the best mix, checked by brute force."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedger.core.catalog import Contract
from hedger.core.models import ROUNDINGS, Rounding
from hedger.core.planner import build_options
from hedger.core.sizing import SizingError, best_mix, round_count

D = Decimal
PRICE = D(70000)

FAMILIES: list[list[Decimal]] = [
    [D(1), D("0.1"), D("0.01")],
    [D(5), D("0.1")],
    [D("0.5"), D("0.3")],
    [D(5), D("0.3"), D("0.07")],
    [D("0.5"), D("0.3"), D("0.2")],
    [D("0.1"), D("0.04")],
    [D("0.1"), D("0.1")],
]

policies = st.sampled_from(ROUNDINGS)
# Targets in coins with four decimals: finer than any contract, so rounding matters.
small_targets = st.integers(min_value=0, max_value=30_000).map(lambda n: D(n) / D(10_000))
any_targets = st.integers(min_value=0, max_value=10**9).map(lambda n: D(n) / D(10_000))


def total(counts: Sequence[int], sizes: Sequence[Decimal]) -> Decimal:
    return sum((n * s for n, s in zip(counts, sizes, strict=True)), D(0))


def key(target: Decimal, sizes: Sequence[Decimal], counts: Sequence[int]) -> tuple[Decimal, ...]:
    t = total(counts, sizes)
    return (abs(target - t), D(sum(counts)), t)


def allowed(t: Decimal, target: Decimal, policy: Rounding) -> bool:
    return {"down": t <= target, "up": t >= target, "nearest": True}[policy]


def brute_force(target: Decimal, sizes: Sequence[Decimal], policy: Rounding) -> tuple[Decimal, ...]:
    """Best (residual, contracts, total) over every small combination of counts."""
    # No optimum uses more than ceil(target / size) + 1 of a size: dropping one
    # would still cover the target and come closer.
    scale = 10_000
    ints = [int(s * scale) for s in sizes]
    t_int = int(target * scale)
    ranges = [range(-(-t_int // a) + 2) for a in ints]
    best: tuple[int, int, int] | None = None
    for counts in itertools.product(*ranges):
        tot = sum(n * a for n, a in zip(counts, ints, strict=True))
        if policy == "down" and tot > t_int:
            continue
        if policy == "up" and tot < t_int:
            continue
        k = (abs(t_int - tot), sum(counts), tot)
        if best is None or k < best:
            best = k
    assert best is not None
    return (D(best[0]) / scale, D(best[1]), D(best[2]) / scale)


@given(exact=st.integers(0, 10**8).map(lambda n: D(n) / D(1000)), policy=policies)
def test_round_count_respects_its_policy(exact: Decimal, policy: Rounding) -> None:
    n = round_count(exact, policy)
    assert n >= 0
    if policy == "down":
        assert n <= exact < n + 1
    elif policy == "up":
        assert n - 1 < exact <= n
    else:
        assert abs(exact - n) <= D("0.5")


def test_round_count_breaks_halves_towards_fewer_contracts() -> None:
    assert round_count(D("2.5"), "nearest") == 2
    assert round_count(D("2.5000001"), "nearest") == 3
    with pytest.raises(SizingError):
        round_count(D(-1), "nearest")


@given(target=any_targets, family=st.sampled_from(FAMILIES[:2]))
def test_down_never_over_hedges_and_up_never_under_hedges(
    target: Decimal, family: list[Decimal]
) -> None:
    assert total(best_mix(target, family, "down"), family) <= target
    assert total(best_mix(target, family, "up"), family) >= target
    for size in family:
        assert round_count(target / size, "down") * size <= target
        assert round_count(target / size, "up") * size >= target


@given(target=small_targets, family=st.sampled_from(FAMILIES), policy=policies)
@settings(max_examples=150, deadline=None)
def test_mix_is_optimal_against_brute_force(
    target: Decimal, family: list[Decimal], policy: Rounding
) -> None:
    counts = best_mix(target, family, policy)
    assert len(counts) == len(family)
    assert all(n >= 0 for n in counts)
    assert allowed(total(counts, family), target, policy)
    assert key(target, family, counts) == brute_force(target, family, policy)


@given(target=st.integers(0, 150_000).map(lambda n: D(n) / D(10_000)), policy=policies)
@settings(max_examples=60, deadline=None)
def test_cme_mix_is_optimal_up_to_fifteen_bitcoin(target: Decimal, policy: Rounding) -> None:
    family = [D(5), D("0.1")]
    assert key(target, family, best_mix(target, family, policy)) == brute_force(
        target, family, policy
    )


@st.composite
def user_families(draw: st.DrawFn) -> list[Decimal]:
    """One to three sizes between 0.1 and 2, in steps of 0.05, largest first."""
    steps = draw(st.sets(st.integers(2, 40), min_size=1, max_size=3))
    return sorted((D(s) * D("0.05") for s in steps), reverse=True)


@given(
    target=st.integers(0, 15_000).map(lambda n: D(n) / D(10_000)),
    family=user_families(),
    policy=policies,
)
@settings(max_examples=150, deadline=None)
def test_mix_is_optimal_for_irregular_user_families(
    target: Decimal, family: list[Decimal], policy: Rounding
) -> None:
    counts = best_mix(target, family, policy)
    assert key(target, family, counts) == brute_force(target, family, policy)


@given(target=small_targets, policy=policies)
@settings(max_examples=100, deadline=None)
def test_single_tier_nearest_is_optimal(target: Decimal, policy: Rounding) -> None:
    for size in (D("0.3"), D("0.07"), D("0.01")):
        n = round_count(target / size, policy)
        assert key(target, [size], [n]) == brute_force(target, [size], policy)


def test_mix_prefers_fewer_contracts_on_equal_residual() -> None:
    # 0.095: 9 micros and 1 mini both miss by 0.005; the single mini wins.
    assert best_mix(D("0.095"), [D(1), D("0.1"), D("0.01")], "nearest") == [0, 1, 0]
    # 0.5 = 0.3 + 0.2 exactly, but one 0.5 is fewer contracts.
    assert best_mix(D("0.5"), [D("0.5"), D("0.3"), D("0.2")], "nearest") == [1, 0, 0]


def test_mix_prefers_less_margin_on_equal_residual_and_count() -> None:
    # 0.4 sits 0.1 from both 0.3 and 0.5, one contract each: 0.3 ties up less margin.
    assert best_mix(D("0.4"), [D("0.5"), D("0.3")], "nearest") == [0, 1]


def test_largest_sizes_first() -> None:
    assert best_mix(D("0.996"), [D(1), D("0.1"), D("0.01")], "nearest") == [1, 0, 0]
    assert best_mix(D("1.23"), [D(1), D("0.1"), D("0.01")], "nearest") == [1, 2, 3]


def test_down_below_the_smallest_size_hedges_nothing() -> None:
    assert best_mix(D("0.05"), [D("0.5"), D("0.3")], "down") == [0, 0]
    assert best_mix(D("0.05"), [D("0.5"), D("0.3")], "up") == [0, 1]


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(SizingError):
        best_mix(D(-1), [D(1)], "nearest")
    with pytest.raises(SizingError):
        best_mix(D(1), [D("0.1"), D(1)], "nearest")
    with pytest.raises(SizingError):
        best_mix(D(1), [D(0)], "nearest")
    assert best_mix(D(1), [], "nearest") == []


def test_pathological_family_is_refused_not_frozen() -> None:
    sizes = [D("99.97"), D("7.919"), D("3.331"), D("1.009"), D("0.0997"), D("0.00991")]
    with pytest.raises(SizingError, match="too irregular"):
        best_mix(D(100000), sizes, "nearest")


def _linear(size: str, tier: str = "micro") -> Contract:
    return Contract.model_validate(
        {
            "id": f"T:{tier.upper()}{size.replace('.', '_')}",
            "venue": "T",
            "symbol": f"{tier.upper()}{size}",
            "name": f"test {size}",
            "underlying": "BTC",
            "tier": tier,
            "kind": "linear",
            "size": size,
            "source": "test",
            "as_of": "2026-01-01",
        }
    )


FAMILY_CONTRACTS = [_linear("1", "standard"), _linear("0.1", "mini"), _linear("0.01", "micro")]


@given(target_usd=st.integers(0, 10**8).map(lambda n: D(n) / D(100)))
@settings(max_examples=100, deadline=None)
def test_options_follow_the_policy(target_usd: Decimal) -> None:
    down = build_options(target_usd, FAMILY_CONTRACTS, PRICE, "down", D(10))
    up = build_options(target_usd, FAMILY_CONTRACTS, PRICE, "up", D(10))
    nearest = build_options(target_usd, FAMILY_CONTRACTS, PRICE, "nearest", D(10))
    assert [o.name for o in nearest] == ["standard", "mini", "micro", "mix"]
    assert all(o.residual_usd >= 0 for o in down)
    assert all(o.residual_usd <= 0 for o in up)
    mix = nearest[-1]
    assert all(abs(mix.residual_usd) <= abs(o.residual_usd) for o in nearest)
    for o in nearest:
        assert o.hedged_usd + o.residual_usd == target_usd
        assert o.initial_margin_usd == o.hedged_usd / 10
