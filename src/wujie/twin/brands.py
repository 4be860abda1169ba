"""Reference tables for the twin's catalog: categories, heritage brands, exchange rates.

Heritage brands are real time-honoured brands ("laozihao" in China), listed with their founding
year, so the dashboard can mark them as JD's screen does. Modern brands are invented names.
Exchange rates are rounded reference rates (units per US dollar, late 2025) used only to put
synthetic list prices into the country's currency; an unlisted currency falls back to 1.0 and
the scenario says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """A product category: names, price range (USD), weight range (kg), demand share, store-friendly."""

    key: str
    en: str
    zh: str
    ko: str
    usd: tuple[float, float]
    kg: tuple[float, float]
    share: float
    fresh: bool = False


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("phones", "smartphone", "手机", "스마트폰", (150, 1100), (0.2, 0.5), 0.08),
    CategorySpec("appliances", "home appliance", "家电", "가전", (40, 700), (2.0, 18.0), 0.07),
    CategorySpec("beauty", "skincare", "护肤品", "스킨케어", (8, 90), (0.1, 0.6), 0.12),
    CategorySpec("apparel", "clothing", "服装", "의류", (10, 150), (0.2, 1.2), 0.12),
    CategorySpec("shoes", "sneakers", "运动鞋", "운동화", (25, 180), (0.6, 1.6), 0.06),
    CategorySpec("snacks", "snacks", "零食", "과자", (2, 25), (0.2, 2.0), 0.09),
    CategorySpec("baby", "baby care", "母婴", "육아용품", (8, 70), (0.5, 6.0), 0.06),
    CategorySpec("health", "health remedy", "保健品", "건강식품", (5, 90), (0.1, 0.8), 0.05),
    CategorySpec("kitchen", "kitchenware", "厨具", "주방용품", (6, 120), (0.3, 5.0), 0.06),
    CategorySpec("sports", "sports gear", "运动户外", "스포츠용품", (12, 250), (0.4, 9.0), 0.05),
    CategorySpec("stationery", "stationery", "文具", "문구", (2, 40), (0.05, 1.0), 0.03),
    CategorySpec("jewellery", "jewellery", "珠宝", "주얼리", (40, 900), (0.02, 0.2), 0.03),
    CategorySpec("drinks", "tea and liquor", "茶酒", "차와 술", (4, 300), (0.4, 2.0), 0.05),
    CategorySpec("pets", "pet food", "宠物", "반려동물", (5, 60), (0.5, 10.0), 0.04),
    CategorySpec("toys", "toys", "玩具", "장난감", (6, 90), (0.2, 3.0), 0.04),
    CategorySpec("fresh", "fresh food", "生鲜", "신선식품", (2, 30), (0.5, 3.0), 0.05, fresh=True),
)


@dataclass(frozen=True, slots=True)
class HeritageBrand:
    """A real time-honoured brand, its founding year and the category it sells in."""

    name: str
    local_name: str
    founded: int
    category: str


HERITAGE: dict[str, tuple[HeritageBrand, ...]] = {
    "CN": (
        HeritageBrand("Tongrentang", "同仁堂", 1669, "health"),
        HeritageBrand("Quanjude", "全聚德", 1864, "fresh"),
        HeritageBrand("Daoxiangcun", "稻香村", 1773, "snacks"),
        HeritageBrand("Liubiju", "六必居", 1530, "snacks"),
        HeritageBrand("Zhang Xiaoquan", "张小泉", 1663, "kitchen"),
        HeritageBrand("Wufangzhai", "五芳斋", 1921, "fresh"),
        HeritageBrand("Lao Feng Xiang", "老凤祥", 1848, "jewellery"),
        HeritageBrand("Neiliansheng", "内联升", 1853, "shoes"),
        HeritageBrand("Wanglaoji", "王老吉", 1828, "drinks"),
        HeritageBrand("Pechoin", "百雀羚", 1931, "beauty"),
        HeritageBrand("Warrior", "回力", 1927, "shoes"),
        HeritageBrand("Hero", "英雄", 1931, "stationery"),
        HeritageBrand("Hengyuanxiang", "恒源祥", 1927, "apparel"),
        HeritageBrand("Yunnan Baiyao", "云南白药", 1902, "health"),
    ),
    "KR": (
        HeritageBrand("Dongwha Pharm", "동화약품", 1897, "health"),
        HeritageBrand("Monggo Foods", "몽고식품", 1905, "snacks"),
        HeritageBrand("Jinro", "진로", 1924, "drinks"),
        HeritageBrand("Yuhan", "유한양행", 1926, "health"),
        HeritageBrand("Haitai", "해태", 1945, "snacks"),
        HeritageBrand("Sempio", "샘표", 1946, "fresh"),
        HeritageBrand("Samyang", "삼양", 1961, "snacks"),
        HeritageBrand("Ottogi", "오뚜기", 1969, "fresh"),
    ),
}

#: invented heritage-style brands for countries without a listed set
GENERIC_HERITAGE: tuple[HeritageBrand, ...] = (
    HeritageBrand("Old Mill & Sons", "Old Mill & Sons", 1851, "snacks"),
    HeritageBrand("Harbour Apothecary", "Harbour Apothecary", 1879, "health"),
    HeritageBrand("Crown Cutlery", "Crown Cutlery", 1868, "kitchen"),
    HeritageBrand("Founders' Tea House", "Founders' Tea House", 1890, "drinks"),
    HeritageBrand("Guild Goldsmiths", "Guild Goldsmiths", 1902, "jewellery"),
    HeritageBrand("Cobbler Brothers", "Cobbler Brothers", 1911, "shoes"),
)

#: syllables for invented modern brand names (deterministic given the seed)
SYLLABLES: tuple[str, ...] = (
    "xi",
    "mo",
    "lan",
    "tek",
    "ora",
    "vi",
    "zen",
    "qi",
    "nova",
    "luma",
    "kai",
    "pix",
    "ryu",
    "sol",
    "tao",
    "yun",
    "fei",
    "mei",
    "han",
    "jun",
    "ko",
    "ami",
    "lio",
    "neo",
)

#: units of currency per US dollar (rounded reference rates)
USD_RATES: dict[str, float] = {
    "USD": 1.0,
    "CNY": 7.2,
    "KRW": 1380.0,
    "JPY": 150.0,
    "EUR": 0.92,
    "GBP": 0.79,
    "INR": 84.0,
    "IDR": 16000.0,
    "VND": 25000.0,
    "THB": 35.0,
    "MYR": 4.5,
    "SGD": 1.34,
    "PHP": 57.0,
    "TWD": 32.0,
    "HKD": 7.8,
    "BRL": 5.5,
    "MXN": 18.5,
    "RUB": 90.0,
    "TRY": 34.0,
    "AUD": 1.52,
    "CAD": 1.38,
    "CHF": 0.88,
    "SEK": 10.6,
    "NOK": 10.9,
    "DKK": 6.9,
    "PLN": 4.0,
    "CZK": 23.0,
    "HUF": 370.0,
    "ZAR": 18.0,
    "NGN": 1600.0,
    "EGP": 49.0,
    "SAR": 3.75,
    "AED": 3.67,
    "PKR": 280.0,
    "BDT": 120.0,
    "ARS": 1000.0,
    "CLP": 950.0,
    "COP": 4200.0,
    "PEN": 3.75,
    "ILS": 3.7,
    "KZT": 480.0,
    "UAH": 41.0,
    "RON": 4.6,
    "NZD": 1.68,
    "KES": 129.0,
    "MAD": 9.9,
    "QAR": 3.64,
    "KWD": 0.31,
    "BHD": 0.376,
    "ISK": 138.0,
    "LKR": 300.0,
    "NPR": 134.0,
    "MMK": 2100.0,
    "KHR": 4050.0,
}
