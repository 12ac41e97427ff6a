"""Dossier: 推荐函, 地市审核意见, 从业人员

Revision ID: 0014_dossier
Revises: 0011_similar_findings
Create Date: 2026-12-06 11:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_dossier"
down_revision = "0011_similar_findings"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("application", sa.Column("employees", sa.Integer(), nullable=True))
    op.create_table(
        "endorsement_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("prefecture_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_endorsement_letter_letter_size_positive")),
        sa.ForeignKeyConstraint(
            ["prefecture_id"],
            ["prefecture.id"],
            name=op.f("fk_endorsement_letter_prefecture_id_prefecture"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["program.id"], name=op.f("fk_endorsement_letter_program_id_program")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_endorsement_letter_uploaded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsement_letter")),
        sa.UniqueConstraint(
            "program_id",
            "prefecture_id",
            name=op.f("uq_endorsement_letter_program_id_prefecture_id"),
        ),
    )
    op.create_index(
        op.f("ix_endorsement_letter_prefecture_id"), "endorsement_letter", ["prefecture_id"]
    )
    op.create_table(
        "prefecture_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "length(text) > 0", name=op.f("ck_prefecture_opinion_opinion_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_prefecture_opinion_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"], ["user.id"], name=op.f("fk_prefecture_opinion_written_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prefecture_opinion")),
        sa.UniqueConstraint("application_id", name=op.f("uq_prefecture_opinion_application_id")),
    )


def downgrade():
    op.drop_table("prefecture_opinion")
    op.drop_index(op.f("ix_endorsement_letter_prefecture_id"), table_name="endorsement_letter")
    op.drop_table("endorsement_letter")
    op.drop_column("application", "employees")
