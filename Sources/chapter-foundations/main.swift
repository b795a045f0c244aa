// chapter-foundations: regenerates chapters/foundations.md — what each tokenizer costs and buys.
//
// 1. Token counts against control frequency (experiments/foundations/token-counts.toml).
// 2. Rate against distortion (experiments/foundations/rate-distortion.toml).
// Pass `--input lasa=DIR` to add the LASA handwriting demonstrations.
import Chapters
import Runner

ChapterCommand.main(.foundations)
