"""Demo data: users for every role and applications spread over the pipeline.

Everything is created through the same verbs the pages use (submit, fire), so the demo's
timelines and audit chain are real. Section texts are written for the demo without identities;
they are marked as such in their redaction report.
"""

import random

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .anonymise.service import anonymise_application, confirm_anonymisation
from .applications.catalogue import required_sections
from .assignment.conflict_service import detect_conflicts
from .assignment.models import Assignment
from .assignment.service import commit
from .auth.models import User
from .auth.service import create_user
from .dossier.simulated import prepare_endorsement, record_checks
from .draws.service import sign_pledge
from .experts.models import Expert
from .extensions import db
from .intake.parsed import EnterpriseInfo, Industry, ParsedApplication, Person, YearFigures
from .meeting import simulated as meetings
from .programs.models import Prefecture
from .programs.service import current_program, load_reference_data
from .programs.years import DEFAULT_FIGURE_YEARS, DEFAULT_YEAR, scenario
from .scoring.in_force import is_meeting_track
from .workflow.service import fire

SCENARIO = scenario()
DEMO_PASSWORD = f"Demo@{DEFAULT_YEAR}"  # noqa: S105 - printed on purpose; demo accounts only
# The demo's clock comes from the program data file ([scenario], UTC moments).
BEFORE_DEADLINE = SCENARIO["intake_at"]  # 10:00 Beijing time, a week before the deadline
AFTER_DEADLINE = SCENARIO["review_at"]  # review work after intake closed

DEMO_USERS = (
    ("coord", "coordinator", "省厅装备工业处 · 协调员"),
    ("zhengzhou", "prefecture", "郑州市工业和信息化局"),
    ("luoyang", "prefecture", "洛阳市工业和信息化局"),
    ("hangkonggang", "prefecture", "航空港区经济发展局"),
    ("xuchang", "prefecture", "许昌市工业和信息化局"),
    ("expert01", "expert", "评审专家（共 expert01–expert57）"),
    ("inspector1", "inspector", "实地抽查人员"),
    ("applicant1", "applicant", "申报企业（郑州 · 中原智能装备）"),
    ("admin", "admin", "系统管理员"),
)

PREFECTURE_OF = {
    "zhengzhou": "郑州市",
    "luoyang": "洛阳市",
    "hangkonggang": "航空港区",
    "xuchang": "许昌市",
}
OFFICER_OF = {v: k for k, v in PREFECTURE_OF.items()}

# (name, prefecture, division code, org body, nature, size, 大类, 中类, chain, track, target)
ENTERPRISES = (
    (
        "郑州中原智能装备股份有限公司",
        "郑州市",
        "410100",
        "7A1K2M3Q",
        "民营企业",
        "大型企业",
        "34",
        "342",
        "机器人和数控机床",
        "excellent",
        "submitted",
    ),
    (
        "郑州宇辰新能源汽车有限公司",
        "郑州市",
        "410100",
        "6B2C3D4E",
        "地方国企",
        "大型企业",
        "36",
        "361",
        "新能源汽车",
        "excellent",
        "prefecture_endorsed",
    ),
    (
        "郑州嵩岳精密制造有限公司",
        "郑州市",
        "410100",
        "5C3D4E5F",
        "民营企业",
        "中型企业",
        "33",
        "334",
        "先进合金材料",
        "excellent",
        "format_checked",
    ),
    (
        "郑州黄河食品集团有限公司",
        "郑州市",
        "410100",
        "4D4E5F6G",
        "民营企业",
        "大型企业",
        "14",
        "143",
        "休闲食品",
        "excellent",
        "expert_assigned",
    ),
    (
        "郑州华鼎电子材料有限公司",
        "郑州市",
        "410100",
        "3E5F6G7H",
        "三资企业",
        "中型企业",
        "39",
        "398",
        "电子材料",
        "excellent",
        "returned",
    ),
    (
        "郑州航发智造科技有限公司",
        "航空港区",
        "410173",
        "2F6G7H8J",
        "民营企业",
        "大型企业",
        "39",
        "392",
        "新型显示和智能终端",
        "excellent",
        "scored",
    ),
    (
        "洛阳伊河轴承有限公司",
        "洛阳市",
        "410300",
        "1G7H8J9K",
        "地方国企",
        "大型企业",
        "34",
        "345",
        "高性能轴承",
        "excellent",
        "scored_sampled",
    ),
    (
        "洛阳龙门重型机械股份有限公司",
        "洛阳市",
        "410300",
        "8H8J9K1L",
        "中央企业",
        "大型企业",
        "35",
        "351",
        "先进工程机械",
        "excellent",
        "spot_inspected",
    ),
    (
        "洛阳牡丹新材料有限公司",
        "洛阳市",
        "410300",
        "9J9K1L2M",
        "民营企业",
        "中型企业",
        "30",
        "308",
        "先进超硬材料",
        "excellent",
        "withdrawn",
    ),
    (
        "洛阳洛浦石化装备有限公司",
        "洛阳市",
        "410300",
        "0K1L2M3N",
        "地方国企",
        "大型企业",
        "35",
        "352",
        "化工新材料",
        "excellent",
        "rejected",
    ),
    (
        "许昌瑞祥电气股份有限公司",
        "许昌市",
        "411000",
        "1L2M3N4P",
        "民营企业",
        "大型企业",
        "38",
        "382",
        "新型电力（新能源）装备",
        "excellent",
        "submitted",
    ),
    (
        "郑州天工智能装备集团有限公司",
        "郑州市",
        "410100",
        "2M3N4P5Q",
        "地方国企",
        "大型企业",
        "35",
        "359",
        "先进工程机械",
        "leading",
        "prefecture_endorsed",
    ),
    (
        "洛阳中科精工股份有限公司",
        "洛阳市",
        "410300",
        "3N4P5Q6R",
        "中央企业",
        "大型企业",
        "34",
        "344",
        "机器人和数控机床",
        "leading",
        "expert_assigned",
    ),
)

