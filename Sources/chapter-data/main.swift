// chapter-data: regenerates chapters/data.md — what the data does to a tokenizer.
//
// 1. Outlier sensitivity of the binning tokenizers (experiments/data/outlier-sensitivity.toml).
import Chapters
import Runner

ChapterCommand.main(.data)
