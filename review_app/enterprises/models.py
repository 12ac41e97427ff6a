"""Enterprise: the applicant's identity, as declared in 申报书 一、申报主体基本信息."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..programs.models import Prefecture

NATURES = ("中央企业", "地方国企", "民营企业", "三资企业")
SIZES = ("大型企业", "中型企业", "小型企业", "微型企业")


class Enterprise(Timestamps, db.Model):
    __tablename__ = "enterprise"
    __table_args__ = (
        one_of("nature", NATURES),
        one_of("size", SIZES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # 统一社会信用代码 (GB 32100-2015); unique across the system.
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    prefecture_id: Mapped[int | None] = mapped_column(ForeignKey("prefecture.id"))
    county: Mapped[str] = mapped_column(String(60), default="")
    nature: Mapped[str | None] = mapped_column(String(20))
    size: Mapped[str | None] = mapped_column(String(20))
    # GB/T 4754-2017: 门类 (C), 大类 (two digits), 中类 (three digits).
    industry_section: Mapped[str] = mapped_column(String(1), default="C")
    industry_division: Mapped[str | None] = mapped_column(String(2))
    industry_group: Mapped[str | None] = mapped_column(String(3))
    chain: Mapped[str | None] = mapped_column(String(40))
    factory_address: Mapped[str] = mapped_column(String(300), default="")
    # 主营业务: a column of 附件2; the prefecture fills it (the form itself has no such field).
    main_business: Mapped[str] = mapped_column(String(200), default="")
    legal_rep_name: Mapped[str] = mapped_column(String(60), default="")
    legal_rep_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_title: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(120), default="")

    prefecture: Mapped[Prefecture | None] = relationship()

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name}>"
