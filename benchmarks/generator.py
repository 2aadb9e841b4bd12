"""A seeded synthetic county (or city, or province) for benchmarks.

``generate_county(teachers, seed)`` returns scenario data (plain JSON-able
dicts) that :func:`kgxp.parse_scenario` accepts, deterministic for a seed. The
county is shaped like a real one:

- schools from 3–8-teacher teaching points (教学点) and village schools through
  township central schools to 200-teacher town and county-seat schools, primary,
  junior and nine-year; about one in 60 small schools closed by layout
  adjustment and merged into its district's central school (R3);
- districts (学区) of about a dozen schools, each also an education community
  (教共体) with the district's biggest school as its core; urban schools in
  education groups (教育集团) of four;
- fourteen subjects weighted as in the example county; rural schools short of
  体音美 (PE, music, art) teachers (seed 001);
- about 3% more teachers than competed seats, unevenly spread; reserved seats for
  new recruits (R2) on about one post in eight;
- integer composite scores 60–99 (so ties are common and the tie-breakers and the
  lottery matter), or the four R15 evaluation components for one teacher in ten;
- 5–10 ranked preferences: own-school posts first, then schools of the same
  district, then neighbouring districts, town schools preferred;
- every protected category at plausible rates (maternity leave, pregnancy,
  breast-feeding, serious sick leave, village work team, aid Tibet/Yi, aid
  Xinjiang, secondment), and the near-retirement window from a realistic age mix.

Everyone here is synthetic (``county.synthetic`` is true).
"""

from __future__ import annotations

import itertools
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["county_file", "generate_county", "generate_single_market"]

COMPETITION_MONTH = (2026, 8)

# Subject -> (code, weight in primary-level posts, weight in junior-level posts).
SUBJECTS: dict[str, tuple[str, float, float]] = {
    "语文": ("CHN", 0.30, 0.15),
    "数学": ("MAT", 0.25, 0.15),
    "英语": ("ENG", 0.10, 0.14),
    "科学": ("SCI", 0.07, 0.0),
    "物理": ("PHY", 0.0, 0.08),
    "化学": ("CHE", 0.0, 0.06),
    "生物": ("BIO", 0.0, 0.06),
    "历史": ("HIS", 0.0, 0.06),
    "地理": ("GEO", 0.0, 0.05),
    "道德与法治": ("MOR", 0.06, 0.06),
    "体育": ("PE", 0.08, 0.08),
    "音乐": ("MUS", 0.06, 0.04),
    "美术": ("ART", 0.05, 0.04),
    "信息技术": ("ICT", 0.03, 0.03),
}
SHORTAGE = frozenset({"体育", "音乐", "美术"})  # 体音美, seed 001
SECOND_SUBJECT: dict[str, tuple[str, ...]] = {
    "语文": ("道德与法治", "历史", "音乐", "美术", "体育"),
    "数学": ("科学", "信息技术", "物理", "体育"),
    "英语": ("语文",),
    "科学": ("数学", "信息技术"),
    "物理": ("数学", "化学"),
    "化学": ("生物", "物理"),
    "生物": ("化学", "地理", "科学"),
    "历史": ("道德与法治", "地理", "语文"),
    "地理": ("历史", "生物"),
    "道德与法治": ("语文", "历史"),
    "体育": ("数学", "科学"),
    "音乐": ("美术", "语文"),
    "美术": ("音乐", "信息技术"),
    "信息技术": ("数学", "科学"),
}
SMALL_SCHOOL_SUBJECTS = {"语文": 0.45, "数学": 0.4, "体育": 0.08, "音乐": 0.07}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华文建国红梅玉海燕晓东春雪晨宇浩然欣怡子涵思远婷琳佳丹鹏飞志斌辉俊峰云"

