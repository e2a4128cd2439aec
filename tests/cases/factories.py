"""Cases made through the services (the only way cases come to exist)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ruhui.cases import services

TEXT = (
    "舞钢市快递行业工会在城区快递网点集中的街道建起「小哥驿站」，提供饮水、充电和休息。\n"
    "\n"
    "驿站开放以来，工会干部每周两次到站，为快递小哥讲解入会的好处，现场办理网上入会。"
)


def png_upload(name="驿站.png", size=(40, 30), color=(200, 40, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def submit(actor, *, title="舞钢快递行业工会建起「小哥驿站」", text=TEXT, groups=("02",), **kw):
    return services.case_submit(
        actor=actor, data={"title": title, "text": text, "groups": list(groups)}, **kw
    )


def published(world, **kw):
    case = submit(world.county_admin, **kw)
    return services.case_publish(actor=world.city_admin, case=case)
