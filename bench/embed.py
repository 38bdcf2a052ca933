"""Embedding benchmark: throughput of :class:`newstrace.embed.Embedder` on 2 threads, and its agreement with the
fp32 model.

Throughput is measured on news text: the sentences of the FNC-1 competition test bodies, as the stance stage
splits them (the first 2,000, about 22 words each), and on its 894 headlines. Agreement: the three cosines that
sentence-transformers' README quickstart prints for all-MiniLM-L6-v2 (fp32, PyTorch) against ours (int8, ONNX).

Run: ``python -m bench.embed``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import record  # noqa: E402
from bench.fnc1 import load  # noqa: E402

QUICKSTART = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
FP32 = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}  # the README's similarity matrix


def rate(texts: list[str]) -> float:
    """Texts per second, after one warm-up batch."""
    from newstrace.embed import Embedder

    embedder = Embedder()
    embedder(texts[:32])
    started = time.perf_counter()
    embedder(texts)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    from newstrace.embed import Embedder
    from newstrace.stance import sentences

    pairs, bodies = load("test")
    body_sentences = [s for i in sorted(bodies, key=int) for s in sentences(bodies[i])][:2000]
    headlines = sorted({p.headline for p in pairs})
    words = sum(len(s.split()) for s in body_sentences) / len(body_sentences)
    vectors = Embedder()(QUICKSTART)
    cosines = {f"{a}-{b}": round(float(vectors[a] @ vectors[b]), 4) for a, b in FP32}
    figures: dict[str, Any] = {
        "body_sentences_per_s": round(rate(body_sentences), 1),
        "body_sentence_words": round(words, 1),
        "headlines_per_s": round(rate(headlines), 1),
        "quickstart_cosines_int8": cosines,
        "quickstart_cosines_fp32": {f"{a}-{b}": v for (a, b), v in FP32.items()},
        "threads": 2,
    }
    print(figures)
    largest = max(abs(cosines[f"{a}-{b}"] - v) for (a, b), v in FP32.items())
    record(
        "embed",
        figures,
        [
            (f"sentences/s, FNC-1 body sentences (~{words:.0f} words)", figures["body_sentences_per_s"], "2 threads"),
            ("headlines/s, FNC-1 test headlines", figures["headlines_per_s"], "2 threads"),
            ("largest cosine gap to fp32 (3 quickstart pairs)", round(largest, 4), "sentence-transformers README"),
        ],
    )


if __name__ == "__main__":
    main()
