"""The canonical item model: the single source of truth for every reader, writer and lint rule.

Field names here are the public contract of the YAML format. The JSON Schema in ``schemas/`` is
generated from these classes (see :mod:`qbank.schema`), so every ``description`` below is also what
an author sees as editor hover text.

The schema checks shape and types only. Quality constraints (how many keys a multiple_choice item
has, empty text, duplicate options) are lint rules, so that each problem is reported once, by the
rule that owns it.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# A permissive BCP 47 shape (language, optional script/region/variants); strict registry checks
# would need the IANA registry, which we do not ship.
LANGUAGE_PATTERN = r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"

Markdown = Annotated[str, Field(json_schema_extra={"format": "markdown"})]

ITEM_TYPES = (
    "multiple_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "essay",
)


class _Strict(BaseModel):
    """Strict, closed models: a typo'd field is an error, and YAML 1.2 strings are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)


class LintSettings(_Strict):
    """Per-item lint settings."""

    ignore: list[str] = Field(
        default_factory=list,
        description="Rule codes (QB305) or names (longest-option-is-key) not to report for this item.",
    )


class Option(_Strict):
    """One answer option of a choice item."""

    text: Markdown = Field(description="The option as the student sees it (Markdown).")
    correct: bool = Field(default=False, description="True for a key (a correct option).")
    rationale: Markdown | None = Field(
        default=None,
        description="Why this option is right or wrong (Markdown); shown as the option's feedback.",
    )


class Pair(_Strict):
    """One prompt of a matching item and the answer it matches."""

    prompt: Markdown = Field(description="The left-hand prompt (Markdown).")
    match: str = Field(description="The answer that matches the prompt (plain text).")


class _ItemBase(_Strict):
    id: str = Field(
        pattern=ID_PATTERN,
        description="Unique id in the bank: a letter or digit, then letters, digits, '.', '_' or '-'. "
        "Used as the question identifier in every export.",
    )
    title: str | None = Field(
        default=None,
        description="Short name shown in LMS question lists (Moodle's question name, GIFT's ::title::). "
        "Defaults to the id.",
    )
    stem: Markdown = Field(description="The question the student reads (Markdown).")
    explanation: Markdown | None = Field(
        default=None,
        description="General feedback shown after answering: why the key is right (Markdown).",
    )
    points: float = Field(default=1, gt=0, description="Marks for a fully correct answer (> 0).")
    tags: list[str] = Field(default_factory=list, description="Free-form tags, used for filtering and LMS categories.")
    objectives: list[str] = Field(
        default_factory=list, description="Learning objectives or blueprint codes that the item assesses."
    )
    difficulty: Literal["easy", "medium", "hard"] | None = Field(
        default=None, description="The author's estimate of difficulty."
    )
    status: Literal["draft", "review", "approved", "retired"] = Field(
        default="draft", description="Workflow state; exports can be filtered on it."
    )
    author: str | None = Field(default=None, description="Who wrote or owns the item.")
    references: list[str] = Field(default_factory=list, description="Sources that support the key.")
    language: str | None = Field(
        default=None, pattern=LANGUAGE_PATTERN, description="BCP 47 language tag of the item, such as en or en-US."
    )
    shuffle: bool = Field(
        default=True,
        description="Whether the LMS may shuffle the options. Set false when option order matters.",
    )
    lint: LintSettings = Field(default_factory=LintSettings, description="Lint settings for this item.")


class MultipleChoice(_ItemBase):
    """Exactly one correct option (QB101/QB102 report otherwise)."""

    type: Literal["multiple_choice"] = Field(description="The item type.")
    options: list[Option] = Field(description="The options, in the order the author wrote them.")


class MultipleResponse(_ItemBase):
    """One or more correct options; the student selects all that apply."""

    type: Literal["multiple_response"] = Field(description="The item type.")
    options: list[Option] = Field(description="The options, in the order the author wrote them.")


