import pytest

from ruin.errors import ParameterError
from ruin.funding import funding_cost
from ruin.margin import (
    adverse_move_to_liquidation,
    liquidation_price,
    liquidation_price_tiered,
    maintenance,
    make_tiers,
    position_size,
)
from ruin.venues import venue

# ---------------------------------------------------------------- liquidation price


def test_hyperliquid_20x_btc_long_worked_example():
    # perps.md 1.1: $1,000 margin, 20x BTC long at 100,000 (q = 0.2), MMR 1.25%
    r = liquidation_price(100_000, 20, 0.0125, qty=0.2)
    assert r.liquidation_price == pytest.approx(96_202.53, abs=0.005)
    assert r.bankruptcy_price == pytest.approx(95_000.0)
    assert r.adverse_move == pytest.approx(0.037975, abs=5e-6)
    assert r.margin == pytest.approx(1_000.0)
    # the guides' approximation Entry x (1 - 1/L + MMR)
    assert r.approx_liquidation_price == pytest.approx(96_250.0)


@pytest.mark.parametrize(
    ("mmr", "long_px", "short_px"),
    [
        (0.0125, 96_202.53, 103_703.70),
        (0.012, 96_153.85, 103_754.94),
        (0.005, 95_477.39, 104_477.61),
        (0.004, 95_381.53, 104_581.67),
    ],
)
def test_perps_table_prices_long_and_short(mmr, long_px, short_px):
    lo = liquidation_price(100_000, 20, mmr, side="long", qty=0.2)
    sh = liquidation_price(100_000, 20, mmr, side="short", qty=0.2)
    assert lo.liquidation_price == pytest.approx(long_px, abs=0.006)
    assert sh.liquidation_price == pytest.approx(short_px, abs=0.006)
    assert sh.bankruptcy_price == pytest.approx(105_000.0)
    assert sh.approx_liquidation_price == pytest.approx(100_000 * (1 + 1 / 20 - mmr))


@pytest.mark.parametrize(
    ("name", "move"),
    [("hyperliquid", 0.03797), ("dydx", 0.03846), ("bybit", 0.04523), ("binance", 0.04618)],
)
def test_each_venue_btc_tier1_20x_long_adverse_move(name, move):
    v = venue(name)
    assert adverse_move_to_liquidation(20, v.mmr("btc")) == pytest.approx(move, abs=5e-6)
    # the same number from the full price function
    r = liquidation_price(100_000, 20, v.mmr("btc"), max_leverage=v.max_leverage("btc"))
    assert r.adverse_move == pytest.approx(move, abs=5e-6)


def test_closed_forms_long_short():
    for lev, mmr in [(2, 0.0125), (10, 0.02), (25, 0.0125), (40, 0.0125)]:
        lo = liquidation_price(50.0, lev, mmr)
        sh = liquidation_price(50.0, lev, mmr, side="short")
        assert lo.liquidation_price == pytest.approx(50 * (1 - 1 / lev) / (1 - mmr))
        assert sh.liquidation_price == pytest.approx(50 * (1 + 1 / lev) / (1 + mmr))
        assert lo.adverse_move == pytest.approx(adverse_move_to_liquidation(lev, mmr))
        assert sh.adverse_move == pytest.approx(adverse_move_to_liquidation(lev, mmr, "short"))


def test_hl_table_adverse_moves():
    # perps.md 1.1 second table (HL BTC 1.25%, ETH 2%, altcoin 5%)
    assert adverse_move_to_liquidation(2, 0.0125) == pytest.approx(0.4937, abs=5e-5)
    assert adverse_move_to_liquidation(5, 0.02) == pytest.approx(0.1837, abs=5e-5)
    assert adverse_move_to_liquidation(10, 0.05) == pytest.approx(0.0526, abs=5e-5)
    assert adverse_move_to_liquidation(40, 0.0125) == pytest.approx(0.0127, abs=5e-5)


def test_equity_at_liquidation_price_equals_maintenance():
    # the defining condition, with fees and a maintenance amount
    q, pe, lev, mmr, cum, fees = 3.0, 2_000.0, 10.0, 0.01, 25.0, 12.0
    for side, s in (("long", 1), ("short", -1)):
        r = liquidation_price(
            pe, lev, mmr, side=side, qty=q, maintenance_amount=cum, fees_paid=fees
        )
        p = r.liquidation_price
        equity = r.margin - fees + s * q * (p - pe)
        assert equity == pytest.approx(mmr * q * p - cum, rel=1e-12)
        assert r.margin - fees + s * q * (r.bankruptcy_price - pe) == pytest.approx(0, abs=1e-9)


