// chapter-future: regenerates chapters/future.md — the audit's open questions and bottom line, measured.
//
// 1. Compute scaling: held-out error against training FLOPs per contender on the splines and the
//    arm, beside each tokenizer's round-trip floor; per-step binning at 64 to 4,096 bins
//    (experiments/future/scaling.toml).
// 2. Universal tokenizers: leave-one-out FAST BPE over five action sources; a residual VQ trained
//    on synthetic motions applied to LASA (experiments/future/universal.toml; LASA comes from the
//    data folder scripts/install-deps.sh fills, or --input lasa=DIR).
// 3. The bottom line: the audit's three scenarios ranked from the book's committed results
//    (experiments/future/bottom-line.toml).
import Chapters
import Runner

ChapterCommand.main(.future)
