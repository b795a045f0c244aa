// chapter-deployment: regenerates chapters/deployment.md — what it takes to run a policy on a robot.
//
// 1. Latency per chunk of every contender at batch 1 (experiments/deployment/latency-per-chunk.toml).
// 2. Control under inference delay: synchronous, naive asynchronous and real-time chunking
//    (experiments/deployment/inference-delay.toml).
import Chapters
import Runner

ChapterCommand.main(.deployment)