def test_bybit_documented_example_uses_entry_notional():
    # Bybit USDT contract doc: 50x long at 20,000, MMR 0.5% -> LP 19,700 (MM on entry value)
    v = venue("bybit")
    r = liquidation_price(20_000, 50, v.mmr("btc"), maintenance_basis=v.maintenance_basis)
    assert r.liquidation_price == pytest.approx(19_700.0)
    # which is also the guides' approximation Entry x (1 - 1/L + MMR)
    assert r.liquidation_price == pytest.approx(r.approx_liquidation_price)
    # and at 20x Bybit's own formula gives 4.5%, not the 4.523% of the 1.1 formula
    r20 = liquidation_price(100_000, 20, v.mmr("btc"), maintenance_basis=v.maintenance_basis)
    assert r20.adverse_move == pytest.approx(0.045)
    # the mark-notional formula of 1.1 gives a slightly different price
    r2 = liquidation_price(20_000, 50, 0.005)
    assert r2.liquidation_price == pytest.approx(20_000 * (1 - 1 / 50) / (1 - 0.005))
    assert r2.liquidation_price != pytest.approx(19_700.0, abs=1.0)


def test_gmx_v2_example_with_close_fee():
    # perps.md 1.1: GMX v2 minCollateralFactor 1%, 6 bp close fee, 20x long -> 96,060 / 3.94%
    r = liquidation_price(
        100_000,
        20,
        0.01,
        qty=0.2,
        fees_paid=0.0006 * 20_000,
        maintenance_basis=venue("gmx_v2").maintenance_basis,
    )
    assert r.liquidation_price == pytest.approx(96_060.0)
    assert r.adverse_move == pytest.approx(0.0394)


def test_long_at_1x_cannot_be_liquidated():
    r = liquidation_price(100.0, 1, 0.0)
    assert r.liquidation_price == 0.0 and r.adverse_move == 1.0


def test_validation_messages():
    with pytest.raises(ParameterError, match=r"leverage must be at least 1 .*got 0.5"):
        liquidation_price(100, 0.5, 0.01)
    with pytest.raises(ParameterError, match=r"instant liquidation"):
        liquidation_price(100, 20, 0.05)
    with pytest.raises(ParameterError, match=r"entry must be greater than 0"):
        liquidation_price(0, 20, 0.01)
    with pytest.raises(ParameterError, match=r"at most 40.*got 50"):
        liquidation_price(100, 50, 0.01, max_leverage=40)
    with pytest.raises(ParameterError, match=r"side must be one of"):
        liquidation_price(100, 5, 0.01, side="up")
    with pytest.raises(ParameterError, match=r"qty"):
        liquidation_price(100, 5, 0.01, maintenance_amount=10)
    with pytest.raises(ParameterError, match=r"instant liquidation"):
        liquidation_price(100, 10, 0.01, qty=1, fees_paid=9.5)  # fees eat the margin
    with pytest.raises(ParameterError, match=r"mmr must be"):
        adverse_move_to_liquidation(10, -0.01)


# ---------------------------------------------------------------- tiers


def test_binance_cum_recursion():
    tiers = venue("binance").tiers["btc"]
    assert [t.maintenance_amount for t in tiers[:5]] == [0.0, 50.0, 1_300.0, 16_300.0, 266_300.0]
    assert [t.maintenance_amount for t in tiers[5:]] == [
        1_266_300.0,
        2_516_300.0,
        5_016_300.0,
        25_016_300.0,
        100_016_300.0,
    ]
    # maintenance margin is continuous at every bracket boundary
    for lo_t, hi_t in zip(tiers, tiers[1:], strict=False):
        b = hi_t.floor
        assert b * lo_t.mmr - lo_t.maintenance_amount == pytest.approx(
            b * hi_t.mmr - hi_t.maintenance_amount
        )


def test_maintenance_lookup():
    tiers = venue("binance").tiers["btc"]
    assert maintenance(0.0, tiers) == (0.004, 0.0)
    assert maintenance(49_999.0, tiers) == (0.004, 0.0)
    assert maintenance(50_000.0, tiers) == (0.005, 50.0)
    assert maintenance(5e6, tiers) == (0.025, 16_300.0)
    assert maintenance(1e12, tiers) == (0.5, 100_016_300.0)
    with pytest.raises(ParameterError, match="notional"):
        maintenance(-1.0, tiers)


def test_hyperliquid_mmr_is_half_initial_at_max_leverage():
    for tiers in venue("hyperliquid").tiers.values():
        for t in tiers:
            assert t.mmr == pytest.approx(1 / (2 * t.max_leverage))


def test_tiered_liquidation_recomputes_when_crossing_a_bracket():
    tiers = venue("binance").tiers["btc"]
    # 1.2 BTC at 50,000 = 60,000 notional (bracket 2, MMR 0.5%, cum 50). A long at 20x
    # liquidates near 47,600 -> 57,000 notional, still bracket 2.
    r = liquidation_price_tiered(50_000, 1.2, 20, tiers)
    assert r.mmr == 0.005 and r.maintenance_amount == 50.0
    # A 2x long of 1.1 BTC at 50,000 (55,000 notional, bracket 2) liquidates near 25,000:
    # 27,500 notional is in bracket 1, so the price is recomputed with MMR 0.4%, cum 0.
    r = liquidation_price_tiered(50_000, 1.1, 2, tiers)
    assert r.mmr == 0.004 and r.maintenance_amount == 0.0
    assert r.liquidation_price == pytest.approx(50_000 * 0.5 / 0.996)
    mmr, _ = maintenance(1.1 * r.liquidation_price, tiers)
    assert mmr == r.mmr
    # the venue maximum of the entry bracket applies
    with pytest.raises(ParameterError, match="at most 100"):
        liquidation_price_tiered(50_000, 1.1, 125, tiers)