class TrueFalse(_ItemBase):
    """A statement the student judges true or false."""

    type: Literal["true_false"] = Field(description="The item type.")
    answer: bool = Field(description="Whether the statement in the stem is true.")
    true_rationale: Markdown | None = Field(
        default=None, description="Feedback for a student who answers True (Markdown)."
    )
    false_rationale: Markdown | None = Field(
        default=None, description="Feedback for a student who answers False (Markdown)."
    )


class ShortAnswer(_ItemBase):
    """A typed response compared with a list of accepted answers."""

    type: Literal["short_answer"] = Field(description="The item type.")
    answers: list[str] = Field(description="Accepted responses (plain text).")
    case_sensitive: bool = Field(default=False, description="Whether letter case must match.")


class Numerical(_ItemBase):
    """A number, accepted within an absolute tolerance."""

    type: Literal["numerical"] = Field(description="The item type.")
    answer: float = Field(description="The correct value.")
    tolerance: float = Field(default=0, ge=0, description="Absolute tolerance: answer ± tolerance is accepted.")


class Matching(_ItemBase):
    """Prompts matched to answers; distractors are extra answers that match nothing."""

    type: Literal["matching"] = Field(description="The item type.")
    pairs: list[Pair] = Field(description="Prompt and matching answer pairs.")
    distractors: list[str] = Field(default_factory=list, description="Extra answers that match no prompt.")


class Essay(_ItemBase):
    """A free-text response, graded by a person."""

    type: Literal["essay"] = Field(description="The item type.")
    guidance: Markdown | None = Field(default=None, description="Grading notes for the marker (Markdown).")


Item = Annotated[
    Union[MultipleChoice, MultipleResponse, TrueFalse, ShortAnswer, Numerical, Matching, Essay],
    Field(discriminator="type"),
]
"""Any item, discriminated on ``type``."""

ChoiceItem = MultipleChoice | MultipleResponse

ITEM_ADAPTER: TypeAdapter[Item] = TypeAdapter(Item)

MODELS: dict[str, type[_ItemBase]] = {
    "multiple_choice": MultipleChoice,
    "multiple_response": MultipleResponse,
    "true_false": TrueFalse,
    "short_answer": ShortAnswer,
    "numerical": Numerical,
    "matching": Matching,
    "essay": Essay,
}


def single_key(item: Item) -> int | None:
    """The index of the only correct option of a choice item; None with no key, several, or no options."""
    options = getattr(item, "options", None)
    if not options:
        return None
    keys = [i for i, o in enumerate(options) if o.correct]
    return keys[0] if len(keys) == 1 else None


TextPath = tuple[str | int, ...]


def text_fields(item: Item, *, markdown_only: bool = False) -> list[tuple[TextPath, str]]:
    """Every text value of an item with its field path, in document order.

    Content rules (media, characters, empty text) and exporters walk the same list, so a new text
    field added to the model is checked and exported everywhere by adding it here once.
    """
    out: list[tuple[TextPath, str]] = []

    def add(path: TextPath, value: str | None, markdown: bool) -> None:
        if value is not None and (markdown or not markdown_only):
            out.append((path, value))

    add(("title",), item.title, False)
    add(("stem",), item.stem, True)
    if isinstance(item, (MultipleChoice, MultipleResponse)):
        for i, o in enumerate(item.options):
            add(("options", i, "text"), o.text, True)
            add(("options", i, "rationale"), o.rationale, True)
    elif isinstance(item, TrueFalse):
        add(("true_rationale",), item.true_rationale, True)
        add(("false_rationale",), item.false_rationale, True)
    elif isinstance(item, ShortAnswer):
        for i, a in enumerate(item.answers):
            add(("answers", i), a, False)
    elif isinstance(item, Matching):
        for i, p in enumerate(item.pairs):
            add(("pairs", i, "prompt"), p.prompt, True)
            add(("pairs", i, "match"), p.match, False)
        for i, d in enumerate(item.distractors):
            add(("distractors", i), d, False)
    elif isinstance(item, Essay):
        add(("guidance",), item.guidance, True)
    add(("explanation",), item.explanation, True)
    if not markdown_only:
        for name in ("tags", "objectives", "references"):
            for i, v in enumerate(getattr(item, name)):
                add((name, i), v, False)
        add(("author",), item.author, False)
    return out
