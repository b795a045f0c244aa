#!/usr/bin/env bash
# Runs a chapter as a Slurm job array: N tasks compute its cells side by side, then one dependent
# job writes the results and the chapter.
#
#   scripts/slurm/submit-chapter.sh CHAPTER [--profile P] [--tasks N] [--cpus C] [--root DIR] [--bin DIR] [--experiment NAME]... [--wait]
#
# Array task i is shard i of N (`chapter-CHAPTER --shard i/N --processes C`): it computes its part
# of the chapter's cells, C worker processes of one engine thread each, and stores them in the
# folder output/.cache/CHAPTER. Which cell belongs to which shard follows from the cells' own
# descriptions, so the tasks share no lock and no message, only that folder. The dependent job
# (afterany: it runs even when a task failed, and computes whatever a failed task left) is the
# ordinary chapter run: it reads the cells back, writes output/ and the chapter, and clears the
# cells. With --experiment (repeatable) every task and the final job compute only the named
# experiments, and the chapter keeps its other blocks as they are (e.g. the evaluation chapter's
# full-profile collapse regime: --profile full --experiment collapse-regime). A cell's result
# depends only on its inputs, so the chapter is the same, bit for bit, as a run on one machine
# with the same OpenBLAS kernel (mixed node types give results equal within the kernels'
# rounding, and each result's provenance names only the assembling node).
#
# The workbench root must be on a file system every node sees. Resources per task follow the
# profile (below); override with SBATCH_* variables as sbatch allows. Logs go to output/.slurm/.
set -euo pipefail

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
chapter=$1; shift
profile=quick tasks=4 cpus=1 root= bin= wait= experiments=()
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=${2:?--profile needs a value}; shift 2;;
    --tasks) tasks=${2:?--tasks needs a value}; shift 2;;
    --cpus) cpus=${2:?--cpus needs a value}; shift 2;;
    --root) root=${2:?--root needs a value}; shift 2;;
    --bin) bin=${2:?--bin needs a value}; shift 2;;
    --experiment) experiments+=(--experiment "${2:?--experiment needs a value}"); shift 2;;
    --wait) wait=1; shift;;
    *) echo "submit-chapter.sh: unknown option $1" >&2; usage;;
  esac
done
case "$tasks" in ''|*[!0-9]*|0) echo "submit-chapter.sh: --tasks must be a positive whole number, got '$tasks'" >&2; exit 2;; esac
case "$cpus" in ''|*[!0-9]*|0) echo "submit-chapter.sh: --cpus must be a positive whole number, got '$cpus'" >&2; exit 2;; esac
here=$(cd "$(dirname "$0")/../.." && pwd)
root=$(cd "${root:-$here}" && pwd)
if [ -z "$bin" ]; then
  (cd "$here" && swift build -c release --product "chapter-$chapter" >&2)
  bin="$here/.build/release"
fi
exe="$bin/chapter-$chapter"
[ -x "$exe" ] || { echo "submit-chapter.sh: no executable $exe (chapters: foundations, architectures, data, training, evaluation, deployment, applications)" >&2; exit 2; }

# Per task: time limit, and memory per CPU (each worker process trains one model at a time), by
# profile. The limits are generous: the longest quick cell (a 20,000-step residual VQ with 256
# codes, in the architectures chapter) takes about 40 minutes on a slow 2020-era core; an 800-step
# per-step-binning cell of the full profile peaks under 1 GB.
case "$profile" in
  smoke) limit=00:15:00 memory=2G;;
  quick) limit=04:00:00 memory=4G;;
  full) limit=48:00:00 memory=8G;;
  *) echo "submit-chapter.sh: unknown profile '$profile' (smoke, quick, full)" >&2; exit 2;;
esac
logs="$root/output/.slurm"
mkdir -p "$logs"
command=$(printf '%q ' "$exe" --profile "$profile" --root "$root" "${experiments[@]}")

array=$(sbatch --parsable --job-name "$chapter-cells" --array "0-$((tasks - 1))" --ntasks 1 --cpus-per-task "$cpus" \
  --mem-per-cpu "$memory" --time "$limit" --output "$logs/$chapter-cells-%A_%a.log" \
  --wrap "exec $command--processes $cpus --shard \$SLURM_ARRAY_TASK_ID/$tasks")
array=${array%%;*}
final=$(sbatch --parsable --job-name "$chapter" --dependency "afterany:$array" --ntasks 1 --cpus-per-task "$cpus" \
  --mem-per-cpu "$memory" --time "$limit" --output "$logs/$chapter-%j.log" ${wait:+--wait} \
  --wrap "exec $command--processes $cpus")
final=${final%%;*}
echo "submitted: cells as array job $array ($tasks shards of $cpus CPU each), then the chapter as job $final; logs in $logs"