SENTENCES = (
    "企业围绕{topic}持续推进数字化改造，建成覆盖关键工序的数据采集网络。",
    "通过部署制造执行系统与企业资源计划系统的集成，实现了计划、生产、质量数据的实时贯通。",
    "在{topic}环节引入人工智能视觉检测与工艺参数优化模型，产品一次交检合格率提升至99.2%。",
    "关键工序数控化率达到86%，数字化研发设计工具普及率达到95%。",
    "建立了智能制造专项工作组，形成统筹规划、建设和运营的组织机制。",
    "下一步将以数字孪生为牵引，推进{topic}的全流程仿真与闭环优化。",
)


# Sentences that name the applicant, as real 申报书 do: the redaction has work to do.
IDENTITY_SENTENCES = (
    "{name}（以下简称“{short}”）始建于2003年，位于{city}，是行业骨干企业。",
    "项目由总经理{person}牵头，{short}信息化部具体实施，联系电话{phone}。",
    "{short}与{city}本地高校共建联合实验室，年投入研发经费超过营业收入的4%。",
)


def _section_text(title: str, rng: random.Random, who: dict) -> str:
    picks = rng.sample(SENTENCES, k=3)
    picks.insert(rng.randint(0, 3), rng.choice(IDENTITY_SENTENCES))
    return "".join(s.format(topic=title, **who) for s in picks)


def load_demo() -> bool:
    """Load demo data once; return False when it is already there."""
    load_reference_data()
    if db.session.execute(select(User.id).where(User.username == "coord")).first():
        return False
    rng = random.Random(DEFAULT_YEAR)  # noqa: S311 - reproducible demo data
    program = current_program()
    prefectures = {p.name: p for p in db.session.execute(select(Prefecture)).scalars()}
    users = _create_users()
    experts = _create_experts(program, prefectures, rng)
    _create_pool(prefectures, rng)
    for row in ENTERPRISES:
        _create_application(row, program, prefectures, users, experts, rng)
    return True


def _create_users() -> dict[str, User]:
    users = {}
    for username, role, label in DEMO_USERS:
        if role in ("applicant", "expert"):
            continue  # created with their enterprise or expert profile
        prefecture = PREFECTURE_OF.get(username)
        users[username] = create_user(
            username, DEMO_PASSWORD, role, display_name=label, prefecture=prefecture,
            actor_label="demo", must_change_password=False,  # README publishes the password
        )  # fmt: skip
    users["inspector2"] = create_user(
        "inspector2",
        DEMO_PASSWORD,
        "inspector",
        display_name="实地抽查人员二",
        actor_label="demo",
        must_change_password=False,
    )
    return users


