"""Who may act on the dossier; the service, the views and the templates ask here.

* 地市审核意见: a prefecture officer writes it for its own applications until the province's
  format check starts (已提交、已退回、地市已推荐).
* 推荐函: a prefecture officer uploads its own prefecture's letter.
* Both are read by the coordinator (any) and the officer (its own); the 审核情况表 likewise.
"""

from ..auth.permissions import can_view_application, has_role, is_coordinator
from ..workflow.states import BEFORE_ENDORSEMENT_STATES

OPINION_STATES = BEFORE_ENDORSEMENT_STATES | {"prefecture_endorsed"}
REFUSAL = "只有本地市工信主管部门可以填写审核意见或上传推荐函。"


def can_prepare_endorsement(user, obj=None) -> bool:
    """推荐材料 page (推荐函 and 审核意见): a prefecture officer."""
    return has_role(user, "prefecture")


def can_write_opinion(user, application=None) -> bool:
    """填写地市审核意见: the officer of the application's prefecture, before the format check."""
    if not has_role(user, "prefecture"):
        return False
    return application is None or (
        can_view_application(user, application) and application.state in OPINION_STATES
    )


def can_upload_letter(user, prefecture=None) -> bool:
    """上传推荐函: an officer of that prefecture."""
    if not has_role(user, "prefecture"):
        return False
    return prefecture is None or prefecture.id == user.prefecture_id


def can_view_dossier(user, obj=None) -> bool:
    """推荐函, 审核意见 and the 审核情况表: the coordinator (all) and prefecture officers (own).
    ``obj`` is an application or a letter (anything with a ``prefecture_id``)."""
    if is_coordinator(user):
        return True
    if not has_role(user, "prefecture"):
        return False
    if obj is None:
        return True
    if hasattr(obj, "enterprise_id"):
        return can_view_application(user, obj)
    return obj.prefecture_id == user.prefecture_id
