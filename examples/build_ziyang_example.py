"""Build ``examples/ziyang_county.json``: the seed county with synthetic teachers.

Schools and education communities (教共体) are the compulsory-education rows of
the annex of 紫办字〔2024〕98号 (seed 001, 紫阳县全面推进紧密型城乡教育共同体建设实施方案):
8 communities — 3 primary, 5 nine-year — with their core and member schools,
village schools and teaching points (教学点) listed as schools of their own.
The high-school and kindergarten communities (annex rows 9–10) are outside
compulsory education and left out. Everything about people is synthetic: the
teachers, their scores, dates and preferences are drawn from a seeded random
generator, and the scenario says so (``county.synthetic``). Sizes, enrolments,
the merge of 蒿坪镇电光教学点 (R3) and the reserved seats (R2) are also made up.

Run ``python examples/build_ziyang_example.py`` to rewrite the file and the same
county as an Excel roster (``examples/ziyang_roster.xlsx``, the tutorial's
starting point; needs ``kgxp[excel]``); the test suite checks that the
committed files are exactly what this script produces.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kgxp import Scenario, YearMonth, dump_scenario, months_to_retirement, write_roster

SEED = 20260801
COMPETITION_MONTH = YearMonth(2026, 8)
OUT = Path(__file__).with_name("ziyang_county.json")
ROSTER = OUT.with_name("ziyang_roster.xlsx")
SIZE_FACTOR = 1.2


@dataclass(frozen=True)
class SchoolRow:
    name: str
    segment: str  # primary / junior / nine_year
    community: str
    teachers: int
    urban: bool = False
    merged_into: str | None = None


# (community id, community name, schools) — seed 001 annex, rows 1–8.
COMMUNITIES: list[tuple[str, str, list[SchoolRow]]] = [
    (
        "C1",
        "紫阳小学教共体",
        [
            SchoolRow("紫阳小学", "primary", "C1", 160, urban=True),
            SchoolRow("城关镇中心小学", "primary", "C1", 120, urban=True),
            SchoolRow("城关镇兴田教学点", "primary", "C1", 4),
            SchoolRow("城关镇长白教学点", "primary", "C1", 3),
            SchoolRow("高桥镇中心小学", "primary", "C1", 55),
        ],
    ),
    (
        "C2",
        "紫阳县第二小学教共体",
        [
            SchoolRow("紫阳县第二小学", "primary", "C2", 150, urban=True),
            SchoolRow("毛坝镇中心小学", "primary", "C2", 60),
            SchoolRow("毛坝镇新联小学", "primary", "C2", 12),
            SchoolRow("毛坝镇联合小学", "primary", "C2", 10),
            SchoolRow("高滩镇中心小学", "primary", "C2", 50),
            SchoolRow("高滩镇绕溪小学", "primary", "C2", 11),
            SchoolRow("高滩镇广城小学", "primary", "C2", 9),
            SchoolRow("高滩镇牌楼小学", "primary", "C2", 12),
            SchoolRow("高滩镇大坝小学", "primary", "C2", 8),
            SchoolRow("高滩镇白鹤小学", "primary", "C2", 10),
        ],
    ),
    (
        "C3",
        "蒿坪小学教共体",
        [
            SchoolRow("蒿坪镇中心小学", "primary", "C3", 70),
            SchoolRow("汉王镇中心小学", "primary", "C3", 45),
            SchoolRow("汉王镇五郎教学点", "primary", "C3", 4),
            SchoolRow("蒿坪镇双星小学", "primary", "C3", 14),
            SchoolRow("蒿坪镇电光教学点", "primary", "C3", 4, merged_into="蒿坪镇中心小学"),
            SchoolRow("蒿坪镇北川教学点", "primary", "C3", 4),
        ],
    ),
    (
        "C4",
        "紫阳中学初中部教共体",
        [
            SchoolRow("紫阳中学初中部", "junior", "C4", 170, urban=True),
            SchoolRow("高滩镇初级中学", "junior", "C4", 60),
            SchoolRow("高桥镇初级中学", "junior", "C4", 50),
            SchoolRow("双桥镇九年制学校", "nine_year", "C4", 55),
            SchoolRow("双桥镇苗河小学", "primary", "C4", 10),
            SchoolRow("洞河镇九年制学校", "nine_year", "C4", 60),
            SchoolRow("洞河镇石坝教学点", "primary", "C4", 3),
        ],
    ),
    (
        "C5",
        "毛坝中学教共体",
        [
            SchoolRow("毛坝中学(初中部)", "junior", "C5", 90),
            SchoolRow("麻柳镇九年制学校", "nine_year", "C5", 60),
            SchoolRow("麻柳镇书院教学点", "primary", "C5", 3),
            SchoolRow("麻柳镇紫黄教学点", "primary", "C5", 4),
            SchoolRow("瓦庙镇九年制学校", "nine_year", "C5", 55),
            SchoolRow("瓦庙镇保坪小学", "primary", "C5", 10),
            SchoolRow("瓦庙镇瓦房教学点", "primary", "C5", 3),
        ],
    ),
    (
        "C6",
        "蒿坪镇初级中学教共体",
        [
            SchoolRow("蒿坪镇初级中学", "junior", "C6", 80),
            SchoolRow("汉王镇初级中学", "junior", "C6", 55),
            SchoolRow("双安镇九年制学校", "nine_year", "C6", 55),
            SchoolRow("双安镇五林小学", "primary", "C6", 10),
            SchoolRow("焕古镇九年制学校", "nine_year", "C6", 50),
        ],
    ),
    (
        "C7",
        "向阳镇九年制学校教共体",
        [
            SchoolRow("向阳镇九年制学校", "nine_year", "C7", 75),
            SchoolRow("界岭镇九年制学校", "nine_year", "C7", 50),
            SchoolRow("界岭镇双明小学", "primary", "C7", 9),
            SchoolRow("洄水镇九年制学校", "nine_year", "C7", 55),
            SchoolRow("向阳镇芭蕉小学", "primary", "C7", 12),
        ],
    ),
    (
        "C8",
        "红椿镇九年制学校教共体",
        [
            SchoolRow("红椿镇九年制学校", "nine_year", "C8", 65),
            SchoolRow("东木镇九年制学校", "nine_year", "C8", 50),
            SchoolRow("红椿镇尚坝小学", "primary", "C8", 10),
        ],
    ),
]

# Subject -> (code, seat weight in primary-level posts, in junior-level posts).
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
SHORTAGE = {"体育", "音乐", "美术"}  # 体音美, named in seed 001
SECOND_SUBJECT = {
    "语文": ["道德与法治", "历史", "音乐", "美术", "体育"],
    "数学": ["科学", "信息技术", "物理", "体育"],
    "英语": ["语文"],
    "科学": ["数学", "信息技术"],
    "物理": ["数学", "化学"],
    "化学": ["生物", "物理"],
    "生物": ["化学", "地理", "科学"],
    "历史": ["道德与法治", "地理", "语文"],
    "地理": ["历史", "生物"],
    "道德与法治": ["语文", "历史"],
    "体育": ["数学", "科学"],
    "音乐": ["美术", "语文"],
    "美术": ["音乐", "信息技术"],
    "信息技术": ["数学", "科学"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华文建国红梅玉海燕晓东春雪晨宇浩然欣怡子涵思远婷琳佳丹鹏飞志斌辉俊峰云凤玲琴颖倩蕾萍莉"


def build(seed: int = SEED) -> Scenario:
    """The example scenario, deterministic for a seed."""
    rng = random.Random(seed)
    schools, school_ids = _schools()
    posts = _posts(rng, schools, school_ids)
    teachers = _teachers(rng, schools, school_ids, posts)
    total = sum(p["seats"] for p in posts)
    by_level: dict[str, int] = {}
    for post in posts:
        by_level[post["level"]] = by_level.get(post["level"], 0) + post["seats"]
    data: dict[str, Any] = {
        "county": {
            "name": "紫阳县 (示例)",
            "code": "610924",
            "synthetic": True,
            "note": "学校与教共体名称取自紫办字〔2024〕98号附件 (seed 001); 教师、分数、日期、"
            "志愿、规模与撤并均为合成数据 (synthetic), 仅供演示.",
        },
        "competition_month": str(COMPETITION_MONTH),
        "staffing": {
            "total_posts": total + 15,
            "posts_by_level": {level: n + 6 for level, n in sorted(by_level.items())},
        },
        "schools": [s for s, _ in schools],
        "posts": posts,
        "teachers": teachers,
    }
    return Scenario.model_validate(data)


def _schools() -> tuple[list[tuple[dict[str, Any], SchoolRow]], dict[str, str]]:
    rows = [row for _, _, members in COMMUNITIES for row in members]
    ids = {row.name: f"S{i + 1:02d}" for i, row in enumerate(rows)}
    schools = []
    for row in rows:
        teachers = round(row.teachers * SIZE_FACTOR)
        schools.append(
            (
                {
                    "id": ids[row.name],
                    "name": row.name,
                    "segment": row.segment,
                    "locality": "urban" if row.urban else "rural",
                    "enrolment": teachers * (19 if row.urban else 14),
                    "community": row.community,
                    # The 教共体 took over from the 学区 (seed 001), so they double as
                    # districts here: the 两层三轮 plan's district level (R13) has work to do.
                    "district": row.community,
                    "merged_into": ids[row.merged_into] if row.merged_into else None,
                },
                row,
            )
        )
    return schools, ids


def _levels(segment: str) -> list[tuple[str, float]]:
    return {
        "primary": [("primary", 1.0)],
        "junior": [("junior", 1.0)],
        "nine_year": [("primary", 0.55), ("junior", 0.45)],
    }[segment]


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of ``total`` seats by weight, deterministic."""
    weight_sum = sum(weights.values())
    raw = {k: total * w / weight_sum for k, w in weights.items()}
    seats = {k: int(v) for k, v in raw.items()}
    left = total - sum(seats.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - seats[k]), k))[:left]:
        seats[k] += 1
    return seats


