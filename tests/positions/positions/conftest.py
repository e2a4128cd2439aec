"""Builders for the positions' tests, on top of tests/conftest.py's world (舞钢 = county,
宝丰 = sibling). Positions are made through the services, as the pages make them."""

import pytest

from ruhui.positions import services

WUGANG = {"latitude": "33.297120", "longitude": "113.526340"}


def position_data(union, **overrides) -> dict:
    data = {
        "kind": "station",
        "name": "舞钢垭口街道户外劳动者服务站点",
        "running_union": union,
        "partner": "中国工商银行舞钢支行营业部",
        "division_code": "410481",
        "township": "垭口街道",
        "address": "舞钢市垭口街道寺坡路 12 号",
        **WUGANG,
        "hours": "8:00-20:00",
        "groups": ["02", "06"],
        "status": "running",
        "facilities": ["water", "seats", "microwave", "charging"],
        "has_sign": True,
        "on_map": True,
    }
    data.update(overrides)
    return data


def make_position(actor, union=None, **overrides):
    union = union or actor.organization
    return services.position_create(actor=actor, data=position_data(union, **overrides))


@pytest.fixture
def station(world):
    """A running station of 舞钢's express-delivery trade union."""
    return make_position(world.county_admin, world.county_trade)


@pytest.fixture
def sibling_station(world):
    return make_position(
        world.sibling_admin,
        world.sibling_trade,
        name="宝丰城关镇快递小哥驿站",
        division_code="410421",
        township="城关镇",
        address="宝丰县城关镇人民路 8 号",
        latitude="33.868100",
        longitude="113.055200",
    )