DEMO_EXPERTS_GENERAL = 32  # 综合组: a 领航级 application needs 24 different ones
DEMO_EXPERTS_PER_LINK = 5
EXPERT_UNITS = ("河南省智能制造研究院", "郑州大学机械与动力工程学院", "河南科技大学", "中原工学院",
                "河南省工业设计中心", "华北水利水电大学", "洛阳理工学院", "河南工业大学")  # fmt: skip
EXPERT_PREFECTURES = (
    "郑州市",
    "洛阳市",
    "新乡市",
    "南阳市",
    "开封市",
    "许昌市",
    "焦作市",
    "安阳市",
)


def _create_experts(program, prefectures, rng) -> list[Expert]:
    """Experts for every panel of both tracks; conflicts are detected by the real rules."""
    from .assignment.service import ensure_panels, set_members

    groups = ["general"] * DEMO_EXPERTS_GENERAL + [
        g for g in ("link.factory", "link.rnd", "link.production", "link.prod_mgmt",
                    "link.operations") for _ in range(DEMO_EXPERTS_PER_LINK)
    ]  # fmt: skip
    experts = []
    for i, group in enumerate(groups, start=1):
        user = create_user(
            f"expert{i:02d}", DEMO_PASSWORD, "expert", display_name=f"评审专家{i:02d}",
            actor_label="demo", must_change_password=False,
        )  # fmt: skip
        expert = Expert(
            user=user,
            name=f"专家{i:02d}",
            employer=EXPERT_UNITS[i % len(EXPERT_UNITS)],
            title=("正高级工程师", "教授", "高级工程师")[i % 3],
            prefecture=prefectures[EXPERT_PREFECTURES[i % len(EXPERT_PREFECTURES)]],
            specialties=[group],
            industries=[("34", "35", "38", "39", "14")[i % 5]],
            capacity=40,
            email=f"expert{i:02d}@example.invalid",
        )
        db.session.add(expert)
        experts.append(expert)
    db.session.flush()
    for expert in experts:  # the demo experts have signed the pledge already
        sign_pledge(expert, program, signed_name=expert.name, agreed=True, declared=[],
                    actor=expert.user)  # fmt: skip
    demo_actor = _demo_coordinator()
    for panel in ensure_panels(program, demo_actor):
        members = [e.id for e, g in zip(experts, groups, strict=True) if g == panel.section_group]
        set_members(panel, members, demo_actor)
    return experts


DEMO_POOL = 240
POOL_UNITS = EXPERT_UNITS + (
    "郑州轻工业大学", "河南理工大学", "河南大学", "许昌学院", "南阳理工学院", "安阳工学院",
    "河南省机械设计研究院", "中国电信河南分公司", "河南省信息化发展中心", "郑州煤矿机械集团",
    "宇通客车", "中信重工", "许继集团", "洛阳轴承研究所", "河南省计量测试科学研究院",
    "新乡学院", "黄河科技学院", "河南省工业和信息化研究院", "周口师范学院", "平顶山学院",
)  # fmt: skip


def _create_pool(prefectures, rng) -> None:
    """The rest of the expert pool (专家库) to draw panels from: logins pool001 … pool240 with
    the demo password, no pledge signed yet (a drawn expert accepts, then signs)."""
    links = ("link.factory", "link.rnd", "link.production", "link.prod_mgmt", "link.operations")
    names = list(prefectures)
    # One hash of the demo password for all of them (hashing 240 times would take half a
    # minute); each account still has its own session token.
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(DEMO_PASSWORD, method=method)
    for i in range(1, DEMO_POOL + 1):
        account = User(
            username=f"pool{i:03d}", display_name=f"库专家{i:03d}", role="expert",
            password_hash=password_hash, failed_logins=0,
        )  # fmt: skip
        db.session.add(
            Expert(
                user=account, name=f"库专家{i:03d}", employer=rng.choice(POOL_UNITS),
                title=rng.choice(("正高级工程师", "教授", "高级工程师", "研究员", "副教授")),
                prefecture=prefectures[rng.choice(names)],
                specialties=sorted(rng.sample(links, rng.choice((1, 1, 2)))),
                industries=[rng.choice(("34", "35", "38", "39", "14", "26", "36"))],
                capacity=20, email=f"pool{i:03d}@example.invalid",
            )
        )  # fmt: skip
    db.session.flush()


def _demo_coordinator() -> User:
    return db.session.execute(select(User).where(User.username == "coord")).scalar_one()