def _posts(
    rng: random.Random, schools: list[tuple[dict[str, Any], SchoolRow]], ids: dict[str, str]
) -> list[dict[str, Any]]:
    competing = {s["id"]: round(row.teachers * SIZE_FACTOR) for s, row in schools}
    for school, row in schools:
        if row.merged_into:  # R3: pupils and their teachers' seats move to the receiving school
            competing[ids[row.merged_into]] += competing.pop(school["id"])
    posts = []
    for school, _row in schools:
        if school["merged_into"]:
            continue
        # A few percent fewer seats than teachers county-wide, unevenly spread.
        seats_total = max(1, round(competing[school["id"]] * rng.uniform(0.95, 1.02)))
        for level, share in _levels(school["segment"]):
            level_seats = max(1, round(seats_total * share))
            column = 1 if level == "primary" else 2
            weights = {s: w[column] for s, w in SUBJECTS.items() if w[column] > 0}
            if level_seats < 6:  # small village schools and teaching points
                weights = {"语文": 0.5, "数学": 0.4, "体育": 0.1}
            for subject, seats in _apportion(level_seats, weights).items():
                if seats == 0:
                    continue
                post: dict[str, Any] = {
                    "id": f"{school['id']}-{level[0].upper()}-{SUBJECTS[subject][0]}",
                    "school": school["id"],
                    "subject": subject,
                    "level": level,
                    "seats": seats,
                }
                if (
                    seats >= 3
                    and subject in {"英语", "体育", "信息技术", "数学"}
                    and (rng.random() < 0.35)
                ):
                    post["reserved"] = 1  # R2: kept for this year's new recruits
                posts.append(post)
    return posts


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.65 else "")
    return rng.choice(SURNAMES) + given


