"""Reference data the generator draws from: names, cities with their phone prefixes and
currencies, email domains, the catalogue's categories, brands and products, search terms.
Weights are realistic for a Chinese retailer with some customers abroad."""

from __future__ import annotations

import numpy as np

from stratify.devdata.generate.contract import CURRENCIES

SURNAMES = (
    ("王", "wang", 7.3), ("李", "li", 7.2), ("张", "zhang", 6.8), ("刘", "liu", 5.4), ("陈", "chen", 4.5),
    ("杨", "yang", 3.1), ("黄", "huang", 2.3), ("赵", "zhao", 2.1), ("吴", "wu", 2.0), ("周", "zhou", 1.9),
    ("徐", "xu", 1.7), ("孙", "sun", 1.5), ("马", "ma", 1.5), ("朱", "zhu", 1.3), ("胡", "hu", 1.3),
    ("郭", "guo", 1.2), ("何", "he", 1.2), ("高", "gao", 1.1), ("林", "lin", 1.1), ("罗", "luo", 1.0),
)
GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀兰", "xiulan"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"),
    ("子涵", "zihan"), ("浩然", "haoran"), ("欣怡", "xinyi"), ("梓轩", "zixuan"), ("雨桐", "yutong"),
    ("宇轩", "yuxuan"), ("思彤", "sitong"),
)
WESTERN_FIRST = (
    "emma", "liam", "olivia", "noah", "ava", "james", "sophia", "lucas", "mia", "ethan",
    "chloe", "daniel", "grace", "ryan", "hannah", "kevin", "emily", "jason", "anna", "david",
)
WESTERN_LAST = (
    "smith", "johnson", "brown", "lee", "wong", "chan", "tanaka", "sato", "muller", "schmidt",
    "martin", "bernard", "taylor", "wilson", "nguyen", "kim", "garcia", "lopez", "clark", "walker",
)
# city, province, country, phone country code, area code (landline) or mobile prefix, home currency, weight
CITIES: tuple[tuple[str, str | None, str, str, str, str, float], ...] = (
    ("Shanghai", "Shanghai", "CN", "86", "21", "CNY", 9.0),
    ("Beijing", "Beijing", "CN", "86", "10", "CNY", 8.5),
    ("Guangzhou", "Guangdong", "CN", "86", "20", "CNY", 6.5),
    ("Shenzhen", "Guangdong", "CN", "86", "755", "CNY", 6.5),
    ("Hangzhou", "Zhejiang", "CN", "86", "571", "CNY", 4.5),
    ("Chengdu", "Sichuan", "CN", "86", "28", "CNY", 4.5),
    ("Wuhan", "Hubei", "CN", "86", "27", "CNY", 3.5),
    ("Nanjing", "Jiangsu", "CN", "86", "25", "CNY", 3.5),
    ("Suzhou", "Jiangsu", "CN", "86", "512", "CNY", 3.0),
    ("Xi'an", "Shaanxi", "CN", "86", "29", "CNY", 2.5),
    ("Chongqing", "Chongqing", "CN", "86", "23", "CNY", 3.5),
    ("Tianjin", "Tianjin", "CN", "86", "22", "CNY", 2.5),
    ("Changsha", "Hunan", "CN", "86", "731", "CNY", 2.0),
    ("Zhengzhou", "Henan", "CN", "86", "371", "CNY", 2.0),
    ("Qingdao", "Shandong", "CN", "86", "532", "CNY", 1.8),
    ("Shenyang", "Liaoning", "CN", "86", "24", "CNY", 1.5),
    ("Xiamen", "Fujian", "CN", "86", "592", "CNY", 1.5),
    ("Kunming", "Yunnan", "CN", "86", "871", "CNY", 1.2),
    ("Hefei", "Anhui", "CN", "86", "551", "CNY", 1.3),
    ("Dongguan", "Guangdong", "CN", "86", "769", "CNY", 1.5),
    ("Ningbo", "Zhejiang", "CN", "86", "574", "CNY", 1.4),
    ("Jinan", "Shandong", "CN", "86", "531", "CNY", 1.3),
    ("Harbin", "Heilongjiang", "CN", "86", "451", "CNY", 1.0),
    ("Fuzhou", "Fujian", "CN", "86", "591", "CNY", 1.1),
    ("Nanning", "Guangxi", "CN", "86", "771", "CNY", 0.9),
    ("Hong Kong", None, "HK", "852", "9", "HKD", 3.0),
    ("Singapore", None, "SG", "65", "8", "USD", 1.5),
    ("New York", "NY", "US", "1", "646", "USD", 1.5),
    ("San Francisco", "CA", "US", "1", "415", "USD", 1.0),
    ("Toronto", "ON", "CA", "1", "416", "USD", 0.8),
    ("London", None, "GB", "44", "7700", "GBP", 1.0),
    ("Tokyo", "Tokyo", "JP", "81", "90", "JPY", 1.2),
    ("Berlin", "Berlin", "DE", "49", "151", "EUR", 0.6),
    ("Paris", "Île-de-France", "FR", "33", "6", "EUR", 0.6),
    ("Sydney", "NSW", "AU", "61", "4", "USD", 0.6),
)
N_CN_CITIES = sum(1 for c in CITIES if c[2] == "CN")
CITY_CURRENCY = np.array([CURRENCIES.index(c[5]) for c in CITIES])
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157",
    "158", "159", "166", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199",
)
# a phone is (country code, p2, p3): p2 is a mobile prefix, an area code without the
# trunk 0, or an international prefix; p3 is 8 digits, unique per person. Normalised,
# it is always cc + p2 + p3, and the (cc + p2) strings of equal length all differ.
PHONE_P2 = MOBILE_PREFIXES + tuple(c[4] for c in CITIES)
PHONE_CC = ("86", "852", "65", "1", "44", "81", "49", "33", "61")
DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "outlook.com",
           "hotmail.com", "icloud.com", "yahoo.com")
