#!/usr/bin/env bash
# Start one Prefect worker for the palfa-pool work pool (or $PALFA_WORK_POOL) on this node
# (a batch job's payload).
# The worker forks each flow run from an interpreter that has already imported the search
# (workers/preloaded.py); its threads per run are read once, when that interpreter starts.
#SBATCH --job-name=palfa-worker
#SBATCH --cpus-per-task=2
#SBATCH --time=24:00:00
#PBS -N palfa-worker
#PBS -l nodes=1:ppn=2,walltime=24:00:00
set -euo pipefail
: "${PALFA_HOME:?set PALFA_HOME to the pipeline checkout}"
: "${PREFECT_API_URL:?set PREFECT_API_URL to the Prefect server}"
cd "$PALFA_HOME"
limit="${PALFA_WORKER_LIMIT:-1}"
cpus="${SLURM_CPUS_PER_TASK:-${PBS_NUM_PPN:-$(nproc)}}"
# one share of this job's CPUs per concurrent run, so runs on a node never fight for cores
export NUMBA_NUM_THREADS="${NUMBA_NUM_THREADS:-$(( cpus / limit > 0 ? cpus / limit : 1 ))}"
exec .venv/bin/python -m workers.preloaded --pool "${PALFA_WORK_POOL:-palfa-pool}" --limit "$limit" \
    ${PALFA_WORKER_NAME:+--name "$PALFA_WORKER_NAME"}
