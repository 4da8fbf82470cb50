#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every project whose public API is tracked, from the code as it is now.
# Run it after a merge that added, changed or removed public API (the build fails with RS0016/RS0017 until then),
# and review the diff: it is the API change. PublicAPI.Shipped.txt is edited by hand at a release (move the lines).
set -euo pipefail
cd "$(dirname "$0")/.."

projects=(src/NeoBuffer.Runtime/NeoBuffer.Runtime.csproj src/NeoBuffer.Nats/NeoBuffer.Nats.csproj)
for project in "${projects[@]}"; do
  dir=$(dirname "$project")
  # Start from nothing unshipped: the analyzers' fixes then add exactly what the code has beyond the shipped API
  # (RS0016), and drop shipped lines the code no longer has (RS0017).
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 --severity warn --no-restore -v quiet || true
  # One order, whatever order the fixes wrote in, so the diff after a merge shows only what changed.
  { head -n 1 "$dir/PublicAPI.Unshipped.txt"; tail -n +2 "$dir/PublicAPI.Unshipped.txt" | LC_ALL=C sort -u; } > "$dir/PublicAPI.Unshipped.txt.sorted"
  mv "$dir/PublicAPI.Unshipped.txt.sorted" "$dir/PublicAPI.Unshipped.txt"
  echo "$dir/PublicAPI.Unshipped.txt: $(($(wc -l < "$dir/PublicAPI.Unshipped.txt") - 1)) entries"
done
