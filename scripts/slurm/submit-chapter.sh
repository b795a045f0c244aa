#!/usr/bin/env bash
# Runs a chapter as a Slurm job array: N tasks compute its cells side by side, then one dependent
# job writes the results and the chapter.
#
#   scripts/slurm/submit-chapter.sh CHAPTER [--profile P] [--tasks N] [--root DIR] [--bin DIR] [--wait]
#
# Each array task is a helper of the chapter (`chapter-CHAPTER --helper i`): it walks the chapter's
# experiments and computes every cell no other process holds, locking it with flock in the shared
# folder output/.cache/CHAPTER, on one core. The dependent job (afterany: it runs even when a task
# failed, and computes whatever a failed task left) is the ordinary chapter run: it reads the cells
# back, writes output/ and the chapter, and clears the cells. A cell's result depends only on its
# inputs, so the chapter is the same, bit for bit, as a run on one machine of the same kind.
#
# The workbench root must be on a file system that every node sees and where flock works across
# nodes (NFS with its lock manager, GPFS; Lustre mounted with -o flock). Resources per task follow
# the profile (below); override with SBATCH_* variables as sbatch allows. Logs go to output/.slurm/.
set -euo pipefail

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
chapter=$1; shift
profile=quick tasks=4 root= bin= wait=
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=${2:?--profile needs a value}; shift 2;;
    --tasks) tasks=${2:?--tasks needs a value}; shift 2;;
    --root) root=${2:?--root needs a value}; shift 2;;
    --bin) bin=${2:?--bin needs a value}; shift 2;;
    --wait) wait=1; shift;;
    *) echo "submit-chapter.sh: unknown option $1" >&2; usage;;
  esac
done
case "$tasks" in ''|*[!0-9]*|0) echo "submit-chapter.sh: --tasks must be a positive whole number, got '$tasks'" >&2; exit 2;; esac
here=$(cd "$(dirname "$0")/../.." && pwd)
root=$(cd "${root:-$here}" && pwd)
if [ -z "$bin" ]; then
  (cd "$here" && swift build -c release --product "chapter-$chapter" >&2)
  bin="$here/.build/release"
fi
exe="$bin/chapter-$chapter"
[ -x "$exe" ] || { echo "submit-chapter.sh: no executable $exe (chapters: data, foundations, training, architectures, evaluation)" >&2; exit 2; }

# Per task: time limit and memory by profile (a task trains one model at a time on one core).
case "$profile" in
  smoke) limit=00:10:00 memory=2G;;
  quick) limit=01:00:00 memory=4G;;
  full) limit=24:00:00 memory=8G;;
  *) echo "submit-chapter.sh: unknown profile '$profile' (smoke, quick, full)" >&2; exit 2;;
esac
logs="$root/output/.slurm"
mkdir -p "$logs"
command=$(printf '%q ' "$exe" --profile "$profile" --root "$root")

array=$(sbatch --parsable --job-name "$chapter-cells" --array "0-$((tasks - 1))" --ntasks 1 --cpus-per-task 1 \
  --mem "$memory" --time "$limit" --output "$logs/$chapter-cells-%A_%a.log" \
  --wrap "exec $command--helper \$((SLURM_ARRAY_TASK_ID + 1))")
array=${array%%;*}
final=$(sbatch --parsable --job-name "$chapter" --dependency "afterany:$array" --ntasks 1 --cpus-per-task 1 \
  --mem "$memory" --time "$limit" --output "$logs/$chapter-%j.log" ${wait:+--wait} \
  --wrap "exec $command--processes 1")
final=${final%%;*}
echo "submitted: cells as array job $array ($tasks tasks), then the chapter as job $final; logs in $logs"
