"""Portfolio questions: rankings, one criterion across zones, a zone's gaps, comparisons.

:mod:`~assistant.portfolio.intent` recognises them (the question planner calls it),
:mod:`~assistant.portfolio.matching` finds the criterion a question means,
:mod:`~assistant.portfolio.answers` answers from the dossier store, and
:mod:`~assistant.portfolio.facts` states and cites one cell.
"""

from assistant.portfolio.intent import PortfolioQuestion, recognise

__all__ = ["PortfolioQuestion", "recognise"]
