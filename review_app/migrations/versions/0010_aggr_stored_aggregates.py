"""stored aggregates: one row per program track with its section and application scores

Revision ID: 0010_aggr_stored_aggregates
Revises: 0009_job_lease
Create Date: 2026-12-06 08:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_aggr_stored_aggregates"
down_revision = "0009_job_lease"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "score_aggregate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("track_code", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("rubric_key", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_score_aggregate_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_aggregate")),
        sa.UniqueConstraint(
            "program_id", "track_code", name=op.f("uq_score_aggregate_program_id_track_code")
        ),
    )


def downgrade():
    op.drop_table("score_aggregate")
