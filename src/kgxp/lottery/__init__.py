"""Lottery odds (抽签): how much a round's outcome owes to the draw (layer 6, beside views).

:mod:`~kgxp.lottery.replay` replays one county's round under many seeds, placements
only; :mod:`~kgxp.lottery.odds` turns the draws into per-teacher odds with confidence
intervals (:func:`lottery_odds`).
"""
