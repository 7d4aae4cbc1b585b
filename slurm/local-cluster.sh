#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for kseg's tests: munged with its own key and socket,
# slurmctld and slurmd with all state under one folder, 4 CPUs advertised (config_overrides) and
# 2 generic "gpu" resources without devices, so that GPU batch scripts are accepted (kseg runs
# them with --device cpu here).
#   slurm/local-cluster.sh start DIR   # prints the SLURM_CONF to export
#   slurm/local-cluster.sh stop DIR    # stops every daemon it started, by pid
set -euo pipefail
action=${1:?usage: $0 start|stop DIR}
dir=$(mkdir -p "${2:?usage: $0 start|stop DIR}" && cd "$2" && pwd)

stop() {
  for daemon in slurmd slurmctld munged; do
    local pidfile="$dir/$daemon.pid"
    [ -f "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

start() {
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 711 "$dir/munge"
  chown munge:munge "$dir/munge" 2>/dev/null || true
  [ -f "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1
  chown munge:munge "$dir/munge/munge.key" 2>/dev/null || true
  chmod 600 "$dir/munge/munge.key"
  runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munge.seed" --force
  for _ in $(seq 50); do [ -s "$dir/munge/munged.pid" ] && break; sleep 0.1; done
  cp "$dir/munge/munged.pid" "$dir/munged.pid"

  local node
  node=$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]*/NodeName=localhost NodeAddr=127.0.0.1/' \
    -e 's/CPUs=[0-9]*/CPUs=4/' -e 's/ Boards=[^ ]* SocketsPerBoard=[^ ]* CoresPerSocket=[^ ]* ThreadsPerCore=[^ ]*//')
  cat >"$dir/slurm.conf" <<CONF
ClusterName=kseg-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
EnforcePartLimits=ALL
ReturnToService=2
MinJobAge=600
SlurmdParameters=config_overrides
GresTypes=gpu
$node Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  touch "$dir/fake-gpu0" "$dir/fake-gpu1"  # slurmd wants a file per GPU; kseg never opens them
  echo "NodeName=localhost Name=gpu File=$dir/fake-gpu[0-1]" >"$dir/gres.conf"
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" -i
  slurmd -f "$SLURM_CONF" -N localhost
  for _ in $(seq 100); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && { echo "SLURM_CONF=$SLURM_CONF"; return 0; }
    sleep 0.2
  done
  echo "local-cluster: the node did not become idle; logs in $dir/log" >&2
  stop
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
