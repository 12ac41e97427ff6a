"""Offline inspection: the ids of accepted checklist saves (a replayed save is accepted once)

Revision ID: 0015_offline_inspection
Revises: 0014_dossier
Create Date: 2026-12-06 14:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_offline_inspection"
down_revision = "0014_dossier"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "checklist_save",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_checklist_save_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_checklist_save_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_save")),
        sa.UniqueConstraint("client_id", name=op.f("uq_checklist_save_client_id")),
    )


def downgrade():
    op.drop_table("checklist_save")
