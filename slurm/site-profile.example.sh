# Site profile for kseg's batch scripts: copy, adapt, and point KSEG_SITE_PROFILE at it.
# It is sourced by the scripts before kseg starts.
module load gcc/12 cuda/13.0 openmpi/4.1 hdf5/1.10-mpi 2>/dev/null || true
export KSEG=$HOME/kseg/build/kseg                # the binary built on this cluster
export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}  # CPU threads per rank
export KSEG_DEVICE=cuda                          # fail rather than fall back to the CPU
