"""Write tests/data/round_snapshots.json.gz: RoundResult JSON as kgxp produced it before issue 19's lean result.

Run once, deliberately, with the code to pin (issue 19: /work/main at 1425d07)::

    PYTHONPATH=/work/main/src python tests/data/make_round_snapshots.py

The file holds the scenarios (generated counties, stored as JSON so that a later change
of benchmarks/generator.py cannot move them) and, per case (county × preset × mechanism
× tie-breaking × seed), the whole ``RoundResult.to_json()`` text; for the committed example
county, only its SHA-256 (the full texts would be megabytes). tests/test_round_snapshots.py
compares today's results with them byte for byte. Re-running it rewrites the reference:
do so only for a change of output that is intended, documented and versioned.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generator import generate_county  # noqa: E402

import kgxp  # noqa: E402
from kgxp.model.policy import Mechanism  # noqa: E402

OUT = HERE / "round_snapshots.json.gz"
GENERATED = {"gen-240-s5": (240, 5), "gen-420-s11": (420, 11)}
SEEDS = (0, 7)


def cases(full: bool) -> list[tuple[str, kgxp.Policy, int]]:
    """(name, policy, seed): every preset and mechanism, default and by-score tie-breaking."""
    out = []
    mechanisms = list(Mechanism) if full else [Mechanism.DEFERRED_ACCEPTANCE, Mechanism.OPTIMAL]
    for preset in kgxp.preset_names():
        for mechanism in mechanisms:
            for ties in ("default", "by_score"):
                base = kgxp.preset(preset)
                policy = base.evolve(mechanism=mechanism)
                if ties == "by_score":
                    policy = policy.evolve(tie_breakers=())
                for seed in SEEDS if ties == "by_score" else SEEDS[:1]:
                    out.append((f"{preset}/{mechanism.value}/{ties}/seed{seed}", policy, seed))
    return out


def main() -> int:
    scenarios: dict[str, str] = {}
    results: dict[str, str] = {}
    digests: dict[str, str] = {}
    for name, (teachers, seed) in GENERATED.items():
        scenario = kgxp.parse_scenario(generate_county(teachers, seed=seed))
        scenarios[name] = kgxp.dump_scenario(scenario)
        for case, policy, lottery in cases(full=True):
            results[f"{name}/{case}"] = kgxp.run_round(
                scenario, policy=policy, seed=lottery
            ).to_json()
    example = kgxp.load_scenario(ROOT / "examples" / "ziyang_county.json")
    for case, policy, lottery in cases(full=False):
        text = kgxp.run_round(example, policy=policy, seed=lottery).to_json()
        digests[f"example/{case}"] = hashlib.sha256(text.encode()).hexdigest()
    document = {
        "made_with": kgxp.__version__,
        "scenarios": scenarios,
        "results": results,
        "sha256": digests,
    }
    data = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=0).encode()
    OUT.write_bytes(gzip.compress(data, mtime=0))
    print(f"{len(results)} results, {len(digests)} digests, {OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
