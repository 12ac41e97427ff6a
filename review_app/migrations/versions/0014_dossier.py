"""Dossier: 推荐函, 地市审核意见, 从业人员

Revision ID: 0014_dossier
Revises: 0011_similar_findings
Create Date: 2026-12-06 11:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_dossier"
down_revision = "0013_panel_record"
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

    op.create_table(
        "dossier_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("differences", sa.JSON(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('maturity_certificate', 'other_capability', 'honour', "
            "'national_excellent_title', 'financial_statement', 'stamped_form', "
            "'credit_evidence', 'accident_evidence')",
            name=op.f("ck_dossier_file_kind_valid"),
        ),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
            name=op.f("ck_dossier_file_content_type_valid"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_dossier_file_file_size_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_dossier_file_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_dossier_file_uploaded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_file")),
    )
    op.create_index(op.f("ix_dossier_file_application_id"), "dossier_file", ["application_id"])
    op.create_table(
        "dossier_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("checked_by", sa.String(length=100), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('stamped_copy', 'credit', 'accident')", name=op.f("ck_dossier_check_kind_valid")
        ),
        sa.CheckConstraint("result IN ('pass', 'fail')", name=op.f("ck_dossier_check_result_valid")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"],
            name=op.f("fk_dossier_check_application_id_application"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["dossier_file.id"], name=op.f("fk_dossier_check_file_id_dossier_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_dossier_check_recorded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_check")),
        sa.UniqueConstraint("application_id", "kind", name=op.f("uq_dossier_check_application_id_kind")),
    )  # fmt: skip

    op.create_table(
        "entry_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("nc_rate", sa.Float(), nullable=True),
        sa.Column("design_tool_rate", sa.Float(), nullable=True),
        sa.Column("scenarios", sa.JSON(), nullable=False),
        sa.Column("ai_scenarios", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "nc_rate IS NULL OR (nc_rate BETWEEN 0 AND 100)",
            name=op.f("ck_entry_figures_nc_rate_range"),
        ),
        sa.CheckConstraint(
            "design_tool_rate IS NULL OR (design_tool_rate BETWEEN 0 AND 100)",
            name=op.f("ck_entry_figures_design_tool_rate_range"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"],
            name=op.f("fk_entry_figures_application_id_application"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_entry_figures_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_figures")),
        sa.UniqueConstraint("application_id", name=op.f("uq_entry_figures_application_id")),
    )  # fmt: skip
    op.create_table(
        "industry_average",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("division", sa.String(length=2), nullable=False),
        sa.Column("nc_rate", sa.Float(), nullable=False),
        sa.Column("design_tool_rate", sa.Float(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "nc_rate BETWEEN 0 AND 100", name=op.f("ck_industry_average_avg_nc_rate_range")
        ),
        sa.CheckConstraint(
            "design_tool_rate BETWEEN 0 AND 100",
            name=op.f("ck_industry_average_avg_design_tool_rate_range"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_industry_average_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_average")),
        sa.UniqueConstraint("division", name=op.f("uq_industry_average_division")),
    )


def downgrade():
    op.drop_table("industry_average")
    op.drop_table("entry_figures")
    op.drop_table("dossier_check")
    op.drop_index(op.f("ix_dossier_file_application_id"), table_name="dossier_file")
    op.drop_table("dossier_file")
    op.drop_table("prefecture_opinion")
    op.drop_index(op.f("ix_endorsement_letter_prefecture_id"), table_name="endorsement_letter")
    op.drop_table("endorsement_letter")
    op.drop_column("application", "employees")
