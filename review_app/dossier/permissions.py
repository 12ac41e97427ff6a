"""Who may act on the dossier; the service, the views and the templates ask here.

* 地市审核意见: a prefecture officer writes it for its own applications until the province's
  format check starts (已提交、已退回、地市已推荐).
* 推荐函: a prefecture officer uploads its own prefecture's letter.
* Both are read by the coordinator (any) and the officer (its own); the 审核情况表 likewise.
"""

from ..auth.permissions import can_view_application, has_role, is_coordinator
from ..workflow.states import BEFORE_ENDORSEMENT_STATES, FINAL_STATES

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


def can_upload_attachment(user, application=None) -> bool:
    """上传/删除申报附件 and the stamped 申报书: the application's prefecture officer, until the
    province's format check starts (as for the 审核意见)."""
    return can_write_opinion(user, application)


def can_add_check_file(user, application=None) -> bool:
    """The coordinator's checks (盖章版已核对, 信用 and 事故核查) and their files: the coordinator,
    on an application that is not final."""
    if not is_coordinator(user):
        return False
    return application is None or application.state not in FINAL_STATES


def can_view_attachments(user, application=None) -> bool:
    """The dossier page of an application: the coordinator and its prefecture's officer."""
    return can_view_dossier(user, application)


def can_check_dossiers(user, obj=None) -> bool:
    """材料核对 (what each recommended dossier lacks) and the import of check results: the
    coordinator."""
    return is_coordinator(user)


def can_edit_entry_figures(user, application=None) -> bool:
    """入库条件指标 and the scenario tick list: the prefecture officer while it may write its
    opinion, or the coordinator on an application that is not final."""
    return can_write_opinion(user, application) or can_add_check_file(user, application)


def can_view_statistics(user, obj=None) -> bool:
    """统计 (charts, .xlsx, report text): the coordinator."""
    return is_coordinator(user)
