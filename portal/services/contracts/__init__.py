"""Lease contracts: amortization, indexation, the screens' queries and exports, payoff estimate and
annual statements."""