def _parsed(row, rng) -> ParsedApplication:
    """The demo enterprise's 申报书 as the parser would read it."""
    from .enterprises.uscc import make_uscc

    (name, pref_name, division, org, nature, size, division2, group, chain, track, _) = row
    short = name[2:4]
    level = 4 if track == "leading" else rng.choice((3, 3, 4))
    base = rng.uniform(50000, 400000) if size == "大型企业" else rng.uniform(8000, 30000)
    figures = {
        str(year): YearFigures(
            total_assets=round(base * (1 + 0.1 * i) * 1.6, 2),
            debt_ratio=round(rng.uniform(35, 62), 2),
            revenue=round(base * (1 + 0.12 * i), 2),
            profit_margin=round(rng.uniform(4, 14), 2),
        )
        for i, year in enumerate(DEFAULT_FIGURE_YEARS)
    }
    honours = "国家级专精特新“小巨人”企业" if rng.random() < 0.5 else None
    who = {
        "name": name,
        "short": name[2:6],
        "city": pref_name if pref_name != "航空港区" else "郑州航空港区",
        "person": "张" + short[0] + "华",
        "phone": "0371-6" + str(rng.randint(1000000, 9999999)),
    }
    return ParsedApplication(
        track=track,
        enterprise=EnterpriseInfo(
            name=name,
            uscc=make_uscc(division, org),
            prefecture=pref_name,
            county="",
            nature=nature,
            size=size,
            industry=Industry("C", division2, group),
            chain=chain,
            factory_address=f"{pref_name}{short}大道{rng.randint(1, 300)}号",
            legal_rep=Person(who["person"], who["phone"]),
            contact=Person(
                "李" + short[1],
                "13" + str(rng.randint(100000000, 999999999)),
                "信息化部部长",
                f"contact{rng.randint(10, 99)}@example.com",
            ),
        ),  # fmt: skip
        figures=figures,
        infrastructure=["工业机器人/自动化生产线", "工业互联网平台"],
        national_excellent=track == "leading",
        provincial_demo=False,
        has_honours=honours is not None,
        honours=honours,
        maturity_level=level,
        maturity_score=round(rng.uniform(level - 0.2, level + 0.75), 2),
        accidents=False,
        sections={s.key: _section_text(s.title, rng, who) for s in required_sections(track)},
    )


def _create_application(row, program, prefectures, users, experts, rng):
    """Fill in the blank template, upload it as the prefecture officer, walk it on."""
    from .intake.service import import_docx
    from .intake.template import filled_template

    parsed = _parsed(row, rng)
    _add_flaws(parsed)
    prefecture = prefectures[parsed.enterprise.prefecture]
    officer = users[OFFICER_OF[prefecture.name]]
    data = filled_template(parsed.track, parsed)
    app = import_docx(program, prefecture, data, f"{parsed.enterprise.name}申报书.docx", officer)
    app.enterprise.main_business = CHAIN_BUSINESS.get(parsed.enterprise.chain, "智能制造装备")
    if parsed.enterprise.name.startswith("郑州中原智能装备"):
        users["applicant1"] = create_user(
            "applicant1", DEMO_PASSWORD, "applicant", display_name="中原智能装备 申报联系人",
            enterprise_id=app.enterprise_id, actor_label="demo", must_change_password=False,
        )  # fmt: skip
    _advance(app, row[-1], users, experts, rng)


def _add_flaws(parsed: ParsedApplication) -> None:
    """Two demo documents carry the kind of mistakes the format check exists for."""
    if parsed.enterprise.name.startswith("郑州中原智能装备"):
        parsed.enterprise.chain = "智能装备"  # not on the notice's chain list: blocking
    if parsed.enterprise.name.startswith("许昌瑞祥电气"):
        parsed.maturity_score = 4.3  # outside the 三级 band: a warning to check
        parsed.maturity_level = 3


CHAIN_BUSINESS = {
    "机器人和数控机床": "数控机床及工业机器人",
    "新能源汽车": "新能源乘用车及零部件",
    "先进合金材料": "精密合金结构件",
    "休闲食品": "速冻及休闲食品",
    "电子材料": "电子级化学品",
    "新型显示和智能终端": "智能终端整机",
    "高性能轴承": "精密轴承",
    "先进工程机械": "盾构机及工程机械",
    "先进超硬材料": "超硬材料及制品",
    "化工新材料": "石化装备及新材料",
    "新型电力（新能源）装备": "输配电设备",
}


