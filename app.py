"""ruin — Streamlit teaching app (thin: widgets -> parameter objects -> engine -> charts)."""

import streamlit as st

from ruin import build_scenario, simulate

st.set_page_config(page_title="ruin — risk of ruin", layout="wide")
st.title("Risk of ruin")
result = simulate(build_scenario({"paths": 2000, "seed": 1}))
st.metric("Probability of ruin", f"{result.ruin.estimate:.2%}")
