"""The sentiment of a review's text, English with VADER and Chinese with snownlp, both from the lexicon or model their
package ships (nothing is downloaded, at install or at run time), and the mismatch rule that flags stars and text
that disagree.

Scores share one scale, -1 (negative) … 1 (positive): VADER's ``compound`` as it is, snownlp's probability of a
positive text ``p`` as ``2p - 1``. A text with a CJK ideograph in it is read as Chinese; anything else as English
(VADER reads other Latin-script languages poorly: mostly "neutral", which never raises a mismatch).

snownlp loads its word segmenter (a 13 MB model) when it is first imported: measured on this project's 2-core machine
at 3-12 s and about 400 MB of memory, depending on the load of the machine. It is loaded once per process, on the
first Chinese text, behind a lock; a served app loads it before it serves (``load_models()``, in gunicorn's master,
which forks workers that share it); VADER loads in 0.2 s.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from services.reviews.policy import NEGATIVE, NEUTRAL, POSITIVE, ReviewPolicy

# |score| at or above which a text reads as clearly positive / negative: the mismatch threshold, per analyser.
# VADER's scores are spread widely (0.5 is its authors' "strong" region). snownlp's are pushed to the ends and it
# reads some shop words as negative ("客服" alone scores 0.08: most reviews naming customer service complain), so
# "颜色很正，没有色差" (a happy review) scores -0.76: 0.8 keeps such texts from being flagged. Measured on 10 happy
# and 10 unhappy shop reviews written for this: no false flag, 7 of 10 unhappy and 5 of 10 happy ones "clear".
CLEAR = {"en": 0.5, "zh": 0.8}
# |score| below which a text reads as neutral: the label shown beside a review.
LEANING = 0.25

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

HIGH_STARS_NEGATIVE_TEXT = "high_stars_negative_text"
LOW_STARS_POSITIVE_TEXT = "low_stars_positive_text"


@dataclass(frozen=True)
class Sentiment:
    score: float
    label: str
    language: str

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "label": self.label, "language": self.language}


class _Models:
    """The two analysers of this process, each built once, on first use."""

    def __init__(self) -> None:
        self._vader_lock = threading.Lock()  # two locks: VADER need not wait while snownlp loads
        self._snownlp_lock = threading.Lock()
        self._vader: Any = None
        self._snownlp: Any = None
        self.snownlp_load_seconds: float | None = None

    def vader(self) -> Any:
        if self._vader is None:
            with self._vader_lock:
                if self._vader is None:
                    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                    self._vader = SentimentIntensityAnalyzer()
        return self._vader

    def snownlp(self) -> Any:
        if self._snownlp is None:
            with self._snownlp_lock:
                if self._snownlp is None:
                    started = time.perf_counter()
                    from snownlp import sentiment

                    self.snownlp_load_seconds = time.perf_counter() - started
                    self._snownlp = sentiment
        return self._snownlp


MODELS = _Models()


def language_of(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def label_of(score: float) -> str:
    if score >= LEANING:
        return POSITIVE
    if score <= -LEANING:
        return NEGATIVE
    return NEUTRAL


def score_text(text: str) -> Sentiment:
    language = language_of(text)
    if language == "zh":
        score = 2 * MODELS.snownlp().classify(text) - 1
    else:
        score = MODELS.vader().polarity_scores(text)["compound"]
    score = round(max(-1.0, min(1.0, float(score))), 4)
    return Sentiment(score=score, label=label_of(score), language=language)


def mismatch(policy: ReviewPolicy, stars: int, sentiment: Sentiment) -> str | None:
    """Stars and text disagree: a positive rating (e.g. 4-5 stars) with a clearly negative text, or a negative
    rating (1-2 stars) with a clearly positive text. A neutral rating never mismatches."""
    rating = policy.rating_of(stars)
    clear = CLEAR[sentiment.language]
    if rating == POSITIVE and sentiment.score <= -clear:
        return HIGH_STARS_NEGATIVE_TEXT
    if rating == NEGATIVE and sentiment.score >= clear:
        return LOW_STARS_POSITIVE_TEXT
    return None


def load_models() -> None:
    """Load both analysers now, in this thread (once per process; a forked process shares them)."""
    MODELS.vader()
    MODELS.snownlp()
