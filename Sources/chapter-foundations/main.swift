// chapter-foundations: regenerates chapters/foundations.md — what each tokenizer costs and buys.
//
// 1. Token counts against control frequency (experiments/foundations/token-counts.toml).
// 2. Rate against distortion (experiments/foundations/rate-distortion.toml).
// The LASA handwriting demonstrations come from the data folder scripts/install-deps.sh fills (or `--input lasa=DIR`).
import Chapters
import Runner

ChapterCommand.main(.foundations)