def _prefecture_user(app, users) -> User:
    return users[OFFICER_OF[app.prefecture.name]]


def _advance(app, target, users, experts, rng):
    """Walk an application to its demo state through the real transitions."""
    if target == "submitted":
        return
    coord = users["coord"]
    pref_user = _prefecture_user(app, users)
    if target == "returned":
        prepare_endorsement(app, pref_user)
        fire(app, "endorse", pref_user, now=BEFORE_DEADLINE)
        fire(
            app,
            "return",
            coord,
            reason="企业简介超出字数限制，请精简后重新提交。",
            now=BEFORE_DEADLINE,
        )
        return
    if target == "withdrawn":
        fire(
            app,
            "withdraw",
            pref_user,
            reason="企业申请撤回，另行准备明年申报。",
            now=BEFORE_DEADLINE,
        )
        return
    prepare_endorsement(app, pref_user)
    fire(app, "endorse", pref_user, now=BEFORE_DEADLINE)
    if target == "prefecture_endorsed":
        return
    if target == "rejected":
        fire(
            app, "fail_format_check", coord, reason="未提供智能制造能力成熟度评估证明材料。",
            now=AFTER_DEADLINE,
        )  # fmt: skip
        return
    record_checks(app, coord)  # 盖章版已核对 (required to pass), 信用 and 事故 checks
    fire(app, "pass_format_check", coord, now=BEFORE_DEADLINE)
    if target == "format_checked":
        return
    if is_meeting_track(app.track_code, app.program):
        # 会议评审 (领航级): no anonymisation, no solver; the meeting is under way today, seven
        # of the 综合组 panel signed in and the scoring open (the demo stops at expert_assigned).
        meetings.hold(app.program, app.track_code, coord, DEFAULT_YEAR, rng, present=7)
        return
    anonymise_application(app, coord)
    confirm_anonymisation(app, coord)
    # The real assignment: conflicts detected, then the min-cost-flow solver for the track.
    detect_conflicts(app.program, coord)
    commit(
        app.program,
        app.track_code,
        seed=DEFAULT_YEAR,
        due=SCENARIO["demo_assignment_due"],
        actor=coord,
    )
    if target == "expert_assigned":
        return
    _score_all(app, rng, disagree=app.enterprise.name.startswith("郑州航发"))
    if target == "scored" or app.state != "scored":
        return  # 郑州航发 waits on a 复议: one reviewer scored 工厂建设 far below the others
    from .inspection import service as inspection_service

    inspection = inspection_service.add_manual(app, "演示：协调员指定抽查", coord)
    inspection_service.set_inspectors(inspection, [users["inspector1"].id], coord)
    if target == "scored_sampled":
        return
    for item in inspection.items:
        inspection_service.record_item(inspection, item.code, "true", "现场核实一致。",
                                       users["inspector1"])  # fmt: skip
    inspection_service.record_verdict(inspection, "true", 0, "", users["inspector1"])


def _score_all(app, rng, disagree: bool = False):
    """Every reviewer scores through the real form's verb; the application completes itself."""
    from .scoring.service import rubric_section, save

    quality = rng.uniform(0.66, 0.9)
    assignments = db.session.execute(
        select(Assignment).where(Assignment.application_id == app.id).order_by(Assignment.id)
    ).scalars().all()  # fmt: skip
    low_done = False
    for assignment in assignments:
        criteria = rubric_section(assignment.section).criteria
        q = quality + rng.uniform(-0.04, 0.04)
        if disagree and not low_done and assignment.section.key == "link.factory":
            q, low_done = 0.35, True
        values = {c.code: (round(min(c.max, q * c.max) * 2) / 2, False) for c in criteria}
        save(
            assignment, values, "总体建设情况与申报内容相符，数据较为完整，建议进一步量化成效。",
            version=None, actor=assignment.expert.user, submit=True,
        )  # fmt: skip


def expert_with_work() -> str | None:
    """The first demo expert who still has a section to score (printed by ``review-app demo``)."""
    row = db.session.execute(
        select(User.username)
        .join(Expert, Expert.user_id == User.id)
        .join(Assignment, Assignment.expert_id == Expert.id)
        .where(Assignment.status == "assigned")
        .order_by(User.username)
        .limit(1)
    ).scalar_one_or_none()
    return row
