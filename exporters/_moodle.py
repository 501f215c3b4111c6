"""Moodle's grade menu, shared by the GIFT and Moodle XML writers.

Moodle accepts an answer weight only if it is on its menu of fractions; a single off-menu value
(``%33%``) makes the whole import fail. Both writers take their weights from here, written exactly
as Moodle lists them.
"""

from __future__ import annotations

# Percentages as Moodle's question/type/questiontypebase grade menu offers them (and their negatives).
MENU: tuple[str, ...] = (
    "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30", "25",
    "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0",
)
_VALUES = tuple(float(v) for v in MENU)


def share(n: int) -> tuple[str, bool]:
    """The menu weight for one of ``n`` equal shares of 100%, and whether it is exact.

    Exact for n = 1-10 and 20. Otherwise the largest menu value below 100/n, so the total stays
    under 100% and the caller must warn that full marks are out of reach; above 20 shares even the
    smallest positive weight (5) overshoots, and the caller must warn about that total instead.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    target = 100.0 / n
    for text, value in zip(MENU, _VALUES):
        if abs(value - target) < 1e-4:
            return text, True
    below = [text for text, value in zip(MENU, _VALUES) if value < target and value > 0]
    return (below[0] if below else "5"), False


def negative(weight: str) -> str:
    return "0" if weight == "0" else f"-{weight}"


def is_on_menu(weight: str) -> bool:
    return weight.lstrip("-") in MENU
