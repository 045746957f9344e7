#!/bin/sh
# Makes the repository `repotune bench gather` is measured on: code nobody here wrote, the
# sources of every npm package installed in node_modules (minus the prebuilt llama.cpp and Dawn
# binaries, which are hundreds of MB of shared libraries), committed as one git repository.
#
#   bench/gather-repo.sh /tmp/bench-gather [COPIES]
#   flock /tmp/bench.lock node out/cli.js bench gather --repo /tmp/bench-gather
#
# COPIES (default 1) puts that many copies side by side (a/, b/, ...): a larger repository for
# the peak-memory figure (the copies are exact duplicates of each other, so most are excluded).
set -eu
dest=${1:?usage: bench/gather-repo.sh DEST [COPIES]}
copies=${2:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dest"
mkdir -p "$dest"
i=0
for name in a b c d e f g h; do
  [ "$i" -lt "$copies" ] || break
  i=$((i + 1))
  target="$dest"
  [ "$copies" -eq 1 ] || target="$dest/$name"
  mkdir -p "$target"
  (cd "$root/node_modules" && tar cf - --exclude=./@node-llama-cpp --exclude=./webgpu --exclude=./.cache --exclude=./.bin .) | (cd "$target" && tar xf -)
done
cd "$dest"
git init -q
git add -A
git -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false commit -q -m "benchmark snapshot of node_modules"
echo "$dest: $(git ls-files | wc -l) files, $(du -sh --exclude=.git . | cut -f1)"
