#!/usr/bin/env bash
# Kills an H2 writer (H2KillProbe work) at a random moment, N times, and after each kill opens the file alone to lock
# every row (H2KillProbe check). Stops at the first kill after which a row stays locked with nobody holding it.
# usage: tools/h2-kill-probe/run.sh [CYCLES]   (after mvn package, which puts the H2 jar in target/lib)
set -euo pipefail
cd "$(dirname "$0")/../.."
h2=$(ls target/lib/h2-*.jar | head -1)
dir=$(mktemp -d)
cycles=${1:-200}
javac -d "$dir/classes" -cp "$h2" tools/h2-kill-probe/H2KillProbe.java
probe=(java -cp "$h2:$dir/classes" H2KillProbe)
"${probe[@]}" init "$dir"
for i in $(seq 1 "$cycles"); do
  "${probe[@]}" work "$dir" >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 1 + (r % 200) / 100 }')"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  out=$("${probe[@]}" check "$dir")
  if grep -q "LOCKED BY NOBODY" <<<"$out"; then
    echo "$h2: after kill $i a row is locked by nobody (database kept in $dir):"; echo "$out"
    exit 1
  fi
done
echo "$h2: $cycles kills, no row left locked"
rm -rf "$dir"
