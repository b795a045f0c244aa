// chapter-applications: regenerates chapters/applications.md — what the contenders do on tasks.
//
// 1. Precision: success against tolerance on a stop-on-the-target task, per contender
//    (experiments/applications/precision.toml), and the claim's contenders after longer training
//    (precision-training.toml, full profile).
// 2. Literal commands: the commanded against the executed value, against each tokenizer's
//    resolution (experiments/applications/literal.toml).
import Chapters
import Runner

ChapterCommand.main(.applications)