# (kind, teachers low, high, share of schools, urban share)
SCHOOL_KINDS = (
    ("teaching_point", 3, 8, 0.26, 0.0),
    ("village", 8, 25, 0.30, 0.0),
    ("central", 25, 80, 0.27, 0.15),
    ("town", 80, 200, 0.17, 0.8),
)
SEGMENTS = {  # kind -> ((segment, weight), ...)
    "teaching_point": (("primary", 1.0),),
    "village": (("primary", 0.85), ("nine_year", 0.15)),
    "central": (("primary", 0.45), ("nine_year", 0.3), ("junior", 0.25)),
    "town": (("primary", 0.5), ("junior", 0.35), ("nine_year", 0.15)),
}
LEVELS = {
    "primary": (("primary", 1.0),),
    "junior": (("junior", 1.0),),
    "nine_year": (("primary", 0.55), ("junior", 0.45)),
}


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of ``total`` by weight (deterministic)."""
    weight_sum = sum(weights.values())
    raw = {k: total * w / weight_sum for k, w in weights.items()}
    seats = {k: int(v) for k, v in raw.items()}
    left = total - sum(seats.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - seats[k]), k))[:left]:
        seats[k] += 1
    return seats


def _pick(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _school_sizes(rng: random.Random, teachers: int) -> list[tuple[str, int]]:
    """(kind, teacher count) per school, summing to ``teachers`` exactly."""
    kinds = [k for k, *_ in SCHOOL_KINDS]
    weights = [share for *_, share, _ in SCHOOL_KINDS]
    ranges = {k: (lo, hi) for k, lo, hi, *_ in SCHOOL_KINDS}
    sizes: list[tuple[str, int]] = []
    total = 0
    while total < teachers:
        kind = rng.choices(kinds, weights)[0]
        lo, hi = ranges[kind]
        size = min(rng.randint(lo, hi), teachers - total)
        sizes.append((kind, size))
        total += size
    return sizes


def generate_county(teachers: int, seed: int) -> dict[str, Any]:
    """Scenario data for a synthetic county of exactly ``teachers`` teachers."""
    if teachers < 1:
        raise ValueError("a county needs at least one teacher")
    rng = random.Random(seed)
    sizes = _school_sizes(rng, teachers)
    n_schools = len(sizes)
    width = max(4, len(str(n_schools)))
    district_size = 12
    n_districts = max(1, round(n_schools / district_size))

    # Schools, each in a district (= its education community); urban schools in groups.
    schools: list[dict[str, Any]] = []
    kind_of: dict[str, str] = {}
    size_of: dict[str, int] = {}
    for i, (kind, size) in enumerate(sizes):
        sid = f"S{i + 1:0{width}d}"
        urban_share = next(u for k, *_, u in SCHOOL_KINDS if k == kind)
        urban = rng.random() < urban_share
        district = f"D{i % n_districts + 1:03d}"
        school: dict[str, Any] = {
            "id": sid,
            "name": f"合成县第{i + 1}{'学校' if kind != 'teaching_point' else '教学点'}",
            "segment": _pick(rng, SEGMENTS[kind]),
            "locality": "urban" if urban else "rural",
            "enrolment": size * (19 if urban else 14),
            "district": district,
            "community": f"C{district[1:]}",
        }
        schools.append(school)
        kind_of[sid] = kind
        size_of[sid] = size
    urban_ids = [s["id"] for s in schools if s["locality"] == "urban"]
    for k, sid in enumerate(urban_ids):
        schools[int(sid[1:]) - 1]["group"] = f"G{k // 4 + 1:03d}"

    by_district: dict[str, list[str]] = {}
    for s in schools:
        by_district.setdefault(s["district"], []).append(s["id"])
    # R3: about one small school in 60 closed and merged into its district's biggest school.
    for members in by_district.values():
        core = max(members, key=lambda m: (size_of[m], m))
        for m in members:
            if m != core and kind_of[m] in {"teaching_point", "village"} and rng.random() < 1 / 60:
                schools[int(m[1:]) - 1]["merged_into"] = core
    receiving = {s["id"]: s.get("merged_into") or s["id"] for s in schools}
    open_by_district = {
        d: [m for m in members if receiving[m] == m] for d, members in by_district.items()
    }
    competing: dict[str, int] = {}
    for sid, size in size_of.items():
        competing[receiving[sid]] = competing.get(receiving[sid], 0) + size

    # Posts: about 3% fewer competed seats than teachers, unevenly spread.
    posts: list[dict[str, Any]] = []
    posts_at: dict[str, list[dict[str, Any]]] = {}
    for s in schools:
        sid = s["id"]
        if sid not in competing or receiving[sid] != sid:
            continue
        seats_total = max(1, round(competing[sid] * rng.uniform(0.96, 1.04)))
        for level, share in LEVELS[s["segment"]]:
            level_seats = max(1, round(seats_total * share))
            weights = {
                sub: share_of
                for sub, (_, primary, secondary) in SUBJECTS.items()
                if (share_of := primary if level == "primary" else secondary) > 0
            }
            if level_seats < 8:  # teaching points and small village schools
                weights = dict(SMALL_SCHOOL_SUBJECTS)
            for subject, seats in _apportion(level_seats, weights).items():
                if seats == 0:
                    continue
                post: dict[str, Any] = {
                    "id": f"{sid}-{level[0].upper()}-{SUBJECTS[subject][0]}",
                    "school": sid,
                    "subject": subject,
                    "level": level,
                    "seats": seats,
                }
                if seats >= 3 and rng.random() < 0.25:
                    post["reserved"] = 1  # R2: kept for this year's new recruits
                posts.append(post)
                posts_at.setdefault(sid, []).append(post)

    district_ids = sorted(by_district)
    district_index = {d: i for i, d in enumerate(district_ids)}
    teachers_out: list[dict[str, Any]] = []
    number = 0
    t_width = max(5, len(str(teachers)))
    for s in schools:
        sid = s["id"]
        home = receiving[sid]
        home_posts = posts_at[home]
        rural = s["locality"] == "rural"
        home_segment = schools[int(home[1:]) - 1]["segment"]
        for _ in range(size_of[sid]):
            number += 1
            teachers_out.append(
                _teacher(
                    rng,
                    f"T{number:0{t_width}d}",
                    sid,
                    home,
                    home_posts,
                    rural=rural,
                    segment=home_segment,
                    nearby=open_by_district[s["district"]],
                    neighbours=[
                        open_by_district[
                            district_ids[(district_index[s["district"]] + step) % len(district_ids)]
                        ]
                        for step in (1, -1, 2)
                    ],
                    posts_at=posts_at,
                    schools=schools,
                )
            )
    total = sum(p["seats"] for p in posts)
    by_level: dict[str, int] = {}
    for p in posts:
        by_level[p["level"]] = by_level.get(p["level"], 0) + p["seats"]
    return {
        "county": {
            "name": f"合成县 ({teachers} teachers, seed {seed})",
            "synthetic": True,
            "note": "benchmarks/generator.py: every school, post and teacher is synthetic",
        },
        "competition_month": f"{COMPETITION_MONTH[0]}-{COMPETITION_MONTH[1]:02d}",
        "staffing": {
            "total_posts": total + total // 100,
            "posts_by_level": {level: n + n // 100 for level, n in sorted(by_level.items())},
        },
        "schools": schools,
        "posts": posts,
        "teachers": teachers_out,
    }


def _main_subject(rng: random.Random, home_posts: list[dict[str, Any]], rural: bool) -> str:
    weights: dict[str, float] = {}
    for post in home_posts:
        weight = float(post["seats"])
        if rural and post["subject"] in SHORTAGE:
            weight *= 0.45  # rural schools lack 体音美 teachers (seed 001)
        weights[post["subject"]] = weights.get(post["subject"], 0) + weight
    if rural:
        for core in ("语文", "数学"):
            if core in weights:
                weights[core] *= 1.15
    subjects = sorted(weights)
    return rng.choices(subjects, weights=[weights[s] for s in subjects])[0]


def _teacher(
    rng: random.Random,
    tid: str,
    school: str,
    home: str,
    home_posts: list[dict[str, Any]],
    *,
    rural: bool,
    segment: str,
    nearby: list[str],
    neighbours: list[list[str]],
    posts_at: dict[str, list[dict[str, Any]]],
    schools: list[dict[str, Any]],
) -> dict[str, Any]:
    year, month = COMPETITION_MONTH
    main = _main_subject(rng, home_posts, rural)
    subjects = [main]
    if rng.random() < 0.4:
        second = rng.choice(SECOND_SUBJECT[main])
        if second != main:
            subjects.append(second)
    female = rng.random() < (0.62 if segment == "primary" else 0.52)
    age = min(59, max(22, round(rng.triangular(22, 60, 42))))
    base = 55 if female else 60
    if age >= base:
        age = base - 1 - rng.randint(0, 2)
    birth_month = rng.randint(1, 12)
    if age == base - 1 and birth_month <= month:
        birth_month = month + 1 if month < 12 else 12  # not yet retired (§4 delay aside)
    start_age = rng.randint(20, 24)
    start_year = min(year - age + start_age, year - 1)
    title = (
        rng.choice(["none", "junior"])
        if age < 27
        else rng.choices(["junior", "intermediate"], [0.6, 0.4])[0]
        if age < 35
        else rng.choices(["junior", "intermediate", "senior"], [0.15, 0.6, 0.25])[0]
        if age < 45
        else rng.choices(["intermediate", "senior", "full_senior"], [0.45, 0.52, 0.03])[0]
    )
    education = (
        rng.choices(["secondary", "associate", "bachelor"], [0.2, 0.45, 0.35])[0]
        if age > 48
        else rng.choices(["associate", "bachelor", "master"], [0.15, 0.77, 0.08])[0]
    )
    teacher: dict[str, Any] = {
        "id": tid,
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        "school": school,
        "subjects": subjects,
        "performance": float(rng.randint(55, 100)),
        "sex": "female" if female else "male",
        "birth": f"{year - age}-{birth_month:02d}",
        "service_start": f"{start_year}-09",
        "title": title,
        "education": education,
        "key_teacher": rng.random() < (0.05 if rural else 0.12),
        "above_required_qualification": education in {"bachelor", "master"},
        "circumstances": _circumstances(rng, female, age),
        "willing_to_adjust": rng.random() < 0.92,
        "volunteers_cross_school": rng.random() < 0.02,
        "preferences": _preferences(
            rng, subjects, home, home_posts, nearby, neighbours, posts_at, schools
        ),
    }
    if rng.random() < 0.1:  # R15: only the four components on file
        teacher["evaluation"] = {
            "student_rating": float(rng.randint(60, 99)),
            "peer_review": float(rng.randint(60, 99)),
            "quality_assessment": float(rng.randint(60, 99)),
            "school_evaluation": float(rng.randint(60, 99)),
        }
    else:
        teacher["score"] = float(rng.randint(60, 99))  # integers: ties are common
    if rng.random() < 0.5:
        basic = 3100 + rng.randint(0, 250) * 10
        teacher["pay"] = {
            "basic_salary": f"{basic}.00",
            "basic_performance": f"{round(basic * 0.42, -1):.2f}",
            "incentive_performance": f"{round(basic * 0.18, -1):.2f}",
            "year_end_bonus": f"{rng.randint(80, 150) * 100}.00",
            "rural_allowance": f"{rng.randint(30, 60) * 10 if rural else 0}.00",
        }
    return teacher


def _circumstances(rng: random.Random, female: bool, age: int) -> list[str]:
    found = []
    if female and 24 <= age <= 40:
        draw = rng.random()
        if draw < 0.035:
            found.append("maternity_leave")
        elif draw < 0.055:
            found.append("pregnancy")
        elif draw < 0.075:
            found.append("breastfeeding")
    if rng.random() < 0.008:
        found.append("serious_sick_leave")
    if not female and 28 <= age <= 50 and rng.random() < 0.015:
        found.append("village_work_team")
    if 26 <= age <= 45 and rng.random() < 0.005:
        found.append("aid_tibet_yi")
    if 26 <= age <= 45 and rng.random() < 0.002:
        found.append("aid_xinjiang")
    if rng.random() < 0.004:
        found.append("secondment")
    return found


def _preferences(
    rng: random.Random,
    subjects: list[str],
    home: str,
    home_posts: list[dict[str, Any]],
    nearby: list[str],
    neighbours: list[list[str]],
    posts_at: dict[str, list[dict[str, Any]]],
    schools: list[dict[str, Any]],
) -> list[str]:
    """5–10 ranked posts: own school first, then the district, then neighbouring districts."""
    qualified = set(subjects)
    own = [p for p in home_posts if p["subject"] in qualified]
    own.sort(key=lambda p: (subjects.index(p["subject"]), p["id"]))
    if len(own) > 1 and rng.random() < 0.2:
        own[0], own[1] = own[1], own[0]
    wanted = rng.randint(5, 10) - len(own)
    pool = [s for s in nearby if s != home]
    candidates = rng.sample(pool, min(len(pool), 12))
    for district in neighbours:
        candidates += rng.sample(district, min(len(district), 4))
    # Town and county-seat schools attract more applications.
    candidates.sort(key=lambda s: (schools[int(s[1:]) - 1]["locality"] != "urban", rng.random()))
    chosen: list[str] = []
    seen = {home}
    for school in candidates:
        if len(chosen) >= wanted:
            break
        if school in seen:
            continue
        seen.add(school)
        fitting = sorted(p["id"] for p in posts_at[school] if p["subject"] in qualified)
        if fitting:
            chosen.append(rng.choice(fitting))
    return [p["id"] for p in own] + chosen


def generate_single_market(
    teachers: int, seed: int, *, choices: int = 8, scores: tuple[int, int] = (60, 99)
) -> tuple[list[int], list[list[int]], list[int]]:
    """One tied market: (capacities, preferences as post indices, integer scores).

    Posts have 1–10 seats, about 6% fewer seats than teachers in all; each teacher
    ranks ``choices`` distinct posts, popular posts more often; scores are
    integers in ``scores`` so that ties are many. Used by the mechanism
    comparisons (``matching``'s HospitalResident, CP-SAT).
    """
    rng = random.Random(seed)
    capacities: list[int] = []
    while sum(capacities) < teachers * 0.94:
        capacities.append(rng.randint(1, 10))
    n_posts = len(capacities)
    popularity = [rng.random() ** 2 + 0.05 for _ in range(n_posts)]
    cumulative = list(itertools.accumulate(popularity))
    preferences = []
    for _ in range(teachers):
        picked: list[int] = []
        seen: set[int] = set()
        while len(picked) < min(choices, n_posts):
            p = rng.choices(range(n_posts), cum_weights=cumulative)[0]
            if p not in seen:
                seen.add(p)
                picked.append(p)
        preferences.append(picked)
    score_list = [rng.randint(*scores) for _ in range(teachers)]
    return capacities, preferences, score_list


@contextmanager
def county_file(path: Path | None, teachers: int, seed: int = 2026) -> Iterator[Path]:
    """``path`` when given (a benchmark's ``--file``), else :func:`generate_county` of
    ``teachers`` saved as a scenario file in a folder removed afterwards."""
    if path is not None:
        yield path
        return
    import kgxp  # the generator itself makes plain data; only this saves a scenario

    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "county.json"
        kgxp.save_scenario(kgxp.parse_scenario(generate_county(teachers, seed=seed)), saved)
        yield saved
