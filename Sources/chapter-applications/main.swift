// chapter-applications: regenerates chapters/applications.md — what the contenders do on tasks.
//
// 1. Precision: success against tolerance on a stop-on-the-target task, per contender
//    (experiments/applications/precision.toml), and the claim's contenders after longer training
//    (precision-training.toml, full profile).
// 2. Literal commands: the commanded against the executed value, against each tokenizer's
//    resolution (experiments/applications/literal.toml).
// 3. LASA in closed loop: real human handwriting, rolled out from held-out starts and compared by
//    DTW distance and swept error area (experiments/applications/lasa.toml; the demonstrations
//    come from the data folder scripts/install-deps.sh fills, or --input lasa=DIR).
import Chapters
import Runner

ChapterCommand.main(.applications)
