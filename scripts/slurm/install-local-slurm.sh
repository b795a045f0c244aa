#!/usr/bin/env bash
# Installs and starts a single-node Slurm on this machine (localhost only), for the opt-in Slurm
# test (SLURM_TEST=1) and for trying scripts/slurm/submit-chapter.sh without a cluster. Debian's
# slurm-wlm and munge; needs root. Idempotent: packages, key and configuration are written only when
# missing, and running daemons are left alone. A real cluster needs none of this.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-local-slurm.sh: needs root (apt-get and the Slurm daemons)" >&2; exit 2; }

missing=()
for tool in sbatch slurmctld slurmd; do command -v "$tool" >/dev/null 2>&1 || missing+=(slurm-wlm); done
command -v munged >/dev/null 2>&1 || missing+=(munge)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

# munge: a key, and the daemon.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
# Daemons start in a session of their own with no inherited standard streams, so the caller is
# neither signalled with them nor kept waiting on its pipes.
pgrep -x munged >/dev/null || setsid runuser -u munge -- /usr/sbin/munged </dev/null >/dev/null 2>&1

# Slurm: one node (this one, on 127.0.0.1) with its cores and 90 % of its memory, one partition,
# no cgroups (process tracking through /proc), no accounting.
host=$(hostname -s)
cores=$(nproc)
memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
conf=/etc/slurm/slurm.conf
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
if [ ! -f "$conf" ] || ! grep -q "^# vla-workbench local Slurm" "$conf"; then
  cat > "$conf" <<CONF
# vla-workbench local Slurm (scripts/slurm/install-local-slurm.sh): one node, for tests
ClusterName=workbench
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cores RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
fi
pgrep -x slurmctld >/dev/null || setsid slurmctld </dev/null >/dev/null 2>&1
pgrep -x slurmd >/dev/null || setsid slurmd </dev/null >/dev/null 2>&1

# Wait (a minute at most) until the node takes jobs.
deadline=$((SECONDS + 60))
while [ $SECONDS -lt $deadline ]; do
  state=$(timeout 5 sinfo -h -N -o %t 2>/dev/null | head -n1 || true)
  case "$state" in idle|mix|alloc) echo "local Slurm ready: node $host, $cores cores, ${memory} MB"; exit 0;; esac
  if [ "$state" = down ] || [ "$state" = "down*" ]; then scontrol update nodename="$host" state=resume 2>/dev/null || true; fi
  sleep 1
done
echo "install-local-slurm.sh: the node did not come up within a minute (sinfo: ${state:-no answer}); see /var/log/slurm/" >&2
exit 1
