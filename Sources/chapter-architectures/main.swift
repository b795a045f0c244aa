// chapter-architectures: regenerates chapters/architectures.md — how VQ-BeT is built.
//
// 1. VQ-BeT taken apart: coarse and fine codes, the offset head, residual against single VQ
//    (experiments/architectures/vq-bet-anatomy.toml).
// 2. Correlated actuators: bits per chunk to reach a given precision, per-dimension binning
//    against joint residual VQ (experiments/architectures/correlated-actuators.toml).
import Chapters
import Runner

ChapterCommand.main(.architectures)
