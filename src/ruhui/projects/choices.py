"""The states and code lists of 项目清单+责任制 (2019 plan 四(二)–(四))."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("退回修改")
    CONSOLIDATED = "consolidated", _("市总已汇总")
    REPORTED = "reported", _("已报省总")


#: A plan its own unit may still edit.
PLAN_EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class ProjectKind(models.TextChoices):
    BUILD = "build", _("建会入会")
    SERVICE = "service", _("维护服务")


class BuildType(models.TextChoices):
    ENTERPRISE = "enterprise", _("拟建企业工会")
    TRADE_REGIONAL = "trade_regional", _("拟建行业性区域性工会联合会")
    JOINT = "joint", _("拟建基层联合工会")
    EXISTING = "existing", _("已有工会发展会员")


class ServiceCategory(models.TextChoices):
    BENEFITS = "benefits", _("普惠服务")
    TRAINING = "training", _("教育培训")
    FOUR_SEASONS = "four_seasons", _("四季送关爱活动")
    DEMOCRATIC = "democratic", _("民主管理制度建设")
    POSTS = "posts", _("工会服务阵地建设")


class ProjectStatus(models.TextChoices):
    LISTED = "listed", _("已列入")
    APPROVED = "approved", _("已立项")
    IN_PROGRESS = "in_progress", _("实施中")
    ASSESSED = "assessed", _("自评已提交")
    CLOSED = "closed", _("合格·已销账")
    RECTIFYING = "rectifying", _("限期整改")
    FAILED = "failed", _("不合格")


class SubsidyStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已申请，待市总初审")
    RETURNED = "returned", _("市总退回修改")
    REJECTED = "rejected", _("市总初审未通过")
    RECOMMENDED = "recommended", _("市总初审通过")
    SENT = "sent", _("已报省总审核")
    FIRST_APPROVED = "first_approved", _("省总一审通过，待第二人审核")
    APPROVED = "approved", _("省总已立项")
    DECLINED = "declined", _("省总审核未通过")


class InspectionKind(models.TextChoices):
    CHECK = "check", _("检查")
    RESEARCH = "research", _("调研督查")
    OPEN = "open", _("明查")
    COVERT = "covert", _("暗访")


class AttachmentPurpose(models.TextChoices):
    SCHEME = "scheme", _("实施方案")
    UPDATE = "update", _("实施进展")
    INSPECTION = "inspection", _("检查记录")
    ASSESSMENT = "assessment", _("绩效自评报告")
