"""The rubric of a track is the file its Track row names (``Track.rubric_file``)."""

from review_app.extensions import db
from review_app.paths import RUBRICS
from review_app.programs.service import current_program
from review_app.scoring.rubric import rubric_file_path
from review_app.scoring.service import rubric_file_for, rubric_for


def test_the_shipped_program_names_its_rubric_files(app):
    program = current_program()
    for track in program.tracks:
        assert rubric_file_for(track.code) == RUBRICS / f"{track.code}-{program.year}.toml"
    assert rubric_for("excellent").aggregation.dispersion_range == 20.0


def test_a_track_reads_the_rubric_file_it_names(app, tmp_path):
    text = (RUBRICS / f"excellent-{current_program().year}.toml").read_text(encoding="utf-8")
    other = tmp_path / "excellent-other.toml"
    other.write_text(
        text.replace("dispersion_range = 20.0", "dispersion_range = 12.5"), encoding="utf-8"
    )
    program = current_program()
    program.track("excellent").rubric_file = str(other)
    db.session.flush()
    assert rubric_file_for("excellent") == other
    assert rubric_for("excellent").aggregation.dispersion_range == 12.5
    assert rubric_for("leading").track == "leading"  # the other track keeps its own file


def test_rubric_file_paths_resolve_in_the_shipped_folder():
    assert rubric_file_path("rubrics/excellent-2030.toml") == RUBRICS / "excellent-2030.toml"
