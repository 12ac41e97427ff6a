"""``review-app program create --year Y --from X`` copies a program into a new year."""

import tomllib

from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.programs.models import Program, ProgramQuota
from review_app.programs.service import current_program
from review_app.scoring.service import rubric_for


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Program, ProgramQuota, AuditEvent)
    )


def test_create_copies_the_program_into_the_new_year(runner, tmp_path):
    source = current_program()
    year = source.year + 1
    result = runner.invoke(
        args=["program", "create", "--year", str(year), "--from", str(source.year),
              "--rubric-dir", str(tmp_path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new = current_program()
    assert (new.year, new.code) == (year, source.code.replace(str(source.year), str(year)))
    assert str(year) in new.name and new.deadline.year == source.deadline.year + 1
    assert new.settings["quotas_to_confirm"] is True
    assert [(t.code, t.capacity) for t in new.tracks] == [
        (t.code, t.capacity) for t in source.tracks
    ]
    assert sorted((q.prefecture_id, q.track_code, q.quota) for q in new.quotas) == sorted(
        (q.prefecture_id, q.track_code, q.quota) for q in source.quotas
    )
    for track in new.tracks:
        path = tmp_path / f"{track.code}-{year}.toml"
        assert track.rubric_file == str(path)
        meta = tomllib.loads(path.read_text(encoding="utf-8"))["meta"]
        assert (meta["program"], meta["version"], meta["track"]) == (
            new.code, f"{year}.1", track.code,
        )  # fmt: skip
        assert rubric_for(track.code, new).program == new.code  # the copy is what scoring reads
    assert rubric_for("excellent", source).program == source.code  # the old year keeps its own
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert (event.action, event.object_id) == ("program.created", str(new.id))


def test_create_refuses_an_existing_year_or_a_missing_source(runner, tmp_path):
    year = current_program().year
    before = counts()
    taken = runner.invoke(args=["program", "create", "--year", str(year), "--from", str(year),
                                "--rubric-dir", str(tmp_path)])  # fmt: skip
    assert taken.exit_code == 2 and f"{year}年的培育批次已存在" in taken.output
    missing = runner.invoke(args=["program", "create", "--year", str(year + 2),
                                  "--from", str(year - 9), "--rubric-dir", str(tmp_path)])  # fmt: skip
    assert missing.exit_code == 2 and f"找不到{year - 9}年的培育批次" in missing.output
    db.session.expire_all()
    assert counts() == before and list(tmp_path.iterdir()) == []


def test_create_does_not_overwrite_a_rubric_file(runner, tmp_path):
    year = current_program().year
    (tmp_path / f"leading-{year + 1}.toml").write_text("kept", encoding="utf-8")
    before = counts()
    result = runner.invoke(args=["program", "create", "--year", str(year + 1),
                                 "--from", str(year), "--rubric-dir", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 2 and "已存在，未覆盖" in result.output
    db.session.expire_all()
    assert counts() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"leading-{year + 1}.toml"]
