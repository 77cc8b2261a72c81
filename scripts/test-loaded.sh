#!/usr/bin/env bash
# Runs vitest with four CPU-burning processes beside it, as on a busy machine:
#   scripts/test-loaded.sh test/resilience.test.ts      (npm run test:loaded -- test/resilience.test.ts)
# The burners are stopped by their process ids whatever happens; vitest's exit code is kept.
set -u
BURNERS="${BURNERS:-4}"
pids=()
stop_burners() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}
trap stop_burners EXIT
trap 'stop_burners; exit 130' INT TERM
for _ in $(seq "$BURNERS"); do
  node -e 'for(;;){}' &
  pids+=("$!")
done
echo "test-loaded: ${BURNERS} CPU burners running (pids ${pids[*]})" >&2
npx vitest run "$@"
code=$?
stop_burners
exit "$code"
