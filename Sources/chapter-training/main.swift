// chapter-training: regenerates chapters/training.md — what training a tokenizer changes.
//
// 1. Does VQ-BeT care about its codebook size? (experiments/training/codebook-size.toml)
// 2. Token stasis: reconstruction of motions a tokenizer never saw
//    (experiments/training/token-stasis.toml).
import Chapters
import Runner

ChapterCommand.main(.training)
