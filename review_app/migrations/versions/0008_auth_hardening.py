"""auth hardening: sign-in throttle, per-account failure window, forced password change, the
password_reset outbox message kind

Revision ID: 0008_auth_hardening
Revises: 0007_api_tokens_webhooks
Create Date: 2026-12-06 04:50:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_auth_hardening"
down_revision = "0007_api_tokens_webhooks"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("invitation", "review_due", "review_overdue", "result_letter")
KINDS_AFTER = KINDS_BEFORE + ("password_reset",)


def _kind_check(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttle_failures_nonnegative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint(
            "username_hash", "address", name=op.f("uq_login_throttle_username_hash_address")
        ),
    )
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttle_last_failure_at"), ["last_failure_at"], unique=False
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures_since", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_valid"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_outbox_message_kind_valid"), _kind_check(KINDS_AFTER)
        )


def downgrade():
    op.execute("DELETE FROM outbox_message WHERE kind = 'password_reset'")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_kind_valid"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_outbox_message_kind_valid"), _kind_check(KINDS_BEFORE)
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("failures_since")
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_last_failure_at"))
    op.drop_table("login_throttle")
