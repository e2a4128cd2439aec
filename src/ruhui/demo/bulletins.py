"""The demo's 通报 (issue 17): on `make demo` the 2019 drive (`pds-2019`) has its bulletins as
of 2019-07-31 and 2019-09-30, each written, generated (the .docx, .pdf, .xlsx and
chart exist, with no character outside the vendored fonts) and published by pds_admin on its
days; the 11-30 bulletin is left for pds_admin to write and publish (the issue's "Done when")."""

import datetime

from ruhui.accounts.models import User
from ruhui.campaigns.models import Campaign
from ruhui.demo.projects import SLUG, _on
from ruhui.reports import bulletin_services as services
from ruhui.reports.models import Bulletin

D = datetime.date
TITLE = "关于全市农民工入会集中行动推进情况的通报"
#: (cut-off, 文号, written on, published on)
BULLETINS = [
    (D(2019, 7, 31), "平工组〔2019〕12号", D(2019, 8, 7), D(2019, 8, 9)),
    (D(2019, 9, 30), "平工组〔2019〕16号", D(2019, 10, 9), D(2019, 10, 11)),
]


def seed_demo_bulletins() -> dict:
    """The published bulletins of `pds-2019` (see the module docstring), once."""
    campaign = Campaign.objects.select_related("owner").filter(slug=SLUG).first()
    if campaign is None or Bulletin.objects.filter(campaign=campaign).exists():
        return {"bulletins": 0, "missing_characters": []}
    admin = User.objects.get(username="pds_admin")
    missing: list[str] = []
    for cut_off, number, written, published in BULLETINS:
        with _on(written):
            bulletin = services.bulletin_create(
                actor=admin,
                campaign=campaign,
                cut_off=cut_off,
                data={"title": TITLE, "number": number},
            )
            missing += services.bulletin_build(bulletin.pk)["missing_characters"]
        with _on(published, hour=15):
            services.bulletin_publish(actor=admin, bulletin=bulletin)
    return {"bulletins": len(BULLETINS), "missing_characters": missing}
