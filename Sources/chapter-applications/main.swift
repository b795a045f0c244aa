// chapter-applications: regenerates chapters/applications.md — what the contenders do on tasks.
//
// 1. Precision: success against tolerance on a stop-on-the-target task, per contender
//    (experiments/applications/precision.toml).
import Chapters
import Runner

ChapterCommand.main(.applications)
