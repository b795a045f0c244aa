// chapter-evaluation: regenerates chapters/evaluation.md — FAST against binning as the rate rises.
//
// 1. The frequency sweep: the FAST paper's didactic spline experiment
//    (experiments/evaluation/frequency-sweep.toml).
// 2. The scorecard: every tokenizer on the same axes (experiments/evaluation/scorecard.toml).
import Chapters
import Runner

ChapterCommand.main(.evaluation)
