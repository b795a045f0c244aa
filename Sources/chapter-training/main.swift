// chapter-training: regenerates chapters/training.md — what training choices change.
//
// 1. Does VQ-BeT care about its codebook size? (experiments/training/codebook-size.toml)
// 2. Token stasis (experiments/training/token-stasis.toml; merged from its own branch).
import Chapters

ChapterCommand.main(.training)
