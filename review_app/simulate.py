"""A headless run of the whole pipeline on generated data (``review-app simulate``).

Every step goes through the same verbs the pages use: generated 申报书 documents are uploaded
by the prefecture officers and parsed, endorsed in priority order, format-checked, anonymised
and confirmed; experts are put on panels, conflicts detected and the solver assigns (a meeting-mode track,
领航级, holds its 会议评审 instead: 答辩 order drawn, the panel signs in and scores whole
applications); simulated
experts score (a few lenient, a few harsh, some disagreeing), 复议 is settled, the inspection
sample is drawn and inspected, the decision run is staged and confirmed, the letters generated
and released, and the exports written. Each application has a hidden true quality, so the
summary can say how many of the truly best were admitted.
"""

import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from . import parallel
from .anonymise.service import anonymise_applications, confirm_anonymisation
from .applications.catalogue import required_sections, scored_sections
from .applications.models import Application
from .applications.service import seeded_codes, submit_application
from .applications.wordcount import word_count
from .assignment.conflict_service import detect_conflicts
from .assignment.models import Assignment
from .assignment.service import commit, ensure_panels, set_members
from .audit import service as audit
from .auth.models import User
from .auth.service import create_user
from .decision import service as decision
from .decision.engine import decide
from .demo import CHAIN_BUSINESS, ENTERPRISES, IDENTITY_SENTENCES
from .dossier.simulated import prepare_endorsement, record_checks
from .draws.service import sign_pledge
from .enterprises.uscc import make_uscc
from .errors import DomainError
from .experts.models import Expert
from .extensions import db
from .inspection import service as inspection_service
from .inspection.models import Inspection
from .inspection.sampling import SampleParams
from .intake.parsed import (
    EnterpriseInfo,
    Industry,
    ParsedApplication,
    Person,
    UnreadableFile,
    YearFigures,
)
from .intake.service import ReadUpload, import_docx, read_upload
from .intake.template import filled_template
from .meeting import simulated as meetings
from .panel import rehearsal
from .programs.models import Prefecture, Program, Track
from .programs.scale import scale_factor, scale_program
from .programs.service import current_program, load_reference_data
from .programs.years import DEFAULT_FIGURE_YEARS, DEFAULT_YEAR, figure_years, scenario
from .publicity import simulate as after_decision
from .scoring.in_force import is_meeting_track
from .scoring.models import DispersionFlag
from .scoring.service import (
    resolve_flag,
    rubric_file_for,
    rubric_section,
    save,
    scoring_task,
    scoring_tasks,
)
from .similarity import service as similarity
from .similarity import textgen
from .similarity.models import SimilarityFinding
from .workflow.service import fire

SCENARIO = scenario()
# The simulation's clock comes from the program data file ([scenario], UTC moments).
INTAKE_DAY = SCENARIO["intake_at"]  # 10:00 Beijing time, a week before the deadline
REVIEW_DAY = SCENARIO["review_at"]
DECISION_DAY = SCENARIO["decision_at"]
PASSWORD = f"Sim@{DEFAULT_YEAR}-not-for-production"  # noqa: S105 - generated accounts of a simulation
LEADING_SHARE = 16  # the notice: 16 national 卓越级 factories may apply for 领航级
MIN_GENERAL = 30
MIN_PER_LINK = 6
MIN_EXPERTS = MIN_GENERAL + 5 * MIN_PER_LINK
TASK_CHUNK = 500  # scoring tasks read per query
WORDS = ("宏", "鑫", "华", "瑞", "恒", "泰", "中", "博", "嘉", "盛", "源", "创", "达", "信", "远",
         "航", "科", "联", "德", "立", "金", "新", "正", "和", "兴", "安", "豫", "峰", "川", "晟")  # fmt: skip
TRADES = ("智能装备", "精密机械", "新材料", "电气", "汽车零部件", "食品", "化工", "电子",
          "轴承", "重工", "纺织", "医药")  # fmt: skip
UNITS = ("大学", "理工学院", "工业设计中心", "智能制造研究院", "检验检测研究院", "工程咨询公司",
         "信息技术研究所", "电子研究所")  # fmt: skip
