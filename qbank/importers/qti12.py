"""Canvas reader: QTI 1.2 (``questestinterop``) zips and files, in the dialect Canvas exports.

The mirror of :mod:`qbank.exporters.canvas`, and a reader for what Canvas itself writes ("Export
Course Content" > Quiz), for text2qti output and for plain IMS QTI 1.2 items. Every
``questestinterop`` file in the zip is read (quizzes and question banks); an assessment found twice
(a course export holds a Common Cartridge copy beside Canvas's own) is read once.

Canvas names each question's kind in ``itemmetadata`` (``question_type``); without it the kind is
inferred from the response elements where that is unambiguous. What each becomes:

- multiple_choice_question, multiple_answers_question: multiple_choice, multiple_response; the
  keys are the ``varequal``\\s of the conditions that give points (inside ``<not>`` is a
  distractor).
- true_false_question: true_false, answered by the text (True/False) of the key.
- short_answer_question (fill in the blank): short_answer with every accepted ``varequal``.
- numerical_question: numerical. Exact answers, exact answers with a margin (``or`` of
  ``varequal`` and a ``vargte``/``varlte`` band), ranges and precision answers all become answer ±
  tolerance: the band's half width, centred on the exact value when there is one.
- matching_question: one ``response_lid`` per prompt; choices no prompt takes are distractors.
- essay_question: essay.
- Other Canvas types (text only, file upload, calculated, multiple dropdowns, fill in multiple
  blanks, ordering, categorization, hot spot...) are skipped with a note.

Feedback: ``general_fb`` is the explanation (with ``correct_fb`` after it, Canvas's feedback for a
correct answer); an ``itemfeedback`` shown by a condition on one answer is that answer's rationale;
incorrect-answer feedback and feedback on typed answers have no place and are reported.

Ids come from the question title, Canvas's default title "Question" aside (then from the question
text), so the same file gives the same ids; a title equal to the id is not repeated. Canvas item
identifiers are opaque hashes and are not used. Images are files of the package referred to as
``$IMS-CC-FILEBASE$/path`` (or relative to the XML file); each becomes ``media/<name>``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from qbank.importers import Importer, ImportFailure, ImportNote, ImportResult
from qbank.importers.ids import derive_id
from qbank.importers.qti2 import (
    MANIFEST,
    ItemContext,
    MediaStore,
    build_item,
    child,
    children,
    descendants,
    flush_notes,
    join_markdown,
    localname,
    markdown,
    parse_decimal,
    sniff,
    text_of,
    unreadable_zip,
    valid_language,
)
from qbank.importers.safety import is_zip, parse_xml, read_zip

FILEBASE = "$IMS-CC-FILEBASE$"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERIC_TITLES = frozenset({"question", "untitled", ""})

SUPPORTED = {
    "multiple_choice_question": "multiple_choice",
    "multiple_answers_question": "multiple_response",
    "true_false_question": "true_false",
    "short_answer_question": "short_answer",
    "numerical_question": "numerical",
    "matching_question": "matching",
    "essay_question": "essay",
}
# Common Cartridge profiles (the cc_profile field of a .imscc course export's QTI copy).
CC_PROFILES = {
    "cc.multiple_choice.v0p1": "multiple_choice",
    "cc.multiple_response.v0p1": "multiple_response",
    "cc.true_false.v0p1": "true_false",
    "cc.fib.v0p1": "short_answer",
    "cc.essay.v0p1": "essay",
}
UNSUPPORTED = {
    "text_only_question": "text only (no question to answer)",
    "file_upload_question": "file upload",
    "calculated_question": "formula (calculated)",
    "multiple_dropdowns_question": "multiple dropdowns",
    "fill_in_multiple_blanks_question": "fill in multiple blanks",
    "ordering_question": "ordering",
    "categorization_question": "categorization",
    "hot_spot_question": "hot spot",
}
RESPONSES = ("response_lid", "response_str", "response_num", "response_xy", "response_grp")


@dataclass
class _Condition:
    tests: etree._Element | None  # the conditionvar
    score: Decimal | None  # what the condition gives (Set or Add), when positive
    feedback: list[str] = field(default_factory=list)
    go_on: bool = False
    action: str = "Set"


def _positive_tests(node: etree._Element | None, name: str = "varequal") -> list[etree._Element]:
    """``name`` tests under ``node`` that are not negated."""
    if node is None:
        return []
    found: list[etree._Element] = []

    def walk(el: etree._Element) -> None:
        for c in el:
            tag = localname(c)
            if tag == "not":
                continue
            if tag == name:
                found.append(c)
            elif len(c):
                walk(c)

    walk(node)
    return found


def _only_test(node: etree._Element | None) -> etree._Element | None:
    """The single test of a conditionvar that holds exactly one (and no and/or/not)."""
    if node is None:
        return None
    tests = [c for c in node if isinstance(c.tag, str)]
    return tests[0] if len(tests) == 1 and localname(tests[0]) in ("varequal", "other") else None


class _Assessment:
    """One questestinterop document of the package."""

    def __init__(self, path: str, root: etree._Element) -> None:
        self.path = path
        self.root = root


class _CanvasReader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.result = ImportResult()
        self.taken: set[str] = set()
        self.store: MediaStore | None = None
        self.files: dict[str, bytes] = {}

    # Files ---------------------------------------------------------------------------------------------

    def read(self, data: bytes) -> ImportResult:
        if is_zip(data):
            files = read_zip(data, self.filename)
            self.files = files
            self.store = MediaStore(files)
            documents = self._package_documents(files)
        else:
            root = parse_xml(data, self.filename)
            if localname(root) == "manifest":
                raise ImportFailure(f"{self.filename}: this is a package manifest; import the whole package (the zip) instead")
            if localname(root) != "questestinterop":
                raise ImportFailure(f"{self.filename}: not a QTI 1.2 file (the root element is <{localname(root)}>, not <questestinterop>)")
            documents = [_Assessment("", root)]
        self._read_documents(documents)
        if not self.result.items and not self.result.notes:
            raise ImportFailure(f"{self.filename}: no QTI 1.2 questions found")
        return self.result

    def _package_documents(self, files: dict[str, bytes]) -> list[_Assessment]:
        order: list[str] = []
        manifest = files.get(MANIFEST)
        if manifest is not None:
            root = parse_xml(manifest, f"{self.filename}: {MANIFEST}")
            for resource in descendants(root, "resource"):
                for href in [resource.get("href")] + [f.get("href") for f in children(resource, "file")]:
                    if href:
                        path = posixpath.normpath(href)
                        if path not in order:
                            order.append(path)
        candidates = [p for p in order if p in files] + sorted(p for p in files if p not in order)
        documents = []
        for path in candidates:
            if path == MANIFEST or not path.lower().endswith((".xml", ".qti")):
                continue
            if b"questestinterop" not in files[path][:4096]:
                continue
            root = parse_xml(files[path], f"{self.filename}: {path}")
            if localname(root) == "questestinterop":
                documents.append(_Assessment(path, root))
        if not documents:
            raise ImportFailure(f"{self.filename}: the package holds no QTI 1.2 (questestinterop) file")
        return documents

    def _read_documents(self, documents: list[_Assessment]) -> None:
        # A Canvas course export (.imscc) holds each quiz twice: Canvas's own QTI (with question_type
        # metadata) and a Common Cartridge copy (with cc_profile metadata). Only Canvas's is read.
        def labels(doc: _Assessment) -> set[str]:
            return {text_of(f).strip() for f in doc.root.iter("{*}fieldlabel", "fieldlabel")}

        found = [labels(doc) for doc in documents]
        canvas = any("question_type" in f for f in found)
        seen: set[str] = set()
        for doc, fields in zip(documents, found):
            idents = [a.get("ident") or "" for a in children(doc.root, "assessment") if a.get("ident")]
            copy = canvas and "question_type" not in fields and "cc_profile" in fields
            if copy:
                self.result.notes.append(ImportNote(f"{doc.path} is the Common Cartridge copy of a Canvas quiz; Canvas's own copy is read instead"))
                continue
            if idents and all(i in seen for i in idents):
                self.result.notes.append(ImportNote(f"{doc.path} repeats an assessment read from another file; skipped"))
                continue
            seen.update(idents)
            self._document(doc)

    def _document(self, doc: _Assessment) -> None:
        root = doc.root
        for node in root:
            tag = localname(node)
            if tag == "assessment":
                title = (node.get("title") or "").strip()
                self._container(doc, node, (title,) if title else (), self._quiz_shuffle(doc))
            elif tag == "objectbank":
                meta = _metadata(child(node, "qtimetadata"))
                title = (meta.get("bank_title") or node.get("title") or "").strip()
                self._container(doc, node, (title,) if title else (), None)
            elif tag == "section":
                self._container(doc, node, (), None)
            elif tag == "item":
                self._item(doc, node, (), None)

    def _quiz_shuffle(self, doc: _Assessment) -> bool | None:
        """Canvas shuffles answers per quiz: ``shuffle_answers`` in the quiz's assessment_meta.xml."""
        meta_path = posixpath.join(posixpath.dirname(doc.path), "assessment_meta.xml") if doc.path else None
        if not meta_path or meta_path not in self.files:
            return None
        try:
            meta = parse_xml(self.files[meta_path], f"{self.filename}: {meta_path}")
        except ImportFailure:
            return None
        value = next((text_of(el).strip().lower() for el in meta.iter() if localname(el) == "shuffle_answers"), "")
        return {"true": True, "false": False}.get(value)

    def _container(self, doc: _Assessment, node: etree._Element, category: tuple[str, ...], shuffle: bool | None) -> None:
        for c in node:
            tag = localname(c)
            if tag == "item":
                self._item(doc, c, category, shuffle)
            elif tag == "section":
                title = (c.get("title") or "").strip()
                inner = category + ((title,) if title and c.get("ident") != "root_section" else ())
                ordering = child(c, "selection_ordering")
                picked = next((text_of(n).strip() for n in descendants(ordering, "selection_number")), None) if ordering is not None else None
                if picked:
                    where = f" (in {doc.path})" if doc.path else ""
                    each = next((text_of(n).strip() for n in descendants(ordering, "points_per_item")), "") if ordering is not None else ""
                    worth = f", worth {each} point(s) each in the quiz rather than their own points" if each else ""
                    self.result.notes.append(ImportNote(
                        f"the question group {title or c.get('ident')!r} gives each student {picked} of its questions at random{worth}; "
                        f"all of them are imported (category {' / '.join(inner)!r}){where}",
                        c.sourceline if not doc.path else None,
                    ))
                self._container(doc, c, inner, shuffle)
            elif tag in ("sectionref", "itemref"):
                self.result.notes.append(ImportNote(
                    f"a {tag} (a reference to questions elsewhere, such as a question bank) is not followed"
                    + (f" (in {doc.path})" if doc.path else ""), c.sourceline if not doc.path else None))

    # One question --------------------------------------------------------------------------------------

    def _item(self, doc: _Assessment, node: etree._Element, category: tuple[str, ...], shuffle: bool | None) -> None:
        line = node.sourceline if not doc.path else None
        where = f" (in {doc.path}, line {node.sourceline})" if doc.path else ""
        ctx = ItemContext(self.store, posixpath.dirname(doc.path), where, line)
        ctx.filebase = FILEBASE
        reader = _ItemReader(node, ctx, shuffle)
        fields = reader.read()
        title = " ".join((node.get("title") or "").split())
        stem = (fields or {}).get("stem", "")
        name = title if title.casefold() not in GENERIC_TITLES else None
        item_id = derive_id(name, stem or (node.get("ident") or ""), self.taken)
        if fields is None:
            flush_notes(ctx, self.result.notes, item_id)
            return
        data: dict[str, Any] = {"id": item_id, **fields}
        if title and title != item_id and title.casefold() not in GENERIC_TITLES:
            data["title"] = title
        language = valid_language(node.get(XML_LANG))
        if language:
            data["language"] = language
        data = {k: v for k, v in data.items() if v is not None}
        imported = build_item(data, ctx, self.result.notes, category)
        if imported is not None:
            self.result.items.append(imported)


