"""The demo shop's assortment: categories with their products' name parts, brands,
options and price ranges, tags, and the rates that turn a USD price into local prices."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: Rough USD → local rates, and the step local prices are rounded to (in major units).
RATES = {"USD": (1, Decimal("0.01")), "NGN": (1500, 50), "KES": (130, 10), "GHS": (15, 1), "UGX": (3700, 500)}
TAGS = ("Bestseller", "New", "Made in Africa", "Eco-friendly", "Handmade", "Gift idea", "Limited edition")


@dataclass(frozen=True)
class Line:
    """One leaf category's products: name parts, brands, variant options, USD price range."""

    parent: str
    category: str
    styles: tuple[str, ...]
    items: tuple[str, ...]
    brands: tuple[str, ...]
    options: tuple[dict[str, str], ...]
    usd: tuple[int, int]


LINES = (
    Line(
        "Electronics",
        "Phones & Tablets",
        ("Spark", "Hot", "Note", "Camon"),
        ("20 Pro", "12 Lite", "5G", "Tab 8"),
        ("Tecno", "Infinix", "itel", "Samsung"),
        ({"storage": "64 GB"}, {"storage": "128 GB"}),
        (80, 450),
    ),
    Line(
        "Electronics",
        "Audio",
        ("Bass", "Studio", "Street", "Savanna"),
        ("Earbuds", "Bluetooth Speaker", "Headphones", "Radio"),
        ("Oraimo", "JBL", "Sony"),
        ({"colour": "Black"}, {"colour": "White"}),
        (15, 180),
    ),
    Line(
        "Electronics",
        "Solar & Power",
        ("Sun", "Bright", "Off-Grid", "Jua"),
        ("Lantern", "Power Bank 20000 mAh", "Home Solar Kit", "Fan"),
        ("d.light", "SunKing", "Oraimo"),
        ({"size": "Standard"},),
        (12, 300),
    ),
    Line(
        "Fashion",
        "Women's Clothing",
        ("Ankara", "Kente", "Adire", "Kitenge"),
        ("Maxi Dress", "Wrap Skirt", "Jumpsuit", "Blouse"),
        ("Lagos Loom", "Accra Threads", "Nairobi Weave"),
        ({"size": "S"}, {"size": "M"}, {"size": "L"}),
        (18, 90),
    ),
    Line(
        "Fashion",
        "Men's Clothing",
        ("Dashiki", "Agbada", "Kaftan", "Batik"),
        ("Shirt", "Set", "Trousers"),
        ("Lagos Loom", "Kampala Tailors"),
        ({"size": "M"}, {"size": "L"}, {"size": "XL"}),
        (20, 120),
    ),
    Line(
        "Fashion",
        "Shoes",
        ("Maasai", "Leather", "Beaded", "Ankara"),
        ("Sandals", "Loafers", "Sneakers"),
        ("Tribal Steps", "Kenyan Kraft"),
        ({"size": "40"}, {"size": "42"}, {"size": "44"}),
        (15, 85),
    ),
    Line(
        "Fashion",
        "Jewellery",
        ("Krobo Bead", "Brass", "Cowrie", "Maasai"),
        ("Necklace", "Bracelet", "Earrings"),
        ("Krobo Gems", "Ashanti Gold"),
        ({"finish": "Gold"}, {"finish": "Natural"}),
        (8, 60),
    ),
    Line(
        "Home & Kitchen",
        "Cookware",
        ("Aluminium", "Clay", "Cast Iron", "Enamel"),
        ("Jollof Pot", "Tagine", "Frying Pan", "Charcoal Jiko"),
        ("Kitchen Queen", "Sahel Home"),
        ({"size": "5 L"}, {"size": "10 L"}),
        (10, 70),
    ),
    Line(
        "Home & Kitchen",
        "Home Decor",
        ("Bolga", "Sisal", "Mudcloth", "Kuba"),
        ("Basket", "Cushion Cover", "Wall Hanging"),
        ("Savanna Living", "Sahel Home"),
        ({"colour": "Natural"}, {"colour": "Indigo"}),
        (9, 75),
    ),
    Line(
        "Beauty & Health",
        "Skin Care",
        ("Shea", "Black Soap", "Moringa", "Baobab"),
        ("Body Butter", "Face Wash", "Lotion", "Lip Balm"),
        ("Nkulenu", "Bee Natural", "Zaron"),
        ({"size": "100 ml"}, {"size": "250 ml"}),
        (3, 25),
    ),
    Line(
        "Beauty & Health",
        "Hair Care",
        ("Chebe", "Coconut", "Baobab", "Shea"),
        ("Hair Oil", "Leave-in Conditioner", "Edge Control"),
        ("Zaron", "Natural Crown"),
        ({"size": "100 ml"}, {"size": "200 ml"}),
        (4, 30),
    ),
    Line(
        "Groceries",
        "Spices & Seasoning",
        ("Suya", "Berbere", "Pilau", "Jollof"),
        ("Spice Mix", "Pepper Blend", "Seasoning Cubes"),
        ("Mama's Kitchen", "Zanzibar Spice Co."),
        ({"size": "100 g"}, {"size": "500 g"}),
        (2, 15),
    ),
    Line(
        "Groceries",
        "Beverages",
        ("Kenyan", "Ghanaian", "Rwandan", "Ugandan"),
        ("Black Tea", "Coffee Beans", "Hibiscus Tea", "Cocoa Powder"),
        ("Kericho Gold", "Golden Tree", "Rwanda Hills"),
        ({"size": "250 g"}, {"size": "1 kg"}),
        (3, 25),
    ),
    Line(
        "Books & Stationery",
        "Books",
        ("African", "Modern", "Classic", "Pan-African"),
        ("Novel", "Cookbook", "Poetry Collection", "History"),
        ("Cassava Republic", "Kwani?", "Ouida Books"),
        ({"format": "Paperback"}, {"format": "Hardcover"}),
        (6, 40),
    ),
    Line(
        "Books & Stationery",
        "Stationery",
        ("Kente", "Ankara", "Recycled", "Batik"),
        ("Notebook", "Journal", "Pen Set"),
        ("Paper Tree", "Accra Press"),
        ({"colour": "Assorted"},),
        (2, 18),
    ),
)
#: ~200 products: each leaf contributes this many style x item combinations.
PER_LINE = 14