UNIT_CITIES = ("郑州", "洛阳", "新乡", "南阳", "开封", "许昌", "焦作", "安阳", "北京", "上海",
               "武汉", "西安")  # fmt: skip


@dataclass
class Clock:
    """Moves the app's frozen clock from stage to stage."""

    config: dict

    def set(self, moment: datetime) -> None:
        self.config["FROZEN_NOW"] = moment


@dataclass
class Simulation:
    n_applications: int
    n_experts: int
    seed: int
    out: Path
    rng: random.Random = field(init=False)
    quality: dict[int, float] = field(default_factory=dict)  # application id -> hidden quality
    honesty: dict[int, str] = field(default_factory=dict)  # what an inspection would find
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU per stage, workers included
    quota_factor: int = 1  # >1 at national scale: the 附件3 quotas multiplied (programs/scale)
    users: dict[str, User] = field(default_factory=dict)
    experts: list[Expert] = field(default_factory=list)
    leniency: dict[int, float] = field(default_factory=dict)  # expert id -> bias
    similar: dict[str, int] = field(default_factory=dict)  # 雷同检测: planted, found, false_pairs
    _quality: dict[int, float] = field(default_factory=dict)  # by serial, until imported

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 - a reproducible simulation

    # ------------------------------------------------------------------ stages

    def run(self, clock: Clock) -> dict:
        load_reference_data()
        db.session.commit()
        self.program = current_program()
        self.quota_factor = scale_factor(self.program, self.n_applications - self._leading())
        scale_program(self.program, self.quota_factor)
        db.session.commit()
        stages = (
            ("accounts", INTAKE_DAY, self.accounts),
            ("intake", INTAKE_DAY, self.intake),
            ("similarity", INTAKE_DAY, self.similarity),
            ("endorsement", INTAKE_DAY, self.endorse),
            ("format_check", INTAKE_DAY, self.format_check),
            ("anonymisation", REVIEW_DAY, self.anonymise),
            ("assignment", REVIEW_DAY, self.assign),
            ("meeting", REVIEW_DAY, self.meeting),  # 会议评审 of the meeting-mode tracks
            ("scoring", REVIEW_DAY, self.score),
            ("discussion", REVIEW_DAY, self.discuss),
            ("reconsideration", REVIEW_DAY, self.reconsider),
            ("panel_opinions", REVIEW_DAY, self.panel_opinions),
            ("inspection", DECISION_DAY, self.inspect),
            ("decision", DECISION_DAY, self.decide),
            # 审定, 公示, 异议, 递补, 正式发文: the stage moves the clock through the periods
            ("publicity", DECISION_DAY, lambda: self.publicity(clock)),
            ("exports", None, self.export),  # on the day of 正式发文
            ("archive", None, self.archive),
        )
        # Anonymous codes from their own seeded generator: the same seed, the same run.
        with seeded_codes(random.Random(f"anon-codes-{self.seed}")):  # noqa: S311
            for name, moment, stage in stages:
                if moment is not None:
                    clock.set(moment)
                started, cpu = time.perf_counter(), cpu_used()
                stage()
                db.session.commit()
                self.seconds[name] = round(time.perf_counter() - started, 2)
                self.cpu_seconds[name] = round(cpu_used() - cpu, 2)
                # progress on stderr, so a long run shows its stages before the summary
                print(f"阶段 {name}：{self.seconds[name]} 秒（CPU {self.cpu_seconds[name]} 秒）",
                      file=sys.stderr, flush=True)  # fmt: skip
        return self.summary()

    def accounts(self) -> None:
        self.prefectures = list(
            db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars()
        )
        self.coord = create_user("sim-coord", PASSWORD, "coordinator", display_name="省厅协调员",
                                 actor_label="simulate", must_change_password=False)  # fmt: skip
        self.officers = {
            p.id: create_user(
                f"sim-pref-{p.division_code}",
                PASSWORD,
                "prefecture",
                display_name=f"{p.name}工信局",
                prefecture=p.name,
                actor_label="simulate",
                must_change_password=False,
            )  # fmt: skip
            for p in self.prefectures
        }
        self.inspectors = [
            create_user(
                f"sim-inspector-{i:02d}",
                PASSWORD,
                "inspector",
                display_name=f"核查人员{i:02d}",
                prefecture=p.name,
                actor_label="simulate",
                must_change_password=False,
            )  # fmt: skip
            for i, p in enumerate(self.prefectures[:8], start=1)
        ]
        self._experts()
        # an administrator, last: the other accounts keep their ids whatever is added here
        create_user("sim-admin", PASSWORD, "admin", display_name="系统管理员",
                    actor_label="simulate", must_change_password=False)  # fmt: skip

    def _experts(self) -> None:
        """Experts shared out over the panels by the work each panel has; a tenth are lenient,
        a tenth harsh; capacities leave a quarter of slack."""
        slots = self._slots_per_group()
        total = sum(slots.values())
        groups = sorted(slots)
        # Floors: a 领航级 application needs 24 different 综合组 experts (one section each) and
        # every section 3 reviewers free of 同地市回避.
        floor = {g: (MIN_GENERAL if g == "general" else MIN_PER_LINK) for g in groups}
        if self.n_experts < sum(floor.values()):
            raise ValueError(f"专家数至少为 {sum(floor.values())}（综合组 {MIN_GENERAL} 名，"
                             f"每个重点环节 {MIN_PER_LINK} 名）。")  # fmt: skip
        counts = {g: max(floor[g], round(self.n_experts * slots[g] / total)) for g in groups}
        while sum(counts.values()) > self.n_experts:
            counts[max(groups, key=lambda g: counts[g] - floor[g])] -= 1
        while sum(counts.values()) < self.n_experts:
            counts[max(groups, key=lambda g: slots[g] / counts[g])] += 1
        prefecture_names = [p.name for p in self.prefectures]
        i = 0
        members: dict[str, list[int]] = {}
        biases: list[float] = []
        for group in groups:
            capacity = math.ceil(slots[group] / counts[group] * 1.25) + 2
            for _ in range(counts[group]):
                i += 1
                user = create_user(f"sim-expert-{i:03d}", PASSWORD, "expert",
                                   display_name=f"评审专家{i:03d}",
                                   actor_label="simulate", must_change_password=False)  # fmt: skip
                expert = Expert(
                    user=user, name=f"专家{i:03d}",
                    employer=f"{self.rng.choice(UNIT_CITIES)}{self.rng.choice(WORDS)}"
                             f"{self.rng.choice(WORDS)}{self.rng.choice(UNITS)}",
                    title=self.rng.choice(("正高级工程师", "教授", "高级工程师")),
                    prefecture=None, specialties=[group], industries=[], capacity=capacity,
                )  # fmt: skip
                # Most experts are based in a Henan prefecture (the 同地市回避 rule bites).
                if self.rng.random() < 0.7:
                    name = self.rng.choice(prefecture_names)
                    expert.prefecture = next(p for p in self.prefectures if p.name == name)
                db.session.add(expert)
                self.experts.append(expert)
                roll = self.rng.random()
                biases.append(
                    0.08 if roll < 0.1 else -0.08 if roll < 0.2 else self.rng.gauss(0, 0.02)
                )
                members.setdefault(group, []).append(len(self.experts) - 1)
        db.session.flush()
        # Every expert signs the pledge before seeing any text (as on the /pledge page).
        for expert in self.experts:
            sign_pledge(expert, self.program, signed_name=expert.name, agreed=True, declared=[],
                        actor=expert.user)  # fmt: skip
        self.leniency = {e.id: b for e, b in zip(self.experts, biases, strict=True)}
        for panel in ensure_panels(self.program, self.coord):
            set_members(panel, [self.experts[k].id for k in members.get(panel.section_group, [])],
                        self.coord)  # fmt: skip

    def _plan(self) -> list[tuple[str, Prefecture]]:
        """(track, prefecture) for every application: 领航级 first, the rest shared out over
        the prefectures by their 附件3 quotas and never beyond them."""
        leading = self._leading()
        excellent = self.n_applications - leading
        quotas = {p.id: self.program.quota_for(p.id, "excellent") or 0 for p in self.prefectures}
        total_quota = sum(quotas.values())
        if excellent > total_quota:
            raise ValueError(f"卓越级申报不能超过各地市名额之和（{total_quota}）。")
        share = {p.id: math.floor(excellent * quotas[p.id] / total_quota) for p in self.prefectures}
        left = excellent - sum(share.values())
        for p in sorted(self.prefectures, key=lambda p: -quotas[p.id]):
            if left == 0:
                break
            if share[p.id] < quotas[p.id]:
                share[p.id] += 1
                left -= 1
        plan = [("leading", self.rng.choice(self.prefectures)) for _ in range(leading)]
        plan += [("excellent", p) for p in self.prefectures for _ in range(share[p.id])]
        return plan

    def _leading(self) -> int:
        return min(LEADING_SHARE, max(1, self.n_applications // 12))

    def _slots_per_group(self) -> dict[str, int]:
        plan_counts = {"leading": self._leading()}
        plan_counts["excellent"] = self.n_applications - plan_counts["leading"]
        slots: dict[str, int] = {}
        for track, n in plan_counts.items():
            reviewers = 3
            for spec in scored_sections(track):
                slots[spec.group] = slots.get(spec.group, 0) + n * reviewers
        return slots

    def intake(self) -> None:
        """Each 申报书 generated, then uploaded by its prefecture's officer (import_docx); the
        forms are written, checked and parsed by the worker processes (``_upload``), the imports
        run here in the plan's order."""
        used_names: set[str] = set()
        years = figure_years(self.program.year)
        plan = []
        for serial, (track, prefecture) in enumerate(self._plan(), start=1):
            parsed = self._parsed(serial, track, prefecture, used_names)
            roll = self.rng.random()  # drawn in the same order as one import at a time
            plan.append((serial, prefecture, parsed, roll))
        jobs = ((parsed.track, parsed, _form_name(parsed), years) for _s, _p, parsed, _r in plan)
        with parallel.workers() as workers:
            uploads = workers.map(_upload, jobs)
            for (serial, prefecture, parsed, roll), (data, read) in zip(plan, uploads, strict=True):
                app = import_docx(self.program, prefecture, data, _form_name(parsed),
                                  self.officers[prefecture.id], read=read)  # fmt: skip
                app.enterprise.main_business = CHAIN_BUSINESS.get(
                    parsed.enterprise.chain, "智能制造装备"
                )
                self.quality[app.id] = self._quality.pop(serial)
                self.honesty[app.id] = (
                    "untrue" if roll < 0.04 else "mostly_true" if roll < 0.15 else "true"
                )
        # the first enterprise's own account (申报企业), to follow its application to the end
        first = self._apps()[0]
        create_user("sim-applicant", PASSWORD, "applicant", display_name=first.enterprise.name,
                    enterprise_id=first.enterprise_id, actor_label="simulate",
                    must_change_password=False)  # fmt: skip

    def similarity(self) -> None:
        """雷同检测: plant copied passages (pairs across prefectures, edited: sentences reordered,
        figures changed, traditional characters; and one copied from a generated earlier-year
        application of another enterprise), run the detector, and count planted pairs found and
        pairs found that were not planted."""
        apps = self._apps()
        earlier = self._earlier_application()
        edits = (("reorder",), ("numbers",), ("traditional",), ("reorder", "numbers"))
        planted, used = set(), set()
        for k in range(min(3, len(apps) // 4)):
            a = next(x for x in apps if x.id not in used)
            b = next((x for x in apps if x.id not in used and x.id != a.id
                      and x.prefecture_id != a.prefecture_id), None)  # fmt: skip
            if b is None:
                break
            used |= {a.id, b.id}
            planted.add(self._plant(a, b, edits[k % len(edits)]))
        copier = next((x for x in apps if x.id not in used), None)
        if copier is not None:
            planted.add(self._plant(earlier, copier, edits[-1]))
        db.session.flush()
        similarity.detect(self.program, self.coord)
        found = {(f.section_a_id, f.section_b_id) for f in db.session.execute(
            select(SimilarityFinding)).scalars()}  # fmt: skip
        found = {tuple(sorted(pair)) for pair in found}
        self.similar = {"planted": len(planted), "found": len(found & planted),
                        "false_pairs": len(found - planted)}  # fmt: skip

    def _plant(self, source: Application, target: Application, edits) -> tuple[int, int]:
        """A passage (as a consultancy's template would give both) in ``source``'s 生产作业
        section, and edited in ``target``'s."""
        key = "link.production"  # a section of both tracks
        passage = textgen.section_text(self.rng, 160)
        for section, text in ((source.section(key), passage),
                              (target.section(key), textgen.edit(passage, self.rng, edits))):  # fmt: skip
            section.text = textgen.insert(text, section.text, self.rng)
            section.char_count = word_count(section.text)
        return tuple(sorted((source.section(key).id, target.section(key).id)))

    def _earlier_application(self) -> Application:
        """Last year's program with one application of an enterprise that did not apply again."""
        year = self.program.year - 1
        earlier = Program(code=f"sim-{year}", name=f"{year}年（模拟往年）", year=year,
                          deadline=self.program.deadline.replace(year=year), settings={})  # fmt: skip
        rubric = str(
            rubric_file_for("excellent", self.program)
        )  # last year's rules, as this year's
        earlier.tracks.append(Track(code="excellent", name="卓越级智能工厂培育", capacity=100,
                                    rubric_file=rubric))  # fmt: skip
        db.session.add(earlier)
        prefecture = self.prefectures[0]
        sections = {s.key: textgen.section_text(self.rng, 300)
                    for s in required_sections("excellent")}  # fmt: skip
        return submit_application(
            earlier, "excellent", prefecture,
            {"name": f"{prefecture.name.removesuffix('市')}往年智能科技有限公司",
             "uscc": make_uscc(prefecture.division_code, f"9{self.rng.randint(1000000, 9999999)}")},
            sections=sections, actor_label="simulate",
        )  # fmt: skip

    def _parsed(self, serial: int, track: str, prefecture: Prefecture, used: set[str]):
        rng = self.rng
        self._quality[serial] = rng.uniform(0.45, 0.95)
        city = prefecture.name.removesuffix("市").removesuffix("示范区")
        while True:
            name = f"{city}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
            if name not in used:
                used.add(name)
                break
        template = rng.choice(ENTERPRISES)
        division2, group, chain = template[6], template[7], template[8]
        size = rng.choice(("大型企业", "中型企业"))
        base = rng.uniform(50000, 400000) if size == "大型企业" else rng.uniform(8000, 30000)
        flawed = rng.random() < 0.05  # a figure the format check will question
        figures = {
            str(year): YearFigures(
                total_assets=round(base * (1 + 0.1 * i) * 1.6, 2),
                debt_ratio=round(rng.uniform(35, 62), 2),
                revenue=round(base * (1 + 0.12 * i), 2),
                profit_margin=round(
                    -rng.uniform(1, 5) if flawed and i == 0 else rng.uniform(4, 14), 2
                ),
            )  # fmt: skip
            for i, year in enumerate(DEFAULT_FIGURE_YEARS)
        }
        level = 4 if track == "leading" else rng.choice((3, 3, 4))
        honours = None
        if rng.random() < 0.4:
            honours = "、".join(rng.sample(
                ("国家级专精特新“小巨人”企业", "制造业单项冠军企业", "省级智能工厂",
                 "国家级绿色工厂", "省级工业互联网平台"), k=rng.choice((1, 1, 2))))  # fmt: skip
        org = f"{serial:04d}{rng.randint(1000, 9999)}"
        who = {"name": name, "short": name[len(city):len(city) + 2] + rng.choice(TRADES)[:2],
               "city": prefecture.name, "person": "王" + rng.choice(WORDS) + rng.choice(WORDS),
               "phone": "0371-6" + str(rng.randint(1000000, 9999999))}  # fmt: skip
        who["short"] = name[len(city) : len(city) + 2]
        sections = {}
        for s in required_sections(track):
            # Varied text (as real 申报书, two rarely share a long run: 雷同检测 measures on it)
            # with a sentence naming the enterprise (the redaction has work to do).
            picks = textgen.split_sentences(textgen.section_text(rng, 160))
            picks.insert(rng.randint(0, len(picks)), rng.choice(IDENTITY_SENTENCES).format(**who))
            sections[s.key] = "".join(picks)
        return ParsedApplication(
            track=track,
            enterprise=EnterpriseInfo(
                name=name, uscc=make_uscc(prefecture.division_code, org),
                prefecture=prefecture.name, county="", nature=rng.choice(("民营企业", "地方国企")),
                size=size, industry=Industry("C", division2, group), chain=chain,
                factory_address=f"{prefecture.name}{who['short']}大道{rng.randint(1, 300)}号",
                legal_rep=Person(who["person"], who["phone"]),
                contact=Person("李" + rng.choice(WORDS), "13" + str(rng.randint(100000000, 999999999)),
                               "信息化部部长", f"contact{serial}@example.com"),
            ),  # fmt: skip
            figures=figures,
            infrastructure=["工业机器人/自动化生产线", "工业互联网平台"],
            national_excellent=track == "leading", provincial_demo=False,
            has_honours=honours is not None, honours=honours, maturity_level=level,
            maturity_score=round(rng.uniform(level - 0.2, level + 0.75), 2), accidents=False,
            sections=sections,
        )  # fmt: skip

    def _apps(self, state: str | None = None) -> list[Application]:
        query = (select(Application).where(Application.program_id == self.program.id)
                 .order_by(Application.id))  # fmt: skip
        if state:
            query = query.where(Application.state == state)
        return list(db.session.execute(query).scalars())

    def endorse(self) -> None:
        for app in self._apps("submitted"):
            prepare_endorsement(app, self.officers[app.prefecture_id])  # 审核意见, 推荐函
            fire(app, "endorse", self.officers[app.prefecture_id])

    def format_check(self) -> None:
        for app in self._apps("prefecture_endorsed"):
            record_checks(app, self.coord)  # 盖章版已核对, 信用 and 事故 checks
            fire(app, "pass_format_check", self.coord)

    def anonymise(self) -> None:
        with parallel.workers() as workers:  # the redactions computed on every core
            for app, leaks in anonymise_applications(
                self._apps("format_checked"), self.coord, workers=workers
            ):
                if leaks:
                    raise RuntimeError(f"{app.anon_code} 匿名化后仍有泄露：{leaks[:3]}")
                confirm_anonymisation(app, self.coord)

    def assign(self) -> None:
        detect_conflicts(self.program, self.coord)
        for track in ("leading", "excellent"):
            if is_meeting_track(track, self.program):
                continue  # its experts are the panel present at the meeting (self.meeting)
            commit(
                self.program,
                track,
                seed=self.seed,
                due=SCENARIO["assignment_due"],
                actor=self.coord,
            )

    def meeting(self) -> None:
        self.meetings = meetings.run(
            self.program, self.coord, self.seed, self.rng,
            lambda app_id, expert_id: self.quality[app_id] + self.leniency.get(expert_id, 0),
        )  # fmt: skip

    def score(self) -> None:
        ids = db.session.execute(
            select(Assignment.id).where(Assignment.status == "assigned").order_by(Assignment.id)
        ).scalars().all()  # fmt: skip
        for start in range(0, len(ids), TASK_CHUNK):
            chunk = ids[start : start + TASK_CHUNK]
            # As the scoring page reads a task (assignment, section, expert, review), in one
            # query for a chunk of them.
            tasks = scoring_tasks(chunk)
            for assignment_id in chunk:
                self._score(*tasks[assignment_id])

    def _score(self, assignment: Assignment, review, noise: float = 0.05) -> None:
        q = self.quality[assignment.application_id] + self.leniency.get(assignment.expert_id, 0)
        if self.rng.random() < 0.01:  # a reviewer who reads the section very differently
            q += self.rng.choice((-0.35, 0.35))
        criteria = rubric_section(assignment.section).criteria
        values = {}
        for c in criteria:
            fraction = min(1.0, max(0.0, q + self.rng.gauss(0, noise)))
            values[c.code] = (round(fraction * c.max * 2) / 2, False)
        save(assignment, values, "材料较完整，建设成效有数据支撑，建议进一步量化投入产出。",
             version=None, actor=assignment.expert.user, submit=True, review=review)  # fmt: skip

    def reconsider(self) -> None:
        """复议: the reviewers furthest from the others re-score; if they still disagree, the
        panel records a consensus."""
        for _ in range(2):
            flags = db.session.execute(
                select(DispersionFlag).where(DispersionFlag.status == "open")
            ).scalars().all()  # fmt: skip
            if not flags:
                return
            for flag in flags:
                assignments = db.session.execute(
                    select(Assignment).where(Assignment.section_id == flag.section_id,
                                             Assignment.status == "submitted")
                ).scalars().all()  # fmt: skip
                if _ == 0:
                    resolve_flag(flag, "rescore", "分差较大，请相关专家复核后重新评分。",
                                 [a.expert_id for a in assignments], self.coord)  # fmt: skip
                    for a in assignments:
                        self._rescore(a.id)
                else:
                    resolve_flag(flag, "consensus", "复议后评审组合议，维持复核后的评分。", [],
                                 self.coord)  # fmt: skip

    def _rescore(self, assignment_id: int) -> None:
        assignment, review = scoring_task(assignment_id)
        q = self.quality[assignment.application_id] + self.leniency.get(assignment.expert_id, 0)
        values = {}
        for c in rubric_section(assignment.section).criteria:
            fraction = min(1.0, max(0.0, q + self.rng.gauss(0, 0.03)))
            values[c.code] = (round(fraction * c.max * 2) / 2, False)
        save(assignment, values, "复核后重新评分，与评审组意见基本一致。",
             version=review.version if review else None, actor=assignment.expert.user,
             submit=True, review=review)  # fmt: skip

    def inspect(self) -> None:
        for track in ("excellent", "leading"):
            params = SampleParams(seed=f"sim-{self.seed}-{track}",
                                  cut_line=self.program.track(track).capacity,
                                  near_cut=3 if track == "excellent" else 1,
                dispersion_min=2,
                                  random_per_prefecture=1 if track == "excellent" else 0)  # fmt: skip
            for inspection in inspection_service.draw(self.program, track, params, self.coord):
                self._inspect(inspection)

    def _inspect(self, inspection) -> None:
        app = inspection.application
        free = [u for u in self.inspectors
                if not inspection_service.inspector_conflicts(u, app)]  # fmt: skip
        team = self.rng.sample(free, k=min(2, len(free)))
        inspection_service.set_inspectors(inspection, [u.id for u in team], self.coord)
        inspector = team[0]
        honest = self.honesty[app.id]
        bad_item = self.rng.randrange(len(inspection.items)) if inspection.items else None
        for i, item in enumerate(inspection.items):
            finding = honest if i == bad_item else "true"
            note = "" if finding == "true" else "现场核对与申报材料不一致，详见核查记录。"
            inspection_service.record_item(inspection, item.code, finding, note, inspector)
        deduction = round(self.rng.uniform(1, 5), 1) if honest == "mostly_true" else 0
        note = "" if honest == "true" else "部分申报内容与现场情况不一致。"
        inspection_service.record_verdict(inspection, honest, deduction, note, inspector)

    def decide(self) -> None:
        self.recall = {}
        for track in ("excellent", "leading"):
            params = decision.default_params(self.program, track)
            candidates, _ = decision.gather(self.program, track)
            truth = sorted(candidates, key=lambda c: -self.quality[c.application_id])
            best = {c.application_id for c in truth[: params.capacity]}
            recall = {}
            for label, calibrated in (("raw", False), ("calibrated", True)):
                trial = replace(params, use_calibration=calibrated)
                admitted = {e.application_id for e in decide(candidates, trial).entries
                            if e.outcome == "admitted"}  # fmt: skip
                recall[label] = round(len(admitted & best) / len(best), 3) if best else None
            self.recall[track] = recall
            run = decision.stage(self.program, track, params, self.coord)
            decision.confirm(run, self.coord)  # proposes: final at 正式发文 (publicity stage)

    def publicity(self, clock: Clock) -> None:
        """The stages after the decision; the letters are released at their end."""
        checker = self.inspectors[0]
        self.after = after_decision.run(self.program, self.coord, checker, clock, self.rng)

    def export(self) -> None:
        """Every official export, as the 打包导出 job builds them, written as files."""
        from .decision.bundle import bundle_files

        self.files = []
        for name, make in bundle_files(self.program):
            path = self.out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(make())
            self.files.append(name)

    def discuss(self) -> None:
        """复议 as a discussion: a post in each open thread before it is resolved."""
        rehearsal.discuss(self.program, self.rng)

    def panel_opinions(self) -> None:
        """专家组意见 signed per panel and application; sheets signed (panel/rehearsal.py)."""
        rehearsal.sign_off(self.program, self.coord, self.rng)

    def archive(self) -> None:
        """归档 into ``out/归档`` and its verification, as ``review-app archive`` does."""
        from .archive import service as archive

        root = self.out / "归档"
        manifest = archive.write_archive(self.program, root)
        verdict = archive.verify_archive(root, with_database=True)
        self.archived = {"files": len(manifest["files"]), "verified": verdict.ok}

    # ------------------------------------------------------------------ summary

    def summary(self) -> dict:
        states = dict(
            db.session.execute(
                select(Application.state, func.count(Application.id))
                .where(Application.program_id == self.program.id)
                .group_by(Application.state)
            ).all()
        )
        admitted = dict(
            db.session.execute(
                select(Application.track_code, func.count(Application.id))
                .where(Application.state == "admitted", Application.program_id == self.program.id)
                .group_by(Application.track_code)
            ).all()
        )
        started = time.perf_counter()
        report = audit.verify()
        self.seconds["audit_verify"] = round(time.perf_counter() - started, 2)
        return {
            "applications": self.n_applications,
            "experts": self.n_experts,
            "seed": self.seed,
            "states": dict(sorted(states.items())),
            "admitted": {
                "excellent": admitted.get("excellent", 0),
                "leading": admitted.get("leading", 0),
            },  # fmt: skip
            "true_top_admitted": self.recall,
            "similarity": self.similar,
            "reviews": db.session.scalar(select(func.count(Assignment.id))),
            "dispersion_flags": db.session.scalar(select(func.count(DispersionFlag.id))),
            "inspections": dict(
                db.session.execute(
                    select(Inspection.verdict, func.count(Inspection.id)).group_by(
                        Inspection.verdict
                    )
                ).all()
            ),
            "seconds": self.seconds,
            "cpu_seconds": self.cpu_seconds,
            "quota_factor": self.quota_factor,
            "files": sorted(self.files),
            "audit": {"ok": report.ok, "events": report.count},
            "panel": rehearsal.counts(self.program),
            "meeting": getattr(self, "meetings", {}),
            "archive": getattr(self, "archived", {}),
            **getattr(self, "after", {}),
        }


def _form_name(parsed: ParsedApplication) -> str:
    return f"{parsed.enterprise.name}申报书.docx"


def _upload(job) -> tuple[bytes, ReadUpload | None]:
    """A generated 申报书 and what the upload's check and parse make of it (``read_upload``; None
    when they refuse it: ``import_docx`` then refuses it itself). Run by the workers."""
    track, parsed, filename, years = job
    data = filled_template(track, parsed)
    try:
        return data, read_upload(data, filename, years)
    except (UnreadableFile, DomainError):
        return data, None


def cpu_used() -> float:
    """CPU time of this process and of its ended worker processes (parallel.py), user + system."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_simulation(n_applications: int, n_experts: int, seed: int, out: Path, config) -> dict:
    """Run the pipeline in the current app context (an empty database) and write into ``out``."""
    if db.session.scalar(select(func.count(Application.id))):
        raise ValueError("数据库中已有申报数据，模拟运行需要一个空数据库。")
    sim = Simulation(n_applications, n_experts, seed, Path(out))
    result = sim.run(Clock(config))
    (Path(out) / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return result
