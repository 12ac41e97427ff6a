"""What "sent" means, in one place. The 发件箱's status tags, the 结果通知 page's mail column and
the dashboards' after-decision figures all count here, so they agree: a message is 已发送 when
the mail server accepted it (status ``sent``); a cancelled one is not counted as mail to send.
(On 结果通知, 已发出 means released to the prefecture, downloadable in the system; that puts
its letters in the outbox, where they are reviewed and sent like any other message.)"""

from sqlalchemy import func, select

from ..extensions import db
from .models import OutboxMessage

SENT = "sent"
NOT_TO_SEND = ("cancelled",)
LETTER_KIND = "result_letter"


def status_counts(program, kind: str | None = None) -> dict[str, int]:
    """The program's messages by status (of one ``kind`` if given)."""
    query = select(OutboxMessage.status, func.count()).where(OutboxMessage.program_id == program.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return dict(db.session.execute(query.group_by(OutboxMessage.status)).all())


def sent_of(counts: dict[str, int]) -> tuple[int, int]:
    """(sent, to send in all) from status counts."""
    total = sum(n for status, n in counts.items() if status not in NOT_TO_SEND)
    return counts.get(SENT, 0), total


def letters_sent(program) -> tuple[int, int]:
    """The result letters' mail: (sent, to send in all)."""
    return sent_of(status_counts(program, LETTER_KIND))


def letters_by_notice(program) -> dict[int, dict[str, int]]:
    """Each result notice's letters (``result_letter:<notice id>:<officer id>``) by status."""
    rows = db.session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
            OutboxMessage.program_id == program.id, OutboxMessage.kind == LETTER_KIND
        )
    ).all()
    out: dict[int, dict[str, int]] = {}
    for key, status in rows:
        notice_id = int(key.split(":")[1])
        counts = out.setdefault(notice_id, {})
        counts[status] = counts.get(status, 0) + 1
    return out
