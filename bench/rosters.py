"""Synthetic member rosters for the benchmarks: valid, unique ID numbers and phones, the
eight groups, dates and labels as cadres type them; written as .csv and .xlsx."""

import csv
import datetime
import random
from pathlib import Path

import xlsxwriter

HEADER = [
    "姓名",
    "身份证号码",
    "手机号码",
    "民族",
    "学历",
    "户籍类型",
    "就业状况",
    "用工形式",
    "工作单位",
    "是否农民工",
    "八大群体类别",
    "新就业形态",
    "入会日期",
    "所属工会",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强海燕波辉鹏飞婷雪琳宇浩晨阳欣怡子涵雨萱梓轩"
GROUPS = [
    "货车司机",
    "快递员",
    "护工护理员",
    "家政服务员",
    "商场信息员",
    "网约送餐员",
    "房产中介员",
    "保安员",
    "非八大群体",
]
EDUCATION = ["初中", "高中", "中专", "大专", "本科", "小学"]
REGIONS = [
    "410402",
    "410403",
    "410404",
    "410411",
    "410421",
    "410422",
    "410423",
    "410425",
    "410481",
    "410482",
    "411323",
    "411324",
    "411325",
    "411326",
    "412801",
]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def id_number(serial: int, rng: random.Random) -> str:
    """A valid ID number unique per serial (birth day and sequence come from the serial)."""
    region = REGIONS[serial % len(REGIONS)]
    day = datetime.date(1966, 1, 1) + datetime.timedelta(days=(serial // 999) % 14000)
    seq = serial % 999 + 1
    first17 = f"{region}{day:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK[total % 11]


def rows(
    count: int,
    *,
    start: int = 0,
    seed: int = 2019,
    unions: list[str] | None = None,
    bad_every: int = 0,
):
    """Roster rows; every `bad_every`-th row carries a typical mistake (bad phone, ID, date)."""
    rng = random.Random(seed)
    for i in range(start, start + count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        joined = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(3900))
        row = [
            name,
            id_number(i, rng),
            phone,
            "汉族",
            rng.choice(EDUCATION),
            rng.choice(["农业家庭户口", "非农业家庭户口"]),
            "在岗",
            rng.choice(["劳动合同", "劳务派遣", "灵活就业", "平台接单"]),
            f"平顶山{rng.choice(['顺达', '安居', '宏远', '美团'])}有限公司",
            "是" if rng.random() < 0.7 else "否",
            rng.choice(GROUPS),
            "是" if rng.random() < 0.3 else "否",
            joined.isoformat(),
            rng.choice(unions) if unions else "",
        ]
        if bad_every and i % bad_every == 0:
            kind = (i // bad_every) % 3
            if kind == 0:
                row[2] = "1234567"
            elif kind == 1:
                row[1] = row[1][:-1] + ("0" if row[1][-1] != "0" else "1")
            else:
                row[12] = "2019-13-45"
        yield row


def write_csv(path: Path, data) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(data)
    return path


def write_xlsx(path: Path, data) -> Path:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("会员信息")
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(data, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    workbook.close()
    return path