def test_make_tiers_validation():
    with pytest.raises(ParameterError, match="floor"):
        make_tiers([10, 20], [0.01, 0.02])
    with pytest.raises(ParameterError, match="tiers"):
        make_tiers([0, 20], [0.01])


# ---------------------------------------------------------------- sizing


def test_textbook_position_size():
    r = position_size(10_000, 0.02, 0.05, 5, 0.005)
    assert (r.risk_usd, r.notional, r.margin) == (200.0, 4_000.0, 800.0)
    assert r.stop_before_liquidation and r.margin_fits
    assert r.loss_at_stop == pytest.approx(200.0)
    assert r.liquidation_distance == pytest.approx((1 / 5 - 0.005) / (1 - 0.005))


def test_position_size_fees_and_liquidation_first():
    r = position_size(10_000, 0.02, 0.05, 5, 0.005, fee_bps=5)
    # 4,000 x 5% + 5 bp on 4,000 entry + 5 bp on 3,800 exit notional
    assert r.loss_at_stop == pytest.approx(200 + 2.0 + 1.9)
    assert r.fee_adjusted_notional * (0.05 + 0.0005 * (2 - 0.05)) == pytest.approx(200.0)
    s = position_size(10_000, 0.02, 0.05, 5, 0.005, fee_bps=5, side="short")
    assert s.loss_at_stop == pytest.approx(200 + 2.0 + 2.1)
    # 20x with a 5% stop: liquidation (3.8% HL) comes first
    r = position_size(10_000, 0.02, 0.05, 20, 0.0125)
    assert not r.stop_before_liquidation
    # tiny stop, low leverage: margin does not fit in capital
    r = position_size(10_000, 0.02, 0.001, 5, 0.005)
    assert r.notional == pytest.approx(200_000) and not r.margin_fits


def test_position_size_validation():
    with pytest.raises(ParameterError, match=r"stop must be between 0 and 1.*got 0"):
        position_size(10_000, 0.02, 0, 5, 0.005)
    with pytest.raises(ParameterError, match=r"stop must be"):
        position_size(10_000, 0.02, -0.05, 5, 0.005)
    with pytest.raises(ParameterError, match=r"capital must be greater than 0"):
        position_size(-1, 0.02, 0.05, 5, 0.005)
    with pytest.raises(ParameterError, match=r"risk must be"):
        position_size(10_000, 2, 0.05, 5, 0.005)
    with pytest.raises(ParameterError, match=r"instant liquidation"):
        position_size(10_000, 0.02, 0.05, 50, 0.02)
    with pytest.raises(ParameterError, match=r"fee_bps"):
        position_size(10_000, 0.02, 0.05, 5, 0.005, fee_bps=-1)


# ---------------------------------------------------------------- funding


def test_funding_anchor_30_days():
    r = funding_cost(0.0001, 8, 30 * 24, leverage=10)
    assert r.payments == 90
    assert r.notional_paid == pytest.approx(0.009)
    assert r.margin_paid == pytest.approx(0.09)
    assert r.annualised_simple == pytest.approx(0.1095)
    d = r.as_dict()
    assert d["fraction_of_notional"] == pytest.approx(0.009) and d["payer"] == "longs"
    # the receiving side gets exactly what the paying side pays (-0.05% x 720 = 36%)
    got = funding_cost(-0.0005, 1, 720, side="long")
    paid = funding_cost(-0.0005, 1, 720, side="short")
    assert got.notional_paid == pytest.approx(-0.36) == -paid.notional_paid


def test_funding_table_rows_and_floor():
    # perps.md 2: 0.05%/8h over 7 days = 1.05%; 0.03%/8h at 10x for 30 days = 27% of margin
    assert funding_cost(0.0005, 8, 7 * 24).notional_paid == pytest.approx(0.0105)
    assert funding_cost(0.0003, 8, 720, 10).margin_paid == pytest.approx(0.27)
    # only completed intervals are paid
    assert funding_cost(0.0001, 8, 7.99).payments == 0
    assert funding_cost(0.0001, 8, 8).payments == 1
    assert funding_cost(-0.00005, 8, 24).notional_paid == pytest.approx(-0.00015)


def test_funding_validation():
    with pytest.raises(ParameterError, match="interval_hours"):
        funding_cost(0.0001, 0, 10)
    with pytest.raises(ParameterError, match="hours"):
        funding_cost(0.0001, 8, -1)
    with pytest.raises(ParameterError, match="leverage"):
        funding_cost(0.0001, 8, 10, leverage=0.5)
