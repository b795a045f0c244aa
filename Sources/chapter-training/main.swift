// chapter-training: regenerates chapters/training.md — what fitting a tokenizer to data does to it.
//
// 1. Token stasis: reconstruction of motions a tokenizer never saw
//    (experiments/training/token-stasis.toml).
import Chapters

ChapterCommand.main(.training)