DOMAIN_P_CN = (0.32, 0.2, 0.08, 0.05, 0.06, 0.08, 0.07, 0.04, 0.07, 0.03)
DOMAIN_P_INTL = (0.0, 0.0, 0.0, 0.0, 0.0, 0.4, 0.2, 0.15, 0.15, 0.1)
CATEGORY_SHARE = (0.24, 0.15, 0.12, 0.15, 0.08, 0.16, 0.10)
CATEGORY_PRICE = ((199.0, 0.7), (159.0, 0.9), (899.0, 1.0), (189.0, 0.6), (129.0, 0.7), (39.0, 0.6), (49.0, 0.8))
CATEGORY_COST = (0.45, 0.55, 0.75, 0.35, 0.6, 0.7, 0.5)
BRANDS = (
    ("Lumen", "Cotton Lane", "Urban Thread", "北岸 Beian", "Maple & Moss"),
    ("Hearth", "Casa Nova", "Linen Lab", "宜居 Yiju"),
    ("Voltix", "Nordic Audio", "Pixelon", "小米粒 Xiaomili"),
    ("Petal", "Lotus Skin", "Aurora Beauty", "花间 Huajian"),
    ("Little Oak", "Bebe Soft", "Cradle Co"),
    ("Daily Harvest", "Green Field", "三只松 Sanzhisong", "Tea Valley"),
    ("Inkwell", "Paperfox", "Desk Hero"),
)
NOUNS = (
    ("T-Shirt", "Dress", "Jeans", "Hoodie", "Sneakers", "Jacket", "Scarf", "Socks (3 pairs)"),
    ("Towel Set", "Storage Box", "Pillow", "Desk Lamp", "Mug", "Duvet Cover", "Air Fryer"),
    ("Bluetooth Headphones", "Power Bank", "Smart Watch", "Phone Case", "Keyboard", "Monitor 27in",
     "Robot Vacuum"),
    ("Lipstick", "Face Mask (10 pcs)", "Sunscreen SPF50", "Hand Cream", "Serum", "Perfume 50ml"),
    ("Diapers M (60 pcs)", "Baby Wipes", "Milk Powder 800g", "Stroller", "Baby Bottle"),
    ("Green Tea 250g", "Mixed Nuts", "Instant Noodles (5)", "Coffee Beans 1kg", "Rice 5kg", "Olive Oil 1L"),
    ("Notebook A5", "Gel Pens (12)", "Weekly Planner", "Desk Organizer", "Stapler"),
)
ADJECTIVES = ("Classic", "Premium", "Everyday", "Soft", "Eco", "Pro", "Mini", "Deluxe", "Lite", "Essential")
SEARCH_TERMS = (
    "dress", "sneakers", "rice cooker", "bluetooth headphones", "lipstick", "diapers", "milk powder",
    "notebook", "phone case", "face mask", "coffee", "手机壳", "口红", "连衣裙", "纸尿裤", "蓝牙耳机",
    "奶粉", "收纳盒", "护手霜", "air fryer", "yoga mat", "sunscreen", "green tea", "snacks",
    "desk lamp", "backpack", "jeans", "t-shirt", "monitor", "keyboard", "stroller", "baby wipes",
    "shampoo", "perfume", "mug", "towel", "gel pen", "planner", "双十一", "618",
)


CITY_NAMES = [c[0] for c in CITIES]
PROVINCES = [c[1] for c in CITIES]
COUNTRIES = [c[2] for c in CITIES]
