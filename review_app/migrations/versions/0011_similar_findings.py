"""雷同检测: similarity findings

Revision ID: 0011_similar_findings
Revises: 0010_aggr_stored_aggregates
Create Date: 2026-12-06 08:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_similar_findings"
down_revision = "0010_aggr_stored_aggregates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "similarity_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("application_a_id", sa.Integer(), nullable=False),
        sa.Column("application_b_id", sa.Integer(), nullable=False),
        sa.Column("section_a_id", sa.Integer(), nullable=False),
        sa.Column("section_b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("shared_chars", sa.Integer(), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("text_a", sa.Text(), nullable=False),
        sa.Column("text_b", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('same_prefecture', 'cross_prefecture', 'earlier_other', 'own_earlier')",
            name=op.f("ck_similarity_finding_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'normal', 'similar')",
            name=op.f("ck_similarity_finding_status_valid"),
        ),
        sa.CheckConstraint(
            "score >= 0 AND score <= 1", name=op.f("ck_similarity_finding_score_range")
        ),
        sa.CheckConstraint(
            "shared_chars >= 0", name=op.f("ck_similarity_finding_shared_nonnegative")
        ),
        sa.CheckConstraint(
            "section_a_id <> section_b_id", name=op.f("ck_similarity_finding_two_sections")
        ),
        sa.ForeignKeyConstraint(
            ["application_a_id"],
            ["application.id"],
            name=op.f("fk_similarity_finding_application_a_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_b_id"],
            ["application.id"],
            name=op.f("fk_similarity_finding_application_b_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["user.id"], name=op.f("fk_similarity_finding_marked_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_similarity_finding_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["section_a_id"],
            ["section.id"],
            name=op.f("fk_similarity_finding_section_a_id_section"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_b_id"],
            ["section.id"],
            name=op.f("fk_similarity_finding_section_b_id_section"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_similarity_finding")),
        sa.UniqueConstraint(
            "section_a_id",
            "section_b_id",
            name=op.f("uq_similarity_finding_section_a_id_section_b_id"),
        ),
    )
    with op.batch_alter_table("similarity_finding", schema=None) as batch_op:
        for column in (
            "program_id",
            "application_a_id",
            "application_b_id",
            "section_b_id",
            "status",
        ):
            batch_op.create_index(
                batch_op.f(f"ix_similarity_finding_{column}"), [column], unique=False
            )


def downgrade():
    with op.batch_alter_table("similarity_finding", schema=None) as batch_op:
        for column in (
            "program_id",
            "application_a_id",
            "application_b_id",
            "section_b_id",
            "status",
        ):
            batch_op.drop_index(batch_op.f(f"ix_similarity_finding_{column}"))
    op.drop_table("similarity_finding")
