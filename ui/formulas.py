"""Formulas and definitions (an expander at the foot of the page).

The expander draws its formulas only once it is opened (``on_change="rerun"``): typeset,
they were about 2,000 of the page's 5,500 browser nodes and some 0.6 s of a new session's
rendering, paid by every student whether or not they looked.
"""

from __future__ import annotations

import streamlit as st


def render() -> None:
    box = st.expander("Formulas and definitions", key="_formulas_open", on_change="rerun")
    if not box.open:
        return
    with box:
        st.markdown(
            "**Outcomes in R.** A trade wins $b$ R (the payoff) with probability $p$ "
            "and loses 1 R otherwise. Fractional sizing risks $f$ of current equity:"
        )
        st.latex(r"E_{t+1} = E_t\,(1 + f\,r_t),\qquad r_t \in \{b, -1\}")
        st.markdown("Fixed sizing risks $f$ of the starting equity $E_0$ every trade:")
        st.latex(r"E_{t+1} = \max\bigl(0,\; E_t + f\,E_0\, r_t\bigr)")
        st.markdown(
            "**Ruin** is the first trade after which $E_t \\le \\ell E_0$ (the ruin "
            "level); it is permanent. **Maximum drawdown** is the worst fall from a "
            "running peak (the start counts as a peak):"
        )
        st.latex(r"\mathrm{MDD} = \max_{t}\; \frac{\max_{s\le t} E_s - E_t}{\max_{s\le t} E_s}")
        st.markdown("**Kelly fraction** (growth-optimal risk) and the growth rate per trade:")
        st.latex(r"f^* = p - \frac{1-p}{b},\qquad g(f) = p\ln(1+bf) + (1-p)\ln(1-f)")
        st.markdown(
            "**Gambler's ruin** (payoff 1, fixed stake, $i$ stakes above ruin, no "
            "target, $p > \\tfrac12$):"
        )
        st.latex(r"P(\text{ruin}) = \left(\frac{1-p}{p}\right)^{i}")
        st.markdown("**95% Wilson interval** for a share $\\hat p$ of $n$ paths:")
        st.latex(
            r"\frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n} + "
            r"\frac{z^2}{4n^2}}}{1 + \frac{z^2}{n}},\qquad z = 1.96"
        )
        st.markdown(
            "**Liquidation price** of an isolated long at leverage $L$ with "
            "maintenance margin rate $m$ (no fees); trading guides use the "
            "approximation on the right:"
        )
        st.latex(r"P_{\text{liq}} = P_0\,\frac{1 - 1/L}{1 - m}\;\approx\; P_0\,(1 - 1/L + m)")
        st.markdown(
            "**Chance a driftless price touches a level** a fraction $d$ away within "
            "time $T$ at volatility $\\sigma$ (reflection principle):"
        )
        st.latex(r"P(\text{touch}) = 2\,\Phi\!\left(-\frac{\ln(1/(1-d))}{\sigma\sqrt{T}}\right)")
