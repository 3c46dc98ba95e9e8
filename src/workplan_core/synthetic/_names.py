"""Word lists the synthetic generators draw names from."""

from __future__ import annotations

FIRST_NAMES = (
    "Ada", "Ahmed", "Aiko", "Alba", "Amara", "Ana", "Arjun", "Ava", "Ben", "Bianca",
    "Carlos", "Chen", "Chloe", "Dara", "David", "Elena", "Emeka", "Eva", "Farah", "Felix",
    "Grace", "Hana", "Ivan", "Jamal", "Julia", "Kai", "Kofi", "Lena", "Liam", "Lucia",
    "Mai", "Marco", "Maya", "Nadia", "Noah", "Omar", "Priya", "Rosa", "Sam", "Sofia",
    "Tariq", "Tom", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip

LAST_NAMES = (
    "Abara", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
    "Ito", "Jensen", "Kowalski", "Larsen", "Moreno", "Nakamura", "Okafor", "Patel",
    "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Wong", "Xu", "Yilmaz",
    "Zhang", "Novak", "Silva", "Murphy", "Kim", "Singh", "Costa",
)  # fmt: skip

FUNCTIONS = (
    "Engineering", "Sales", "Marketing", "Finance", "People", "Operations", "Legal",
    "Product", "Customer Success", "Data", "Security", "Facilities",
)  # fmt: skip

UNIT_QUALIFIERS = (
    "North", "South", "East", "West", "Central", "Platform", "Enterprise", "Growth",
    "Core", "Digital", "Field", "Partner",
)  # fmt: skip

ROLE_NAMES = (
    "Fire warden", "First aider", "Budget holder", "Hiring manager", "Mentor",
    "Safety officer", "Data protection champion", "Wellbeing champion", "Security champion",
    "Sustainability lead",
)  # fmt: skip
