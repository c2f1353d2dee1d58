#!/usr/bin/env bash
# Start one Prefect worker for the palfa-pool work pool on this node (a batch job's payload).
#SBATCH --job-name=palfa-worker
#SBATCH --cpus-per-task=2
#SBATCH --time=24:00:00
#PBS -N palfa-worker
#PBS -l nodes=1:ppn=2,walltime=24:00:00
set -euo pipefail
: "${PALFA_HOME:?set PALFA_HOME to the pipeline checkout}"
: "${PREFECT_API_URL:?set PREFECT_API_URL to the Prefect server}"
cd "$PALFA_HOME"
exec .venv/bin/prefect worker start --pool palfa-pool --type process --limit "${PALFA_WORKER_LIMIT:-1}"
