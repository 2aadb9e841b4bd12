"""I11 over generated event histories (kgxp.testing.waiting_histories), default and Wuhan-like."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kgxp import Policy
from kgxp.testing import waiting_histories
from kgxp.waiting.state_machine import WaitingState, replay

POLICIES = [Policy(), Policy.preset("wuhan_like")]


@given(st.sampled_from(POLICIES), st.data())
def test_flag_exactly_at_the_limit(policy: Policy, data: st.DataObject) -> None:
    start, events = data.draw(waiting_histories(policy))
    limit = policy.waiting_limit_semesters
    for status in replay(start, events, policy):
        flagged = status.state in {WaitingState.DISMISSAL_REVIEW, WaitingState.CONTRACT_ENDED}
        if status.state.is_waiting or flagged:
            assert flagged == (status.streak >= limit), (status, limit)
