#!/bin/sh
# Hydra's launcher for several "hosts" on one machine: each gets its own hostname in a UTS
# namespace, so MPI, hydra and tessera see separate hosts. Hydra calls its ssh launcher as
#   <launcher-exec> -x HOST "hydra_pmi_proxy" ARGS...
# and this runs the proxy here under `unshare --uts` with `hostname HOST`, as ssh would run it there.
# Needs root (or CAP_SYS_ADMIN) for the namespace. See README "More than one host". Use it as:
#   mpirun -launcher ssh -launcher-exec scripts/fake-hosts.sh -hosts alpha:2,beta:2 -n 4 tessera doctor
# A host name is letters, digits, dots and dashes, as in a hostfile.
[ "$1" = "-x" ] && shift
host=$1
shift
case "$host" in
    "" | *[!A-Za-z0-9.-]*) echo "fake-hosts.sh: bad host name '$host' (letters, digits, '.', '-')" >&2; exit 2 ;;
esac
unshare --uts true || {
    echo "fake-hosts.sh: unshare --uts failed: a UTS namespace needs root or CAP_SYS_ADMIN" >&2
    exit 4
}
# ssh joins its arguments into one command line for the remote shell; so does `eval` here.
exec unshare --uts sh -c 'hostname "$0" || exit 3; eval "exec $*"' "$host" "$@"
