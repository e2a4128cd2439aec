"""Rules the member registry adds to other apps' services."""

from ruhui.members.models import HELD_STATUSES, Member


def union_still_holds_members(union) -> str | None:
    """A union whose members are still held there cannot be deactivated: transfer them first."""
    count = Member.objects.filter(union=union, status__in=HELD_STATUSES).count()
    if count:
        return (
            f"「{union.name}」还有 {count} 名在册会员（在籍、保留或接转中），"
            "请先为他们办理转出，再撤销该工会。"
        )
    return None
