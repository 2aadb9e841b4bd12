from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kgxp.cli import main
from tests.factories import appeal_data, scenario_data


def test_validate_ok(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(example_path)]) == 0
    assert "valid — 48 schools" in capsys.readouterr().out


def test_validate_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = scenario_data()
    data["teachers"][0]["school"] = "NOPE"
    data["posts"][0]["reserved"] = 9
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "2 problems" in err
    assert "teachers[0] (id=T1).school" in err
    assert "posts[0] (id=A-CHN).reserved" in err


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/no/such/file.json"]) == 2
    assert "No such file" in capsys.readouterr().err


def test_summary_and_demo(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(example_path)]) == 0
    out = capsys.readouterr().out
    assert "紫阳县 (示例)" in out
    assert "距法定退休年龄不足三年" in out and "near_retirement" not in out
    assert "并入蒿坪镇中心小学" in out
    assert main(["summary", str(example_path), "--policy", "wuhan_like"]) == 0
    assert "武汉式方案" in capsys.readouterr().out
    assert main(["summary", str(example_path), "--policy", "wuhan_like", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Wuhan-style policy" in out and "less than three years before retirement" in out


def test_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "Scenario"


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2


def _appeal_pair(tmp_path: Path) -> tuple[Path, Path]:
    """A one-seat county where b's score was mis-entered (80, corrected to 88)."""
    paths = []
    for score in (80.0, 88.0):
        data = appeal_data(score)
        path = tmp_path / f"county_{int(score)}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def test_compare_two_scenarios_shows_who_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published, corrected = _appeal_pair(tmp_path)
    assert main(["compare", str(published), str(corrected)]) == 0
    out = capsys.readouterr().out
    assert "经复核，2名教师的竞聘结果发生变化，1个岗位的聘用人员有调整" in out
    assert "校内竞聘上岗：学校A语文，综合得分88.00" in out
    assert "学校A语文岗位由综合得分更高的教师聘用（获聘最低分88.00，本人85.00分）" in out
    assert "公示结果与复核后的校际差异系数" in out  # both scenarios known: metrics included


def test_compare_appeal_against_a_published_result_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kgxp import load_scenario, run_round

    published, corrected = _appeal_pair(tmp_path)
    # The published round used a non-default seed; the appeal re-run must reuse it.
    result = run_round(load_scenario(published), seed=77)
    result_path = tmp_path / "published_result.json"
    result_path.write_text(result.to_json(), encoding="utf-8")
    assert main(["compare", str(result_path), str(corrected), "--format", "json"]) == 0
    comparison = json.loads(capsys.readouterr().out)
    assert comparison["same_policy"] is True
    assert [c["teacher"] for c in comparison["changed"]] == ["a", "b"]
    assert comparison["metrics_before"] is None  # A's scenario was not given
    assert (
        main(
            [
                "compare",
                str(result_path),
                str(corrected),
                "--scenario-a",
                str(published),
                "--format",
                "markdown",
            ]
        )
        == 0
    )
    assert "## 公示结果与复核后的校际差异系数" in capsys.readouterr().out


def test_compare_rejects_a_broken_result_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published, _ = _appeal_pair(tmp_path)
    broken = tmp_path / "broken_result.json"
    broken.write_text('{"outcomes": 3}', encoding="utf-8")
    assert main(["compare", str(broken), str(published)]) == 1
    assert "not a valid kgxp result" in capsys.readouterr().err


def test_run_out_dir_writes_results_reports_and_publication_lists(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kgxp import RoundResult, load_scenario

    out = tmp_path / "out"
    assert main(["run", str(example_path), "--out", str(out), "--quiet", "--verify"]) == 0
    assert "wrote" in capsys.readouterr().out
    result = RoundResult.model_validate_json((out / "result.json").read_bytes())
    assert len(result.outcomes) == len(load_scenario(example_path).teachers)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# 紫阳县 (示例)")
    assert "## 待岗人员（" in markdown and "## 附：政策依据" in markdown
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page
    assert "above_required_qualification" not in page and ">NO<" not in page
    assert page.count("<svg") == 2  # movement and balance plots
    assert any(p.suffix == ".xlsx" for p in out.rglob("*"))
    assert len(list(out.rglob("*.csv"))) > 48  # one publication list per school, and more


def test_run_redact_leaves_no_teacher_name(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kgxp import load_scenario

    out = tmp_path / "out"
    assert (
        main(["run", str(example_path), "--out", str(out), "--redact", "--formats", "csv,json"])
        == 0
    )
    printed = capsys.readouterr().out
    names = {t.name for t in load_scenario(example_path).teachers}
    texts = [printed] + [p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()]
    leaked = {name for name in names for text in texts if name in text}
    assert not leaked


def test_run_rejects_unknown_format(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["run", str(example_path), "--formats", "pdf", "--quiet", "--out", str(tmp_path)]) == 2
    )
    assert "unknown format(s) pdf" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_validate_and_run_a_roster(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = example_path.with_name("ziyang_roster.xlsx")
    assert main(["validate", str(roster)]) == 0
    assert "valid — 48 schools, 522 posts, 2431 teachers" in capsys.readouterr().out
    from kgxp import load_scenario, write_roster

    folder = write_roster(load_scenario(example_path), tmp_path / "csv")
    teachers = folder / "教师.csv"
    lines = teachers.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace(",男,", ",M?,").replace(",女,", ",M?,")
    teachers.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    assert main(["validate", str(folder)]) == 1
    assert "教师.csv row 4.性别 (column K): unknown value 'M?'" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["run", str(roster), "--out", str(out), "--formats", "json", "--quiet"]) == 0
    assert (out / "publication.json").is_file()


def test_run_posts_lists_with_the_notice(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = tmp_path / "notice.json"
    notice.write_text(
        json.dumps({"issuer": "紫阳县教育体育局", "working_days": 7}, ensure_ascii=False),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["run", str(example_path), "--out", str(out), "--quiet", "--formats", "html"]
    args += ["--notice", str(notice), "--publish-date", "2026-09-28", "--contact", "人事股"]
    args += ["--mask-names", "--hide-ids"]
    assert main(args) == 0
    page = (out / "publication" / "待岗人员名单.html").read_text(encoding="utf-8")
    # 7 working days from Monday 28 September 2026: 28–30 September, then the National
    # Day holiday (1–7 October), 8 and 9 October, Saturday 10 October (a make-up workday), 12.
    assert "公示期：2026年9月28日至2026年10月12日（7个工作日）。" in page
    assert "请在公示期内向人事股提出复核或申诉" in page
    assert "<p>紫阳县教育体育局</p><p>2026年9月28日</p>" in page
    assert "教师编号" not in page and "*" in page


def test_run_refuses_a_notice_the_calendar_cannot_count(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["run", str(example_path), "--out", str(out), "--publish-date", "2099-03-02"]
    assert main(args) == 2
    assert "does not know 2099 yet" in capsys.readouterr().err
    assert not out.exists()
    bad = tmp_path / "notice.json"
    bad.write_text('{"working_days": 0, "colour": "red"}', encoding="utf-8")
    assert main(["run", str(example_path), "--notice", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "not a valid notice" in err and "working_days" in err and "colour" in err


def test_run_in_english(example_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(example_path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("紫阳县 (示例): teacher placement round of 2026-08")
    assert "Waiting list: 170 teachers" in out


def test_odds_prints_what_the_draw_decides_and_writes_the_document(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import kgxp

    out = tmp_path / "odds.json"
    argv = ["odds", str(example_path), "--draws", "6", "--seed", "2", "--by-score"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    odds = kgxp.LotteryOdds.model_validate_json(out.read_text(encoding="utf-8"))
    assert odds.draws == 6
    assert odds.seed == 2
    assert odds.policy.tie_breakers == ()
    assert printed.startswith("抽签 6 次")
    assert f"decides the post of {len(odds.post_decided())} of 2431 teachers" in printed
    assert main(["odds", str(example_path), "--draws", "0"]) == 2
    assert "draws must be a positive whole number" in capsys.readouterr().err
    # --chunks splits the draws into that many tasks (a cluster's workers): same odds.
    split = tmp_path / "split.json"
    assert main([*argv, "--chunks", "3", "--out", str(split)]) == 0
    assert split.read_bytes() == out.read_bytes()
    capsys.readouterr()
    assert main([*argv, "--chunks", "0"]) == 2
    assert "chunks must be a positive whole number" in capsys.readouterr().err


def test_odds_progress_shows_a_bar_counting_the_draws(
    example_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm")
    out = tmp_path / "odds.json"
    argv = ["odds", str(example_path), "--draws", "4", "--by-score", "--out", str(out)]
    assert main([*argv, "--progress"]) == 0
    printed = capsys.readouterr()
    assert "4/4" in printed.err and "lottery odds" in printed.err  # on stderr, whole
    assert "4/4" not in printed.out  # stdout keeps the summary only
    quiet = tmp_path / "quiet.json"
    assert main([*argv[:-1], str(quiet)]) == 0
    assert "lottery odds" not in capsys.readouterr().err  # no bar unless asked
    assert quiet.read_bytes() == out.read_bytes()


def test_odds_progress_without_tqdm_names_the_extra(
    example_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert main(["odds", str(example_path), "--draws", "2", "--progress"]) == 2
    assert "pip install 'kgxp[notebook]'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--quiet", "--out", "OUT"],
        ["odds", "--draws", "2", "--out", "OUT/odds.json"],
        ["archive", "round", "OUT/archive.db"],
    ],
)
@pytest.mark.parametrize("seed", ["-1", "x", "1.5"])
def test_a_seed_below_zero_or_not_whole_is_a_usage_error_before_any_work(
    command: list[str],
    seed: str,
    example_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `kgxp run --seed -1` used to publish a round with seed -1, which no policy file
    # can name (lottery_seed ≥ 0) and `kgxp odds --seed -1` refused.
    out = tmp_path / "out"
    args = [part.replace("OUT", str(out)) for part in command]
    if command[0] == "archive":
        args.append(str(example_path))
    else:
        args.insert(1, str(example_path))
    with pytest.raises(SystemExit) as stop:
        main([*args, "--seed", seed])
    assert stop.value.code == 2
    assert f"seed must be a whole number ≥ 0, got {seed}" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("rows", ["-1", "x"])
def test_compare_refuses_a_row_count_below_zero_as_a_usage_error(
    rows: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --rows -1 used to list every changed outcome but the last one.
    published, corrected = _appeal_pair(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["compare", str(published), str(corrected), "--rows", rows])
    assert stop.value.code == 2
    assert f"rows must be a whole number ≥ 0, got {rows}" in capsys.readouterr().err
