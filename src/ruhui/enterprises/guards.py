"""Rules the enterprise survey adds to other apps' services."""

from ruhui.enterprises.models import Enterprise


def union_still_covers_enterprises(union) -> str | None:
    """A union that covers enterprises (or is responsible for surveying them) cannot be
    deactivated while they point at it: their 已建会 status and the campaign counts depend on it."""
    covered = Enterprise.objects.filter(union=union).count()
    if covered:
        return f"「{union.name}」还覆盖 {covered} 家企业（企业排查中已建会），请先处理这些企业，再撤销该工会。"
    responsible = Enterprise.objects.filter(responsible_unit=union).count()
    if responsible:
        return f"「{union.name}」是 {responsible} 家企业的排查责任单位，请先把它们移交其他单位，再撤销。"
    return None