def _teachers(
    rng: random.Random,
    schools: list[tuple[dict[str, Any], SchoolRow]],
    ids: dict[str, str],
    posts: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    posts_at: dict[str, list[dict[str, Any]]] = {}
    for post in posts:
        posts_at.setdefault(post["school"], []).append(post)
    school_of = {s["id"]: (s, row) for s, row in schools}
    receiving = {s["id"]: s["merged_into"] or s["id"] for s, _ in schools}
    community_schools: dict[str, list[str]] = {}
    for s, _ in schools:
        if not s["merged_into"]:
            community_schools.setdefault(s["community"], []).append(s["id"])
    open_schools = [s["id"] for s, _ in schools if not s["merged_into"]]
    teachers = []
    number = 0
    for school, row in schools:
        home = receiving[school["id"]]
        home_posts = posts_at[home]
        rural = school["locality"] == "rural"
        for _ in range(round(row.teachers * SIZE_FACTOR)):
            number += 1
            main = _main_subject(rng, home_posts, rural)
            teachers.append(
                _teacher(
                    rng,
                    number,
                    school["id"],
                    main,
                    home,
                    home_posts,
                    school_of,
                    community_schools,
                    open_schools,
                    posts_at,
                )
            )
    return teachers


def _main_subject(rng: random.Random, home_posts: list[dict[str, Any]], rural: bool) -> str:
    weights = {}
    for post in home_posts:
        weight = post["seats"]
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
    number: int,
    school_id: str,
    main: str,
    home: str,
    home_posts: list[dict[str, Any]],
    school_of: dict[str, tuple[dict[str, Any], SchoolRow]],
    community_schools: dict[str, list[str]],
    open_schools: list[str],
    posts_at: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    segment = school_of[home][0]["segment"]
    female = rng.random() < (0.62 if segment == "primary" else 0.52)
    age_years = min(59, max(23, round(rng.triangular(23, 59, 41))))
    birth = YearMonth(COMPETITION_MONTH.year - age_years, rng.randint(1, 12))
    title = _title(rng, age_years)
    base_age = (
        60 if (female and title in {"senior", "full_senior"} and rng.random() < 0.3) else None
    )
    effective_base = base_age or (55 if female else 60)
    while months_to_retirement(birth, effective_base, COMPETITION_MONTH) <= 0:
        birth = birth + 12  # nobody already retired sits in a placement round
    start_age = rng.randint(20, 24)
    service_start = YearMonth(birth.year + start_age, 9)
    if service_start > COMPETITION_MONTH:
        service_start = YearMonth(COMPETITION_MONTH.year - 1, 9)
    subjects = [main]
    if rng.random() < 0.45:  # rural teachers often also teach 体音美 (兼任)
        subjects.append(rng.choice(SECOND_SUBJECT[main]))
    circumstances = _circumstances(rng, female, age_years)
    teacher: dict[str, Any] = {
        "id": f"T{number:05d}",
        "name": _name(rng),
        "school": school_id,
        "subjects": subjects,
        "performance": float(rng.randint(55, 100)),
        "sex": "female" if female else "male",
        "birth": str(birth),
        "retirement_base_age": base_age,
        "service_start": str(service_start),
        "title": title,
        "education": _education(rng, age_years),
        "key_teacher": rng.random() < (0.12 if school_of[home][0]["locality"] == "urban" else 0.05),
        "circumstances": circumstances,
        "willing_to_adjust": rng.random() < 0.92,
        "volunteers_cross_school": rng.random() < 0.02,
        "preferences": _preferences(
            rng, subjects, home, home_posts, school_of, community_schools, open_schools, posts_at
        ),
        "pay": _pay(rng, title, rural=school_of[home][0]["locality"] == "rural"),
    }
    teacher["above_required_qualification"] = teacher["education"] in {"bachelor", "master"}
    if rng.random() < 0.12:
        # R15: only the four evaluation components are on file; the policy combines them.
        teacher["evaluation"] = {
            "student_rating": float(rng.randint(60, 99)),
            "peer_review": float(rng.randint(60, 99)),
            "quality_assessment": float(rng.randint(60, 99)),
            "school_evaluation": float(rng.randint(60, 99)),
        }
    else:
        # Integer composite scores, so ties are common and tie-breakers matter.
        teacher["score"] = float(rng.randint(62, 98))
    return teacher


def _title(rng: random.Random, age: int) -> str:
    if age < 27:
        return rng.choice(["none", "junior"])
    if age < 35:
        return rng.choices(["junior", "intermediate"], [0.6, 0.4])[0]
    if age < 45:
        return rng.choices(["junior", "intermediate", "senior"], [0.15, 0.6, 0.25])[0]
    return rng.choices(["intermediate", "senior", "full_senior"], [0.45, 0.52, 0.03])[0]


def _education(rng: random.Random, age: int) -> str:
    if age > 48:
        return rng.choices(["secondary", "associate", "bachelor"], [0.2, 0.45, 0.35])[0]
    return rng.choices(["associate", "bachelor", "master"], [0.15, 0.77, 0.08])[0]


def _circumstances(rng: random.Random, female: bool, age: int) -> list[str]:
    found = []
    if female and 24 <= age <= 40:
        draw = rng.random()
        if draw < 0.03:
            found.append("maternity_leave")
        elif draw < 0.045:
            found.append("pregnancy")
        elif draw < 0.06:
            found.append("breastfeeding")
    if rng.random() < 0.008:
        found.append("serious_sick_leave")
    if not female and 28 <= age <= 50 and rng.random() < 0.015:
        found.append("village_work_team")
    if 26 <= age <= 45 and rng.random() < 0.005:
        found.append("aid_tibet_yi")
    return found


def _preferences(
    rng: random.Random,
    subjects: list[str],
    home: str,
    home_posts: list[dict[str, Any]],
    school_of: dict[str, tuple[dict[str, Any], SchoolRow]],
    community_schools: dict[str, list[str]],
    open_schools: list[str],
    posts_at: dict[str, list[dict[str, Any]]],
) -> list[str]:
    qualified = set(subjects)
    own = [p for p in home_posts if p["subject"] in qualified]
    own.sort(key=lambda p: (subjects.index(p["subject"]), p["id"]))
    if len(own) > 1 and rng.random() < 0.2:
        own[0], own[1] = own[1], own[0]
    community = school_of[home][0]["community"]
    nearby = [s for s in community_schools[community] if s != home]
    elsewhere = [s for s in open_schools if s != home and s not in nearby]
    wanted = rng.randint(2, 5)
    chosen: list[str] = []
    candidates = rng.sample(nearby, len(nearby)) + rng.sample(elsewhere, min(6, len(elsewhere)))
    # Town and county-seat schools attract more applications.
    candidates.sort(key=lambda s: (school_of[s][0]["locality"] != "urban", rng.random()))
    for school in candidates:
        if len(chosen) >= wanted:
            break
        fitting = [p["id"] for p in posts_at[school] if p["subject"] in qualified]
        if fitting:
            chosen.append(rng.choice(sorted(fitting)))
    return [p["id"] for p in own] + chosen


def _pay(rng: random.Random, title: str, *, rural: bool) -> dict[str, str]:
    basic = {
        "none": 3100,
        "junior": 3500,
        "intermediate": 4200,
        "senior": 5000,
        "full_senior": 5800,
    }[title] + rng.randint(0, 40) * 10
    return {
        "basic_salary": str(Decimal(basic).quantize(Decimal("0.01"))),
        "basic_performance": str(Decimal(round(basic * 0.42, -1)).quantize(Decimal("0.01"))),
        "incentive_performance": str(Decimal(round(basic * 0.18, -1)).quantize(Decimal("0.01"))),
        "year_end_bonus": str(Decimal(rng.randint(80, 150) * 100).quantize(Decimal("0.01"))),
        # R18 (seed 001): township allowance + transport subsidy + rural living subsidy.
        "rural_allowance": str(
            Decimal(rng.randint(30, 60) * 10 if rural else 0).quantize(Decimal("0.01"))
        ),
    }


def main() -> int:
    scenario = build()
    OUT.write_text(dump_scenario(scenario), encoding="utf-8")
    write_roster(scenario, ROSTER)
    print(
        f"wrote {OUT} and {ROSTER.name} ({len(scenario.teachers)} teachers, {len(scenario.posts)} posts)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