def _metadata(qtimetadata: etree._Element | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if qtimetadata is None:
        return out
    for f in descendants(qtimetadata, "qtimetadatafield"):
        label = text_of(child(f, "fieldlabel")).strip()
        if label and label not in out:
            out[label] = text_of(child(f, "fieldentry")).strip()
    return out


class _ItemReader:
    def __init__(self, node: etree._Element, ctx: ItemContext, quiz_shuffle: bool | None = None) -> None:
        self.node = node
        self.ctx = ctx
        self.quiz_shuffle = quiz_shuffle
        meta = child(node, "itemmetadata")
        self.meta = _metadata(child(meta, "qtimetadata") if meta is not None else None)
        if meta is not None and not self.meta:
            self.meta = _metadata(meta)
        self.presentation = child(node, "presentation")
        processing = child(node, "resprocessing")
        decvars = descendants(processing, "decvar") if processing is not None else []
        self.score_vars = {(d.get("varname") or "SCORE").upper() for d in decvars} | {"SCORE", "QUE_SCORE"}
        self.percent = any((d.get("varname") or "SCORE").upper() == "SCORE" and (d.get("maxvalue") or "").strip() in ("100", "100.0") for d in decvars)
        self.conditions = [self._condition(c) for c in descendants(processing, "respcondition")] if processing is not None else []
        self.feedback: dict[str, etree._Element] = {fb.get("ident") or "": fb for fb in children(node, "itemfeedback")}
        self.used_feedback: set[str] = set()

    def _condition(self, node: etree._Element) -> _Condition:
        score: Decimal | None = None
        action = "Set"
        for setvar in children(node, "setvar"):
            if (setvar.get("varname") or "SCORE").upper() not in self.score_vars:
                continue
            if (setvar.get("action") or "Set") in ("Set", "Add"):
                value = parse_decimal(setvar.text)
                if value is not None and value > 0:
                    score, action = value, setvar.get("action") or "Set"
        linked = [d.get("linkrefid") or "" for d in children(node, "displayfeedback") if d.get("linkrefid")]
        return _Condition(child(node, "conditionvar"), score, linked, (node.get("continue") or "No") == "Yes", action)

    # Text -------------------------------------------------------------------------------------------------

    def material_html(self, node: etree._Element | None) -> str:
        """HTML for the material(s) directly in ``node`` (or in its flow_mat/flow)."""
        if node is None:
            return ""
        parts: list[str] = []
        for mat in self._materials(node):
            for el in mat:
                tag = localname(el)
                if tag in ("mattext", "matemtext"):
                    text = el.text or ""
                    if len(el):  # XHTML written as elements rather than escaped text
                        text += "".join(etree.tostring(c, encoding="unicode") for c in el)
                    if (el.get("texttype") or "text/plain").lower() == "text/html":
                        parts.append(text)
                    else:
                        parts.append("<p>" + escape(text.strip()).replace("\n", "<br>") + "</p>" if text.strip() else "")
                elif tag == "matimage":
                    uri = el.get("uri") or ""
                    if uri:
                        parts.append(f'<img src="{escape(uri)}" alt="{escape(el.get("label") or "")}">')
                elif tag == "matbreak":
                    parts.append("<br>")
                elif tag in ("mataudio", "matvideo", "matapplet", "matapplication", "mat_extension"):
                    self.ctx.note(f"{tag} material is not carried")
        return "".join(parts)

    def _materials(self, node: etree._Element) -> list[etree._Element]:
        out: list[etree._Element] = []
        for c in node:
            tag = localname(c)
            if tag == "material":
                out.append(c)
            elif tag in ("flow_mat", "flow"):
                out.extend(self._materials(c))
            elif tag == "material_ref":
                self.ctx.note("a material_ref (shared material) is not followed")
        return out

    def md(self, node: etree._Element | None) -> str:
        return markdown(self.material_html(node), self.ctx)

    def plain(self, node: etree._Element | None) -> str:
        """The text of a material (matching answers are plain text)."""
        html = self.material_html(node)
        if "<" in html:
            try:
                fragment = lxml_html.fragment_fromstring(html, create_parent="div")
            except (etree.ParserError, ValueError):
                return html.strip()
            if any(el.tag not in ("p", "br", "span", "div") for el in fragment.iterdescendants() if isinstance(el.tag, str)):
                self.ctx.note("formatting in a matching answer is not carried (answers are plain text)")
            text = fragment.text_content()
        else:
            text = html
        return " ".join(text.split()) if re.search(r"[\n\t\r]", text) else text.strip()

    def feedback_md(self, ident: str) -> str | None:
        fb = self.feedback.get(ident)
        if fb is None:
            return None
        self.used_feedback.add(ident)
        html = self.material_html(fb)
        for inner in children(fb, "solution") + children(fb, "hint"):
            for material in descendants(inner, "solutionmaterial") + descendants(inner, "hintmaterial"):
                html += self.material_html(material)
        return markdown(html, self.ctx) or None

    # The question -------------------------------------------------------------------------------------

    def kind(self) -> str | None:
        qtype = self.meta.get("question_type", "").strip()
        if qtype in SUPPORTED:
            return SUPPORTED[qtype]
        if qtype:
            why = UNSUPPORTED.get(qtype, qtype)
            self.ctx.note(f"skipped: the Canvas question type {qtype} ({why}) is not supported")
            return None
        profile = self.meta.get("cc_profile", "").strip()
        if profile in CC_PROFILES:
            return CC_PROFILES[profile]
        return self._infer()

    def _responses(self) -> list[etree._Element]:
        if self.presentation is None:
            return []
        return [el for el in self.presentation.iter() if localname(el) in RESPONSES]

    def _infer(self) -> str | None:
        responses = self._responses()
        if not responses:
            self.ctx.note("skipped: the question has nothing to answer (no response element)")
            return None
        if len(responses) > 1:
            self.ctx.note(f"skipped: the question has {len(responses)} responses and no Canvas question_type, so its kind is ambiguous")
            return None
        response = responses[0]
        tag = localname(response)
        render = next((c for c in response.iter() if localname(c).startswith("render_")), None)
        render_tag = localname(render) if render is not None else ""
        if tag == "response_lid" and render_tag == "render_choice":
            if (response.get("rcardinality") or "Single") == "Multiple":
                return "multiple_response"
            labels = self._labels(response)
            texts = sorted(self.plain(lb).casefold() for lb in labels)
            return "true_false" if texts == ["false", "true"] else "multiple_choice"
        fibtype = (render.get("fibtype") or "String") if render is not None else ""
        if tag == "response_num" or (render_tag == "render_fib" and fibtype in ("Decimal", "Integer")):
            return "numerical"
        if tag == "response_str" and render_tag == "render_fib":
            has_answer = any(c.score is not None and _positive_tests(c.tests) for c in self.conditions)
            return "short_answer" if has_answer else "essay"
        self.ctx.note(f"skipped: a {tag} with {render_tag or 'no render element'} has no qbank item type")
        return None

    @staticmethod
    def _labels(response: etree._Element) -> list[etree._Element]:
        return [el for el in response.iter() if localname(el) == "response_label"]

    def read(self) -> dict[str, Any] | None:
        kind = self.kind()
        if kind is None:
            return None
        stem = self.md(self.presentation)
        handler = {
            "multiple_choice": self._choice,
            "multiple_response": self._choice,
            "true_false": self._choice,
            "short_answer": self._short_answer,
            "numerical": self._numerical,
            "matching": self._matching,
            "essay": self._essay,
        }[kind]
        fields = handler(kind)
        if fields is None:
            return None
        fields["stem"] = stem
        fields["points"] = self._points()
        fields["explanation"] = self._explanation()
        self._report_unused_feedback()
        return fields

    def _points(self) -> float:
        raw = self.meta.get("points_possible")
        if raw is not None:
            value = parse_decimal(raw)
            if value is None or value <= 0:
                self.ctx.note(f"points_possible {raw!r} is not a positive number; the item gets 1 point")
                return 1.0
            return float(value)
        # Plain QTI 1.2: what a fully correct answer scores, unless the score is Canvas's percentage.
        scoring = self._scoring()
        adds = sum((c.score or Decimal(0)) for c in scoring if c.action == "Add")
        sets = max((c.score or Decimal(0) for c in scoring if c.action == "Set"), default=Decimal(0))
        total = max(adds, sets)
        if total <= 0 or (self.percent and total == 100):
            return 1.0
        return float(total)

    def roles(self) -> dict[str, tuple[str, str | None]]:
        """What each linked itemfeedback is: (general | correct | incorrect | answer | other, answer ident)."""
        out: dict[str, tuple[str, str | None]] = {}
        stopped = False  # a scoring condition that ends processing came before
        for c in self.conditions:
            test = _only_test(c.tests)
            for ident in c.feedback:
                if ident in out:
                    continue
                if ident == "general_fb":
                    role: tuple[str, str | None] = ("general", None)
                elif ident == "correct_fb" or c.score is not None:
                    role = ("correct", None)
                elif ident == "general_incorrect_fb":
                    role = ("incorrect", None)
                elif test is not None and localname(test) == "other":
                    role = ("incorrect", None) if stopped else ("general", None)
                elif test is not None and localname(test) == "varequal":
                    role = ("answer", (test.text or "").strip())
                else:
                    role = ("other", None)
                out[ident] = role
            if c.score is not None and not c.go_on:
                stopped = True
        for ident in self.feedback:
            if ident not in out:
                if ident in ("general_fb", "correct_fb"):
                    out[ident] = (ident.split("_")[0], None)
                elif ident == "general_incorrect_fb":
                    out[ident] = ("incorrect", None)
                elif ident.endswith("_fb"):  # Canvas's naming, for a condition that was lost
                    out[ident] = ("answer", ident[: -len("_fb")])
                else:
                    out[ident] = ("other", None)
        return out

    def _explanation(self) -> str | None:
        roles = self.roles()
        general = [self.feedback_md(i) for i, (r, _) in roles.items() if r == "general"]
        correct = [self.feedback_md(i) for i, (r, _) in roles.items() if r == "correct"]
        if any(general) and any(correct):
            self.ctx.note("the feedback for a correct answer follows the general feedback in the explanation")
        for ident, (role, _) in roles.items():
            if role == "incorrect" and ident in self.feedback:
                self.used_feedback.add(ident)
                self.ctx.note(f"the feedback for an incorrect answer ({ident}) is not carried")
        return join_markdown(*general, *correct)

    def _report_unused_feedback(self) -> None:
        for ident in self.feedback:
            if ident not in self.used_feedback:
                text = " ".join(text_of(self.feedback[ident]).split())
                shown = (text[:60] + "…") if len(text) > 60 else text
                self.ctx.note(f"the feedback {ident!r} ({shown!r}) is not carried: it is not tied to one option of the question")

    def _scoring(self) -> list[_Condition]:
        return [c for c in self.conditions if c.score is not None]

    def _option_feedback(self, idents: list[str]) -> dict[str, list[str]]:
        """Rationales: feedback shown by a condition on exactly one option."""
        out: dict[str, list[str]] = {}
        for ident, (role, answer) in self.roles().items():
            if role == "answer" and answer in idents:
                text = self.feedback_md(ident)
                if text:
                    out.setdefault(answer, []).append(text)
        return out

    # Types -------------------------------------------------------------------------------------------

    def _choice(self, kind: str) -> dict[str, Any] | None:
        responses = [r for r in self._responses() if localname(r) == "response_lid"]
        if not responses:
            self.ctx.note("skipped: the choice question has no choices (response_lid)")
            return None
        if len(responses) > 1:
            self.ctx.note("skipped: the choice question has more than one list of choices")
            return None
        response = responses[0]
        labels = self._labels(response)
        if not labels:
            self.ctx.note("skipped: the choice question has no choices")
            return None
        idents = [lb.get("ident") or "" for lb in labels]
        keys: list[str] = []
        for c in self._scoring():
            for test in _positive_tests(c.tests):
                value = (test.text or "").strip()
                if value in idents and value not in keys:
                    keys.append(value)
        if not keys:
            self.ctx.note("no answer gives points, so no option is marked correct")
        rationales = self._option_feedback(idents)
        render = next((c for c in response.iter() if localname(c) == "render_choice"), None)
        shuffle_attr = render.get("shuffle") if render is not None else None
        if kind == "true_false":
            texts = [self.plain(lb).casefold() for lb in labels]
            if len(labels) != 2 or sorted(texts) != ["false", "true"]:
                if len(labels) == 2:
                    self.ctx.note("the true/false choices are not labelled True and False; the first is taken as True")
                    texts = ["true", "false"]
                else:
                    self.ctx.note(f"skipped: a true/false question with {len(labels)} choices")
                    return None
            true_ident = idents[texts.index("true")]
            false_ident = idents[texts.index("false")]
            if len(keys) != 1:
                self.ctx.note("the true/false question has no single correct choice; the answer is taken as False")
            return {
                "type": "true_false",
                "answer": keys == [true_ident],
                "true_rationale": join_markdown(*rationales.get(true_ident, [])),
                "false_rationale": join_markdown(*rationales.get(false_ident, [])),
            }
        options = []
        for lb, ident in zip(labels, idents):
            option: dict[str, Any] = {"text": self.md(lb), "correct": ident in keys}
            rationale = join_markdown(*rationales.get(ident, []))
            if rationale:
                option["rationale"] = rationale
            options.append(option)
        if kind == "multiple_choice" and len(keys) > 1:
            self.ctx.note(f"the multiple-choice question has {len(keys)} correct answers; all are marked correct")
        fields: dict[str, Any] = {"type": kind, "options": options}
        if shuffle_attr is not None:
            fields["shuffle"] = shuffle_attr.strip().lower() == "yes"
        elif self.quiz_shuffle is not None:
            fields["shuffle"] = self.quiz_shuffle
        return fields

    def _answer_feedback_note(self) -> None:
        for ident, (role, _) in self.roles().items():
            if role == "answer" and ident in self.feedback:
                self.used_feedback.add(ident)
                self.ctx.note(f"feedback for a particular answer ({ident}) is not carried: only choice options have rationales")

    def _short_answer(self, kind: str) -> dict[str, Any] | None:
        answers: list[str] = []
        case_sensitive = False
        for c in self._scoring():
            for test in _positive_tests(c.tests):
                value = (test.text or "").strip()
                if value and value not in answers:
                    answers.append(value)
                if (test.get("case") or "No").lower() == "yes":
                    case_sensitive = True
        if not answers:
            self.ctx.note("skipped: the fill-in-the-blank question has no accepted answer")
            return None
        self._answer_feedback_note()
        return {"type": "short_answer", "answers": answers, "case_sensitive": case_sensitive}

    def _numerical(self, kind: str) -> dict[str, Any] | None:
        scoring = self._scoring()
        found: list[tuple[Decimal, Decimal]] = []
        for c in scoring:
            parsed = self._number_answer(c.tests)
            if parsed is not None:
                found.append(parsed)
        if not found:
            self.ctx.note("skipped: the numerical question has no answer that can be read")
            return None
        if len(found) > 1:
            self.ctx.note(f"the numerical question accepts {len(found)} answers; only the first is kept")
        self._answer_feedback_note()
        answer, tolerance = found[0]
        return {"type": "numerical", "answer": float(answer), "tolerance": float(tolerance)}

    def _number_answer(self, tests: etree._Element | None) -> tuple[Decimal, Decimal] | None:
        if tests is None:
            return None
        exact = [parse_decimal(t.text) for t in _positive_tests(tests, "varequal")]
        lows = [parse_decimal(t.text) for n in ("vargte", "vargt") for t in _positive_tests(tests, n)]
        highs = [parse_decimal(t.text) for n in ("varlte", "varlt") for t in _positive_tests(tests, n)]
        value = next((e for e in exact if e is not None), None)
        low = next((v for v in lows if v is not None), None)
        high = next((v for v in highs if v is not None), None)
        if _positive_tests(tests, "vargt") or _positive_tests(tests, "varlt"):
            self.ctx.note("a precision answer (strict bounds) became answer ± tolerance with the bounds included")
        if low is not None and high is not None and low > high:
            low, high = high, low
        if value is not None:
            if low is None or high is None:
                return value, Decimal(0)
            return value, max(high - value, value - low, Decimal(0))
        if low is not None and high is not None:
            return (low + high) / 2, (high - low) / 2
        return None

    def _matching(self, kind: str) -> dict[str, Any] | None:
        responses = [r for r in self._responses() if localname(r) == "response_lid"]
        if not responses:
            self.ctx.note("skipped: the matching question has no prompts")
            return None
        key: dict[str, str] = {}
        for c in self._scoring():
            for test in _positive_tests(c.tests):
                respident = test.get("respident") or ""
                key.setdefault(respident, (test.text or "").strip())
        choice_text: dict[str, str] = {}
        order: list[str] = []
        for response in responses:
            for lb in self._labels(response):
                ident = lb.get("ident") or ""
                if ident not in choice_text:
                    choice_text[ident] = self.plain(lb)
                    order.append(ident)
        pairs = []
        for response in responses:
            prompt = self.md(response)
            wanted = key.get(response.get("ident") or "")
            if wanted is None or wanted not in choice_text:
                self.ctx.note(f"the prompt {text_of(response).split()[:8]!r} has no correct match; it is left out")
                continue
            pairs.append({"prompt": prompt, "match": choice_text[wanted]})
        if not pairs:
            self.ctx.note("skipped: no prompt of the matching question has a correct match")
            return None
        matches = {p["match"] for p in pairs}
        distractors: list[str] = []
        for ident in order:
            text = choice_text[ident]
            if text and text not in matches and text not in distractors:
                distractors.append(text)
        render = next((c for c in responses[0].iter() if localname(c) == "render_choice"), None)
        fields: dict[str, Any] = {"type": "matching", "pairs": pairs, "distractors": distractors}
        if render is not None and render.get("shuffle") is not None:
            fields["shuffle"] = (render.get("shuffle") or "").strip().lower() == "yes"
        elif self.quiz_shuffle is not None:
            fields["shuffle"] = self.quiz_shuffle
        self._answer_feedback_note()
        return fields

    def _essay(self, kind: str) -> dict[str, Any] | None:
        self._answer_feedback_note()
        return {"type": "essay"}


class CanvasImporter(Importer):
    name = "canvas"
    label = "Canvas QTI 1.2"
    extensions = (".zip", ".xml")

    def detect(self, data: bytes, filename: str) -> bool:
        # An unreadable zip is claimed here (Canvas is first in the detection order) so that reading
        # it reports what is wrong with the zip rather than "cannot tell the format".
        return sniff(data, filename) == self.name or unreadable_zip(data, filename)

    def read(self, data: bytes, filename: str) -> ImportResult:
        return _CanvasReader(filename).read(data)
